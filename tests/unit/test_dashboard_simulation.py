"""A dashboard run: advancing, frames, interventions, lockstep, two threads at once."""

from __future__ import annotations

import threading

import pytest

from dashboards.simulation import Lockstep, SimulationRun
from simulator.loading import load_scenario
from simulator.run import run_one


@pytest.fixture(scope="module")
def workshop():
    return load_scenario("workshop")


def test_advancing_by_fractions_of_hours_ends_like_a_batch_run(workshop):
    run = SimulationRun(workshop, "cooperative", 5)
    while run.advance(0.37):
        pass
    assert run.frame().finished
    assert run.model.kpis() == run_one(workshop, "cooperative", 5).kpis


def test_a_run_stops_at_the_horizon(workshop):
    short = load_scenario("workshop", ["time.horizon_days=2"])
    run = SimulationRun(short, "hierarchical", 3)
    while run.advance(5.0):
        pass
    frame = run.frame()
    assert not frame.running and not frame.finished
    assert frame.time == pytest.approx(16.0)
    assert run.advance(1.0) is False  # nothing more happens


def test_frames_are_snapshots(workshop):
    run = SimulationRun(workshop, "hierarchical", 3)
    run.advance(8)
    before = run.frame()
    run.advance(8)
    after = run.frame()
    assert before.day == 1.0 and after.day == 2.0
    assert len(before.daily) < len(after.daily)
    assert before.now["tasks_done"] <= after.now["tasks_done"]
    assert all(age <= 3.0 for age, *_ in after.contacts)
    assert after.feed == tuple(sorted(after.feed, key=lambda e: -e[0]))  # newest first


def test_interventions_are_logged_and_marked(workshop):
    run = SimulationRun(workshop, "hierarchical", 3)
    run.advance(10)
    said = run.change_mechanism("problem_solving", "experts")
    assert said == "who solves problems: managers (escalate) → experts"  # plain words
    assert "left the project" in run.expert_leaves(0)
    assert run.problem_rate == 0.04
    run.surge_problems()
    assert run.problem_rate == pytest.approx(0.12)
    run.calm_problems()
    frame = run.frame()
    assert [kind for _, kind, _ in frame.interventions] == ["mechanism", "shock", "shock", "shock"]
    assert frame.mechanisms["problem_solving"] == "experts"
    assert sum(1 for p in frame.people if p.state == "departed") == 1
    assert [k for _, k, _ in frame.feed].count("intervention") == 4
    assert said in [text for _, _, text in frame.feed]
    assert said == frame.interventions[0][2]  # the feed and the chart marks say the same


def test_the_clock_stops_at_the_finish_not_at_the_end_of_the_last_advance(workshop):
    run = SimulationRun(workshop, "cooperative", 3)
    run.advance(10 * workshop.time.hours_per_day * 100)  # far past the finish, in one go
    frame = run.frame()
    assert frame.finished
    assert run.model.time > run.model.end_time  # the model's time went on to the target...
    assert frame.time == run.model.end_time  # ...the clock shown did not
    assert frame.day == pytest.approx(frame.kpis["lead_time_days"])


def test_an_empty_department_cannot_lose_an_expert():
    tiny = load_scenario("workshop", ["organisation.departments[3].collaborators=1"])
    run = SimulationRun(tiny, "cooperative", 3)
    run.expert_leaves(3)
    with pytest.raises(ValueError, match="nobody is left"):
        run.expert_leaves(3)


def test_lockstep_runs_share_one_clock(workshop):
    lockstep = Lockstep(workshop, ["hierarchical", "cooperative", "self_managed"], 3)
    for _ in range(5):
        lockstep.advance(1.5)
    assert {f.time for f in lockstep.frames()} == {7.5}
    while lockstep.advance(24):
        pass
    assert all(f.finished for f in lockstep.frames())
    expected = [run_one(workshop, p, 3).kpis["lead_time_days"] for p in lockstep.policies]
    assert [f.kpis["lead_time_days"] for f in lockstep.frames()] == expected


def test_frames_taken_while_another_thread_plays_are_consistent(workshop):
    run = SimulationRun(workshop, "hierarchical", 3)
    errors: list[BaseException] = []
    watching = threading.Event()

    def play() -> None:
        watching.wait(5)
        try:
            while run.advance(0.05):
                pass
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    player = threading.Thread(target=play)
    player.start()
    frames = 0
    while frames == 0 or player.is_alive():
        frame = run.frame()
        assert frame.now["tasks_done"] == frame.kpis["tasks_done"]  # one moment, not two
        assert len(frame.people) == len(run.model.org.people)
        frames += 1
        watching.set()
    player.join()
    assert errors == []
    assert run.frame().finished


def test_a_shock_on_compare_hits_every_policy_at_the_same_moment(workshop):
    from dashboards.charts import overlay_option

    lockstep = Lockstep(workshop, ["hierarchical", "cooperative", "self_managed"], 3)
    lockstep.advance(12.0)
    said = lockstep.expert_leaves(0)
    lockstep.surge_problems()
    left = [{p.name for p in run.model.org.collaborators if p.departed} for run in lockstep.runs]
    assert len(left[0]) == 1 and left[0] == left[1] == left[2]  # the same person everywhere
    assert said.startswith(next(iter(left[0])))
    assert [run.problem_rate for run in lockstep.runs] == [pytest.approx(0.12)] * 3
    frames = lockstep.frames()
    assert {f.interventions for f in frames} == {frames[0].interventions}  # same moments
    marks = overlay_option(frames)["series"][0]["markLine"]["data"]
    assert sum(m.get("intervention", 0) for m in marks) == 2
    lockstep.calm_problems()
    assert [run.problem_rate for run in lockstep.runs] == [pytest.approx(0.04)] * 3
