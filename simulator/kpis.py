"""KPIs of a run (public names, DESIGN §5.6), including the critical-path split of lead time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.manager import DIRECTOR
from simulator.domain import (
    CATEGORIES,
    Activity,
    Route,
    Task,
    TaskState,
)

if TYPE_CHECKING:
    from simulator.model import OrgModel

RESOLUTION_ROUTES = tuple(route.value for route in Route)
# The critical-path split: one KPI per category of a task's time, in working days.
CP_NAMES = {category: f"cp_{category}_days" for category in CATEGORIES}

KPI_NAMES = (
    "lead_time_days",
    "finished",
    "on_time",
    "tasks_done",
    "work_hours",
    "rework_hours",
    "coordination_hours",
    "help_hours",
    "information_wait_hours",
    "decision_wait_hours",
    "problems_raised",
    "problems_resolved",
    "mean_resolution_hours",
    "p90_resolution_hours",
    *(f"resolved_{route}" for route in RESOLUTION_ROUTES),
    "messages",
    "manager_utilization",
    "max_manager_utilization",
    "collaborator_utilization",
    "max_collaborator_utilization",
    "decision_quality",
    "person_hours",
    "labour_cost",
    *CP_NAMES.values(),
    # additions (documented in docs/model.md)
    "staffing_cost",
    "plan_critical_path_days",
    # model version 2 (DESIGN §5.3b)
    "problem_solving_hours",
    "orientation_hours",
    "confrontation_hours",
    "arbitrations",
    "consensus_rounds",
    "consensus_failures",
    "knowledge_reuses",
    "cross_department_help",
    "transition_hours",
    # the consultant's toolkit (DESIGN §7b)
    "other_work_hours",
    "flow_efficiency",
)


def compute(model: OrgModel) -> dict[str, Any]:
    """Every KPI at the model's current time (final once the run has stopped)."""
    hpd = model.hours_per_day
    end = model.end_time if model.end_time is not None else model.time
    finished = model.finished
    if finished:
        lead_hours = end
    elif model.stopped:
        lead_hours = model.horizon_hours
    else:
        lead_hours = model.time
    deadline = model.config.project.deadline_days
    lead_days = lead_hours / hpd

    org = model.org
    hours = _activity_hours(model)
    busy = {p: p.busy_hours(end) for p in org.people}
    manager_use = [busy[m] / end if end > 0 else 0.0 for m in org.managers]
    collaborator_use = [busy[c] / end if end > 0 else 0.0 for c in org.collaborators]
    rates = model.config.organisation.cost_per_hour

    def rate(person) -> float:
        if person.role == "collaborator":
            return rates.collaborator
        return rates.director if person.level == DIRECTOR else rates.manager

    desk = model.desk
    cases = desk.cases
    closed = [c for c in cases if c.closed]
    durations = sorted(c.resolved_at - c.raised_at for c in closed)
    waits = ledger_totals(model, end)
    qualities = [c.quality for c in closed if c.quality is not None]
    routes = {route: 0 for route in RESOLUTION_ROUTES}
    for c in closed:
        routes[c.route] = routes.get(c.route, 0) + 1

    split = critical_path_split(model, end)
    result: dict[str, Any] = {
        "lead_time_days": lead_days,
        "finished": finished,
        "on_time": None if deadline is None else bool(finished and lead_days <= deadline + 1e-9),
        "tasks_done": model.tasks_done,
        "work_hours": hours.get(Activity.TASK_WORK, 0.0) + hours.get(Activity.REWORK_WORK, 0.0),
        "rework_hours": hours.get(Activity.REWORK_WORK, 0.0),
        "coordination_hours": hours.get(Activity.COORDINATING, 0.0),
        "help_hours": hours.get(Activity.HELP, 0.0),
        "information_wait_hours": waits.get(TaskState.INFORMATION_WAIT, 0.0),
        "decision_wait_hours": waits.get(TaskState.DECISION_WAIT, 0.0),
        "problems_raised": len(cases),
        "problems_resolved": len(closed),
        "mean_resolution_hours": _mean(durations),
        "p90_resolution_hours": percentile(durations, 90) if durations else None,
        **{f"resolved_{route}": routes[route] for route in RESOLUTION_ROUTES},
        "messages": model.messages,
        "manager_utilization": _mean(manager_use) or 0.0,
        "max_manager_utilization": float(max(manager_use, default=0.0)),
        "collaborator_utilization": _mean(collaborator_use) or 0.0,
        "max_collaborator_utilization": float(max(collaborator_use, default=0.0)),
        "decision_quality": _mean(qualities),
        "person_hours": float(sum(busy.values())),
        "labour_cost": float(sum(busy[p] * rate(p) for p in org.people)),
        **{CP_NAMES[c]: split.get(c, 0.0) / hpd for c in CATEGORIES},
        # The staff's time the project holds for its duration (part-timers: their share).
        "staffing_cost": float(sum(rate(p) * p.availability for p in org.people) * lead_hours),
        "plan_critical_path_days": model.critical_path_hours / hpd,
        "problem_solving_hours": waits.get(TaskState.PROBLEM_SOLVING, 0.0),
        "orientation_hours": hours.get(Activity.ORIENTING, 0.0),
        "confrontation_hours": hours.get(Activity.CONFRONTING, 0.0),
        "arbitrations": desk.arbitrations,
        "consensus_rounds": desk.consensus_rounds,
        "consensus_failures": desk.consensus_failures,
        "knowledge_reuses": desk.knowledge_reuses,
        "cross_department_help": desk.cross_department_help,
        "transition_hours": model.transition.extra_hours,
        "other_work_hours": waits.get(TaskState.OTHER_WORK, 0.0),
        "flow_efficiency": (split.get(TaskState.WORK, 0.0) / lead_hours)
        if lead_hours > 0
        else None,
    }
    return result


def ledger_totals(model: OrgModel, end: float) -> dict[str, float]:
    """Hours by category over every task released so far (the interval under way included)."""
    return model.ledger_totals.at(end)


def _mean(values: list[float]) -> float | None:
    # Plain Python: the KPIs are computed every working day, on short lists.
    return sum(values) / len(values) if values else None


def percentile(ordered: list[float], q: float) -> float:
    """The q-th percentile of sorted values, interpolated linearly (numpy's default)."""
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _activity_hours(model: OrgModel) -> dict[str, float]:
    totals: dict[str, float] = {}
    end = model.end_time if model.end_time is not None else model.time
    for person in model.org.people:
        for activity, value in person.hours.items():
            totals[activity] = totals.get(activity, 0.0) + value
        item = person.current
        in_hand = person.item_in_hand_hours(end)
        if item is not None and in_hand > 0:
            totals[item.booked_as] = totals.get(item.booked_as, 0.0) + in_hand
        in_hand = person.work_in_hand(end)
        if in_hand > 0:
            task = getattr(person, "task", None)
            key = (
                Activity.TASK_WORK
                if task is not None and task.base_remaining > 0
                else Activity.REWORK_WORK
            )
            totals[key] = totals.get(key, 0.0) + in_hand
    return totals


def task_ledger(task: Task, end: float) -> dict[str, float]:
    """The task's time by category, the interval under way included."""
    ledger = dict(task.ledger)
    if task.state is not None and task.finished_at is None:
        ledger[task.state] = ledger.get(task.state, 0.0) + max(0.0, end - task.state_since)
    return ledger


def critical_path_split(model: OrgModel, end: float) -> dict[str, float]:
    """Hours by category along the realised critical path.

    The path ends at the task that finished last (or, unfinished, the most recently ready
    task still open) and walks back through the predecessor that finished last, each
    task contributing the time from its release to its end. The parts add up to the end.
    """
    tasks = model.tasks
    if model.last_finished is not None and model.tasks_done == len(tasks):
        current = model.last_finished
    else:
        open_ready = model.active_tasks
        if not open_ready:  # nothing released yet: the whole time so far is waiting
            return {TaskState.QUEUE: end}
        current = next(reversed(open_ready))  # the most recently released
    total: dict[str, float] = {}
    while current is not None:
        for category, hours in task_ledger(current, end).items():
            total[category] = total.get(category, 0.0) + hours
        if not current.predecessors:
            break
        current = max(
            (tasks[p] for p in current.predecessors), key=lambda t: (t.finished_at, -t.index)
        )
    return total
