"""Management: what managers do besides deciding (assigning is allocation's job).

One object per value of the `management` mechanism (per department; the director follows
the run's policy):

- `command`: no sessions; a manager arbitrates a deliberation that fails to agree.
- `orient`: every `orientation_interval_days` each manager holds a session with those who
  report to them (director → department managers → team leads or collaborators → team
  members): an urgent in-tray item of `orientation_hours` for the manager and one for
  each report, taken after the item in hand (or on return); nobody waits for the others.
  When a report's part ends, their expertise in their own field rises by
  `coaching_gain × (coaching_ceiling − expertise)` while below the ceiling. The manager
  also arbitrates failed deliberations. (The seed's cooperative manager *leads and
  orients*; coaching as a closed-form approach to a ceiling is a stated assumption.)
- `none`: no sessions and no arbitration: a group that cannot agree goes round again.

`Orientation` is the per-run keeper of the sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.domain import Activity, Item, TaskState

if TYPE_CHECKING:
    from agents.manager import Manager
    from simulator.model import OrgModel


@dataclass(frozen=True, slots=True)
class Management:
    """Whether managers hold orientation sessions, and whether they arbitrate."""

    orients: bool
    arbitrates: bool


MANAGEMENT = {
    "command": Management(orients=False, arbitrates=True),
    "orient": Management(orients=True, arbitrates=True),
    "none": Management(orients=False, arbitrates=False),
}


class Orientation:
    """Holds the orientation sessions of every manager whose scope is under `orient`."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.sessions = 0
        self._next = 0.0
        self._event = None
        self.refresh()

    def management_of(self, manager: Manager) -> Management:
        """The management value a manager follows: their department's, or the run's."""
        if manager.department is None:
            return MANAGEMENT[self.model.policy.management]
        return MANAGEMENT[self.model.department_policy(manager.department).management]

    def refresh(self) -> None:
        """Sessions are scheduled while any manager orients (after a change of mechanism)."""
        wanted = any(self.management_of(m).orients for m in self.model.org.managers)
        if wanted and self._event is None:
            self._next = self.model.time
            self._schedule()
        elif not wanted and self._event is not None:
            self._event.cancel()
            self._event = None

    def _schedule(self) -> None:
        model = self.model
        interval = model.sample(model.config.timing.orientation_interval_days)
        self._next += max(interval * model.hours_per_day, 1e-6)
        self._event = model.book(self.hold_sessions, at=self._next)

    def hold_sessions(self) -> None:
        """Scheduled callback: every orienting manager meets those who report to them."""
        model = self.model
        if model.stopped:
            return
        duration = model.sample(model.config.timing.orientation_hours)
        held = 0
        for manager in model.org.managers:
            reports = model.org.reports_of(manager)
            if not reports or not self.management_of(manager).orients:
                continue
            held += 1
            manager.receive(self._item(None, duration))
            for person in reports:
                model.contact(manager, person, "orientation")
                person.receive(self._item(person, duration))
        if held:
            self.sessions += held
            model.note(f"orientation sessions ({held} managers with their reports)", "orientation")
        self._schedule()

    def _item(self, report, duration: float) -> Item:
        task = getattr(report, "task", None)
        return Item(
            "orientation",
            duration,
            Activity.ORIENTING,
            on_done=self._coached if report is not None else None,
            task=task,
            task_state=TaskState.COORDINATION if task is not None else None,
            urgent=True,
            mechanism="management",
        )

    def _coached(self, _item: Item, person) -> None:
        """A report's part is done: their expertise in their own field rises."""
        behaviour = self.model.config.behaviour
        ceiling = behaviour.coaching_ceiling
        if person.expertise >= ceiling:
            return
        person.expertise += behaviour.coaching_gain * (ceiling - person.expertise)
        field = person.department
        if field is not None:
            self.model.desk.expertise_changed(person, field)
