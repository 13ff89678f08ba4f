"""The network drawing, its legend and the live charts, from frames of a real run."""

from __future__ import annotations

import re

import pytest

from dashboards.charts import (
    mark_number,
    messages_option,
    overlay_option,
    problems_option,
    progress_option,
)
from dashboards.components.views import chart_facts
from dashboards.org_drawing import _glyph, legend_html, org_svg
from dashboards.palette import POLICY_COLOURS, STATE_BY_KEY, STATES, state_of
from dashboards.simulation import Lockstep, SimulationRun
from simulator.loading import load_scenario

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def played(hours: float = 30.0, policy: str = "hierarchical") -> SimulationRun:
    run = SimulationRun(load_scenario("workshop"), policy, 3)
    run.advance(hours)
    return run


def test_every_person_is_drawn_once_with_their_state():
    run = played()
    frame = run.frame()
    svg = org_svg(frame, run.layout)
    assert svg.count('class="person"') == len(run.model.org.people)
    states = re.findall(r'data-state="([a-z]+)"', svg)
    assert set(states) <= {s.key for s in STATES}
    assert "working" in states


def test_state_colours_are_okabe_ito_and_in_the_legend():
    colours = {s.colour.upper() for s in STATES}
    assert colours <= OKABE_ITO | {"#D9D9D9", "#FFFFFF"}
    legend = legend_html()
    for state in STATES:
        assert state.label in legend
    assert "in-tray" in legend and "escalation" in legend
    assert set(POLICY_COLOURS.values()) <= OKABE_ITO


# The states a room asks about, each with a sign of its own besides its colour.
MARKED = ("blocked", "waiting", "deliberating", "orienting", "away", "departed")


def test_each_state_has_a_marker_of_its_own_and_the_legend_lists_it():
    looks = [(s.colour.upper(), s.mark, s.outline) for s in STATES]
    assert len(set(looks)) == len(STATES)  # no two states drawn alike
    marks = [STATE_BY_KEY[key].mark for key in MARKED]
    assert "" not in marks and len(set(marks)) == len(MARKED)  # told apart without colour
    glyphs = {_glyph(0, 0, s.key, manager=False) for s in STATES}
    assert len(glyphs) == len(STATES)
    legend = legend_html()
    for key in MARKED:
        entry = re.search(rf'data-state="{key}".*?</span></span>', legend).group(0)
        assert f'data-mark="{STATE_BY_KEY[key].mark}"' in entry
        assert STATE_BY_KEY[key].label in entry
    assert "manager (square)" in legend


def test_activities_map_to_the_states_the_room_asks_about():
    assert state_of("deliberate").key == "deliberating"
    assert state_of("orientation").key == "orienting"
    assert state_of("blocked").key == "blocked"
    assert state_of("waiting").key == "waiting"
    assert state_of("working", away=True).key == "away"  # the item put aside is not shown
    assert state_of("working", departed=True, away=True).key == "departed"


@pytest.mark.parametrize(
    ("policy", "overrides", "expected"),
    [
        ("self_managed", [], {"deliberating", "blocked", "waiting"}),
        ("cooperative", [], {"orienting"}),
        ("hierarchical", ["organisation.manager_availability=0.5"], {"away"}),
        ("hierarchical", ["organisation.project_share=0.6"], {"away"}),
    ],
)
def test_a_real_run_shows_the_marked_states(policy, overrides, expected):
    run = SimulationRun(load_scenario("workshop", overrides), policy, 3)
    seen = set()
    while run.advance(1.0) and not expected <= seen:
        svg = org_svg(run.frame(), run.layout)
        seen |= set(re.findall(r'data-state="([a-z]+)"', svg))
    assert expected <= seen


def test_unknown_activities_still_draw():
    assert state_of("some new kind").key == "communicating"
    assert state_of("working", departed=True).key == "departed"


def test_manager_queues_and_recent_contacts_are_shown():
    run = played(12)
    frame = run.frame()
    svg = org_svg(frame, run.layout)
    queued = [p for p in frame.people if p.manager and p.queue > 0]
    assert svg.count('class="queue"') == len(queued)
    assert frame.contacts, "a hierarchical workshop sends messages in its first hours"
    assert 'class="lit"' in svg


def test_progress_chart_marks_the_plan_and_every_intervention():
    run = played(20)
    run.change_mechanism("communication", "direct")
    run.surge_problems()  # at the same moment: one mark, two numbers
    run.advance(10)
    run.calm_problems()
    frame = run.frame()
    option = progress_option(frame)
    series = option["series"][0]
    assert series["data"][-1] == [round(frame.day, 3), frame.now["tasks_done"]]
    marks = [m for m in series["markLine"]["data"] if m.get("intervention")]
    assert [m["label"]["formatter"] for m in marks] == ["①②", "③"]
    assert [m["xAxis"] for m in marks] == [2.5, 3.75]
    assert any(m["label"]["formatter"] == "plan" for m in series["markLine"]["data"])
    for make in (problems_option, messages_option):
        assert chart_facts(make(frame))["data-marks"] == "3"


def test_mark_labels_sit_upright_in_a_row_of_their_own_only_once_there_are_marks():
    run = played(20)
    before = {make.__name__: make(run.frame()) for make in (problems_option, messages_option)}
    run.surge_problems()
    after = {make.__name__: make(run.frame()) for make in (problems_option, messages_option)}
    for name, option in after.items():
        # ECharts keeps a vertical mark's label upright only at its ends ("start", "end").
        labels = [m["label"] for m in option["series"][0]["markLine"]["data"]]
        assert [label["position"] for label in labels] == ["end"], name
        assert labels[0]["fontSize"] >= 16
        assert "markLine" not in before[name]["series"][0], name
        # The label row: the plot starts a line (font size + 6 px) lower than without marks.
        assert option["grid"]["top"] == before[name]["grid"]["top"] + 16 + 6, name


def test_overlay_has_one_line_per_policy_in_its_colour():
    lockstep = Lockstep(load_scenario("workshop"), ["hierarchical", "cooperative"], 3)
    lockstep.advance(16)
    option = overlay_option(lockstep.frames())
    assert [s["name"] for s in option["series"]] == ["hierarchical", "cooperative"]
    assert option["series"][0]["lineStyle"]["color"] == POLICY_COLOURS["hierarchical"]


def test_mark_numbers_go_on_past_twenty():
    assert mark_number(0) == "①" and mark_number(19) == "⑳" and mark_number(20) == "(21)"
