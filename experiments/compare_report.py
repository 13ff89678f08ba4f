"""`orgsim report DIR` on a folder of `orgsim compare --out`: one self-contained HTML page.

A comparison folder holds `runs.csv` (one row per run: policy, replicate, seed, every KPI;
`currency` and `finish_date` columns when the scenario gives them) and `summary.csv`; it
may also hold `decomposition.json` (`orgsim compare --decompose --out`) and
`diagnosis.json` (`orgsim diagnose --out`). The page: the headline over every policy, what
was run, lead time by policy (with finish dates), each policy's main KPIs with their 95%
CIs, the paired differences to the first policy with their CIs and wins, costs (in the
scenario's currency), where the time goes (the diagnosis) and which mechanisms make the gap
(the decomposition). Extra keys in the JSON files are ignored; a file that is not what its
command writes is bad input, named with the field at fault.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments import figures
from experiments import report_html as markup
from experiments.atomic import write_text
from experiments.compare import MAIN_KPIS
from experiments.compare_folder import (
    check_decomposition,
    check_diagnosis,
    of_other_scenario,
    read_comparison_runs,
    read_json,
)
from experiments.display import label, unit
from experiments.runs_table import COMPARISON_KEYS, LEAD_TIME, as_float, policy_order

if TYPE_CHECKING:
    import pandas as pd

RUNS_CSV = "runs.csv"
DECOMPOSITION = "decomposition.json"
DIAGNOSIS = "diagnosis.json"
COST_KPIS = ("labour_cost", "staffing_cost")
MAX_LIST_ROWS = 20


def is_comparison_folder(folder: Path) -> bool:
    """A folder written by `orgsim compare --out` (runs.csv, and no sweep manifest)."""
    return (folder / RUNS_CSV).is_file() and not (folder / "manifest.json").exists()


@dataclass
class _Page:
    runs: pd.DataFrame
    policies: list[str]
    directory: Path
    currency: str | None
    pngs: list[Path] = field(default_factory=list)
    svgs: list[Path] = field(default_factory=list)

    def figure(self, name: str, figure: Any, alt: str) -> str:
        png, svg, img = markup.save_figure(self.directory, name, figure, alt)
        self.pngs.append(png)
        self.svgs.append(svg)
        return img

    def unit(self, kpi: str) -> str:
        """The KPI's unit, with the scenario's currency for costs when the runs give it."""
        return self.currency if kpi in COST_KPIS and self.currency else unit(kpi)


def write_comparison_report(folder: Path, target: Path) -> tuple[Path, list[Path], list[Path]]:
    """Write the report of the comparison in `folder` at `target`; return the page, its PNG
    and its SVG files."""
    runs = read_comparison_runs(folder / RUNS_CSV)
    decomposition = read_json(folder / DECOMPOSITION, check_decomposition)
    diagnosis = read_json(folder / DIAGNOSIS, check_diagnosis)
    # A result of another scenario than the runs beside it would be read as theirs.
    for name in (DECOMPOSITION, DIAGNOSIS):
        document = decomposition if name == DECOMPOSITION else diagnosis
        if of_other_scenario(runs, document):
            print(
                f"warning: {folder / name}: computed on another scenario than "
                f"{folder / RUNS_CSV} (its scenario_hash differs): left out of the report",
                file=sys.stderr,
            )
            if name == DECOMPOSITION:
                decomposition = None
            else:
                diagnosis = None
    policies = policy_order(runs)
    currencies = sorted(set(runs["currency"].dropna().astype(str))) if "currency" in runs else []
    page = _Page(runs, policies, target.parent, currencies[0] if len(currencies) == 1 else None)
    sections = [
        _overview(page, folder),
        _lead_time(page),
        _kpis(page),
        _differences(page),
        _costs(page),
        _diagnosis(diagnosis, folder / DIAGNOSIS) if diagnosis is not None else "",
        _decomposition(page, decomposition) if decomposition is not None else "",
        _reproduce(page),
    ]
    title = f"{folder.resolve().name}: comparison of {', '.join(policies)}"
    write_text(target, markup.document(title, title, "", [s for s in sections if s]))
    return target, page.pngs, page.svgs


# --- sections ------------------------------------------------------------------------------------


def _overview(page: _Page, folder: Path) -> str:
    from experiments.summaries import headline

    runs = page.runs
    replications = int(runs["replicate"].nunique())
    seeds = sorted(int(s) for s in runs["seed"].unique())
    seed_text = f"{seeds[0]}" if len(seeds) == 1 else f"{seeds[0]}–{seeds[-1]}"
    rows = [
        ("folder", str(folder)),
        ("policies", ", ".join(page.policies) + f" (differences against {page.policies[0]})"),
        (
            "replications",
            f"{replications} per policy, seeds {seed_text}, the same for every policy",
        ),
        ("runs", str(len(runs))),
    ]
    if "scenario" in runs and runs["scenario"].notna().any():
        rows.insert(0, ("scenario", ", ".join(map(str, runs["scenario"].dropna().unique()))))
    return (
        f'<p class="headline">{markup.escape(headline(runs, page.policies))}</p>'
        + markup.section_intro(
            "What was run",
            "Every policy ran on the same projects: replication <em>r</em> uses the same seed "
            "for every policy, so the same tasks and the same random events meet each policy, "
            "and policies are compared run by run (<em>paired</em>).",
        )
        + markup.table(
            ["", ""],
            [[markup.escape(a), markup.escape(b)] for a, b in rows],
            show_header=False,
            css="facts",
        )
    )


def _lead_time(page: _Page) -> str:
    from experiments.statistics import describe

    img = page.figure(
        "lead-time",
        figures.lead_time_distributions(page.runs, page.policies),
        "lead time by policy",
    )
    dates = "finish_date" in page.runs and page.runs["finish_date"].notna().any()
    header = ["policy", "mean (working days)", "95% CI", "p50", "p90", "finished"]
    if dates:
        header += ["earliest finish", "median finish", "latest finish"]
    rows = []
    for policy in page.policies:
        mine = page.runs.loc[page.runs["policy"] == policy]
        stat = describe(as_float(mine[LEAD_TIME]))
        finished = as_float(mine["finished"]).mean() if "finished" in mine else math.nan
        row = [
            markup.escape(policy),
            markup.kpi_number(LEAD_TIME, stat["mean"]),
            markup.interval(stat, LEAD_TIME),
            markup.kpi_number(LEAD_TIME, stat["p50"]),
            markup.kpi_number(LEAD_TIME, stat["p90"]),
            markup.percent(finished),
        ]
        if dates:
            finish = sorted(str(d) for d in mine["finish_date"].dropna())
            row += (
                [finish[0], finish[(len(finish) - 1) // 2], finish[-1]] if finish else ["", "", ""]
            )
        rows.append(row)
    intro = (
        "Every dot is one run; the box spans the middle half of the runs and its line is the "
        "median. p50 and p90: half of the runs / nine in ten finished within that many working "
        "days."
    )
    if dates:
        intro += (
            " Finish dates are on the scenario's calendar (runs that did not finish have none; "
            "the median is the lower middle run)."
        )
    return markup.section("Lead time by policy", intro, img + markup.table(header, rows))


def _kpis(page: _Page) -> str:
    from experiments.statistics import mean_ci

    kpis = [k for k in MAIN_KPIS if k in page.runs]
    rows = []
    for kpi in kpis:
        row = [markup.escape(label(kpi)), markup.escape(page.unit(kpi))]
        for policy in page.policies:
            e = mean_ci(as_float(page.runs.loc[page.runs["policy"] == policy, kpi]))
            row.append(
                f"{markup.kpi_number(kpi, e.mean)} ({markup.span(kpi, e.ci_low, e.ci_high)})"
            )
        rows.append(row)
    return markup.section(
        "Each policy's measures",
        "Mean over the runs of each policy with its 95% confidence interval (Student t). "
        "Utilisations are in % of time.",
        markup.table(["measure", "unit", *page.policies], rows),
    )


def _differences(page: _Page) -> str:
    from experiments.statistics import paired_differences

    if len(page.policies) < 2:
        return ""
    reference = page.policies[0]
    kpis = [k for k in MAIN_KPIS if k in page.runs]
    table = paired_differences(page.runs, reference, kpis, by_cell=False)
    rows = []
    for policy in page.policies[1:]:
        for kpi in kpis:
            hit = table.loc[(table["policy"] == policy) & (table["kpi"] == kpi)]
            if hit.empty:
                continue
            r = hit.iloc[0]
            wins = f"{int(r['lower_in'])} of {int(r['pairs'])}"
            rows.append(
                [
                    markup.escape(policy),
                    markup.escape(label(kpi)),
                    markup.signed(kpi, r["mean"]),
                    markup.span(kpi, r["ci_low"], r["ci_high"]),
                    wins,
                    markup.escape(page.unit(kpi)),
                ]
            )
    return markup.section(
        f"Paired differences to {reference}",
        f"Each policy minus {markup.escape(reference)}, run by run on the same seeds, with "
        "the 95% confidence interval of the mean difference. <em>Lower in</em> counts the "
        "paired runs where the policy's value was lower: for lead time, the runs it won. "
        "When the interval spans 0, these runs cannot tell the two policies apart on that "
        "measure.",
        markup.table(["policy", "measure", "mean difference", "95% CI", "lower in", "unit"], rows),
    )


def _costs(page: _Page) -> str:
    from experiments.summaries import summarise

    kpis = [k for k in COST_KPIS if k in page.runs and as_float(page.runs[k]).notna().any()]
    if not kpis:
        return ""
    pooled = summarise(page.runs[[*COMPARISON_KEYS, *kpis]], kpis, by_cell=False)
    img = page.figure("costs", figures.means_with_intervals(pooled, kpis, page.policies), "costs")
    rows = []
    for policy in page.policies:
        row = [markup.escape(policy)]
        for kpi in kpis:
            stat = markup.stat_row(pooled, policy, kpi)
            row.append(f"{markup.kpi_number(kpi, stat['mean'])} ({markup.interval(stat, kpi)})")
        rows.append(row)
    currency = (
        f" Amounts are in {markup.escape(page.currency)}."
        if page.currency
        else " The scenario names no currency: amounts are in its cost units."
    )
    return markup.section(
        "Costs",
        "Labour cost prices every hour spent at the scenario's rate per role; staffing cost "
        "prices everyone for the whole lead time. Bars are means, lines their 95% confidence "
        "intervals." + currency,
        img
        + markup.table(
            ["policy", *(f"{label(k)} ({page.unit(k)})" for k in kpis)],
            rows,
        ),
    )


def _estimate_text(estimate: dict[str, Any], suffix: str = "") -> str:
    mean = float(estimate["mean"])
    low, high = estimate.get("ci_low"), estimate.get("ci_high")
    text = f"{mean:+.1f}{suffix}"
    if low is not None and high is not None:
        text += f" ({float(low):+.1f} to {float(high):+.1f})"
    return markup.escape(text)


def _records_table(records: list[Any]) -> str:
    """A list of JSON objects as a table: one column per key, in first-seen order."""
    shown = [r for r in records[:MAX_LIST_ROWS] if isinstance(r, dict)]
    if not shown:
        return "".join(f"<p>{markup.escape(r)}</p>" for r in records[:MAX_LIST_ROWS])
    keys = list(dict.fromkeys(k for r in shown for k in r))
    rows = [[_cell(r.get(k)) for k in keys] for r in shown]
    more = (
        f"<p>{len(records) - MAX_LIST_ROWS} more in the JSON file.</p>"
        if len(records) > MAX_LIST_ROWS
        else ""
    )
    return markup.table([k.replace("_", " ") for k in keys], rows) + more


def _cell(value: Any) -> str:
    if isinstance(value, dict) and "mean" in value:
        return _estimate_text(value)
    if isinstance(value, dict) and set(value) == {"k", "n"}:
        return markup.escape(f"{value['k']} of {value['n']}")
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(v, dict) and "mean" in v for v in value.values())
    ):
        # e.g. a remedy's cost change: {labour_cost: estimate, staffing_cost: estimate}
        return "; ".join(f"{markup.escape(label(k))} {_estimate_text(v)}" for k, v in value.items())
    if isinstance(value, float):
        return markup.escape(f"{value:.3g}")
    if isinstance(value, dict | list):
        return markup.escape(json.dumps(value))
    return markup.escape("" if value is None else value)


def _diagnosis(data: dict[str, Any], source: Path) -> str:
    body = ""
    bottleneck = data.get("bottleneck")
    if bottleneck:
        who = ", ".join(
            f"{k.replace('_', ' ')} {bottleneck[k]}"
            for k in ("role", "department", "person", "wait_kind")
            if bottleneck.get(k) is not None
        )
        share = bottleneck.get("cp_share")
        share_text = (
            f": {100 * float(share):.0f}% of the critical path waits there"
            if isinstance(share, int | float)
            else ""
        )
        body += f'<p class="headline">The bottleneck: {markup.escape(who)}{share_text}.</p>'
    remedies = data.get("remedies") or []
    if remedies:
        rows = []
        for remedy in remedies:
            gain = remedy.get("lead_time_gain_days")
            rows.append(
                [
                    _cell(remedy.get("remedy")),
                    _cell(remedy.get("change")),
                    _estimate_text(gain) if isinstance(gain, dict) else "",
                    _cell(remedy.get("cost_change")),
                    _cell(remedy.get("wins")),
                ]
            )
        body += "<h3>Remedies</h3>" + markup.table(
            ["remedy", "change", "lead time gained (working days, 95% CI)", "cost change", "wins"],
            rows,
        )
    for key, title in (
        ("critical_path", "The critical path"),
        ("departments", "Departments"),
        ("managers", "Managers"),
    ):
        if data.get(key):
            body += f"<h3>{title}</h3>" + _records_table(data[key])
    return markup.section(
        "Where the time goes (diagnosis)",
        f"From {markup.escape(source.name)} (<code>orgsim diagnose</code>): where the runs' "
        "critical path waits, who it waits for, and what each remedy would gain, as a paired "
        "difference in lead time with its 95% confidence interval (positive: earlier).",
        body,
    )


def _decomposition(page: _Page, data: dict[str, Any]) -> str:
    part = data["decomposition"]
    contributions = part["contributions"]
    order = sorted(contributions, key=lambda k: -abs(float(contributions[k]["mean"])))
    rows = [
        [markup.escape(name.replace("_", " ")), _estimate_text(contributions[name])]
        for name in order
    ]
    rows.append(["<strong>total</strong>", f"<strong>{_estimate_text(part['total'])}</strong>"])
    img = ""
    if order:
        img = page.figure(
            "decomposition",
            figures.contributions(
                [(n.replace("_", " "), contributions[n]) for n in order], part["total"]
            ),
            "contribution of each mechanism to the gap",
        )
    return markup.section(
        "Which mechanisms make the gap (decomposition)",
        f"From {markup.escape(DECOMPOSITION)} (<code>orgsim compare --decompose</code>): the gap "
        f"in lead time from {markup.escape(part['from'])} to {markup.escape(part['to'])}, "
        "shared among the mechanisms that differ between them (working days, 95% confidence "
        "interval; negative: the change shortens the lead time), the largest first.",
        img + markup.table(["mechanism", "working days (95% CI)"], rows),
    )


def _reproduce(page: _Page) -> str:
    replications = int(page.runs["replicate"].nunique())
    seed = int(page.runs["seed"].min())
    scenario = (
        str(page.runs["scenario"].dropna().iloc[0])
        if "scenario" in page.runs and page.runs["scenario"].notna().any()
        else "SCENARIO"
    )
    return markup.section(
        "Reproducing these results",
        "The same scenario, policies, replications and seed give the same numbers on any "
        "machine and any number of workers (add the same <code>--set</code> values if any "
        "were given).",
        f"<pre>orgsim compare {markup.escape(scenario)} --policies "
        f"{markup.escape(','.join(page.policies))} --replications {replications} --seed {seed} "
        "--out DIR\norgsim report DIR</pre>",
    )
