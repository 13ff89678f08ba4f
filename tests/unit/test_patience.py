"""Decision patience: a blocked collaborator stops waiting and goes on with their own judgement."""

from __future__ import annotations

import warnings

import pytest

from simulator.loading import scenario_from_mapping
from simulator.model import OrgModel

SLOW_MANAGER = {
    "name": "patience",
    "organisation": {
        "departments": [{"name": "ops", "collaborators": 6, "expertise": 0.4}],
        "director": False,
    },
    "project": {"tasks": 60, "problem_rate": 0.05, "dependency_density": 0, "interdependence": 0},
    "timing": {"decision_hours": {"dist": "exponential", "mean": 8}},
}


def _run(patience):
    data = {
        **SLOW_MANAGER,
        "timing": {**SLOW_MANAGER["timing"], "decision_patience_hours": patience},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrgModel(scenario_from_mapping(data), "hierarchical", rng=2)
        model.run_to_end()
    return model


def test_nobody_waits_longer_than_their_patience():
    model = _run(3)
    cases = model.desk.cases
    waits = [c.resolved_at - c.raised_at for c in cases]
    assert max(waits) <= 3 + 1e-9
    withdrawn = [c for c in cases if c.route == "self"]
    assert withdrawn and model.withdrawn == len(withdrawn)
    # Going on alone: the quality is the collaborator's own expertise.
    assert all(c.quality == pytest.approx(c.raiser.expertise) for c in withdrawn)
    assert model.kpis()["resolved_self"] == len(withdrawn)
    assert any("stops waiting" in text for _, _, text in model.feed)


def test_without_patience_the_slow_manager_decides_everything():
    model = _run(None)
    assert all(c.route == "manager" for c in model.desk.cases)
    assert max(c.resolved_at - c.raised_at for c in model.desk.cases) > 3
