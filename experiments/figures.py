"""The figures of a sweep report, drawn with matplotlib (no pyplot: no global state).

Each function takes tables and returns a `Figure`; `png` turns one into PNG bytes without
metadata that points anywhere. Colours follow the Okabe-Ito palette (colour-blind safe),
one colour per policy in the experiment's order.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from experiments.display import PERCENT_KPIS, label, unit
from experiments.runs_table import as_float
from experiments.statistics import t_half_width

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BINS = 8  # continuous parameters (sampled designs) are shown as means over quantile bins
CP_PARTS = (
    ("cp_work_days", "work"),
    ("cp_rework_days", "rework"),
    ("cp_information_wait_days", "waiting for information"),
    ("cp_decision_wait_days", "waiting for decisions"),
    ("cp_coordination_days", "coordination"),
    ("cp_queue_days", "queued for a free person"),
)


def colour(index: int) -> str:
    """The colour of the index-th policy."""
    return PALETTE[index % len(PALETTE)]


SCREEN_DPI = 110  # embedded in the HTML page
PRINT_DPI = 300  # the PNG files next to it


def png(figure: Figure, dpi: int = SCREEN_DPI) -> bytes:
    """The figure as PNG bytes (no software tag: the file references nothing)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def svg(figure: Figure) -> bytes:
    """The figure as SVG bytes (vector, for print and editing; no date, no software tag)."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None}
    )
    return buffer.getvalue()


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure


def _scale(kpi: str) -> float:
    # Utilisations are stored as shares and shown in % (their unit says so).
    return 100.0 if kpi in PERCENT_KPIS else 1.0


def _axis_label(kpi: str) -> str:
    text = label(kpi)
    return f"{text} ({unit(kpi)})" if unit(kpi) else text


def lead_time_distributions(runs: pd.DataFrame, policies: Sequence[str]) -> Figure:
    """Lead time of every run, one box per policy; runs that hit the horizon as red crosses."""
    import numpy as np

    figure = _figure(7.5, 0.9 + 0.75 * len(policies))
    ax = figure.add_subplot()
    rng = np.random.default_rng(0)
    data = []
    labelled = False
    for i, policy in enumerate(policies):
        rows = runs.loc[runs["policy"] == policy]
        values = as_float(rows["lead_time_days"]).to_numpy()
        data.append(values[~np.isnan(values)])
        finished = (
            as_float(rows["finished"]).to_numpy() if "finished" in rows else np.ones(len(rows))
        )
        jitter = i + rng.uniform(-0.18, 0.18, len(values))
        done = finished == 1
        ax.scatter(values[done], jitter[done], s=12, alpha=0.6, color=colour(i), linewidths=0)
        if (~done).any():
            ax.scatter(
                values[~done],
                jitter[~done],
                s=14,
                marker="x",
                color="#D55E00",
                label=None if labelled else "hit the horizon (lower bound)",
            )
            labelled = True
    style = {
        "positions": range(len(policies)),
        "widths": 0.5,
        "showfliers": False,
        "medianprops": {"color": "black"},
    }
    try:
        ax.boxplot(data, orientation="horizontal", **style)
    except TypeError:  # matplotlib before 3.10
        ax.boxplot(data, vert=False, **style)
    ax.set_yticks(range(len(policies)), list(policies))
    ax.invert_yaxis()
    ax.set_xlabel("lead time (working days)")
    ax.grid(axis="x", alpha=0.3)
    if labelled:
        ax.legend(loc="lower right", fontsize=8)
    return figure


def kpi_against_parameter(
    runs: pd.DataFrame, parameter: str, kpis: Sequence[str], policies: Sequence[str]
) -> Figure:
    """Mean of each KPI against one parameter, a 95% CI band per policy.

    Other parameters are averaged over (their levels are balanced in factorial designs).
    Numbers are plotted on a number line; text levels side by side; a sampled continuous
    parameter is cut into quantile bins.
    """
    import pandas as pd

    columns = 4 if len(kpis) > 4 else len(kpis)
    rows_n = math.ceil(len(kpis) / columns)
    figure = _figure(3.2 * columns, 2.6 * rows_n + 0.4)
    axes = figure.subplots(rows_n, columns, squeeze=False).ravel()
    values = runs[parameter]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    distinct = values.nunique(dropna=True)
    if numeric and distinct > 12:
        bins = pd.qcut(values.astype(float), q=min(BINS, distinct), duplicates="drop")
        position = bins.map(lambda b: b.mid).astype(float)
    elif numeric:
        position = values.astype(float)
    else:
        levels = list(dict.fromkeys(values.astype(str)))
        position = values.astype(str).map({v: i for i, v in enumerate(levels)}).astype(float)
    for ax, kpi in zip(axes, kpis, strict=False):
        for i, policy in enumerate(policies):
            mask = (runs["policy"] == policy).to_numpy()
            y = as_float(runs.loc[mask, kpi]).to_numpy() * _scale(kpi)
            frame = pd.DataFrame({"x": position[mask].to_numpy(), "y": y})
            stats = frame.groupby("x")["y"].agg(["mean", "std", "count"]).sort_index()
            if stats.empty:
                continue
            half = t_half_width(stats["std"].to_numpy(), stats["count"].to_numpy(dtype=float))
            x = stats.index.to_numpy(dtype=float)
            mean = stats["mean"].to_numpy()
            if numeric:
                ax.plot(x, mean, color=colour(i), marker="o", markersize=3, label=policy)
                ax.fill_between(
                    x, mean - half, mean + half, color=colour(i), alpha=0.2, linewidth=0
                )
            else:
                offset = (i - (len(policies) - 1) / 2) * 0.12
                ax.errorbar(
                    x + offset,
                    mean,
                    yerr=half,
                    fmt="o",
                    color=colour(i),
                    markersize=4,
                    capsize=3,
                    label=policy,
                )
        ax.set_title(_axis_label(kpi), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if not numeric:
            ax.set_xticks(range(len(levels)), levels, rotation=20, fontsize=8)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside upper center", ncols=len(policies), fontsize=9)
    figure.supxlabel(parameter, fontsize=10)
    return figure


def stacked_split(
    summary: pd.DataFrame, parts: Sequence[tuple[str, str]], policies: Sequence[str], xlabel: str
) -> Figure:
    """Mean of each part per policy as one stacked horizontal bar per policy."""
    import numpy as np

    figure = _figure(7.5, 1.1 + 0.6 * len(policies))
    ax = figure.add_subplot()
    left = np.zeros(len(policies))
    for j, (kpi, name) in enumerate(parts):
        means = []
        for policy in policies:
            row = summary.loc[(summary["policy"] == policy) & (summary["kpi"] == kpi), "mean"]
            means.append(float(row.iloc[0]) if len(row) and not math.isnan(row.iloc[0]) else 0.0)
        ax.barh(range(len(policies)), means, left=left, color=PALETTE[j % len(PALETTE)], label=name)
        left += np.array(means)
    ax.set_yticks(range(len(policies)), list(policies))
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    handles, labels = ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return figure


def means_with_intervals(
    summary: pd.DataFrame, kpis: Sequence[str], policies: Sequence[str]
) -> Figure:
    """Mean and 95% CI of each KPI per policy, one panel per KPI."""
    figure = _figure(3.4 * len(kpis), 0.9 + 0.55 * len(policies))
    axes = figure.subplots(1, len(kpis), squeeze=False).ravel()
    for ax, kpi in zip(axes, kpis, strict=True):
        for i, policy in enumerate(policies):
            row = summary.loc[(summary["policy"] == policy) & (summary["kpi"] == kpi)]
            if row.empty:
                continue
            mean, low, high = (
                float(row[c].iloc[0]) * _scale(kpi) for c in ("mean", "ci_low", "ci_high")
            )
            ax.barh(i, mean, color=colour(i), alpha=0.8)
            if not math.isnan(low):
                ax.errorbar(mean, i, xerr=[[mean - low], [high - mean]], color="black", capsize=3)
        ax.set_yticks(
            range(len(policies)), list(policies) if ax is axes[0] else [""] * len(policies)
        )
        ax.invert_yaxis()
        ax.set_title(_axis_label(kpi), fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    return figure


def sensitivity_bars(indices: pd.DataFrame, policies: Sequence[str]) -> Figure:
    """The sensitivity of lead time to each parameter, per policy, with 95% intervals."""
    names = list(dict.fromkeys(indices["index"]))
    parameters = list(dict.fromkeys(indices["parameter"]))
    figure = _figure(4.2 * len(names), 1.0 + 0.45 * len(parameters) * max(1, len(policies)) ** 0.5)
    axes = figure.subplots(1, len(names), squeeze=False).ravel()
    height = 0.8 / max(1, len(policies))
    for ax, name in zip(axes, names, strict=True):
        for i, policy in enumerate(policies):
            rows = indices.loc[(indices["index"] == name) & (indices["policy"] == policy)]
            rows = rows.set_index("parameter").reindex(parameters)
            y = [k + (i - (len(policies) - 1) / 2) * height for k in range(len(parameters))]
            values = rows["value"].to_numpy(dtype=float)
            # A bootstrap interval need not contain the point estimate (a biased index, an
            # interval clipped to [0, 1]): the bar then shows no whisker on that side.
            low = np.nan_to_num(np.clip(values - rows["ci_low"].to_numpy(dtype=float), 0, None))
            high = np.nan_to_num(np.clip(rows["ci_high"].to_numpy(dtype=float) - values, 0, None))
            ax.barh(y, values, height=height, color=colour(i), label=policy)
            ax.errorbar(
                values, y, xerr=[low, high], fmt="none", color="black", capsize=2, linewidth=0.8
            )
        ax.set_yticks(
            range(len(parameters)),
            parameters if ax is axes[0] else [""] * len(parameters),
            fontsize=8,
        )
        ax.invert_yaxis()
        ax.set_title(name, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, labels, loc="outside lower center", ncols=len(policies), fontsize=9)
    return figure


def binned(values: pd.Series) -> pd.Series:
    """A swept key as the figures place it: numbers as they are, a sampled continuous key
    (more than 12 distinct numbers) as the middle of its quantile bin, names as text."""
    import pandas as pd

    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    distinct = values.nunique(dropna=True)
    if numeric and distinct > 12:
        bins = pd.qcut(values.astype(float), q=min(BINS, distinct), duplicates="drop")
        return bins.map(lambda b: b.mid).astype(float)
    return values if numeric else values.astype(str)


def paired_gap_against_parameter(
    by_level: pd.DataFrame,
    parameter: str,
    policies: Sequence[str],
    kpi: str = "lead_time_days",
    name: str | None = None,
) -> Figure:
    """The paired difference `policy − reference` of `kpi` against one swept key: a line
    (mean) and a band (95% CI) per policy other than the reference, and the zero line
    (no difference). `by_level` is `experiments.summaries.gap_by_level`."""
    import pandas as pd

    figure = _figure(6.4, 3.4)
    ax = figure.add_subplot()
    reference = policies[0]
    numeric = pd.api.types.is_numeric_dtype(by_level[parameter]) and not (
        pd.api.types.is_bool_dtype(by_level[parameter])
    )
    levels = list(dict.fromkeys(by_level[parameter].astype(str))) if not numeric else []
    others = [p for p in policies[1:] if p in set(by_level["policy"])]
    for policy in others:
        i = list(policies).index(policy)
        rows = by_level.loc[by_level["policy"] == policy]
        mean = rows["mean"].to_numpy(dtype=float) * _scale(kpi)
        low = rows["ci_low"].to_numpy(dtype=float) * _scale(kpi)
        high = rows["ci_high"].to_numpy(dtype=float) * _scale(kpi)
        if numeric:
            x = rows[parameter].to_numpy(dtype=float)
            ax.plot(x, mean, color=colour(i), marker="o", markersize=3, label=policy)
            ax.fill_between(x, low, high, color=colour(i), alpha=0.2, linewidth=0)
        else:
            offset = (others.index(policy) - (len(others) - 1) / 2) * 0.12
            x = np.array([levels.index(str(v)) for v in rows[parameter]], dtype=float) + offset
            ax.errorbar(
                x,
                mean,
                yerr=[np.nan_to_num(mean - low), np.nan_to_num(high - mean)],
                fmt="o",
                color=colour(i),
                markersize=4,
                capsize=3,
                label=policy,
            )
    ax.axhline(0.0, color="black", linewidth=0.8)
    if not numeric:
        ax.set_xticks(range(len(levels)), levels, rotation=20, fontsize=8)
    ax.set_xlabel(name or parameter, fontsize=10)
    ax.set_ylabel(f"{label(kpi)}: policy − {reference} ({unit(kpi)})", fontsize=9)
    ax.grid(alpha=0.3)
    if others:
        ax.legend(fontsize=8, title=f"minus {reference}", title_fontsize=8)
    return figure


def gap_heatmap(
    grid: pd.DataFrame,
    first: str,
    second: str,
    policy: str,
    reference: str,
    kpi: str = "lead_time_days",
    names: tuple[str, str] | None = None,
) -> Figure:
    """The mean paired gap `policy − reference` at each pair of levels of two swept keys,
    as a heatmap with the value (and its 95% CI) written in each square; purple where the
    policy is lower, orange where it is higher (0 is white). `grid` is
    `experiments.summaries.gap_grid`; levels are shown in the order it lists them."""
    import pandas as pd
    from matplotlib.colors import TwoSlopeNorm

    rows = list(dict.fromkeys(grid[first]))
    columns = list(dict.fromkeys(grid[second]))
    means = grid.pivot_table(index=first, columns=second, values="mean", aggfunc="first")
    means = means.reindex(index=rows, columns=columns)
    matrix = means.to_numpy(dtype=float) * _scale(kpi)
    reach = float(np.nanmax(np.abs(matrix))) if np.isfinite(matrix).any() else 1.0
    reach = reach or 1.0
    figure = _figure(1.6 + 1.3 * len(columns), 1.3 + 0.7 * len(rows))
    ax = figure.add_subplot()
    image = ax.imshow(matrix, cmap="PuOr_r", norm=TwoSlopeNorm(0.0, -reach, reach), aspect="auto")
    by = grid.set_index([first, second])
    for i, a in enumerate(rows):
        for j, b in enumerate(columns):
            if (a, b) not in by.index or pd.isna(matrix[i, j]):
                continue
            r = by.loc[(a, b)]
            text = f"{matrix[i, j]:+.1f}"
            if not pd.isna(r["ci_low"]):
                text += f"\n({r['ci_low'] * _scale(kpi):+.1f}, {r['ci_high'] * _scale(kpi):+.1f})"
            dark = abs(matrix[i, j]) > 0.6 * reach
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
    ax.set_xticks(range(len(columns)), [str(c) for c in columns], fontsize=8)
    ax.set_yticks(range(len(rows)), [str(r) for r in rows], fontsize=8)
    first_name, second_name = names or (first, second)
    ax.set_xlabel(second_name, fontsize=9)
    ax.set_ylabel(first_name, fontsize=9)
    ax.set_title(f"{label(kpi)}: {policy} − {reference} ({unit(kpi)})", fontsize=9)
    figure.colorbar(image, ax=ax, shrink=0.8)
    return figure


def contributions(parts: Sequence[tuple[str, dict]], total: dict) -> Figure:
    """Each mechanism's share of a gap in lead time, and the total, as horizontal bars with
    their 95% intervals (`parts`: (name, {mean, ci_low, ci_high}), largest first)."""
    rows = [*parts, ("total", total)]
    figure = _figure(6.4, 0.9 + 0.4 * len(rows))
    ax = figure.add_subplot()
    for i, (_, estimate) in enumerate(rows):
        mean = float(estimate["mean"])
        low, high = estimate.get("ci_low"), estimate.get("ci_high")
        ax.barh(i, mean, color=PALETTE[0] if i < len(parts) else "#000000", alpha=0.85)
        if low is not None and high is not None:
            ax.errorbar(
                mean,
                i,
                xerr=[[max(mean - float(low), 0.0)], [max(float(high) - mean, 0.0)]],
                color="black",
                capsize=3,
                linewidth=0.8,
            )
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(rows)), [name for name, _ in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("lead time (working days)")
    ax.grid(axis="x", alpha=0.3)
    return figure
