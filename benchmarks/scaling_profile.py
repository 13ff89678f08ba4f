"""Where a larger run's time per event goes: the run alone sampled by perf, by C function.

    python -m benchmarks.scaling_profile                          # 2,500 and 10,000 tasks, 3 seeds
    python -m benchmarks.scaling_profile --repeats 5 --top 20
    python -m benchmarks.scaling_profile --sizes 2500 25000 --policy hierarchical

`benchmarks.scaling` shows the time per event growing with the organisation while the
instructions per event do not. This samples where that time goes, below Python: each
size's run (the build is left out: perf starts sampling when the model is built and stops
when the run ends) under `perf record` on the software clock in user space
(`cpu-clock:u`, which needs no hardware counters, so it works on virtual machines that
have none; the kernel's part, small, is in `benchmarks.scaling`), in a fresh process per
seed and size, sizes alternated seed by seed. The scenario is `benchmarks.scaling`'s:
transformation-programme grown to each size.

Printed: each size's events, samples and µs per event (samples ÷ events ÷ the sampling
frequency), and the model's agenda: its heap of bookings (the cancelled ones among them
until they are dropped, once a day), a mean over working hours. Then the C functions whose
time per event changed most between the smallest and the largest size (Python code itself
runs in `_PyEval_EvalFrameDefault`), each with its µs per event at both sizes, the change,
and ± twice its standard error (samples are counted: Poisson). A change within its ± is
noise. Needs `perf` (Debian: linux-perf) and a `kernel.perf_event_paranoid` of 2 or less.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FREQUENCY = 999  # samples per second of CPU time
# One line of `perf report --stdio -n --sort sym`: share, samples, [.] or [k], symbol.
REPORT_LINE = re.compile(r"^\s*[\d.]+%\s+(\d+)\s+\[[.k]\]\s+(.+?)\s*$")


def child(tasks: int, seed: int, policy: str) -> None:
    """In a fresh process under perf: build one model, have perf sample its run alone,
    print the events run and the agenda's heap at each working hour as JSON."""
    warnings.simplefilter("ignore")
    from mesa.time.events import Event

    from benchmarks.scaling import BASE, events_run, overrides
    from simulator.loading import load_scenario
    from simulator.model import OrgModel

    scenario = load_scenario(BASE, overrides(tasks))
    first_event = next(Event._ids)
    # The agenda's heap at each working hour (Mesa's hourly step): a length read, next to
    # nothing beside the hour's events.
    heap: list[int] = []
    step = OrgModel.step

    def counted_step(model: OrgModel) -> None:
        heap.append(len(model.agenda.bookings))
        step(model)

    OrgModel.step = counted_step  # before the model books its steps; one model here
    model = OrgModel(scenario, policy, rng=seed, collect_kpis=False)
    gc.disable()  # as the run does first: no collection while sampling starts
    _tell_perf("enable")
    model.run_to_end()
    _tell_perf("disable")
    print(json.dumps({"events": events_run(model, first_event), "heap": heap}))


def _tell_perf(command: str) -> None:
    """Send `command` on perf's control pipe and wait for its acknowledgement."""
    with open(os.environ["PERF_CONTROL"], "w") as control:
        control.write(command + "\n")
    with open(os.environ["PERF_ACK"]) as ack:
        ack.readline()


def parse_report(text: str) -> Counter:
    """Samples per symbol from `perf report --stdio -n --sort sym` output."""
    samples: Counter = Counter()
    for line in text.splitlines():
        found = REPORT_LINE.match(line)
        if found:
            samples[found.group(2)] += int(found.group(1))
    return samples


def sample(tasks: int, seed: int, policy: str, frequency: int) -> tuple[dict, Counter]:
    """What the run reported (its events, its agenda's heap each working hour) and perf's
    samples of it, per symbol."""
    with tempfile.TemporaryDirectory() as folder:
        control, ack, data = (Path(folder) / name for name in ("control", "ack", "perf.data"))
        os.mkfifo(control)
        os.mkfifo(ack)
        recorded = subprocess.run(
            [
                "perf",
                "record",
                "-e",
                "cpu-clock:u",  # user space: the model's own work, not the kernel's
                "-F",
                str(frequency),
                "-D",
                "-1",  # start with sampling off: the child turns it on for the run
                "--control",
                f"fifo:{control},{ack}",
                "-o",
                str(data),
                "--",
                sys.executable,
                "-m",
                "benchmarks.scaling_profile",
                "--child",
                json.dumps([tasks, seed, policy]),
            ],
            cwd=ROOT,
            env={**os.environ, "PERF_CONTROL": str(control), "PERF_ACK": str(ack)},
            capture_output=True,
            text=True,
        )
        if recorded.returncode != 0:
            raise RuntimeError(f"perf record failed: {recorded.stderr.strip()[-2000:]}")
        reported = json.loads(recorded.stdout.strip().splitlines()[-1])
        report = subprocess.run(
            ["perf", "report", "-i", str(data), "--stdio", "-n", "--sort", "sym"],
            capture_output=True,
            text=True,
            check=True,
        )
    return reported, parse_report(report.stdout)


def changes(
    low: tuple[int, Mapping[str, int]], high: tuple[int, Mapping[str, int]], frequency: int
) -> list[tuple[str, float, float, float]]:
    """Per symbol: µs per event at the low size, at the high size, and twice the standard
    error of their difference (Poisson counts), largest change first."""
    (events_low, low_samples), (events_high, high_samples) = low, high
    scale_low, scale_high = 1e6 / frequency / events_low, 1e6 / frequency / events_high
    rows = []
    for symbol in set(low_samples) | set(high_samples):
        a, b = low_samples.get(symbol, 0), high_samples.get(symbol, 0)
        error = 2 * math.sqrt(a * scale_low**2 + b * scale_high**2)
        rows.append((symbol, a * scale_low, b * scale_high, error))
    rows.sort(key=lambda row: abs(row[2] - row[1]), reverse=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    """Parse the command line, sample and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 10_000], metavar="TASKS")
    parser.add_argument("--repeats", type=int, default=3, help="seeds per size (summed)")
    parser.add_argument("--policy", default="cooperative")
    parser.add_argument("--top", type=int, default=15, help="C functions listed")
    parser.add_argument("--frequency", type=int, default=FREQUENCY, help="samples per second")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*json.loads(args.child))
        return
    if shutil.which("perf") is None:
        parser.error("needs perf (Debian: apt-get install linux-perf)")
    if args.frequency < 1 or args.repeats < 1:
        parser.error("--frequency and --repeats must be 1 or more")
    sizes = sorted(set(args.sizes))
    if len(sizes) < 2:
        parser.error("--sizes needs two sizes or more: the change is between the extremes")
    print(
        f"scaling_profile: transformation-programme grown to each size, {args.policy}, "
        f"{args.repeats} seeds summed, perf cpu-clock:u at {args.frequency} Hz, the run alone",
        flush=True,
    )
    totals = {tasks: (0, Counter()) for tasks in sizes}
    heaps: dict[int, list[int]] = {tasks: [] for tasks in sizes}
    for seed in range(1, args.repeats + 1):
        for tasks in sizes:
            try:
                reported, samples = sample(tasks, seed, args.policy, args.frequency)
            except RuntimeError as failure:
                sys.exit(f"scaling_profile: {failure}")
            events = reported["events"]
            totals[tasks] = (totals[tasks][0] + events, totals[tasks][1] + samples)
            heaps[tasks] += reported["heap"]
            print(
                f"  seed {seed}/{args.repeats}, {tasks} tasks: {events:,} events, "
                f"{samples.total():,} samples",
                file=sys.stderr,
                flush=True,
            )
    for tasks in sizes:
        events, samples = totals[tasks]
        print(
            f"  {tasks:>6} tasks: {events:>10,} events, {samples.total():>8,} samples, "
            f"{samples.total() / events / args.frequency * 1e6:.2f} µs per event; the agenda's "
            f"heap {statistics.mean(heaps[tasks]):,.0f} bookings (a mean over working hours)"
        )
    low, high = sizes[0], sizes[-1]
    rows = changes(totals[low], totals[high], args.frequency)
    print(
        f"C functions whose time per event changed most, {low:,} → {high:,} tasks (µs per event):"
    )
    print(f"  {'function':<40} {low:>8,} {high:>8,} {'change':>8} {'± 2 SE':>7}")
    for symbol, before, after, error in rows[: args.top]:
        print(
            f"  {symbol[:40]:<40} {before:>8.3f} {after:>8.3f} {after - before:>+8.3f} "
            f"{error:>7.3f}"
        )
    total_change = sum(after - before for _, before, after, _ in rows)
    print(f"  {'all functions':<40} {'':>8} {'':>8} {total_change:>+8.3f}")


if __name__ == "__main__":
    main()
