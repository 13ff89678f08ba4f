"""Changes made to a model while it runs: a mechanism switched, a shock injected.

Each intervention is logged in `model.interventions` (for marks on charts) and in the
model's feed of notable events, in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.policies import MECHANISMS, with_mechanism

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from simulator.model import OrgModel


@dataclass(frozen=True, slots=True)
class Intervention:
    """What was changed, when (working hours), in plain words."""

    time: float
    kind: str
    text: str


def _log(model: OrgModel, kind: str, text: str) -> Intervention:
    entry = Intervention(model.time, kind, text)
    model.interventions.append(entry)
    model.note(text, kind="intervention")
    return entry


def set_mechanism(model: OrgModel, mechanism: str, value: object) -> Intervention:
    """Switch one mechanism of the run's policy from now on (departments' own policies stay).

    With a `transition` in the scenario, the new way of working is learned from now on: its
    activities cost the transition's overhead at first, fading over its days.
    """
    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism '{mechanism}' (known: {', '.join(MECHANISMS)})")
    previous = model.policy
    before = getattr(previous, mechanism)
    model.policy = with_mechanism(model.policy, mechanism, value)
    model.refresh_policies()
    after = getattr(model.policy, mechanism)
    text = f"{mechanism} changed from {before} to {after}"
    spec = model.config.transition
    if spec is not None and before != after:
        model.transition.start(previous, spec.days, spec.overhead)
        text += f" (learned over {spec.days:g} days, {spec.overhead:.0%} slower at first)"
    return _log(model, "mechanism", text)


def set_problem_rate(model: OrgModel, rate: float) -> Intervention:
    """Problems arrive at `rate` (per hour at expertise 0.5, complexity 1) from now on."""
    if rate < 0:
        raise ValueError("the problem rate cannot be negative")
    before = model.problem_rate
    model.problem_rate = rate
    for collaborator in model.org.collaborators:
        if collaborator.task is not None:
            collaborator.change_problem_rate(collaborator.problem_rate_for(collaborator.task, rate))
    return _log(model, "shock", f"problem rate changed from {before:g} to {rate:g} per hour")


def _with_timing(model: OrgModel, **laws) -> None:
    # The scenario is immutable: the model's copy of it is replaced, so what is sampled
    # from now on (and what a later change starts from) is the new law.
    timing = model.config.timing.model_copy(update=laws)
    model.config = model.config.model_copy(update={"timing": timing})


def _law_with_mean(law, mean: float):
    # Validated like `--set timing.decision_hours.mean=...` (a negative mean is refused).
    return type(law).model_validate({**law.model_dump(), "mean": mean})


def set_decision_hours(model: OrgModel, mean: float) -> Intervention:
    """Managers take `mean` working hours on average to decide, from the next decision on.

    Only managers who follow the scenario's decision time change; one whose department or
    line in a people file sets their own keeps it (as `timing.decision_hours.mean` does)."""
    if mean <= 0:
        raise ValueError("the decision time must be positive")
    before = model.config.timing.decision_hours
    after = _law_with_mean(before, mean)
    for person in model.org.managers:
        if person.decision_hours == before:
            person.decision_hours = after
    _with_timing(model, decision_hours=after)
    return _log(
        model,
        "shock",
        f"decision time changed from {before.mean:g} to {mean:g} hours (mean)",
    )


def set_meeting_interval(model: OrgModel, days: float) -> Intervention:
    """Managers' meetings come every `days` working days on average after the next one (the
    meeting already planned keeps its date)."""
    if days <= 0:
        raise ValueError("the time between meetings must be positive")
    before = model.config.timing.meeting_interval_days
    _with_timing(model, meeting_interval_days=_law_with_mean(before, days))
    text = f"meetings every {days:g} days on average after the next one (was {before.mean:g})"
    if model.policy.coordination != "meetings":
        text += "; this policy holds no managers' meetings"  # said, so it is not a mystery
    return _log(model, "shock", text)


def most_expert(model: OrgModel, department: int) -> Collaborator | None:
    """The most expert collaborator still on the project in a department."""
    present = [c for c in model.org.collaborators if c.department == department and not c.departed]
    return max(present, key=lambda c: (c.expertise, -c.unique_id), default=None)


def depart(model: OrgModel, collaborator: Collaborator) -> Intervention:
    """A collaborator leaves: no new tasks or requests; their task goes back to allocation.

    Items already in their in-tray are still served (a handover); a task blocked on a
    problem is handed over once the problem is resolved.
    """
    if collaborator.departed:
        raise ValueError(f"{collaborator.name} has already left")
    collaborator.departed = True
    model.allocation.forget(collaborator)
    model.desk.forget(collaborator)
    model.org.leave_team(collaborator)
    # Messages no longer pass through them (those already in their in-tray are handed on).
    model.org.graph.remove_edges_from(list(model.org.graph.edges(collaborator.unique_id)))
    model.org.forget_routes()
    entry = _log(
        model,
        "shock",
        f"{collaborator.name} (expertise {collaborator.expertise:.2f}) left the project",
    )
    if collaborator.task is not None and not collaborator.task.blocked:
        hand_over(model, collaborator)
    return entry


def hand_over(model: OrgModel, collaborator: Collaborator) -> None:
    """Give a departed collaborator's task back to allocation, progress kept."""
    collaborator.pause_own_work()
    task = collaborator.release_task()
    if task is None:
        return
    model.allocation.hand_back(task)
    model.note(f"{task.key} handed over by {collaborator.name}", kind="handover")
