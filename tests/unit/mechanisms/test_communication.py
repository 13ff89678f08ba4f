"""Communication: how a finished task's output reaches the holder of each successor.

`direct`: the holder reads it (`message_hours`) at once. `chain`: it follows the org
graph's shortest path with the fewest managers, everyone strictly in between relaying it
(`relay_hours`, first in first out), then the holder reads it. Hops are counted in the
`messages` KPI and the message records.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, scenario, served, spans, task, tasks

MESSAGE = 0.25  # the holder reading an output
RELAY = 0.5  # each person in between passing it on

DIRECT = {"base": "cooperative", "shared_space": False, "communication": "direct"}
CHAIN = {**DIRECT, "communication": "chain"}

HANDOFF = [task("t1", "a", 8), task("t2", "b", 4, after=("t1",))]
TWO_DEPARTMENTS = [department("a"), department("b")]


def _run(departments, plan, policy, **keys):
    timing = {"message_hours": MESSAGE, "relay_hours": RELAY, **keys.pop("timing", {})}
    return play(scenario(departments, plan, policy=policy, timing=timing, **keys))


def test_direct_the_successor_reads_the_output_as_soon_as_it_is_done():
    model = _run(TWO_DEPARTMENTS, HANDOFF, DIRECT)
    assert spans(served(model)) == [("b 1", 8, 8 + MESSAGE)]
    (message,) = model.message_records
    assert (message.sent_at, message.read_at, message.hops, message.channel) == (
        8,
        8 + MESSAGE,
        1,
        "direct",
    )
    t2 = tasks(model)["t2"]
    assert t2.started_at == 8 + MESSAGE
    assert t2.information_wait_hours == MESSAGE
    assert model.kpis()["messages"] == 1


def test_chain_between_departments_goes_through_both_department_managers():
    model = _run(TWO_DEPARTMENTS, HANDOFF, CHAIN)
    assert spans(served(model)) == [
        ("a manager", 8, 8 + RELAY),
        ("b 1", 8 + 2 * RELAY, 8 + 2 * RELAY + MESSAGE),
        ("b manager", 8 + RELAY, 8 + 2 * RELAY),
    ]
    (message,) = model.message_records
    assert (message.read_at, message.hops, message.channel) == (8 + 2 * RELAY + MESSAGE, 3, "chain")
    assert model.kpis()["messages"] == 3  # every hop counts
    t2 = tasks(model)["t2"]
    assert t2.started_at == 8 + 2 * RELAY + MESSAGE
    # From assignment (at 8, under pull) to the last input read: information wait.
    assert t2.information_wait_hours == 2 * RELAY + MESSAGE


def test_chain_inside_a_team_goes_straight_to_the_colleague():
    plan = [task("t1", "a", 8), task("t2", "a", 4, after=("t1",))]
    model = _run([department("a", 2)], plan, CHAIN)
    assert served(model, "relay") == []
    (message,) = model.message_records
    assert (message.read_at, message.hops) == (8 + MESSAGE, 1)


def test_chain_with_teams_climbs_through_the_team_leads():
    # a 1 (team 1) to b 1: a lead 1, a manager and b manager relay, one after the other.
    model = _run([department("a", 2, teams=2), department("b")], HANDOFF, CHAIN)
    assert [(i.person, i.started_at) for i in served(model, "relay")] == [
        ("a lead 1", 8),
        ("a manager", 8 + RELAY),
        ("b manager", 8 + 2 * RELAY),
    ]
    (message,) = model.message_records
    assert (message.read_at, message.hops) == (8 + 3 * RELAY + MESSAGE, 4)


def test_chain_between_teams_of_one_department_goes_up_and_down_again():
    # Team leads of a department are not linked: a 1 → lead 1 → manager → lead 2 → a 2.
    plan = [task("t1", "a", 8), task("t2", "a", 4, after=("t1",))]
    policy = {**CHAIN, "allocation": "manager"}
    model = _run([department("a", 2, teams=2)], plan, policy, timing={"assignment_hours": 0})
    assert [i.person for i in served(model, "relay")] == ["a lead 1", "a manager", "a lead 2"]
    assert tasks(model)["t2"].holder == "a 2"
    (message,) = model.message_records
    assert (message.read_at, message.hops) == (8 + 3 * RELAY + MESSAGE, 4)


def test_the_director_relays_nothing_department_managers_talk_to_each_other():
    model = _run(TWO_DEPARTMENTS, HANDOFF, CHAIN, organisation={"director": True})
    assert "director" not in {i.person for i in served(model)}
    model = _run(TWO_DEPARTMENTS, HANDOFF, CHAIN, organisation={"director": False})
    assert model.message_records[0].hops == 3


def test_a_lateral_link_is_a_shortcut_past_the_managers():
    # With one person per department, the one lateral link joins a 1 and b 1.
    model = _run(TWO_DEPARTMENTS, HANDOFF, CHAIN, organisation={"lateral_links": 1})
    assert served(model, "relay") == []
    (message,) = model.message_records
    assert (message.read_at, message.hops) == (8 + MESSAGE, 1)


def test_each_successor_gets_its_own_message_relayed_first_in_first_out():
    plan = [*HANDOFF, task("t3", "b", 4, after=("t1",))]
    model = _run([department("a"), department("b", 2)], plan, CHAIN)
    assert spans(served(model, "relay")) == [
        ("a manager", 8, 8 + RELAY),
        ("a manager", 8 + RELAY, 8 + 2 * RELAY),
        ("b manager", 8 + RELAY, 8 + 2 * RELAY),
        ("b manager", 8 + 2 * RELAY, 8 + 3 * RELAY),
    ]
    done = tasks(model)
    assert done["t2"].started_at == 8 + 2 * RELAY + MESSAGE
    assert done["t3"].started_at == 8 + 3 * RELAY + MESSAGE
    assert model.kpis()["messages"] == 6


def test_a_relay_waits_for_the_item_the_manager_has_in_hand():
    # Hierarchy: b manager is assigning t2 (8 → 9) when the relay reaches them at 8.5.
    assign = 1.0
    policy = {**CHAIN, "allocation": "manager"}
    model = _run(TWO_DEPARTMENTS, HANDOFF, policy, timing={"assignment_hours": assign})
    finished = assign + 8  # t1 is assigned first, then worked
    assert spans(served(model, person="b manager")) == [
        ("b manager", finished, finished + assign),
        ("b manager", finished + assign, finished + assign + RELAY),
    ]
    assert tasks(model)["t2"].started_at == finished + assign + RELAY + MESSAGE


@pytest.mark.parametrize(("policy", "on_the_way"), [(DIRECT, 0), (CHAIN, 2 * RELAY)])
def test_an_output_for_a_task_nobody_holds_yet_waits_for_whoever_takes_it(policy, on_the_way):
    # b 1 is busy on t0 until 12; t2 is released at 8 and its input waits on it.
    plan = [*HANDOFF, task("t0", "b", 12)]
    model = _run(TWO_DEPARTMENTS, plan, policy)
    t2 = tasks(model)["t2"]
    assert (t2.ready_at, t2.assigned_at) == (8, 12)
    assert spans(served(model, "relay")) == (
        [("a manager", 8, 8 + RELAY), ("b manager", 8 + RELAY, 8 + 2 * RELAY)] if on_the_way else []
    )
    assert spans(served(model, "read")) == [("b 1", 12, 12 + MESSAGE)]
    assert t2.started_at == 12 + MESSAGE
    # While the output is on its way the task waits for information; once it has arrived,
    # for a person (queue); once it has a holder, reading it is information wait again.
    assert t2.information_wait_hours == on_the_way + MESSAGE
    assert t2.queue_hours == 12 - 8 - on_the_way


def test_information_wait_starts_when_the_predecessors_are_done_not_at_assignment():
    # Hierarchy: t1 is done at 9; b manager assigns t2 (9 to 10) while t1's output is still
    # on its way (a manager relays it from 9 to 9.5, b manager from 10 to 10.5). All that
    # time the task waits for its input, not for a person.
    assign = 1.0
    policy = {**CHAIN, "allocation": "manager"}
    model = _run(TWO_DEPARTMENTS, HANDOFF, policy, timing={"assignment_hours": assign})
    done = assign + 8
    t2 = tasks(model)["t2"]
    assert (t2.ready_at, t2.assigned_at) == (done, done + assign)
    assert t2.started_at == done + assign + RELAY + MESSAGE
    assert t2.information_wait_hours == assign + RELAY + MESSAGE
    assert t2.queue_hours == 0
