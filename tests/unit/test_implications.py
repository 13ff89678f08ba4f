"""`orgsim validate`'s arithmetic: the rework-spiral warning agrees with the model."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from experiments.implications import implications, rework_branching, shortest_duration
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


def _plan(share: float, depends: bool) -> dict:
    return {
        "name": "plan",
        "organisation": {
            "departments": [{"name": "crew", "collaborators": 2, "project_share": share}]
        },
        "project": {
            "tasks": [
                {"id": "a", "department": "crew", "effort_hours": 30},
                {"id": "b", "department": "crew", "effort_hours": 10},
                {
                    "id": "c",
                    "department": "crew",
                    "effort_hours": 20,
                    "depends_on": ["a"] if depends else [],
                },
            ],
            "problem_rate": 0.01,
        },
    }


def test_the_shortest_duration_is_the_path_or_the_capacity_at_the_project_share():
    # a → c is 50 h of effort; at half their day on the project it takes 100 h.
    assert shortest_duration(scenario_from_mapping(_plan(0.5, True))) == pytest.approx(100)
    # Without the link, 60 h of work for 2 people at half time: 60 / (2 × 0.5) = 60 h,
    # longer than the longest task (30 / 0.5).
    assert shortest_duration(scenario_from_mapping(_plan(0.5, False))) == pytest.approx(60)
    load = implications(scenario_from_mapping(_plan(0.5, False))).departments[0]
    # 60 h × hazard 0.01 × 2 × 0.5 = 0.6 problems over 60 h: 0.01 an hour.
    assert load.department_rate == pytest.approx(0.01)


def test_the_workload_estimate_bounds_simulated_deciding_from_above():
    # product-launch: managers on the project half the day, collaborators half the day.
    # The old estimate (everyone at once, full time) said 29% for engineering.
    from simulator.domain import Activity
    from simulator.loading import load_scenario
    from simulator.model import OrgModel

    scenario = load_scenario("product-launch")
    loads = {d.name: d for d in implications(scenario).departments}
    seeds = range(6)
    shares: dict[str, list[float]] = {name: [] for name in loads}
    for seed in seeds:
        model = OrgModel(scenario, "hierarchical", rng=seed, collect_kpis=False)
        model.run_to_end()
        for manager in model.org.department_managers:
            name = model.org.department_names[manager.department]
            shares[name].append(manager.hours.get(Activity.DECIDING, 0.0) / model.end_time)
    for name, load in loads.items():
        values = np.array(shares[name])
        mean = values.mean()
        se = values.std(ddof=1) / np.sqrt(len(values))
        assert load.manager_utilisation <= load.availability
        # An upper bound (4 standard errors of slack) ...
        assert mean - 4 * se <= load.manager_utilisation, name
        # ... and a tight one: at most three times what the runs show.
        assert load.manager_utilisation <= 3 * (mean + 4 * se), name
