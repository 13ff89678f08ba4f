"""Compare policies on the same scenario: replication r runs every policy with seed
BASE + r, and differences are taken run by run.

    orgsim compare SCENARIO [--policies a,b,c] [--replications N] [--seed N] [--set ...]
                   [--workers N] [--json] [--out DIR] [--decompose]

The runs and their statistics come from experiments.compare. The runs go to a process pool
of `--workers` processes (default: one per core) when the timed first replication shows
the pool pays for its start; the numbers are the same whatever the number of workers.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import exit_codes
from cli.decomposition_table import FILE_NAME as DECOMPOSITION_FILE
from cli.decomposition_table import add_decompose_option, checked_decomposition
from cli.errors import CommandLineError, inert_settings
from cli.options import (
    check_out,
    check_policies,
    check_seed,
    check_workers,
    common_options,
    overwrite_option,
    scenario_argument,
    split_policies,
    workers_option,
)
from cli.output import print_json, progress_bar, results_only_on_stdout, write_csv

if TYPE_CHECKING:
    import pandas as pd

    from simulator.schema import Scenario

DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 100_000

OUT_FILES = ("runs.csv", "summary.csv")  # what --out writes (and --decompose adds its file)
HELP = "compare policies on paired replications (same seeds for every policy)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim compare`."""
    scenario_argument(parser)
    parser.add_argument(
        "--policies",
        metavar="A,B,C",
        help="policies to compare, the first is the reference "
        "(default: hierarchical,cooperative,self_managed)",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"paired runs per policy (default: {DEFAULT_REPLICATIONS})",
    )
    common_options(
        parser, seed_help="base seed: replication r uses BASE + r (default: the scenario's seed)"
    )
    workers_option(parser)
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="write runs.csv (one row per run) and summary.csv"
    )
    overwrite_option(parser)
    add_decompose_option(parser)


def command(args: argparse.Namespace) -> int:
    """Paired replications of several policies: the headline, statistics, differences."""
    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    policies = check_policies(scenario, split_policies(args.policies), "--policies")
    replications = args.replications
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise CommandLineError(
            f"--replications: must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )
    workers = check_workers(args.workers)
    base_seed = check_seed(args.seed, scenario, last_offset=replications - 1)
    written = [*OUT_FILES, *([DECOMPOSITION_FILE] if args.decompose else [])]
    out = check_out(args.out, written, args.overwrite)
    inert_settings(scenario, policies, chosen_only=True)
    decompose = checked_decomposition(args, scenario, policies, base_seed)

    from experiments.compare import headline, run_replications, summarise, summary_table

    total = replications * len(policies)
    with (
        progress_bar(total, f"{scenario.name}: {len(policies)} policies") as on_run,
        results_only_on_stdout(),
    ):
        runs = run_replications(
            scenario, policies, replications, base_seed, on_run=on_run, workers=workers
        )
    summary = summarise(runs, policies)
    text = headline(runs, policies)
    if decompose is not None:
        summary.update(decompose.run(replications, base_seed, workers))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / OUT_FILES[0], _labelled(runs, scenario))
        write_csv(out / OUT_FILES[1], summary_table(runs, policies))
    extras = _ceo_extras(runs, summary, policies, scenario)
    if args.json:
        print_json({**summary, "headline": text, **extras})
    else:
        from cli.tables import print_comparison

        print_comparison(runs, summary, text, policies, scenario, base_seed, extras)
        if out is not None:
            print(f"written to {out}/: runs.csv, summary.csv")
        if decompose is not None:
            decompose.show()
    return exit_codes.OK


def _ceo_extras(
    runs: pd.DataFrame, summary: dict[str, Any], policies: list[str], scenario: Scenario
) -> dict[str, Any]:
    """What a comparison adds when the scenario allows: the currency of its amounts, finish
    dates (with `time.start`), P(beats) and sensitivity (with uncertain inputs)."""
    from experiments.compare import finish_dates
    from experiments.uncertainty import uncertainty_summary

    extras: dict[str, Any] = {}
    currency = scenario.organisation.cost_per_hour.currency
    if currency:
        extras["currency"] = currency  # of labour_cost and staffing_cost
    dates = finish_dates(summary, scenario)
    if dates:
        extras["dates"] = dates
    extras.update(uncertainty_summary(runs, policies))
    return extras


def _labelled(runs: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The runs with what people read beside the KPIs (`runs_table.run_labels`): the
    scenario and its fingerprint, finish and deadline dates, the currency."""
    from experiments.runs_table import run_labels

    labels = [run_labels(scenario, row) for row in runs.to_dict("records")]
    return runs.assign(**{k: [row.get(k) for row in labels] for k in labels[0]}) if labels else runs
