"""How `orgsim run` and `orgsim compare` show their results: rich tables on stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from experiments.display import policy_name

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from simulator.schema import Scenario

PIPED_WIDTH = 120
# What `orgsim run` adds to a run's KPIs (cli.run.run_record): shown apart from the KPIs.
RUN_LABELS = ("finish_date", "deadline_date", "currency", "scenario_hash")


def unit_in(kpi: str, scenario: Scenario) -> str:
    """A KPI's unit, with amounts in the scenario's currency when it names one."""
    from experiments.display import COST_KPIS, unit

    currency = scenario.organisation.cost_per_hour.currency
    return currency if kpi in COST_KPIS and currency else unit(kpi)


def console() -> Console:
    """A rich console on stdout (120 columns when piped, so tables do not wrap)."""
    from rich.console import Console

    class ResultsConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich would exit with 1, which reads as "runs failed": let `cli.main` stop
            # as for any reader that went away.
            raise BrokenPipeError

    return ResultsConsole(highlight=False, width=None if sys.stdout.isatty() else PIPED_WIDTH)


def titled_table(title: str, columns: Iterable[tuple[str, str]]) -> Table:
    """A table titled on its left, with (name, justify) columns."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left")
    for name, justify in columns:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    return table


def print_run(record: dict[str, Any], scenario: Scenario) -> None:
    """The KPIs of one run as a table grouped by theme, with units."""
    from rich.text import Text

    from experiments.display import grouped, label, number

    kpis = [k for k in record if k not in ("scenario", "policy", "seed", *RUN_LABELS)]
    table = titled_table(
        f"{record['scenario']} under {record['policy']} (seed {record['seed']})",
        (("KPI", "left"), ("value", "right"), ("unit", "left")),
    )
    groups = grouped(kpis)
    for g, (title, names) in enumerate(groups):
        table.add_row(Text(title, style="bold"), "", "")
        for i, kpi in enumerate(names):
            last = i == len(names) - 1 and g < len(groups) - 1
            table.add_row(
                Text("  " + label(kpi)),
                number(kpi, record[kpi]),
                unit_in(kpi, scenario),
                end_section=last,
            )
    out = console()
    out.print(table)
    if record.get("finish_date") or record.get("deadline_date"):
        dates = [
            f"{name} {record[key]}"
            for name, key in (("finished on", "finish_date"), ("deadline", "deadline_date"))
            if record.get(key)
        ]
        out.print(Text("Dates: " + "; ".join(dates) + "."), soft_wrap=True)
    if record.get("finished") is False:
        out.print(
            Text(
                f"The project did not finish within the horizon ({scenario.time.horizon_days:g} "
                f"working days): {record.get('tasks_done')} tasks done; the lead time shown is "
                "the horizon, a lower bound."
            ),
            soft_wrap=True,
        )


# --- orgsim compare ------------------------------------------------------------------------------


_SHARE_UNIT = "share of runs"


def _span(kpi: str, low: float, high: float, signed: bool = False) -> str:
    from experiments.display import is_missing

    if is_missing(low) or is_missing(high):
        return "n/a"
    return f"{_value(kpi, low, signed)} to {_value(kpi, high, signed)}"


def _value(kpi: str, value: float, signed: bool = False) -> str:
    from experiments.display import is_missing, number

    text = number(kpi, value)
    if signed and not is_missing(value) and value > 0:
        text = "+" + text
    return text


def print_comparison(
    runs: pd.DataFrame,
    summary: dict[str, Any],
    text: str,
    policies: list[str],
    scenario: Scenario,
    base_seed: int,
    extras: dict[str, Any] | None = None,
) -> None:
    """Headline, then per policy the main KPIs (on-time share and costs included), finish
    dates, the paired differences to the first policy, and what holds across uncertain
    inputs. `extras` is what `orgsim compare --json` adds (dates, p_beats, sensitivity)."""
    from rich.text import Text

    from experiments.compare import unfinished
    from experiments.display import PERCENT_KPIS, SHARE_KPIS, label
    from experiments.statistics import wins

    extras = extras or {}
    out = console()
    out.print(Text(text), soft_wrap=True)
    if "p_beats" in extras:
        from experiments.uncertainty import headline_pair, uncertainty_sentence

        _, other = headline_pair(runs, policies)
        out.print(Text(uncertainty_sentence(extras, policies, other)), soft_wrap=True)
    out.print()
    replications = int(runs["replicate"].nunique())
    seeds = (
        f"seed {base_seed}"
        if replications == 1
        else f"seeds {base_seed}–{base_seed + replications - 1}"
    )
    first = policies[0]
    stuck = {p: unfinished(runs, p) for p in policies}

    table = titled_table(
        f"{scenario.name}: {replications} paired run{'' if replications == 1 else 's'}"
        f" per policy ({seeds})",
        (
            ("KPI", "left"),
            ("policy", "left"),
            ("mean", "right"),
            ("95% CI", "right"),
            ("p90", "right"),
            ("unit", "left"),
        ),
    )
    for i, policy in enumerate(policies):
        k, n = stuck[policy]
        done = n - k
        table.add_row(
            "finished" if i == 0 else "",
            Text(policy_name(policy)),
            f"{done} of {n}",
            "",
            "",
            f"{100 * done / n:.0f}% of runs" if n else "",
            end_section=i == len(policies) - 1,
        )
    from experiments.compare import MAIN_KPIS

    # Per policy: the main KPIs, on time (only with a deadline: KPIs without a value in
    # any run are left out) and both costs.
    shown = (MAIN_KPIS[0], "on_time", *MAIN_KPIS[1:], "staffing_cost")
    kpis = [k for k in shown if k in summary["policies"][first]]
    for kpi in kpis:
        for i, policy in enumerate(policies):
            stat = summary["policies"][policy][kpi]
            mean = _value(kpi, stat["mean"])
            if kpi == "lead_time_days" and stuck[policy][0]:
                mean = "≥ " + mean
            table.add_row(
                label(kpi) if i == 0 else "",
                Text(policy_name(policy)),
                mean,
                _span(kpi, stat["ci_low"], stat["ci_high"]),
                "" if kpi in SHARE_KPIS else _value(kpi, stat["p90"]),
                (_SHARE_UNIT if kpi in SHARE_KPIS else unit_in(kpi, scenario)) if i == 0 else "",
                end_section=i == len(policies) - 1,
            )
    out.print(table)
    if "dates" in extras:
        print_dates(out, extras["dates"], scenario)
    print_split(out, summary, policies)
    for policy in policies:
        k, n = stuck[policy]
        if k:
            out.print(
                Text(
                    f"{policy_name(policy)}: lead time is a lower bound: {k} of {n} runs hit the horizon."
                ),
                soft_wrap=True,
            )
    if len(policies) < 2:
        return

    out.print()
    table = titled_table(
        f"Paired differences to {policy_name(first)} (policy minus {policy_name(first)}, same seeds)",
        (
            ("KPI", "left"),
            ("policy", "left"),
            ("mean difference", "right"),
            ("95% CI", "right"),
            ("unit", "left"),
        ),
    )
    others = policies[1:]
    for i, policy in enumerate(others):
        k, n = wins(runs, policy, first)
        table.add_row(
            "lower lead time" if i == 0 else "",
            Text(policy_name(policy)),
            f"wins in {k} of {n}",
            "",
            "paired runs" if i == 0 else "",
            end_section=i == len(others) - 1,
        )
    for kpi in kpis:
        for i, policy in enumerate(others):
            diff = summary["differences"][policy][kpi]
            table.add_row(
                label(kpi) if i == 0 else "",
                Text(policy_name(policy)),
                _value(kpi, diff["mean"], signed=True),
                _span(kpi, diff["ci_low"], diff["ci_high"], signed=True),
                (
                    "percentage points"
                    if kpi in PERCENT_KPIS | SHARE_KPIS
                    else unit_in(kpi, scenario)
                )
                if i == 0
                else "",
                end_section=i == len(others) - 1,
            )
    out.print(table)


def print_dates(out: Console, dates: dict[str, dict[str, Any]], scenario: Scenario) -> None:
    """Finish dates per policy (median and 90th percentile) on the scenario's calendar."""
    from rich.text import Text

    from simulator.calendar import date_at

    table = titled_table(
        "Finish dates", (("policy", "left"), ("median (p50)", "right"), ("p90", "right"))
    )
    for policy, finish in dates.items():
        table.add_row(
            Text(policy_name(policy)), finish["finish_p50"] or "n/a", finish["finish_p90"] or "n/a"
        )
    out.print()
    out.print(table)
    note = f"Working days from {scenario.time.start} on the scenario's calendar"
    deadline = scenario.project.deadline_days
    if deadline is not None:
        note += f"; the deadline falls on {date_at(scenario.time, deadline)}"
    out.print(Text(note + "."), soft_wrap=True)


def print_split(out: Console, summary: dict[str, Any], policies: list[str]) -> None:
    """Where the lead time went: the mean critical-path split per policy, in working days."""
    from rich.text import Text

    from simulator.kpis import CP_NAMES

    parts = {
        "work": "work",
        "rework": "rework",
        "information_wait": "waiting for information",
        "decision_wait": "waiting for decisions",
        "coordination": "coordination",
        "queue": "queued for a person",
    }
    if not all(CP_NAMES[p] in summary["policies"][policies[0]] for p in parts):
        return
    table = titled_table(
        "Where the lead time went (mean working days along the critical path)",
        (
            ("policy", "left"),
            *((title, "right") for title in parts.values()),
            ("lead time", "right"),
        ),
    )
    for policy in policies:
        stats = summary["policies"][policy]
        table.add_row(
            Text(policy_name(policy)),
            *(f"{stats[CP_NAMES[p]]['mean']:.1f}" for p in parts),
            f"{stats['lead_time_days']['mean']:.1f}",
        )
    out.print()
    out.print(table)
