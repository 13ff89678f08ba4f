"""Waiting in tests for what another thread or process brings about."""

from __future__ import annotations

import time


def wait_until(condition, seconds: float = 20.0, every: float = 0.1) -> None:
    """Poll `condition` until true (AssertionError after `seconds`).

    A condition that raises is asked again, as Playwright's own waits do: an element that
    a render replaces has no box for a moment. The last error, if any, goes with the
    AssertionError.
    """
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if condition():
                return
            last = None
        except Exception as exc:  # re-raised below if it lasts
            last = exc
        time.sleep(every)
    raise AssertionError(f"condition not met in {seconds:g} s") from last
