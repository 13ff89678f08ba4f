"""Playing a run: a background loop that advances the model and asks for a redraw.

The loop advances by the working hours that correspond to the real time elapsed (at the
chosen speed), so a slow frame does not slow the simulated clock; it draws at most
`FRAMES_PER_SECOND` frames a second and catches up by at most two frames' worth. It is a
Solara thread hook: it stops when the page unmounts, when paused, or when the run ends,
and it never interrupts the model mid-event (no intrusive cancel: the model would be
left half-way through an event).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

import solara

FRAMES_PER_SECOND = 4
FRAME_SECONDS = 1.0 / FRAMES_PER_SECOND
# Working days per second of real time, as the speed buttons show them.
SPEEDS = {"¼": 0.25, "½": 0.5, "1": 1.0, "2": 2.0, "5": 5.0}
DEFAULT_SPEED = "½"


class Driven(Protocol):
    """A run or runs in lockstep: what the player drives."""

    def advance(self, hours: float) -> bool: ...


def use_player(
    driven: Driven,
    playing: solara.Reactive[bool],
    days_per_second: float,
    hours_per_day: float,
    on_frame: Callable[[], None],
) -> None:
    """While `playing`, advance `driven` in the background and call `on_frame` after each step."""

    def loop(cancel: threading.Event) -> None:
        if not playing.value:
            return
        last = time.perf_counter()
        while not cancel.is_set():
            wait = FRAME_SECONDS - (time.perf_counter() - last)
            if wait > 0 and cancel.wait(wait):
                return
            now = time.perf_counter()
            elapsed = min(now - last, 2 * FRAME_SECONDS)
            last = now
            alive = driven.advance(days_per_second * hours_per_day * elapsed)
            if cancel.is_set():
                return
            on_frame()
            if not alive:
                playing.value = False
                return

    solara.use_thread(
        loop, dependencies=[playing.value, driven, days_per_second], intrusive_cancel=False
    )
