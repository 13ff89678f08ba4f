"""The model's agenda: its bookings and Mesa's own events run in one order.

A booking (`OrgModel.book`) and a Mesa event (`Model.schedule_event`, which the dashboard
and Mesa's own step use) due at the same time and priority run in the order they were
scheduled, as when every event was a Mesa event; a cancelled booking never runs.
"""

from __future__ import annotations

import warnings

import pytest

from simulator.loading import load_scenario
from simulator.model import OrgModel


@pytest.fixture
def model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return OrgModel(load_scenario("product-launch"), "cooperative", rng=1)


def test_bookings_and_mesa_events_due_together_run_in_the_order_they_were_scheduled(model):
    ran = []
    recorders = [_Recorder(ran, k) for k in range(10)]  # alive: Mesa holds weak references
    at = model.time + 3.25
    for k in range(8):
        # Alternate the two kinds, in a shuffled pattern, at the same instant.
        if k in (0, 3, 4, 7):
            model.book(lambda k=k: ran.append(("booking", k)), at=at)
        else:
            model.schedule_event(recorders[k].mesa, at=at)
    model.book(lambda: ran.append(("later", 8)), at=at + 0.5)
    model.schedule_event(recorders[9].mesa, at=at - 0.5)
    model.run_until(at + 1.0)
    assert [k for _, k in ran] == [9, *range(8), 8]
    assert [kind for kind, _ in ran][1:9] == [
        "booking" if k in (0, 3, 4, 7) else "mesa" for k in range(8)
    ]


def test_a_cancelled_booking_does_not_run_and_the_time_reaches_the_target(model):
    ran = []
    kept = model.book(lambda: ran.append("kept"), after=2.0)
    dropped = model.book(lambda: ran.append("dropped"), after=1.0)
    dropped.cancel()
    model.run_until(model.time + 2.5)
    assert ran == ["kept"]
    assert dropped.cancelled and not kept.cancelled
    assert model.time == pytest.approx(2.5)


def test_booking_in_the_past_or_with_both_times_is_refused(model):
    model.run_until(1.0)
    with pytest.raises(ValueError, match="before the time now"):
        model.book(lambda: None, at=0.5)
    with pytest.raises(ValueError, match="exactly one"):
        model.book(lambda: None, at=2.0, after=1.0)


class _Recorder:
    """Mesa keeps weak references to callbacks: a bound method of a live object."""

    def __init__(self, ran: list, k: int):
        self.ran, self.k = ran, k

    def mesa(self) -> None:
        self.ran.append(("mesa", self.k))
