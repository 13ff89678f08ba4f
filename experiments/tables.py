"""A sweep's results as Markdown, for documents generated from results (docs/validation.md).

    print(markdown_summary("results/validation-grid",
                           command="orgsim sweep experiments/files/validation-grid.yaml"))

gives the headline, then one row per cell: the varied values, each policy's mean lead time
with its 95% CI (≥ when runs hit the horizon), and each policy's wins against the first
policy in that cell's paired runs; then the command that regenerates it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any


def markdown_summary(
    folder: str | Path, command: str | None = None, kpi: str = "lead_time_days"
) -> str:
    """The headline and a per-cell table of `kpi` by policy, in Markdown."""
    from experiments.display import number, unit
    from experiments.statistics import paired_differences
    from experiments.store import read_manifest, read_runs
    from experiments.summaries import headline, summarise

    manifest = read_manifest(folder) or {}
    runs = read_runs(folder)
    policies = [p for p in manifest.get("policies", []) if p in set(runs["policy"])]
    parameters = [p for p in manifest.get("parameters", []) if runs[p].nunique(dropna=False) > 1]
    summary = summarise(runs, kpis=[kpi])
    differences = paired_differences(runs, kpis=[kpi]) if len(policies) > 1 else None
    reference = policies[0] if policies else ""

    header = [*parameters, *(f"{p} ({unit(kpi)})" for p in policies)]
    header += [f"{p} wins vs {reference}" for p in policies[1:]]
    lines = [headline(runs), "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for cell in dict.fromkeys(summary["cell_id"]):
        here = summary.loc[summary["cell_id"] == cell]
        row = [_plain(here[p].iloc[0]) for p in parameters]
        for policy in policies:
            stat = here.loc[here["policy"] == policy]
            if stat.empty:
                row.append("")
                continue
            s = stat.iloc[0]
            mean = ("≥ " if s["lower_bound"] else "") + number(kpi, s["mean"])
            row.append(f"{mean} ({number(kpi, s['ci_low'])} to {number(kpi, s['ci_high'])})")
        for policy in policies[1:]:
            d = differences.loc[
                (differences["cell_id"] == cell) & (differences["policy"] == policy)
            ]
            row.append(
                "" if d.empty else f"{int(d['lower_in'].iloc[0])} of {int(d['pairs'].iloc[0])}"
            )
        lines.append("| " + " | ".join(row) + " |")
    if command:
        lines += ["", f"Regenerate with `{command}`."]
    return "\n".join(lines) + "\n"


def _plain(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
