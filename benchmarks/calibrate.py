"""`orgsim calibrate` on the claims division: simulations used, wall time, and recovery.

    python -m benchmarks.calibrate                  # two keys, two known settings, 2 workers
    python -m benchmarks.calibrate --budget 200 --workers 1
    python -m benchmarks.run --only calibrate       # as `make benchmark` runs it

For each known setting of `project.problem_rate` and `timing.decision_hours.mean`, the
KPIs of 5 runs with those values (seeds the calibration never uses) are the observation,
as in examples/claims-division/observed.yaml; the calibration fits both keys with the
default budget. Printed: the load average before, the time of one run in this process,
then per setting the simulations used, the wall time, the worker processes used (one
when the load average leaves no core idle for a pool: `experiments.compare.pool_pays`),
the ideal (simulations × run time
/ workers: the simulator's share alone), and the recovery table (truth, fitted value, 90%
interval, whether the truth is inside).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

SCENARIO = Path(__file__).resolve().parents[1] / "examples" / "claims-division" / "scenario.yaml"
POLICY = "claims-stays-hierarchical"
KPIS = ("lead_time_days", "problems_raised", "decision_wait_hours", "mean_resolution_hours")
TRUTHS = (
    {"project.problem_rate": 0.045, "timing.decision_hours.mean": 3.0},
    {"project.problem_rate": 0.02, "timing.decision_hours.mean": 1.2},
)
OBSERVED_RUNS = 5


def run_seconds(scenario, repeats: int = 10) -> float:
    """Mean time of one KPI-only run in this process (after a warm-up run)."""
    from experiments.worker import kpis_of_run

    kpis_of_run(scenario, POLICY, 0)
    start = time.perf_counter()
    for seed in range(1, repeats + 1):
        kpis_of_run(scenario, POLICY, seed)
    return (time.perf_counter() - start) / repeats


def main(argv: list[str] | None = None) -> None:
    """Calibrate against each known setting and print the figures."""
    from experiments.calibration import DEFAULT_BUDGET, calibrate, fit_keys
    from experiments.observed import Observation
    from experiments.worker import kpis_of_run
    from simulator.loading import load_scenario, with_values

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    scenario = load_scenario(SCENARIO)
    one = run_seconds(scenario)
    print(f"one run of claims-division under {POLICY}: {one:.3f} s (mean of 10, in process)")
    for truth in TRUTHS:
        variant = with_values(scenario, truth)
        rows = [kpis_of_run(variant, POLICY, 900_000 + i) for i in range(OBSERVED_RUNS)]
        values = {k: float(np.mean([r[k] for r in rows])) for k in KPIS}
        observation = Observation("<benchmark>", POLICY, values, dict.fromkeys(KPIS, OBSERVED_RUNS))
        keys = fit_keys(scenario, list(truth))
        start = time.perf_counter()
        result = calibrate(
            scenario,
            observation,
            POLICY,
            keys,
            seed=args.seed,
            budget=args.budget,
            workers=args.workers,
        )
        elapsed = time.perf_counter() - start
        ideal = result.simulations * one / args.workers
        print()
        print(
            f"{result.simulations} simulations, {elapsed:.1f} s wall, {result.workers} of "
            f"{args.workers} workers used (ideal {ideal:.1f} s; load average after "
            f"{os.getloadavg()[0]:.2f})"
        )
        print(f"{'key':<28} {'truth':>7} {'fitted':>8} {'90% interval':>17} inside")
        for key in keys:
            f = result.fitted[key.key]
            inside = "yes" if f.low <= truth[key.key] <= f.high else "NO"
            print(
                f"{key.key:<28} {truth[key.key]:>7g} {f.value:>8.4g} "
                f"{f'{f.low:.4g}–{f.high:.4g}':>17} {inside}"
            )


if __name__ == "__main__":
    main()
