"""What the dashboard says: plain names for policies, mechanisms and values, the run's status,
and a lead time shown only once it is known."""

from __future__ import annotations

import re

import pytest

from dashboards.components.controls import status_text
from dashboards.pages.compare import kpi_table_html
from dashboards.simulation import Lockstep
from experiments import display
from simulator.loading import load_scenario
from simulator.policies import MECHANISMS, PRESETS, mechanism_values

IDENTIFIER = re.compile(r"\b[a-z]+_[a-z_]+\b")  # self_managed, decision_wait_hours...


def test_every_mechanism_value_and_preset_has_a_plain_name():
    for mechanism in MECHANISMS:
        assert mechanism in display.MECHANISM_TEXT
        assert not IDENTIFIER.search(display.mechanism_name(mechanism))
        for value in mechanism_values(mechanism):
            assert (mechanism, value) in display.VALUE_TEXT
            assert not IDENTIFIER.search(display.value_name(mechanism, value))
    for preset in PRESETS:
        assert not IDENTIFIER.search(display.policy_name(preset))
    assert display.policy_name("self_managed") == "self-managed"
    assert display.policy_name("our_own") == "our own"  # a scenario's policy, spaced


@pytest.mark.parametrize("mechanism", MECHANISMS)
def test_a_mechanism_switch_reads_in_plain_words(mechanism):
    before, after = mechanism_values(mechanism)[:2]
    logged = f"{mechanism} changed from {before} to {after}"
    said = display.plain_event(logged)
    assert said == (
        f"{display.mechanism_name(mechanism)}: {display.value_name(mechanism, before)} → "
        f"{display.value_name(mechanism, after)}"
    )
    assert not IDENTIFIER.search(said)


def test_other_feed_lines_are_left_as_they_are():
    line = "problem rate changed from 0.04 to 0.12 per hour"
    assert display.plain_event(line) == line


def test_the_status_says_paused_when_paused():
    assert status_text(running=True, finished=False, day=0.0) == "ready"
    assert status_text(running=True, finished=False, day=2.5, playing=True) == "running"
    assert status_text(running=True, finished=False, day=2.5, playing=False) == "paused"
    assert status_text(running=False, finished=True, day=19.25) == "finished on day 19.2"
    assert status_text(running=False, finished=False, day=90.0) == "stopped at the horizon"


def lead_time_cells(html: str) -> list[str]:
    row = re.search(r"<tr><td>lead time \(days\)</td>(.*?)</tr>", html).group(1)
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def test_compare_shows_the_lead_time_only_when_a_run_has_finished():
    lockstep = Lockstep(load_scenario("workshop"), ["hierarchical", "cooperative"], 3)
    html = kpi_table_html(lockstep.frames())
    assert lead_time_cells(html) == ["–", "–"]  # not 0.0 before the start
    lockstep.advance(40.0)
    assert lead_time_cells(kpi_table_html(lockstep.frames())) == ["–", "–"]  # not the time so far
    while lockstep.running:
        lockstep.advance(8.0)
    frames = lockstep.frames()
    html = kpi_table_html(frames)
    days = [f"{f.kpis['lead_time_days']:.1f}" for f in frames]
    assert lead_time_cells(html) == days
    assert [f"{f.day:.1f}" for f in frames] == days  # the clock stopped at each finish
    best = min(frames, key=lambda f: f.kpis["lead_time_days"])
    assert f'<td class="best">{best.kpis["lead_time_days"]:.1f}</td>' in html
    assert "self_managed" not in html and "decision_wait_hours" not in html


def test_the_feed_merges_repeated_lines_but_never_the_room_s_changes():
    from dashboards.components.views import feed_groups

    entries = [  # newest first, as the feed shows them
        ("day 3.0", "", "managers' meeting (4 managers)", False),
        ("day 2.0", "", "managers' meeting (4 managers)", False),
        ("day 1.9", "②", "problem rate changed from 0.04 to 0.12 per hour", True),
        ("day 1.9", "①", "problem rate changed from 0.04 to 0.12 per hour", True),
        ("day 1.0", "", "managers' meeting (4 managers)", False),
    ]
    assert feed_groups(entries) == [
        ("day 3.0", "", "managers' meeting (4 managers)", False, 2),
        ("day 1.9", "②", "problem rate changed from 0.04 to 0.12 per hour", True, 1),
        ("day 1.9", "①", "problem rate changed from 0.04 to 0.12 per hour", True, 1),
        ("day 1.0", "", "managers' meeting (4 managers)", False, 1),
    ]
