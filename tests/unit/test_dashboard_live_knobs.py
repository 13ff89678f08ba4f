"""Knobs that act on a running model, NetLogo-style: moved during a run, they change the
model at the current time and are numbered interventions in its feed; set-up knobs wait for
Reset. State-level (a Solara session, no browser) and through the rendered slider."""

from __future__ import annotations

import uuid
from dataclasses import replace

import ipyvuetify as v
import pytest
import solara
import solara.server.starlette  # the server's widget patches, which rendering needs
from solara.server import kernel, kernel_context

from dashboards import state
from dashboards.charts import mark_number
from dashboards.components.views import feed_entries
from dashboards.pages import simulate
from dashboards.simulation import LIVE_KNOBS, Lockstep, SimulationRun
from simulator import interventions
from simulator.loading import load_scenario


@pytest.fixture
def session():
    context = kernel_context.VirtualKernelContext(
        id=f"test-{uuid.uuid4()}", kernel=kernel.Kernel(), session_id="test"
    )
    with context:
        yield context


def started_run(hours: float = 12.0) -> SimulationRun:
    run = state.new_simulation()
    run.advance(hours)
    assert run.running
    return run


def test_moving_a_live_knob_mid_run_is_intervention_n_and_changes_the_model(session):
    run = started_run()
    interventions.set_mechanism(run.model, "problem_solving", "experts")  # intervention 1
    knobs = state.current_setup().knobs
    said = state.set_knobs(replace(knobs, problem_rate=0.125))
    assert said == [f"problem rate changed from {knobs.problem_rate:g} to 0.125 per hour"]
    assert run.model.problem_rate == 0.125
    busy = [c for c in run.model.org.collaborators if c.task is not None]
    assert busy and all(c._problem_rate == c.problem_rate_for(c.task, 0.125) for c in busy)
    assert len(run.model.interventions) == 2
    assert run.model.interventions[1].time == pytest.approx(12.0)
    frame = run.frame()
    assert mark_number(1) == "②"
    numbered = [entry for entry in feed_entries(frame) if entry[1] == mark_number(1)]
    assert len(numbered) == 1 and "0.125" in numbered[0][2]
    # The run stands for the new set-up: no "apply on Reset"; Reset starts on the new rate.
    assert not state.simulation_is_stale()
    assert state.new_simulation().model.problem_rate == 0.125


def test_decision_time_mid_run_changes_the_managers_who_follow_the_scenario(session):
    run = started_run()
    knobs = state.current_setup().knobs
    state.set_knobs(replace(knobs, decision_hours=knobs.decision_hours + 5.0))
    assert run.model.config.timing.decision_hours.mean == knobs.decision_hours + 5.0
    laws = {m.decision_hours.mean for m in run.model.org.managers}
    assert laws == {knobs.decision_hours + 5.0}
    assert "decision time changed" in run.model.interventions[-1].text
    state.set_knobs(replace(state.current_setup().knobs, meeting_interval_days=2.0))
    assert run.model.config.timing.meeting_interval_days.mean == 2.0
    assert len(run.model.interventions) == 2


def test_a_set_up_knob_mid_run_waits_for_reset_and_touches_nothing(session):
    run = started_run()
    before = run.model.config
    knobs = state.current_setup().knobs
    assert state.set_knobs(replace(knobs, interdependence=0.9)) == []
    assert run.model.interventions == [] and run.model.config is before
    assert state.simulation_is_stale()
    # Once the run waits for Reset, a live knob joins the waiting set-up instead.
    assert state.set_knobs(replace(state.current_setup().knobs, problem_rate=0.15)) == []
    assert run.model.interventions == []


def test_before_the_run_starts_a_knob_is_a_setting_not_an_intervention(session):
    run = state.new_simulation()
    state.set_knobs(replace(state.current_setup().knobs, problem_rate=0.15))
    assert run.model.interventions == []


def test_every_knob_is_live_or_says_it_waits_for_reset():
    assert set(LIVE_KNOBS) == {"problem_rate", "decision_hours", "meeting_interval_days"}
    run = SimulationRun(load_scenario("workshop"), "hierarchical", 1)
    with pytest.raises(ValueError, match="interdependence cannot change during a run"):
        run.change_live_knobs({"interdependence": 0.5})


def test_the_slider_on_the_page_applies_live(session):
    _box, rc = solara.render(simulate.Page(), handle_error=False)
    run = state.simulate_run.value
    run.advance(8.0)
    texts = [t for w in rc.find(v.Html).widgets for t in w.children]
    assert "Live: act on the run at once" in texts and "Set-up: apply on Reset" in texts
    slider = rc.find(v.Slider).widgets[0]  # the first slider is the problem rate
    slider.v_model = 0.1
    assert run.model.problem_rate == 0.1 and len(run.model.interventions) == 1
    assert state.simulate_run.value is run  # the same run goes on


def started_comparison(hours: float = 12.0):
    lockstep = state.new_comparison()
    lockstep.advance(hours)
    assert lockstep.running and len(lockstep.runs) == 3
    return lockstep


def test_a_live_knob_mid_comparison_is_the_same_numbered_change_in_every_policy(session):
    lockstep = started_comparison()
    lockstep.surge_problems()  # intervention 1 in every policy
    knobs = state.current_setup().knobs
    said = state.set_knobs(replace(knobs, problem_rate=0.125))
    assert said == [f"problem rate changed from {knobs.problem_rate * 3:g} to 0.125 per hour"]
    for run in lockstep.runs:
        assert run.model.problem_rate == 0.125
        assert [i.time for i in run.model.interventions] == pytest.approx([12.0, 12.0])
        numbered = [e for e in feed_entries(run.frame()) if e[1] == mark_number(1)]
        assert len(numbered) == 1 and "0.125" in numbered[0][2]
    # The knob's rate is the new normal: no surge on, and a new surge triples it.
    assert not lockstep.surged and not state.comparison_is_stale()
    lockstep.surge_problems()
    assert lockstep.surged and lockstep.problem_rate == pytest.approx(0.375)
    assert state.new_comparison().problem_rate == 0.125  # Reset starts on the new rate


def test_a_set_up_knob_mid_comparison_waits_for_reset(session):
    lockstep = started_comparison()
    knobs = state.current_setup().knobs
    assert state.set_knobs(replace(knobs, interdependence=0.9)) == []
    assert all(run.model.interventions == [] for run in lockstep.runs)
    assert state.comparison_is_stale()


def test_a_live_knob_reaches_both_pages_runs_in_progress_and_spares_one_not_started(session):
    lockstep = started_comparison()
    waiting = state.new_simulation()  # Simulate's run has not started: a setting for it
    state.set_knobs(replace(state.current_setup().knobs, decision_hours=9.0))
    assert [len(run.model.interventions) for run in lockstep.runs] == [1, 1, 1]
    assert waiting.model.interventions == [] and state.simulation_is_stale()
    running = started_run()
    state.set_knobs(replace(state.current_setup().knobs, decision_hours=10.0))
    assert len(running.model.interventions) == 1
    assert [len(run.model.interventions) for run in lockstep.runs] == [2, 2, 2]
    assert not state.simulation_is_stale() and not state.comparison_is_stale()


def test_a_knob_moved_while_the_comparison_advances_hits_every_policy_at_one_moment():
    """The page's thread moves a knob while the player is between two policies' advances:
    it waits for the step to end, so every policy logs the change at the same time."""
    import threading

    lockstep = Lockstep(load_scenario("workshop"), ["hierarchical", "cooperative"], 3)
    lockstep.advance(8.0)
    second = lockstep.runs[1]
    advance_second = second.advance
    mover = threading.Thread(target=lockstep.change_live_knobs, args=({"problem_rate": 0.15},))

    def advance_after_the_knob_moves(hours: float) -> bool:
        mover.start()  # the first policy has advanced, the second not yet
        mover.join(timeout=1.0)  # without the lockstep's lock it would be done by now
        return advance_second(hours)

    second.advance = advance_after_the_knob_moves
    lockstep.advance(4.0)
    mover.join()
    times = [[i.time for i in run.model.interventions] for run in lockstep.runs]
    assert times == [[12.0], [12.0]]
