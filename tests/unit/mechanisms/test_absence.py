"""Absence suspends: a manager available `manager_availability` of the day is away one block
of (1 − availability) × hours_per_day each working day, at a random time. An item in hand
when they leave is put aside and resumed on their return, and only the hours present are
booked; what arrives meanwhile waits for them.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms import story
from tests.unit.mechanisms.story import department, play, problems, scenario, served, task

DECIDE = 2.0
HOURS_PER_DAY = 8.0
AVAILABILITY = 0.5
AWAY = (1 - AVAILABILITY) * HOURS_PER_DAY  # 4 hours away each day
# Every problem goes to the manager; nothing else needs them.
ESCALATE = {
    "base": "hierarchical",
    "allocation": "pull",
    "communication": "direct",
    "coordination": "none",
}


def _run(availability):
    return play(
        scenario(
            [department("a")],
            [task("t1", "a", 40)],
            policy=ESCALATE,
            timing={"decision_hours": DECIDE},
            organisation={"director": False, "manager_availability": availability},
            time={"hours_per_day": HOURS_PER_DAY},
            project={
                "problem_rate": 0.25,
                "severity": {"minor": 1, "major": 0, "critical": 0},
                "foreign_field_share": 0,
            },
            rework={"fraction": 0},
        )
    )


def test_a_decision_interrupted_by_an_absence_is_resumed_on_return():
    model = _run(AVAILABILITY)
    raised = problems(model)
    decisions = served(model, "decide")
    assert len(decisions) == len(raised) >= 6, "the story needs problems"
    seen = set()
    for p, item in zip(raised, decisions, strict=True):
        assert item.ended_at == p.resolved_at
        # Raised while the manager is away: the decision starts on their return, within
        # one absence.
        late = item.started_at - p.raised_at
        assert 0 <= late < AWAY
        # Under way when they leave: put aside for a whole absence, then finished.
        gaps = (item.ended_at - item.started_at - DECIDE) / AWAY
        assert gaps == pytest.approx(round(gaps), abs=1e-9)
        seen.add(("late" if late > 0 else "at once", "interrupted" if gaps >= 1 else "whole"))
    assert {("late", "whole"), ("at once", "interrupted"), ("at once", "whole")} <= seen
    # Only the hours present are booked: the manager was busy exactly for the decisions.
    busy = model.kpis()["manager_utilization"] * model.end_time
    assert busy == pytest.approx(len(decisions) * DECIDE)
    # The raiser waited all along.
    t1 = story.tasks(model)["t1"]
    assert t1.decision_wait_hours == pytest.approx(sum(p.resolved_at - p.raised_at for p in raised))


def test_a_manager_always_there_decides_at_once():
    model = _run(1.0)
    for p, item in zip(problems(model), served(model, "decide"), strict=True):
        assert (item.started_at, item.ended_at) == (p.raised_at, p.raised_at + DECIDE)
