"""Allocation: how a ready task reaches an idle collaborator of its department.

`manager`: the nearest manager spends `assignment_hours`, then hands the task to the team's
longest-idle collaborator; if nobody is idle the task is planned for the next one to free
up (no second decision needed). `pull`: an idle collaborator takes the oldest ready task
of their department at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.domain import ASSIGNING, QUEUE, Item, Task

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from simulator.model import OrgModel


def release(model: OrgModel, task: Task) -> None:
    """All predecessors are done: the task is ready and goes to allocation."""
    task.ready_at = model.time
    task.enter(QUEUE, model.time)
    model.active_tasks[task] = None
    ALLOCATION[model.department_policy(task.department).allocation].on_ready(model, task)


def collaborator_free(model: OrgModel, collaborator: Collaborator) -> None:
    """A collaborator holds no task and has nothing in the in-tray."""
    ALLOCATION[model.department_policy(collaborator.department).allocation].on_free(
        model, collaborator
    )


def assign(model: OrgModel, task: Task, collaborator: Collaborator) -> None:
    """Make `collaborator` the holder of `task`; inputs already there are delivered."""
    model.idle[collaborator.department].pop(collaborator, None)
    task.holder = collaborator
    task.assigned_at = model.time
    collaborator.take(task, collaborator.problem_rate_for(task, model.problem_rate))
    model.communication.deliver_parked(task)
    if task.inputs_complete:
        model.start_task(task)
    collaborator.on_state_change()
    collaborator.serve()


class Pull:
    """Idle collaborators take the oldest ready task of their department."""

    @staticmethod
    def on_ready(model: OrgModel, task: Task) -> None:
        idle = model.idle[task.department]
        if idle:
            assign(model, task, next(iter(idle)))
        else:
            model.ready[task.department].append(task)

    @staticmethod
    def on_free(model: OrgModel, collaborator: Collaborator) -> None:
        queue = model.ready[collaborator.department]
        if queue:
            assign(model, queue.popleft(), collaborator)
        else:
            model.idle[collaborator.department][collaborator] = None


class ManagerAssigns:
    """The nearest manager assigns each ready task."""

    @staticmethod
    def on_ready(model: OrgModel, task: Task) -> None:
        lead = model.org.teams[task.department][task.team].lead
        item = Item(
            "assign",
            model.sample(model.config.timing.assignment_hours),
            ASSIGNING,
            on_done=ManagerAssigns.assigned,
            payload=(model, task),
        )
        lead.receive(item)

    @staticmethod
    def assigned(item: Item, _manager) -> None:
        model, task = item.payload
        if model.department_policy(task.department).allocation != "manager":
            ALLOCATION[model.department_policy(task.department).allocation].on_ready(model, task)
            return  # allocation changed while the item waited: the task follows the new way
        team = model.org.teams[task.department][task.team]
        idle = model.idle[task.department]
        for collaborator in idle:
            if collaborator.team == task.team:
                assign(model, task, collaborator)
                return
        model.planned[(task.department, team.index)].append(task)

    @staticmethod
    def on_free(model: OrgModel, collaborator: Collaborator) -> None:
        queue = model.planned[(collaborator.department, collaborator.team)]
        if queue:
            assign(model, queue.popleft(), collaborator)
        else:
            model.idle[collaborator.department][collaborator] = None


ALLOCATION = {"manager": ManagerAssigns, "pull": Pull}


def reallocate(model: OrgModel) -> None:
    """After a change of allocation mid-run: tasks waiting in one mechanism's queue move to
    the mechanism now in force in their department (oldest first)."""
    waiting = [task for queue in model.ready for task in queue]
    waiting += [task for queue in model.planned.values() for task in queue]
    for queue in model.ready:
        queue.clear()
    for queue in model.planned.values():
        queue.clear()
    for task in sorted(waiting, key=lambda t: (t.ready_at, t.index)):
        ALLOCATION[model.department_policy(task.department).allocation].on_ready(model, task)
