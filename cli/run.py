"""Run a scenario once under one policy and show its KPIs.

    orgsim run SCENARIO [--policy P] [--seed N] [--set KEY=VALUE ...] [--json] [--out DIR]

The KPIs are shown as a table grouped by theme (cli.tables), or as one JSON object.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import exit_codes
from cli.errors import inert_settings
from cli.options import (
    check_out,
    check_policies,
    check_seed,
    common_options,
    overwrite_option,
    scenario_argument,
)
from cli.output import jsonable, print_json, results_only_on_stdout, write_csv, write_json

if TYPE_CHECKING:
    from simulator.run import RunResult
    from simulator.schema import Scenario

DEFAULT_POLICY = "cooperative"
FILES = ("kpis.json", "metadata.json", "daily.csv", "problems.csv")

HELP = "run a scenario once under one policy and show its KPIs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim run`."""
    scenario_argument(parser)
    parser.add_argument(
        "--policy",
        default=DEFAULT_POLICY,
        metavar="P",
        help=f"a preset or a policy defined by the scenario (default: {DEFAULT_POLICY})",
    )
    common_options(parser, seed_help="random seed (default: the scenario's seed)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"write {', '.join(FILES)}",
    )
    overwrite_option(parser)


def run_record(
    result: RunResult | Mapping[str, Any], scenario: Scenario, policy: str, seed: int
) -> dict[str, Any]:
    """The JSON object of a run: scenario, policy, seed, then every KPI (of a run's result
    or of its KPIs)."""
    from experiments.runs_table import kpi_row, run_labels

    kpis = kpi_row(result if isinstance(result, Mapping) else result.kpis)
    labels = run_labels(scenario, kpis)
    record = {"scenario": labels.pop("scenario"), "policy": policy, "seed": seed, **labels}
    return jsonable({**record, **kpis})


def command(args: argparse.Namespace) -> int:
    """One run, its KPIs as a table or JSON, optionally written to --out."""
    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    (policy,) = check_policies(scenario, [args.policy], "--policy")
    seed = check_seed(args.seed, scenario)
    out = check_out(args.out, FILES, args.overwrite)
    inert_settings(scenario, [policy], chosen_only=True)

    result = None
    with results_only_on_stdout():
        if out is None:
            # Only the KPIs are shown: no frames of series and records (and no pandas).
            from experiments.worker import kpis_of_run

            kpis = kpis_of_run(scenario, policy, seed)
        else:
            from simulator.run import run_one

            result = run_one(scenario, policy, seed)
            kpis = result.kpis
    record = run_record(kpis, scenario, policy, seed)
    if result is not None and out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / "kpis.json", record)
        write_json(out / "metadata.json", result.metadata)
        write_csv(out / "daily.csv", result.daily)
        write_csv(out / "problems.csv", result.problems)
    if args.json:
        print_json(record)
    else:
        from cli.tables import print_run

        print_run(record, scenario)
        if out is not None:
            print(f"written to {out}/: {', '.join(FILES)}")
    return exit_codes.OK
