"""The `orgsim` command line: run a scenario, compare policies, validate files, list scenarios.

    orgsim run SCENARIO [--policy P] [--seed N] [--set KEY=VALUE ...] [--json] [--out DIR]
    orgsim compare SCENARIO [--policies a,b,c] [--replications N] [--seed N] [--set ...]
                   [--json] [--out DIR]
    orgsim validate FILE... [--set KEY=VALUE ...]
    orgsim scenarios [--json]

Exit codes: 0 done; 2 bad input (one `error:` line per problem on stderr, nothing written);
1 anything else (one `error:` line; the traceback with ORGSIM_DEBUG=1). Results go to
stdout, warnings and progress to stderr, so `--json` output is clean JSON.

Nothing heavy (Mesa, pandas, NumPy, rich) is imported at module level: `orgsim --help`
answers at once; each command imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.atomic import write_atomically, write_text

if TYPE_CHECKING:
    import pandas as pd

    from simulator.run import RunResult
    from simulator.schema import Scenario

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
MAX_SEED = 2**63 - 1
DEFAULT_POLICY = "cooperative"
DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 100_000


class CommandLineError(Exception):
    """A bad command-line value found after parsing (exit 2). Its text is one line."""


# --- the parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `orgsim` and its commands."""
    parser = argparse.ArgumentParser(
        prog="orgsim",
        description=(
            "Simulate an organisation at work: the same project under hierarchical, "
            "cooperative or self-managed policies."
        ),
        epilog="Bad input exits with code 2; ORGSIM_DEBUG=1 shows tracebacks of failures.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run a scenario once under one policy and show its KPIs",
        description="Run a scenario once under one policy and show its KPIs.",
    )
    _scenario_argument(run)
    run.add_argument(
        "--policy",
        default=DEFAULT_POLICY,
        metavar="P",
        help=f"a preset or a policy defined by the scenario (default: {DEFAULT_POLICY})",
    )
    _common_options(run, seed_help="random seed (default: the scenario's seed)")
    run.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="write kpis.json, metadata.json, daily.csv, problems.csv",
    )
    run.set_defaults(handler=command_run)

    compare = commands.add_parser(
        "compare",
        help="compare policies on paired replications (same seeds for every policy)",
        description=(
            "Compare policies on the same scenario: replication r runs every policy with "
            "seed BASE + r, and differences are taken run by run."
        ),
    )
    _scenario_argument(compare)
    compare.add_argument(
        "--policies",
        metavar="A,B,C",
        help="policies to compare, the first is the reference "
        "(default: hierarchical,cooperative,self_managed)",
    )
    compare.add_argument(
        "--replications",
        type=int,
        default=DEFAULT_REPLICATIONS,
        metavar="N",
        help=f"paired runs per policy (default: {DEFAULT_REPLICATIONS})",
    )
    _common_options(
        compare, seed_help="base seed: replication r uses BASE + r (default: the scenario's seed)"
    )
    compare.add_argument(
        "--out", type=Path, metavar="DIR", help="write runs.csv (one row per run) and summary.csv"
    )
    compare.set_defaults(handler=command_compare)

    validate = commands.add_parser(
        "validate",
        help="check scenario files and show what their numbers imply",
        description=(
            "Check scenario files (every file is reported) and, for the valid ones, show the "
            "expected problems and the load they put on managers under escalate."
        ),
    )
    validate.add_argument(
        "files", nargs="+", metavar="FILE", help="scenario files (or built-in names)"
    )
    _set_option(validate, "override scenario values in every file, e.g. project.problem_rate=0.05")
    validate.set_defaults(handler=command_validate)

    scenarios = commands.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios, one per line: NAME  DESCRIPTION.",
    )
    scenarios.add_argument(
        "--json", action="store_true", help="a JSON list of {name, description, people, tasks}"
    )
    scenarios.set_defaults(handler=command_scenarios)

    from experiments.dashboard_cli import add_command as add_dashboard_command
    from experiments.sweep_cli import add_commands as add_sweep_commands

    add_sweep_commands(commands)
    add_dashboard_command(commands)
    return parser


def _scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "scenario",
        metavar="SCENARIO",
        help="a scenario file, or a built-in name (orgsim scenarios)",
    )


def _set_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help=help_text + " (several may follow one --set; repeatable)",
    )


def _common_options(parser: argparse.ArgumentParser, seed_help: str) -> None:
    parser.add_argument("--seed", type=int, metavar="N", help=seed_help)
    _set_option(parser, "override scenario values, e.g. project.problem_rate=0.05")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")


# --- checks done before anything runs or is written --------------------------------------------


def check_policies(scenario: Scenario, names: Sequence[str], option: str) -> list[str]:
    """The policy names, each known to the scenario (a `-` may stand for `_`), else exit 2."""
    from simulator.policies import policy_names, resolve_policy

    known = policy_names(scenario)
    checked = []
    for name in names:
        if name not in known and name.replace("-", "_") in known:
            name = name.replace("-", "_")
        try:
            resolve_policy(name, scenario)
        except ValueError as exc:
            raise CommandLineError(f"{option} {name}: {exc}") from None
        if name in checked:
            raise CommandLineError(f"{option} {name}: policy given twice")
        checked.append(name)
    return checked


def split_policies(text: str | None) -> list[str]:
    """`a, b,c` -> [a, b, c]; None -> the three presets."""
    from simulator.policies import PRESETS

    if text is None:
        return list(PRESETS)
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise CommandLineError(f"--policies: give at least one policy name (got {text!r})")
    return names


def check_seed(seed: int | None, scenario: Scenario, last_offset: int = 0) -> int:
    """The seed to use (the scenario's when not given), checked to be in 0 … 2^63 − 1."""
    chosen = scenario.seed if seed is None else seed
    if chosen < 0 or chosen + last_offset > MAX_SEED:
        raise CommandLineError(
            f"--seed: must be between 0 and {MAX_SEED - last_offset} (got {chosen})"
        )
    return chosen


def check_out(out: Path | None) -> Path | None:
    """An --out folder that can be created (or exists as a folder), else exit 2."""
    if out is None:
        return None
    if out.exists() and not out.is_dir():
        raise CommandLineError(f"--out {out}: exists and is not a folder")
    for parent in out.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CommandLineError(f"--out {out}: {parent} is not a folder")
            break
    return out


# --- output helpers -----------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """Plain JSON data: NumPy scalars become Python numbers, NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n")
    sys.stdout.flush()


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """A DataFrame to `path` as CSV without its index, atomically."""
    write_atomically(path, lambda p: frame.to_csv(p, index=False))


@contextmanager
def results_only_on_stdout() -> Iterator[None]:
    """While simulating, anything a library prints goes to stderr, keeping stdout for results."""
    with redirect_stdout(sys.stderr):
        yield


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[str, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing (yields None)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda policy, replicate: progress.advance(task)


# --- orgsim run -----------------------------------------------------------------------------------


def run_record(result: RunResult, scenario: Scenario, policy: str, seed: int) -> dict[str, Any]:
    """The JSON object of a run: scenario, policy, seed, then every KPI."""
    from simulator.kpis import KPI_NAMES

    record: dict[str, Any] = {"scenario": scenario.name, "policy": policy, "seed": seed}
    record.update({k: result.kpis.get(k) for k in KPI_NAMES})
    record.update({k: v for k, v in result.kpis.items() if k not in record})
    return jsonable(record)


def command_run(args: argparse.Namespace) -> int:
    """`orgsim run`: one run, its KPIs as a table or JSON, optionally written to --out."""
    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    (policy,) = check_policies(scenario, [args.policy], "--policy")
    seed = check_seed(args.seed, scenario)
    out = check_out(args.out)

    with results_only_on_stdout():
        from simulator.run import run_one

        result = run_one(scenario, policy, seed)
    record = run_record(result, scenario, policy, seed)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_text(out / "kpis.json", json.dumps(record, indent=2, allow_nan=False) + "\n")
        write_text(
            out / "metadata.json",
            json.dumps(jsonable(result.metadata), indent=2, allow_nan=False) + "\n",
        )
        write_csv(out / "daily.csv", result.daily)
        write_csv(out / "problems.csv", result.problems)
    if args.json:
        print_json(record)
    else:
        from experiments.console_tables import print_run

        print_run(record, scenario)
        if out is not None:
            print(f"written to {out}/: kpis.json, metadata.json, daily.csv, problems.csv")
    return EXIT_OK


def command_compare(args: argparse.Namespace) -> int:
    """`orgsim compare`: paired replications of several policies, summarised."""
    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    policies = check_policies(scenario, split_policies(args.policies), "--policies")
    replications = args.replications
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise CommandLineError(
            f"--replications: must be between 1 and {MAX_REPLICATIONS} (got {replications})"
        )
    base_seed = check_seed(args.seed, scenario, last_offset=replications - 1)
    out = check_out(args.out)

    from experiments.compare import headline, run_replications, summarise, summary_table

    total = replications * len(policies)
    with (
        progress_bar(total, f"{scenario.name}: {len(policies)} policies") as on_run,
        results_only_on_stdout(),
    ):
        runs = run_replications(scenario, policies, replications, base_seed, on_run=on_run)
    summary = summarise(runs, policies)
    text = headline(runs, policies)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_csv(out / "runs.csv", runs)
        write_csv(out / "summary.csv", summary_table(runs, policies))
    if args.json:
        print_json({**summary, "headline": text})
    else:
        from experiments.console_tables import print_comparison

        print_comparison(runs, summary, text, policies, scenario, base_seed)
        if out is not None:
            print(f"written to {out}/: runs.csv, summary.csv")
    return EXIT_OK


# --- orgsim validate --------------------------------------------------------------------------------


def command_validate(args: argparse.Namespace) -> int:
    """`orgsim validate`: every file is checked; valid ones get their implications."""
    from experiments.implications import describe, implications
    from simulator.errors import InputError
    from simulator.loading import load_scenario

    bad = 0
    for file in args.files:
        try:
            scenario = load_scenario(file, args.overrides)
        except InputError as err:
            bad += 1
            for line in err.lines():
                print(line, file=sys.stderr)
            continue
        found = implications(scenario)
        departments = len(scenario.organisation.departments)
        print(
            f"{file}: valid ({scenario.name}: {found.people} people in {departments} "
            f"department{'s' if departments != 1 else ''}, {found.tasks} tasks)"
        )
        for line in describe(found):
            print(line)
    if bad and len(args.files) > 1:
        print(f"error: {bad} of {len(args.files)} files are not valid", file=sys.stderr)
    return EXIT_INPUT if bad else EXIT_OK


# --- orgsim scenarios ----------------------------------------------------------------------------------


def command_scenarios(args: argparse.Namespace) -> int:
    """`orgsim scenarios`: one line per built-in scenario, or a JSON list."""
    from experiments.implications import people_count, task_count
    from simulator.errors import InputError
    from simulator.loading import builtin_names, load_scenario

    entries = []
    broken = []
    for name in builtin_names():
        try:
            scenario = load_scenario(name)
        except InputError as err:
            broken.append(err)
            continue
        entries.append(
            {
                "name": name,
                "description": " ".join(scenario.description.split()),
                "people": people_count(scenario),
                "tasks": task_count(scenario),
            }
        )
    if args.json:
        print_json(entries)
    else:
        width = max((len(e["name"]) for e in entries), default=0)
        for entry in entries:
            print(f"{entry['name']:<{width}}  {entry['description']}".rstrip())
    for err in broken:  # a broken built-in is our fault, not the user's: exit 1
        for line in err.lines():
            print(line, file=sys.stderr)
    return EXIT_FAILURE if broken else EXIT_OK


# --- entry point -------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `orgsim` command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    debug = os.environ.get("ORGSIM_DEBUG", "").strip() not in ("", "0")
    from simulator.errors import InputError

    try:
        with warnings.catch_warnings():
            if not debug:
                # Mesa announces experimental APIs; NumPy warns on empty means. Not for users.
                warnings.simplefilter("ignore", FutureWarning)
                warnings.simplefilter("ignore", RuntimeWarning)
            return args.handler(args)
    except InputError as err:
        for line in err.lines():
            print(line, file=sys.stderr)
        return EXIT_INPUT
    except CommandLineError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`orgsim scenarios | head -1`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
        hint = "" if debug else " (ORGSIM_DEBUG=1 shows the traceback)"
        print(f"error: {detail}{hint}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
