"""How KPIs are shown to people: labels, units, groups and number formatting.

Shared by the tables of `orgsim run` and `orgsim compare` (cli/tables.py), the report and its
figures. Only the standard library is imported here, so the command line stays quick to start.
"""

from __future__ import annotations

import math
import re
from typing import Any

# KPI name -> (label, unit). Units are those of DESIGN §5.6; utilisations are shown in %.
KPI_TEXT: dict[str, tuple[str, str]] = {
    "lead_time_days": ("lead time", "working days"),
    "finished": ("finished", ""),
    "on_time": ("on time (deadline)", ""),
    "tasks_done": ("tasks done", "tasks"),
    "plan_critical_path_days": ("planned critical path (work only)", "working days"),
    "cp_work_days": ("critical path: work", "working days"),
    "cp_rework_days": ("critical path: rework", "working days"),
    "cp_information_wait_days": ("critical path: waiting for information", "working days"),
    "cp_decision_wait_days": ("critical path: waiting for decisions", "working days"),
    "cp_coordination_days": ("critical path: coordination", "working days"),
    "cp_queue_days": ("critical path: queued for a free person", "working days"),
    "work_hours": ("work (rework included)", "person-hours"),
    "rework_hours": ("rework", "person-hours"),
    "coordination_hours": ("coordination", "person-hours"),
    "help_hours": ("expert help", "person-hours"),
    "information_wait_hours": ("waiting for information", "person-hours"),
    "decision_wait_hours": ("waiting for decisions", "person-hours"),
    "person_hours": ("all hours spent", "person-hours"),
    "problems_raised": ("problems raised", "problems"),
    "problems_resolved": ("problems resolved", "problems"),
    "mean_resolution_hours": ("time to resolve, mean", "hours"),
    "p90_resolution_hours": ("time to resolve, 90th percentile", "hours"),
    "resolved_self": ("resolved by the raiser", "problems"),
    "resolved_peer": ("resolved by a peer or expert", "problems"),
    "resolved_manager": ("resolved by a manager", "problems"),
    "resolved_director": ("resolved by the director", "problems"),
    "resolved_consensus": ("resolved by consensus", "problems"),
    "decision_quality": ("decision quality", "0 to 1"),
    "messages": ("message deliveries", "deliveries"),
    "manager_utilization": ("manager utilisation, mean", "% of time"),
    "max_manager_utilization": ("manager utilisation, busiest", "% of time"),
    "collaborator_utilization": ("collaborator utilisation, mean", "% of time"),
    "max_collaborator_utilization": ("collaborator utilisation, busiest", "% of time"),
    "labour_cost": ("labour cost (hours spent)", "cost units"),
    "staffing_cost": ("staffing cost (everyone, whole lead time)", "cost units"),
}

# Groups in the order a reader follows a run: when, where the time went, effort, problems,
# communication, load, money. KPIs missing from every group are shown under "Other".
KPI_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Lead time",
        ("lead_time_days", "finished", "on_time", "tasks_done", "plan_critical_path_days"),
    ),
    (
        "Where the lead time went (realised critical path)",
        (
            "cp_work_days",
            "cp_rework_days",
            "cp_information_wait_days",
            "cp_decision_wait_days",
            "cp_coordination_days",
            "cp_queue_days",
        ),
    ),
    (
        "Effort",
        (
            "work_hours",
            "rework_hours",
            "coordination_hours",
            "help_hours",
            "information_wait_hours",
            "decision_wait_hours",
            "person_hours",
        ),
    ),
    (
        "Problems",
        (
            "problems_raised",
            "problems_resolved",
            "mean_resolution_hours",
            "p90_resolution_hours",
            "resolved_self",
            "resolved_peer",
            "resolved_manager",
            "resolved_director",
            "resolved_consensus",
            "decision_quality",
        ),
    ),
    ("Communication", ("messages",)),
    (
        "Utilisation",
        (
            "manager_utilization",
            "max_manager_utilization",
            "collaborator_utilization",
            "max_collaborator_utilization",
        ),
    ),
    ("Cost", ("labour_cost", "staffing_cost")),
)

PERCENT_KPIS = frozenset(
    {
        "manager_utilization",
        "max_manager_utilization",
        "collaborator_utilization",
        "max_collaborator_utilization",
    }
)
COST_KPIS = frozenset({"labour_cost", "staffing_cost"})
SHARE_KPIS = frozenset({"finished", "on_time"})


def label(kpi: str) -> str:
    """The reader's name of a KPI (the KPI name itself when it has none)."""
    return KPI_TEXT.get(kpi, (kpi.replace("_", " "), ""))[0]


def unit(kpi: str) -> str:
    """The unit a KPI is shown in ('' for yes/no values)."""
    return KPI_TEXT.get(kpi, ("", ""))[1]


def grouped(kpis: list[str] | tuple[str, ...]) -> list[tuple[str, list[str]]]:
    """`kpis` arranged in KPI_GROUPS order; the ones no group names come last under "Other"."""
    present = set(kpis)
    groups = []
    placed: set[str] = set()
    for title, names in KPI_GROUPS:
        members = [k for k in names if k in present]
        placed.update(members)
        if members:
            groups.append((title, members))
    rest = [k for k in kpis if k not in placed]
    if rest:
        groups.append(("Other", rest))
    return groups


def is_missing(value: Any) -> bool:
    """None or NaN: a KPI without a value (no problems, no deadline...)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(kpi: str, value: Any) -> str:
    """One KPI value as text: yes/no, %, thousands for costs, one decimal otherwise."""
    if is_missing(value):
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kpi in PERCENT_KPIS:
        return f"{100 * float(value):.1f}"
    if kpi in COST_KPIS:
        return f"{float(value):,.0f}"
    if isinstance(value, int):
        return str(value)
    if kpi in SHARE_KPIS:
        return f"{100 * float(value):.0f}%"
    if (
        float(value).is_integer()
        and abs(float(value)) < 1e15
        and kpi.startswith(("problems", "resolved", "tasks", "messages"))
    ):
        return f"{float(value):.0f}"
    if kpi == "decision_quality":
        return f"{float(value):.2f}"
    return f"{float(value):.1f}"


# --- swept parameters in plain words ---------------------------------------------------------
#
# A swept key is a dotted path into the scenario (`project.problem_rate`); readers see the
# words below. Keys not listed read as their last part in words, with where they live
# (`organisation.departments[legal].expertise` -> "expertise (legal)").

PARAMETER_TEXT: dict[str, str] = {
    "project.problem_rate": "problem rate (per hour of work)",
    "project.interdependence": "links between departments' tasks",
    "project.tasks": "number of tasks",
    "project.dependency_density": "dependencies between tasks",
    "project.foreign_field_share": "share of problems outside the raiser's field",
    "project.effort_hours": "effort per task (hours)",
    "project.complexity": "project complexity",
    "project.deadline_days": "deadline (working days)",
    "timing.decision_hours.mean": "time to decide, mean (hours)",
    "timing.coordination_hours.mean": "time to coordinate, mean (hours)",
    "time.hours_per_day": "working hours per day",
    "time.horizon_days": "horizon (working days)",
    "organisation.lateral_links": "links between departments",
    "organisation.project_share": "share of the day on the project",
    "organisation.manager_expertise": "managers' expertise",
    "organisation.manager_availability": "managers' availability",
    "organisation.cross_expertise": "expertise outside one's field",
}


def parameter_label(key: str) -> str:
    """A swept key in plain words (`project.problem_rate` -> "problem rate (per hour of work)")."""
    if key in PARAMETER_TEXT:
        return PARAMETER_TEXT[key]
    if key.startswith("policy.") and key.removeprefix("policy.") in MECHANISM_TEXT:
        return MECHANISM_TEXT[key.removeprefix("policy.")]

    parts = key.split(".")
    where = []
    for part in parts[:-1]:
        if match := re.fullmatch(r"(\w+)\[([^\]]+)\]", part):
            container, item = match.groups()
            # A department named `legal` reads "legal"; by index, "departments 0".
            where.append(f"{container} {item}" if item.isdigit() else item)
    last = parts[-1]
    if last in ("mean", "sd", "min", "max") and len(parts) > 1:
        last = f"{re.sub(r'\[.*\]', '', parts[-2])} {last}"
    words = last.replace("_", " ")
    return f"{words} ({', '.join(where)})" if where else words


# --- Names on screen: policies, mechanisms and their values ---------------------------------
# One table for every place that shows them to people (the dashboard, its feed, its charts),
# so that no internal identifier (self_managed, problem_solving) reaches a screen. Names not
# listed here (a scenario's own policy) are shown with their underscores as spaces.

POLICY_TEXT: dict[str, str] = {
    "hierarchical": "hierarchical",
    "cooperative": "cooperative",
    "self_managed": "self-managed",
}

# Mechanism -> what it decides, as a question a room can answer.
MECHANISM_TEXT: dict[str, str] = {
    "allocation": "who assigns tasks",
    "communication": "how messages travel",
    "shared_space": "shared space",
    "coordination": "how work is coordinated",
    "problem_solving": "who solves problems",
    "autonomy": "what people settle alone",
    "authority": "who decides",
    "management": "what managers do",
    "confrontation": "are answers challenged",
}

# (mechanism, value) -> the value in plain words.
VALUE_TEXT: dict[tuple[str, object], str] = {
    ("allocation", "manager"): "the manager",
    ("allocation", "pull"): "people pull work",
    ("communication", "chain"): "up and down the chain",
    ("communication", "direct"): "directly",
    ("shared_space", True): "yes",
    ("shared_space", False): "no",
    ("coordination", "meetings"): "managers' meetings",
    ("coordination", "peer"): "between peers",
    ("coordination", "none"): "not at all",
    ("problem_solving", "escalate"): "managers (escalate)",
    ("problem_solving", "experts"): "experts",
    ("problem_solving", "consensus"): "the group (consensus)",
    ("autonomy", "none"): "nothing",
    ("autonomy", "minor"): "minor problems",
    ("autonomy", "major"): "major problems too",
    ("authority", "manager"): "the manager",
    ("authority", "codecision"): "co-decision",
    ("authority", "consensus"): "consensus",
    ("management", "command"): "command",
    ("management", "orient"): "orient and arbitrate",
    ("management", "none"): "no managers",
    ("confrontation", "positive"): "yes, positively",
    ("confrontation", "none"): "no",
}

_MECHANISM_CHANGE = re.compile(r"^(\w+) changed from (\S+) to (\S+)(.*)$", re.DOTALL)


def _plain(name: str) -> str:
    return name.replace("_", " ")


def policy_name(policy: str) -> str:
    """A policy's name on screen ('self-managed')."""
    return POLICY_TEXT.get(policy, _plain(policy))


def mechanism_name(mechanism: str) -> str:
    """What a mechanism decides, in plain words ('who solves problems')."""
    return MECHANISM_TEXT.get(mechanism, _plain(mechanism))


def value_name(mechanism: str, value: object) -> str:
    """A mechanism's value in plain words ('experts', 'people pull work')."""
    if (mechanism, value) in VALUE_TEXT:
        return VALUE_TEXT[(mechanism, value)]
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _plain(str(value))


def parameter_value(key: str, value: object) -> str:
    """A swept key's value as text: a mechanism's value in plain words (`policy.autonomy`
    = minor -> "minor problems"), any other value as it is."""
    mechanism = key.removeprefix("policy.")
    if key.startswith("policy.") and mechanism in MECHANISM_TEXT:
        return value_name(mechanism, value)
    return str(value)


def plain_event(text: str) -> str:
    """A feed line in plain words: a mechanism switch ("problem_solving changed from experts
    to escalate", as the model logs it) names the mechanism and its values as the room sees
    them; any other line is returned as it is."""
    match = _MECHANISM_CHANGE.match(text)
    if match is None or match.group(1) not in MECHANISM_TEXT:
        return text
    mechanism, before, after, rest = match.groups()
    values = {_plain(str(v)): v for m, v in VALUE_TEXT if m == mechanism}
    values.update({str(v): v for m, v in VALUE_TEXT if m == mechanism})
    old = value_name(mechanism, values.get(before, before))
    new = value_name(mechanism, values.get(after, after))
    return f"{mechanism_name(mechanism)}: {old} → {new}{rest}"
