"""`orgsim validate`'s arithmetic: the rework-spiral warning agrees with the model."""

from __future__ import annotations

import warnings

import pytest

from experiments.implications import implications, rework_branching
from simulator.loading import scenario_from_mapping
from simulator.run import run_one


def _one_big_task(rate: float) -> dict:
    return {
        "name": "big",
        "time": {"horizon_days": 200},
        "organisation": {"departments": [{"name": "crew", "collaborators": 1, "expertise": 0.4}]},
        "project": {
            "tasks": [{"id": "big", "department": "crew", "effort_hours": 200, "complexity": 1}],
            "problem_rate": rate,
            "severity": {"minor": 0, "major": 1, "critical": 0},
        },
        "rework": {"fraction": 0.5, "severity_weight": {"minor": 1, "major": 1, "critical": 1}},
        "timing": {"self_fix_hours": 0},
    }


def test_branching_factor_is_problems_per_pass_times_rework_probability():
    scn = scenario_from_mapping(_one_big_task(0.05))
    # hazard 0.05 × 1 × 2 × 0.6 = 0.06 per hour; a pass is 0.5 × 200 = 100 h: 6 problems;
    # each gives rework with probability (1 − 0.4) × 1 = 0.6: 3.6 passes bred per pass.
    assert rework_branching(scn, 0.4, 200, 1) == pytest.approx(3.6)
    load = implications(scn).departments[0]
    assert load.rework_spiral and load.large_task_hours == 200


@pytest.mark.parametrize(("rate", "finishes"), [(0.05, False), (0.002, True)])
def test_the_warning_matches_what_the_model_does(rate, finishes):
    # self_managed settles major problems alone at quality = expertise: the case the
    # warning describes. Above 1 the task is still reworking at the horizon.
    scn = scenario_from_mapping(_one_big_task(rate))
    assert implications(scn).departments[0].rework_spiral is not finishes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = run_one(scn, "self_managed", 1).kpis
    assert result["finished"] is finishes
