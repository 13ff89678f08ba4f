"""Events per second of OrgModel against a bare Mesa model that fires as many events.

    python -m benchmarks.events                     # product-launch, transformation-programme
    python -m benchmarks.events --rounds 5 --baseline 41b8109   # also an earlier revision

For each scenario and preset, one KPI-only run (`collect_kpis=False`, run to the end, then
the KPIs) counts the Mesa events it schedules and the absence moves it plays out between
them (`OrgModel.moves_played`: its own events, which were Mesa events before; the moves of
people with nothing to do are passed over and not counted); a bare `mesa.Model`
with one agent per person then schedules and fires the same number of events through the same API
(`Model.schedule_event`, `run_until` one working day at a time) with trivial callbacks:
each event only schedules its successor after an exponential delay drawn beforehand. The
bare model is what the event loop costs by itself; the ratio model / bare says how much
of a run's time is Mesa's and how much is the organisation's.

Every round runs in a fresh process per version (this one and, with `--baseline`, the
revision's tree extracted by `git archive`, run with this environment); the model and the
bare model alternate run by run inside it and versions alternate round by round, so a
machine busy with something else slows all contenders alike. Printed: medians over rounds
and presets, the ratio of the medians and the 1-minute load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from benchmarks.scaling import moves_played

ROUNDS = 5
SCENARIOS = ("product-launch", "transformation-programme")
TARGETS = {"product-launch": 0.4, "transformation-programme": 0.3}  # model / bare at least
ROOT = Path(__file__).resolve().parent.parent


def bare_rate(events: int, agents: int, hours: float, hours_per_day: float, seed: int) -> float:
    """Events per second of a bare Mesa model that schedules and fires `events` events
    (counted as OrgModel's are: every `Event` created, the hourly step included)."""
    import mesa
    import numpy as np
    from mesa.time.events import Event

    class Bare(mesa.Model):
        """`agents` chains of events, each event scheduling the next one in its chain."""

        def __init__(self) -> None:
            super().__init__(rng=seed)
            # Mean delay such that the events cover about as many hours as the run did.
            mean = max(hours, 1.0) * agents / max(events, 1)
            self.delays = np.random.default_rng(seed).exponential(mean, events).tolist()
            self.left = events
            for _ in range(agents):
                self.schedule_event(self.tick, at=0.0)

        def tick(self) -> None:
            self.left -= 1
            if self.left > 0:
                self.schedule_event(self.tick, after=self.delays[self.left])

    first = next(Event._ids)
    start = time.perf_counter()
    model = Bare()
    while model.left > 0:
        model.run_until(model.time + hours_per_day)
    elapsed = time.perf_counter() - start
    return (next(Event._ids) - first) / elapsed


def model_run(scenario, policy: str, seed: int) -> dict:
    """One KPI-only OrgModel run: events scheduled, seconds, people, hours simulated."""
    from mesa.time.events import Event

    from simulator.model import OrgModel

    first = next(Event._ids)
    start = time.perf_counter()
    model = OrgModel(scenario, policy, rng=seed, collect_kpis=False)
    model.run_to_end()
    model.kpis()
    elapsed = time.perf_counter() - start
    return {
        # The model's events: Mesa's, and the absence moves its own loop plays out between
        # them (each was a Mesa event before). Moves passed over, of people with nothing to
        # do, are not counted: nothing is run for them.
        "events": next(Event._ids) - first + moves_played(model),
        "seconds": elapsed,
        "people": len(model.org.people),
        "hours": model.time,
        "hours_per_day": model.hours_per_day,
    }


def child(seed: int) -> None:
    """One round in this process: every scenario and preset, model then bare; JSON lines."""
    from simulator.loading import load_scenario
    from simulator.policies import PRESETS

    for name in SCENARIOS:
        scenario = load_scenario(name)
        model_run(scenario, next(iter(PRESETS)), 0)  # warm-up: imports, caches
        for policy in PRESETS:
            run = model_run(scenario, policy, seed)
            bare = bare_rate(run["events"], run["people"], run["hours"], run["hours_per_day"], seed)
            row = {"scenario": name, "policy": policy, "model": run["events"] / run["seconds"]}
            print(json.dumps(row | {"bare": bare, "events": run["events"], **run}), flush=True)


def extract(revision: str, folder: Path) -> Path:
    """The tree of `revision` in `folder`, with this benchmark added to it."""
    from benchmarks import scaling

    root = scaling.extract(revision, folder)
    (root / "benchmarks" / "events.py").write_text(Path(__file__).read_text())
    return root


def main(argv: list[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--baseline", metavar="REVISION", help="git revision to compare with")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.child is not None:
        child(args.child)
        return
    load_before = os.getloadavg()[0]
    rows: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as folder:
        versions = {"current": ROOT}
        if args.baseline:
            versions[args.baseline] = extract(args.baseline, Path(folder))
        for round_ in range(args.rounds):
            for name, root in versions.items():
                found = subprocess.run(
                    [sys.executable, "-m", "benchmarks.events", "--child", str(1 + round_)],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                rows.setdefault(name, []).extend(
                    json.loads(line) for line in found.stdout.splitlines() if line.startswith("{")
                )
    load_after = os.getloadavg()[0]
    print(
        f"{'version':>10} {'scenario':26} {'events/run':>10} {'s/run':>6} {'model ev/s':>10} "
        f"{'bare ev/s':>10} {'model/bare':>10} {'target':>6}"
    )
    for name, found in rows.items():
        for scenario in SCENARIOS:
            mine = [r for r in found if r["scenario"] == scenario]
            model = statistics.median(r["model"] for r in mine)
            bare = statistics.median(r["bare"] for r in mine)
            print(
                f"{name[:10]:>10} {scenario:26} {statistics.median(r['events'] for r in mine):>10.0f} "
                f"{statistics.median(r['seconds'] for r in mine):>6.3f} {model:>10.0f} "
                f"{bare:>10.0f} {model / bare:>10.2f} {TARGETS[scenario]:>6.1f}"
            )
    if len(rows) > 1:
        first, other = list(rows)
        for scenario in SCENARIOS:
            now = statistics.median(r["seconds"] for r in rows[first] if r["scenario"] == scenario)
            before = statistics.median(
                r["seconds"] for r in rows[other] if r["scenario"] == scenario
            )
            print(f"{scenario}: s/run {other} / current = {before / now:.2f}")
    print(
        f"medians over {args.rounds} rounds × presets; 1-min load average "
        f"{load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
