"""A learned transition: with `transition: {from: P, days: D, overhead: X}`, every activity
(in-tray item) of a mechanism whose value differs from P's takes `1 + X × max(0, 1 − t/D)`
times its hours, t the working days since the start when the item is first taken up; a
department keeps its own way of working and pays for what changes there. KPI
`transition_hours`: the extra hours.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task

DAYS, OVERHEAD = 2.0, 1.0
HOURS_PER_DAY = 8.0
ASSIGN = 0.25
MESSAGE = 0.25
SELF_FIX = 1.0
DECIDE = 2.0
RELAY = 0.5  # the stories' fixed relay_hours

FROM_HIERARCHY = {"from": "hierarchical", "days": DAYS, "overhead": OVERHEAD}
HANDOFF = [task("t1", "a", 8), task("t2", "b", 4, after=("t1",))]
TWO_DEPARTMENTS = [department("a"), department("b")]


def _factor(at: float) -> float:
    return 1 + OVERHEAD * max(0.0, 1 - at / HOURS_PER_DAY / DAYS)


def _run(departments, plan, policy, transition=FROM_HIERARCHY, **keys):
    return play(
        scenario(
            departments,
            plan,
            policy=policy,
            timing={
                "assignment_hours": ASSIGN,
                "message_hours": MESSAGE,
                "self_fix_hours": SELF_FIX,
                "decision_hours": DECIDE,
            },
            time={"hours_per_day": HOURS_PER_DAY},
            transition=transition,
            **keys,
        )
    )


@pytest.mark.parametrize("effort", [8, 24])
def test_the_activities_of_a_mechanism_that_changed_cost_more_at_first(effort):
    # From the hierarchy to direct messages: reading t1's output (communication) is dearer
    # the earlier it happens, as usual after 2 days (16 hours); the managers' assignments
    # (allocation, unchanged) are not.
    plan = [task("t1", "a", effort), task("t2", "b", 4, after=("t1",))]
    model = _run(TWO_DEPARTMENTS, plan, {"base": "hierarchical", "communication": "direct"})
    assigned = ASSIGN + effort + ASSIGN
    read = MESSAGE * _factor(assigned)
    assert spans(served(model, "assign")) == [
        ("a manager", 0, ASSIGN),
        ("b manager", ASSIGN + effort, assigned),
    ]
    assert spans(served(model, "read")) == [("b 1", assigned, assigned + read)]
    assert story.tasks(model)["t2"].finished_at == assigned + read + 4
    assert model.kpis()["transition_hours"] == read - MESSAGE
    assert (read > MESSAGE) == (effort == 8)


def test_an_activity_taken_up_at_the_start_pays_the_whole_overhead():
    # From cooperation (pull) to assignments by the manager: the first one, at 0, takes
    # 1 + overhead times its hours.
    model = _run(
        [department("a")],
        [task("t1", "a", 8)],
        {"base": "cooperative", "allocation": "manager"},
        {"from": "cooperative", "days": DAYS, "overhead": OVERHEAD},
    )
    assert spans(served(model, "assign")) == [("a manager", 0, ASSIGN * (1 + OVERHEAD))]
    assert model.kpis()["transition_hours"] == ASSIGN * OVERHEAD


def test_nothing_changes_nothing_costs_more():
    # The hierarchy from the hierarchy: t1's output is relayed and read in the usual hours.
    model = _run(TWO_DEPARTMENTS, HANDOFF, {"base": "hierarchical"})
    done = ASSIGN + 8
    assert spans(served(model)) == [
        ("a manager", 0, ASSIGN),
        ("a manager", done, done + RELAY),
        ("b 1", done + 2 * RELAY, done + 2 * RELAY + MESSAGE),
        ("b manager", done, done + ASSIGN),
        ("b manager", done + RELAY, done + 2 * RELAY),
    ]
    assert model.kpis()["transition_hours"] == 0


def test_a_department_that_keeps_its_way_of_working_pays_no_transition():
    # The run settles minor problems alone (autonomy changed from the hierarchy): a's
    # self-fixes are dearer at first. legal keeps the hierarchy: its escalated decisions
    # take their usual hours.
    model = _run(
        [department("a"), department("legal", policy="hierarchical")],
        [task("t1", "a", 24), task("t2", "legal", 24)],
        {"base": "hierarchical", "autonomy": "major"},
        project={
            "problem_rate": 0.25,
            "severity": {"minor": 1, "major": 0, "critical": 0},
            "foreign_field_share": 0,
        },
        organisation={"director": False},
    )
    raised = problems(model)
    fixes = [p for p in raised if p.department == "a"]
    decisions = [p for p in raised if p.department == "legal"]
    assert fixes and decisions, "the story needs problems in both departments"
    for p in fixes:
        assert p.route == "self"
        assert p.resolved_at == pytest.approx(p.raised_at + SELF_FIX * _factor(p.raised_at))
    for p in decisions:
        assert p.route == "manager"
        assert p.resolved_at == pytest.approx(p.raised_at + DECIDE)
    extra = sum(SELF_FIX * (_factor(p.raised_at) - 1) for p in fixes)
    assert extra > 0
    assert model.kpis()["transition_hours"] == pytest.approx(extra)
