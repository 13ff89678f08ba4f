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
    assert model.task_records()[-1].task == "go-live"
    names = {p.name for p in model.org.people}
    assert {"Nadia Haddad", "Ines Carvalho", "Sara Cohen"} <= names
    # Informal partners: the lateral edges of the org graph, by name.
    graph = model.org.graph
    partners: dict[str, set[str]] = {}
    for a, b, kind in graph.edges(data="kind"):
        if kind == "lateral":
            first, second = graph.nodes[a]["name"], graph.nodes[b]["name"]
            partners.setdefault(first, set()).add(second)
            partners.setdefault(second, set()).add(first)

    def hierarchical(case) -> bool:
        # Escalated, or taken first by an informal partner in their field (lateral link).
        lateral = bool(set(case.deciders.split(";")) & partners.get(case.raiser, set()))
        return case.route in ("manager", "director") or (case.route == "peer" and lateral)

    departments = [d.name for d in scenario.organisation.departments]
    claims = [c for c in model.problem_records() if c.department == departments[0]]
    if policy == "claims-stays-hierarchical":
        assert claims and all(hierarchical(c) for c in claims)
    legal = [c for c in model.problem_records() if c.department == departments[2]]
    assert all(hierarchical(c) for c in legal)  # legal keeps its own policy
