"""`orgsim diagnose` on product-launch: simulations run and wall time, 1 worker against 2.

    python -m benchmarks.diagnose                    # 10 replications, 8 remedies, rounds: 1
    python -m benchmarks.diagnose --rounds 3
    python -m benchmarks.run --only diagnose         # as `make benchmark` runs it

Each measurement is the whole command in a fresh process (`python -m cli diagnose
product-launch --replications 10 --remedies 8 --json --workers N`), imports and the
process pool's start included, the two worker counts alternating round by round so that
both see the same machine load. Printed: the number of simulations (replications × (1 +
remedies tried)), the median wall time of each worker count, their ratio, whether both
printed the same JSON (they must), and the 1-minute load average before and after (the
machine is shared: read the times with it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "product-launch"
REPLICATIONS = 10
REMEDIES = 8
WORKER_COUNTS = (1, 2)


def one(workers: int) -> tuple[float, dict]:
    """Wall time and JSON of one `orgsim diagnose` in a fresh process."""
    command = [
        sys.executable,
        "-m",
        "cli",
        "diagnose",
        SCENARIO,
        "--replications",
        str(REPLICATIONS),
        "--remedies",
        str(REMEDIES),
        "--json",
        "--workers",
        str(workers),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, json.loads(done.stdout)


def main(argv: list[str] | None = None) -> None:
    """Measure and print (see the module doc)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    times: dict[int, list[float]] = {w: [] for w in WORKER_COUNTS}
    outputs: dict[int, dict] = {}
    for _ in range(args.rounds):
        for workers in WORKER_COUNTS:
            seconds, data = one(workers)
            times[workers].append(seconds)
            outputs[workers] = data
    load_after = os.getloadavg()[0]
    data = outputs[WORKER_COUNTS[0]]
    simulations = REPLICATIONS * (1 + len(data["remedies"]))
    same = all(outputs[w] == data for w in WORKER_COUNTS)
    print(
        f"orgsim diagnose {SCENARIO}: {REPLICATIONS} replications, "
        f"{len(data['remedies'])} remedies = {simulations} simulations "
        f"(median of {args.rounds} round{'s' if args.rounds > 1 else ''}; whole process)"
    )
    medians = {w: statistics.median(times[w]) for w in WORKER_COUNTS}
    for workers in WORKER_COUNTS:
        print(
            f"  workers {workers}: {medians[workers]:6.2f} s "
            f"({simulations / medians[workers]:.1f} simulations/s)"
        )
    first, last = WORKER_COUNTS[0], WORKER_COUNTS[-1]
    print(f"  workers {first} / workers {last}: {medians[first] / medians[last]:.2f}×")
    print(f"  same JSON whatever the workers: {same}")
    print(f"  load average (1 min): {load_before:.2f} before, {load_after:.2f} after")


if __name__ == "__main__":
    main()
