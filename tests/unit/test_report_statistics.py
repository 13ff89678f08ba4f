"""The paired statistics of the sweep report: intervals that cover, numbers by hand.

Coverage: on synthetic designs with a known difference between two policies, the 95%
intervals of the report (per cell, and per level of a swept key) contain the true
difference in 95% of the designs, within 4 standard errors of the binomial proportion.
By hand: on a tiny runs table the heatmap squares, the interaction contrast, the gap per
level and the main effects are the averages one computes with a pencil.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.statistics import interaction_contrast, paired_differences
from experiments.summaries import gap_by_level, gap_grid, main_effects, paired_gaps

DESIGNS = 400
NOMINAL = 0.95
# Four standard errors of a proportion of 0.95 estimated on DESIGNS designs.
TOLERANCE = 4 * math.sqrt(NOMINAL * (1 - NOMINAL) / DESIGNS)


def runs_table(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame.insert(0, "run_id", range(len(frame)))
    frame["status"] = "ok"
    return frame


def test_the_per_cell_paired_interval_covers_the_true_difference():
    # 400 cells, each a design of its own: 8 replicates, a large seed effect shared by both
    # policies (the project's luck), independent normal noise, a known true difference.
    rng = np.random.default_rng(20261202)
    replicates = 8
    truth = rng.uniform(-3, 3, DESIGNS)
    rows = []
    for cell in range(DESIGNS):
        seed_effect = rng.normal(0, 6, replicates)
        for r in range(replicates):
            base = 40 + seed_effect[r]
            for policy, shift in (("hierarchical", 0.0), ("cooperative", truth[cell])):
                rows.append(
                    {
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": r,
                        "lead_time_days": base + shift + rng.normal(0, 1.5),
                    }
                )
    diffs = paired_differences(runs_table(rows), kpis=["lead_time_days"]).sort_values("cell_id")
    assert (diffs["pairs"] == replicates).all()
    covered = (diffs["ci_low"].to_numpy() <= truth) & (truth <= diffs["ci_high"].to_numpy())
    assert abs(covered.mean() - NOMINAL) < TOLERANCE, covered.mean()


def test_the_interval_per_level_covers_although_cells_share_the_seeds():
    # Each design is a 2 × 3 factorial whose cells share the seeds, and the seed also moves
    # the gap (a policy × project effect common to every cell of a replicate). Pooling the
    # pairs as if independent would be too narrow; averaging each replicate first is right.
    # The designs sit in one table: design d's levels of the rate are d and d + 0.5.
    rng = np.random.default_rng(7)
    replicates = 6
    truth = {}
    rows = []
    cell = 0
    for design in range(DESIGNS):
        seed_effect = rng.normal(0, 5, replicates)
        gap_effect = rng.normal(0, 2, replicates)
        for level in (design, design + 0.5):
            truth[level] = rng.uniform(-2, 2)
            for tasks in (20, 30, 40):
                for r in range(replicates):
                    base = 30 + seed_effect[r] + tasks / 10
                    shift = truth[level] + gap_effect[r]
                    for policy, extra in (("hierarchical", 0.0), ("cooperative", shift)):
                        rows.append(
                            {
                                "cell_id": cell,
                                "policy": policy,
                                "replicate": r,
                                "seed": r,
                                "project.problem_rate": float(level),
                                "project.tasks": tasks,
                                "lead_time_days": base + extra + rng.normal(0, 1),
                            }
                        )
                cell += 1
    table = gap_by_level(paired_gaps(runs_table(rows)), "project.problem_rate")
    assert len(table) == 2 * DESIGNS and (table["replicates"] == replicates).all()
    expected = table["project.problem_rate"].map(truth)
    covered = (table["ci_low"] <= expected) & (expected <= table["ci_high"])
    # Two levels per design: 800 intervals, correlated within a design through the shared
    # gap effect; the tolerance of 400 independent ones is the conservative bound.
    assert abs(covered.mean() - NOMINAL) < TOLERANCE, covered.mean()


# --- a table small enough to compute by hand -----------------------------------------------------

# lead time = BASE[replicate] + CELL[a, b] (+ GAP[a, b] + NOISE[replicate, a, b] for cooperative)
BASE = {0: 30.0, 1: 36.0, 2: 27.0}
GAP = {(1, "x"): -1.0, (1, "y"): -2.0, (3, "x"): -4.0, (3, "y"): -9.0}
NOISE = {
    (0, 1, "x"): 0.5,
    (1, 1, "x"): -0.5,
    (2, 1, "x"): 0.0,
    (0, 1, "y"): 1.0,
    (1, 1, "y"): 0.0,
    (2, 1, "y"): 2.0,
    (0, 3, "x"): -1.0,
    (1, 3, "x"): 0.0,
    (2, 3, "x"): 0.0,
    (0, 3, "y"): 0.0,
    (1, 3, "y"): 3.0,
    (2, 3, "y"): 0.0,
}


@pytest.fixture
def tiny() -> pd.DataFrame:
    rows = []
    for cell, (a, b) in enumerate(GAP):
        for r, base in BASE.items():
            reference = base + 2 * a + (5 if b == "y" else 0)
            for policy, value in (
                ("hierarchical", reference),
                ("cooperative", reference + GAP[(a, b)] + NOISE[(r, a, b)]),
            ):
                rows.append(
                    {
                        "cell_id": cell,
                        "policy": policy,
                        "replicate": r,
                        "seed": 10 + r,
                        "project.tasks": a,
                        "policy.autonomy": b,
                        "lead_time_days": value,
                    }
                )
    return runs_table(rows)


def gap(r: int, a: int, b: str) -> float:
    return GAP[(a, b)] + NOISE[(r, a, b)]


def test_heatmap_squares_are_the_mean_gap_of_each_pair_of_levels(tiny):
    grid = gap_grid(paired_gaps(tiny), "project.tasks", "policy.autonomy", "cooperative")
    assert len(grid) == 4
    for _, row in grid.iterrows():
        a, b = row["project.tasks"], row["policy.autonomy"]
        by_hand = [gap(r, a, b) for r in BASE]
        assert row["mean"] == pytest.approx(sum(by_hand) / 3)
        assert row["replicates"] == 3 and row["pairs"] == 3
        assert row["wins"] == sum(g < 0 for g in by_hand)
        # Student t with 2 degrees of freedom: t(0.975, 2) = 4.302653.
        sd = float(np.std(by_hand, ddof=1))
        assert row["ci_high"] - row["mean"] == pytest.approx(4.302653 * sd / math.sqrt(3))


def test_the_interaction_contrast_is_the_difference_of_differences(tiny):
    by_hand = [(gap(r, 3, "y") - gap(r, 1, "y")) - (gap(r, 3, "x") - gap(r, 1, "x")) for r in BASE]
    # (−9 + 2) − (−4 + 1) = −4 without noise; per replicate −3.5, −1.5 and −6.0.
    assert by_hand == pytest.approx([-3.5, -1.5, -6.0])
    estimate = interaction_contrast(
        tiny, "project.tasks", "policy.autonomy", "cooperative", levels=((1, 3), ("x", "y"))
    )
    assert estimate.mean == pytest.approx(-11 / 3)
    assert estimate.n == 3
    half = 4.302653 * float(np.std(by_hand, ddof=1)) / math.sqrt(3)
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((-11 / 3 - half, -11 / 3 + half))


def test_the_gap_per_level_averages_each_replicate_over_the_other_factor(tiny):
    table = gap_by_level(paired_gaps(tiny), "policy.autonomy")
    assert list(table["policy.autonomy"]) == ["x", "y"]  # the runs' order for names
    for _, row in table.iterrows():
        b = row["policy.autonomy"]
        per_replicate = [(gap(r, 1, b) + gap(r, 3, b)) / 2 for r in BASE]
        assert row["mean"] == pytest.approx(np.mean(per_replicate))
        half = 4.302653 * float(np.std(per_replicate, ddof=1)) / math.sqrt(3)
        assert row["ci_low"] == pytest.approx(row["mean"] - half)
        assert row["pairs"] == 6


def test_main_effects_on_the_lead_time_and_on_the_gap(tiny):
    effects = main_effects(tiny, ["project.tasks", "policy.autonomy"]).set_index(
        ["parameter", "policy", "measure"]
    )
    # The reference's lead time moves by 2 × (3 − 1) = 4 days from tasks 1 to 3 in every
    # replicate: the effect is exactly 4 with a zero-width interval.
    reference = effects.loc[("project.tasks", "hierarchical", "kpi")]
    assert (reference["low"], reference["high"]) == (1, 3)
    assert reference["mean"] == pytest.approx(4.0)
    assert reference["ci_high"] - reference["ci_low"] == pytest.approx(0.0, abs=1e-9)
    on_gap = effects.loc[("project.tasks", "cooperative", "gap")]
    per_replicate = [
        (gap(r, 3, "x") + gap(r, 3, "y")) / 2 - (gap(r, 1, "x") + gap(r, 1, "y")) / 2 for r in BASE
    ]
    assert on_gap["mean"] == pytest.approx(np.mean(per_replicate))
    autonomy = effects.loc[("policy.autonomy", "cooperative", "kpi")]
    assert (autonomy["low"], autonomy["high"]) == ("x", "y")
    assert autonomy["mean"] == pytest.approx(
        5
        + np.mean(
            [(gap(r, 1, "y") + gap(r, 3, "y") - gap(r, 1, "x") - gap(r, 3, "x")) / 2 for r in BASE]
        )
    )
    assert ("policy.autonomy", "hierarchical", "gap") not in effects.index


def test_the_headline_names_every_policy(tiny):
    from experiments.summaries import headline

    three = pd.concat(
        [tiny, tiny.loc[tiny["policy"] == "cooperative"].assign(policy="self_managed")],
        ignore_index=True,
    )
    three.loc[three["policy"] == "self_managed", "lead_time_days"] += 3.0
    three["run_id"] = range(len(three))
    text = headline(three)
    for policy in ("hierarchical", "cooperative", "self-managed"):
        assert policy in text, policy
    gap = paired_gaps(three).query("policy == 'self_managed'")["gap"]
    # Each policy against the reference, with its own paired mean gap.
    assert "self-managed finished earlier than hierarchical" in text
    assert f"by {-gap.mean():.1f} working days on average" in text
