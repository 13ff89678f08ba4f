"""Scaling: building and running a scenario from ~480 people × 2,500 tasks to ~5,000 × 25,000.

    python -m benchmarks.scaling                       # every size, build only and build + run
    python -m benchmarks.scaling --baseline 356b715    # side by side with a git revision
    python -m benchmarks.scaling --sizes 2500 10000 --repeats 5 --policy hierarchical
    python -m benchmarks.scaling --cpu                 # CPU time: steadier on a busy machine
    python -m benchmarks.scaling --daily               # every KPI each day (dashboard's way)
    python -m benchmarks.scaling --sizes 2500 10000 --repeats 1 --instructions  # valgrind counts
    python -m benchmarks.scaling --set project.dependency_density=0.04 --build-only
    python -m benchmarks.run --only scaling            # as `make benchmark` runs it

The scenario is transformation-programme grown by a factor: every department's
collaborators and teams times the factor (so teams stay about ten people, legal's single
team about fifteen), `project.tasks` set to the size. Its density (0.012) and
interdependence (0.25) are kept unless --set changes them (product-launch's density,
0.04, makes most earlier tasks ancestors: the hard case for finding partners).

Every measurement is a fresh process (imports excluded from the times), so one size's
memory and caches (routers are shared by models of one org graph) do not leak into the
next. Seeds are the outer loop, so every size sees the same machine load; with
--baseline, the revision's tree is extracted to a temporary folder and measured in the
same way, alternating with the current code.

Printed per size: people, tasks, and, each a median over --repeats seeds: project
generation, organisation, build (the model ready to run: project, organisation and
everything done once before the first event), build + run; and the peak resident memory
of the processes (build only, build + run). Then the scaling exponent, the log-log slope
of time against size between the smallest and the largest size (1 = linear); for build +
run, its 95% interval over seeds (a bootstrap) and its two parts: the simulated work,
people x working days (a larger project lasts longer), and the time per person-day. With
--baseline, `same` says whether both versions built the same project (predecessors and
links) and reached the same KPIs for every seed, and ×N how many times longer the
revision takes than the current code.

Then, for the runs, each size's events (Mesa's, the model's bookings and the absence moves
played out), working days, the plan's critical path and time per event, and under them
the share of the events that are absence moves and the kernel's part per event (minor
page faults, system CPU time). With --instructions, each size's instructions and
mispredicted branches per event of the run, as valgrind counts them. Where the time per
event goes, by C function, is `benchmarks.scaling_profile`'s (perf's sampling).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "transformation-programme"
# (tasks, factor on collaborators and teams): about 480, 970, 1,930 and 5,000 people.
SIZES = {2_500: 1.5, 5_000: 3.0, 10_000: 6.0, 25_000: 15.6}
TARGET_RANGE = (2_500, 10_000)  # the range the exponent target (≤ 1.15) is set on
BOOTSTRAP = 2_000  # resamples for the exponent's interval


def overrides(tasks: int) -> list[str]:
    """`--set` assignments that grow the base scenario to `tasks` tasks."""
    from simulator.loading import load_scenario

    factor = SIZES.get(tasks, tasks / 2_500 * SIZES[2_500])
    assignments = [f"project.tasks={tasks}"]
    for i, department in enumerate(load_scenario(BASE).organisation.departments):
        collaborators = round((department.collaborators or 0) * factor)
        teams = max(1, round(department.teams * factor))
        assignments.append(f"organisation.departments[{i}].collaborators={collaborators}")
        assignments.append(f"organisation.departments[{i}].teams={teams}")
    return assignments


def _rss_mib() -> float:
    """Current resident memory of this process (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def moves_played(model) -> int:
    """Absence moves the model's loop ran (`moves_played`; older revisions played every
    move, counted in `moves_run`, and the oldest had none of their own)."""
    return getattr(model, "moves_played", getattr(model, "moves_run", 0))


def events_run(model, first_event: int) -> int:
    """Events run since Mesa's counter gave `first_event`: Mesa's and the model's bookings
    share that counter (this call takes one more number from it); absence moves are
    counted apart."""
    from mesa.time.events import Event

    return next(Event._ids) - first_event - 1 + moves_played(model)


def child(
    tasks: int,
    seed: int,
    policy: str,
    run: bool,
    cpu: bool = False,
    extra: tuple = (),
    daily: bool = False,
) -> None:
    """In a fresh process: build (and run) one model and print its figures as JSON."""
    warnings.simplefilter("ignore")
    now = time.process_time if cpu else time.perf_counter
    import simulator.model as model_module
    from simulator.loading import load_scenario

    scenario = load_scenario(BASE, [*overrides(tasks), *extra])
    spent: dict[str, float] = {}

    def timed(name, function):
        # The model module's own reference is wrapped: the same in any revision that
        # builds its project and organisation through these two functions.
        def wrapper(*args, **kwargs):
            start = now()
            result = function(*args, **kwargs)
            spent[name] = now() - start
            return result

        return wrapper

    model_module.build_project = timed("project", model_module.build_project)
    model_module.build_organisation = timed("organisation", model_module.build_organisation)
    from mesa.time.events import Event

    imported = _rss_mib()
    first_event = next(Event._ids)
    start = now()
    model = model_module.OrgModel(scenario, policy, rng=seed, collect_kpis=daily)
    built = now() - start
    before = resource.getrusage(resource.RUSAGE_SELF)  # the kernel's part: the run's only
    kpis = None
    if run:
        model.run_to_end()
        kpis = model.kpis()
    total = now() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    moves = moves_played(model)
    events = events_run(model, first_event)
    shape = [
        (t.predecessors, [(k.first.index, k.second.index) for k in t.links]) for t in model.tasks
    ]
    digest = hashlib.sha256(repr(shape).encode())
    if kpis is not None:
        digest.update(json.dumps(kpis, sort_keys=True, default=repr).encode())
    print(
        json.dumps(
            {
                "people": len(model.org.people),
                "project": spent["project"],
                "organisation": spent["organisation"],
                "build": built,
                "total": total,
                "events": events if run else 0,
                "moves": moves if run else 0,
                # The kernel's part in the run: page faults (memory the process takes from
                # the system) and system CPU time.
                "faults": after.ru_minflt - before.ru_minflt,
                "system_s": after.ru_stime - before.ru_stime,
                "days": model.time / model.hours_per_day,
                # The plan's own KPI, once the run is done (outside the times; a revision
                # without it prints nan).
                "critical_path_days": (kpis or {}).get("plan_critical_path_days", math.nan),
                "imported_mib": imported,
                "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "digest": digest.hexdigest(),
            }
        )
    )


def measure(
    root: Path,
    tasks: int,
    seed: int,
    policy: str,
    run: bool,
    cpu: bool,
    extra: list[str],
    daily: bool = False,
    instructions: bool = False,
) -> dict:
    """One fresh process in the tree at `root` (under valgrind with `instructions`: its
    count of instructions executed, whatever the machine's load, added as `instructions`,
    and of the branches valgrind's simulated predictor mispredicts, as `mispredicts`)."""
    counter = (
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--branch-sim=yes",
            "--cachegrind-out-file=/dev/null",
        ]
        if instructions
        else []
    )
    found = subprocess.run(
        [
            *counter,
            sys.executable,
            "-m",
            "benchmarks.scaling",
            "--child",
            json.dumps([tasks, seed, policy, run, cpu, extra, daily]),
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if found.returncode != 0:
        raise RuntimeError(f"measurement failed in {root}:\n{found.stderr[-2000:]}")
    row = json.loads(found.stdout.strip().splitlines()[-1])
    if instructions:
        refs = re.search(r"I\s+refs:\s+([\d,]+)", found.stderr)
        if refs is None:
            raise RuntimeError(f"valgrind gave no instruction count:\n{found.stderr[-2000:]}")
        row["instructions"] = int(refs.group(1).replace(",", ""))
        missed = re.search(r"Mispredicts:\s+([\d,]+)", found.stderr)
        if missed is None:
            raise RuntimeError(f"valgrind gave no mispredictions:\n{found.stderr[-2000:]}")
        row["mispredicts"] = int(missed.group(1).replace(",", ""))
    return row


def extract(revision: str, folder: Path) -> Path:
    """The tree of `revision` in `folder`, with this benchmark added to it."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    (folder / "benchmarks").mkdir(exist_ok=True)
    (folder / "benchmarks" / "__init__.py").touch()
    (folder / "benchmarks" / "scaling.py").write_text(Path(__file__).read_text())
    return folder


def slope(sizes: list[int], times: list[float], low: int, high: int) -> float:
    """Log-log slope of time against size between two sizes (1 = linear)."""
    a, b = times[sizes.index(low)], times[sizes.index(high)]
    return math.log(b / a) / math.log(high / low)


def _median(rows: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def _share(ran: list[dict], key: str) -> float:
    """The median over seeds of `key` per event of the run (nan if a revision's processes
    did not report it)."""
    return statistics.median(r.get(key, math.nan) / r["events"] for r in ran)


def run(
    sizes: list[int],
    repeats: int,
    policy: str,
    baseline: str | None,
    runs: bool,
    cpu: bool,
    extra: list[str],
    daily: bool = False,
    instructions: bool = False,
) -> None:
    """Measure and print the table."""
    versions = {"current": ROOT}
    with tempfile.TemporaryDirectory() as folder:
        if baseline:
            versions[baseline] = extract(baseline, Path(folder))
        modes = (False, True) if runs else (False,)
        results: dict[tuple[str, int, bool], list[dict]] = {}
        # Seeds outermost: every size and version is measured once before the next seed,
        # so that a change of machine load during the benchmark falls on all of them alike
        # rather than on the sizes measured last.
        for seed in range(1, repeats + 1):
            for tasks in sizes:
                for run_too in modes:
                    for name, root in versions.items():
                        row = measure(
                            root, tasks, seed, policy, run_too, cpu, extra, daily, instructions
                        )
                        results.setdefault((name, tasks, run_too), []).append(row)
                        what = "build + run" if run_too else "build"
                        print(
                            f"  seed {seed}/{repeats}, {tasks} tasks, {what}, {name}: "
                            f"{row['total']:.2f} s",
                            file=sys.stderr,
                            flush=True,
                        )
        for tasks in sizes:
            _print_size(results, versions, tasks, runs)
    _print_exponents(results, versions, sizes, runs)
    if instructions and runs:
        _print_instructions(results, versions, sizes)


def _print_size(results, versions, tasks: int, runs: bool) -> None:
    first = next(iter(versions))
    if tasks == next(iter(sorted(k[1] for k in results))):
        print(
            f"{'version':>10} {'people':>6} {'tasks':>6} {'project s':>9} {'org s':>6} "
            f"{'build s':>8} {'run s':>7} {'build+run s':>11} {'peak MiB build':>14} "
            f"{'peak MiB run':>12} {'same':>4}",
            flush=True,
        )
    for name in versions:
        built = results[(name, tasks, False)]
        ran = results.get((name, tasks, True), [])
        same = ""
        if name != first:
            same = (
                "yes" if _digests(results, name, tasks) == _digests(results, first, tasks) else "NO"
            )
        line = (
            f"{name[:10]:>10} {built[0]['people']:>6} {tasks:>6} {_median(built, 'project'):>9.3f} "
            f"{_median(built, 'organisation'):>6.3f} {_median(built, 'build'):>8.3f} "
        )
        if ran:
            line += (
                f"{_median(ran, 'total') - _median(ran, 'build'):>7.2f} "
                f"{_median(ran, 'total'):>11.2f} "
            )
        else:
            line += f"{'':>7} {'':>11} "
        peak_run = f"{max(r['peak_mib'] for r in ran):>12.0f}" if ran else f"{'':>12}"
        line += f"{max(r['peak_mib'] for r in built):>14.0f} {peak_run} {same:>4}"
        if name != first:
            # How many times longer this version takes than the first (the current code).
            ratios = []
            for label, run_too, key in (("build", False, "build"), ("build+run", True, "total")):
                if (name, tasks, run_too) in results:
                    mine = _median(results[(name, tasks, run_too)], key)
                    ratios.append(
                        f"×{mine / _median(results[(first, tasks, run_too)], key):.1f} {label}"
                    )
            line += "  " + ", ".join(ratios)
        print(line, flush=True)


def _digests(results, name: str, tasks: int) -> list[str]:
    return [
        r["digest"]
        for key, rows in sorted(results.items())
        if key[:2] == (name, tasks)
        for r in rows
    ]


def _print_exponents(results, versions, sizes: list[int], runs: bool) -> None:
    ordered = sorted(sizes)
    if len(ordered) < 2:
        return
    ranges = [(ordered[0], ordered[-1])]
    if set(TARGET_RANGE) <= set(ordered) and ranges[0] != TARGET_RANGE:
        ranges.insert(0, TARGET_RANGE)
    print("scaling exponent (log-log slope of the median time against tasks; 1 = linear):")
    for name in versions:
        for low, high in ranges:
            figures = []
            for label, key, run_too in (
                ("project", "project", False),
                ("build", "build", False),
                ("build+run", "total", True),
            ):
                if run_too and not runs:
                    continue
                times = [_median(results[(name, n, run_too)], key) for n in ordered]
                figures.append(f"{label} {slope(ordered, times, low, high):.2f}")
            print(f"  {name:>10} {low:,} → {high:,} tasks: " + ", ".join(figures))
            if runs:
                print(_run_exponent_parts(results, name, low, high), flush=True)
    if runs:
        print(
            "events run and their cost (medians; Mesa's events, the model's bookings and the"
            " absence moves played out):"
        )
        for name in versions:
            per_size = {}
            for n in ordered:
                ran = results[(name, n, True)]
                run_s = [r["total"] - r["build"] for r in ran]
                per_event = statistics.median(
                    s / r["events"] * 1e6 for s, r in zip(run_s, ran, strict=True)
                )
                per_size[n] = (_median(ran, "events"), per_event)
                print(
                    f"  {name:>10} {n:>6} tasks: {per_size[n][0]:>10,.0f} events, "
                    f"{_median(ran, 'days'):>5.0f} working days (critical path "
                    f"{_median(ran, 'critical_path_days'):.0f}), {per_event:.2f} µs per event"
                )
                print(
                    f"  {'':>10} {'':>6}        absence moves {_share(ran, 'moves'):.1%} of the "
                    f"events; per event {_share(ran, 'faults'):.3f} page faults, "
                    f"{_share(ran, 'system_s') * 1e6:.2f} µs of system time"
                )
            low, high = ordered[0], ordered[-1]
            if high > low:
                grow = [
                    slope([low, high], [per_size[low][i], per_size[high][i]], low, high)
                    for i in (0, 1)
                ]
                print(
                    f"  {name:>10} {low:,} → {high:,} tasks: events exponent {grow[0]:.2f},"
                    f" time per event {grow[1]:+.2f}"
                )
    imported = statistics.median(r["imported_mib"] for rows in results.values() for r in rows)
    print(f"(peak MiB: resident memory of the whole process; about {imported:.0f} MiB is imports.)")


def _per_event(built: list[dict], ran: list[dict], count: str) -> float:
    """The median over seeds of the run's `count` per event: build + run's less the build's."""
    return statistics.median(
        (r[count] - b[count]) / r["events"] for r, b in zip(ran, built, strict=True)
    )


def _print_instructions(results, versions, sizes: list[int]) -> None:
    """Instructions and mispredicted branches per event of the run (build + run's count
    less the build's, same seed).

    Counted by valgrind, they are the same whatever else the machine does: if they stay
    flat while the time per event grows, what grows is not the work done per event nor
    the branches the processor guesses wrong (as valgrind's simple predictor sees them)."""
    ordered = sorted(sizes)
    print("instructions per event of the run (valgrind; medians over seeds):")
    for name in versions:
        per_size = {}
        for n in ordered:
            # Both lists are in seed order: each run is paired with its seed's build.
            built, ran = results[(name, n, False)], results[(name, n, True)]
            per_size[n] = _per_event(built, ran, "instructions")
            print(
                f"  {name:>10} {n:>6} tasks: {per_size[n]:>10,.0f} instructions per event, "
                f"{_per_event(built, ran, 'mispredicts'):,.0f} branches mispredicted"
            )
        low, high = ordered[0], ordered[-1]
        if high > low:
            print(
                f"  {name:>10} {low:,} → {high:,} tasks: instructions per event "
                f"{slope([low, high], [per_size[low], per_size[high]], low, high):+.3f}"
                f" (×{per_size[high] / per_size[low]:.3f})"
            )


def _run_exponent_parts(results, name: str, low: int, high: int) -> str:
    """The build + run exponent's spread over seeds, and what it is made of.

    The interval resamples each size's seeds (percentile bootstrap of the slope of the
    medians): with few seeds the median's own scatter (a small project's length varies by
    nearly a factor of two from seed to seed) moves the slope by several hundredths. The
    slope splits exactly into that of the simulated work, people x working days (the
    model's: a larger project lasts longer), and that of the time per person-day (the
    simulator's)."""
    small, large = results[(name, low, True)], results[(name, high, True)]
    draw = random.Random(0)
    slopes = sorted(
        slope(
            [low, high],
            [
                statistics.median(draw.choices([r["total"] for r in small], k=len(small))),
                statistics.median(draw.choices([r["total"] for r in large], k=len(large))),
            ],
            low,
            high,
        )
        for _ in range(BOOTSTRAP)
    )
    spread = f"{slopes[int(0.025 * BOOTSTRAP)]:.2f} to {slopes[int(0.975 * BOOTSTRAP) - 1]:.2f}"
    work = [_median(rows, "people") * _median(rows, "days") for rows in (small, large)]
    per_day = [_median(small, "total") / work[0], _median(large, "total") / work[1]]
    return (
        f"  {'':>10} build+run: 95% interval over seeds {spread}; = people x working days "
        f"{slope([low, high], work, low, high):.2f} + time per person-day "
        f"{slope([low, high], per_day, low, high):+.2f} "
        f"({per_day[0] * 1e6:.1f} → {per_day[1] * 1e6:.1f} µs)"
    )


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), metavar="TASKS")
    parser.add_argument("--repeats", type=int, default=3, help="seeds per size (median)")
    parser.add_argument("--policy", default="cooperative")
    parser.add_argument("--baseline", metavar="REVISION", help="git revision to compare with")
    parser.add_argument("--build-only", action="store_true", help="skip build + run")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="more scenario overrides"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="process CPU time instead of wall time (busy machine)"
    )
    parser.add_argument(
        "--daily",
        action="store_true",
        help="collect every KPI each working day, as the dashboard and mesa.batch_run do "
        "(default: KPIs once at the end, as orgsim run, sweep and compare)",
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count the instructions each process executes and the branches it "
        "mispredicts, under valgrind (about 50 times slower; the counts do not depend on the "
        "machine's load)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*json.loads(args.child))
        return
    if args.daily and args.build_only:
        parser.error("--daily concerns the run; --build-only runs nothing")
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (Debian: apt-get install valgrind)")
    if args.instructions and args.build_only:
        parser.error("--instructions counts the run's instructions; --build-only runs nothing")
    print(
        f"scaling: {BASE} grown to each size, {args.policy}, median of {args.repeats} seeds, "
        f"a fresh process each, {'CPU' if args.cpu else 'wall'} time, "
        f"{'every KPI each day' if args.daily else 'KPIs at the end'}"
        + (", under valgrind (times many times longer than without)" if args.instructions else "")
        + "".join(f", {assignment}" for assignment in args.set),
        flush=True,
    )
    run(
        sorted(args.sizes),
        args.repeats,
        args.policy,
        args.baseline,
        not args.build_only,
        args.cpu,
        args.set,
        args.daily,
        args.instructions,
    )


if __name__ == "__main__":
    main()
