"""Choosing what to run: scenario (built-in or upload), knobs, and for Simulate policy and seed.

Set-up changes rebuild the run at once while it has not started; once it has, they wait
for Reset (a highlighted button says so), so a slider nudged by mistake never throws
away a run the room is watching.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import reacton.ipyvuetify as rv
import solara

from dashboards import knobs as knob_ranges
from dashboards import state
from dashboards.components.named_select import NamedSelect
from dashboards.knobs import Knobs
from dashboards.simulation import LIVE_KNOBS
from experiments.display import policy_name
from simulator.errors import InputError


@solara.component
def Knob(
    label: str,
    value: float,
    low: float,
    high: float,
    step: float,
    on_value: Callable[[float], None],
    shown: str,
    disabled: bool = False,
    tip: str = "",
):
    """One slider on one line: what it sets, the slider, the value; `tip` on hover."""
    with solara.Row(classes=["knob"], gap="4px", style={"align-items": "center"}):
        if tip:
            # The label may be cut short in a narrow panel: the tooltip names it in full.
            with solara.Tooltip(f"{label}: {tip}"):
                solara.Text(label, classes=["knob-label"])
        else:
            solara.Text(label, classes=["knob-label"])
        rv.Slider(
            v_model=value,
            min=low,
            max=high,
            step=step,
            dense=True,
            hide_details=True,
            disabled=disabled,
            on_v_model=lambda v: on_value(float(v)),
            class_="knob-slider",
        )
        solara.Text(shown, classes=["knob-value"])


@solara.component
def ScenarioPicker(on_changed: Callable[[], None]):
    """The scenario select: built-ins and this session's upload; `on_changed` after a pick."""
    chosen = state.current_setup()

    def pick(source: str) -> None:
        if source and source != chosen.source:
            state.setup.value = state.setup_for(source)
            on_changed()

    solara.Select(
        "Scenario",
        values=state.scenario_sources(),
        value=chosen.source,
        on_value=pick,
        dense=True,
        classes=["scenario-select"],
    )


# The main knobs: label, Knobs field, (low, high, step), how the value is shown. Those in
# LIVE_KNOBS act on a run in progress at once; the others apply on Reset, and say so.
SLIDERS = (
    ("Problem rate", "problem_rate", knob_ranges.PROBLEM_RATE_RANGE, "{:.3f}/h"),
    ("Decision time", "decision_hours", knob_ranges.DECISION_HOURS_RANGE, "{:g} h"),
    ("Meetings every", "meeting_interval_days", knob_ranges.MEETING_INTERVAL_RANGE, "{:g} d"),
    ("Interdependence", "interdependence", knob_ranges.INTERDEPENDENCE_RANGE, "{:.2f}"),
)
LIVE_TITLE = "Live: act on the run at once"
SETUP_TITLE = "Set-up: apply on Reset"
LIVE_TIP = "Moving it during a run changes the run now; the feed numbers the change."
SETUP_TIP = "Shapes the project or the organisation when the run is built: applies on Reset."


@solara.component
def KnobSliders(on_changed: Callable[[], None]):
    """Sliders for the main knobs of the session's scenario, and its departments' sizes."""
    chosen = state.current_setup()
    current = chosen.knobs
    error, set_error = solara.use_state("")

    def change(new: Knobs) -> None:
        try:
            state.set_knobs(new)
        except InputError as exc:
            set_error(" ".join(exc.lines()))
            return
        set_error("")
        on_changed()

    def setter(field: str):
        def set_value(value: float) -> None:
            change(replace(current, **{field: round(value, 4)}))

        return set_value

    for live in (True, False):
        solara.Text(LIVE_TITLE if live else SETUP_TITLE, classes=["panel-subtitle"])
        for label, field, (low, high, step), shown in SLIDERS:
            if (field in LIVE_KNOBS) != live:
                continue
            value = getattr(current, field)
            Knob(
                label,
                value,
                low,
                max(high, value),
                step,
                setter(field),
                shown.format(value),
                tip=LIVE_TIP if live else SETUP_TIP,
            )
    solara.Text("People per department (set-up: on Reset)", classes=["panel-subtitle"])
    for i, department in enumerate(chosen.scenario.organisation.departments):
        teams = department.teams
        count = current.headcounts[i]

        def set_count(value: float, i: int = i) -> None:
            change(current.with_headcount(i, round(value)))

        Knob(
            department.name,
            count,
            teams,
            max(knob_ranges.HEADCOUNT_MAX, count),
            1,
            set_count,
            str(count),
            tip=SETUP_TIP,
        )
    if error:
        solara.Error(error, dense=True)


@solara.component
def SimulateSetup(on_changed: Callable[[], None], stale: bool, on_reset: Callable[[], None]):
    """Scenario, policy, seed and knobs for the Simulate page.

    Picking another scenario starts it at once (a deliberate choice); other settings
    follow `on_changed`.
    """
    chosen = state.current_setup()
    ScenarioPicker(on_reset)
    with solara.Row(gap="8px"):
        NamedSelect(
            "Policy",
            value=state.valid_policy(state.simulate_policy.value, chosen),
            items=[(p, policy_name(p)) for p in chosen.policies],
            on_value=lambda p: (state.simulate_policy.set(p), on_changed()),
            style={"flex": "2"},
        )
        solara.InputInt(
            "Seed",
            value=state.seed_of(state.simulate_seed.value, chosen),
            on_value=lambda s: (state.simulate_seed.set(abs(int(s))), on_changed()),
            dense=True,
            style={"flex": "1"},
        )
    KnobSliders(on_changed)
    if stale:
        with solara.Row(classes=["stale"], style={"align-items": "center"}):
            solara.Text("New settings apply on Reset.")
            solara.Button("Reset now", color="warning", small=True, on_click=on_reset)
