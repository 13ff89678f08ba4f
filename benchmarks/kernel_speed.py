"""Kernel speed: wall time of one run of each built-in scenario, and events per second.

    python -m benchmarks.kernel_speed [--repeats 5]

Imports and scenario loading are excluded; each (scenario, policy) is run `repeats` times
with different seeds and the median is reported. Events are Mesa events scheduled during
the run (task work segments, in-tray items, meetings, hourly steps).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

from mesa.time.events import Event

from simulator.loading import builtin_names, load_scenario
from simulator.model import OrgModel
from simulator.policies import PRESETS


def measure(name: str, policy: str, repeats: int) -> tuple[float, float, int]:
    """Median seconds per run, median events per second, and people in the scenario."""
    scenario = load_scenario(name)
    seconds, rates = [], []
    people = 0
    for seed in range(repeats):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first = next(Event._ids)
            started = time.perf_counter()
            model = OrgModel(scenario, policy, rng=seed)
            model.run_to_end()
            model.kpis()
            elapsed = time.perf_counter() - started
            events = next(Event._ids) - first
        seconds.append(elapsed)
        rates.append(events / elapsed)
        people = len(model.org.people)
    return statistics.median(seconds), statistics.median(rates), people


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'scenario':26} {'people':>6} {'policy':13} {'median s/run':>12} {'events/s':>10}")
    for name in builtin_names():
        for policy in PRESETS:
            seconds, rate, people = measure(name, policy, args.repeats)
            print(f"{name:26} {people:6d} {policy:13} {seconds:12.3f} {rate:10.0f}", flush=True)


if __name__ == "__main__":
    main()
