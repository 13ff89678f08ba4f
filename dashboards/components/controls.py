"""The control bar: play, pause, step, reset, speed, and the day counter."""

from __future__ import annotations

from collections.abc import Callable

import solara

from dashboards.components.player import SPEEDS


def day_text(day: float, plan_days: float) -> str:
    """`Day 12.4 (plan: 18.6)`: the clock, and the earliest possible finish."""
    return f"Day {day:.1f}  (plan: {plan_days:.1f})"


def status_text(running: bool, finished: bool, day: float, playing: bool = False) -> str:
    """How the run stands, in a few words: ready, running, paused, finished or stopped."""
    if finished:
        return f"finished on day {day:.1f}"
    if not running:
        return "stopped at the horizon"
    if playing:
        return "running"
    return "paused" if day > 0 else "ready"


@solara.component
def PlayBar(
    playing: solara.Reactive[bool],
    speed: solara.Reactive[str],
    on_step: Callable[[], None],
    on_reset: Callable[[], None],
    day: str,
    status: str,
    done: bool,
    reset_wanted: bool = False,
):
    """Play/pause, one-hour step, reset (highlighted when new settings wait), speed, clock."""
    with solara.Row(classes=["play-bar"], gap="6px", style={"align-items": "center"}):
        if playing.value:
            solara.Button(
                "Pause", icon_name="mdi-pause", color="primary", on_click=lambda: playing.set(False)
            )
        else:
            solara.Button(
                "Play",
                icon_name="mdi-play",
                color="primary",
                disabled=done,
                on_click=lambda: playing.set(True),
            )
        solara.Button(
            "Step", icon_name="mdi-step-forward", disabled=playing.value or done, on_click=on_step
        )
        solara.Button(
            "Reset",
            icon_name="mdi-restart",
            color="warning" if reset_wanted else None,
            on_click=on_reset,
        )
        solara.Text("Speed, days/s:", classes=["bar-label"])
        solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), dense=True, classes=["speed"])
        solara.Text(day, classes=["day-counter"])
        solara.Text(status, classes=["run-status"])
