"""Summaries of a sweep: statistics per cell and policy, and the headline.

The figures are those of `experiments.statistics` for every group at once. Runs with
status `error` are left out and counted. Unfinished runs (the project hit the horizon) are
never averaged silently: every row says how many runs of its cell and policy were
unfinished, and the lead time of a group with any is flagged `lower_bound` (the horizon
stands in for an unknown, later end).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
from experiments.statistics import describe_groups

if TYPE_CHECKING:
    import pandas as pd


def summarise(
    runs: pd.DataFrame | str | Path, kpis: Sequence[str] | None = None, by_cell: bool = True
) -> pd.DataFrame:
    """Statistics per cell and policy (or per policy, `by_cell=False`), one row per KPI.

    Columns: cell_id and the swept keys, policy, kpi, n, mean, sd, ci_low, ci_high (95%,
    Student t), p50, p90; then for the group: runs, errors (left out), unfinished,
    share_finished, p_on_time (NaN without a deadline) and lower_bound (lead time of a
    group with unfinished runs: the horizon stands in for a later end).
    """
    import numpy as np

    table = with_cells(as_runs(runs))
    kpis = list(kpis) if kpis is not None else kpi_names(table)
    parameters = parameter_columns(table) if by_cell else []
    keys = ["cell_id", "policy"] if by_cell else ["policy"]
    good = successful(table)
    stats = describe_groups(good, keys, kpis)

    groups = table.groupby(keys, sort=False)
    counts = groups.size().rename("runs").to_frame()
    counts["errors"] = (
        groups["status"].agg(lambda s: int((s != "ok").sum())) if "status" in table else 0
    )
    if "finished" in good:
        finished = as_float(good["finished"]).groupby([good[k] for k in keys], sort=False)
        counts["unfinished"] = finished.agg(lambda s: int((s == 0).sum()))
        counts["share_finished"] = finished.mean()
    else:
        counts["unfinished"] = 0
        counts["share_finished"] = np.nan
    if "on_time" in good:
        on_time = as_float(good["on_time"]).groupby([good[k] for k in keys], sort=False)
        counts["p_on_time"] = on_time.mean()
    else:
        counts["p_on_time"] = np.nan
    counts["unfinished"] = counts["unfinished"].fillna(0).astype(int)
    summary = stats.merge(counts.reset_index(), on=keys, how="left")
    summary["lower_bound"] = (summary["kpi"] == LEAD_TIME) & (summary["unfinished"] > 0)
    if parameters:
        cells = table.drop_duplicates("cell_id")[["cell_id", *parameters]]
        summary = summary.merge(cells, on="cell_id", how="left")
    order = [*keys[:-1], *parameters, keys[-1], "kpi"]
    rest = [c for c in summary.columns if c not in order]
    return summary[[*order, *rest]]


def headline(runs: pd.DataFrame | str | Path, policies: Sequence[str] | None = None) -> str:
    """A plain-language first sentence for a sweep, checked against the numbers.

    The sentence of `experiments.compare.headline` over every pair of runs of the design
    (same cell, replicate and seed): every policy against the first (reference) policy,
    which finished earlier in how many pairs, by how much on average with its 95% CI. With several cells it says the figures are over all of them;
    failed runs are counted.
    """
    from experiments import compare

    table = with_cells(as_runs(runs))
    good = successful(table)
    if good.empty:
        return "No run succeeded: there is nothing to summarise."
    policies = list(policies) if policies is not None else policy_order(good)
    text = compare.headline(good, policies)
    cells = int(table["cell_id"].nunique())
    if cells > 1:
        text = f"Over all {cells} cells of the design: {text}"
    failed = len(table) - len(good)
    if failed:
        text += f" {failed} of {len(table)} runs failed and are left out."
    return text


# --- the paired gap against the swept parameters -----------------------------------------------
#
# The gap is `policy − reference` of one KPI, pair by pair (same cell, replicate and seed).
# Replicate r has the same seed in every cell, so the gaps of one replicate in different cells
# are not independent draws: every figure below first averages the gaps of each replicate
# over the cells it pools, then takes Student's t over the replicates (as
# `experiments.statistics.interaction_contrast` does).


def paired_gaps(
    runs: pd.DataFrame | str | Path, kpi: str = LEAD_TIME, reference: str | None = None
) -> pd.DataFrame:
    """One row per pair of successful runs: cell_id, replicate, seed, the swept keys,
    policy, reference and `gap` (`policy − reference` of `kpi`)."""
    import pandas as pd

    table = successful(with_cells(as_runs(runs)))
    policies = policy_order(table)
    parameters = parameter_columns(table)
    columns = ["cell_id", "replicate", "seed", *parameters, "policy", "reference", "gap"]
    if not policies:
        return pd.DataFrame(columns=columns)
    reference = reference or policies[0]
    keys = ["cell_id", "replicate", "seed"]
    theirs = table.loc[table["policy"] == reference, keys].assign(
        _reference=as_float(table.loc[table["policy"] == reference, kpi])
    )
    frames = []
    for policy in policies:
        if policy == reference:
            continue
        mine = table.loc[table["policy"] == policy]
        ours = mine[[*keys, *parameters]].assign(_value=as_float(mine[kpi]))
        both = ours.merge(theirs, on=keys, how="inner").dropna(subset=["_value", "_reference"])
        both["gap"] = both["_value"] - both["_reference"]
        frames.append(both.assign(policy=policy, reference=reference))
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _replicate_mean_ci(gaps: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Per group of `keys`: the mean of each replicate's mean gap, its t-interval over the
    replicates, the pairs pooled and the pairs where the policy's value was lower."""
    import pandas as pd

    from experiments.statistics import mean_ci

    rows = []
    for group, part in gaps.groupby(list(keys), sort=False, dropna=False):
        by_replicate = part.groupby("replicate")["gap"].mean()
        estimate = mean_ci(by_replicate.to_numpy())
        rows.append(
            {
                **dict(zip(keys, group if isinstance(group, tuple) else (group,), strict=True)),
                "replicates": estimate.n,
                "mean": estimate.mean,
                "ci_low": estimate.ci_low,
                "ci_high": estimate.ci_high,
                "pairs": len(part),
                "wins": int((part["gap"] < 0).sum()),
            }
        )
    return pd.DataFrame(
        rows, columns=[*keys, "replicates", "mean", "ci_low", "ci_high", "pairs", "wins"]
    )


def gap_by_level(gaps: pd.DataFrame, parameter: str) -> pd.DataFrame:
    """The paired gap at each level of one swept key, per policy (the other keys averaged
    over): policy, the key, replicates, mean, ci_low, ci_high (95%, Student t over the
    replicates), pairs and wins (pairs where the policy's value was strictly lower).
    Levels in the order of `ordered_levels`."""
    table = _replicate_mean_ci(gaps, ["policy", parameter])
    policies = {p: i for i, p in enumerate(dict.fromkeys(gaps["policy"]))}
    levels = {v: i for i, v in enumerate(ordered_levels(gaps[parameter]))}
    table = table.assign(_policy=table["policy"].map(policies), _level=table[parameter].map(levels))
    table = table.sort_values(["_policy", "_level"], kind="stable").drop(
        columns=["_policy", "_level"]
    )
    return table.reset_index(drop=True)


def gap_grid(gaps: pd.DataFrame, first: str, second: str, policy: str) -> pd.DataFrame:
    """The mean paired gap of `policy` at each pair of levels of two swept keys (the other
    keys averaged over), with its interval: first, second, replicates, mean, ci_low,
    ci_high, pairs, wins."""
    part = gaps.loc[gaps["policy"] == policy]
    return _replicate_mean_ci(part, [first, second]).reset_index(drop=True)


def main_effects(
    runs: pd.DataFrame | str | Path,
    parameters: Sequence[str],
    kpi: str = LEAD_TIME,
    reference: str | None = None,
) -> pd.DataFrame:
    """The main effect of each swept key, from its first level to its last.

    Levels are sorted when they are numbers, in the runs' order otherwise. For each
    policy, the effect on `kpi` (mean at the last level minus mean at the first, the other
    keys averaged over), and for each policy but the reference the effect on the paired gap
    `policy − reference`; both replicate by replicate (replicate r meets the same seed at
    every level, so the seed's effect cancels), with Student's t 95% interval over the
    replicates. Columns: parameter, low, high, policy, measure ("kpi" or "gap"),
    replicates, mean, ci_low, ci_high.
    """
    import pandas as pd

    from experiments.statistics import mean_ci

    table = successful(with_cells(as_runs(runs)))
    policies = policy_order(table)
    columns = ["parameter", "low", "high", "policy", "measure", "replicates"]
    columns += ["mean", "ci_low", "ci_high"]
    if not policies:
        return pd.DataFrame(columns=columns)
    reference = reference or policies[0]
    gaps = paired_gaps(table, kpi, reference)
    values = table.assign(gap=as_float(table[kpi]))
    rows = []
    for parameter in parameters:
        levels = ordered_levels(table[parameter])
        if len(levels) < 2:
            continue
        low, high = levels[0], levels[-1]
        for policy in policies:
            for measure, frame in (("kpi", values), ("gap", gaps)):
                if measure == "gap" and policy == reference:
                    continue
                part = frame.loc[frame["policy"] == policy]
                means = part.groupby(["replicate", parameter])["gap"].mean()
                effects = [
                    means.loc[(r, high)] - means.loc[(r, low)]
                    for r in sorted(part["replicate"].unique())
                    if (r, high) in means.index and (r, low) in means.index
                ]
                estimate = mean_ci(effects)
                rows.append([parameter, low, high, policy, measure, estimate.n, *estimate[:3]])
    return pd.DataFrame(rows, columns=columns)


def ordered_levels(values: pd.Series) -> list:
    """The distinct values of a swept key: sorted numbers, or names in the runs' order."""
    import pandas as pd

    distinct = list(dict.fromkeys(values.dropna()))
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return sorted(distinct)
    return distinct
