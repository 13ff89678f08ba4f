"""Decision patience: a blocked collaborator stops waiting and goes on with their own judgement."""

from __future__ import annotations

import warnings

import pytest

from simulator.loading import scenario_from_mapping
from simulator.model import OrgModel

EXPERTISE = 0.4

SLOW_MANAGER = {
    "name": "patience",
    "organisation": {
        "departments": [{"name": "ops", "collaborators": 6, "expertise": EXPERTISE}],
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
    cases = model.problem_records()
    waits = [c.resolved_at - c.raised_at for c in cases]
    assert max(waits) <= 3 + 1e-9
    # Nobody may settle anything alone under the hierarchy: every `self` is a withdrawal,
    # made exactly when the patience ran out.
    withdrawn = [c for c in cases if c.route == "self"]
    assert withdrawn
    assert all(c.resolved_at - c.raised_at == pytest.approx(3) for c in withdrawn)
    # Going on alone: the quality is the collaborator's own expertise.
    assert all(c.quality == pytest.approx(EXPERTISE) and c.deciders == c.raiser for c in withdrawn)
    assert model.kpis()["resolved_self"] == len(withdrawn)
    stops = [text for _, _, text in model.feed if "stops waiting" in text]
    assert len(stops) == len(withdrawn)


def test_without_patience_the_slow_manager_decides_everything():
    model = _run(None)
    cases = model.problem_records()
    assert all(c.route == "manager" for c in cases)
    assert max(c.resolved_at - c.raised_at for c in cases) > 3
