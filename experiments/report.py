"""`orgsim report DIR`: one self-contained HTML page a consultant can read and explain.

    write_report("results/x")  ->  results/x/report.html, and next to it the figures
                                   (*.png), summary.csv, differences.csv, sensitivity.csv

The page opens with the headline, then: lead time by policy, paired differences, each KPI
against each swept parameter, where the lead time goes and where the effort goes, costs,
sensitivity, failed runs, the experiment as written, the model's stated assumptions and
how to reproduce it. Figures are embedded as base64 PNG and the page loads nothing from
anywhere (it works offline, attached to an e-mail).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments import figures, report_gaps
from experiments import report_html as markup
from experiments.atomic import write_atomically, write_text
from experiments.compare import MAIN_KPIS
from experiments.display import label, unit
from simulator.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

MAX_PARAMETER_FIGURES = 12
MAX_CELL_ROWS = 60
MAX_FAILURES_SHOWN = 20
EFFORT_PARTS = (
    ("task_hours", "task work"),
    ("rework_hours", "rework"),
    ("coordination_hours", "coordination"),
    ("help_hours", "expert help"),
)
WAIT_PARTS = (
    ("information_wait_hours", "waiting for information"),
    ("decision_wait_hours", "waiting for decisions"),
)
COST_KPIS = ("labour_cost", "staffing_cost", "person_hours")

# The model's stated assumptions: the main ones of docs/model.md §7 ("Stated assumptions
# and limits"), each opening with the same words (a test keeps them in step).
ASSUMPTIONS = (
    (
        "One project.",
        "The project's people may give it only a share of their day (project_share, "
        "manager availability); the rest is other work, not modelled further.",
    ),
    (
        "Part-time in daily blocks.",
        "A part-time person is away one block a day, at a random time; the item in hand "
        "waits for their return. Staffing cost prices each person's share of the lead time.",
    ),
    (
        "Learning is stated, not fitted.",
        "Coaching approaches a ceiling in closed form and the collaborative memory follows "
        "Wright's law with a stated rate; no fatigue.",
    ),
    ("One task at a time.", "A collaborator holds one task at a time."),
    (
        "Managers do no task work",
        "; they assign, relay, decide, sign off, co-decide, arbitrate, orient and meet.",
    ),
    (
        "In-trays are first in, first out",
        "(meetings and orientation sessions first): no batching.",
    ),
    (
        "Rework",
        "is a fraction of the task's original effort per rework event and raises problems "
        "like any work; runs that never finish stop at the horizon, whose lead time is then "
        "a lower bound.",
    ),
    ("Perfect knowledge", "of who is expert, who is idle and who holds which task."),
    (
        "Time",
        "is counted in working hours; dates come from the scenario's start and calendar "
        "when it gives them.",
    ),
    (
        "Problem arrivals",
        "are Poisson in hours of work; severities and fields are independent of the task.",
    ),
)


@dataclass
class Report:
    """The files a report wrote."""

    html: Path
    pngs: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    svgs: list[Path] = field(default_factory=list)


def write_report(folder: str | Path, out: str | Path | None = None) -> Report:
    """Write the report of the sweep in `folder`: the HTML page at `out` (default
    `folder/report.html`), and next to it the PNGs and CSV tables. A folder of
    `orgsim compare --out` gets the report of `experiments.compare_report`."""
    import pandas as pd

    from experiments.compare_report import is_comparison_folder, write_comparison_report
    from experiments.design import Design
    from experiments.sensitivity import SensitivityWarning, analyse
    from experiments.statistics import paired_differences
    from experiments.store import read_manifest, read_runs
    from experiments.summaries import headline, paired_gaps, summarise

    folder = Path(folder)
    comparison = folder.is_dir() and is_comparison_folder(folder)
    try:
        manifest = read_manifest(folder) if folder.is_dir() and not comparison else None
    except (OSError, ValueError):
        manifest = None
    if manifest is None and not comparison:
        message = (
            "not a results folder of orgsim sweep (no readable manifest.json) "
            "or of orgsim compare --out (no runs.csv)"
            if folder.is_dir()
            else "no such folder"
        )
        raise InputError(Problem(source=str(folder), message=message))
    target = Path(out) if out is not None else folder / "report.html"
    if target.exists() and target.is_dir():
        raise InputError(
            Problem(source=str(target), message="is a folder: give a file name (e.g. report.html)")
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if comparison:
        page, pngs, svgs = write_comparison_report(folder, target)
        return Report(html=page, pngs=pngs, svgs=svgs)

    runs = read_runs(folder)
    policies = [p for p in manifest["policies"] if p in set(runs["policy"])] or list(
        manifest["policies"]
    )
    design = Design.from_json(manifest["design"])
    good = runs.loc[runs["status"] == "ok"]
    context = _Context(manifest, runs, good, policies, target.parent)

    summary = summarise(runs) if len(good) else pd.DataFrame()
    pooled = summarise(runs, by_cell=False) if len(good) else pd.DataFrame()
    differences = paired_differences(runs) if len(good) and len(policies) > 1 else pd.DataFrame()
    pooled_differences = (
        paired_differences(runs, by_cell=False)
        if len(good) and len(policies) > 1
        else pd.DataFrame()
    )
    kpis = [k for k in MAIN_KPIS if k in runs]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SensitivityWarning)
        indices = (
            analyse(runs, design, kpis=["lead_time_days"], policies=policies)
            if len(good) and design.keys
            else pd.DataFrame()
        )
    checks = [str(w.message) for w in caught if issubclass(w.category, SensitivityWarning)]
    for w in caught:
        if not issubclass(w.category, SensitivityWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    gaps = (
        paired_gaps(good, "lead_time_days", policies[0])
        if len(good) and len(policies) > 1
        else pd.DataFrame()
    )
    effects = report_gaps.main_effects_table(context) if len(good) else pd.DataFrame()
    contrasts = report_gaps.interactions_table(context) if len(good) else pd.DataFrame()
    report = Report(html=target)
    for name, frame in (
        ("summary", summary),
        ("differences", differences),
        ("sensitivity", indices),
        ("main-effects", effects),
        ("interactions", contrasts),
    ):
        path = target.parent / f"{name}.csv"
        write_atomically(path, lambda temporary, frame=frame: frame.to_csv(temporary, index=False))
        report.tables.append(path)

    sections = [
        _overview(context, headline(runs) if len(runs) else "No run has finished yet."),
        _lead_time(context, pooled),
        _differences(context, pooled_differences, differences),
        report_gaps.gap_against_parameters(context, gaps),
        _parameters(context, kpis),
        report_gaps.main_effects_section(context, effects),
        report_gaps.interactions_section(context, gaps, contrasts),
        _splits(context, pooled),
        _costs(context, pooled),
        _sensitivity(context, indices, design, checks),
        _cells(context, summary, differences),
        _failures(context),
        _definition(context),
        _assumptions(),
        _reproduce(context),
    ]
    page = _page(manifest, [s for s in sections if s])
    write_text(target, page)
    report.pngs = context.pngs
    report.svgs = context.svgs
    return report


@dataclass
class _Context:
    manifest: dict[str, Any]
    runs: pd.DataFrame
    good: pd.DataFrame
    policies: list[str]
    directory: Path
    pngs: list[Path] = field(default_factory=list)
    svgs: list[Path] = field(default_factory=list)

    def figure(self, name: str, figure: Any, alt: str) -> str:
        """Save the figure as NAME.png (300 dpi) and NAME.svg next to the page and return
        its embedded <img> (110 dpi, to keep the page light)."""
        png, svg, img = markup.save_figure(self.directory, name, figure, alt)
        self.pngs.append(png)
        self.svgs.append(svg)
        return img


# --- sections -----------------------------------------------------------------------------------


def _overview(c: _Context, headline: str) -> str:
    m = c.manifest
    total = m["run_count"]
    done = len(c.runs)
    failed = done - len(c.good)
    scenario = m["scenario"]
    rows = [
        (
            "scenario",
            scenario["name"]
            if scenario["source"] == scenario["name"]
            else f"{scenario['name']} ({scenario['source']})",
        ),
        (
            "design",
            f"{m['design']['kind']}: {m['cell_count']} cell{'s' if m['cell_count'] != 1 else ''}",
        ),
        (
            "policies",
            ", ".join(m["policies"]) + f" (differences are taken against {m['policies'][0]})",
        ),
        (
            "replications",
            f"{m['replications']} per cell and policy, seeds {m['base_seed']}–{m['base_seed'] + m['replications'] - 1}, the same for every policy and cell",
        ),
        ("runs", f"{done} of {total} done" + (f", {failed} failed (left out)" if failed else "")),
    ]
    for key in m["parameters"]:
        rows.append((f"varied: {key}", _levels(m, key)))
    status = ""
    if done < total:
        status = (
            f'<p class="warn">This sweep is incomplete: {done} of {total} runs are in the folder. '
            "Run <code>orgsim sweep FILE --out DIR --resume</code> to complete it; the figures "
            "below use the runs done so far.</p>"
        )
    unfinished = int((c.good["finished"] == False).sum()) if "finished" in c.good else 0  # noqa: E712
    if unfinished:
        status += (
            f'<p class="warn">{unfinished} run(s) hit the horizon of '
            f"{scenario.get('horizon_days')} working days without finishing: their lead time is the "
            "horizon, a lower bound, and is marked ≥ in the tables.</p>"
        )
    return (
        f'<p class="headline">{markup.escape(headline)}</p>{status}'
        + markup.section_intro(
            "What was run",
            "Each <em>cell</em> is one combination of the varied parameters. In each cell, every "
            "policy ran on the same projects: replication <em>r</em> uses the same seed for every "
            "policy, so the same tasks and the same random events meet each policy. Comparing "
            "policies run by run (<em>paired</em>) removes most of the noise that comes from the "
            "project itself.",
        )
        + markup.table(
            ["", ""],
            [[markup.escape(a), markup.escape(b)] for a, b in rows],
            show_header=False,
            css="facts",
        )
    )


def _levels(m: dict[str, Any], key: str) -> str:
    for axis in m["experiment"]["parameters"]:
        if axis["key"] == key:
            if axis["levels"] is not None:
                levels = axis["levels"]
                shown = ", ".join(markup.plain(v) for v in levels[:12]) + (
                    " …" if len(levels) > 12 else ""
                )
                return f"{len(levels)} level{'s' if len(levels) != 1 else ''}: {shown}"
            kind = "whole numbers" if axis["integer"] else "values"
            return f"{kind} sampled from {markup.plain(axis['min'])} to {markup.plain(axis['max'])}"
    return ""


def _lead_time(c: _Context, pooled: pd.DataFrame) -> str:
    if c.good.empty:
        return ""
    img = c.figure(
        "lead-time", figures.lead_time_distributions(c.good, c.policies), "lead time by policy"
    )
    rows = []
    for policy in c.policies:
        stat = markup.stat_row(pooled, policy, "lead_time_days")
        if stat is None:
            continue
        rows.append(
            [
                markup.escape(policy),
                markup.mean_text(stat, "lead_time_days"),
                markup.interval(stat, "lead_time_days"),
                markup.kpi_number("lead_time_days", stat["p50"]),
                markup.kpi_number("lead_time_days", stat["p90"]),
                markup.percent(stat["share_finished"]),
                markup.percent(stat["p_on_time"]),
            ]
        )
    table = markup.table(
        ["policy", "mean (working days)", "95% CI", "p50", "p90", "finished", "on time"], rows
    )
    return markup.section(
        "Lead time by policy",
        "Every dot is one run (all cells together); the box spans the middle half of the runs "
        "and its line is the median. p50 and p90: half of the runs / nine in ten finished within "
        "that many working days. <em>On time</em> is the share of runs done by the deadline "
        "(blank without one).",
        img + table,
    )


def _differences(c: _Context, pooled: pd.DataFrame, by_cell: pd.DataFrame) -> str:
    if pooled.empty:
        return ""
    reference = c.policies[0]
    kpis = [k for k in MAIN_KPIS if k in set(pooled["kpi"])]
    rows = []
    for policy in c.policies[1:]:
        for kpi in kpis:
            row = pooled.loc[(pooled["policy"] == policy) & (pooled["kpi"] == kpi)]
            if row.empty:
                continue
            r = row.iloc[0]
            lower = f"{int(r['lower_in'])} of {int(r['pairs'])}"
            rows.append(
                [
                    markup.escape(policy),
                    markup.escape(label(kpi)),
                    markup.signed(kpi, r["mean"]),
                    markup.span(kpi, r["ci_low"], r["ci_high"]),
                    lower,
                    markup.escape(unit(kpi)),
                ]
            )
    return markup.section(
        f"Paired differences to {reference}",
        f"Each policy minus {reference}, run by run on the same seeds, averaged over every "
        "paired run of the design. A negative lead-time difference means the policy finished "
        "earlier. <em>Lower in</em> counts the paired runs where the policy's value was lower "
        "(for lead time: the runs it won). When the 95% interval spans 0, the sweep cannot "
        "tell the two policies apart on that measure.",
        markup.table(["policy", "measure", "mean difference", "95% CI", "lower in", "unit"], rows),
    )


def _parameters(c: _Context, kpis: list[str]) -> str:
    parameters = [k for k in c.manifest["parameters"] if k in c.good and c.good[k].nunique() > 1]
    if not parameters or c.good.empty:
        return ""
    parts = []
    for i, key in enumerate(parameters[:MAX_PARAMETER_FIGURES]):
        figure = figures.kpi_against_parameter(c.good, key, kpis, c.policies)
        parts.append(
            f"<h3>{markup.escape(key)}</h3>"
            + c.figure(f"parameter-{i + 1}", figure, f"KPIs against {key}")
        )
    more = ""
    if len(parameters) > MAX_PARAMETER_FIGURES:
        more = (
            f"<p>{len(parameters) - MAX_PARAMETER_FIGURES} more parameters are in summary.csv.</p>"
        )
    intro = (
        "The line is the mean over runs at that value (the other parameters averaged over), "
        "the band its 95% confidence interval, one colour per policy. The bands are per "
        "policy: they include the variation the seeds share between policies, so overlapping "
        "bands do not mean the policies are alike; the paired differences (above, and per "
        "cell below) compare them. Parameters sampled over a range are grouped into bins."
    )
    if c.manifest["design"]["kind"] in ("lhs", "sobol", "morris"):
        intro += (
            " <strong>This design samples the parameters together</strong>: at each value "
            "the other parameters are not balanced, so a curve mixes their effects. Read the "
            "curves as rough shapes, and the sensitivity section below for what matters."
        )
    return markup.section(
        "Each measure against each varied parameter", intro, "".join(parts) + more
    )


def _splits(c: _Context, pooled: pd.DataFrame) -> str:
    if pooled.empty:
        return ""
    cp = [(k, name) for k, name in figures.CP_PARTS if k in set(pooled["kpi"])]
    body = ""
    if cp:
        body += "<h3>Where the lead time goes</h3>" + c.figure(
            "lead-time-split",
            figures.stacked_split(pooled, cp, c.policies, "working days along the critical path"),
            "lead time split",
        )
    effort = _effort(pooled)
    parts = [(k, n) for k, n in EFFORT_PARTS if k in set(effort["kpi"])]
    if parts:
        body += "<h3>Where the effort goes</h3>" + c.figure(
            "effort-split",
            figures.stacked_split(effort, parts, c.policies, "person-hours"),
            "effort split",
        )
    waits = [(k, n) for k, n in WAIT_PARTS if k in set(pooled["kpi"])]
    if waits:
        body += "<h3>Time people spent waiting</h3>" + c.figure(
            "waiting",
            figures.stacked_split(pooled, waits, c.policies, "person-hours blocked"),
            "waiting",
        )
    return markup.section(
        "Where the time goes",
        "The lead time is split along the realised critical path (the chain of tasks and waits "
        "that set the end date): its parts add up to the lead time. The effort is the hours "
        "people spent on task work, rework, coordination and helping others; waiting hours are "
        "hours people could not work because information or a decision was missing.",
        body,
    )


def _effort(pooled: pd.DataFrame) -> pd.DataFrame:
    # Task work without rework, so that the stacked parts do not count rework twice.
    work = pooled.loc[pooled["kpi"] == "work_hours"].copy()
    rework = pooled.loc[pooled["kpi"] == "rework_hours"].set_index("policy")["mean"]
    work["mean"] = work["mean"] - work["policy"].map(rework).fillna(0).to_numpy()
    work["kpi"] = "task_hours"
    import pandas as pd

    return pd.concat([pooled, work], ignore_index=True)


def _costs(c: _Context, pooled: pd.DataFrame) -> str:
    kpis = [k for k in COST_KPIS if not pooled.empty and k in set(pooled["kpi"])]
    if not kpis:
        return ""
    img = c.figure("costs", figures.means_with_intervals(pooled, kpis, c.policies), "costs")
    rows = []
    for policy in c.policies:
        row = [markup.escape(policy)]
        for kpi in kpis:
            stat = markup.stat_row(pooled, policy, kpi)
            row.append(
                ""
                if stat is None
                else f"{markup.kpi_number(kpi, stat['mean'])} ({markup.interval(stat, kpi)})"
            )
        rows.append(row)
    return markup.section(
        "Costs",
        "Labour cost prices every hour spent (work, rework, coordination, help, managers' busy "
        "time) at the scenario's rate per role; staffing cost prices everyone for the whole "
        "lead time (what the organisation pays while the project runs). Bars are means, lines "
        "their 95% confidence intervals.",
        img + markup.table(["policy", *(f"{label(k)} ({unit(k)})" for k in kpis)], rows),
    )


def _sensitivity(
    c: _Context, indices: pd.DataFrame, design: Any, checks: Sequence[str] = ()
) -> str:
    if indices.empty or indices["value"].isna().all():
        return ""
    if checks:
        warning = "".join(f'<p class="warn">Sanity check: {markup.escape(m)}</p>' for m in checks)
        return _sensitivity(c, indices, design).replace("</p>", "</p>" + warning, 1)
    if "method" in indices and (indices["method"] == "anova").any():
        anova = indices.loc[indices["method"] == "anova"]
        rest = indices.loc[indices["method"] != "anova"]
        if rest.empty or rest["value"].isna().all():
            return markup.section(
                "Sensitivity of the lead time to the parameters", "", _categorical(c, anova)
            )
        return _sensitivity(c, rest, design).replace(
            "</section>", _categorical(c, anova) + "</section>", 1
        )
    method = indices["method"].iloc[0]
    explain = {
        "morris": "Morris screening: μ* is how much the lead time moves, on average, when a "
        "parameter moves by a step of its range (the larger, the more it matters); σ is how "
        "much that effect varies with the other parameters (interactions, non-linearity).",
        "sobol": "Sobol indices: S1 is the share of the variance of the lead time due to a "
        "parameter alone, ST the share including its interactions with the others. "
        "They are shares: 0.4 means 40%.",
        "spearman": "Spearman's ρ between each parameter and the lead time over the sampled "
        "cells: its sign is the direction of the effect, its size how consistently the lead "
        "time follows the parameter.",
        "main effect": "Main effect: how far the mean lead time moves across a parameter's "
        "levels (the other parameters averaged over), in working days.",
    }[method]
    noise = indices.groupby("policy")[["noise_share", "noise_ci_low", "noise_ci_high"]].first()
    notes = []
    for policy in c.policies:
        if policy not in noise.index:
            continue
        share, low, high = (float(v) for v in noise.loc[policy])
        if not math.isnan(share):
            verdict = (
                "small: the indices reflect the parameters"
                if share < 0.1
                else "large: read the indices with care, or add replications"
            )
            interval = f" (95% CI {low:.0%} to {high:.0%})" if math.isfinite(high) else ""
            notes.append(
                f"{policy}: replication noise is {share:.0%}{interval} of the variance between "
                f"cells, net of the shared seed effect ({verdict})."
            )
    img = c.figure("sensitivity", figures.sensitivity_bars(indices, c.policies), "sensitivity")
    names = list(dict.fromkeys(indices["index"]))
    # One row per parameter, most influential first (largest first index over policies).
    lead = indices.loc[indices["index"] == names[0]].groupby("parameter")["value"].max()
    order = list(lead.sort_values(ascending=False, na_position="last").index)
    by = indices.set_index(["parameter", "policy", "index"])
    rows = []
    for parameter in order:
        row = [markup.escape(parameter)]
        for policy in c.policies:
            for name in names:
                key = (parameter, policy, name)
                if key not in by.index:
                    row.append("")
                    continue
                r = by.loc[key]
                interval = (
                    ""
                    if math.isnan(r["ci_low"])
                    else f" ({markup.short_float(r['ci_low'])} to {markup.short_float(r['ci_high'])})"
                )
                row.append(markup.short_float(r["value"]) + interval)
        rows.append(row)
    header = [
        "parameter",
        *(f"{policy}: {_INDEX_NAMES.get(n, n)}" for policy in c.policies for n in names),
    ]
    return markup.section(
        "Sensitivity of the lead time to the parameters",
        explain
        + (
            " Intervals (95%) are bootstraps over the replications."
            if method == "main effect"
            else " Intervals (95%) are bootstraps over the design's points and the replications."
        ),
        img + "".join(f"<p>{markup.escape(n)}</p>" for n in notes) + markup.table(header, rows),
    )


def _categorical(c: _Context, anova: pd.DataFrame) -> str:
    """η² and per-level effects of the categorical factors, with their intervals."""
    import pandas as pd

    intro = (
        "Parameters whose levels are names (mechanisms, categories) have no order, so they "
        "get no rank correlation: η² is the share of the variance of the cell means that lies "
        "between the parameter's levels (one-way ANOVA), and each level's effect is its mean "
        "lead time minus the mean over the levels, in working days. Intervals (95%) are "
        "bootstraps over the cells and the replications."
    )
    rows = []
    by = anova.set_index(["parameter", "index", "level", "policy"])
    for parameter in dict.fromkeys(anova["parameter"]):
        part = anova.loc[anova["parameter"] == parameter]
        for index, level in dict.fromkeys(zip(part["index"], part["level"], strict=True)):
            row = [
                markup.escape(parameter),
                "η²" if index == "eta2" else markup.escape(f"effect of {level}"),
            ]
            for policy in c.policies:
                key = (parameter, index, level, policy)
                if key not in by.index:
                    row.append("")
                    continue
                r = by.loc[key]
                if isinstance(r, pd.DataFrame):
                    r = r.iloc[0]
                interval = (
                    ""
                    if math.isnan(r["ci_low"])
                    else f" ({markup.short_float(r['ci_low'])} to {markup.short_float(r['ci_high'])})"
                )
                row.append(markup.short_float(r["value"]) + interval)
            rows.append(row)
    return f"<p>{markup.escape(intro)}</p>" + markup.table(
        ["parameter", "index", *c.policies], rows
    )


_INDEX_NAMES = {
    "mu_star": "μ* (mu_star)",
    "sigma": "σ (sigma)",
    "rho": "ρ",
    "range": "range (days)",
}


def _cells(c: _Context, summary: pd.DataFrame, differences: pd.DataFrame) -> str:
    parameters = list(c.manifest["parameters"])
    if summary.empty or c.manifest["cell_count"] < 2:
        return ""
    if c.manifest["design"]["kind"] in ("lhs", "sobol", "morris"):
        # Sampled cells are points of a design, not settings anyone reads one by one.
        return ""
    lead = summary.loc[summary["kpi"] == "lead_time_days"]
    cells = list(dict.fromkeys(lead["cell_id"]))
    reference = c.policies[0]
    header = ["cell", *parameters]
    for policy in c.policies:
        header.append(f"{policy}: lead time (95% CI)")
    for policy in c.policies[1:]:
        header.append(f"{policy} − {reference}: paired difference (95% CI), wins")
    rows = []
    for cell in cells[:MAX_CELL_ROWS]:
        here = lead.loc[lead["cell_id"] == cell]
        row = [str(cell)] + [markup.plain(here[p].iloc[0]) for p in parameters]
        for policy in c.policies:
            stat = here.loc[here["policy"] == policy]
            row.append(
                ""
                if stat.empty
                else f"{markup.mean_text(stat.iloc[0], 'lead_time_days')} ({markup.interval(stat.iloc[0], 'lead_time_days')})"
            )
        for policy in c.policies[1:]:
            d = (
                differences.loc[
                    (differences["cell_id"] == cell)
                    & (differences["policy"] == policy)
                    & (differences["kpi"] == "lead_time_days")
                ]
                if not differences.empty
                else differences
            )
            if d.empty:
                row.append("")
                continue
            r = d.iloc[0]
            row.append(
                f"{markup.signed('lead_time_days', r['mean'])} d "
                f"({markup.span('lead_time_days', r['ci_low'], r['ci_high'])}), "
                f"wins in {int(r['lower_in'])} of {int(r['pairs'])}"
            )
        rows.append(row)
    more = (
        f"<p>The first {MAX_CELL_ROWS} of {len(cells)} cells are shown; summary.csv has them all.</p>"
        if len(cells) > MAX_CELL_ROWS
        else ""
    )
    return markup.section(
        "Lead time in each cell",
        "Mean lead time per cell and policy with its 95% confidence interval; then, per "
        f"cell, each policy minus {reference} run by run on the same seeds: the mean paired "
        "difference in working days with its 95% interval (negative: the policy finished "
        f"earlier), and in how many of the paired runs it finished earlier than {reference}. "
        "The paired interval is the one that tells policies apart: the seeds' shared "
        "effect cancels in each pair, so it is much narrower than the per-policy intervals. "
        "≥ marks a mean that includes runs which hit the horizon.",
        markup.table(header, rows) + more,
    )


def _failures(c: _Context) -> str:
    failed = c.runs.loc[c.runs["status"] != "ok"]
    if failed.empty:
        return ""
    rows = [
        [
            str(r["run_id"]),
            str(r["cell_id"]),
            markup.escape(r["policy"]),
            str(r["replicate"]),
            markup.escape(str(r["error"])),
        ]
        for _, r in failed.head(MAX_FAILURES_SHOWN).iterrows()
    ]
    return markup.section(
        "Failed runs",
        f"{len(failed)} run(s) raised an error; they are left out of every figure and table "
        "above. The error column of the runs table has each message.",
        markup.table(["run", "cell", "policy", "replicate", "error"], rows),
    )


def _definition(c: _Context) -> str:
    m = c.manifest
    return markup.section(
        "The experiment as written",
        f"From {markup.escape(m.get('experiment_file', ''))}; the scenario is "
        f"{markup.escape(m['scenario']['source'])} (content hash {markup.escape(m['scenario']['hash'])}).",
        f"<pre>{markup.escape(m.get('experiment_text', ''))}</pre>",
    )


def _assumptions() -> str:
    items = "".join(
        f"<li><strong>{markup.escape(a)}</strong>{'' if b[0] in ';,.' else ' '}{markup.escape(b)}</li>"
        for a, b in ASSUMPTIONS
    )
    return markup.section(
        "What the model assumes",
        "The results hold within these assumptions, the main ones of the model's description "
        "(docs/model.md, section 7, lists them all with the source of every parameter). "
        "Every replication draws a new project and new random events from its seed; all "
        "policies and cells meet the same draws.",
        f"<ul>{items}</ul>",
    )


def _reproduce(c: _Context) -> str:
    m = c.manifest
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    return markup.section(
        "Reproducing these results",
        "The same experiment file, scenario and versions give the same numbers on any machine "
        "and any number of workers.",
        f"<pre>orgsim sweep {markup.escape(m.get('experiment_file', 'FILE'))} --out DIR\n"
        f"orgsim report DIR</pre><p>Versions: {markup.escape(versions)}. Started {markup.escape(m.get('created', ''))}; "
        f"report written {markup.escape(datetime.now(UTC).isoformat(timespec='seconds'))}.</p>",
    )


def _page(manifest: dict[str, Any], sections: list[str]) -> str:
    title = f"{manifest['name']}: sweep report"
    description = (
        f"<p>{markup.escape(manifest['description'])}</p>" if manifest.get("description") else ""
    )
    return markup.document(title, manifest["name"], description, sections)
