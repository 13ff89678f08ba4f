"""Statistics of policy comparisons: CIs, pairing, wins, the headline and the runs table.

Most tests build small runs tables by hand so that every number is known in advance.
"""

from __future__ import annotations

import math
import os
import re
import threading
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.compare import (
    MAIN_KPIS,
    headline,
    kpi_columns,
    run_replications,
    summarise,
    summary_table,
    unfinished,
)
from experiments.statistics import describe, differences, mean_ci, paired, wins


def runs_table(
    lead_times: dict[str, list[float]],
    finished: dict[str, list[bool]] | None = None,
    base_seed: int = 100,
    **other_kpis: dict[str, list],
) -> pd.DataFrame:
    """A runs table: one row per (policy, replicate), seed = base_seed + replicate."""
    rows = []
    for policy, values in lead_times.items():
        for r, value in enumerate(values):
            row = {"policy": policy, "replicate": r, "seed": base_seed + r, "lead_time_days": value}
            row["finished"] = finished[policy][r] if finished else True
            for kpi, by_policy in other_kpis.items():
                row[kpi] = by_policy[policy][r]
            rows.append(row)
    return pd.DataFrame(rows)


# --- confidence intervals -------------------------------------------------------------------


def test_mean_ci_matches_student_t_from_scipy():
    values = np.random.default_rng(7).normal(10.0, 3.0, size=12)
    estimate = mean_ci(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert estimate.mean == pytest.approx(values.mean())
    assert estimate.ci_low == pytest.approx(low)
    assert estimate.ci_high == pytest.approx(high)
    assert estimate.n == 12


def test_mean_ci_by_hand():
    # mean 2, sd 1, n 3: half-width t(0.975, 2) / sqrt(3) = 4.302653 / 1.732051 = 2.484138
    estimate = mean_ci([1.0, 2.0, 3.0])
    assert estimate.mean == pytest.approx(2.0)
    assert estimate.ci_low == pytest.approx(2.0 - 2.484138, abs=1e-6)
    assert estimate.ci_high == pytest.approx(2.0 + 2.484138, abs=1e-6)


def test_mean_ci_other_confidence_is_narrower():
    values = [3.0, 5.0, 4.0, 8.0, 6.0]
    wide, narrow = mean_ci(values, 0.95), mean_ci(values, 0.80)
    assert narrow.ci_low > wide.ci_low and narrow.ci_high < wide.ci_high


def test_mean_ci_ignores_missing_values_and_needs_two():
    assert mean_ci([4.0, float("nan"), 6.0]).mean == pytest.approx(5.0)
    assert mean_ci([4.0, float("nan"), 6.0]).n == 2
    single = mean_ci([4.0])
    assert single.mean == 4.0 and math.isnan(single.ci_low) and math.isnan(single.ci_high)
    assert math.isnan(mean_ci([]).mean)


def test_constant_values_have_a_zero_width_interval():
    estimate = mean_ci([2.5, 2.5, 2.5])
    assert (estimate.ci_low, estimate.ci_high) == (2.5, 2.5)


def test_describe_percentiles():
    values = list(range(1, 11))  # 1..10
    found = describe(values)
    assert found["p50"] == pytest.approx(5.5)
    assert found["p90"] == pytest.approx(np.percentile(values, 90))
    assert found["mean"] == pytest.approx(5.5)
    assert found["n"] == 10
    assert found["sd"] == pytest.approx(np.std(values, ddof=1))
    assert set(found) == {"n", "mean", "sd", "ci_low", "ci_high", "p50", "p90"}


# --- pairing and wins -------------------------------------------------------------------------


def test_wins_count_strictly_lower_lead_times():
    runs = runs_table({"hierarchical": [10, 12, 14, 20], "cooperative": [8, 12, 15, 10]})
    # run 0: 8 < 10 win; run 1: tie, not a win; run 2: 15 > 14; run 3: win
    assert wins(runs, "cooperative", "hierarchical") == (2, 4)
    assert wins(runs, "hierarchical", "cooperative") == (1, 4)


def test_pairs_by_replicate_not_by_row_order():
    runs = runs_table({"hierarchical": [10, 12, 14, 20], "cooperative": [8, 9, 15, 10]})
    shuffled = runs.sample(frac=1.0, random_state=3).reset_index(drop=True)
    expected = [-2.0, -3.0, 1.0, -10.0]
    assert list(differences(runs, "cooperative", "hierarchical", "lead_time_days")) == expected
    assert list(differences(shuffled, "cooperative", "hierarchical", "lead_time_days")) == expected


def test_runs_with_different_seeds_do_not_pair():
    runs = runs_table({"hierarchical": [10, 12], "cooperative": [8, 9]})
    runs.loc[(runs.policy == "cooperative") & (runs.replicate == 1), "seed"] = 999
    pairs = paired(runs, "cooperative", "hierarchical", "lead_time_days")
    assert len(pairs) == 1
    assert wins(runs, "cooperative", "hierarchical") == (1, 1)


def test_missing_values_leave_only_complete_pairs():
    runs = runs_table(
        {"a": [1, 2, 3], "b": [1, 2, 3]},
        mean_resolution_hours={"a": [1.0, None, 3.0], "b": [2.0, 5.0, None]},
    )
    assert list(differences(runs, "b", "a", "mean_resolution_hours")) == [1.0]


def test_unfinished_counts_runs_at_the_horizon():
    runs = runs_table(
        {"a": [600, 40, 600], "b": [30, 31, 32]},
        finished={"a": [False, True, False], "b": [True, True, True]},
    )
    assert unfinished(runs, "a") == (2, 3)
    assert unfinished(runs, "b") == (0, 3)


# --- summaries ----------------------------------------------------------------------------------


def test_summarise_statistics_and_differences():
    runs = runs_table(
        {"hierarchical": [10, 12, 14, 20], "cooperative": [8, 9, 15, 10]},
        finished={"hierarchical": [True, True, True, False], "cooperative": [True] * 4},
        on_time={"hierarchical": [None] * 4, "cooperative": [None] * 4},
        mean_resolution_hours={"hierarchical": [1.0, None, 3.0, 5.0], "cooperative": [2.0] * 4},
    )
    summary = summarise(runs, ["hierarchical", "cooperative"])
    assert set(summary) == {"policies", "differences"}
    # A KPI without a value in any run is left out; one with some values uses those.
    assert "on_time" not in summary["policies"]["hierarchical"]
    assert summary["policies"]["hierarchical"]["mean_resolution_hours"]["mean"] == pytest.approx(
        3.0
    )
    # Booleans count as 0/1: the mean of `finished` is the share of finished runs.
    assert summary["policies"]["hierarchical"]["finished"]["mean"] == pytest.approx(0.75)
    lead = summary["policies"]["cooperative"]["lead_time_days"]
    assert lead["mean"] == pytest.approx(10.5)
    assert lead["p90"] == pytest.approx(np.percentile([8, 9, 15, 10], 90))
    # Differences are taken run by run against the first policy.
    diff = summary["differences"]["cooperative"]["lead_time_days"]
    d = np.array([-2.0, -3.0, 1.0, -10.0])
    low, high = stats.t.interval(0.95, 3, loc=d.mean(), scale=stats.sem(d))
    assert diff["mean"] == pytest.approx(-3.5)
    assert (diff["ci_low"], diff["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    for stat in summary["differences"]["hierarchical"].values():
        assert stat == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0} or math.isnan(stat["ci_low"])


def test_kpi_columns_skip_identifiers_and_empty_kpis():
    runs = runs_table({"a": [1, 2]}, on_time={"a": [None, None]}, messages={"a": [3, 4]})
    assert kpi_columns(runs) == ["lead_time_days", "finished", "messages"]


def test_summary_table_has_one_row_per_policy_and_kpi():
    runs = runs_table({"a": [1, 2, 3], "b": [2, 2, 5]})
    table = summary_table(runs)
    assert list(table.columns) == [
        "policy",
        "kpi",
        "n",
        "mean",
        "sd",
        "ci_low",
        "ci_high",
        "p50",
        "p90",
        "diff_mean",
        "diff_ci_low",
        "diff_ci_high",
    ]
    assert len(table) == 2 * 2
    row = table[(table.policy == "b") & (table.kpi == "lead_time_days")].iloc[0]
    assert row["mean"] == pytest.approx(3.0)
    assert row["sd"] == pytest.approx(np.std([2, 2, 5], ddof=1))
    assert row["diff_mean"] == pytest.approx(1.0)


# --- the headline -------------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def test_headline_reports_the_fastest_against_the_first_with_its_numbers():
    runs = runs_table(
        {
            "hierarchical": [10, 12, 14, 20],
            "cooperative": [8, 9, 15, 10],
            "self_managed": [9, 12, 14, 19],
        }
    )
    text = headline(runs)
    gain = np.array([2.0, 3.0, -1.0, 10.0])  # hierarchical minus cooperative, run by run
    low, high = stats.t.interval(0.95, 3, loc=gain.mean(), scale=stats.sem(gain))
    assert text.startswith("cooperative finished earlier than hierarchical in 3 of 4 paired runs")
    assert "by 3.5 working days on average" in text
    assert f"95% CI {low:.1f} to {high:.1f}" in text  # low < 0 here
    assert "not clear at this sample size" in text


def test_headline_with_a_clear_difference_has_no_caveat():
    runs = runs_table({"hierarchical": [20, 22, 25, 21, 30], "cooperative": [10, 13, 15, 12, 19]})
    gain = np.array([10.0, 9.0, 10.0, 9.0, 11.0])
    low, high = stats.t.interval(0.95, 4, loc=gain.mean(), scale=stats.sem(gain))
    text = headline(runs)
    assert text == (
        "cooperative finished earlier than hierarchical in 5 of 5 paired runs, "
        f"by 9.8 working days on average (95% CI {low:.1f}–{high:.1f})."
    )


def test_headline_when_the_first_policy_is_fastest_names_the_second_fastest():
    runs = runs_table(
        {"hierarchical": [5, 6, 7], "cooperative": [9, 9, 9], "self_managed": [7, 8, 9]}
    )
    text = headline(runs)
    assert text.startswith("hierarchical finished earlier than self-managed in 3 of 3 paired runs")
    assert "by 2.0 working days" in text


def test_headline_respects_the_given_policy_order():
    runs = runs_table({"hierarchical": [5, 6, 7], "cooperative": [9, 9, 9]})
    assert headline(runs, ["cooperative", "hierarchical"]).startswith(
        "hierarchical finished earlier than cooperative in 3 of 3"
    )


def test_headline_flags_lower_bounds():
    runs = runs_table(
        {"hierarchical": [600, 600, 40], "cooperative": [30, 31, 32]},
        finished={"hierarchical": [False, False, True], "cooperative": [True] * 3},
    )
    text = headline(runs)
    assert text.endswith(
        " Runs that hit the horizon, whose lead time is only a lower bound: hierarchical 2 of 3."
    )


def test_headline_for_identical_runs_and_single_policy():
    same = runs_table({"a": [5, 6], "b": [5, 6]})
    assert headline(same) == "a and b had the same lead time in all 2 paired runs."
    one = runs_table({"a": [4, 6]})
    assert headline(one).startswith("a took 5.0 working days on average over 2 runs")


def test_headline_numbers_agree_with_summarise():
    rng = np.random.default_rng(11)
    base = rng.normal(50, 5, size=8)
    runs = runs_table(
        {"hierarchical": list(base + 4 + rng.normal(0, 2, 8)), "cooperative": list(base)}
    )
    diff = summarise(runs)["differences"]["cooperative"]["lead_time_days"]
    text = headline(runs)
    assert f"by {-diff['mean']:.1f} working days" in text
    assert f"{-diff['ci_high']:.1f}" in _numbers(text) and f"{-diff['ci_low']:.1f}" in _numbers(
        text
    )
    k, n = wins(runs, "cooperative", "hierarchical")
    assert f"in {k} of {n} paired runs" in text


# --- running paired replications ------------------------------------------------------------------


def test_replication_r_uses_seed_base_plus_r_for_every_policy():
    calls = []

    def runner(scenario, policy, seed):
        calls.append((policy, seed))
        return SimpleNamespace(kpis={"lead_time_days": float(seed), "finished": True})

    progress = []
    runs = run_replications(
        "scenario",
        ["hierarchical", "cooperative"],
        3,
        40,
        on_run=lambda p, r: progress.append((p, r)),
        runner=runner,
    )
    assert calls == [
        ("hierarchical", 40),
        ("cooperative", 40),
        ("hierarchical", 41),
        ("cooperative", 41),
        ("hierarchical", 42),
        ("cooperative", 42),
    ]
    assert progress == [(p, s - 40) for p, s in calls]
    assert list(runs.columns[:4]) == ["policy", "replicate", "seed", "lead_time_days"]
    assert set(MAIN_KPIS) <= set(runs.columns)
    for _, group in runs.groupby("replicate"):
        assert group["seed"].nunique() == 1
    assert list(differences(runs, "cooperative", "hierarchical", "lead_time_days")) == [0.0] * 3


def test_replications_reproduce_single_runs():
    from simulator.loading import load_scenario
    from simulator.run import run_one

    scenario = load_scenario("product-launch", ["project.tasks=30"])
    runs = run_replications(scenario, ["hierarchical", "cooperative"], 2, 5)
    again = run_one(scenario, "cooperative", 6).kpis
    row = runs[(runs.policy == "cooperative") & (runs.replicate == 1)].iloc[0]
    assert row["seed"] == 6
    assert row["lead_time_days"] == pytest.approx(again["lead_time_days"])
    assert row["problems_raised"] == again["problems_raised"]


@pytest.mark.parametrize("run_here_too", [False, True])
def test_the_runs_table_is_the_same_whatever_the_number_of_workers(monkeypatch, run_here_too):
    import experiments.compare as compare_module
    from simulator.loading import load_scenario

    # A pool however small the work; without RUN_HERE_TOO every replication after the
    # first goes to the worker processes.
    monkeypatch.setattr(compare_module, "POOL_START_S", 0.0)
    monkeypatch.setattr(compare_module, "RUN_HERE_TOO", run_here_too)
    monkeypatch.setattr(compare_module, "free_cores", lambda: 2.0)
    scenario = load_scenario("product-launch", ["project.tasks=30"])
    policies = ["hierarchical", "cooperative", "self_managed"]
    progress = []
    serial = run_replications(scenario, policies, 4, 11, workers=1)
    parallel = run_replications(
        scenario, policies, 4, 11, workers=2, on_run=lambda p, r: progress.append((p, r))
    )
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)
    assert sorted(progress) == sorted((p, r) for r in range(4) for p in policies)


def test_a_pool_only_when_it_pays_for_its_start():
    from experiments.compare import POOL_START_S, free_cores, pool_pays

    assert not pool_pays(100, 1.0, workers=1, idle_cores=2)
    assert not pool_pays(1, 100.0, workers=2, idle_cores=2)
    assert not pool_pays(2, POOL_START_S / 4, workers=2, idle_cores=2, start_s=POOL_START_S)
    assert pool_pays(60, POOL_START_S, workers=2, idle_cores=2, start_s=POOL_START_S)
    # No idle core for a second worker: the pool would only share the same core.
    assert not pool_pays(60, POOL_START_S, workers=2, idle_cores=1.2)
    assert free_cores() >= 1


def test_a_forked_pool_costs_less_to_start_so_pays_sooner(monkeypatch):
    import threading

    import experiments.compare as compare_module
    from experiments.compare import FORK_START_S, POOL_START_S, pool_pays, pool_start_s
    from experiments.executors import can_fork

    assert FORK_START_S < POOL_START_S
    # 16 runs of 0.1 s save 0.8 s on 2 workers: more than a fork, less than a forkserver.
    assert pool_pays(16, 0.1, workers=2, idle_cores=2, start_s=FORK_START_S)
    assert not pool_pays(16, 0.1, workers=2, idle_cores=2, start_s=POOL_START_S)
    # With the load average saying one core is busy (maybe with this process's own last
    # sweep), a forkserver's start is held back, a fork's is not.
    monkeypatch.setattr(compare_module, "free_cores", lambda: 1.0)
    assert pool_pays(16, 0.1, workers=2, start_s=FORK_START_S)
    assert not pool_pays(100, 0.1, workers=2, start_s=POOL_START_S)
    # Threads other tests left running (a dashboard's kernels) rule the fork out too.
    assert pool_start_s() == (FORK_START_S if can_fork() else POOL_START_S)
    # Another thread running: no fork, the forkserver's start is counted.
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert pool_start_s() == POOL_START_S
    finally:
        release.set()
        other.join()


def test_t_half_width_has_the_bits_of_scipy_stats_t():
    from experiments.statistics import t_half_width

    n = np.array([0, 1, 2, 3, 5, 20, 60, 1000, 10**6], dtype=float)
    sd = np.linspace(0.5, 9.5, len(n))
    for confidence in (0.9, 0.95, 0.99):
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = np.where(
                n >= 2, stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / np.sqrt(n), np.nan
            )
        np.testing.assert_array_equal(t_half_width(sd, n, confidence), expected)
        scalar = stats.t.ppf(0.5 + confidence / 2, 19) * np.float64(2.0) / np.sqrt(20.0)
        assert t_half_width(2.0, 20, confidence) == float(scalar)
    assert math.isnan(t_half_width(1.0, 1))


def test_a_kept_pool_gives_the_same_table_and_stays_up_for_the_next(monkeypatch):
    """The dashboard's warm pool: replications go to it with no start to pay for (so even
    this small comparison uses it, whatever the load), the table is the serial one, and the
    pool serves the next comparison too."""
    import experiments.compare as compare_module
    from experiments.executors import KeptPool
    from simulator.loading import load_scenario

    monkeypatch.setattr(compare_module, "free_cores", lambda: 1.0)  # a busy machine
    scenario = load_scenario("product-launch", ["project.tasks=30"])
    policies = ["hierarchical", "cooperative"]
    serial = run_replications(scenario, policies, 4, 11, workers=1)
    kept = KeptPool(2)
    try:
        assert kept.executor() is None  # not started until warmed
        assert kept.wait()
        # Every replication goes to the pool (nothing to time, nothing to start): their
        # progress is reported from the pool's result thread, not this one.
        for _ in range(2):
            threads = {}
            pooled = run_replications(
                scenario,
                policies,
                4,
                11,
                workers=2,
                pool=kept.executor(),
                on_run=lambda p, r, threads=threads: threads.setdefault(r, threading.get_ident()),
            )
            pd.testing.assert_frame_equal(serial, pooled, check_exact=True)
            assert all(threads[r] != threading.get_ident() for r in range(4))
        # Cancelled once the first replication is in: the call returns without the rest.
        done = []
        partial = run_replications(
            scenario,
            policies,
            40,
            11,
            workers=2,
            pool=kept.executor(),
            on_run=lambda p, r: done.append(r),
            cancelled=lambda: bool(done),
        )
        assert 1 <= partial["replicate"].nunique() < 40
        whole = run_replications(scenario, policies, 40, 11, workers=1)
        pd.testing.assert_frame_equal(
            partial.reset_index(drop=True),
            whole[whole["replicate"].isin(partial["replicate"])].reset_index(drop=True),
            check_exact=True,
        )
        assert kept.executor() is not None  # still up after all three
        workers = set(kept.executor().map(_process_id, range(8)))
        assert os.getpid() not in workers and 1 <= len(workers) <= 2
    finally:
        kept.shutdown()


def _process_id(_: int) -> int:
    return os.getpid()


def test_a_cancel_stops_the_wait_for_the_last_items_still_running(tmp_path):
    """Once every item is handed out, the call waits for the last ones: a cancel must stop
    that wait too (the dashboard's next typical run waits for this one to return)."""
    from experiments.compare import share_with_pool
    from experiments.executors import KeptPool

    release = tmp_path / "release"
    # Never hangs the suite: whatever happens, the items are let go after a minute.
    safety = threading.Timer(60.0, release.touch)
    safety.start()
    kept = KeptPool(2)
    recorded = []
    try:
        assert kept.wait()
        share_with_pool(
            _held_until,
            [(tmp_path / f"started-{i}", release) for i in range(2)],
            2,
            lambda item, outcome: recorded.append(outcome),
            pool=kept.executor(),
            cancelled=lambda: all((tmp_path / f"started-{i}").exists() for i in range(2)),
        )
        # Returned while both items still ran: neither was recorded, and neither was let go.
        assert recorded == [] and not release.exists()
    finally:
        release.touch()
        safety.cancel()
        kept.shutdown()


def _held_until(paths) -> str:
    """Says it started, then runs until `release` exists."""
    import time

    started, release = paths
    started.touch()
    while not release.exists():
        time.sleep(0.01)
    return started.name
