"""Autonomy: the highest severity a collaborator settles alone (`none`, `minor`, `major`;
critical problems never). Settling alone is a `self_fix` item of `self_fix_hours` in the
raiser's own in-tray, of the quality of the raiser's expertise in the problem's field;
anything more serious goes on to problem solving."""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, problems, scenario, served, spans, task
from tests.unit.mechanisms.story import tasks as task_records

SELF_FIX = 1.0  # the raiser settling a problem alone
DECIDE = 2.0  # the manager deciding one
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
    # Settling alone blocks the task as a decision would: it is decision wait.
    t1 = task_records(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(len(alone) * SELF_FIX + len(escalated) * DECIDE)
    assert model.kpis()["resolved_self"] == len(alone)


def test_critical_problems_are_never_settled_alone():
    model = _run("major", severity={"minor": 0, "major": 0, "critical": 1})
    assert problems(model)
    assert served(model, "self_fix") == []
    assert {p.route for p in problems(model)} == {"manager"}


def test_a_problem_of_another_field_settled_alone_has_the_quality_of_cross_expertise():
    departments = [department("a", expertise=EXPERTISE), department("b")]
    model = _run("major", departments, severity={"minor": 1, "major": 0, "critical": 0}, foreign=1)
    assert problems(model)
    for p in problems(model):
        assert (p.field, p.route, p.quality) == ("b", "self", CROSS_EXPERTISE)


def test_what_the_raiser_may_settle_alone_never_reaches_a_lateral_partner():
    departments = [department("a", expertise=EXPERTISE), department("b")]
    model = _run(
        "minor",
        departments,
        severity={"minor": 0.5, "major": 0.5, "critical": 0},
        foreign=1,
        lateral_links=1,
    )
    routes = {(p.severity, p.route) for p in problems(model)}
    assert routes == {("minor", "self"), ("major", "peer")}


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
        project={"problem_rate": RATE, "severity": {"minor": 1, "major": 0, "critical": 0}},
    )
    by_department = {}
    for p in problems(play(scn)):
        by_department.setdefault(p.department, set()).add(p.route)
    assert by_department == {"a": {"self"}, "legal": {"manager"}}
