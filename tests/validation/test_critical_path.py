"""With no problems, no communication time and enough people, lead time is the critical path."""

from __future__ import annotations

import pytest

from simulator.policies import PRESETS
from tests.validation.support import ZERO_TIMES, kpis, scenario

POLICIES = [*PRESETS, "hybrid"]
ONE_MINUTE = 1 / 60


# 60 generated tasks over two departments, as many people as tasks, nothing but work.
GENERATED_NETWORK = {
    "name": "generated",
    "organisation": {
        "departments": [
            {"name": "a", "collaborators": 60},
            {"name": "b", "collaborators": 60},
        ]
    },
    "project": {
        "tasks": 60,
        "problem_rate": 0,
        "interdependence": 0.3,
        "dependency_density": 0.08,
    },
    "timing": ZERO_TIMES,
    "rework": {"missed_coordination": 0},
}


def _hand_made() -> dict:
    # A -> B -> D and A -> C -> D across two departments; E stands alone.
    # Longest chain: A (8) + C (24) + D (4) = 36 hours.
    return {
        "name": "critical-path",
        "organisation": {
            "departments": [
                {"name": "engineering", "collaborators": 3},
                {"name": "design", "collaborators": 3},
            ]
        },
        "project": {
            "problem_rate": 0,
            "tasks": [
                {"id": "A", "department": "engineering", "effort_hours": 8},
                {"id": "B", "department": "design", "effort_hours": 16, "depends_on": ["A"]},
                {"id": "C", "department": "engineering", "effort_hours": 24, "depends_on": ["A"]},
                {
                    "id": "D",
                    "department": "engineering",
                    "effort_hours": 4,
                    "depends_on": ["B", "C"],
                },
                {"id": "E", "department": "design", "effort_hours": 10},
            ],
        },
        "timing": ZERO_TIMES,
    }


@pytest.mark.parametrize("policy", POLICIES)
def test_hand_made_network_finishes_on_its_critical_path(policy):
    result = kpis(scenario(_hand_made()), policy, seed=1)
    assert result["finished"]
    assert result["lead_time_days"] * 8 == pytest.approx(36.0, abs=ONE_MINUTE)
    assert result["plan_critical_path_days"] * 8 == pytest.approx(36.0, abs=1e-9)
    # The whole lead time is work along the path.
    assert result["cp_work_days"] * 8 == pytest.approx(36.0, abs=ONE_MINUTE)


@pytest.mark.parametrize("policy", POLICIES)
def test_generated_network_finishes_on_its_critical_path(policy):
    # 60 tasks over two departments with as many people as tasks: nobody ever waits for a
    # colleague. Interdependence links exist but cost nothing and are never missed.
    data = GENERATED_NETWORK
    result = kpis(scenario(data), policy, seed=3)
    assert result["finished"]
    assert result["lead_time_days"] == pytest.approx(
        result["plan_critical_path_days"], abs=ONE_MINUTE / 8
    )


def test_scarce_people_make_lead_time_exceed_the_critical_path():
    # The same plan with one person per department: the independent task E competes with B,
    # and D cannot start before C, which waits for nobody: lead time >= path, and the split
    # books the difference as queue (waiting for a person), not as work.
    data = _hand_made()
    data["organisation"]["departments"] = [
        {"name": "engineering", "collaborators": 1},
        {"name": "design", "collaborators": 1},
    ]
    data["project"]["tasks"][2]["depends_on"] = []  # C no longer waits for A: A and C compete
    result = kpis(scenario(data), "cooperative", seed=1)
    # Engineering alone must do A (8), C (24) and D (4) one after the other: 36 hours.
    assert result["lead_time_days"] * 8 == pytest.approx(36.0, abs=ONE_MINUTE)
    assert result["plan_critical_path_days"] * 8 == pytest.approx(28.0, abs=1e-9)
    assert result["cp_queue_days"] * 8 == pytest.approx(8.0, abs=ONE_MINUTE)
