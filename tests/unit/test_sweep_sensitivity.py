"""Sensitivity indices on functions whose indices are known, plus replication noise.

The designs are built from experiment mappings exactly as a sweep builds them; the "runs"
are the function's value at each cell plus Gaussian noise, one per replicate. Tolerances
are 4 standard errors, the standard error read from the bootstrap interval
(half-width / 1.96), plus the bias a finite design is known to have where stated.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from experiments.design import build_design
from experiments.sensitivity import (
    PRECISION,
    SensitivityWarning,
    analyse,
    naive_noise_share,
    noise_share,
    noise_share_interval,
)
from experiments.spec import experiment_from_mapping

Z = 4.0
PI = math.pi


def design(kind: str, bounds: dict[str, tuple[float, float]], samples: int, seed: int = 1):
    parameters = {key: {"min": low, "max": high} for key, (low, high) in bounds.items()}
    return build_design(
        experiment_from_mapping(
            {
                "name": "t",
                "scenario": "workshop",
                "design": kind,
                "samples": samples,
                "seed": seed,
                "parameters": parameters,
            }
        )
    )


def noisy_runs(values: np.ndarray, replicates: int, sd: float, seed: int = 0) -> pd.DataFrame:
    """A runs table: cell c, replicate r has `values[c] + noise`."""
    rng = np.random.default_rng(seed)
    cells = np.repeat(np.arange(len(values)), replicates)
    reps = np.tile(np.arange(replicates), len(values))
    y = values[cells] + rng.normal(0.0, sd, size=len(cells))
    return pd.DataFrame(
        {
            "cell_id": cells,
            "policy": "p",
            "replicate": reps,
            "seed": reps,
            "status": "ok",
            "lead_time_days": y,
        }
    )


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """Analytic S1 and ST of the Ishigami function on [-π, π]^3."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 / 18 - b**2 * PI**8 / 50
    total = v1 + v2 + v13
    return [v1 / total, v2 / total, 0.0], [(v1 + v13) / total, v2 / total, v13 / total]


def check(row: pd.Series, expected: float, bias: float = 0.0) -> None:
    se = (row["ci_high"] - row["ci_low"]) / (2 * 1.96)
    assert abs(row["value"] - expected) <= Z * se + bias, (row.to_dict(), expected)


def test_sobol_indices_of_the_ishigami_function_with_noise():
    found_design = design("sobol", {"f.x1": (-PI, PI), "f.x2": (-PI, PI), "f.x3": (-PI, PI)}, 512)
    x = np.asarray(found_design.samples)
    sd, replicates = 1.0, 4
    runs = noisy_runs(ishigami(x), replicates, sd)
    indices = analyse(runs, found_design, resamples=100).set_index(["parameter", "index"])
    first, total = ishigami_indices()
    for i, key in enumerate(("f.x1", "f.x2", "f.x3")):
        check(indices.loc[(key, "S1")], first[i])
        check(indices.loc[(key, "ST")], total[i])
    # Replication noise: the variance of a cell mean is sd²/R against Var(Y) of the function.
    variance = np.var(ishigami(np.random.default_rng(5).uniform(-PI, PI, (200_000, 3))))
    expected_share = sd**2 / replicates / variance
    share = indices["noise_share"].iloc[0]
    assert share == pytest.approx(expected_share, rel=0.25)
    assert set(indices["method"]) == {"sobol"}


ISHIGAMI = {"f.x1": (-PI, PI), "f.x2": (-PI, PI), "f.x3": (-PI, PI)}


def test_sobol_with_few_samples_warns_and_names_the_sample_size_needed():
    found_design = design("sobol", ISHIGAMI, 16)
    runs = noisy_runs(ishigami(np.asarray(found_design.samples)), 4, 1.0)
    with pytest.warns(SensitivityWarning, match=r"16 base samples.*samples: (\d+)") as caught:
        indices = analyse(runs, found_design, resamples=100)
    needed = int(re.search(r"samples: (\d+)", str(caught[0].message)).group(1))
    assert needed > 16 and needed & (needed - 1) == 0  # larger, and a power of 2
    # Every row carries its failed checks; the intervals are clipped to [0, 1].
    assert (indices["check"] != "").all()
    assert indices["check"].str.contains("imprecise").all()
    assert (indices["ci_low"] >= 0).all() and (indices["ci_high"] <= 1).all()


def test_sobol_with_enough_samples_passes_the_checks_and_matches_ishigami():
    found_design = design("sobol", ISHIGAMI, 1024)
    runs = noisy_runs(ishigami(np.asarray(found_design.samples)), 4, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SensitivityWarning)
        indices = analyse(runs, found_design, resamples=100)
    assert not indices["check"].str.contains("imprecise|>|outside").any()
    assert ((indices["ci_high"] - indices["ci_low"]) / 2 <= PRECISION).all()
    by = indices.set_index(["parameter", "index"])
    first, total = ishigami_indices()
    for i, key in enumerate(ISHIGAMI):
        check(by.loc[(key, "S1")], first[i])
        check(by.loc[(key, "ST")], total[i])
        assert by.loc[(key, "S1"), "value"] <= by.loc[(key, "ST"), "ci_high"]
    assert indices.loc[indices["index"] == "S1", "value"].sum() <= 1.0


def test_morris_with_few_trajectories_warns():
    found_design = design("morris", {"f.a": (0.0, 1.0), "f.b": (0.0, 1.0)}, 4)
    x = np.asarray(found_design.samples)
    runs = noisy_runs(x[:, 0] + 0.5 * x[:, 1], replicates=2, sd=1.0)
    with pytest.warns(SensitivityWarning, match="Morris.*samples: "):
        indices = analyse(runs, found_design, resamples=100)
    assert indices.loc[indices["index"] == "mu_star", "check"].str.contains("imprecise").any()


def test_morris_screening_ranks_a_linear_model():
    found_design = design("morris", {"f.a": (0.0, 1.0), "f.b": (0.0, 1.0), "f.c": (0.0, 1.0)}, 40)
    x = np.asarray(found_design.samples)
    runs = noisy_runs(10 * x[:, 0] + 5 * x[:, 1], replicates=4, sd=0.5)
    indices = analyse(runs, found_design, resamples=100).set_index(["parameter", "index"])
    mu = {k: indices.loc[(k, "mu_star"), "value"] for k in ("f.a", "f.b", "f.c")}
    # Elementary effects of a linear model are its coefficients (per unit of the range);
    # noise adds |ε|/Δ to μ* of a parameter without effect: E|N(0, σ√2/√R)| / (2/3).
    noise_floor = 0.5 * math.sqrt(2 / 4) * math.sqrt(2 / PI) / (2 / 3)
    check(indices.loc[("f.a", "mu_star")], 10.0)
    check(indices.loc[("f.b", "mu_star")], 5.0)
    assert mu["f.c"] < 2 * noise_floor
    assert mu["f.a"] > mu["f.b"] > mu["f.c"]
    assert indices.loc[("f.a", "sigma"), "value"] < 2.0  # no interaction, only noise


def test_noise_share_is_zero_without_noise_and_one_with_only_noise():
    clean = np.tile(np.arange(6.0)[:, None], (1, 4))
    assert noise_share(clean) == 0.0
    rng = np.random.default_rng(1)
    pure = rng.normal(size=(400, 5))
    assert noise_share(pure) == pytest.approx(1.0, abs=0.15)
    assert math.isnan(noise_share(np.ones((4, 1))))  # one replicate: cannot tell


def test_seed_aware_noise_share_recovers_the_truth_where_the_naive_ratio_does_not():
    # Paired design: replicate r shifts every cell by the same seed effect s_r.
    cells, replicates = 300, 10
    sd_cell, sd_seed, sd_residual = 1.0, 3.0, 1.0
    rng = np.random.default_rng(13)
    true_means = rng.normal(0.0, sd_cell, cells)
    seeds = rng.normal(0.0, sd_seed, replicates)
    matrix = (
        true_means[:, None] + seeds[None, :] + rng.normal(0.0, sd_residual, (cells, replicates))
    )
    # Truth: the noise of a cell mean (σ²/R) over the variance of cell means (σ²_cell + σ²/R).
    noise = sd_residual**2 / replicates
    truth = noise / (sd_cell**2 + noise)
    share, low, high = noise_share_interval(matrix)
    se = (high - low) / (2 * 1.96)
    assert low <= share <= high
    assert abs(share - truth) <= Z * se, (share, low, high, truth)
    naive = naive_noise_share(matrix)
    assert abs(naive - truth) > Z * se, (naive, truth, se)
    assert naive > 3 * truth  # the seeds' shared shifts are counted as noise
    # The F interval covers the truth at about the nominal rate (fixed seed, 200 draws:
    # 95% ± 4 binomial standard errors).
    covered = 0
    draws = 200
    for _ in range(draws):
        m = (
            rng.normal(0.0, sd_cell, cells)[:, None]
            + rng.normal(0.0, sd_seed, replicates)[None, :]
            + rng.normal(0.0, sd_residual, (cells, replicates))
        )
        _, lo, hi = noise_share_interval(m)
        covered += lo <= truth <= hi
    assert abs(covered / draws - 0.95) <= Z * math.sqrt(0.95 * 0.05 / draws)


def test_noise_share_is_not_capped_and_copes_with_missing_runs():
    rng = np.random.default_rng(3)
    # Tiny differences between cells, large noise (true share 0.96): this fixed draw gives
    # an estimate above 1, which is reported as such, and the interval covers the truth.
    matrix = np.arange(40.0)[:, None] * 0.01 + rng.normal(0.0, 1.0, (40, 3))
    share, low, high = noise_share_interval(matrix)
    truth = (1 / 3) / (np.var(np.arange(40.0) * 0.01, ddof=1) + 1 / 3)
    assert share > 1.0
    assert low <= truth <= high
    matrix[0, 1] = np.nan  # a missing run: the two-way fit uses the rest
    matrix[:, 2] = np.nan
    partial = noise_share(matrix)
    assert math.isfinite(partial) and partial > 0


def test_a_factorial_design_gets_a_main_effect_ranking():
    found_design = build_design(
        experiment_from_mapping(
            {
                "name": "t",
                "scenario": "workshop",
                "parameters": {"f.a": [0.0, 1.0, 2.0], "f.b": ["x", "y"]},
            }
        )
    )
    values = np.array([3 * a + (0.5 if b == "y" else 0.0) for a, b in found_design.cells])
    runs = noisy_runs(values, 3, 0.0)
    for key in found_design.keys:
        runs[key] = [found_design.cells[c][found_design.keys.index(key)] for c in runs["cell_id"]]
    indices = analyse(runs, found_design)
    ranking = indices.loc[indices["method"] == "main effect"].set_index("parameter")
    assert ranking.loc["f.a", "value"] == pytest.approx(6.0)
    assert ranking.loc["f.b", "value"] == pytest.approx(0.5)
    # f.b's levels are names: it also gets an ANOVA share (no noise: all between levels
    # of f.b or f.a).
    eta = indices.loc[(indices["method"] == "anova") & (indices["index"] == "eta2")]
    assert list(eta["parameter"]) == ["f.b"]
    assert eta["value"].iloc[0] == pytest.approx(0.25**2 / (0.25**2 + 6.0), rel=1e-9)


def test_cells_without_results_give_no_indices():
    found_design = design("morris", {"f.a": (0.0, 1.0), "f.b": (0.0, 1.0)}, 4)
    runs = noisy_runs(np.zeros(len(found_design)), 2, 1.0)
    runs = runs.loc[runs["cell_id"] != 0]
    indices = analyse(runs, found_design)
    assert indices["value"].isna().all()


def categorical_runs(levels: list[str], sd: float = 0.5, replicates: int = 4):
    effect = {"a": 0.0, "b": 3.0, "c": 1.0}
    found_design = build_design(
        experiment_from_mapping(
            {
                "name": "t",
                "scenario": "workshop",
                "parameters": {"f.m": levels, "f.x": [0.0, 1.0, 2.0]},
            }
        )
    )
    # The same noise for the same (level, x, replicate) whatever the order of the levels.
    rng = np.random.default_rng(0)
    noise = {
        (m, x): rng.normal(0.0, sd, replicates) for m in ("a", "b", "c") for x in (0.0, 1.0, 2.0)
    }
    runs = noisy_runs(np.zeros(len(found_design)), replicates, 0.0)
    runs["lead_time_days"] = [
        effect[found_design.cells[c][0]]
        + found_design.cells[c][1]
        + noise[found_design.cells[c]][r]
        for c, r in zip(runs["cell_id"], runs["replicate"], strict=True)
    ]
    return found_design, runs


def test_a_categorical_factor_gets_an_anova_share_independent_of_its_order():
    shares = []
    for levels in (["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]):
        found_design, runs = categorical_runs(levels)
        indices = analyse(runs, found_design, resamples=200)
        anova = indices.loc[indices["method"] == "anova"]
        assert set(anova["parameter"]) == {"f.m"}  # f.x is numeric: not categorical
        eta = anova.loc[anova["index"] == "eta2"].iloc[0]
        effects = anova.loc[anova["index"] == "effect"].set_index("level")
        shares.append((eta, effects))
    first_eta, first_effects = shares[0]
    for eta, effects in shares[1:]:
        assert eta["value"] == pytest.approx(first_eta["value"], abs=1e-12)
        for level in ("a", "b", "c"):
            assert effects.loc[level, "value"] == pytest.approx(
                first_effects.loc[level, "value"], abs=1e-12
            )
    # Against the truth: effects −4/3, 5/3, −1/3; η² = between-level variance over total.
    truth = {"a": -4 / 3, "b": 5 / 3, "c": -1 / 3}
    for level, expected in truth.items():
        check(first_effects.loc[level], expected)
    between = np.mean(np.square(list(truth.values())))
    within = np.var([0.0, 1.0, 2.0]) + 0.5**2 / 4
    check(first_eta, between / (between + within), bias=0.05)
    assert 0.0 <= first_eta["ci_low"] <= first_eta["ci_high"] <= 1.0


def test_an_lhs_design_reports_no_rank_correlation_for_a_categorical_factor():
    found_design = build_design(
        experiment_from_mapping(
            {
                "name": "t",
                "scenario": "workshop",
                "design": "lhs",
                "samples": 60,
                "seed": 3,
                "parameters": {"f.m": ["a", "b", "c"], "f.x": {"min": 0.0, "max": 1.0}},
            }
        )
    )
    effect = {"a": 0.0, "b": 3.0, "c": 1.0}
    values = np.array([effect[m] + x for m, x in found_design.cells])
    indices = analyse(noisy_runs(values, 3, 0.2), found_design, resamples=100)
    rho = indices.loc[indices["method"] == "spearman"]
    assert set(rho["parameter"]) == {"f.x"}
    anova = indices.loc[(indices["method"] == "anova") & (indices["index"] == "eta2")]
    assert list(anova["parameter"]) == ["f.m"]
    assert anova["value"].iloc[0] > 0.7


def test_main_effects_have_bootstrap_intervals_over_the_replications():
    found_design = build_design(
        experiment_from_mapping(
            {
                "name": "t",
                "scenario": "workshop",
                "parameters": {"f.a": [0.0, 1.0, 2.0], "f.b": [0.0, 1.0]},
            }
        )
    )
    values = np.array([3 * a + 0.5 * b for a, b in found_design.cells])

    def with_keys(runs):
        for i, key in enumerate(found_design.keys):
            runs[key] = [found_design.cells[c][i] for c in runs["cell_id"]]
        return runs

    runs = with_keys(noisy_runs(values, 30, 1.0, seed=4))
    indices = analyse(runs, found_design, resamples=300).set_index("parameter")
    # True ranges 6 and 0.5; the sample range of level means is biased up by noise of
    # order sd/√(replicates × cells per level), well inside the tolerance added.
    check(indices.loc["f.a"], 6.0, bias=0.1)
    check(indices.loc["f.b"], 0.5, bias=0.1)
    assert (indices["ci_low"] < indices["value"]).all()
    assert (indices["value"] < indices["ci_high"]).all()
    one = analyse(with_keys(noisy_runs(values, 1, 1.0)), found_design)
    assert one["ci_low"].isna().all()  # one replication: no interval


def test_sensitivity_bars_draw_an_interval_that_misses_its_estimate():
    # A bootstrap interval can exclude the point estimate (e.g. a biased eta squared):
    # the figure must still be drawn, with no whisker on the side the interval misses.
    import pandas as pd

    from experiments.figures import sensitivity_bars

    indices = pd.DataFrame(
        {
            "index": ["eta2", "eta2"],
            "policy": ["cooperative", "cooperative"],
            "parameter": ["policy.autonomy", "project.problem_rate"],
            "value": [0.30, 0.10],
            "ci_low": [0.32, 0.05],
            "ci_high": [0.60, 0.20],
        }
    )
    figure = sensitivity_bars(indices, ["cooperative"])
    (ax,) = figure.axes[:1]
    assert [round(bar.get_width(), 2) for bar in ax.patches] == [0.30, 0.10]
