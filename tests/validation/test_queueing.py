"""The manager as a queue: simulation against the finite-source (M/M/1//N) formulas.

One department escalates every problem to its manager, who has nothing else to do
(`allocation: pull`, `communication: direct`, `coordination: none`, no director):
collaborators are the N sources (a blocked one raises no problem), decisions are
exponential. Mean resolution time and the manager's utilisation must match
`simulator.theory.machine_repair`. Variants: autonomy settling minor problems at once
thins the arrivals; problems outside every department's field climb to the director.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from simulator import theory
from simulator.model import OrgModel
from tests.validation.support import QUEUE_DECISION_HOURS as DECISION_HOURS
from tests.validation.support import QUEUE_SOURCES as SOURCES
from tests.validation.support import Z, kpis, mean_and_se, queue_scenario, scenario

SEEDS = range(6)


def _rate_for(utilisation: float) -> float:
    """The per-source problem rate that gives the manager this utilisation in theory."""
    return brentq(
        lambda lam: (
            theory.machine_repair(SOURCES, lam, 1 / DECISION_HOURS).utilisation - utilisation
        ),
        1e-6,
        10.0,
    )


def _check(measured: list[float], expected: float) -> None:
    mean, se = mean_and_se(measured)
    assert abs(mean - expected) <= Z * se, f"{mean:.4f} ± {se:.4f} vs theory {expected:.4f}"


@pytest.mark.parametrize("utilisation", [0.4, 0.75])
def test_single_manager_matches_machine_repair(utilisation):
    rate = _rate_for(utilisation)
    expected = theory.machine_repair(SOURCES, rate, 1 / DECISION_HOURS)
    scn = scenario(queue_scenario(rate))
    runs = [kpis(scn, "queue", seed) for seed in SEEDS]
    assert all(r["resolved_manager"] == r["problems_resolved"] > 100 for r in runs)
    _check([r["mean_resolution_hours"] for r in runs], expected.mean_response)
    _check([r["manager_utilization"] for r in runs], expected.utilisation)


def test_autonomy_thins_what_reaches_the_manager():
    # Minor problems (half of them) are settled at once by the collaborator: the manager
    # sees a thinned Poisson stream, rate × 0.5 per working source.
    rate = _rate_for(0.75)
    data = queue_scenario(rate, autonomy="minor")
    data["project"]["severity"] = {"minor": 0.5, "major": 0.4, "critical": 0.1}
    scn = scenario(data)
    expected = theory.machine_repair(SOURCES, rate * 0.5, 1 / DECISION_HOURS)
    utilisation, measured = [], []
    for seed in SEEDS:
        model = OrgModel(scn, "queue", rng=seed)
        model.run_to_end()
        utilisation.append(model.kpis()["manager_utilization"])
        # Resolution time of the escalated problems alone is the queue's response time.
        times = [
            c.resolved_at - c.raised_at for c in model.problem_records() if c.route == "manager"
        ]
        measured.append(float(np.mean(times)))
    _check(utilisation, expected.utilisation)
    _check(measured, expected.mean_response)


def test_problems_outside_the_field_climb_to_the_director():
    # Two departments, every problem in the other department's field: each manager passes
    # it up at once, and the director alone decides for all ten sources.
    rate = _rate_for(0.6)
    scn = scenario(queue_scenario(rate, departments=2))
    expected = theory.machine_repair(SOURCES, rate, 1 / DECISION_HOURS)
    runs = [kpis(scn, "queue", seed) for seed in SEEDS]
    assert all(r["resolved_director"] == r["problems_resolved"] for r in runs)
    _check([r["mean_resolution_hours"] for r in runs], expected.mean_response)
    _check([r["max_manager_utilization"] for r in runs], expected.utilisation)


def test_littles_law_with_the_sampled_series():
    # L from the daily samples of open problems, against theory's L for the same queue.
    rate = _rate_for(0.75)
    scn = scenario(queue_scenario(rate))
    expected = theory.machine_repair(SOURCES, rate, 1 / DECISION_HOURS)
    means = []
    for seed in SEEDS:
        model = OrgModel(scn, "queue", rng=seed)
        model.run_to_end()
        means.append(float(np.mean([row["open_problems"] for row in model.daily[1:]])))
    _check(means, expected.mean_in_system)
