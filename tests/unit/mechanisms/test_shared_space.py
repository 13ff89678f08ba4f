"""Shared space: the finisher posts a task's output once (`post_hours`), and each
successor's holder reads it from the space (`read_hours`); nothing is relayed, whatever the
`communication` value."""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, scenario, served, spans, task, tasks

POST = 0.25  # the finisher posting the output
READ = 0.125  # a holder reading it from the space
MESSAGE = 0.5  # reading a message sent otherwise (never used with the space)

SPACE = {"base": "cooperative", "shared_space": True, "communication": "direct"}

HANDOFF = [task("t1", "a", 8), task("t2", "b", 4, after=("t1",))]
TWO_DEPARTMENTS = [department("a"), department("b")]


def _run(departments, plan, policy=SPACE):
    timing = {"post_hours": POST, "read_hours": READ, "message_hours": MESSAGE}
    return play(scenario(departments, plan, policy=policy, timing=timing))


def test_the_finisher_posts_once_and_the_successor_reads_from_the_space():
    model = _run(TWO_DEPARTMENTS, HANDOFF)
    assert spans(served(model)) == [("a 1", 8, 8 + POST), ("b 1", 8 + POST, 8 + POST + READ)]
    (message,) = model.message_records
    # In the space an output is sent when it is posted.
    assert (message.sent_at, message.read_at, message.hops, message.channel) == (
        8 + POST,
        8 + POST + READ,
        1,
        "space",
    )
    t2 = tasks(model)["t2"]
    assert t2.started_at == 8 + POST + READ
    assert t2.information_wait_hours == POST + READ
    # The last task has no successor: nothing is posted and the project ends with its work.
    assert model.kpis()["lead_time_days"] * 8 == 8 + POST + READ + 4


def test_one_post_serves_every_successor():
    plan = [*HANDOFF, task("t3", "b", 4, after=("t1",)), task("t4", "c", 4, after=("t1",))]
    model = _run([department("a"), department("b", 2), department("c")], plan)
    assert spans(served(model, "post")) == [("a 1", 8, 8 + POST)]
    assert spans(served(model, "read")) == [
        ("b 1", 8 + POST, 8 + POST + READ),
        ("b 2", 8 + POST, 8 + POST + READ),
        ("c 1", 8 + POST, 8 + POST + READ),
    ]
    assert model.kpis()["messages"] == 3


@pytest.mark.parametrize("communication", ["chain", "direct"])
def test_the_shared_space_replaces_the_chain_and_direct_messages(communication):
    model = _run(TWO_DEPARTMENTS, HANDOFF, {**SPACE, "communication": communication})
    assert served(model, "relay") == []
    assert [m.channel for m in model.message_records] == ["space"]
    assert tasks(model)["t2"].started_at == 8 + POST + READ


def test_posting_takes_the_finishers_time_before_their_next_task():
    # a 1 has t1a waiting; they post t1's output first.
    plan = [*HANDOFF, task("t1a", "a", 2)]
    done = tasks(_run(TWO_DEPARTMENTS, plan))
    assert done["t1a"].assigned_at == 8 + POST
    assert done["t1a"].finished_at == 8 + POST + 2


def test_an_output_posted_before_its_successor_has_a_holder_is_read_when_someone_takes_it():
    plan = [*HANDOFF, task("t0", "b", 12)]  # b 1 is busy until 12
    model = _run(TWO_DEPARTMENTS, plan)
    assert spans(served(model, "read")) == [("b 1", 12, 12 + READ)]
    t2 = tasks(model)["t2"]
    assert (t2.assigned_at, t2.started_at) == (12, 12 + READ)
