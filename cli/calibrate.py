"""Fit scenario values to the KPIs a client measured, and write the calibrated scenario.

    orgsim calibrate SCENARIO --observed FILE [--fit KEY ...] [--policy P] [--seed N]
                     [--set ...] [--workers N] [--budget N] [--json] [--out FILE]

The observed file (YAML `policy:`, `observed: {KPI: value}`, optional `runs: N`; or a CSV
with columns kpi,value[,policy][,runs]) is read by experiments.observed; the fit is
experiments.calibration's (a Gaussian-process surrogate sampled by emcee). Each fitted
key is shown with its posterior median and 90% interval, then each observed KPI against
the mean simulated at the fitted values. `--out FILE` writes the scenario with the fitted
values (experiments.calibrated_scenario); `orgsim run FILE` runs it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cli import exit_codes
from cli.errors import CommandLineError, inert_settings
from cli.options import (
    check_policies,
    check_seed,
    check_workers,
    common_options,
    scenario_argument,
    workers_option,
)
from cli.output import print_json, progress_bar, results_only_on_stdout

if TYPE_CHECKING:
    from experiments.calibration import Calibration

MAX_BUDGET = 1_000_000

HELP = "fit scenario values to observed KPIs (simulation-based inference)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim calibrate`."""
    from experiments.calibration import DEFAULT_BUDGET, DEFAULT_KEYS

    scenario_argument(parser)
    parser.add_argument(
        "--observed",
        type=Path,
        required=True,
        metavar="FILE",
        help="the measured KPIs: YAML (policy, observed: {KPI: value}, runs) or CSV "
        "(kpi,value[,policy][,runs])",
    )
    parser.add_argument(
        "--fit",
        action="extend",
        nargs="+",
        metavar="KEY",
        help=f"scenario keys to fit (default: {' '.join(DEFAULT_KEYS)})",
    )
    parser.add_argument(
        "--policy",
        metavar="P",
        help="the policy in force when the KPIs were measured (default: the observed file's)",
    )
    common_options(
        parser, seed_help="seed of the design and the runs (default: the scenario's seed)"
    )
    workers_option(parser)
    parser.add_argument(
        "--budget",
        type=int,
        default=DEFAULT_BUDGET,
        metavar="N",
        help=f"simulations in all (default: {DEFAULT_BUDGET})",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the calibrated scenario (YAML)"
    )


def command(args: argparse.Namespace) -> int:
    """Read the observation, check every option, fit, report, write --out."""
    from experiments.calibration import DEFAULT_KEYS, CalibrationError, calibrate, fit_keys, plan
    from experiments.observed import read_observed
    from simulator.loading import load_scenario, resolve_source

    scenario = load_scenario(args.scenario, args.overrides)
    observation = read_observed(args.observed)
    policy = _policy(scenario, args.policy, observation.policy, args.observed)
    workers = check_workers(args.workers)
    if not 1 <= args.budget <= MAX_BUDGET:
        raise CommandLineError(f"--budget: must be between 1 and {MAX_BUDGET} (got {args.budget})")
    try:
        keys = fit_keys(scenario, args.fit or list(DEFAULT_KEYS))
        plan(args.budget, len(keys))
    except CalibrationError as exc:
        raise CommandLineError(str(exc)) from None
    seed = check_seed(args.seed, scenario, last_offset=args.budget)
    out = _check_out(args.out, resolve_source(args.scenario))
    inert_settings(scenario, [policy], chosen_only=True)

    with (
        progress_bar(args.budget, f"{scenario.name}: calibrating") as on_run,
        results_only_on_stdout(),
    ):
        try:
            calibration = calibrate(
                scenario,
                observation,
                policy,
                keys,
                seed=seed,
                budget=args.budget,
                workers=workers,
                on_runs=None if on_run is None else lambda n: [on_run(policy, 0) for _ in range(n)],
            )
        except CalibrationError as exc:
            raise CommandLineError(str(exc)) from None
    if out is not None:
        from experiments.atomic import write_text
        from experiments.calibrated_scenario import calibrated_text

        out.parent.mkdir(parents=True, exist_ok=True)
        write_text(out, calibrated_text(args.scenario, args.overrides, calibration, out))
    if args.json:
        print_json(calibration.as_json())
    else:
        _print(calibration, scenario.name)
        if out is not None:
            print(f"written to {out} (run it with: orgsim run {out} --policy {policy})")
    return exit_codes.OK


def _policy(scenario, option: str | None, in_file: str | None, observed: Path) -> str:
    """The policy of the observation: --policy or the file's (the same if both are given),
    known to the scenario."""
    if option is None and in_file is None:
        raise CommandLineError(
            f"{observed}: no policy: say which was in force (policy: NAME, or --policy)"
        )
    from_file = None
    if in_file is not None:
        try:
            (from_file,) = check_policies(scenario, [in_file], "policy")
        except CommandLineError as exc:
            raise CommandLineError(f"{observed}: {exc}") from None
    if option is None:
        return from_file
    (chosen,) = check_policies(scenario, [option], "--policy")
    if from_file is not None and chosen != from_file:
        raise CommandLineError(
            f"--policy {option}: {observed} says the KPIs were measured under '{in_file}'"
        )
    return chosen


def _check_out(out: Path | None, scenario_path: Path) -> Path | None:
    """An --out file that can be written (missing folders are made) and is not the
    scenario itself, else exit 2."""
    if out is None:
        return None
    if out.exists() and out.resolve() == scenario_path.resolve():
        raise CommandLineError(f"--out {out}: is the scenario being calibrated; name a new file")
    if out.is_dir():
        raise CommandLineError(f"--out {out}: is a folder; name a file")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CommandLineError(f"--out {out}: {parent} is not a folder")
            break
    return out


def _print(calibration: Calibration, name: str) -> None:
    """The fitted values, then the fit to each observation, as plain tables."""
    print(
        f"{name} under {calibration.policy}: {calibration.simulations} simulations, "
        f"seed {calibration.seed}"
    )
    print()
    print(f"{'key':<34} {'scenario':>10} {'fitted':>10} {'90% interval':>21} {'prior range':>21}")
    for key in calibration.keys:
        f = calibration.fitted[key.key]
        print(
            f"{key.key:<34} {key.start:>10.4g} {f.value:>10.4g} "
            f"{f'{f.low:.4g}–{f.high:.4g}':>21} {f'{key.low:.4g}–{key.high:.4g}':>21}"
        )
    print()
    print(f"{'KPI':<34} {'observed':>10} {'simulated':>10} {'90% range':>21}  within")
    for kpi, q in calibration.fit.items():
        runs = f" (mean of {q.runs})" if q.runs > 1 else ""
        print(
            f"{kpi:<34} {q.observed:>10.4g} {q.simulated:>10.4g} "
            f"{f'{q.low:.4g}–{q.high:.4g}':>21}  {'yes' if q.within else 'NO'}{runs}"
        )
