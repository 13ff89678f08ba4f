"""Autonomy: the highest severity a collaborator settles alone (`none`, `minor`, `major`;
critical problems never), in their own field only. Settling alone is a `self_fix` item of
`self_fix_hours` in the raiser's own in-tray, of the quality of the raiser's expertise;
anything more serious, and any problem of another field, goes on to problem solving."""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task
from tests.unit.mechanisms.story import tasks as task_records

SELF_FIX = 1.0  # the raiser settling a problem alone
DECIDE = 2.0  # the manager deciding one
RELAY = 0.5  # a manager passing a problem on (the stories' fixed relay_hours)
MANAGER_EXPERTISE = 0.6
EXPERTISE, CROSS_EXPERTISE = 0.5, 0.25
RATE = 0.25  # several problems per task
ALL_SEVERITIES = {"minor": 0.4, "major": 0.4, "critical": 0.2}
RANK = {"none": 0, "minor": 1, "major": 2, "critical": 3}


def _run(autonomy, departments=None, severity=ALL_SEVERITIES, foreign=0.0, **organisation):
    scn = scenario(
        departments or [department("a", expertise=EXPERTISE)],
        [task("t1", "a", 48)],
        policy={
            "base": "hierarchical",
            "allocation": "pull",
            "coordination": "none",
            "autonomy": autonomy,
        },
        timing={"self_fix_hours": SELF_FIX, "decision_hours": DECIDE},
        organisation={"director": False, "cross_expertise": CROSS_EXPERTISE, **organisation},
        project={"problem_rate": RATE, "severity": severity, "foreign_field_share": foreign},
        rework={"fraction": 0},
    )
    return play(scn)


@pytest.mark.parametrize("autonomy", ["none", "minor", "major"])
def test_a_collaborator_settles_alone_up_to_the_severity_autonomy_allows(autonomy):
    model = _run(autonomy)
    raised = problems(model)
    assert {p.severity for p in raised} == set(ALL_SEVERITIES), "the story needs every severity"
    alone = [p for p in raised if RANK[p.severity] <= RANK[autonomy]]
    escalated = [p for p in raised if RANK[p.severity] > RANK[autonomy]]
    assert spans(served(model, "self_fix")) == [
        ("a 1", p.raised_at, p.raised_at + SELF_FIX) for p in alone
    ]
    assert spans(served(model, "decide")) == [
        ("a manager", p.raised_at, p.raised_at + DECIDE) for p in escalated
    ]
    for p in alone:
        assert (p.route, p.deciders, p.quality) == ("self", "a 1", EXPERTISE)
        assert p.resolved_at == pytest.approx(p.raised_at + SELF_FIX, abs=1e-9)
    for p in escalated:
        assert (p.route, p.deciders) == ("manager", "a manager")
    # Both block the task; settling alone the holder works on the problem (problem solving),
    # while waiting for the manager is decision wait.
    t1 = task_records(model)["t1"]
    assert t1.problem_solving_hours == pytest.approx(len(alone) * SELF_FIX)
    assert t1.decision_wait_hours == pytest.approx(len(escalated) * DECIDE)
    assert model.kpis()["problem_solving_hours"] == pytest.approx(len(alone) * SELF_FIX)
    assert model.kpis()["resolved_self"] == len(alone)


def test_critical_problems_are_never_settled_alone():
    model = _run("major", severity={"minor": 0, "major": 0, "critical": 1})
    assert problems(model)
    assert served(model, "self_fix") == []
    assert {p.route for p in problems(model)} == {"manager"}


def test_a_problem_of_another_field_is_never_settled_alone():
    # Under `major`, even a minor problem of b's field crosses to b's manager (there is no
    # director): a manager passes it on, b manager decides it with b's expertise.
    departments = [department("a", expertise=EXPERTISE), department("b")]
    model = _run(
        "major",
        departments,
        severity={"minor": 1, "major": 0, "critical": 0},
        foreign=1,
        manager_expertise=MANAGER_EXPERTISE,
    )
    raised = problems(model)
    assert len(raised) >= 2, "the story needs problems"
    assert served(model, "self_fix") == []
    assert spans(served(model, "escalate")) == [
        ("a manager", p.raised_at, p.raised_at + RELAY) for p in raised
    ]
    assert spans(served(model, "decide")) == [
        ("b manager", p.raised_at + RELAY, p.raised_at + RELAY + DECIDE) for p in raised
    ]
    for p in raised:
        assert (p.field, p.route, p.deciders, p.quality) == (
            "b",
            "manager",
            "b manager",
            MANAGER_EXPERTISE,
        )


def test_a_lateral_partner_takes_even_the_minor_problems_of_their_own_field():
    # Autonomy covers a's own field only: a's minor problems are settled alone and its
    # major ones escalated; every problem of b's field, minor or major, goes to b 1, the
    # lateral partner.
    departments = [department("a", expertise=EXPERTISE), department("b")]
    model = _run(
        "minor",
        departments,
        severity={"minor": 0.5, "major": 0.5, "critical": 0},
        foreign=0.5,
        lateral_links=1,
    )
    routes = {(p.field, p.severity, p.route, p.deciders) for p in problems(model)}
    assert routes == {
        ("a", "minor", "self", "a 1"),
        ("a", "major", "manager", "a manager"),
        ("b", "minor", "peer", "b 1;a 1"),
        ("b", "major", "peer", "b 1;a 1"),
    }


def test_a_department_that_keeps_the_hierarchy_escalates_what_others_settle_alone():
    departments = [
        department("a", expertise=EXPERTISE),
        department("legal", expertise=EXPERTISE, policy="hierarchical"),
    ]
    scn = scenario(
        departments,
        [task("t1", "a", 24), task("t2", "legal", 24)],
        policy={"base": "cooperative", "problem_solving": "escalate", "autonomy": "major"},
        timing={"self_fix_hours": SELF_FIX, "decision_hours": DECIDE},
        organisation={"director": False},
        project={
            "problem_rate": RATE,
            "severity": {"minor": 1, "major": 0, "critical": 0},
            "foreign_field_share": 0,
        },
    )
    by_department = {}
    for p in problems(play(scn)):
        by_department.setdefault(p.department, set()).add(p.route)
    assert by_department == {"a": {"self"}, "legal": {"manager"}}
