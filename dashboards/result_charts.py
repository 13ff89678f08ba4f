"""Figures of the Experiments page, drawn with matplotlib on the server.

Static figures (they change only when the user picks another folder, KPI or parameter),
so matplotlib's cost does not matter here and the same PNG serves the page and the
download. Policies keep their dashboard colours and also differ by marker and line style.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on a server

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from dashboards.palette import POLICY_DASHES, policy_colour
from experiments.display import label, parameter_label, parameter_value, policy_name, unit
from experiments.runs_table import successful

MARKERS = ("o", "s", "^", "D", "v", "P")
FONT_SIZE = 10


def _label(policy: str) -> str:
    # Policies as the room knows them ("self-managed"), never as scenario files write them.
    return policy_name(str(policy))


def kpi_name(kpi: str) -> str:
    """A KPI as readers see it: its label and unit (experiments.display)."""
    return f"{label(kpi)} ({unit(kpi)})" if unit(kpi) else label(kpi)


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    figure.set_facecolor("white")
    return figure


def distribution_figure(runs: pd.DataFrame, kpi: str = "lead_time_days") -> Figure:
    """Distribution of `kpi` by policy: a box per policy with every run as a dot."""
    figure = _figure(5.6, 3.0)
    axes = figure.subplots()
    good = successful(runs)
    policies = list(dict.fromkeys(good["policy"])) if len(good) else []
    rng = np.random.default_rng(0)  # fixed jitter: the same folder always looks the same
    for i, policy in enumerate(policies):
        values = pd.to_numeric(good.loc[good["policy"] == policy, kpi], errors="coerce").dropna()
        if values.empty:
            continue
        colour = policy_colour(policy, policies)
        axes.boxplot(
            values,
            positions=[i],
            widths=0.5,
            orientation="horizontal",
            showfliers=False,
            patch_artist=True,
            boxprops={"facecolor": "white", "edgecolor": colour, "linewidth": 1.6},
            medianprops={"color": colour, "linewidth": 2.2},
            whiskerprops={"color": colour},
            capprops={"color": colour},
        )
        jitter = rng.uniform(-0.18, 0.18, len(values))
        axes.scatter(
            values, i + jitter, s=12, color=colour, alpha=0.55, marker=MARKERS[i % len(MARKERS)]
        )
    axes.set_yticks(range(len(policies)), [_label(p) for p in policies], fontsize=FONT_SIZE)
    axes.set_xlabel(kpi_name(kpi), fontsize=FONT_SIZE)
    axes.set_title(f"{label(kpi)} by policy (each dot a run)", fontsize=FONT_SIZE + 1)
    axes.grid(axis="x", alpha=0.3)
    if not policies:
        axes.text(0.5, 0.5, "no completed runs", ha="center", va="center", transform=axes.transAxes)
    return figure


def parameter_figure(table: pd.DataFrame, kpi: str, parameter: str) -> Figure:
    """`kpi` against a swept `parameter`, one line per policy with its 95% CI band."""
    figure = _figure(5.6, 3.0)
    axes = figure.subplots()
    policies = list(dict.fromkeys(table["policy"])) if len(table) else []
    numeric = pd.api.types.is_numeric_dtype(table[parameter]) if len(table) else True
    categories = list(dict.fromkeys(table[parameter])) if not numeric else []
    for i, policy in enumerate(policies):
        rows = table[table["policy"] == policy]
        if numeric:
            rows = rows.sort_values(parameter)
            x = rows[parameter].to_numpy(dtype=float)
        else:
            # Categorical values (a mechanism swept): side by side, slightly offset per policy.
            x = np.array([categories.index(v) for v in rows[parameter]], dtype=float)
            x = x + (i - (len(policies) - 1) / 2) * 0.08
        colour = policy_colour(policy, policies)
        axes.plot(
            x,
            rows["mean"],
            color=colour,
            linestyle=POLICY_DASHES.get(policy, "-"),
            marker=MARKERS[i % len(MARKERS)],
            markersize=5,
            linewidth=2,
            label=_label(policy),
        )
        if numeric:
            axes.fill_between(
                x, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.18, linewidth=0
            )
        else:
            axes.errorbar(
                x,
                rows["mean"],
                yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]],
                fmt="none",
                ecolor=colour,
                capsize=3,
            )
    if categories:
        axes.set_xticks(range(len(categories)), [parameter_value(parameter, c) for c in categories])
    axes.set_xlabel(parameter_label(parameter), fontsize=FONT_SIZE)
    axes.set_ylabel(kpi_name(kpi), fontsize=FONT_SIZE)
    axes.set_title(f"{label(kpi)}: mean and 95% CI per policy", fontsize=FONT_SIZE + 1)
    axes.grid(alpha=0.3)
    if policies:
        axes.legend(fontsize=FONT_SIZE - 1, frameon=False)
    else:
        axes.text(
            0.5, 0.5, "no swept parameter", ha="center", va="center", transform=axes.transAxes
        )
    return figure


def paired_figure(
    table: pd.DataFrame,
    kpi: str,
    parameter: str,
    baseline: str,
    policies: list[str],
) -> Figure:
    """Each policy minus `baseline` against a swept `parameter`: the mean paired difference
    per value with its 95% CI band (`dashboards.results.paired_by_parameter`), and the zero
    line (no difference)."""
    figure = _figure(5.6, 3.0)
    axes = figure.subplots()
    numeric = pd.api.types.is_numeric_dtype(table[parameter]) if len(table) else True
    categories = list(dict.fromkeys(table[parameter].astype(str))) if not numeric else []
    others = list(dict.fromkeys(table["policy"])) if len(table) else []
    for i, policy in enumerate(others):
        rows = table[table["policy"] == policy]
        colour = policy_colour(policy, policies)
        if numeric:
            x = rows[parameter].to_numpy(dtype=float)
        else:
            x = np.array([categories.index(str(v)) for v in rows[parameter]], dtype=float)
            x = x + (i - (len(others) - 1) / 2) * 0.08
        marker = MARKERS[policies.index(policy) % len(MARKERS)] if policy in policies else "o"
        axes.plot(
            x,
            rows["mean"],
            color=colour,
            linestyle=POLICY_DASHES.get(policy, "-"),
            marker=marker,
            markersize=5,
            linewidth=2,
            label=f"{_label(policy)} − {_label(baseline)}",
        )
        if numeric:
            axes.fill_between(
                x, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.18, linewidth=0
            )
        else:
            axes.errorbar(
                x,
                rows["mean"],
                yerr=[rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]],
                fmt="none",
                ecolor=colour,
                capsize=3,
            )
    axes.axhline(0.0, color="black", linewidth=0.9)
    if categories:
        axes.set_xticks(range(len(categories)), [parameter_value(parameter, c) for c in categories])
    axes.set_xlabel(parameter_label(parameter), fontsize=FONT_SIZE)
    axes.set_ylabel(f"difference: {kpi_name(kpi)}", fontsize=FONT_SIZE)
    axes.set_title(
        f"Paired difference to {_label(baseline)} (mean, 95% CI)", fontsize=FONT_SIZE + 1
    )
    axes.grid(alpha=0.3)
    if others:
        axes.legend(fontsize=FONT_SIZE - 1, frameon=False)
    else:
        axes.text(
            0.5,
            0.5,
            "no other policy to compare",
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
    return figure


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG (for the page and for download)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
