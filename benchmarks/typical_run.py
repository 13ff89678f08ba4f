"""The dashboard's Typical run: serial against the server's warm pool, side by side.

    .venv/bin/python -m benchmarks.typical_run [--scenario workshop] [--rounds 5]

A Typical run is 20 paired replications of the policies on Compare (three presets). The
server keeps a pool of one worker per core warm (`experiments.executors.KeptPool`, started
when Compare first opens), so a click pays no pool start. Each round times, in this
process, the computation with 1 worker and with the warm pool, alternately; the medians
and their ratio (pool / serial: the target is at most 0.6 on 2 cores) go to stdout, with
whether both gave the same result. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

POLICIES = ("hierarchical", "cooperative", "self_managed")


def main() -> None:
    """Time the typical run serially and on the warm pool, interleaved."""
    from dashboards.typical import typical_run
    from experiments.executors import cpu_count, kept_pool
    from simulator.loading import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="workshop")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    workers = cpu_count()
    kept = kept_pool(workers)
    started = time.perf_counter()
    ready = kept.wait()
    print(f"pool of {workers} workers ready: {ready} in {time.perf_counter() - started:.2f} s")
    typical_run(scenario, POLICIES, 1)  # warm this process too
    times: dict[str, list[float]] = {"serial": [], "pool": []}
    results = {}
    for round_ in range(args.rounds):
        for name in ("serial", "pool") if round_ % 2 == 0 else ("pool", "serial"):
            start = time.perf_counter()
            found = typical_run(
                scenario,
                POLICIES,
                1 + round_,
                workers=1 if name == "serial" else workers,
                pool=None if name == "serial" else kept.executor(),
            )
            times[name].append(time.perf_counter() - start)
            results.setdefault(round_, []).append(found.differences)
    serial, pooled = statistics.median(times["serial"]), statistics.median(times["pool"])
    same = all(a == b for a, b in results.values())
    print(
        f"{args.scenario}, typical run of {len(POLICIES)} policies: serial {serial:.2f} s, "
        f"warm pool {pooled:.2f} s, ratio {pooled / serial:.2f} (medians of {args.rounds}); "
        f"same results: {'yes' if same else 'NO'}; 1-min load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
