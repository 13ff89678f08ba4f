"""Run every cell of an experiment under every policy, with replications whose seeds are
shared by all policies (paired). Results go to DIR/runs/*.parquet (read them with
pandas.read_parquet('DIR/runs')); a sweep that was stopped completes with --resume.

    orgsim sweep FILE [--workers N | --scheduler ADDRESS] [--out DIR] [--resume
                 [--retry-failed]] [--dry-run] [--part-rows N]

The sweep itself is experiments.sweep; --dry-run describes it instead (cli.dry_run). Bad
input (the file, the flags, an output folder holding something else) exits 2 before
anything runs or is written. Runs that fail are recorded with status `error` and the sweep
goes on; it then exits 1, as it does when its executor stops; `--resume --retry-failed`
runs them again. Ctrl+C or SIGTERM stop it after the chunks in flight, every finished run
saved (exit 130): `--resume` completes it. `--resume` on a folder whose experiment now asks
for more replications or samples extends it (experiments.extension).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli import exit_codes
from cli.dry_run import duration, print_plan, shape
from cli.errors import CommandLineError, error, inert_settings

if TYPE_CHECKING:
    from experiments.plan import Plan
    from experiments.sweep import Outcome

FAILURES_SHOWN = 3

HELP = "run an experiment file: a design of cells × policies × replications"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `orgsim sweep`."""
    parser.add_argument("file", metavar="FILE", help="an experiment file (YAML)")
    where = parser.add_mutually_exclusive_group()
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
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="results folder (default: results/NAME)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="complete the sweep in --out: run only missing runs"
    )
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --resume: run again the runs recorded as errors (kept otherwise)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the cells, the number of runs and an estimated time; run nothing",
    )
    parser.add_argument(
        "--part-rows",
        type=int,
        default=None,
        metavar="N",
        help="runs per Parquet part (default 1000; a part is also written every 30 s)",
    )


def command(args: argparse.Namespace) -> int:
    """Check, then run (or describe with --dry-run) an experiment."""
    for option, value in (("--workers", args.workers), ("--part-rows", args.part_rows)):
        if value is not None and value < 1:
            raise CommandLineError(f"{option}: must be at least 1 (got {value})")
    if args.retry_failed and not args.resume:
        raise CommandLineError(
            "--retry-failed: only with --resume (it reruns a folder's failed runs)"
        )
    from experiments.executors import ExecutorError, open_workers
    from experiments.store import FolderBusy, count_done
    from experiments.sweep import PART_ROWS, execute, prepare

    # A dry run only describes: an existing folder of this experiment is shown as such.
    plan, folder, manifest = prepare(args.file, args.out, args.resume or args.dry_run)
    _warn_inert(plan)
    if args.dry_run:
        print_plan(plan, folder, manifest, args.workers, args.scheduler)
        return exit_codes.OK
    if (
        manifest is not None
        and not args.retry_failed
        and manifest.get("run_count") == plan.run_count
        and count_done(folder) >= plan.run_count
    ):
        # Nothing left to run: no need to start workers or reach a cluster.
        args.workers, args.scheduler = 1, None
    try:
        with (
            _terminate_as_interrupt(),
            open_workers(args.workers, args.scheduler, on_demand=True) as workers,
        ):
            if sys.stderr.isatty():
                print(
                    f"{plan.experiment.name}: {plan.run_count} runs on {workers.description} "
                    f"-> {folder}",
                    file=sys.stderr,
                )
            outcome = execute(
                plan,
                folder,
                workers,
                manifest,
                part_rows=args.part_rows or PART_ROWS,
                retry_failed=args.retry_failed,
            )
    except (ExecutorError, FolderBusy) as exc:
        error(str(exc))
        return exit_codes.FAILED
    except KeyboardInterrupt:
        _interrupted(args.file, folder)
        return exit_codes.INTERRUPTED
    if outcome.interrupted:
        _interrupted(args.file, folder, outcome)
        return exit_codes.INTERRUPTED
    return print_outcome(plan, outcome, args.file)


def _interrupted(file: str, folder: Path, outcome: Outcome | None = None) -> None:
    saved = (
        f"{outcome.done} of {outcome.total} runs are saved in {folder}"
        if outcome is not None
        else f"the runs done are saved in {folder}"
    )
    why = outcome.interrupted if outcome is not None and outcome.interrupted else "interrupted"
    if outcome is not None and outcome.stopped:
        why += f" (and the executor stopped: {outcome.stopped})"
    error(f"{why}: {saved}: orgsim sweep {file} --out {folder} --resume completes the sweep")


def print_outcome(plan: Plan, outcome: Outcome, file: str) -> int:
    """The closing lines of a sweep (stdout), failures on stderr; returns the exit code."""
    from experiments.runs_table import FINISHED, ID_COLUMNS, LEAD_TIME
    from experiments.store import read_runs
    from experiments.summaries import headline

    rate = outcome.ran / outcome.elapsed_s if outcome.elapsed_s > 0 else 0.0
    resumed = f", {outcome.done_before} done before" if outcome.done_before else ""
    if outcome.extended:
        resumed += f" (extended: {outcome.extended})"
    if outcome.retried:
        resumed += f", {outcome.retried} failed runs run again"
    ran = (
        f"ran {outcome.ran} in {duration(outcome.elapsed_s)} ({rate:.1f} runs/s, {outcome.workers})"
        if outcome.ran
        else "nothing left to run"
    )
    print(
        f"{plan.experiment.name}: {outcome.done} of {outcome.total} runs ({shape(plan)}){resumed}; {ran}"
    )
    print(f"results: {outcome.folder}  (pandas.read_parquet('{outcome.folder / 'runs'}'))")
    if outcome.done:
        # The headline needs only these: reading every KPI of a large sweep would be slow.
        columns = [*(name for name, _ in ID_COLUMNS), "status", LEAD_TIME, FINISHED]
        print(headline(read_runs(outcome.folder, columns=columns)))
    print(f"report: orgsim report {outcome.folder}")
    failed = outcome.failed + outcome.failed_before
    code = exit_codes.OK
    if failed:
        shown = outcome.failures[:FAILURES_SHOWN]
        first = "; ".join(f"run {run_id}: {message}" for run_id, message in shown)
        error(
            f"{failed} of {outcome.done} runs failed; they are recorded with status "
            f"'error' and their message"
            + (f" (first: {first})" if first else "")
            + "; --resume --retry-failed runs them again"
        )
        code = exit_codes.FAILED
    if outcome.stopped:
        error(
            f"the sweep stopped ({outcome.stopped}); {outcome.done} of {outcome.total} "
            f"runs are saved: orgsim sweep {file} --out {outcome.folder} --resume completes it"
        )
        code = exit_codes.FAILED
    return code


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a batch system stopping the job) stops like Ctrl+C: the results so far are
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


WARNED_CELLS = 64  # cells looked at for settings that cannot act (the first ones)


def _warn_inert(plan) -> None:
    """Warn once about each setting the sweep chose that cannot act in its cells."""
    import contextlib
    import io

    lines: dict[str, None] = {}
    for cell_id in range(min(plan.cell_count, WARNED_CELLS)):
        scenario, policies = plan.cell_setup(cell_id)
        buffer = io.StringIO()
        with contextlib.redirect_stderr(buffer):
            inert_settings(scenario, policies, chosen_only=True)
        for line in buffer.getvalue().splitlines():
            lines[line] = None
    for line in lines:
        print(line, file=sys.stderr)
