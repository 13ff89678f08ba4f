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
