"""Comparing policies on the same scenario with paired replications.

Replication r runs every policy with the seed `base_seed + r`, so the same project, the same
task efforts and the same problems meet every policy (common random numbers). The
differences between two policies are then taken run by run ("paired"), which removes most of
the noise the project itself brings.

Statistics per policy and KPI (`experiments.statistics`): mean, 95% confidence interval of
the mean (Student t), median (p50) and 90th percentile (p90). Paired differences: mean and
95% CI of `policy − first policy`, and "wins in k of n" (a win is a strictly lower lead time
in that paired run). Unfinished runs have the horizon as lead time: it is then a lower
bound, and the headline says so.

The runs table (`runs`) has one row per run: `policy`, `replicate`, `seed`, the value of each
uncertain input in that replication (`input:KEY`), then every KPI (the run row of
`experiments.runs_table` for a single cell).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from experiments.display import policy_name
from experiments.runs_table import (
    COMPARISON_KEYS,
    FINISHED,
    LEAD_TIME,
    as_float,
    input_column,
    kpi_names,
    kpi_row,
    policy_order,
)
from experiments.statistics import (
    STAT_COLUMNS,
    Estimate,
    describe,
    differences,
    mean_ci,
    wins,
)
from experiments.worker import kpis_of_run

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from simulator.schema import Scenario

# The KPIs every comparison shows, in this order (others are in the JSON and the CSV files).
MAIN_KPIS = (
    "lead_time_days",
    "work_hours",
    "rework_hours",
    "coordination_hours",
    "decision_wait_hours",
    "information_wait_hours",
    "manager_utilization",
    "labour_cost",
)


# What the JSON summary shows of each KPI per policy (summary.csv has every STAT_COLUMNS).
SUMMARY_STATS = ("mean", "ci_low", "ci_high", "p50", "p90")


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    """The KPI columns with a value in at least one run (e.g. `on_time` goes without a deadline)."""
    return [c for c in kpi_names(runs) if as_float(runs[c]).notna().any()]


def unfinished(runs: pd.DataFrame, policy: str) -> tuple[int, int]:
    """(k, n): k of the n runs of `policy` hit the horizon before finishing."""
    rows = runs.loc[runs["policy"] == policy]
    if FINISHED not in rows:
        return 0, len(rows)
    done = as_float(rows[FINISHED])
    return int((done == 0).sum()), len(rows)


def _statistics(
    runs: pd.DataFrame, policies: Sequence[str]
) -> tuple[dict[str, dict[str, dict[str, float]]], dict[str, dict[str, Estimate]]]:
    """`describe` per policy and KPI, and the paired difference to the first policy."""
    kpis = kpi_columns(runs)
    first = policies[0]
    stats = {}
    diffs = {}
    for policy in policies:
        rows = runs.loc[runs["policy"] == policy]
        stats[policy] = {kpi: describe(as_float(rows[kpi])) for kpi in kpis}
        diffs[policy] = {kpi: mean_ci(differences(runs, policy, first, kpi)) for kpi in kpis}
    return stats, diffs


def summarise(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> dict[str, Any]:
    """Statistics per policy and paired differences to the first policy.

    `{"policies": {P: {KPI: {mean, ci_low, ci_high, p50, p90}}},
      "differences": {P: {KPI: {mean, ci_low, ci_high}}}}`, for every KPI with a value in
    at least one run; booleans (finished, on_time) count as 0/1, so their mean is a share.
    Missing values (NaN) may remain where a policy never had a value.
    """
    policies = list(policies) if policies is not None else policy_order(runs)
    stats, diffs = _statistics(runs, policies)
    return {
        "policies": {
            policy: {kpi: {s: stat[s] for s in SUMMARY_STATS} for kpi, stat in by_kpi.items()}
            for policy, by_kpi in stats.items()
        },
        "differences": {
            policy: {
                kpi: {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high}
                for kpi, e in by_kpi.items()
            }
            for policy, by_kpi in diffs.items()
        },
    }


def summary_table(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per policy × KPI: n, mean, sd, 95% CI, p50, p90, and the paired difference to
    the first policy (`diff_mean`, `diff_ci_low`, `diff_ci_high`)."""
    policies = list(policies) if policies is not None else policy_order(runs)
    stats, diffs = _statistics(runs, policies)
    rows = [
        {
            "policy": policy,
            "kpi": kpi,
            **{c: stat[c] for c in STAT_COLUMNS},
            "diff_mean": diffs[policy][kpi].mean,
            "diff_ci_low": diffs[policy][kpi].ci_low,
            "diff_ci_high": diffs[policy][kpi].ci_high,
        }
        for policy in policies
        for kpi, stat in stats[policy].items()
    ]
    return pd.DataFrame(rows)


# --- the headline --------------------------------------------------------------------------


def _span(low: float, high: float) -> str:
    if low >= 0:
        return f"{low:.1f}–{high:.1f}"
    return f"{low:.1f} to {high:.1f}"


def headline(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> str:
    """A plain-language first sentence for a comparison, checked against the numbers.

    Every policy is compared with the first (the reference), in order of mean lead time:
    for each, which of the two finished earlier, in how many paired runs it finished
    strictly earlier, and the mean paired difference in working days with its 95% CI. The
    first clause names the fastest policy. When a CI includes 0 (or cannot be estimated),
    its clause says the difference is not clear at this sample size. Policies with runs
    that hit the horizon are named: their lead times are lower bounds.
    """
    policies = list(policies) if policies is not None else policy_order(runs)
    if len(policies) == 1:
        only = policies[0]
        estimate = mean_ci(as_float(runs.loc[runs["policy"] == only, LEAD_TIME]))
        text = (
            f"{policy_name(only)} took {estimate.mean:.1f} working days on average over {estimate.n} "
            f"run{'' if estimate.n == 1 else 's'}"
        )
        if not math.isnan(estimate.ci_low):
            text += f" (95% CI {_span(estimate.ci_low, estimate.ci_high)})"
        text += "."
    else:
        text = (
            "; ".join(
                _against_reference(runs, policies, p)
                for p in by_lead_time(runs, policies)
                if p != policies[0]
            )
            + "."
        )
    stuck = [(p, *unfinished(runs, p)) for p in policies]
    stuck = [f"{policy_name(p)} {k} of {n}" for p, k, n in stuck if k]
    if stuck:
        text += (
            " Runs that hit the horizon, whose lead time is only a lower bound: "
            + ", ".join(stuck)
            + "."
        )
    return text


def by_lead_time(runs: pd.DataFrame, policies: Sequence[str]) -> list[str]:
    """The policies from the shortest mean lead time to the longest (ties: given order)."""
    means = {p: mean_ci(as_float(runs.loc[runs["policy"] == p, LEAD_TIME])).mean for p in policies}
    return sorted(
        policies, key=lambda p: (math.inf if math.isnan(means[p]) else means[p], policies.index(p))
    )


def _against_reference(runs: pd.DataFrame, policies: Sequence[str], policy: str) -> str:
    """The headline's clause for `policy` against the reference (the first policy)."""
    reference = policies[0]
    order = by_lead_time(runs, policies)
    faster, slower = (
        (policy, reference) if order.index(policy) < order.index(reference) else (reference, policy)
    )
    gain = differences(runs, slower, faster, LEAD_TIME)  # positive: `faster` ended earlier
    k, n = wins(runs, faster, slower)
    estimate = mean_ci(gain)
    if n > 0 and np.all(gain == 0):
        return (
            f"{policy_name(faster)} and {policy_name(slower)} had the same lead time in all "
            f"{n} paired runs"
        )
    text = (
        f"{policy_name(faster)} finished earlier than {policy_name(slower)} in {k} of {n} "
        f"paired run{'' if n == 1 else 's'}, "
        f"by {estimate.mean:.1f} working days on average"
    )
    if math.isnan(estimate.ci_low):
        return text + ": the difference is not clear at this sample size"
    text += f" (95% CI {_span(estimate.ci_low, estimate.ci_high)})"
    if estimate.ci_low <= 0 <= estimate.ci_high:
        text += ": the difference is not clear at this sample size"
    return text


def finish_dates(summary: dict[str, Any], scenario: Scenario) -> dict[str, dict[str, str | None]]:
    """`{POLICY: {"finish_p50", "finish_p90"}}`: the median and 90th-percentile lead times
    as ISO dates on the scenario's calendar (empty without `time.start`)."""
    from simulator.calendar import date_at

    if scenario.time.start is None:
        return {}
    dates: dict[str, dict[str, str | None]] = {}
    for policy, stats in summary["policies"].items():
        lead = stats.get(LEAD_TIME, {})
        dates[policy] = {}
        for stat in ("p50", "p90"):
            day = date_at(scenario.time, lead.get(stat, math.nan))
            dates[policy][f"finish_{stat}"] = day.isoformat() if day is not None else None
    return dates


# --- running -------------------------------------------------------------------------------


Runner = Callable[["Scenario", str, int], Any]

# Measured (`python -m benchmarks.commands`, which prints "process pool start"): opening the
# default process pool in a fresh process and getting a result back from each of its 2
# workers took 1.39–1.46 s on the 2-core machine (the forkserver imports the simulator
# once, then forks), while one product-launch run took 0.07 s on an idle machine and
# 0.15 s on a busy one. So a pool pays from about 40 runs of that size on. The first
# replication runs in this process and is timed; the rest goes to the pool only when the
# time it would save, `remaining runs × run time × (1 − 1/workers)`, exceeds the start.
POOL_START_S = 1.4
# Where this process can fork its workers (Linux, no other thread running), the pool starts
# from the already warm process instead: opening a pool of 2 forked workers, getting an
# answer from each and shutting it down took 0.010 s (median of 9, warm process, idle
# machine); doubled for a busy machine.
FORK_START_S = 0.02
# Before any run is timed: the shortest default run of a shipped scenario (workshop, one
# run 0.010 s on the idle 2-core machine). A forked pool that would not pay even with runs
# this long is not started before the first runs are timed.
SHORTEST_RUN_S = 0.01
# While the pool starts and runs, this process runs replications too (see share_with_pool).
RUN_HERE_TOO = True
# How soon a cancelled computation on a pool stops handing out work (seconds).
CANCEL_POLL_S = 0.05


def _run_replicate(
    scenario: Scenario, policies: Sequence[str], seed: int, runner: Runner | None
) -> list[dict[str, Any]]:
    """The KPI rows of one replication (every policy with `seed`), in policy order."""
    if runner is None:
        return [kpi_row(kpis_of_run(scenario, policy, seed)) for policy in policies]
    return [kpi_row(runner(scenario, policy, seed).kpis) for policy in policies]


# Tests only: the idle cores `free_cores` reports, so that a test of a pool in another
# process does not depend on what else the machine is doing.
IDLE_CORES_HOOK = "ORGSIM_TEST_IDLE_CORES"


def free_cores() -> float:
    """Cores not busy with other processes: the usable cores less the 1-minute load average
    other than this process (at least 1). On a machine shared with other work (load 4–6 on 2
    cores), 60 product-launch runs took 14.4 s on a pool against 11.6 s in this process
    (benchmarks.commands): a pool only helps with idle cores."""
    from experiments.executors import cpu_count

    if IDLE_CORES_HOOK in os.environ:  # tests only: a pool's start independent of the load
        return float(os.environ[IDLE_CORES_HOOK])
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return float(cpu_count())
    return max(1.0, cpu_count() - max(load - 1.0, 0.0))


def pool_start_s() -> float:
    """What starting a local pool costs from here: `FORK_START_S` where this process can fork
    its workers now (`experiments.executors.can_fork`), else `POOL_START_S`."""
    from experiments.executors import can_fork

    return min(POOL_START_S, FORK_START_S) if can_fork() else POOL_START_S


def pool_pays(
    remaining_runs: int,
    run_s: float,
    workers: int,
    idle_cores: float | None = None,
    start_s: float | None = None,
) -> bool:
    """Whether a pool of `workers` processes saves more than its start-up (`start_s`, default
    `pool_start_s()`) on the runs left, with `idle_cores` free (default: `free_cores()` for
    a forkserver's start, every core for a fork's)."""
    if workers <= 1 or remaining_runs <= 1:
        return False
    start = pool_start_s() if start_s is None else start_s
    if idle_cores is None:
        # A forked pool costs next to nothing to start, and its workers get their share of
        # a busy machine as any process does; the load average (which also counts this
        # process's own work of the last minute, or the sweep just before) only holds back
        # a forkserver's costly start.
        idle = float(workers) if start <= FORK_START_S else free_cores()
    else:
        idle = idle_cores
    parallel = min(workers, remaining_runs, round(idle))
    return parallel > 1 and remaining_runs * run_s * (1 - 1 / parallel) > start


def run_replications(
    scenario: Scenario,
    policies: Sequence[str],
    replications: int,
    base_seed: int,
    on_run: Callable[[str, int], None] | None = None,
    runner: Runner | None = None,
    workers: int = 1,
    pool: Executor | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> pd.DataFrame:
    """Run every policy `replications` times; replication r uses seed `base_seed + r`.

    Returns the runs table (policy, replicate, seed, then every KPI), replications in the
    outer loop so that an interrupted comparison has whole pairs. `on_run(policy, r)` is
    called after each run (progress; with several workers, after each replication, in the
    order they finish); `runner(scenario, policy, seed)` returns an object with `.kpis`
    and defaults to a run of `simulator.model.OrgModel` (the KPIs of
    `simulator.run.run_one`).

    `workers` > 1 runs the replications on the process pool of `experiments.executors`
    (a custom `runner` must then be picklable), when the timed first replication shows
    that the pool pays for its start (`pool_pays`). The seeds do not depend on where a run
    executes: the table is the same whatever the number of workers. `pool`: a pool already
    running (`experiments.executors.KeptPool`) of `workers` processes, used instead of
    starting one, so with no start to pay for. `cancelled()`: asked while a pool works;
    once true, the replications not yet done are dropped (the table has those done).
    """
    from simulator.kpis import KPI_NAMES

    rows_by_replicate: dict[int, list[dict[str, Any]]] = {}

    def record(replicate: int, rows: list[dict[str, Any]]) -> None:
        rows_by_replicate[replicate] = rows
        if on_run is not None:
            for policy in policies:
                on_run(policy, replicate)

    replicate = 0
    count = len(policies)
    # In this process until a pool is worth its start: the first replication is timed.
    # A running pool has nothing to start: every replication goes to it, whatever the load
    # (the load average would count the pool's own work of the last computation as other
    # work; busy cores only slow it as they would slow this process).
    while replicate < replications and not (pool is not None and workers > 1):
        start = time.perf_counter()
        record(replicate, _run_replicate(scenario, policies, base_seed + replicate, runner))
        run_s = (time.perf_counter() - start) / max(count, 1)
        replicate += 1
        if replicate < replications and pool_pays(
            (replications - replicate) * count, run_s, workers
        ):
            break
    if replicate < replications:
        share_with_pool(
            partial(_replicate_at, scenario, policies, base_seed, runner),
            range(replicate, replications),
            workers,
            record,
            pool=pool,
            cancelled=cancelled,
        )
    from simulator.uncertain import uncertain_draws

    # The value each uncertain input took in the replication (the same for every policy).
    inputs = {
        r: {input_column(k): v for k, v in uncertain_draws(scenario, base_seed + r).items()}
        for r in rows_by_replicate
    }
    rows = [
        {"policy": policy, "replicate": r, "seed": base_seed + r, **inputs[r], **row}
        for r in sorted(rows_by_replicate)
        for policy, row in zip(policies, rows_by_replicate[r], strict=True)
    ]
    columns = [*COMPARISON_KEYS, *(c for r in inputs.values() for c in r), *KPI_NAMES]
    columns = list(dict.fromkeys(columns))
    frame = pd.DataFrame(rows)
    return (
        frame[[*columns, *(c for c in frame.columns if c not in columns)]]
        if rows
        else pd.DataFrame(columns=columns)
    )


def _replicate_at(
    scenario: Scenario,
    policies: Sequence[str],
    base_seed: int,
    runner: Runner | None,
    replicate: int,
) -> list[dict[str, Any]]:
    """The KPI rows of replication `replicate` (a picklable unit of work for the pool)."""
    return _run_replicate(scenario, policies, base_seed + replicate, runner)


def share_with_pool[Item, Outcome](
    work: Callable[[Item], Outcome],
    items: Sequence[Item],
    workers: int,
    record: Callable[[Item, Outcome], None],
    pool: Executor | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """`record(item, work(item))` for every item, on a process pool and in this process at once.

    Starting the pool's processes waits for the forkserver to import the simulator (most of
    POOL_START_S): a thread hands items to the pool, at most one waiting per worker, while
    this process works on the next ones itself, so no core idles while the pool starts.
    Each item is worked on once, wherever it runs (`work` must be picklable: a module-level
    function or a `functools.partial` of one); `record` is called once per item, in the
    order they finish. `run_replications` hands out replications; other experiments
    (`experiments.decomposition`) hand out their own units of runs. `pool`: a running pool
    of `workers` processes to use (left running) instead of opening one. `cancelled()`, if
    given, is asked while the pool works: once true, no more items are handed out and the
    call returns without the items still running.
    """
    import threading
    from concurrent.futures import Future, wait
    from contextlib import nullcontext
    from types import SimpleNamespace

    from experiments.executors import open_workers

    lock = threading.Lock()
    pending = list(reversed(range(len(items))))
    futures: dict[Future, int] = {}
    stop = threading.Event()

    recorded: set[int] = set()

    def record_once(index: int, outcome: Outcome) -> None:
        with lock:
            if index in recorded:
                return
            recorded.add(index)
        record(items[index], outcome)

    def done(future: Future, index: int) -> None:
        # Progress as the pool's runs finish (in the pool's thread); a failure is raised below.
        if not future.cancelled() and future.exception() is None:
            record_once(index, future.result())

    def take() -> int | None:
        with lock:
            return pending.pop() if pending and not stop.is_set() else None

    def feed(executor: Any) -> None:
        try:
            while not stop.is_set():
                running = [f for f in futures if not f.done()]
                # One waiting per worker while this process works too; with a running pool
                # (nothing here), two, so that a worker never waits for the next item.
                if len(running) >= (workers if pool is None else 2 * workers):
                    wait(running, return_when="FIRST_COMPLETED")
                    continue
                index = take()
                if index is None:
                    return
                future = executor.submit(work, items[index])
                futures[future] = index
                future.add_done_callback(lambda f, index=index: done(f, index))
        except RuntimeError:  # the pool was shut down (interrupted): nothing more to hand out
            return

    with (
        nullcontext(SimpleNamespace(executor=pool)) if pool is not None else open_workers(workers)
    ) as opened:
        feeder = threading.Thread(target=feed, args=(opened.executor,), daemon=True)
        feeder.start()
        try:
            # While a pool starts, this process works too, so that no core idles; a pool
            # already running has a worker per core.
            while RUN_HERE_TOO and pool is None and (index := take()) is not None:
                record_once(index, work(items[index]))
            while feeder.is_alive():
                feeder.join(timeout=CANCEL_POLL_S)
                if cancelled is not None and cancelled():
                    return  # the items in flight are cancelled or left to finish unread
            # Everything is handed out; the last items may still run for a while (a large
            # scenario's replication takes seconds): a cancel stops the wait for them too.
            while cancelled is not None and wait(list(futures), timeout=CANCEL_POLL_S).not_done:
                if cancelled():
                    return
            for future in list(futures):
                record_once(futures[future], future.result())
        finally:
            stop.set()
            for future in list(futures):
                future.cancel()
