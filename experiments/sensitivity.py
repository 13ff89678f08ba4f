"""Sensitivity of a KPI to the swept parameters, per policy.

- `morris` designs: μ* (mean absolute elementary effect: how much the KPI moves when the
  parameter moves by Δ of its range) and σ (their spread: interactions, non-linearity),
  through SALib.
- `sobol` designs: first-order S1 (share of the KPI's variance due to the parameter alone)
  and total ST (with all its interactions), through SALib (Saltelli sampling, Jansen
  estimators).
- other designs: a ranking by main effect (the spread of the KPI's mean across the
  parameter's levels; for `lhs`, Spearman's rank correlation with the cells' means).
- categorical factors (levels that are names: mechanisms, categories), in every design:
  η² of a one-way ANOVA of the cell means on the levels, and each level's effect, with
  bootstrap intervals; never a rank correlation on an arbitrary order.

Indices are computed on replicate means (the mean of the KPI over a cell's replications).
Their 95% intervals are percentile bootstraps that resample both the design (Morris
trajectories, Sobol base points) and the replications (one draw of replicate numbers for
every cell, keeping the common random numbers), so they include replication noise.
`noise_share` is the share of the variance of the cell means that replication noise
alone would give, seed-aware: replicate r runs with the same seed in every cell, so the
noise is the residual of a cell + replicate two-way layout, not the within-cell variance
(which also holds the seeds' shared shifts). Near 0, the indices reflect the parameters;
near or above 1 (it is not capped), more replications are needed before reading them.
`noise_ci_low`/`noise_ci_high` are its 95% interval (F-distribution).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from experiments.runs_table import as_float, policy_order, successful

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from experiments.design import Design

RESAMPLES = 200
CONFIDENCE = 0.95
PRECISION = 0.1  # Sobol: widest acceptable 95% half-width of an index (a share)
TOLERANCE = 0.05  # Sobol: how far a point estimate may stray past a bound before it is flagged
MORRIS_PRECISION = 0.25  # Morris: widest μ* half-width, as a share of the largest μ*


class SensitivityWarning(UserWarning):
    """Indices that fail a sanity check (impossible values, or too imprecise to read)."""


COLUMNS = (
    "policy",
    "kpi",
    "method",
    "parameter",
    "index",
    "value",
    "ci_low",
    "ci_high",
    "noise_share",
    "noise_ci_low",
    "noise_ci_high",
    "level",
    "check",
)


def replicate_matrix(runs: pd.DataFrame, design: Design, kpi: str, policy: str) -> np.ndarray:
    """The KPI of one policy as a cells × replicates matrix (NaN where a run is missing)."""
    import numpy as np

    rows = successful(runs)
    rows = rows.loc[rows["policy"] == policy]
    replicates = int(runs["replicate"].max()) + 1 if len(runs) else 0
    matrix = np.full((len(design), replicates), np.nan)
    values = as_float(rows[kpi]).to_numpy()
    matrix[rows["cell_id"].to_numpy(dtype=int), rows["replicate"].to_numpy(dtype=int)] = values
    return matrix


def _two_way(matrix: np.ndarray) -> tuple[np.ndarray, float, int] | None:
    """Fit cell + replicate (seed) effects to a cells × replicates matrix with NaN gaps.

    Returns the cell means adjusted for the replicates' effects, the residual sum of squares
    and its degrees of freedom; None when the layout leaves no residual.
    """
    import numpy as np

    matrix = matrix[:, ~np.all(np.isnan(matrix), axis=0)]
    matrix = matrix[np.sum(~np.isnan(matrix), axis=1) >= 2]  # cells with a replication
    present = ~np.isnan(matrix)
    cells, replicates = matrix.shape
    df = int(present.sum()) - cells - replicates + 1
    if cells < 2 or replicates < 2 or df < 1:
        return None
    y = np.where(present, matrix, 0.0)
    counts_row, counts_col = present.sum(axis=1), present.sum(axis=0)
    row = np.zeros(cells)
    col = np.zeros(replicates)
    # Alternating least squares (exact in one pass for a complete layout).
    for _ in range(200):
        row = (y - col[None, :] * present).sum(axis=1) / counts_row
        new = (y - row[:, None] * present).sum(axis=0) / counts_col
        new -= new.mean()
        done = np.allclose(new, col, rtol=0, atol=1e-12 * (1 + np.abs(new).max()))
        col = new
        if done:
            break
    residual = np.where(present, matrix - row[:, None] - col[None, :], 0.0)
    return row, float(np.sum(residual**2)), df


def noise_share_interval(
    matrix: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """Seed-aware replication noise: (share, CI low, CI high).

    Replicate r runs with the same seed in every cell, so the seeds are a blocking factor:
    a two-way layout cell + replicate + residual. The noise of a cell mean is the residual
    mean square over the replications; the share is that over the variance of the cell
    means (not capped: above 1, the differences between cells are within the noise). The
    interval is the F-distribution's: `R·Var(cell means) / MS_residual` over the true ratio
    follows F(cells − 1, residual df) (normal errors, cells as a random sample).
    NaN with fewer than two replicates or two cells.
    """
    import numpy as np
    from scipy.stats import f as f_distribution

    nan = float("nan")
    fit = _two_way(np.asarray(matrix, dtype=float))
    if fit is None:
        return nan, nan, nan
    means, ss_residual, df = fit
    cells = len(means)
    counts = np.sum(~np.isnan(matrix), axis=1)
    replicates = float(np.mean(counts[counts >= 2]))
    noise = ss_residual / df / replicates
    between = float(np.var(means, ddof=1))
    if between <= 0:
        return (0.0, 0.0, 0.0) if noise <= 0 else (math.inf, math.inf, math.inf)
    share = noise / between
    if noise <= 0:
        return 0.0, 0.0, 0.0
    tail = (1 - confidence) / 2
    low = float(f_distribution.ppf(tail, cells - 1, df)) * share
    high = float(f_distribution.ppf(1 - tail, cells - 1, df)) * share
    return float(share), low, high


def noise_share(matrix: np.ndarray) -> float:
    """Seed-aware share of the variance of cell means that replication noise would give.

    See `noise_share_interval` (this is its estimate); 0 without noise, near 1 with noise
    only, above 1 possible (not capped). NaN with fewer than two replicates or two cells.
    """
    return noise_share_interval(matrix)[0]


def naive_noise_share(matrix: np.ndarray) -> float:
    """The seed-blind ratio: mean within-cell variance / replications over the variance of
    cell means. It counts the shared seeds' shifts as noise; kept for comparison."""
    import numpy as np

    counts = np.sum(~np.isnan(matrix), axis=1)
    if matrix.shape[0] < 2 or np.any(counts < 2):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        noise = float(np.nanmean(np.nanvar(matrix, axis=1, ddof=1) / counts))
        total = float(np.nanvar(np.nanmean(matrix, axis=1), ddof=1))
    if total <= 0:
        return 0.0 if noise <= 0 else math.inf
    return noise / total


def analyse(
    runs: pd.DataFrame,
    design: Design,
    kpis: Sequence[str] = ("lead_time_days",),
    policies: Sequence[str] | None = None,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of each KPI per policy, one row per parameter and index.

    Columns: policy, kpi, method (morris, sobol, main effect, spearman, anova), parameter,
    index (mu_star, sigma, S1, ST, range, rho, eta2, effect), value, ci_low, ci_high,
    noise_share, noise_ci_low, noise_ci_high, level (the level of an `effect` row).
    Categorical factors (see `is_categorical`) get `anova` rows in every design and no
    Spearman ρ.
    """
    import pandas as pd

    policies = list(policies) if policies is not None else policy_order(runs)
    frames = []
    for policy in policies:
        for kpi in kpis:
            if kpi not in runs:
                continue
            frames.append(_one(runs, design, kpi, policy, resamples, seed))
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(COLUMNS)]


def _one(
    runs: pd.DataFrame, design: Design, kpi: str, policy: str, resamples: int, seed: int
) -> pd.DataFrame:
    import pandas as pd

    matrix = replicate_matrix(runs, design, kpi, policy)
    share, low, high = noise_share_interval(matrix)
    if design.kind in ("morris", "sobol", "lhs"):
        if design.kind == "morris":
            found = morris_indices(design, matrix, resamples, seed)
        elif design.kind == "sobol":
            found = sobol_indices(design, matrix, resamples, seed)
        else:
            found = spearman_ranking(design, matrix, resamples, seed)
    else:
        found = main_effects(runs, design, kpi, policy, resamples, seed)
    frame = pd.DataFrame(found)
    if "message" in frame:
        message = next((m for m in frame["message"] if m), "")
        frame = frame.drop(columns="message")
        if message:
            warnings.warn(f"{policy}, {kpi}: {message}", SensitivityWarning, stacklevel=3)
    if "check" not in frame:
        frame["check"] = ""
    categorical = categorical_factors(design)
    if design.kind == "lhs" and len(frame):
        # A rank correlation on an arbitrary order of categories means nothing.
        frame = frame.loc[~frame["parameter"].isin(categorical)]
    shares = pd.DataFrame(categorical_shares(design, matrix, resamples, seed))
    frame["level"] = ""
    if len(shares):
        shares["check"] = ""
        frame = pd.concat([frame, shares], ignore_index=True) if len(frame) else shares
    frame.insert(0, "kpi", kpi)
    frame.insert(0, "policy", policy)
    frame["noise_share"] = share
    frame["noise_ci_low"] = low
    frame["noise_ci_high"] = high
    return frame


def _bootstrap_means(
    matrix: np.ndarray, units: np.ndarray, unit_rows: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Cell means after resampling design units (blocks of `unit_rows` rows) and replicates.

    Returns the row indices chosen (in the design's layout) and their resampled means.
    """
    import numpy as np

    chosen = rng.choice(units, size=len(units), replace=True)
    rows = (chosen[:, None] * unit_rows + np.arange(unit_rows)[None, :]).ravel()
    replicates = rng.integers(0, matrix.shape[1], size=matrix.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(matrix[rows][:, replicates], axis=1)
    return rows, means


def _interval(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    tail = (1 - CONFIDENCE) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(draws, tail, axis=0), np.nanpercentile(draws, 100 - tail, axis=0)


def _cell_means(matrix: np.ndarray) -> np.ndarray | None:
    import numpy as np

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(matrix, axis=1)
    return None if np.any(np.isnan(means)) else means


def _rows(design: Design, method: str, indices: dict[str, tuple[Any, Any, Any]]) -> dict[str, list]:
    out: dict[str, list] = {
        k: [] for k in ("method", "parameter", "index", "value", "ci_low", "ci_high")
    }
    for name, (values, lows, highs) in indices.items():
        for i, factor in enumerate(design.factors):
            out["method"].append(method)
            out["parameter"].append(factor)
            out["index"].append(name)
            out["value"].append(float(values[i]))
            out["ci_low"].append(float(lows[i]))
            out["ci_high"].append(float(highs[i]))
    return out


def _empty(design: Design, method: str, names: Sequence[str]) -> dict[str, list]:
    nan = [float("nan")] * len(design.factors)
    return _rows(design, method, {n: (nan, nan, nan) for n in names})


def morris_indices(
    design: Design, matrix: np.ndarray, resamples: int, seed: int
) -> dict[str, list]:
    """μ* and σ of each factor with bootstrap intervals (cells with no result: NaN)."""
    import numpy as np
    from SALib.analyze import morris

    means = _cell_means(matrix)
    if means is None:
        return _empty(design, "morris", ("mu_star", "sigma"))
    problem = design.problem()
    x = np.asarray(design.samples, dtype=float)
    steps = len(design.factors) + 1
    levels = design.levels or 4

    def indices(rows: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = morris.analyze(problem, x[rows], y, num_resamples=2, num_levels=levels, seed=seed)
        return np.asarray(found["mu_star"], dtype=float), np.asarray(found["sigma"], dtype=float)

    everything = np.arange(len(x))
    mu_star, sigma = indices(everything, means)
    rng = np.random.default_rng(seed)
    trajectories = np.arange(len(x) // steps)
    draws_mu, draws_sigma = [], []
    for _ in range(resamples):
        rows, y = _bootstrap_means(matrix, trajectories, steps, rng)
        if np.any(np.isnan(y)):
            continue
        m, s = indices(rows, y)
        draws_mu.append(m)
        draws_sigma.append(s)
    mu_low, mu_high = _interval(np.array(draws_mu)) if draws_mu else (mu_star * np.nan,) * 2
    s_low, s_high = _interval(np.array(draws_sigma)) if draws_sigma else (sigma * np.nan,) * 2
    out = _rows(
        design, "morris", {"mu_star": (mu_star, mu_low, mu_high), "sigma": (sigma, s_low, s_high)}
    )
    # Sanity: μ* intervals narrow enough, next to the largest μ*, to rank the factors.
    factors = len(design.factors)
    half = (mu_high - mu_low) / 2
    largest = float(np.nanmax(mu_star)) if np.any(~np.isnan(mu_star)) else float("nan")
    limit = MORRIS_PRECISION * largest
    loose = [bool(h > limit) for h in half] if largest > 0 else [False] * factors
    out["check"] = [
        ("imprecise" if loose[i] else "") if j == 0 else ""
        for j in range(2)
        for i in range(factors)
    ]
    message = ""
    if any(loose):
        widest = float(np.nanmax(half))
        needed = math.ceil(len(trajectories) * (widest / limit) ** 2)
        message = (
            f"Morris μ* intervals reach ±{widest:.3g} with {len(trajectories)} trajectories, "
            f"more than {MORRIS_PRECISION:.0%} of the largest μ* ({largest:.3g}): the ranking "
            f"is not resolved. Use about samples: {needed} before reading it."
        )
    out["message"] = [message] * len(out["method"])
    return out


def sobol_indices(design: Design, matrix: np.ndarray, resamples: int, seed: int) -> dict[str, list]:
    """S1 and ST of each factor with bootstrap intervals (Saltelli design, no 2nd order)."""
    import numpy as np
    from SALib.analyze import sobol

    means = _cell_means(matrix)
    if means is None:
        return _empty(design, "sobol", ("S1", "ST"))
    problem = design.problem()
    block = len(design.factors) + 2

    def indices(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = sobol.analyze(problem, y, calc_second_order=False, num_resamples=2, seed=seed)
        return np.asarray(found["S1"], dtype=float), np.asarray(found["ST"], dtype=float)

    first, total = indices(means)
    rng = np.random.default_rng(seed)
    bases = np.arange(len(means) // block)
    draws_first, draws_total = [], []
    for _ in range(resamples):
        _, y = _bootstrap_means(matrix, bases, block, rng)
        if np.any(np.isnan(y)) or np.var(y) == 0:
            continue
        s1, st = indices(y)
        draws_first.append(s1)
        draws_total.append(st)
    f_low, f_high = _interval(np.array(draws_first)) if draws_first else (first * np.nan,) * 2
    t_low, t_high = _interval(np.array(draws_total)) if draws_total else (total * np.nan,) * 2
    checks, message = sobol_checks(
        first,
        total,
        (f_low, f_high),
        (t_low, t_high),
        np.array(draws_first),
        np.array(draws_total),
        len(bases),
        design.factors,
    )
    clipped = []
    for low, high in ((f_low, f_high), (t_low, t_high)):
        clipped.append((low < 0) | (high > 1))
    out = _rows(
        design,
        "sobol",
        {
            "S1": (first, np.clip(f_low, 0, 1), np.clip(f_high, 0, 1)),
            "ST": (total, np.clip(t_low, 0, 1), np.clip(t_high, 0, 1)),
        },
    )
    out["check"] = [
        "; ".join(
            [
                *checks[i % len(design.factors)][j],
                *(["CI clipped to [0, 1]"] if clip[i % len(design.factors)] else []),
            ]
        )
        for j, clip in enumerate(clipped)
        for i in range(len(design.factors))
    ]
    out["message"] = [message] * len(out["method"])
    return out


def sobol_checks(
    first: np.ndarray,
    total: np.ndarray,
    first_ci: tuple[np.ndarray, np.ndarray],
    total_ci: tuple[np.ndarray, np.ndarray],
    draws_first: np.ndarray,
    draws_total: np.ndarray,
    bases: int,
    names: Sequence[str] = (),
) -> tuple[list[tuple[list[str], list[str]]], str]:
    """Sanity of Sobol indices: per factor, the failed checks of its S1 and ST rows, and a
    message naming the failures and the base sample size needed ("" when all pass).

    Checks: S1 ≤ ST (a point estimate more than TOLERANCE above, or S1 − ST above 0 with 95%
    confidence over the bootstrap), ΣS1 ≤ 1 (the same two ways), every index in [0, 1]
    within TOLERANCE, and every 95% half-width at most PRECISION. The size needed scales
    the base samples by (widest half-width / PRECISION)², to a power of 2, and at least
    doubles them when a check fails."""
    import numpy as np

    factors = len(first)
    names = list(names) or [f"factor {i + 1}" for i in range(factors)]
    per: list[tuple[list[str], list[str]]] = [([], []) for _ in range(factors)]
    failed: list[str] = []
    tail = (1 - CONFIDENCE) / 2 * 100
    for i in range(factors):
        s1, st = float(first[i]), float(total[i])
        if np.isnan(s1) or np.isnan(st):
            continue
        beyond = (
            len(draws_first)
            and float(np.nanpercentile(draws_first[:, i] - draws_total[:, i], tail)) > 0
        )
        if s1 > st + TOLERANCE or beyond:
            per[i][0].append("S1 > ST")
            failed.append(f"S1 > ST for {names[i]} ({s1:.2f} > {st:.2f})")
        for j, (name, value) in enumerate((("S1", s1), ("ST", st))):
            if value < -TOLERANCE or value > 1 + TOLERANCE:
                per[i][j].append(f"{name} outside [0, 1]")
                failed.append(f"{name} of {names[i]} is {value:.2f}, outside [0, 1]")
    total_first = float(np.nansum(first))
    beyond_sum = (
        len(draws_first) and float(np.nanpercentile(np.nansum(draws_first, axis=1), tail)) > 1
    )
    if total_first > 1 + TOLERANCE or beyond_sum:
        for i in range(factors):
            per[i][0].append("ΣS1 > 1")
        failed.append(f"the S1 add up to {total_first:.2f} (> 1)")
    widths = np.concatenate([(first_ci[1] - first_ci[0]) / 2, (total_ci[1] - total_ci[0]) / 2])
    widest = float(np.nanmax(widths)) if np.any(~np.isnan(widths)) else float("nan")
    if widest > PRECISION:
        for i in range(factors):
            for j, ci in enumerate((first_ci, total_ci)):
                if (ci[1][i] - ci[0][i]) / 2 > PRECISION:
                    per[i][j].append("imprecise")
        failed.append(f"95% intervals up to ±{widest:.2f} (wanted ±{PRECISION:g})")
    if not failed:
        return per, ""
    scale = (widest / PRECISION) ** 2 if widest > PRECISION else 1.0
    needed = max(2 * bases if len(failed) > (widest > PRECISION) else 0, math.ceil(bases * scale))
    needed = 1 << max(0, math.ceil(math.log2(max(needed, 1))))
    return per, (
        f"Sobol indices fail sanity checks with {bases} base samples: "
        + "; ".join(failed)
        + f". Use about samples: {needed} (same seed) before reading them."
    )


def spearman_ranking(
    design: Design, matrix: np.ndarray, resamples: int, seed: int
) -> dict[str, list]:
    """Spearman's ρ between each factor and the cells' means (Latin hypercube designs)."""
    import numpy as np
    from scipy.stats import spearmanr

    means = _cell_means(matrix)
    if means is None:
        return _empty(design, "spearman", ("rho",))
    x = np.asarray(design.samples, dtype=float)

    def rho(rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.array([spearmanr(x[rows, i], y).statistic for i in range(x.shape[1])])

    everything = np.arange(len(x))
    value = rho(everything, means)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(resamples):
        rows, y = _bootstrap_means(matrix, everything, 1, rng)
        if not np.any(np.isnan(y)):
            draws.append(rho(rows, y))
    low, high = _interval(np.array(draws)) if draws else (value * np.nan,) * 2
    return _rows(design, "spearman", {"rho": (value, low, high)})


def main_effects(
    runs: pd.DataFrame,
    design: Design,
    kpi: str,
    policy: str,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> dict[str, list]:
    """Per parameter, the range of the KPI's mean across its levels (other parameters
    averaged over): a ranking for factorial, zip and cases designs. The 95% interval is a
    percentile bootstrap over the replications (one draw of replicate numbers for every
    cell, keeping the pairing); NaN with fewer than two replications."""
    import numpy as np

    matrix = replicate_matrix(runs, design, kpi, policy)
    rng = np.random.default_rng(seed)
    draws: list[np.ndarray] = []
    if matrix.shape[1] >= 2 and len(design.cells) == matrix.shape[0]:
        columns = {
            key: np.array([repr(cell[i]) for cell in design.cells])
            for i, key in enumerate(design.keys)
        }
        cells = np.arange(matrix.shape[0])
        for _ in range(resamples):
            _, y = _bootstrap_means(matrix, cells, 1, rng)
            ranges = []
            for key in design.keys:
                labels = columns[key]
                ok = ~np.isnan(y)
                means = [float(np.mean(y[ok & (labels == lv)])) for lv in set(labels[ok])]
                ranges.append(max(means) - min(means) if means else np.nan)
            draws.append(np.array(ranges))
    low, high = (
        _interval(np.array(draws))
        if draws
        else (np.full(len(design.keys), np.nan), np.full(len(design.keys), np.nan))
    )
    bounds = {key: (float(low[i]), float(high[i])) for i, key in enumerate(design.keys)}
    rows = successful(runs)
    rows = rows.loc[rows["policy"] == policy]
    out: dict[str, list] = {
        k: [] for k in ("method", "parameter", "index", "value", "ci_low", "ci_high")
    }
    values = as_float(rows[kpi])
    for key in design.keys:
        if key not in rows or rows[key].nunique(dropna=False) < 2:
            continue
        means = values.groupby(rows[key].astype(str).to_numpy()).mean()
        out["method"].append("main effect")
        out["parameter"].append(key)
        out["index"].append("range")
        out["value"].append(float(means.max() - means.min()))
        out["ci_low"].append(bounds.get(key, (math.nan, math.nan))[0])
        out["ci_high"].append(bounds.get(key, (math.nan, math.nan))[1])
    return out


def is_categorical(values: Sequence[Any]) -> bool:
    """Whether a factor's levels are categories (not all real numbers: names, booleans,
    mechanisms), whose listed order means nothing."""
    import numbers

    return any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in values)


def categorical_factors(design: Design) -> list[str]:
    """The design's keys with several levels that are categories (see `is_categorical`)."""
    out = []
    for i, key in enumerate(design.keys):
        values = [cell[i] for cell in design.cells]
        if len({repr(v) for v in values}) > 1 and is_categorical(values):
            out.append(key)
    return out


def _eta_squared(labels: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, float]]:
    """One-way ANOVA of y on labels: η² (between-level sum of squares over the total) and
    each level's effect (its mean minus the mean over levels, levels weighted alike)."""
    import numpy as np

    levels = sorted(set(labels))
    means = {level: float(np.mean(y[labels == level])) for level in levels}
    grand = float(np.mean(y))
    total = float(np.sum((y - grand) ** 2))
    between = float(sum(np.sum(labels == lv) * (means[lv] - grand) ** 2 for lv in levels))
    centre = float(np.mean(list(means.values())))
    return (between / total if total > 0 else float("nan")), {
        lv: m - centre for lv, m in means.items()
    }


def categorical_shares(
    design: Design, matrix: np.ndarray, resamples: int, seed: int
) -> dict[str, list]:
    """η² (share of the variance of cell means between a categorical factor's levels,
    one-way ANOVA) and per-level effects (level mean − mean over levels, in KPI units),
    with percentile bootstrap intervals over cells and replications. Neither depends on
    the order in which the levels are listed."""
    import numpy as np

    out: dict[str, list] = {
        k: [] for k in ("method", "parameter", "index", "level", "value", "ci_low", "ci_high")
    }
    keys = categorical_factors(design)
    if not keys:
        return out
    means = _cell_means(matrix)
    labels = {
        key: np.array([repr(cell[design.keys.index(key)]) for cell in design.cells]) for key in keys
    }
    names = {
        key: {
            repr(cell[design.keys.index(key)]): _label(cell[design.keys.index(key)])
            for cell in design.cells
        }
        for key in keys
    }
    rng = np.random.default_rng(seed)
    everything = np.arange(matrix.shape[0])
    draws: list[dict[str, tuple[float, dict[str, float]]]] = []
    if means is not None:
        for _ in range(resamples):
            rows, y = _bootstrap_means(matrix, everything, 1, rng)
            if np.any(np.isnan(y)):
                continue
            draws.append({key: _eta_squared(labels[key][rows], y) for key in keys})
    for key in keys:
        if means is None:
            eta, effects = float("nan"), {lv: float("nan") for lv in sorted(set(labels[key]))}
        else:
            eta, effects = _eta_squared(labels[key], means)
        found = [("eta2", "", eta, [d[key][0] for d in draws])]
        for level, effect in effects.items():
            found.append(
                (
                    "effect",
                    names[key][level],
                    effect,
                    [d[key][1].get(level, float("nan")) for d in draws],
                )
            )
        for index, level, value, sample in found:
            low, high = (
                _interval(np.array(sample)[:, None]) if sample else (np.array([np.nan]),) * 2
            )
            out["method"].append("anova")
            out["parameter"].append(key)
            out["index"].append(index)
            out["level"].append(level)
            out["value"].append(float(value))
            out["ci_low"].append(float(low[0]))
            out["ci_high"].append(float(high[0]))
    return out


def _label(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)
