"""Properties every run must have: the lead-time split adds up, Little's law holds,
the same seed gives the same run, common random numbers pair the policies."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from simulator.kpis import CP_NAMES
from simulator.loading import builtin_names, load_scenario
from simulator.model import OrgModel
from simulator.policies import PRESETS
from tests.validation.support import kpis, scenario

BUILTINS = builtin_names()


@pytest.mark.parametrize("name", BUILTINS)
@pytest.mark.parametrize("policy", list(PRESETS))
def test_every_builtin_finishes_and_its_split_adds_up(name, policy):
    scn = load_scenario(name)
    model = OrgModel(scn, policy)
    model.run_to_end()
    result = model.kpis()
    assert result["finished"], f"{name} under {policy} hit the horizon"
    assert result["tasks_done"] == len(model.task_records())
    split = sum(result[k] for k in CP_NAMES.values())
    assert split == pytest.approx(result["lead_time_days"], rel=1e-9, abs=1e-9)
    assert all(result[k] >= -1e-9 for k in CP_NAMES.values())
    # Little's law on the run's own path: L, the time-average number of open problems, is
    # measured on the tasks (a task is blocked, waiting for a decision or with its holder
    # working on the problem, exactly while a problem on it is open; one at a time), and
    # must equal the arrival rate × the mean time to close them.
    end = model.end_time
    if result["problems_raised"]:
        arrival_rate = result["problems_raised"] / end
        blocked = sum(t.decision_wait_hours + t.problem_solving_hours for t in model.task_records())
        open_problems = blocked / end
        assert open_problems == pytest.approx(
            arrival_rate * result["mean_resolution_hours"], rel=1e-9
        )
    # Who resolved the problems accounts for every one of them.
    routes = sum(
        result[f"resolved_{r}"] for r in ("self", "peer", "manager", "director", "consensus")
    )
    assert routes == result["problems_resolved"] == result["problems_raised"]


def test_same_seed_same_run_other_seed_other_run():
    scn = load_scenario("workshop")
    first = kpis(scn, "hierarchical", 11)
    again = kpis(scn, "hierarchical", 11)
    other = kpis(scn, "hierarchical", 12)
    assert first == again
    assert first["lead_time_days"] != other["lead_time_days"]


def test_the_same_problems_meet_every_policy():
    # Common random numbers: with the same people on the same tasks (one person per
    # department, so allocation cannot differ), every policy meets the same problems.
    data = {
        "name": "crn",
        "organisation": {
            "departments": [{"name": "a", "collaborators": 1}, {"name": "b", "collaborators": 1}]
        },
        "project": {"tasks": 20, "problem_rate": 0.05, "interdependence": 0},
        "rework": {"fraction": 0},
    }
    scn = scenario(data)
    seen = {}
    for policy in PRESETS:
        model = OrgModel(scn, policy, rng=5)
        model.run_to_end()
        seen[policy] = sorted(
            (c.task, c.number, c.severity, c.field) for c in model.problem_records()
        )
    assert seen["hierarchical"] == seen["cooperative"] == seen["self_managed"]
    assert len(seen["hierarchical"]) > 10


def test_paired_differences_vary_much_less_than_unpaired():
    # Common random numbers make policy comparisons sharper: the variance of paired
    # differences is well below that of differences between independent runs.
    scn = load_scenario("workshop")
    seeds = range(16)
    hier = np.array([kpis(scn, "hierarchical", s)["lead_time_days"] for s in seeds])
    coop = np.array([kpis(scn, "cooperative", s)["lead_time_days"] for s in seeds])
    coop_other = np.array([kpis(scn, "cooperative", 1000 + s)["lead_time_days"] for s in seeds])
    paired = np.var(hier - coop, ddof=1)
    unpaired = np.var(hier - coop_other, ddof=1)
    # With 15 degrees of freedom each, an F ratio below 1/4 is far outside chance (p < 0.01)
    # if the two variances were equal.
    assert paired < unpaired / 4


def test_a_run_that_can_never_finish_stops_at_the_horizon():
    # Decisions take far longer than the horizon: the hierarchy can never finish.
    data = {
        "name": "never",
        "time": {"horizon_days": 30},
        "organisation": {"departments": [{"name": "a", "collaborators": 5}]},
        "project": {"tasks": 200, "problem_rate": 0.5},
        "timing": {"decision_hours": {"dist": "exponential", "mean": 10000}},
    }
    scn = scenario(data)
    tracemalloc.start()
    model = OrgModel(scn, "hierarchical", rng=1)
    model.run_to_end()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = model.kpis()
    assert result["finished"] is False
    assert result["lead_time_days"] == 30
    assert model.time == pytest.approx(30 * 8)
    assert result["tasks_done"] < 200
    assert peak < 50_000_000  # bounded: the run holds one small record per event source
    assert math.isclose(sum(result[k] for k in CP_NAMES.values()), 30, rel_tol=1e-9)
