"""The organisation's layout: director on top, managers above their teams, clusters apart."""

from __future__ import annotations

import itertools

import pytest

from dashboards.org_layout import hierarchical_layout
from simulator.loading import builtin_names, load_scenario
from simulator.model import OrgModel


def layout_of(name: str, overrides=()):
    model = OrgModel(load_scenario(name, list(overrides)), "hierarchical")
    return model.org, hierarchical_layout(model.org)


@pytest.mark.parametrize("name", builtin_names())
def test_everyone_has_a_place_and_no_two_people_share_one(name):
    org, layout = layout_of(name)
    assert set(layout.positions) == {p.unique_id for p in org.people}
    assert len(set(layout.positions.values())) == len(org.people)
    for x, y in layout.positions.values():
        assert 0 < x < layout.width and 0 < y < layout.height


def test_director_on_top_then_managers_then_their_people():
    org, layout = layout_of("workshop")
    y = {p.unique_id: layout.positions[p.unique_id][1] for p in org.people}
    director = y[org.director.unique_id]
    for manager in org.department_managers:
        assert director < y[manager.unique_id]
    for person in org.collaborators:
        assert y[org.lead_of(person).unique_id] < y[person.unique_id]


def test_departments_are_separate_clusters_holding_their_people():
    org, layout = layout_of("workshop")
    boxes = sorted(layout.clusters, key=lambda c: c.x0)
    for left, right in itertools.pairwise(boxes):
        assert left.x1 < right.x0  # side by side, not overlapping
    for person in [*org.collaborators, *org.department_managers]:
        box = layout.clusters[person.department]
        x, y = layout.positions[person.unique_id]
        assert box.x0 < x < box.x1 and box.y0 < y < box.y1


def test_team_leads_sit_between_their_manager_and_their_team():
    org, layout = layout_of("workshop", ["organisation.departments[0].teams=2"])
    leads = [m for m in org.managers if m.level == "team_lead"]
    assert len(leads) == 2
    manager_y = layout.positions[org.department_managers[0].unique_id][1]
    for lead in leads:
        lead_y = layout.positions[lead.unique_id][1]
        members = org.teams[0][lead.team].members
        assert manager_y < lead_y < min(layout.positions[m.unique_id][1] for m in members)


def test_the_drawing_is_wider_than_tall_like_the_screen_area():
    for name in ("workshop", "routine-operations"):
        _, layout = layout_of(name)
        assert 1.3 < layout.width / layout.height < 3.5


def test_lateral_links_are_kept_for_drawing():
    _org, layout = layout_of("workshop", ["organisation.lateral_links=5"])
    assert len(layout.lateral) == 5
    assert all(a in layout.positions and b in layout.positions for a, b in layout.lateral)
