"""`mesa.batch_run` against `orgsim sweep` on the same grid, the sweep's memory, scaling.

    python -m benchmarks.run                  # all three, as `make benchmark` runs them
    python -m benchmarks.run --only batch     # 16, 200 and 270 runs, 2 workers
    python -m benchmarks.run --only memory    # peak RSS of the coordinator, 1,000 to 20,000 runs
    python -m benchmarks.run --only batch --runs 16 --rounds 5   # one size, more rounds
    python -m benchmarks.run --only scaling   # build and run time, 2,500 to 25,000 tasks
    python -m benchmarks.run --only compare   # `orgsim compare` whole process against its ideal
    python -m benchmarks.run --only cold_run  # cold `orgsim run --json` against `import mesa` + a run
    python -m benchmarks.run --only decompose # `compare --decompose`, 512 coalitions × 10 seeds
    python -m benchmarks.run --only diagnose  # `orgsim diagnose`, 10 replications, 1 vs 2 workers
    python -m benchmarks.run --only events    # events/s against a bare Mesa model (benchmarks.events)
    python -m benchmarks.run --only calibrate # `orgsim calibrate`: simulations, wall time, recovery

The grid: product-launch under hierarchical and cooperative, seeds 1..n/2 (n = 16, 200 or
270), 2 worker processes each. Each contender is a whole process (a script calling
`mesa.batch_run`; `orgsim sweep FILE --workers 2`; `orgsim sweep FILE --workers 1`; a cold
import of the sweep's modules), timed ROUNDS times interleaved round by round; printed are
the medians, the ratio batch_run / sweep (how many times faster the sweep is), the sweep's
share of its ideal (cold import + one in-process KPI-only run × runs / 2 workers: 1.0 would
mean no overhead at all), the parallel efficiency of 2 workers ((1-worker time − import) /
(2 × (2-worker time − import))) and the 1-minute load average. Both give the same KPIs
(checked).

The memory part runs KPI-only sweeps of the small `workshop` project (30 tasks) in a fresh
process each and reports the coordinator's peak resident memory (workers are separate
processes): flat in the number of runs means the 20,000-run peak is no higher than the
1,000-run peak plus noise.

The scaling part is `benchmarks.scaling` with its defaults (see there, and for a side by
side comparison with an earlier revision).

The compare and cold_run parts are `benchmarks.commands` (see there; it also takes
`--baseline REV` to time an earlier revision in the same rounds).

The decompose part is `benchmarks.decompose` (see there): the decomposition of the gap
between the two presets that differ most, with 1 and 2 workers side by side.
The diagnose part is `benchmarks.diagnose` (see there).
The calibrate part is `benchmarks.calibrate`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

WORKERS = 2
SIZES = (16, 200, 270)
ROUNDS = 3
ROOT = Path(__file__).resolve().parent.parent
POLICIES = ("hierarchical", "cooperative")
SCENARIO = "product-launch"
MEMORY_SIZES = (1_000, 5_000, 20_000)


def single_run_seconds(repeats: int = 9) -> float:
    """Median time of one KPI-only run in this process (after a warm-up run)."""
    from experiments.worker import kpis_of_run
    from simulator.loading import load_scenario

    scenario = load_scenario(SCENARIO)
    kpis_of_run(scenario, POLICIES[0], 0)
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        kpis_of_run(scenario, POLICIES[i % 2], 1 + i // 2)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# A whole process running `mesa.batch_run` on the grid.
# argv: runs, output JSON file, scenario, policies (comma-separated), processes.
BATCH_RUN = """
import json, sys, warnings
warnings.simplefilter("ignore")
from mesa import batch_run
from simulator.loading import load_scenario
from simulator.model import OrgModel
runs, out = int(sys.argv[1]), sys.argv[2]
seeds = list(range(1, runs // 2 + 1))
results = batch_run(
    OrgModel,
    parameters={"scenario": [load_scenario(sys.argv[3])], "policy": sys.argv[4].split(",")},
    number_processes=int(sys.argv[5]),
    data_collection_period=-1,
    max_steps=10**7,  # the model stops itself (finished or horizon)
    display_progress=False,
    rng=seeds,
)
lead = [[r["policy"], seeds[r["iteration"]], r["lead_time_days"]] for r in results]
open(out, "w").write(json.dumps(lead))
"""


def batch_argv(runs: int, out: Path) -> list[str]:
    """The `mesa.batch_run` process of the grid of `runs` runs, writing lead times to `out`."""
    return [
        sys.executable,
        "-c",
        BATCH_RUN,
        str(runs),
        str(out),
        SCENARIO,
        ",".join(POLICIES),
        str(WORKERS),
    ]


def experiment_file(folder: Path, runs: int) -> Path:
    """The sweep of the grid (n/2 seeds from 1, both policies) as an experiment file."""
    path = folder / f"grid-{runs}.yaml"
    path.write_text(
        f"name: grid-{runs}\nscenario: {SCENARIO}\npolicies: [{', '.join(POLICIES)}]\n"
        f"replications: {runs // 2}\nseed: 1\n"
    )
    return path


def batch_lead(path: Path) -> dict[tuple[str, int], float]:
    """Lead time by (policy, seed) written by the batch_run process."""
    return {(p, int(s)): v for p, s, v in json.loads(path.read_text())}


def sweep_lead(folder: Path) -> dict[tuple[str, int], float]:
    """Lead time by (policy, seed) of a sweep's results folder."""
    from experiments.store import read_runs

    table = read_runs(folder)
    return {
        (p, int(s)): v
        for p, s, v in zip(table["policy"], table["seed"], table["lead_time_days"], strict=True)
    }


def batch_comparison(rounds: int = ROUNDS, sizes: tuple[int, ...] = SIZES) -> None:
    """Print the batch_run / sweep table: whole processes, interleaved round by round."""
    from benchmarks.commands import orgsim, python, timed

    one = single_run_seconds()
    load_before = os.getloadavg()[0]
    print(f"one KPI-only run of {SCENARIO} in process: {one:.3f} s (median of 9)")
    print(
        f"{'runs':>5} {'batch_run s':>11} {'sweep s':>8} {'sweep -w1 s':>11} {'import s':>8} "
        f"{'batch/sweep':>11} {'ideal/sweep':>11} {'efficiency':>10} same"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for runs in sizes:
            experiment = str(experiment_file(folder, runs))
            out, lead = folder / f"sweep-{runs}", folder / f"batch-{runs}.json"
            serial = folder / f"serial-{runs}"
            sweep = orgsim(ROOT, "sweep", experiment, "--workers", str(WORKERS), "--out", str(out))
            sweep_1 = orgsim(ROOT, "sweep", experiment, "--workers", "1", "--out", str(serial))
            commands = {
                "import": python("import cli.main, experiments.sweep, simulator.model"),
                "batch_run": (batch_argv(runs, lead), ROOT),
                "sweep": sweep,
                "sweep -w1": sweep_1,
            }
            outputs = {"sweep": out, "sweep -w1": serial}
            found = timed(
                commands,
                rounds,
                before=lambda name, o=outputs: shutil.rmtree(o[name], True) if name in o else None,
            )
            ideal = found["import"] + one * runs / WORKERS
            # Parallel efficiency: the run time (less the import) with 1 worker over
            # WORKERS × the run time with WORKERS workers.
            efficiency = (found["sweep -w1"] - found["import"]) / (
                WORKERS * (found["sweep"] - found["import"])
            )
            batch, swept = batch_lead(lead), sweep_lead(out)
            same = batch.keys() == swept.keys() and all(
                abs(batch[k] - swept[k]) < 1e-9 for k in batch
            )
            print(
                f"{runs:>5} {found['batch_run']:>11.2f} {found['sweep']:>8.2f} "
                f"{found['sweep -w1']:>11.2f} {found['import']:>8.2f} "
                f"{found['batch_run'] / found['sweep']:>11.2f} {ideal / found['sweep']:>11.2f} "
                f"{efficiency:>10.2f} {'yes' if same else 'NO'}",
                flush=True,
            )
    print(
        f"medians of {rounds} rounds; batch/sweep: how many times faster the sweep is; "
        f"ideal = cold import + one run × runs / {WORKERS} workers;"
    )
    print(
        f"1-min load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"on {os.cpu_count()} cores"
    )


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


def memory(sizes: tuple[int, ...] = MEMORY_SIZES) -> None:
    """Print the coordinator's peak RSS for each size (a fresh process each)."""
    print(f"coordinator peak RSS, KPI-only sweeps of workshop (30 tasks), {WORKERS} workers:")
    for runs in sizes:
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
        "--only",
        choices=(
            "batch",
            "memory",
            "scaling",
            "compare",
            "cold_run",
            "decompose",
            "diagnose",
            "events",
            "calibrate",
        ),
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of the batch part")
    parser.add_argument(
        "--runs",
        type=int,
        action="append",
        help="sizes of the batch or memory part (repeatable; default: 16 200 270 / 1000 5000 20000)",
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.only in (None, "batch"):
        batch_comparison(args.rounds, tuple(args.runs or SIZES))
    if args.only in (None, "memory"):
        memory(tuple(args.runs or MEMORY_SIZES))
    if args.only in (None, "scaling"):
        from benchmarks import scaling

        scaling.main([])
    if args.only in (None, "events"):
        from benchmarks import events

        events.main([])
    if args.only in (None, "compare", "cold_run"):
        from benchmarks import commands

        commands.main(["--only", args.only] if args.only else [])
    if args.only in (None, "decompose"):
        from benchmarks import decompose

        decompose.main([])
    if args.only in (None, "diagnose"):
        from benchmarks import diagnose

        diagnose.main([])
    if args.only in (None, "calibrate"):
        from benchmarks import calibrate

        calibrate.main([])


if __name__ == "__main__":
    main()
