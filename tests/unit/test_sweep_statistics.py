"""Statistics of a sweep: per cell and policy, paired differences, and the headline.

Runs tables are built by hand, so every number is known; the grouped computations must
agree with `experiments.statistics.describe` and `mean_ci` (one sample at a time) to the
last digit.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from experiments.statistics import describe, mean_ci, paired_differences
from experiments.summaries import headline, summarise

POLICIES = ("hierarchical", "cooperative")


def sweep_runs(lead: dict[tuple[int, str], list[float]], finished=None, on_time=None, status=None):
    """A runs table with cells, policies and replicates; run_id in the sweep's order."""
    rows = []
    cells = sorted({c for c, _ in lead})
    for cell in cells:
        replicates = len(lead[(cell, POLICIES[0])])
        for r in range(replicates):
            for p, policy in enumerate(POLICIES):
                key = (cell, policy)
                rows.append(
                    {
                        "run_id": (cell * replicates + r) * len(POLICIES) + p,
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": 100 + r,
                        "project.problem_rate": 0.01 * (cell + 1),
                        "status": (status or {}).get((cell, policy, r), "ok"),
                        "error": None,
                        "lead_time_days": lead[key][r],
                        "finished": (finished or {}).get((cell, policy, r), True),
                        "on_time": (on_time or {}).get((cell, policy, r), None),
                        "work_hours": 10.0 * lead[key][r],
                        "elapsed_s": 0.01,
                    }
                )
    return pd.DataFrame(rows)


LEAD = {
    (0, "hierarchical"): [30.0, 34.0, 29.0, 40.0],
    (0, "cooperative"): [25.0, 30.0, 31.0, 33.0],
    (1, "hierarchical"): [50.0, 61.0, 55.0, 58.0],
    (1, "cooperative"): [41.0, 47.0, 45.0, 52.0],
}


def test_per_cell_statistics_match_the_comparison_formulas():
    runs = sweep_runs(LEAD)
    summary = summarise(runs)
    assert list(summary.columns[:4]) == ["cell_id", "project.problem_rate", "policy", "kpi"]
    for (cell, policy), values in LEAD.items():
        row = summary.loc[
            (summary["cell_id"] == cell)
            & (summary["policy"] == policy)
            & (summary["kpi"] == "lead_time_days")
        ].iloc[0]
        expected = describe(values)
        for key in ("mean", "ci_low", "ci_high", "p50", "p90"):
            assert row[key] == pytest.approx(expected[key], rel=1e-12)
        assert row["sd"] == pytest.approx(np.std(values, ddof=1))
        assert row["n"] == 4
        assert row["share_finished"] == 1.0
        assert math.isnan(row["p_on_time"])  # no deadline: no P(on time)
        assert not row["lower_bound"]


def test_unfinished_runs_are_flagged_not_silently_averaged():
    runs = sweep_runs(LEAD, finished={(1, "hierarchical", 1): False})
    summary = summarise(runs, kpis=["lead_time_days", "work_hours"])
    group = summary.loc[(summary["cell_id"] == 1) & (summary["policy"] == "hierarchical")]
    assert set(group["unfinished"]) == {1}
    assert set(group["share_finished"]) == {0.75}
    assert group.set_index("kpi").loc["lead_time_days", "lower_bound"]
    assert not group.set_index("kpi").loc["work_hours", "lower_bound"]
    other = summary.loc[(summary["cell_id"] == 0) & (summary["policy"] == "hierarchical")]
    assert set(other["unfinished"]) == {0}


def test_p_on_time_and_failed_runs():
    on_time = {(0, "cooperative", r): r != 3 for r in range(4)}
    runs = sweep_runs(LEAD, on_time=on_time, status={(0, "cooperative", 0): "error"})
    row = (
        summarise(runs)
        .set_index(["cell_id", "policy", "kpi"])
        .loc[(0, "cooperative", "lead_time_days")]
    )
    assert row["runs"] == 4
    assert row["errors"] == 1
    assert row["n"] == 3  # the failed run is left out
    assert row["mean"] == pytest.approx(np.mean([30.0, 31.0, 33.0]))
    assert row["p_on_time"] == pytest.approx(2 / 3)


def test_pooled_statistics_per_policy():
    pooled = summarise(sweep_runs(LEAD), by_cell=False).set_index(["policy", "kpi"])
    values = LEAD[(0, "cooperative")] + LEAD[(1, "cooperative")]
    assert pooled.loc[("cooperative", "lead_time_days"), "mean"] == pytest.approx(np.mean(values))
    assert pooled.loc[("cooperative", "lead_time_days"), "n"] == 8


def test_paired_differences_per_cell_with_wins():
    diffs = paired_differences(sweep_runs(LEAD)).set_index(["cell_id", "policy", "kpi"])
    for cell in (0, 1):
        d = np.array(LEAD[(cell, "cooperative")]) - np.array(LEAD[(cell, "hierarchical")])
        row = diffs.loc[(cell, "cooperative", "lead_time_days")]
        estimate = mean_ci(d)
        assert row["reference"] == "hierarchical"
        assert row["pairs"] == 4
        assert row["mean"] == pytest.approx(estimate.mean)
        assert row["ci_low"] == pytest.approx(estimate.ci_low)
        assert row["ci_high"] == pytest.approx(estimate.ci_high)
        assert row["lower_in"] == int((d < 0).sum())
    assert diffs.loc[(0, "cooperative", "lead_time_days"), "lower_in"] == 3  # 31 > 29


def test_pairs_need_the_same_cell_replicate_and_seed():
    runs = sweep_runs(LEAD, status={(1, "hierarchical", 2): "error"})
    pooled = paired_differences(runs, by_cell=False).set_index(["policy", "kpi"])
    assert pooled.loc[("cooperative", "lead_time_days"), "pairs"] == 7


def test_a_comparison_table_without_cells_is_one_cell():
    runs = sweep_runs({k: v for k, v in LEAD.items() if k[0] == 0}).drop(
        columns=["cell_id", "run_id"]
    )
    assert set(summarise(runs)["cell_id"]) == {0}


NUMBER = r"(-?\d+(?:\.\d+)?)"


def test_the_headline_says_what_the_numbers_say():
    runs = sweep_runs(LEAD)
    text = headline(runs)
    found = re.fullmatch(
        rf"Over all 2 cells of the design: cooperative finished earlier than hierarchical in "
        rf"(\d+) of (\d+) paired runs, by {NUMBER} working days on average \(95% CI {NUMBER}–{NUMBER}\)\.",
        text,
    )
    assert found, text
    gains = np.concatenate(
        [np.array(LEAD[(c, "hierarchical")]) - np.array(LEAD[(c, "cooperative")]) for c in (0, 1)]
    )
    estimate = mean_ci(gains)
    assert int(found.group(1)) == int((gains > 0).sum())
    assert int(found.group(2)) == len(gains)
    assert float(found.group(3)) == pytest.approx(estimate.mean, abs=0.05)
    assert float(found.group(4)) == pytest.approx(estimate.ci_low, abs=0.05)
    assert float(found.group(5)) == pytest.approx(estimate.ci_high, abs=0.05)


def test_the_headline_names_failures_and_lower_bounds():
    runs = sweep_runs(
        LEAD, finished={(1, "hierarchical", 1): False}, status={(0, "cooperative", 0): "error"}
    )
    text = headline(runs)
    # compare.headline's words for it: the policy, how many runs, and "lower bound".
    assert re.search(r"hierarchical:? 1 of 8", text), text
    assert "lower bound" in text
    assert text.endswith("1 of 16 runs failed and are left out.")


def test_the_headline_says_when_the_difference_is_not_clear():
    noisy = {
        (0, "hierarchical"): [30.0, 20.0, 40.0, 25.0],
        (0, "cooperative"): [29.0, 35.0, 22.0, 31.0],
    }
    text = headline(sweep_runs(noisy))
    assert text.endswith("the difference is not clear at this sample size.")
    assert not text.startswith("Over all")  # one cell: no need to say so


def test_paired_differences_carry_the_cells_parameters():
    diffs = paired_differences(sweep_runs(LEAD))
    assert list(diffs.columns[:3]) == ["cell_id", "project.problem_rate", "policy"]
    for cell in (0, 1):
        rates = diffs.loc[diffs["cell_id"] == cell, "project.problem_rate"]
        assert rates.to_numpy() == pytest.approx([0.01 * (cell + 1)] * len(rates))
    pooled = paired_differences(sweep_runs(LEAD), by_cell=False)
    assert "project.problem_rate" not in pooled.columns


def three_policies():
    runs = sweep_runs(LEAD)
    third = runs.loc[runs["policy"] == "hierarchical"].copy()
    third["policy"] = "market"
    third["lead_time_days"] = third["lead_time_days"] + np.tile([1.0, 3.0, 2.0, 2.0], 2)
    third["run_id"] = third["run_id"] + 1000
    return pd.concat([runs, third], ignore_index=True)


def test_the_headline_names_every_policy():
    runs = three_policies()
    text = headline(runs)
    assert "cooperative finished earlier than hierarchical" in text
    # market is slower than the reference: its clause names the reference as the faster.
    found = re.search(
        r"; hierarchical finished earlier than market in (\d+) of (\d+) paired runs, "
        rf"by {NUMBER} working days on average \(95% CI {NUMBER}(?:–| to ){NUMBER}\)\.",
        text,
    )
    assert found, text
    estimate = mean_ci(np.tile([1.0, 3.0, 2.0, 2.0], 2))
    assert found.group(1, 2) == ("8", "8")
    assert float(found.group(3)) == pytest.approx(estimate.mean, abs=0.05)
    assert float(found.group(4)) == pytest.approx(estimate.ci_low, abs=0.05)
    assert float(found.group(5)) == pytest.approx(estimate.ci_high, abs=0.05)


def test_the_paired_per_cell_interval_covers_the_true_difference_at_the_nominal_rate():
    # Synthetic model: lead time = cell level + seed effect (shared by both policies) +
    # policy effect (known, per cell) + independent noise. 400 cells × 6 replicates.
    rng = np.random.default_rng(7)
    cells, replicates = 400, 6
    truth = rng.normal(-2.0, 1.0, cells)  # cooperative − hierarchical, per cell
    rows = []
    for cell in range(cells):
        level = rng.normal(60.0, 10.0)
        seeds = rng.normal(0.0, 5.0, replicates)
        for r in range(replicates):
            for policy, shift in (("hierarchical", 0.0), ("cooperative", truth[cell])):
                rows.append(
                    {
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": r,
                        "status": "ok",
                        "lead_time_days": level + seeds[r] + shift + rng.normal(0.0, 1.0),
                    }
                )
    diffs = paired_differences(pd.DataFrame(rows), kpis=["lead_time_days"]).sort_values("cell_id")
    covered = (diffs["ci_low"].to_numpy() <= truth) & (truth <= diffs["ci_high"].to_numpy())
    rate = covered.mean()
    assert abs(rate - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / cells), rate
    # Pairing cancels the seeds: the paired half-width is far below the per-policy one.
    per_policy = summarise(pd.DataFrame(rows), kpis=["lead_time_days"])
    half_policy = ((per_policy["ci_high"] - per_policy["ci_low"]) / 2).median()
    half_paired = ((diffs["ci_high"] - diffs["ci_low"]) / 2).median()
    assert half_paired < half_policy / 2


def test_the_interaction_contrast_of_the_paired_gap_recovers_a_known_interaction():
    from experiments.statistics import interaction_contrast

    # gap = −1 − 2·a − 1.5·a·b (a, b in {0, 1}): the interaction contrast is −1.5. Seeds
    # shift both policies alike (sd 5) and cancel; noise sd 1 per run.
    rng = np.random.default_rng(11)
    replicates = 40
    rows = []
    cells = [(a, b) for a in (0.0, 1.0) for b in (0.0, 1.0)]
    seeds = rng.normal(0.0, 5.0, replicates)
    for cell, (a, b) in enumerate(cells):
        for r in range(replicates):
            for policy, gap in (("hierarchical", 0.0), ("cooperative", -1 - 2 * a - 1.5 * a * b)):
                rows.append(
                    {
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": r,
                        "status": "ok",
                        "f.a": a,
                        "f.b": b,
                        "lead_time_days": 50 + 10 * b + seeds[r] + gap + rng.normal(0.0, 1.0),
                    }
                )
    runs = pd.DataFrame(rows)
    estimate = interaction_contrast(runs, "f.a", "f.b", "cooperative", "hierarchical")
    assert estimate.n == replicates
    se = (estimate.ci_high - estimate.ci_low) / (2 * 1.96)
    assert abs(estimate.mean - (-1.5)) <= 4 * se
    # Per replicate the contrast has sd 2·√2 (eight runs of sd 1): the interval is that
    # narrow because the seeds cancel; without an interaction it is near 0.
    assert estimate.ci_high - estimate.ci_low < 2 * 2.1 * 2 * math.sqrt(2) / math.sqrt(replicates)
    flat = runs.copy()
    flat.loc[flat["policy"] == "cooperative", "lead_time_days"] += (
        1.5 * flat["f.a"] * flat["f.b"]
    ).loc[flat["policy"] == "cooperative"]
    none = interaction_contrast(flat, "f.a", "f.b", "cooperative", "hierarchical")
    assert abs(none.mean) <= 4 * se
