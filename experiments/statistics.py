"""Statistics of a sweep: per cell and policy, paired differences, and the headline.

The formulas are those of `experiments.compare` (Student-t 95% intervals of the mean,
p50/p90 by linear interpolation, pairing on the seed), computed here for every cell at
once with grouped pandas operations, so a 10,000-cell Sobol design is summarised in
seconds. Runs with status `error` are left out and counted.

Unfinished runs (the project hit the horizon) are never averaged silently: every row
says how many runs of its cell and policy were unfinished, and the lead time of a group
with any is flagged `lower_bound` (the horizon stands in for an unknown, later end).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from experiments import compare

if TYPE_CHECKING:
    import pandas as pd

LEAD_TIME = compare.LEAD_TIME
RUN_KEYS = ("run_id", "cell_id", "policy", "replicate", "seed")
NOT_KPIS = frozenset({*RUN_KEYS, "status", "error", "elapsed_s"})
STAT_COLUMNS = ("n", "mean", "sd", "ci_low", "ci_high", "p50", "p90")


# --- the runs table --------------------------------------------------------------------------


def as_runs(runs: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A runs table from a DataFrame or a results folder (sorted by run_id)."""
    if isinstance(runs, str | Path):
        from experiments.store import read_runs

        return read_runs(runs)
    return runs


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The swept keys: every dotted column (`project.problem_rate`, `policy.autonomy`)."""
    return [c for c in runs.columns if "." in c]


def kpi_names(runs: pd.DataFrame) -> list[str]:
    """The KPI columns of a runs table, in table order."""
    return [c for c in runs.columns if c not in NOT_KPIS and "." not in c]


def successful(runs: pd.DataFrame) -> pd.DataFrame:
    """Runs with status `ok` (all of them when there is no status column)."""
    if "status" not in runs:
        return runs
    return runs.loc[runs["status"] == "ok"]


def policies_in(runs: pd.DataFrame) -> list[str]:
    """Policies in run order: the experiment's order (its first policy is the reference)."""
    ordered = runs.sort_values("run_id") if "run_id" in runs else runs
    return compare.policy_order(ordered)


def as_float(column: pd.Series) -> pd.Series:
    """A KPI column as floats (yes/no as 1/0, missing as NaN)."""
    if column.dtype == object:
        return compare.numeric(column)
    return column.astype(float)


def _with_cells(runs: pd.DataFrame) -> pd.DataFrame:
    # A comparison's runs table (`orgsim compare`) is a sweep with a single cell.
    return runs if "cell_id" in runs else runs.assign(cell_id=0)


# --- per cell and policy -----------------------------------------------------------------------


def describe_groups(frame: pd.DataFrame, keys: Sequence[str], kpis: Sequence[str]) -> pd.DataFrame:
    """n, mean, sd, 95% CI, p50 and p90 of each KPI per group, one row per group × KPI."""
    import numpy as np
    import pandas as pd
    from scipy.stats import t

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
    n = long["n"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t.ppf(0.5 + compare.CONFIDENCE / 2, n - 1) * long["sd"].to_numpy() / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    long["ci_low"] = long["mean"] - half
    long["ci_high"] = long["mean"] + half
    long["n"] = long["n"].astype(int)
    return long[[*keys, "kpi", *STAT_COLUMNS]]


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

    table = _with_cells(as_runs(runs))
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


def paired_differences(
    runs: pd.DataFrame | str | Path,
    reference: str | None = None,
    kpis: Sequence[str] | None = None,
    by_cell: bool = True,
) -> pd.DataFrame:
    """Paired differences `policy − reference` per cell (or pooled), one row per KPI.

    Runs pair when they share cell, replicate and seed (common random numbers). Columns:
    cell_id (when `by_cell`), policy, reference, kpi, pairs, mean, sd, ci_low, ci_high,
    lower_in (pairs where the policy's value was strictly lower: for lead time, a win).
    """
    import pandas as pd

    table = successful(_with_cells(as_runs(runs)))
    policies = policies_in(table)
    reference = reference or policies[0]
    kpis = list(kpis) if kpis is not None else kpi_names(table)
    index = ["cell_id", "replicate", "seed"]
    mine = table.set_index(index)
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
        return pd.DataFrame(
            columns=[
                *(["cell_id"] if by_cell else []),
                "policy",
                "reference",
                "kpi",
                "pairs",
                "mean",
                "sd",
                "ci_low",
                "ci_high",
                "lower_in",
            ]
        )
    diffs = pd.concat(frames, ignore_index=True)
    keys = ["cell_id", "policy"] if by_cell else ["policy"]
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
    return stats.drop(columns=["p50", "p90"])


# --- the headline ---------------------------------------------------------------------------


def headline(runs: pd.DataFrame | str | Path, policies: Sequence[str] | None = None) -> str:
    """A plain-language first sentence for a sweep, checked against the numbers.

    The sentence of `experiments.compare.headline` over every paired run of the design
    (a pair: same cell, replicate and seed): which policy finished earlier than the first
    (reference) policy in how many pairs, by how much on average with its 95% CI. With
    several cells it says the figures are over all of them; failed runs are counted.
    """
    table = _with_cells(as_runs(runs))
    good = successful(table)
    if good.empty:
        return "No run succeeded: there is nothing to summarise."
    policies = list(policies) if policies is not None else policies_in(good)
    replicates = int(table["replicate"].max()) + 1
    # Pairs are (cell, replicate): give each its own replicate number for compare's pairing.
    pooled = good.assign(replicate=good["cell_id"] * replicates + good["replicate"])
    text = compare.headline(pooled, policies)
    cells = int(table["cell_id"].nunique())
    if cells > 1:
        text = f"Over all {cells} cells of the design: {text}"
    failed = len(table) - len(good)
    if failed:
        text += f" {failed} of {len(table)} runs failed and are left out."
    return text
