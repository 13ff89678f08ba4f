"""Coordination: settling interdependence links, which fall due when their second task starts.

`peer`: both holders spend `coordination_hours` together and the starting task waits;
`meetings`: settled at the next managers' meeting if the later task is still under way;
`none`: never settled. An unsettled link is missed when its later task's work is done,
giving rework with probability `rework.missed_coordination`.

One class per value, each with one method, `link_due(coordination, link, task, partner)`;
`Coordination` is the per-run keeper of links waiting for a meeting and of the meetings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.domain import (
    Activity,
    Item,
    Joint,
    Link,
    Task,
    TaskState,
)
from simulator.randomness import COORDINATION as COORDINATION_STREAM
from simulator.randomness import stream

if TYPE_CHECKING:
    from simulator.model import OrgModel


class Peer:
    """The two holders settle the link at once; the starting task waits for it."""

    @staticmethod
    def link_due(coordination: Coordination, link: Link, task: Task, partner: Task) -> None:
        """Both holders spend `coordination_hours` together now."""
        coordination.meet_peers(link, task, partner)


class Meetings:
    """The link waits for the next managers' meeting; work goes on meanwhile."""

    holds_meetings = True

    @staticmethod
    def link_due(coordination: Coordination, link: Link, task: Task, partner: Task) -> None:
        """Put the link on the next meeting's agenda."""
        coordination.waiting.append(link)


class NoCoordination:
    """Nobody settles the link: it is missed when its later task ends."""

    @staticmethod
    def link_due(coordination: Coordination, link: Link, task: Task, partner: Task) -> None:
        """Nothing happens now."""


COORDINATION = {"peer": Peer(), "meetings": Meetings(), "none": NoCoordination()}


class Coordination:
    """Settles links under the run's coordination mechanism and runs managers' meetings."""

    def __init__(self, model: OrgModel):
        self.model = model
        self.mechanism = COORDINATION[model.policy.coordination]
        self.waiting: list[Link] = []
        self._next_meeting = 0.0
        self._meeting_event = None
        if self._holds_meetings:
            self._schedule_meeting()

    @property
    def _holds_meetings(self) -> bool:
        return getattr(self.mechanism, "holds_meetings", False)

    def refresh(self) -> None:
        """Follow the run's policy: meetings start or stop when the mechanism changes."""
        self.mechanism = COORDINATION[self.model.policy.coordination]
        if self.mechanism is COORDINATION["peer"]:
            # Links that were waiting for a meeting are settled between peers now.
            for link in self.waiting:
                task = link.later
                if (
                    not (link.settled or link.missed)
                    and task.finished_at is None
                    and task.holder is not None
                ):
                    self.meet_peers(link, task, link.partner(task))
            self.waiting = []
        if self._holds_meetings and self._meeting_event is None:
            self._next_meeting = self.model.time
            self._schedule_meeting()
        elif not self._holds_meetings and self._meeting_event is not None:
            self._meeting_event.cancel()
            self._meeting_event = None

    def task_started(self, task: Task) -> None:
        """Links whose partner has already started fall due now, with `task` as the later one."""
        for link in task.links:
            partner = link.partner(task)
            if link.due or partner.started_at is None:
                continue
            link.due = True
            link.later = task
            self.mechanism.link_due(self, link, task, partner)

    def meet_peers(self, link: Link, task: Task, partner: Task) -> None:
        """Both holders (or a finished partner's former holder) spend `coordination_hours`."""
        model = self.model
        other = partner.holder if partner.finished_at is None else partner.done_by
        # Each side's own task waits on the coordination; a finished partner's former holder
        # is interrupted on whatever they hold now, which then simply waits (queue).
        sides = [(task.holder, task)]
        if other is not None and other is not task.holder:
            sides.append((other, partner if partner.finished_at is None else None))
        duration = model.sample(model.config.timing.coordination_hours)
        task.coordinating += 1
        joint = Joint([person for person, _ in sides], self._peers_done, payload=link)
        items = [
            (
                person,
                Item(
                    "coordinate",
                    duration,
                    Activity.COORDINATING,
                    on_done=joint.part_done,
                    task=own,
                    task_state=TaskState.COORDINATION,
                    mechanism="coordination",
                ),
            )
            for person, own in sides
        ]

        def meet() -> None:
            for person, item in items:
                person.receive(item)

        if len(sides) > 1:
            model.contact(sides[0][0], sides[1][0], "coordination")
            # Level 2 rests on level 1: under a chain the request travels there first.
            model.communication.relay_request(sides[0][0], sides[1][0], meet)
        else:
            meet()

    def _peers_done(self, joint: Joint) -> None:
        link: Link = joint.payload
        link.settled = True
        task = link.later
        task.coordinating -= 1
        if task.holder is not None:
            task.holder.on_state_change()
            task.holder.serve()

    def missed_rework(self, task: Task) -> float:
        """Rework hours from links of which `task` is the later one and that were never settled."""
        rate = self.model.config.rework.missed_coordination
        extra = 0.0
        for link in task.links:
            if link.later is not task or link.settled or link.missed:
                continue
            link.missed = True
            self.model.missed_links += 1
            a, b = sorted((link.first.index, link.second.index))
            if stream(self.model.seed, COORDINATION_STREAM, a, b).random() < rate:
                extra += self.model.config.rework.fraction * task.effort
                self.model.note(
                    f"{task.key} needs rework: it was never coordinated with {link.partner(task).key}",
                    "rework",
                )
        return extra

    # --- managers' meetings -----------------------------------------------------------------

    def _schedule_meeting(self) -> None:
        model = self.model
        interval = model.sample(model.config.timing.meeting_interval_days) * model.hours_per_day
        self._next_meeting += max(interval, 1e-6)
        self._meeting_event = model.book(self.hold_meeting, at=self._next_meeting)

    def hold_meeting(self) -> None:
        """Scheduled callback: every manager finishes the item in hand, then meets."""
        model = self.model
        if model.stopped:
            return
        managers = model.org.managers
        duration = model.sample(model.config.timing.meeting_hours)
        joint = Joint(list(managers), self._meeting_over)
        model.meetings_held += 1
        model.note(f"managers' meeting ({len(managers)} managers)", "meeting")
        for manager in managers:
            manager.receive(
                Item(
                    "meeting",
                    duration,
                    Activity.COORDINATING,
                    on_done=joint.part_done,
                    urgent=True,
                    mechanism="coordination",
                )
            )
        self._schedule_meeting()

    def _meeting_over(self, _joint: Joint) -> None:
        still = []
        for link in self.waiting:
            if link.settled or link.missed:
                continue
            if link.later.finished_at is None:
                link.settled = True
            else:
                still.append(link)
        self.waiting = [link for link in still if not link.missed]
