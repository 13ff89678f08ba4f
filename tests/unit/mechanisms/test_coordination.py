"""Coordination: settling interdependence links, which fall due when their second task starts.

`peer`: both holders spend `coordination_hours` and the later task waits for it (across
departments under `communication: chain`, the request is relayed there first). `meetings`:
the link waits for the managers' meeting, held every `meeting_interval_days`, and is settled
if its later task is still under way when the last manager has attended. `none`: never
settled. A link still unsettled when its later task's work is done is missed, and gives that
task `rework.fraction × effort` more work with probability `rework.missed_coordination`.
"""

from __future__ import annotations

import math

import pytest

from tests.unit.mechanisms.story import (
    department,
    play,
    scenario,
    served,
    spans,
    starting_at,
    task,
    tasks,
)

COORDINATE = 1.0  # each holder's part of a peer coordination
MEETING = 1.0  # each manager's part of a managers' meeting
HOURS_PER_DAY = 8.0
FRACTION = 0.5  # rework from a missed link, as a share of the later task's effort

TWO_DEPARTMENTS = [department("a"), department("b")]
MANAGERS = ("a manager", "b manager", "director")


def _policy(coordination: str, **mechanisms) -> dict:
    return {
        "base": "cooperative",
        "shared_space": False,
        "coordination": coordination,
        **mechanisms,
    }


def _run(plan, coordination, missed=1.0, interval_days=1.0, departments=TWO_DEPARTMENTS, **keys):
    timing = {
        "coordination_hours": COORDINATE,
        "meeting_hours": MEETING,
        "meeting_interval_days": interval_days,
        **keys.pop("timing", {}),
    }
    return play(
        scenario(
            departments,
            plan,
            policy=_policy(coordination, **keys.pop("mechanisms", {})),
            timing=timing,
            rework={"fraction": FRACTION, "missed_coordination": missed},
            time={"hours_per_day": HOURS_PER_DAY, **keys.pop("time", {})},
            **keys,
        )
    )


# --- peer -------------------------------------------------------------------------------


def test_peer_coordination_stops_both_holders_when_the_second_task_starts():
    # b 1 does t0 first (as long as tb: a tie, taken in plan order), so tb starts at 4,
    # while a 1 is four hours into ta.
    plan = [task("ta", "a", 8), task("t0", "b", 4), task("tb", "b", 4, linked=("ta",))]
    model = _run(plan, "peer")
    assert [(i.person, i.task, i.started_at, i.ended_at) for i in served(model, "coordinate")] == [
        ("a 1", "ta", 4, 4 + COORDINATE),
        ("b 1", "tb", 4, 4 + COORDINATE),
    ]
    done = tasks(model)
    assert done["tb"].started_at == 4
    assert done["tb"].finished_at == 4 + COORDINATE + 4  # tb waits for the coordination
    assert done["ta"].finished_at == 8 + COORDINATE  # a 1 was interrupted for it
    assert done["ta"].coordination_hours == done["tb"].coordination_hours == COORDINATE
    assert model.kpis()["coordination_hours"] == 2 * COORDINATE
    assert model.kpis()["rework_hours"] == 0


def test_peer_coordination_with_a_finished_partner_stops_only_the_later_task():
    # ta is done at 2; tb starts at 4 and a 1, now free, coordinates with b 1.
    plan = [task("ta", "a", 2), task("t0", "b", 4), task("tb", "b", 4, linked=("ta",))]
    model = _run(plan, "peer")
    assert [(i.person, i.task, i.started_at) for i in served(model, "coordinate")] == [
        ("a 1", None, 4),
        ("b 1", "tb", 4),
    ]
    done = tasks(model)
    assert done["ta"].finished_at == 2 and done["ta"].coordination_hours == 0
    assert done["tb"].finished_at == 4 + COORDINATE + 4


def test_a_coordination_at_the_moment_the_partners_work_is_done_does_not_hold_its_task():
    # b comes first: b 1's t0 ends at 8 and tb starts, while a 1's ta is done at 8 too.
    plan = [task("t0", "b", 8), task("ta", "a", 8), task("tb", "b", 4, linked=("ta",))]
    model = _run(
        plan, "peer", departments=[department("b"), department("a")], time={"horizon_days": 10}
    )
    done = tasks(model)
    assert model.kpis()["finished"]
    assert done["ta"].finished_at == 8
    assert done["tb"].finished_at == 8 + COORDINATE + 4


def test_hours_spent_coordinating_at_time_zero_count():
    # Both tasks start at 0, so both holders coordinate from 0 to 1.
    plan = [task("ta", "a", 8), task("tb", "b", 4, linked=("ta",))]
    model = _run(plan, "peer")
    assert spans(served(model, "coordinate")) == [("a 1", 0, COORDINATE), ("b 1", 0, COORDINATE)]
    assert model.kpis()["coordination_hours"] == 2 * COORDINATE


def test_under_a_chain_a_coordination_across_departments_is_relayed_first():
    # tb starts at 4: b 1's request goes up to b manager and across to a manager, who
    # relay it (half an hour each), before both holders coordinate; tb waits meanwhile.
    relay = 0.5
    plan = [task("ta", "a", 8), task("t0", "b", 4), task("tb", "b", 4, linked=("ta",))]
    model = _run(plan, "peer", mechanisms={"communication": "chain"}, timing={"relay_hours": relay})
    assert spans(served(model, "relay")) == [
        ("a manager", 4 + relay, 4 + 2 * relay),
        ("b manager", 4, 4 + relay),
    ]
    met = 4 + 2 * relay
    assert spans(served(model, "coordinate")) == [
        ("a 1", met, met + COORDINATE),
        ("b 1", met, met + COORDINATE),
    ]
    done = tasks(model)
    assert done["tb"].coordination_hours == 2 * relay + COORDINATE
    assert done["tb"].finished_at == met + COORDINATE + 4
    assert done["ta"].coordination_hours == COORDINATE
    assert done["ta"].finished_at == 8 + COORDINATE
    # Inside a team the request goes straight to the colleague.
    same_team = [task("ta", "a", 8), task("t0", "a", 4), task("tb", "a", 4, linked=("ta",))]
    model = _run(
        same_team,
        "peer",
        departments=[department("a", 2)],
        mechanisms={"communication": "chain"},
        timing={"relay_hours": relay},
    )
    assert served(model, "relay") == []
    assert spans(served(model, "coordinate")) == [
        ("a 1", 4, 4 + COORDINATE),
        ("a 2", 4, 4 + COORDINATE),
    ]


# --- none, and missed links -------------------------------------------------------------------


def test_without_coordination_a_missed_link_gives_the_later_task_rework():
    # tb starts after ta (b 1 does t0 first): tb is the later task and gets the rework.
    plan = [task("ta", "a", 8), task("t0", "b", 4), task("tb", "b", 4, linked=("ta",))]
    model = _run(plan, "none", missed=1.0)
    done = tasks(model)
    assert served(model, "coordinate") == []
    assert done["tb"].finished_at == 4 + 4 + FRACTION * 4
    assert done["tb"].rework_hours == FRACTION * 4
    assert done["ta"].finished_at == 8 and done["ta"].rework_hours == 0
    assert model.kpis()["rework_hours"] == FRACTION * 4
    assert any("tb needs rework" in text and "ta" in text for _, _, text in model.feed)


def test_a_missed_link_gives_no_rework_when_missed_coordination_is_zero():
    plan = [task("ta", "a", 8), task("t0", "b", 4), task("tb", "b", 4, linked=("ta",))]
    done = tasks(_run(plan, "none", missed=0.0))
    assert done["tb"].finished_at == 4 + 4
    assert done["tb"].rework_hours == 0


def test_about_the_stated_share_of_missed_links_give_rework():
    # 200 linked pairs, never coordinated: each link is missed once and gives rework with
    # probability 1/2, drawn per link. The count is binomial; allow 4 standard errors.
    pairs, share = 200, 0.5
    plan = [task(f"a{i}", "a", 1) for i in range(pairs)]
    plan += [task(f"b{i}", "b", 1, linked=(f"a{i}",)) for i in range(pairs)]
    done = tasks(_run(plan, "none", missed=share)).values()
    reworked = [t for t in done if t.rework_hours > 0]
    assert all(t.rework_hours == FRACTION * t.effort_hours for t in reworked)
    expected, se = pairs * share, math.sqrt(pairs * share * (1 - share))
    assert abs(len(reworked) - expected) <= 4 * se
    assert 0 < len(reworked) < pairs


# --- meetings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("effort", "reworked"),
    [
        (4.0, True),  # tb is done at 4, before the meeting at 8: too late
        (8.5, True),  # tb is done at 8.5, while the managers meet (8 to 9): still too late
        (12.0, False),  # tb is still under way when the meeting ends at 9: settled
    ],
)
def test_a_link_is_settled_at_the_managers_meeting_only_if_its_later_task_is_under_way(
    effort, reworked
):
    plan = [task("ta", "a", 16), task("tb", "b", effort, linked=("ta",))]
    model = _run(plan, "meetings")
    assert spans(starting_at(served(model, "meeting"), HOURS_PER_DAY)) == [
        (name, HOURS_PER_DAY, HOURS_PER_DAY + MEETING) for name in MANAGERS
    ]
    tb = tasks(model)["tb"]
    # Work goes on meanwhile: nobody waits for the meeting.
    assert tb.coordination_hours == 0
    assert tb.rework_hours == (FRACTION * effort if reworked else 0)
    assert tb.finished_at == effort * (1 + FRACTION if reworked else 1)


def test_every_manager_meets_every_interval_for_the_meeting_hours():
    # Days of 6 hours, a meeting every 2 days: at 12 and 24, during a 30-hour project.
    interval_days, hours_per_day = 2.0, 6.0
    model = play(
        scenario(
            TWO_DEPARTMENTS,
            [task("ta", "a", 30)],
            policy=_policy("meetings"),
            timing={"meeting_interval_days": interval_days, "meeting_hours": MEETING},
            time={"hours_per_day": hours_per_day},
        )
    )
    at = [interval_days * hours_per_day * n for n in (1, 2)]
    assert spans(served(model, "meeting")) == sorted(
        (name, start, start + MEETING) for name in MANAGERS for start in at
    )
    assert model.kpis()["coordination_hours"] == len(MANAGERS) * len(at) * MEETING


@pytest.mark.parametrize("coordination", ["peer", "none"])
def test_managers_meet_only_when_links_are_coordinated_in_meetings(coordination):
    model = _run([task("ta", "a", 30)], coordination)
    assert served(model, "meeting") == []


def test_a_manager_finishes_the_item_in_hand_then_meets_before_the_items_waiting():
    # Hierarchy: t1 is done at 7.625; a manager relays its output to t2's and t3's holders,
    # one after the other. The meeting at 8 arrives during the first relay; it is served
    # next, before the second relay that has waited since 7.625.
    assign, relay = 0.25, 0.5
    plan = [
        task("t1", "a", 7.375),
        task("t2", "b", 4, after=("t1",)),
        task("t3", "b", 4, after=("t1",)),
    ]
    model = _run(
        plan,
        "meetings",
        departments=[department("a"), department("b", 2)],
        mechanisms={"allocation": "manager", "communication": "chain"},
        timing={"assignment_hours": assign, "relay_hours": relay},
    )
    done = assign + 7.375
    assert spans(served(model, person="a manager")) == [
        ("a manager", 0, assign),
        ("a manager", done, done + relay),
        ("a manager", done + relay, done + relay + MEETING),
        ("a manager", done + relay + MEETING, done + 2 * relay + MEETING),
    ]
    assert [i.kind for i in served(model, person="a manager")] == [
        "assign",
        "relay",
        "meeting",
        "relay",
    ]
    # The director had nothing in hand: the meeting starts on time.
    assert spans(served(model, person="director")) == [
        ("director", HOURS_PER_DAY, HOURS_PER_DAY + MEETING)
    ]
