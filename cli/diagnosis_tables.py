"""How `orgsim diagnose` shows its results: the bottleneck line, then rich tables of
departments, managers, the top critical-path tasks and the remedies ranked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cli.tables import console, titled_table

if TYPE_CHECKING:
    from simulator.schema import Scenario

TOP_TASKS = 10


def bottleneck_line(result: dict[str, Any]) -> str:
    """One line: who, where, which wait, and their share of the critical path."""
    top = result["bottleneck"]
    if top is None:
        return "bottleneck: none — no wait on the critical path is caused by anyone"
    wait = top["wait_kind"].replace("_", " ")
    return (
        f"bottleneck: {top['person']} ({top['role'].replace('_', ' ')}, {top['department']}): "
        f"{wait} caused on {top['cp_share']:.0%} of the critical path"
    )


def _n(value: float | None, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def _span(estimate: dict[str, float | None]) -> str:
    if estimate["ci_low"] is None or estimate["ci_high"] is None:
        return _n(estimate["mean"])
    return f"{estimate['mean']:.1f} ({estimate['ci_low']:.1f} to {estimate['ci_high']:.1f})"


def print_diagnosis(result: dict[str, Any], scenario: Scenario) -> None:
    """The diagnosis as text on stdout (`result` is the JSON data, NaN as None)."""
    from cli.output import jsonable

    result = jsonable(result)
    out = console()
    out.print(bottleneck_line(result))
    out.print(
        f"{result['scenario']} under {result['policy']}, {result['replications']} runs "
        f"(seeds {result['seed']}…); waits in hours per run, shares of the lead time"
    )
    departments = titled_table(
        "Departments",
        [
            ("department", "left"),
            ("raised", "right"),
            ("decided", "right"),
            ("decision wait caused", "right"),
            ("information wait caused", "right"),
            ("critical path", "right"),
            ("collaborators busy", "right"),
            ("managers busy", "right"),
            ("manager queue", "right"),
        ],
    )
    for row in result["departments"]:
        departments.add_row(
            row["department"],
            _n(row["problems_raised"]),
            _n(row["problems_decided"]),
            _n(row["decision_wait_caused_hours"]),
            _n(row["information_wait_caused_hours"]),
            _n(row["cp_share"], "{:.1%}"),
            _n(row["collaborator_utilisation"], "{:.0%}"),
            _n(row["manager_utilisation"], "{:.0%}"),
            _n(row["manager_queue"], "{:.2f}"),
        )
    out.print(departments)
    managers = titled_table(
        "Managers",
        [
            ("manager", "left"),
            ("role", "left"),
            ("department", "left"),
            ("decided", "right"),
            ("decision wait caused", "right"),
            ("information wait caused", "right"),
            ("critical path", "right"),
            ("busy", "right"),
            ("available", "right"),
            ("queue", "right"),
        ],
    )
    for row in result["managers"]:
        managers.add_row(
            row["person"],
            row["role"].replace("_", " "),
            row["department"],
            _n(row["problems_decided"]),
            _n(row["decision_wait_caused_hours"]),
            _n(row["information_wait_caused_hours"]),
            _n(row["cp_share"], "{:.1%}"),
            _n(row["utilisation"], "{:.0%}"),
            _n(row["availability"], "{:.0%}"),
            _n(row["mean_queue"], "{:.2f}"),
        )
    out.print(managers)
    path = titled_table(
        f"Critical path: the {TOP_TASKS} tasks that weigh most",
        [
            ("task", "left"),
            ("department", "left"),
            ("holder", "left"),
            ("on the path", "right"),
            ("share", "right"),
            ("where its time went (days per run)", "left"),
        ],
    )
    for row in result["critical_path"][:TOP_TASKS]:
        days = sorted(row["days"].items(), key=lambda kv: -kv[1])[:3]
        path.add_row(
            row["task"],
            row["department"],
            row["holder"] or "–",
            f"{row['on_path_in']} of {result['replications']}",
            _n(row["cp_share"], "{:.1%}"),
            ", ".join(f"{k.replace('_', ' ')} {v:.1f}" for k, v in days),
        )
    out.print(path)
    currency = scenario.organisation.cost_per_hour.currency or "cost units"
    remedies = titled_table(
        "Remedies, ranked by paired lead-time gain (same seeds)",
        [
            ("remedy (--set)", "left"),
            ("gain, days (95% CI)", "right"),
            ("wins", "right"),
            (f"labour cost change ({currency})", "right"),
            (f"staffing cost change ({currency})", "right"),
        ],
    )
    for row in result["remedies"]:
        remedies.add_row(
            "\n".join([row["remedy"], *(f"  {patch}" for patch in row["change"])]),
            _span(row["lead_time_gain_days"]),
            f"{row['wins']['k']} of {row['wins']['n']}",
            _n(row["cost_change"]["labour_cost"]["mean"], "{:+,.0f}"),
            _n(row["cost_change"]["staffing_cost"]["mean"], "{:+,.0f}"),
        )
    if result["remedies"]:
        out.print(remedies)
    else:
        out.print("No remedy that can act in this scenario was found.")
