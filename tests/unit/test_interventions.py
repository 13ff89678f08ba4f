"""Changes made while a model runs: mechanisms switched, problem-rate shocks, departures."""

from __future__ import annotations

import warnings

import pytest

from simulator import interventions
from simulator.loading import load_scenario, scenario_from_mapping
from simulator.model import OrgModel


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize(
    ("start", "mechanism", "value"),
    [
        ("hierarchical", "allocation", "pull"),
        ("cooperative", "allocation", "manager"),
        ("hierarchical", "coordination", "peer"),
        ("cooperative", "coordination", "meetings"),
        ("hierarchical", "communication", "direct"),
        ("cooperative", "shared_space", False),
        ("hierarchical", "problem_solving", "consensus"),
        ("self_managed", "authority", "manager"),
    ],
)
def test_switching_a_mechanism_mid_run_still_finishes_the_project(start, mechanism, value):
    model = OrgModel("workshop", start, rng=2)
    model.run_until(30)
    entry = interventions.set_mechanism(model, mechanism, value)
    assert getattr(model.policy, mechanism) == value
    assert entry.time == 30 and mechanism in entry.text
    model.run_to_end()
    assert model.kpis()["finished"]
    assert model.interventions == [entry]
    assert any(kind == "intervention" for _, kind, _ in model.feed)


def test_new_allocation_takes_the_tasks_waiting_under_the_old_one():
    # Few people, many ready tasks: plenty wait in the manager's plan when allocation flips.
    model = OrgModel(
        load_scenario("workshop", ["organisation.departments[0].collaborators=2"]),
        "hierarchical",
        rng=1,
        log_items=True,
    )
    switch = 16
    model.run_until(switch)
    before = model.task_records()
    released = {t.task for t in before if t.ready_at is not None}
    waiting = {t.task for t in before if t.ready_at is not None and t.assigned_at is None}
    assert waiting
    interventions.set_mechanism(model, "allocation", "pull")
    model.run_to_end()
    assert model.kpis()["finished"]
    after = {t.task: t for t in model.task_records()}
    # Every task that waited under the old allocation reached someone after the switch.
    assert all(after[k].assigned_at >= switch for k in waiting)
    # Managers assigned only the tasks released before the switch (an assignment already
    # in their in-tray is still made); tasks released later were taken under pull.
    assigned = [i for i in model.item_records() if i.kind == "assign"]
    assert len(assigned) == len(released)
    assert any(t.ready_at > switch for t in after.values())


def test_a_problem_rate_surge_raises_more_problems():
    calm = OrgModel("workshop", "cooperative", rng=4)
    calm.run_to_end()
    surge = OrgModel("workshop", "cooperative", rng=4)
    surge.run_until(24)
    interventions.set_problem_rate(surge, surge.problem_rate * 5)
    surge.run_to_end()
    assert surge.kpis()["problems_raised"] > 2 * calm.kpis()["problems_raised"]


def test_an_expert_who_leaves_hands_over_and_is_never_asked_again():
    model = OrgModel("workshop", "hierarchical", rng=3, log_items=True)
    model.run_until(20)
    expert = interventions.most_expert(model, 0)
    assert expert.expertise == max(
        c.expertise for c in model.org.collaborators if c.department == 0
    )
    interventions.depart(model, expert)
    left_at = model.time
    model.run_until(left_at + 8)  # a working day to hand over what was in hand
    interventions.set_mechanism(model, "problem_solving", "experts")
    model.run_to_end()
    assert model.kpis()["finished"]
    # Nothing new reached them after the handover day: no task, no help, no relay.
    theirs = [t for t in model.task_records() if t.holder == expert.name]
    assert all(t.finished_at is not None and t.started_at <= left_at for t in theirs)
    assert not [
        i for i in model.item_records() if i.person == expert.name and i.started_at > left_at + 8
    ]
    assert model.org.graph.degree(expert.unique_id) == 0
    with pytest.raises(ValueError, match="already left"):
        interventions.depart(model, expert)


def test_patience_during_sign_off_keeps_the_experts_answer():
    # Critical problems are answered by an expert, then wait for the manager's sign-off;
    # the raiser stops waiting during the sign-off and goes on with the expert's answer.
    data = {
        "name": "sign-off",
        "organisation": {
            "departments": [
                {"name": "lab", "collaborators": 6, "expertise": 0.3, "expertise_sd": 0.2}
            ],
            "director": False,
            # The manager knows less than every collaborator: experts answer, she signs.
            "manager_expertise": 0.0,
        },
        "project": {
            "tasks": 40,
            "problem_rate": 0.05,
            "severity": {"minor": 0, "major": 0, "critical": 1},
            "problem_classes": 1_000_000,  # every problem new: no answer is reused
        },
        "timing": {"expert_help_hours": 0.5, "decision_hours": 50, "decision_patience_hours": 2},
        "policies": {
            "signed": {
                "base": "cooperative",
                "authority": "manager",
                "confrontation": "none",
                "management": "command",
            }
        },
    }
    model = OrgModel(scenario_from_mapping(data), "signed", rng=1)
    model.run_to_end()
    expertise = {p.name: p.expertise for p in model.org.collaborators}
    raised = model.problem_records()
    answered = [c for c in raised if c.route == "peer"]
    assert answered, "experts answered before the raisers ran out of patience"
    for c in answered:
        # Never signed (no manager among the deciders): the expert's answer stands. Experts
        # ask the next one down the ranking, who may know less than the raiser.
        assert c.deciders in expertise
        assert c.quality == expertise[c.deciders]
    # The sign-off takes 50 hours: every raiser stopped waiting after exactly 2.
    assert all(c.resolved_at - c.raised_at == pytest.approx(2) for c in raised)
    withdrawals = [text for _, _, text in model.feed if "stops waiting" in text]
    assert len(withdrawals) == len(raised)


def test_a_switched_mechanism_is_learned_under_the_scenarios_transition():
    scn = load_scenario(
        "workshop",
        ["transition={from: hierarchical, days: 10, overhead: 1.0}", "project.problem_rate=0.08"],
    )
    switched = OrgModel(scn, "hierarchical", rng=3)
    switched.run_until(8)
    entry = interventions.set_mechanism(switched, "problem_solving", "experts")
    assert "learned over 10 days" in entry.text
    switched.run_to_end()
    # Only the new mechanism's activities cost more: a run that stays hierarchical pays none.
    assert switched.kpis()["transition_hours"] > 0
    stayed = OrgModel(scn, "hierarchical", rng=3)
    stayed.run_to_end()
    assert stayed.kpis()["transition_hours"] == 0


def test_decision_time_changes_for_managers_who_follow_the_scenario_only():
    scenario = load_scenario("workshop", ["organisation.departments[0].decision_hours=9"])
    model = OrgModel(scenario, "hierarchical", rng=3)
    own = {m for m in model.org.managers if m.decision_hours.mean == 9}
    assert own and len(own) < len(model.org.managers)
    model.run_until(8.0)
    entry = interventions.set_decision_hours(model, 6.5)
    assert entry.kind == "shock" and entry.time == 8.0
    assert entry.text == "decision time changed from 2 to 6.5 hours (mean)"
    for manager in model.org.managers:
        assert manager.decision_hours.mean == (9 if manager in own else 6.5)
    assert model.config.timing.decision_hours.mean == 6.5
    with pytest.raises(ValueError, match="must be positive"):
        interventions.set_decision_hours(model, 0.0)


def test_a_meeting_interval_under_a_policy_without_meetings_says_so():
    model = OrgModel(load_scenario("workshop"), "self_managed", rng=3)
    assert model.policy.coordination != "meetings"
    text = interventions.set_meeting_interval(model, 3.0).text
    assert text.endswith("this policy holds no managers' meetings")
    assert model.config.timing.meeting_interval_days.mean == 3.0
    with_meetings = OrgModel(load_scenario("workshop"), "hierarchical", rng=3)
    assert with_meetings.policy.coordination == "meetings"
    assert "no managers' meetings" not in interventions.set_meeting_interval(with_meetings, 3).text
