"""The `orgsim sweep` and `orgsim report` commands.

    orgsim sweep FILE [--workers N | --scheduler ADDRESS] [--out DIR] [--resume] [--dry-run]
    orgsim report DIR [--out FILE]

`add_commands(subparsers)` registers both on the `orgsim` parser; each handler returns the
exit code: 0 done; 2 bad input (`error: FILE:LINE: field: problem (got VALUE)` lines on
stderr, nothing run, nothing written); 1 anything else (failed runs, an executor that
stopped). `python -m experiments.sweep_cli ...` runs them on their own.

Nothing heavy is imported at module level: the handlers import what they need.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from experiments.plan import Plan
    from experiments.sweep import Outcome

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
CELLS_SHOWN = 20
TIMED_RUNS = 2


def add_commands(subparsers: Any) -> None:
    """Register `sweep` and `report` on an argparse subparsers object."""
    sweep = subparsers.add_parser(
        "sweep",
        help="run an experiment file: a design of cells × policies × replications",
        description=(
            "Run every cell of an experiment under every policy, with replications whose "
            "seeds are shared by all policies (paired). Results go to DIR/runs/*.parquet "
            "(read them with pandas.read_parquet('DIR/runs')); a sweep that was stopped "
            "completes with --resume."
        ),
    )
    sweep.add_argument("file", metavar="FILE", help="an experiment file (YAML)")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="local worker processes (default: one per core; 1 runs in this process)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://host:8786, or a scheduler file",
    )
    sweep.add_argument(
        "--out", type=Path, metavar="DIR", help="results folder (default: results/NAME)"
    )
    sweep.add_argument(
        "--resume", action="store_true", help="complete the sweep in --out: run only missing runs"
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print the cells, the number of runs and an estimated time; run nothing",
    )
    sweep.add_argument(
        "--part-rows",
        type=int,
        default=None,
        metavar="N",
        help="runs per Parquet part (default 1000; a part is also written every 30 s)",
    )
    sweep.set_defaults(handler=command_sweep)

    report = subparsers.add_parser(
        "report",
        help="write the HTML report of a sweep's results folder",
        description=(
            "Write one self-contained HTML page (figures embedded) with the PNG figures, "
            "summary.csv, differences.csv and sensitivity.csv next to it."
        ),
    )
    report.add_argument("folder", metavar="DIR", help="a results folder written by orgsim sweep")
    report.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="the HTML file (default: DIR/report.html); figures and CSV go next to it",
    )
    report.set_defaults(handler=command_report)


# --- orgsim sweep ------------------------------------------------------------------------------


def command_sweep(args: argparse.Namespace) -> int:
    """`orgsim sweep`: check, then run (or describe with --dry-run) an experiment."""
    for option, value in (("--workers", args.workers), ("--part-rows", args.part_rows)):
        if value is not None and value < 1:
            return _bad(f"{option}: must be at least 1 (got {value})")
    with _quiet():
        from experiments.executors import ExecutorError, open_workers
        from experiments.store import FolderBusy, count_done
        from experiments.sweep import PART_ROWS, execute, prepare
        from simulator.errors import InputError

        try:
            # A dry run only describes: an existing folder of this experiment is shown as such.
            plan, folder, manifest = prepare(args.file, args.out, args.resume or args.dry_run)
        except InputError as err:
            return _input_error(err)
        if args.dry_run:
            print_plan(plan, folder, manifest, args.workers, args.scheduler)
            return EXIT_OK
        if manifest is not None and count_done(folder) >= plan.run_count:
            # Nothing left to run: no need to start workers or reach a cluster.
            args.workers, args.scheduler = 1, None
        try:
            with _terminate_as_interrupt(), open_workers(args.workers, args.scheduler) as workers:
                if sys.stderr.isatty():
                    print(
                        f"{plan.experiment.name}: {plan.run_count} runs on {workers.description} "
                        f"-> {folder}",
                        file=sys.stderr,
                    )
                outcome = execute(
                    plan, folder, workers, manifest, part_rows=args.part_rows or PART_ROWS
                )
        except ExecutorError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        except FolderBusy as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILURE
        except KeyboardInterrupt:
            print(
                f"error: interrupted; the runs done are saved in {folder}: "
                f"orgsim sweep {args.file} --out {folder} --resume completes the sweep",
                file=sys.stderr,
            )
            return EXIT_INTERRUPTED
        return print_outcome(plan, outcome, args.file)


def print_outcome(plan: Plan, outcome: Outcome, file: str) -> int:
    """The closing lines of a sweep (stdout), failures on stderr; returns the exit code."""
    from experiments.store import read_runs
    from experiments.summaries import headline

    rate = outcome.ran / outcome.elapsed_s if outcome.elapsed_s > 0 else 0.0
    resumed = f", {outcome.done_before} done before" if outcome.done_before else ""
    ran = (
        f"ran {outcome.ran} in {_duration(outcome.elapsed_s)} ({rate:.1f} runs/s, {outcome.workers})"
        if outcome.ran
        else "nothing left to run"
    )
    print(
        f"{plan.experiment.name}: {outcome.done} of {outcome.total} runs ({_shape(plan)}){resumed}; {ran}"
    )
    print(f"results: {outcome.folder}  (pandas.read_parquet('{outcome.folder / 'runs'}'))")
    if outcome.done:
        columns = [
            "run_id",
            "cell_id",
            "policy",
            "replicate",
            "seed",
            "status",
            "lead_time_days",
            "finished",
        ]
        print(headline(read_runs(outcome.folder, columns=columns)))
    print(f"report: orgsim report {outcome.folder}")
    failed = outcome.failed + outcome.failed_before
    code = EXIT_OK
    if failed:
        first = "; ".join(f"run {run_id}: {message}" for run_id, message in outcome.failures[:3])
        print(
            f"error: {failed} of {outcome.done} runs failed; they are recorded with status "
            f"'error' and their message" + (f" (first: {first})" if first else ""),
            file=sys.stderr,
        )
        code = EXIT_FAILURE
    if outcome.stopped:
        print(
            f"error: the sweep stopped ({outcome.stopped}); {outcome.done} of {outcome.total} "
            f"runs are saved: orgsim sweep {file} --out {outcome.folder} --resume completes it",
            file=sys.stderr,
        )
        code = EXIT_FAILURE
    return code


def print_plan(
    plan: Plan,
    folder: Path,
    manifest: dict[str, Any] | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """`--dry-run`: the design, the cells, the runs and an estimated time (two runs timed)."""
    from experiments.executors import cpu_count
    from experiments.store import count_done

    experiment = plan.experiment
    done = count_done(folder) if manifest is not None else 0
    left = plan.run_count - done
    print(f"experiment: {experiment.name} ({experiment.source})")
    source = "" if plan.scenario_source == plan.base_scenario.name else f" ({plan.scenario_source})"
    print(f"scenario:   {plan.base_scenario.name}{source}")
    print(f"design:     {plan.design.kind}, {_cells_text(plan)}")
    print(f"policies:   {', '.join(plan.policies)} (the first is the reference)")
    last = plan.base_seed + plan.replications - 1
    seeds = f"seed {plan.base_seed}" if plan.replications == 1 else f"seeds {plan.base_seed}–{last}"
    print(f"replications: {plan.replications} ({seeds}, shared by every policy and cell)")
    print(f"runs:       {plan.run_count} = {_shape(plan)}")
    if manifest is not None:
        print(f"output:     {folder} holds {done} of them: --resume runs the other {left}")
    else:
        print(f"output:     {folder} (new)")
    per_run = _time_runs(plan)
    if isinstance(per_run, str):
        print(f"time:       could not time a run: {per_run}")
    elif scheduler is not None:
        print(
            f"time:       about {per_run:.3g} s per run here, {_duration(per_run * left)} of "
            "computing: divide by the Dask cluster's worker threads"
        )
    else:
        count = workers or cpu_count()
        print(
            f"time:       about {per_run:.3g} s per run ({TIMED_RUNS} runs timed), about "
            f"{_duration(per_run * left / count)} on {count} worker{'s' if count != 1 else ''}"
        )
    print()
    print(_cell_table(plan))


def _shape(plan: Plan) -> str:
    cells = plan.cell_count
    policies = len(plan.policies)
    return (
        f"{cells} cell{'s' if cells != 1 else ''} × {policies} "
        f"polic{'ies' if policies != 1 else 'y'} × {plan.replications} "
        f"replication{'s' if plan.replications != 1 else ''}"
    )


def _cells_text(plan: Plan) -> str:
    experiment = plan.experiment
    cells = plan.cell_count
    if not experiment.axes:
        return "1 cell (no parameter varies)"
    if plan.design.kind == "factorial":
        parts = " × ".join(f"{a.key} ({len(a.levels or ())})" for a in experiment.axes)
        return f"{cells} cell{'s' if cells != 1 else ''}: {parts}"
    if plan.design.kind in ("lhs", "sobol", "morris"):
        return f"{cells} cells sampled over {', '.join(plan.design.factors)}"
    return f"{cells} cell{'s' if cells != 1 else ''} over {', '.join(plan.design.keys)}"


def _cell_table(plan: Plan) -> str:
    keys = list(plan.design.keys)
    if not keys:
        return "cells: one cell, the scenario as it is"
    header = ["cell", *keys]
    rows = [
        [str(i), *(_value(v) for v in plan.design.cells[i])]
        for i in range(min(CELLS_SHOWN, plan.cell_count))
    ]
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if plan.cell_count > CELLS_SHOWN:
        lines.append(f"... ({plan.cell_count - CELLS_SHOWN} more cells)")
    return "\n".join(lines)


def _value(value: Any) -> str:
    if value is None:
        return "(scenario)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _time_runs(plan: Plan) -> float | str:
    """Seconds per run, from running the first cell's first and last policy once each."""
    import time

    from experiments.worker import Chunk, run_chunk

    scenario, policies = plan.cell_setup(0)
    chosen = sorted({0, len(policies) - 1})[:TIMED_RUNS]
    chunk = Chunk(
        runs=[(i, 0, policies[i], plan.base_seed) for i in chosen], scenarios={0: scenario}
    )
    start = time.perf_counter()
    result = run_chunk(chunk)
    elapsed = time.perf_counter() - start
    failed = [r for r in result.rows if r["status"] != "ok"]
    if failed:
        return str(failed[0]["error"])
    return elapsed / len(chunk.runs)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# --- orgsim report ----------------------------------------------------------------------------------


def command_report(args: argparse.Namespace) -> int:
    """`orgsim report`: the HTML report, PNGs and CSV tables of a results folder."""
    with _quiet():
        from experiments.report import write_report
        from simulator.errors import InputError

        try:
            report = write_report(args.folder, args.out)
        except InputError as err:
            return _input_error(err)
    print(f"report: {report.html}")
    print(
        f"with {len(report.pngs)} figures (PNG) and "
        f"{', '.join(p.name for p in report.tables)} in {report.html.parent}"
    )
    return EXIT_OK


# --- helpers ---------------------------------------------------------------------------------------


def _bad(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INPUT


def _input_error(err: Any) -> int:
    for line in err.lines():
        print(line, file=sys.stderr)
    return EXIT_INPUT


@contextmanager
def _quiet() -> Iterator[None]:
    """Library notices (Mesa's experimental APIs, NumPy's empty means) are not for users."""
    with warnings.catch_warnings():
        if os.environ.get("ORGSIM_DEBUG", "").strip() in ("", "0"):
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
        yield


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a batch system stopping the job) stops like Ctrl-C: the results so far are
    written before exiting."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `sweep` or `report` on their own (`python -m experiments.sweep_cli`)."""
    parser = argparse.ArgumentParser(prog="orgsim", description="Sweeps and their reports.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_commands(commands)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`... | head -1`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE
    except Exception as exc:
        if os.environ.get("ORGSIM_DEBUG", "").strip() not in ("", "0"):
            raise
        message = " ".join(str(exc).split())
        print(
            f"error: {type(exc).__name__}: {message} (ORGSIM_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
