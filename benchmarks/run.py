"""`mesa.batch_run` against `orgsim sweep` on the same grid, the sweep's memory, scaling.

    python -m benchmarks.run                  # all three, as `make benchmark` runs them
    python -m benchmarks.run --only batch     # 16 and 200 runs, 2 workers
    python -m benchmarks.run --only memory    # peak RSS of the coordinator, 1,000 and 5,000 runs
    python -m benchmarks.run --only scaling   # build and run time, 2,500 to 25,000 tasks
    python -m benchmarks.run --only compare   # `orgsim compare` whole process against its ideal
    python -m benchmarks.run --only cold_run  # cold `orgsim run --json` against `import mesa` + a run
    python -m benchmarks.run --only calibrate # `orgsim calibrate`: simulations, wall time, recovery

The grid: product-launch under hierarchical and cooperative, seeds 1..n/2 (n = 16 or 200),
KPIs only, 2 worker processes each. Printed per size: wall time and runs per second of
each, their ratio, and each one's ratio to the ideal (single-run time × runs / workers:
1.0 would mean no overhead at all). Both give the same KPIs (checked).

The memory part runs KPI-only sweeps of the small `workshop` project (30 tasks) in a fresh
process each and reports the coordinator's peak resident memory (workers are separate
processes): flat in the number of runs means the 5,000-run peak is no higher than the
1,000-run peak plus noise.

The scaling part is `benchmarks.scaling` with its defaults (see there, and for a side by
side comparison with an earlier revision).

The compare and cold_run parts are `benchmarks.commands` (see there; it also takes
`--baseline REV` to time an earlier revision in the same rounds). The calibrate part is
`benchmarks.calibrate`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

WORKERS = 2
SIZES = (16, 200)
POLICIES = ("hierarchical", "cooperative")
SCENARIO = "product-launch"
MEMORY_SIZES = (1_000, 5_000)


def single_run_seconds(repeats: int = 6) -> float:
    """Mean time of one run in this process (after a warm-up run)."""
    from simulator.loading import load_scenario
    from simulator.run import run_one

    scenario = load_scenario(SCENARIO)
    run_one(scenario, POLICIES[0], 0)
    start = time.perf_counter()
    for i in range(repeats):
        run_one(scenario, POLICIES[i % 2], 1 + i // 2)
    return (time.perf_counter() - start) / repeats


def with_batch_run(runs: int) -> tuple[float, dict[tuple[str, int], float]]:
    """Wall time of `mesa.batch_run` on the grid, and the lead time of each run."""
    from mesa import batch_run

    from simulator.loading import load_scenario
    from simulator.model import OrgModel

    scenario = load_scenario(SCENARIO)
    seeds = list(range(1, runs // 2 + 1))
    start = time.perf_counter()
    results = batch_run(
        OrgModel,
        parameters={"scenario": [scenario], "policy": list(POLICIES)},
        number_processes=WORKERS,
        data_collection_period=-1,
        max_steps=10**7,  # the model stops itself (finished or horizon)
        display_progress=False,
        rng=seeds,
    )
    elapsed = time.perf_counter() - start
    lead = {(r["policy"], seeds[r["iteration"]]): r["lead_time_days"] for r in results}
    return elapsed, lead


def with_sweep(runs: int) -> tuple[float, dict[tuple[str, int], float]]:
    """Wall time of `orgsim sweep` (the Python API, a fresh folder) on the same grid."""
    from experiments.sweep import run_sweep

    experiment = {
        "name": f"benchmark-{runs}",
        "scenario": SCENARIO,
        "policies": list(POLICIES),
        "replications": runs // 2,
        "seed": 1,
    }
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        table = run_sweep(experiment, Path(folder) / "results", workers=WORKERS)
        elapsed = time.perf_counter() - start
    lead = {
        (p, int(s)): v
        for p, s, v in zip(table["policy"], table["seed"], table["lead_time_days"], strict=True)
    }
    return elapsed, lead


def batch_comparison() -> None:
    """Print the batch_run / sweep table."""
    one = single_run_seconds()
    print(f"single run of {SCENARIO}: {one:.3f} s (mean of 6, in process)")
    print(
        f"{'runs':>5} {'batch_run s':>11} {'runs/s':>7} {'sweep s':>8} {'runs/s':>7} "
        f"{'sweep/batch':>11} {'batch/ideal':>11} {'sweep/ideal':>11} same"
    )
    for runs in SIZES:
        batch_s, batch_lead = with_batch_run(runs)
        sweep_s, sweep_lead = with_sweep(runs)
        ideal = one * runs / WORKERS
        same = batch_lead.keys() == sweep_lead.keys() and all(
            abs(batch_lead[k] - sweep_lead[k]) < 1e-9 for k in batch_lead
        )
        print(
            f"{runs:>5} {batch_s:>11.2f} {runs / batch_s:>7.1f} {sweep_s:>8.2f} "
            f"{runs / sweep_s:>7.1f} {batch_s / sweep_s:>11.2f} {ideal / batch_s:>11.2f} "
            f"{ideal / sweep_s:>11.2f} {'yes' if same else 'NO'}"
        )
    print("sweep/batch: how many times faster the sweep is; x/ideal: share of the ideal speed")
    print(f"(ideal = single-run time × runs / {WORKERS} workers).")


def memory_child(runs: int) -> None:
    """In a fresh process: run a KPI-only sweep and print the coordinator's peak RSS."""
    from experiments.executors import open_workers
    from experiments.sweep import execute, prepare

    experiment = {
        "name": f"memory-{runs}",
        "scenario": "workshop",
        "policies": list(POLICIES),
        "replications": runs // 2,
        "seed": 1,
        "parameters": {"project.tasks": 30},
    }
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        plan, target, manifest = prepare(experiment, Path(folder) / "results")
        with open_workers(WORKERS) as workers:
            outcome = execute(plan, target, workers, manifest, show_progress=False)
        elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"runs": outcome.done, "seconds": elapsed, "peak_rss_mib": peak_kib / 1024}))


def memory() -> None:
    """Print the coordinator's peak RSS for each size (a fresh process each)."""
    print(f"coordinator peak RSS, KPI-only sweeps of workshop (30 tasks), {WORKERS} workers:")
    for runs in MEMORY_SIZES:
        found = subprocess.run(
            [sys.executable, "-m", "benchmarks.run", "--memory-child", str(runs)],
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(found.stdout.strip().splitlines()[-1])
        print(
            f"{data['runs']:>6} runs: peak RSS {data['peak_rss_mib']:.0f} MiB "
            f"({data['seconds']:.0f} s, {data['runs'] / data['seconds']:.0f} runs/s)"
        )


def main() -> None:
    """Run the benchmarks named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", choices=("batch", "memory", "scaling", "compare", "cold_run", "calibrate")
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.only in (None, "batch"):
        batch_comparison()
    if args.only in (None, "memory"):
        memory()
    if args.only in (None, "scaling"):
        from benchmarks import scaling

        scaling.main([])
    if args.only in (None, "compare", "cold_run"):
        from benchmarks import commands

        commands.main(["--only", args.only] if args.only else [])
    if args.only in (None, "calibrate"):
        from benchmarks import calibrate

        calibrate.main([])


if __name__ == "__main__":
    main()
