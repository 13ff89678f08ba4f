"""Statistics of runs: t-intervals, means with CIs, descriptions, paired differences, wins.

Every confidence interval in orgsim (comparisons, sweep summaries, the report and its
figures, the dashboard) is `t_half_width`: the Student-t interval of a mean,
`mean ± t(1 − α/2, n − 1) × s / √n`, with `s` the sample standard deviation (n − 1 in the
denominator); it needs two values (NaN otherwise). Percentiles (p50, p90) interpolate
linearly. NaN values are left out.

Runs pair when two policies ran with the same cell, replicate and seed (common random
numbers: the same project and the same problems); differences are `policy − reference`
pair by pair, and a policy "wins" a pair when its value is strictly lower.

`describe` and `mean_ci` take one sample (NumPy); `describe_groups` and
`paired_differences` compute the same figures for every group of a table at once
(pandas), so a 10,000-cell design is summarised in seconds. SciPy, NumPy and pandas are
imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from experiments.runs_table import (
    LEAD_TIME,
    as_float,
    as_runs,
    kpi_names,
    parameter_columns,
    policy_order,
    successful,
    with_cells,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CONFIDENCE = 0.95
STAT_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high", "p50", "p90")
# The columns of `paired_differences` after its keys (cell_id, the parameters and policy, or
# policy).
DIFFERENCE_COLUMNS = ("reference", "kpi", "pairs", "mean", "sd", "ci_low", "ci_high", "lower_in")


class Estimate(NamedTuple):
    """A mean with its confidence interval (NaN bounds when fewer than two values)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int


# --- one sample ------------------------------------------------------------------------------


def t_half_width(sd: Any, n: Any, confidence: float = CONFIDENCE) -> Any:
    """Half the width of the Student-t interval of a mean: `t(1 − α/2, n − 1) × sd / √n`.

    `sd` and `n` are numbers or arrays (one group each); NaN where n < 2.
    """
    import numpy as np

    # `scipy.special.stdtrit(df, q)` is what `scipy.stats.t.ppf(q, df)` computes (times a
    # scale of 1, plus a location of 0: the same bits), without importing scipy.stats
    # (about a second; scipy.special comes with Mesa already).
    from scipy.special import stdtrit

    n = np.asarray(n, dtype=float)
    sd = np.asarray(sd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(n >= 2, n - 1, 1.0)
        half = np.where(n >= 2, stdtrit(df, 0.5 + confidence / 2) * sd / np.sqrt(n), np.nan)
    return float(half) if half.ndim == 0 else half


def values_of(values: Iterable[float]) -> np.ndarray:
    """The values as a float array without NaN."""
    import numpy as np
    import pandas as pd

    x = np.asarray(
        list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=float
    )
    return x[~np.isnan(x)]


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> Estimate:
    """Mean and Student-t confidence interval of the mean of the non-NaN values.

    With one value the bounds are NaN (an interval cannot be estimated); with none the
    mean is NaN too.
    """
    x = values_of(values)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, 1)
    half = t_half_width(float(x.std(ddof=1)), n, confidence)
    return Estimate(mean, mean - half, mean + half, n)


def describe(values: Iterable[float]) -> dict[str, float]:
    """`n`, `mean`, `sd`, `ci_low`, `ci_high` (95%, Student t), `p50`, `p90` of the
    non-NaN values (NaN where there are too few)."""
    import numpy as np

    x = values_of(values)
    estimate = mean_ci(x)
    if len(x) == 0:
        p50 = p90 = math.nan
    else:
        p50, p90 = (float(v) for v in np.percentile(x, [50, 90]))
    return {
        "n": len(x),
        "mean": estimate.mean,
        "sd": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "p50": p50,
        "p90": p90,
    }


# --- pairs of one KPI --------------------------------------------------------------------------


def paired(runs: pd.DataFrame, policy: str, reference: str, kpi: str) -> pd.DataFrame:
    """The KPI of `policy` and of `reference` side by side, one row per pair of runs.

    Runs pair when they have the same replicate and seed (and cell, when the table has
    cells); pairs where either value is missing are left out. Columns: the keys,
    `policy`, `reference`.
    """
    keys = [k for k in ("cell_id", "replicate", "seed") if k in runs]
    ours = runs.loc[runs["policy"] == policy]
    theirs = runs.loc[runs["policy"] == reference]
    mine = ours[keys].assign(policy=as_float(ours[kpi]))
    theirs = theirs[keys].assign(reference=as_float(theirs[kpi]))
    both = mine.merge(theirs, on=keys, how="inner").dropna(subset=["policy", "reference"])
    return both.sort_values(keys).reset_index(drop=True)


def differences(runs: pd.DataFrame, policy: str, reference: str, kpi: str) -> np.ndarray:
    """Paired differences `policy − reference` of one KPI."""
    pairs = paired(runs, policy, reference, kpi)
    return (pairs["policy"] - pairs["reference"]).to_numpy(dtype=float)


def wins(runs: pd.DataFrame, policy: str, reference: str, kpi: str = LEAD_TIME) -> tuple[int, int]:
    """(k, n): in k of the n pairs `policy` had a strictly lower `kpi` than `reference`."""
    pairs = paired(runs, policy, reference, kpi)
    return int((pairs["policy"] < pairs["reference"]).sum()), len(pairs)


# --- every group of a table ---------------------------------------------------------------------


def describe_groups(frame: pd.DataFrame, keys: Sequence[str], kpis: Sequence[str]) -> pd.DataFrame:
    """`describe` of each KPI per group, one row per group × KPI: the keys, `kpi`, then
    n, mean, sd, ci_low, ci_high, p50 and p90."""
    import pandas as pd

    values = pd.DataFrame({k: as_float(frame[k]) for k in kpis}, index=frame.index)
    for key in keys:
        values[key] = frame[key].to_numpy()
    grouped = values.groupby(list(keys), sort=False, dropna=False)
    parts = {
        "n": grouped[list(kpis)].count(),
        "mean": grouped[list(kpis)].mean(),
        "sd": grouped[list(kpis)].std(ddof=1),
        "p50": grouped[list(kpis)].quantile(0.5),
        "p90": grouped[list(kpis)].quantile(0.9),
    }
    long = pd.concat({name: part.stack(future_stack=True) for name, part in parts.items()}, axis=1)
    long.index = long.index.set_names([*keys, "kpi"])
    long = long.reset_index()
    half = t_half_width(long["sd"].to_numpy(), long["n"].to_numpy(dtype=float))
    long["ci_low"] = long["mean"] - half
    long["ci_high"] = long["mean"] + half
    long["n"] = long["n"].astype(int)
    return long[[*keys, "kpi", *STAT_COLUMNS]]


def paired_differences(
    runs: pd.DataFrame | str | Path,
    reference: str | None = None,
    kpis: Sequence[str] | None = None,
    by_cell: bool = True,
) -> pd.DataFrame:
    """Paired differences `policy − reference` per cell (or pooled), one row per KPI.

    Successful runs pair when they share cell, replicate and seed. Columns: cell_id and
    the cell's parameter columns (when `by_cell`), policy, reference, kpi, pairs, mean, sd, ci_low, ci_high, lower_in (pairs
    where the policy's value was strictly lower: for lead time, a win). `reference`
    defaults to the first policy.
    """
    import pandas as pd

    table = successful(with_cells(as_runs(runs)))
    policies = policy_order(table)
    reference = reference or policies[0]
    kpis = list(kpis) if kpis is not None else kpi_names(table)
    keys = ["cell_id", "policy"] if by_cell else ["policy"]
    mine = table.set_index(["cell_id", "replicate", "seed"])
    reference_rows = mine.loc[mine["policy"] == reference]
    frames = []
    for policy in policies:
        if policy == reference:
            continue
        ours = mine.loc[mine["policy"] == policy]
        both = ours.index.intersection(reference_rows.index)
        diffs = pd.DataFrame(
            {
                k: as_float(ours.loc[both, k]).to_numpy()
                - as_float(reference_rows.loc[both, k]).to_numpy()
                for k in kpis
            },
            index=both,
        ).reset_index()
        diffs["policy"] = policy
        frames.append(diffs)
    if not frames:
        return pd.DataFrame(columns=[*keys, *DIFFERENCE_COLUMNS])
    diffs = pd.concat(frames, ignore_index=True)
    stats = describe_groups(diffs, keys, kpis).rename(columns={"n": "pairs"})
    lower = (
        diffs.groupby(keys, sort=False)[kpis]
        .agg(lambda s: int((s < 0).sum()))
        .stack(future_stack=True)
        .rename("lower_in")
    )
    lower.index = lower.index.set_names([*keys, "kpi"])
    stats = stats.merge(lower.reset_index(), on=[*keys, "kpi"], how="left")
    stats.insert(len(keys), "reference", reference)
    stats = stats.drop(columns=["p50", "p90"])
    parameters = parameter_columns(table) if by_cell else []
    if parameters:
        cells = table.drop_duplicates("cell_id")[["cell_id", *parameters]]
        stats = stats.merge(cells, on="cell_id", how="left")
        rest = [c for c in stats.columns if c not in ("cell_id", *parameters)]
        stats = stats[["cell_id", *parameters, *rest]]
    return stats


def interaction_contrast(
    runs: pd.DataFrame | str | Path,
    first: str,
    second: str,
    policy: str,
    reference: str | None = None,
    kpi: str = LEAD_TIME,
    levels: tuple[tuple[Any, Any], tuple[Any, Any]] | None = None,
) -> Estimate:
    """The two-factor interaction contrast of the paired gap `policy − reference`.

    With gap(a, b) the paired difference at levels a of `first` and b of `second`, the
    contrast is `[gap(a1, b1) − gap(a0, b1)] − [gap(a1, b0) − gap(a0, b0)]`: how much the
    effect of `first` on the gap changes with `second` (0: no interaction). `levels` gives
    (a0, a1) and (b0, b1); by default the lowest and highest level of each (sorted). It is
    computed replicate by replicate (the same seed in every cell, so the seeds' effect
    cancels) and averaged over cells sharing those levels; the interval is Student's t
    over the replicates. `n` is the number of replicates with all four corners.
    """
    import numpy as np

    table = successful(with_cells(as_runs(runs)))
    reference = reference or policy_order(table)[0]
    ours = table.loc[table["policy"] == policy].set_index(["cell_id", "replicate", "seed"])
    theirs = table.loc[table["policy"] == reference].set_index(["cell_id", "replicate", "seed"])
    both = ours.index.intersection(theirs.index)
    gaps = (as_float(ours.loc[both, kpi]) - as_float(theirs.loc[both, kpi])).rename("gap")
    frame = gaps.reset_index()
    frame[first] = ours.loc[both, first].to_numpy()
    frame[second] = ours.loc[both, second].to_numpy()
    if levels is None:
        a = sorted(frame[first].dropna().unique())
        b = sorted(frame[second].dropna().unique())
        if len(a) < 2 or len(b) < 2:
            return Estimate(math.nan, math.nan, math.nan, 0)
        levels = ((a[0], a[-1]), (b[0], b[-1]))
    (a0, a1), (b0, b1) = levels
    corners = frame.groupby(["replicate", first, second])["gap"].mean()
    values = []
    for replicate in sorted(frame["replicate"].unique()):
        try:
            g = {(x, y): corners.loc[(replicate, x, y)] for x in (a0, a1) for y in (b0, b1)}
        except KeyError:
            continue
        values.append((g[(a1, b1)] - g[(a0, b1)]) - (g[(a1, b0)] - g[(a0, b0)]))
    return mean_ci(np.asarray(values, dtype=float))
