"""The worked example of docs/scenarios.md: a division from its org chart and plan files."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from simulator.loading import load_scenario
from simulator.model import OrgModel

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claims-division" / "scenario.yaml"


@pytest.mark.parametrize(
    "policy", ["hierarchical", "cooperative", "self_managed", "claims-stays-hierarchical"]
)
def test_the_claims_division_runs_under_every_policy(policy):
    scenario = load_scenario(EXAMPLE)
    assert [d.collaborators for d in scenario.organisation.departments] == [7, 3, 1, 3]
    assert scenario.organisation.departments[0].teams == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrgModel(scenario, policy, rng=1)
        model.run_to_end()
    assert model.kpis()["finished"]
    assert model.tasks[-1].key == "go-live"
    names = {p.name for p in model.org.people}
    assert {"Nadia Haddad", "Ines Carvalho", "Sara Cohen"} <= names
    partners = model.org.lateral_partners

    def hierarchical(case) -> bool:
        # Escalated, or taken first by an informal partner in their field (lateral link).
        lateral = any(p.name in case.deciders for p in partners.get(case.raiser.unique_id, []))
        return case.route in ("manager", "director") or (case.route == "peer" and lateral)

    claims = [c for c in model.desk.cases if c.raiser.department == 0]
    if policy == "claims-stays-hierarchical":
        assert claims and all(hierarchical(c) for c in claims)
    legal = [c for c in model.desk.cases if c.raiser.department == 2]
    assert all(hierarchical(c) for c in legal)  # legal keeps its own policy
