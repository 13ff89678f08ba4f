"""The model's own events: a heap of small lists, in the order Mesa gives its events.

Every callback of the model (a work segment's end, an item's end, a patience running out,
a meeting, a session, the day's absence plan) is booked here rather than as a Mesa
`Event`. A Mesa event holds two weak references and compares itself in Python; a
booking is a list `[time, priority, order, callback]` that `heapq` compares in C, about
four times cheaper to push and pop (a large run books hundreds of thousands). `order`
comes from Mesa's own event counter, so bookings and Mesa's events (its hourly step) keep
one total order, (time, priority, order), exactly as when they shared Mesa's list: the
model's `_advance_time` takes whichever is first.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from mesa.time.events import Event, Priority

TIME, PRIORITY, ORDER, CALLBACK = range(4)
_DEFAULT = Priority.DEFAULT.value


class Booking(list):
    """One booked callback, `[time, priority, order, callback]`; cancelled, its callback
    is None and it is dropped when it reaches the top of the heap."""

    __slots__ = ()

    @property
    def cancelled(self) -> bool:
        """Whether the booking was cancelled."""
        return self[CALLBACK] is None

    def cancel(self) -> None:
        """The callback will not run (harmless once it has run)."""
        self[CALLBACK] = None


class Agenda:
    """The bookings still due, a heap ordered by (time, priority, order)."""

    __slots__ = ("bookings",)

    def __init__(self) -> None:
        self.bookings: list[Booking] = []

    def book(self, at: float, callback: Callable[[], None]) -> Booking:
        """Book `callback` at time `at` (the caller checks it is not in the past)."""
        # Mesa's counter (an `itertools.count` on the class) numbers Events and bookings
        # alike, as one list would have.
        booking = Booking((at, _DEFAULT, next(Event._ids), callback))
        heapq.heappush(self.bookings, booking)
        return booking

    def first(self) -> Booking | None:
        """The next booking due (cancelled ones at the top are dropped), or None."""
        bookings = self.bookings
        while bookings and bookings[0][CALLBACK] is None:
            heapq.heappop(bookings)
        return bookings[0] if bookings else None

    def pop(self) -> Booking:
        """Take the first booking off the heap (after `first` returned it)."""
        return heapq.heappop(self.bookings)

    def compact(self) -> None:
        """Drop every cancelled booking (the order of those left is unchanged: it is total)."""
        self.bookings = [b for b in self.bookings if b[CALLBACK] is not None]
        heapq.heapify(self.bookings)


def goes_first(booking: Booking, event: Event) -> bool:
    """Whether `booking` comes before Mesa's `event` in (time, priority, order)."""
    if booking[TIME] != event.time:
        return booking[TIME] < event.time
    return (booking[PRIORITY], booking[ORDER]) < (event.priority, event.unique_id)
