"""The typical-run button under threads: a click is never lost to a computation ending.

Solara sessions without a browser (the `session` fixture of the component tests); the
replications are replaced by a stand-in that records what it was asked to compute.
"""

from __future__ import annotations

import threading
import time

import solara

from dashboards import state
from dashboards.pages import compare
from dashboards.typical import Cancelled, TypicalInputs
from tests.unit.test_dashboard_components import (
    buttons,
    session,  # noqa: F401  (fixture)
)
from tests.waiting import wait_until


def test_a_click_as_the_cancelled_run_ends_starts_a_run_on_the_new_settings(
    session,  # noqa: F811
    monkeypatch,
):
    """The room switches scenario while a typical run computes, then presses the button
    again at once. The thread that notices the switch reads the old request and then drops
    it; a click landing between the two must start a run on the new scenario, not vanish."""
    asked: list[tuple[str, object]] = []  # (scenario, its `cancelled`) of each computation

    def computation(_scenario, _policies, _seed, *, cancelled, inputs, **_options):
        asked.append((inputs.scenario, cancelled))
        while not cancelled():  # runs until the settings change
            time.sleep(0.01)
        raise Cancelled

    monkeypatch.setattr(compare, "typical_run", computation)
    # Holds the thread that notices the switch between its read and its write.
    noticed, go_on = threading.Event(), threading.Event()
    equal = TypicalInputs.__eq__

    def held_comparison(self, other):
        if (
            isinstance(other, TypicalInputs)
            and {self.scenario, other.scenario} == {"workshop", "apprentice-crew"}
            and threading.current_thread() is not threading.main_thread()
            and not noticed.is_set()
        ):
            noticed.set()
            go_on.wait(10)
        return equal(self, other)

    _box, rc = solara.render(compare.Page(), handle_error=False)
    (button,) = buttons(rc, "Typical run (20 seeds)")
    button.click()
    wait_until(lambda: [scenario for scenario, _ in asked] == ["workshop"], 10, every=0.01)
    monkeypatch.setattr(TypicalInputs, "__eq__", held_comparison)
    state.setup.value = state.builtin_setup("apprentice-crew")
    state.new_comparison()
    assert noticed.wait(10), "no thread compared the request with the new settings"

    def click_again() -> None:
        with session:
            (again,) = buttons(rc, "Typical run (20 seeds)")
            again.click()

    clicker = threading.Thread(target=click_again)
    clicker.start()
    clicker.join(0.5)  # the click lands while the other thread is held (or waits for it)
    go_on.set()
    clicker.join(10)
    assert not clicker.is_alive()
    # A computation on the new scenario runs, and nothing cancels it: the click was kept.
    # (One started just before the click's thread took over may have been cancelled.)
    wait_until(
        lambda: any(s == "apprentice-crew" and not stop() for s, stop in asked), 10, every=0.01
    )
    time.sleep(0.2)
    assert [not stop() for s, stop in asked if s == "apprentice-crew"][-1]
    assert all(stop() for s, stop in asked if s == "workshop")
