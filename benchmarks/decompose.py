"""`orgsim compare --decompose` on the two presets that differ in the most mechanisms.

    python -m benchmarks.decompose                    # product-launch, 10 replications
    python -m benchmarks.decompose --replications 3   # quicker
    python -m benchmarks.run --only decompose         # the same, from the benchmark runner

The pair is found from `simulator.policies.PRESETS` (the first pair with the most
differing mechanisms, counted run-wide and in every department of the scenario). The
decomposition (`experiments.decomposition.decompose`, what `--decompose` runs after the
comparison) is timed in this process with `--workers 1`, then with 2 workers under the
shipped rule (a pool only when `experiments.compare.pool_pays` says it pays, which counts
the cores left idle by the load average), then with 2 workers and a pool forced (every core
taken as idle). Printed side by side: simulations, wall time, runs per second, the load
average before and after, whether the rule chose a pool, and whether the three gave the
same numbers (they must: the seeds do not depend on where a run executes).
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from itertools import combinations

SCENARIO = "product-launch"
REPLICATIONS = 10
SEED = 1
WORKERS = 2


def widest_pair(scenario) -> tuple[str, str, list[str]]:
    """The pair of presets that differ in the most mechanisms, and those mechanisms."""
    from experiments.decomposition import differing_mechanisms
    from simulator.policies import PRESETS

    pairs = [
        (a, b, differing_mechanisms(scenario, PRESETS[a], PRESETS[b]))
        for a, b in combinations(PRESETS, 2)
    ]
    return max(pairs, key=lambda pair: len(pair[2]))


def timed(scenario, start: str, end: str, replications: int, workers: int, force_pool: bool):
    """(decomposition, wall seconds, load before, load after, pool chosen by the rule)."""
    import experiments.compare as compare_module
    from experiments.decomposition import decompose

    shipped, sharing = compare_module.free_cores, compare_module.share_with_pool
    pooled = []

    def share_with_pool(*args, **kwargs):
        pooled.append(True)
        return sharing(*args, **kwargs)

    compare_module.share_with_pool = share_with_pool
    if force_pool:
        from experiments.executors import cpu_count

        compare_module.free_cores = lambda: float(cpu_count())
    try:
        before = os.getloadavg()[0]
        begin = time.perf_counter()
        found = decompose(scenario, start, end, replications, SEED, workers=workers)
        elapsed = time.perf_counter() - begin
        after = os.getloadavg()[0]
    finally:
        compare_module.free_cores, compare_module.share_with_pool = shipped, sharing
    chosen = bool(pooled)
    return found, elapsed, before, after, chosen


def main(argv: list[str] | None = None) -> None:
    """Print the side-by-side table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=REPLICATIONS)
    parser.add_argument("--scenario", default=SCENARIO)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    from simulator.loading import load_scenario

    scenario = load_scenario(args.scenario)
    start, end, mechanisms = widest_pair(scenario)
    print(
        f"{args.scenario}: {start} → {end} differ in {len(mechanisms)} mechanisms "
        f"({', '.join(mechanisms)}): {2 ** len(mechanisms)} coalitions × "
        f"{args.replications} replications"
    )
    print(
        f"{'setting':<28} {'runs':>6} {'wall s':>8} {'runs/s':>7} {'load before':>11} "
        f"{'load after':>10} pool"
    )
    results = []
    for label, workers, force in (
        ("workers=1", 1, False),
        (f"workers={WORKERS} (shipped rule)", WORKERS, False),
        (f"workers={WORKERS} (pool forced)", WORKERS, True),
    ):
        found, elapsed, before, after, pool = timed(
            scenario, start, end, args.replications, workers, force
        )
        results.append(found)
        print(
            f"{label:<28} {found.runs:>6} {elapsed:>8.1f} {found.runs / elapsed:>7.1f} "
            f"{before:>11.2f} {after:>10.2f} {'yes' if pool else 'no'}"
        )
    same = all(r == results[0] for r in results)
    print(f"same numbers whatever the workers: {'yes' if same else 'NO'}")
    total = results[0].total()
    print(
        f"total gap {total.mean:+.2f} working days (95% CI {total.ci_low:+.2f} to {total.ci_high:+.2f})"
    )
    print(f"cores: {os.cpu_count()}; load average (1, 5, 15 min) now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
