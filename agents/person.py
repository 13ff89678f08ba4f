"""Person: a Mesa agent with an in-tray, served one item at a time, first in first out.

Collaborators and managers share this loop; what differs is what a person does when the
in-tray is empty (a collaborator works on their task, a manager waits).
"""

from __future__ import annotations

import math
from collections import deque

import mesa

from simulator.domain import EPSILON, Item, ItemRecord, waited_on


class Person(mesa.Agent):
    """Someone on the project: a collaborator, a team lead, a department manager or the director."""

    role = "person"

    def __init__(self, model: mesa.Model, name: str, department: int | None, team: int | None):
        super().__init__(model)
        self.name = name
        self.department = department
        self.team = team
        self.in_tray: deque[Item] = deque()
        self.current: Item | None = None
        self._item_event = None
        self._serving = False
        # Away or not: `_away`, kept by the absence moves while they are played out for this
        # person (`_absences_played`); otherwise read from today's block away, from `_leave`
        # to `_back` (see `away` and `OrgModel.plan_absences`).
        self._away = False
        self._absences_played = True
        self._leave = self._back = math.inf
        self._absence_order = 0  # the order of today's draw (ties between moves)
        self.hours: dict[str, float] = {}
        self.idle_since: float = 0.0
        self.serving_help = 0  # help requests assigned to this person and not yet answered
        self.availability = 1.0  # share of each working day on the project (the rest: away)
        self.labels: dict[str, str] = {}  # what the people file says of them besides

    # --- expertise -----------------------------------------------------------------------

    def expertise_in(self, field: int) -> float:
        """Expertise in a department's field, in [0, 1]."""
        raise NotImplementedError

    # --- the in-tray -----------------------------------------------------------------------

    def receive(self, item: Item) -> None:
        """Put an item in the in-tray (urgent items first) and serve if free."""
        self.expect_work()
        if self.model.item_log is not None and item.received_at is None:
            item.received_at = self.model.time
        if item.urgent:
            self.in_tray.appendleft(item)
        else:
            self.in_tray.append(item)
        self.serve()

    def queue_length(self) -> int:
        """Items waiting, not counting the one in hand."""
        return sum(1 for item in self.in_tray if not item.cancelled)

    def serve(self) -> None:
        """Take the next item, or fall back on one's own work; re-entrant calls are absorbed."""
        if self._serving:
            return
        self._serving = True
        try:
            while self.current is None and not self.away:
                item = self._next_item()
                if item is None:
                    self.on_free()
                    if self.current is None and self._has_waiting_item():
                        continue
                    break
                self._start(item)
        finally:
            self._serving = False

    def _has_waiting_item(self) -> bool:
        return any(not item.cancelled for item in self.in_tray)

    def _next_item(self) -> Item | None:
        while self.in_tray:
            item = self.in_tray.popleft()
            if not item.cancelled:
                return item
        return None

    def _start(self, item: Item) -> None:
        model = self.model
        if item.started_at is None and item.on_start is not None:
            # First start: the item fixes its hours now (learning) and may ask for something
            # to be done first (reading a record), which goes ahead of it.
            hook, item.on_start = item.on_start, None
            prelude = hook(item, self)
            if prelude is not None:
                self.in_tray.appendleft(item)
                item = prelude
        if item.started_at is None:
            item.started_at = model.time
            if item.mechanism is not None:
                item.duration = model.transition.apply(item, self)
        self.pause_own_work()
        self.current = item
        item.resumed_at = model.time
        self.on_state_change()
        self._schedule_current()

    def _schedule_current(self) -> None:
        item = self.current
        assert item is not None
        left = item.duration - item.served
        if left <= EPSILON:
            self._complete(item)
        else:
            self._item_event = self.model.book(self.finish_item, after=left)

    def finish_item(self) -> None:
        """Scheduled callback: the item in hand is done."""
        if self.model.stopped or self.current is None:
            return
        self._item_event = None
        self._complete(self.current)
        self.serve()

    def _book_item(self, item: Item) -> None:
        """Book the hours served on `item` since it was last taken up."""
        now = self.model.time
        if item.resumed_at is not None:
            spent = now - item.resumed_at
            item.served += spent
            self.book(item.booked_as, spent)
            item.resumed_at = None

    def _complete(self, item: Item) -> None:
        self._book_item(item)
        log = self.model.item_log
        if log is not None:
            task = item.task.key if item.task is not None else None
            waited, waited_as = waited_on(item)
            log.append(
                ItemRecord(
                    self.name,
                    item.kind,
                    task,
                    item.started_at,
                    self.model.time,
                    item.received_at,
                    waited.key if waited is not None else None,
                    waited_as,
                )
            )
        item.done = True
        self.current = None
        self.on_state_change()
        if item.on_done is not None and not item.cancelled:
            item.on_done(item, self)

    def book(self, activity: str, hours: float) -> None:
        """Add busy hours to an activity."""
        if hours > 0:
            self.hours[activity] = self.hours.get(activity, 0.0) + hours

    def item_in_hand_hours(self, now: float) -> float:
        """Hours served on the item in hand since it was last taken up (not yet booked)."""
        item = self.current
        if item is None or item.resumed_at is None:
            return 0.0
        return now - item.resumed_at

    def busy_hours(self, now: float) -> float:
        """All busy hours up to `now`, the item in hand included."""
        return sum(self.hours.values()) + self.item_in_hand_hours(now) + self.work_in_hand(now)

    # --- hooks -----------------------------------------------------------------------------

    def on_free(self) -> None:
        """Nothing in the in-tray: do one's own work, if any."""

    def pause_own_work(self) -> None:
        """An item is about to be served: stop one's own work."""

    def work_in_hand(self, now: float) -> float:
        """Hours of own work under way and not yet booked."""
        return 0.0

    def on_state_change(self) -> None:
        """Called when what the person is doing changes."""

    # --- availability ------------------------------------------------------------------------

    @property
    def away(self) -> bool:
        """Off the project now (other duties, other work)."""
        if self._absences_played:
            return self._away
        return self._leave <= self.model.time < self._back

    def unoccupied(self) -> bool:
        """Nothing in hand or in the in-tray: going away and coming back would change
        nothing but `away` (so the model need not play out the moves)."""
        return self.current is None and not self.in_tray

    def expect_work(self) -> None:
        """Work may reach this person before they come back: today's absence moves are
        played out for them from now on."""
        if not self._absences_played:
            self.model.play_absence(self)

    def go_away(self) -> None:
        """Scheduled callback: off the project for a while; the item in hand is put aside
        and resumed on return."""
        if self.model.stopped or self._away:
            return
        self._away = True
        item = self.current
        if item is not None and self._item_event is not None:
            self._item_event.cancel()
            self._item_event = None
            self._book_item(item)
        self.pause_own_work()
        self.on_state_change()

    def come_back(self) -> None:
        """Scheduled callback: back to the item put aside, then the in-tray."""
        if self.model.stopped or not self._away:
            return
        self._away = False
        if self.current is not None:
            self.current.resumed_at = self.model.time
            self._schedule_current()
        self.on_state_change()
        self.serve()

    @property
    def doing(self) -> str:
        """What the person is doing now, in plain words (for records and the dashboard)."""
        if self.current is not None:
            return self.current.kind
        if self.away:
            return "away"
        return "idle"
