"""Allocation: how a ready task reaches an idle collaborator of its department.

`pull`: the longest-idle collaborator takes a ready task at once; a collaborator who frees
up takes a ready task. `manager`: the team's lead spends `assignment_hours` on each ready
task, then gives it to the longest-idle member of that team, or plans it for the next
member to free up. Under both, waiting tasks are taken in plan priority: the longest
remaining effort path to the end of the project first, ties in plan order.
"""

from __future__ import annotations

import pytest

from tests.unit.mechanisms.story import department, play, scenario, served, spans, task, tasks

ASSIGN = 0.25  # hours a manager spends assigning one task
MESSAGE = 0.5  # hours a holder spends reading a predecessor's output

# Outputs go straight to the successor's holder (no shared space, no relays).
PULL = {"base": "cooperative", "allocation": "pull", "shared_space": False}
MANAGER = {**PULL, "allocation": "manager"}


def _run(departments, plan, policy):
    timing = {"assignment_hours": ASSIGN, "message_hours": MESSAGE}
    return play(scenario(departments, plan, policy=policy, timing=timing))


def test_under_pull_idle_collaborators_take_ready_tasks_at_once():
    model = _run([department("a", 2)], [task("t1", "a", 8), task("t2", "a", 2)], PULL)
    done = tasks(model)
    assert (done["t1"].holder, done["t1"].assigned_at, done["t1"].finished_at) == ("a 1", 0, 8)
    assert (done["t2"].holder, done["t2"].assigned_at, done["t2"].finished_at) == ("a 2", 0, 2)
    assert served(model, "assign") == []
    assert done["t1"].queue_hours == done["t2"].queue_hours == 0


def test_a_collaborator_who_frees_up_takes_the_task_on_the_longest_path_not_the_oldest():
    # One person. t1 (2 h) opens t3 (4 h): its path is 6 hours long, so it goes first. When
    # t1 is done at 2, t3 is released; it goes before t2, which has waited since 0.
    plan = [task("t1", "a", 2), task("t2", "a", 1), task("t3", "a", 4, after=("t1",))]
    done = tasks(_run([department("a", 1)], plan, PULL))
    assert [done[k].assigned_at for k in ("t1", "t3", "t2")] == [0, 2, 2 + MESSAGE + 4]
    assert done["t3"].ready_at == 2
    # t3's holder reads t1's output first.
    assert done["t3"].started_at == 2 + MESSAGE
    assert done["t3"].finished_at == 2 + MESSAGE + 4
    assert done["t2"].finished_at == 2 + MESSAGE + 4 + 1
    # Waiting for someone to take it is queue time.
    assert done["t2"].queue_hours == 2 + MESSAGE + 4 and done["t3"].queue_hours == 0


@pytest.mark.parametrize(("policy", "first"), [(PULL, 0), (MANAGER, ASSIGN)])
def test_tasks_waiting_for_the_same_person_are_taken_in_plan_priority(policy, first):
    # One person, four tasks ready at 0: t1 (8 h), then t3 (4 h), then t2 and t4 (2 h
    # each: a tie, kept in plan order), whichever allocation hands them out.
    plan = [task("t1", "a", 8), task("t2", "a", 2), task("t3", "a", 4), task("t4", "a", 2)]
    done = tasks(_run([department("a", 1)], plan, policy))
    order = sorted(done, key=lambda key: done[key].assigned_at)
    assert order == ["t1", "t3", "t2", "t4"]
    assert [done[k].assigned_at for k in order] == [first, first + 8, first + 12, first + 14]
    assert all(done[k].queue_hours == done[k].assigned_at for k in order)


def test_under_manager_the_first_task_handed_out_is_the_one_on_the_longest_path():
    # One person; t2 (8 h) is on the longer path, t1 (2 h) first in plan order. Under pull
    # t2 is taken first; the manager should hand it out first too.
    plan = [task("t1", "a", 2), task("t2", "a", 8)]
    pulled = tasks(_run([department("a", 1)], plan, PULL))
    assert (pulled["t2"].assigned_at, pulled["t1"].assigned_at) == (0, 8)
    done = tasks(_run([department("a", 1)], plan, MANAGER))
    assert (done["t2"].assigned_at, done["t1"].assigned_at) == (ASSIGN, ASSIGN + 8)


@pytest.mark.parametrize("policy", [PULL, MANAGER])
def test_the_longest_idle_collaborator_gets_the_next_task(policy):
    # When t1 ends and t3 is released, a 3 has been idle since the start and a 2 since t2
    # ended: t3 goes to a 3.
    plan = [task("t1", "a", 2), task("t2", "a", 1), task("t3", "a", 1, after=("t1",))]
    done = tasks(_run([department("a", 3)], plan, policy))
    assert done["t2"].finished_at < done["t1"].finished_at
    assert (done["t1"].holder, done["t2"].holder, done["t3"].holder) == ("a 1", "a 2", "a 3")


def test_the_manager_assigns_ready_tasks_one_after_another():
    plan = [task("t1", "a", 8), task("t2", "a", 4), task("t3", "a", 2)]
    model = _run([department("a", 3)], plan, MANAGER)
    assert spans(served(model, "assign")) == [
        ("a manager", 0, ASSIGN),
        ("a manager", ASSIGN, 2 * ASSIGN),
        ("a manager", 2 * ASSIGN, 3 * ASSIGN),
    ]
    done = tasks(model)
    for n, (key, effort) in enumerate([("t1", 8), ("t2", 4), ("t3", 2)], start=1):
        assert done[key].assigned_at == done[key].started_at == n * ASSIGN
        assert done[key].finished_at == n * ASSIGN + effort
        assert done[key].queue_hours == n * ASSIGN  # waiting for the manager is queue time


def test_a_task_planned_while_everyone_is_busy_goes_to_the_first_to_free_up_unassigned_again():
    model = _run([department("a", 1)], [task("t1", "a", 8), task("t2", "a", 2)], MANAGER)
    done = tasks(model)
    # Both assignments are made at once, one after the other; t2 then waits for a 1.
    assert spans(served(model, "assign")) == [("a manager", 0, ASSIGN), ("a manager", ASSIGN, 0.5)]
    assert done["t1"].finished_at == ASSIGN + 8
    assert done["t2"].assigned_at == done["t1"].finished_at
    assert done["t2"].finished_at == ASSIGN + 8 + 2


def test_a_managers_task_waits_for_its_own_team_while_the_other_team_is_idle():
    # Two teams of one; tasks go to teams in turn: t1 and t3 to team 1, t2 to team 2.
    plan = [task("t1", "a", 8), task("t2", "a", 1), task("t3", "a", 4, after=("t2",))]
    teams = [department("a", 2, teams=2)]
    model = _run(teams, plan, MANAGER)
    done = tasks(model)
    # Each team's lead assigns its own tasks; t3 as soon as t2 is done.
    t2_done = ASSIGN + 1
    assert spans(served(model, "assign")) == [
        ("a lead 1", 0, ASSIGN),
        ("a lead 1", t2_done, t2_done + ASSIGN),
        ("a lead 2", 0, ASSIGN),
    ]
    assert done["t2"].finished_at == t2_done
    # a 2 is idle when t3 is assigned, but t3 waits for a 1, who finishes t1 at 8.25.
    assert (done["t3"].holder, done["t3"].assigned_at) == ("a 1", ASSIGN + 8)
    assert done["t3"].started_at == ASSIGN + 8 + MESSAGE
    # Under pull teams play no part: a 2 takes t3 as soon as t2 is done.
    pulled = tasks(_run(teams, plan, PULL))
    assert (pulled["t3"].holder, pulled["t3"].assigned_at) == ("a 2", 1)


def test_a_department_that_keeps_the_hierarchy_has_its_tasks_assigned_by_its_manager():
    departments = [department("a", 1), department("legal", 1, policy="hierarchical")]
    plan = [task("t1", "a", 4), task("t2", "legal", 4)]
    model = _run(departments, plan, PULL)
    assert spans(served(model, "assign")) == [("legal manager", 0, ASSIGN)]
    done = tasks(model)
    assert done["t1"].assigned_at == 0
    assert done["t2"].assigned_at == ASSIGN
