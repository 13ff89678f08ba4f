"""KPIs of a run (public names, DESIGN §5.6), including the critical-path split of lead time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agents.manager import DIRECTOR
from simulator.domain import (
    CATEGORIES,
    COORDINATING,
    HELP,
    INFORMATION_WAIT,
    QUEUE,
    REWORK_WORK,
    TASK_WORK,
    Route,
    Task,
)

if TYPE_CHECKING:
    from simulator.model import OrgModel

RESOLUTION_ROUTES = tuple(route.value for route in Route)
CP_NAMES = {
    "work": "cp_work_days",
    "rework": "cp_rework_days",
    "information_wait": "cp_information_wait_days",
    "decision_wait": "cp_decision_wait_days",
    "coordination": "cp_coordination_days",
    "queue": "cp_queue_days",
}

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

    cases = model.desk.cases
    closed = [c for c in cases if c.closed]
    durations = sorted(c.resolved_at - c.raised_at for c in closed)
    decision_wait = sum(((c.resolved_at if c.closed else end) - c.raised_at) for c in cases)
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
        "work_hours": hours.get(TASK_WORK, 0.0) + hours.get(REWORK_WORK, 0.0),
        "rework_hours": hours.get(REWORK_WORK, 0.0),
        "coordination_hours": hours.get(COORDINATING, 0.0),
        "help_hours": hours.get(HELP, 0.0),
        "information_wait_hours": model.closed_ledger.get(INFORMATION_WAIT, 0.0)
        # Information wait starts at assignment: only held tasks have any under way.
        + sum(
            task_ledger(c.task, end).get(INFORMATION_WAIT, 0.0)
            for c in org.collaborators
            if c.task is not None
        ),
        "decision_wait_hours": float(decision_wait),
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
        "staffing_cost": float(sum(rate(p) for p in org.people) * lead_hours),
        "plan_critical_path_days": model.critical_path_hours / hpd,
    }
    return result


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
        if item is not None and item.started_at is not None and end > item.started_at:
            totals[item.booked_as] = totals.get(item.booked_as, 0.0) + (end - item.started_at)
        in_hand = person.work_in_hand(end)
        if in_hand > 0:
            task = getattr(person, "task", None)
            key = TASK_WORK if task is not None and task.base_remaining > 0 else REWORK_WORK
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
            return {QUEUE: end}
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
