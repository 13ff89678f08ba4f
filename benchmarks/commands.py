"""Whole-process times of `orgsim compare` and of a cold `orgsim run`, against their ideals.

    python -m benchmarks.commands                      # both, as `make benchmark` runs them
    python -m benchmarks.commands --only compare
    python -m benchmarks.commands --only cold_run
    python -m benchmarks.commands --baseline e5b8a3f   # also time that revision's commands

Every command is a fresh process, timed ROUNDS times with the commands interleaved round by
round (side by side: a machine busy with something else slows all of them alike); the
figures are medians.

compare: `orgsim compare product-launch --json` (60 runs: 3 policies × 20 replications)
with `--workers 1` (serially, in this process) and with the default (one worker per core),
against its ideal = cold import + 60 × the median in-process run / cores, where the cold
import is a fresh `python -c "import cli.main, simulator.model, experiments.compare"`.
It also prints the start of the default process pool (open it, get a result back from each
worker), the figure `experiments.compare.POOL_START_S` comes from.

cold_run: `orgsim run product-launch --json` against cold `python -c "import mesa"` + the
median in-process run.

With `--baseline REV`, the same commands of revision REV (extracted with `git archive` to a
temporary folder, run with this environment) are timed in the same rounds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

ROUNDS = 5
SCENARIO = "product-launch"
POLICIES = ("hierarchical", "cooperative", "self_managed")
REPLICATIONS = 20
ROOT = Path(__file__).resolve().parent.parent


def in_process_run_seconds(repeats: int = 9) -> float:
    """Median time of one product-launch run (KPIs only) in this process, after a warm-up."""
    from experiments.worker import kpis_of_run
    from simulator.loading import load_scenario

    scenario = load_scenario(SCENARIO)
    kpis_of_run(scenario, POLICIES[0], 0)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        kpis_of_run(scenario, POLICIES[i % len(POLICIES)], 1 + i // len(POLICIES))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


POOL_START = """
import os, sys, time
from experiments.executors import open_workers
start = time.perf_counter()
with open_workers(int(sys.argv[1])) as opened:
    pids = {f.result() for f in [opened.executor.submit(os.getpid) for _ in range(int(sys.argv[1]))]}
    print(time.perf_counter() - start)
"""


def pool_start_seconds(workers: int, repeats: int = 3) -> float:
    """Median time to open the default process pool and get a result back from its workers,
    each time in a fresh process (a process keeps its forkserver: later pools start fast)."""
    times = []
    for _ in range(repeats):
        found = subprocess.run(
            [sys.executable, "-c", POOL_START, str(workers)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(float(found.stdout.split()[-1]))
    return statistics.median(times)


def timed(
    commands: dict[str, tuple[Sequence[str], Path]],
    rounds: int,
    before: Callable[[str], object] | None = None,
) -> dict[str, float]:
    """Median wall time of each command (run in its folder), interleaved round by round;
    `before(name)` is called (untimed) before each command, e.g. to remove its output."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (argv, folder) in commands.items():
            if before is not None:
                before(name)
            start = time.perf_counter()
            subprocess.run(argv, cwd=folder, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def orgsim(folder: Path, *args: str) -> tuple[list[str], Path]:
    """`orgsim ARGS` of the code in `folder`, with this environment's Python."""
    return [sys.executable, "-m", "cli", *args], folder


def python(code: str) -> tuple[list[str], Path]:
    """A fresh `python -c CODE` in the project's folder."""
    return [sys.executable, "-c", code], ROOT


def baseline_folder(revision: str, into: Path) -> Path:
    """The files of `revision`, extracted to `into`."""
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def compare(baseline: Path | None, rounds: int) -> None:
    """Print the compare table."""
    from experiments.executors import cpu_count

    cores = cpu_count()
    run_s = in_process_run_seconds()
    pool_s = pool_start_seconds(cores)
    args = (SCENARIO, "--json")
    commands = {
        "cold import": python("import cli.main, simulator.model, experiments.compare"),
        "compare --workers 1": orgsim(ROOT, "compare", *args, "--workers", "1"),
        "compare (default)": orgsim(ROOT, "compare", *args),
    }
    if baseline is not None:
        commands["compare, baseline"] = orgsim(baseline, "compare", *args)
    found = timed(commands, rounds)
    runs = len(POLICIES) * REPLICATIONS
    ideal = found["cold import"] + runs * run_s / cores
    print(f"orgsim compare {SCENARIO}: {runs} runs, {cores} cores, medians of {rounds} rounds")
    print(f"  one run in process: {run_s:.3f} s; process pool start: {pool_s:.2f} s")
    print(f"  cold import: {found['cold import']:.2f} s; ideal: {ideal:.2f} s")
    for name, seconds in found.items():
        if name != "cold import":
            print(f"  {name:<22} {seconds:6.2f} s  {seconds / ideal:5.2f} × ideal")


def cold_run(baseline: Path | None, rounds: int) -> None:
    """Print the cold run table."""
    run_s = in_process_run_seconds()
    commands = {
        "import mesa": python("import mesa"),
        "run --json": orgsim(ROOT, "run", SCENARIO, "--json"),
    }
    if baseline is not None:
        commands["run --json, baseline"] = orgsim(baseline, "run", SCENARIO, "--json")
    found = timed(commands, rounds)
    ideal = found["import mesa"] + run_s
    print(f"orgsim run {SCENARIO} --json, cold: medians of {rounds} rounds")
    print(
        f"  import mesa: {found['import mesa']:.2f} s; one run in process: {run_s:.3f} s; "
        f"ideal: {ideal:.2f} s"
    )
    for name, seconds in found.items():
        if name != "import mesa":
            print(f"  {name:<22} {seconds:6.2f} s  {seconds / ideal:5.2f} × ideal")


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmarks named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("compare", "cold_run"))
    parser.add_argument("--baseline", metavar="REV", help="also time this revision")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as folder:
        baseline = baseline_folder(args.baseline, Path(folder)) if args.baseline else None
        if args.only in (None, "compare"):
            compare(baseline, args.rounds)
        if args.only in (None, "cold_run"):
            cold_run(baseline, args.rounds)


if __name__ == "__main__":
    main()
