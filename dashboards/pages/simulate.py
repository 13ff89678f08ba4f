"""Simulate: one live run — set up, play, intervene, watch the network, cards, charts, feed."""

from __future__ import annotations

import solara

from dashboards import state
from dashboards.charts import (
    FONT,
    PRESENTING_FONT,
    day_axis_end,
    messages_option,
    problems_option,
    progress_option,
)
from dashboards.components.controls import PlayBar, day_text, status_text
from dashboards.components.files_panel import FilesPanel
from dashboards.components.intervene_panel import IntervenePanel
from dashboards.components.keys import KeyListener
from dashboards.components.player import DEFAULT_SPEED, SPEEDS, use_player
from dashboards.components.setup_panel import SimulateSetup
from dashboards.components.views import Chart, Feed, KpiCards, Legend, Network


@solara.component
def Page():
    """The Simulate page."""
    solara.Title("orgsim · Simulate")
    run = state.simulation()
    frames_drawn = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    tab = solara.use_reactive(0)
    _ = frames_drawn.value  # each frame of the player redraws the page

    def redraw() -> None:
        frames_drawn.set(frames_drawn.value + 1)

    use_player(run, playing, SPEEDS[speed.value], run.model.hours_per_day, redraw)

    def reset() -> None:
        playing.set(False)
        state.new_simulation()

    def step() -> None:
        run.step()
        redraw()

    def play_or_pause() -> None:  # the space bar
        if playing.value or run.running:
            playing.set(not playing.value)

    def step_if_paused() -> None:  # the → key
        if not playing.value and run.running:
            step()

    def setup_changed() -> None:
        # A run not yet started follows its settings at once; a started one waits for Reset.
        current = state.simulate_run.value
        if current is None or (current.model.time == 0 and not playing.value):
            state.new_simulation()

    frame = run.frame()
    stale = state.simulation_is_stale()
    x_end = day_axis_end([frame])
    font = PRESENTING_FONT if state.presenting.value else FONT
    KeyListener(play_or_pause, step_if_paused)
    with solara.Row(classes=["page"], gap="10px"):
        with (
            solara.Column(classes=["side-panel"], gap="2px"),
            solara.lab.Tabs(value=tab, grow=True, lazy=True),
        ):
            with solara.lab.Tab("Set up"):
                SimulateSetup(setup_changed, stale, reset)
            with solara.lab.Tab("Intervene"):
                IntervenePanel(run, frame.mechanisms, redraw)
            with solara.lab.Tab("Files"):
                FilesPanel(run, reset)
        with solara.Column(classes=["main"], gap="4px"):
            PlayBar(
                playing,
                speed,
                on_step=step,
                on_reset=reset,
                day=day_text(frame.day, frame.critical_path_days),
                status=status_text(frame.running, frame.finished, frame.day, playing.value),
                done=not frame.running,
                reset_wanted=stale,
            )
            with solara.Row(classes=["sim-top"], gap="8px"):
                with solara.Column(classes=["network-box"], gap="2px"):
                    Network(frame, run.layout)
                    Legend(compact=True)
                with solara.Column(classes=["side-figures"], gap="4px"):
                    KpiCards(frame)
                    solara.Text("What just happened", classes=["feed-title"])
                    Feed(frame)
            with solara.Row(classes=["charts"], gap="6px"):
                Chart(progress_option(frame, x_end, font), "progress")
                Chart(problems_option(frame, x_end, font), "problems")
                Chart(messages_option(frame, x_end, font), "messages")
