"""A learned transition: a new way of working costs more at first.

With `transition: {from: POLICY, days: D, overhead: X}` in a scenario, a run under another
policy starts with the hours of every activity of a mechanism whose value differs from
`from`'s multiplied by `1 + X × max(0, 1 − t / D)` (t in working days since the start):
people have to learn the new way. A mechanism switched mid-run (the dashboard) starts its
own transition at the switch, with the scenario's `days` and `overhead`. KPI
`transition_hours` counts only the extra hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.domain import Item
    from simulator.model import OrgModel
    from simulator.policies import Policy


class LearnedTransition:
    """When each (department, mechanism) changed, and how dear its activities are now."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.extra_hours = 0.0
        # (department or None, mechanism) -> (start hour, days, overhead)
        self.changed: dict[tuple[int | None, str], tuple[float, float, float]] = {}
        spec = model.config.transition
        if spec is not None:
            from simulator.policies import resolve_policy

            before = resolve_policy(spec.from_policy, model.config)
            self.start(before, spec.days, spec.overhead)

    def start(self, before: Policy, days: float, overhead: float) -> None:
        """A transition from `before` to the run's policy begins now."""
        model = self.model
        now = model.time
        scopes: list[tuple[int | None, Policy, Policy]] = [(None, before, model.policy)]
        for d, department in enumerate(model.config.organisation.departments):
            scopes.append((d, model.policy_for(department, before), model.department_policy(d)))
        for department, old, new in scopes:
            for mechanism, value in new.mechanisms().items():
                if value != getattr(old, mechanism):
                    self.changed[(department, mechanism)] = (now, days, overhead)

    def factor(self, mechanism: str, department: int | None) -> float:
        """How many times the usual hours an activity of `mechanism` takes now."""
        # Each department learns what changed for it (a department that keeps its own way
        # of working learns nothing); the director follows the run's policy.
        entry = self.changed.get((department, mechanism))
        if entry is None:
            return 1.0
        start, days, overhead = entry
        elapsed_days = (self.model.time - start) / self.model.hours_per_day
        return 1.0 + overhead * max(0.0, 1.0 - elapsed_days / days)

    def apply(self, item: Item, person) -> float:
        """The item's hours under the transition (the extra is counted in `extra_hours`)."""
        if not self.changed or item.mechanism is None:
            return item.duration
        scale = self.factor(item.mechanism, person.department)
        if scale == 1.0:
            return item.duration
        self.extra_hours += item.duration * (scale - 1.0)
        return item.duration * scale
