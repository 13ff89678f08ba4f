"""The org graph's lateral links: distinct cross-department pairs, capped at all of them."""

from __future__ import annotations

import itertools

import pytest

from simulator.loading import load_scenario
from simulator.model import OrgModel
from simulator.organisation import LATERAL


def lateral_pairs(model: OrgModel) -> set[frozenset[int]]:
    graph = model.org.graph
    return {frozenset(e) for e in graph.edges if graph.edges[e]["kind"] == LATERAL}


@pytest.mark.parametrize("asked", [1, 150, 200, 1000])
def test_lateral_links_are_distinct_cross_department_pairs_up_to_all_of_them(asked):
    model = OrgModel(load_scenario("workshop", [f"organisation.lateral_links={asked}"]))
    people = model.org.collaborators
    cross = {
        frozenset((a.unique_id, b.unique_id))
        for a, b in itertools.combinations(people, 2)
        if a.department != b.department
    }
    assert len(cross) == 200  # workshop: 10, 6, 6 and 2 collaborators
    pairs = lateral_pairs(model)
    assert pairs <= cross
    assert len(pairs) == min(asked, len(cross))
