"""Where the time goes and what fixes it: waits caused by department, team and manager,
the bottleneck, and remedies tried on the same seeds.

    orgsim diagnose SCENARIO [--policy P] [--replications N] [--seed N] [--set ...]
                    [--workers N] [--remedies N] [--json] [--out DIR]

Replication r runs the scenario with seed BASE + r; a task's decision and information
waits are attributed to whoever holds what it waits for (experiments.diagnosis). The
remedies the diagnosis points to run with the same seeds and are ranked by their paired
lead-time gain (experiments.diagnose). `--out DIR` writes DIR/diagnosis.json, the JSON of
`--json`, which `orgsim report` reads.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cli import exit_codes
from cli.errors import CommandLineError, inert_settings
from cli.options import (
    check_out,
    check_policies,
    check_seed,
    check_workers,
    common_options,
    overwrite_option,
    scenario_argument,
    workers_option,
)
from cli.output import json_text, print_json, progress_bar, results_only_on_stdout

DEFAULT_POLICY = "hierarchical"
DEFAULT_REPLICATIONS = 10
MAX_REPLICATIONS = 10_000
FILE = "diagnosis.json"

HELP = "find the bottleneck (waits by department and manager) and rank remedies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim diagnose`."""
    from experiments.remedies import MAX_REMEDIES

    scenario_argument(parser)
    parser.add_argument(
        "--policy",
        default=DEFAULT_POLICY,
        metavar="P",
        help=f"the policy in force (default: {DEFAULT_POLICY})",
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"runs of the scenario and of each remedy (default: {DEFAULT_REPLICATIONS})",
    )
    common_options(
        parser, seed_help="base seed: replication r uses BASE + r (default: the scenario's seed)"
    )
    workers_option(parser)
    parser.add_argument(
        "--remedies",
        type=int,
        default=MAX_REMEDIES,
        metavar="N",
        help=f"at most N remedies tried, 0 for none (default: {MAX_REMEDIES})",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help=f"write DIR/{FILE}")
    overwrite_option(parser)


def command(args: argparse.Namespace) -> int:
    """The diagnosis: the bottleneck line, then departments, managers, the critical path
    and the remedies ranked."""
    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    (policy,) = check_policies(scenario, [args.policy], "--policy")
    replications = args.replications
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise CommandLineError(
            f"--replications: must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )
    workers = check_workers(args.workers)
    if args.remedies < 0:
        raise CommandLineError(f"--remedies: must be 0 or more (got {args.remedies})")
    base_seed = check_seed(args.seed, scenario, last_offset=replications - 1)
    out = check_out(args.out, [FILE], args.overwrite)
    inert_settings(scenario, [policy], chosen_only=True)

    from experiments.diagnose import diagnose

    with results_only_on_stdout():
        result, _runs = diagnose(
            scenario,
            policy,
            replications,
            base_seed,
            workers=workers,
            max_remedies=args.remedies,
            progress=lambda what, total: progress_bar(total, f"{scenario.name}: {what}"),
        )
    if out is not None:
        from experiments.atomic import write_text

        out.mkdir(parents=True, exist_ok=True)
        write_text(out / FILE, json_text(result))
    if args.json:
        print_json(result)
    else:
        from cli.diagnosis_tables import print_diagnosis

        print_diagnosis(result, scenario)
        if out is not None:
            print(f"written to {out / FILE}")
    return exit_codes.OK
