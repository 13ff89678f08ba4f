"""Allocation: how a ready task reaches an idle collaborator of its department.

`manager`: the nearest manager spends `assignment_hours`, then hands the task to the team's
longest-idle collaborator; if nobody is idle the task is planned for the next one to free
up (no second decision needed). `pull`: an idle collaborator takes a ready task of their
department at once.

Under both, waiting tasks are taken in plan priority: the longest remaining effort path
from the task to the end of the project first, ties by plan order (the critical-path
rule of project scheduling), so priority is not an advantage of either.

The `TaskBoard` holds allocation's state (who is idle, which tasks wait for whom); the
mechanisms in `ALLOCATION` decide, each with `on_ready` (a task became ready) and
`on_free` (a collaborator has nothing to do).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from typing import TYPE_CHECKING

from simulator.domain import (
    Activity,
    Item,
    Task,
)
from simulator.project import topological_order

if TYPE_CHECKING:
    from agents.collaborator import Collaborator
    from simulator.model import OrgModel


class TaskBoard:
    """Allocation's state: idle collaborators and the tasks waiting for one, by department."""

    def __init__(self, model: OrgModel):
        self.model = model
        departments = len(model.org.department_names)
        # Insertion order is idle order: the first entry has been idle longest.
        self.idle: list[dict[Collaborator, None]] = [{} for _ in range(departments)]
        # Heaps of (priority key, task): ready tasks under pull, planned ones by team.
        self.ready: list[list[tuple[tuple[float, int], Task]]] = [[] for _ in range(departments)]
        self.planned: dict[tuple[int, int], list[tuple[tuple[float, int], Task]]] = defaultdict(
            list
        )
        # Under manager: tasks whose lead has an assignment to make for them, by team.
        self.awaiting: dict[tuple[int, int], list[tuple[tuple[float, int], Task]]] = defaultdict(
            list
        )
        set_priorities(model.tasks)

    def mechanism(self, department: int):
        """The allocation mechanism in force in a department."""
        return ALLOCATION[self.model.department_policy(department).allocation]

    def release(self, task: Task) -> None:
        """All predecessors are done: the task is ready and goes to allocation."""
        model = self.model
        task.ready_at = model.time
        task.enter(task.waiting_state, model.time)
        model.active_tasks[task] = None
        self.mechanism(task.department).on_ready(self, task)

    def collaborator_free(self, collaborator: Collaborator) -> None:
        """A collaborator holds no task and has nothing in the in-tray."""
        self.mechanism(collaborator.department).on_free(self, collaborator)

    def assign(self, task: Task, collaborator: Collaborator) -> None:
        """Make `collaborator` the holder of `task`; inputs already there are delivered."""
        model = self.model
        self.idle[collaborator.department].pop(collaborator, None)
        task.holder = collaborator
        task.assigned_at = model.time
        collaborator.take(task, collaborator.problem_rate_for(task, model.problem_rate))
        model.communication.deliver_parked(task)
        if task.inputs_complete:
            model.start_task(task)
        collaborator.on_state_change()
        collaborator.serve()

    def hand_back(self, task: Task) -> None:
        """A task whose holder left goes back to allocation, progress kept."""
        task.holder = None
        task.assigned_at = None
        task.enter(task.waiting_state, self.model.time)
        self.mechanism(task.department).on_ready(self, task)

    def forget(self, collaborator: Collaborator) -> None:
        """A collaborator left: they are no longer idle."""
        self.idle[collaborator.department].pop(collaborator, None)

    def waiting(self) -> int:
        """Tasks ready and waiting for a collaborator, under every mechanism."""
        queues = [*self.ready, *self.planned.values(), *self.awaiting.values()]
        return sum(len(q) for q in queues)

    def reallocate(self) -> None:
        """After a change of allocation mid-run: tasks waiting in one mechanism's queue move
        to the mechanism now in force in their department (in plan priority)."""
        waiting = [task for queue in self.ready for _, task in queue]
        waiting += [task for queue in self.planned.values() for _, task in queue]
        for queue in self.ready:
            queue.clear()
        for queue in self.planned.values():
            queue.clear()
        for task in sorted(waiting, key=priority_key):
            self.mechanism(task.department).on_ready(self, task)


def priority_key(task: Task) -> tuple[float, int]:
    """Plan priority: the longest remaining effort path first, then plan order."""
    return (-task.priority, task.index)


def set_priorities(tasks: list[Task]) -> None:
    """Each task's priority: its effort plus the longest priority among its successors
    (computed from the end of the plan backwards)."""
    for task in reversed(topological_order(tasks)):
        task.priority = task.effort + max((tasks[s].priority for s in task.successors), default=0.0)


class Pull:
    """Idle collaborators take the oldest ready task of their department."""

    @staticmethod
    def on_ready(board: TaskBoard, task: Task) -> None:
        """The longest-idle collaborator of the department takes it, else it waits."""
        idle = board.idle[task.department]
        if idle:
            board.assign(task, next(iter(idle)))
        else:
            heapq.heappush(board.ready[task.department], (priority_key(task), task))

    @staticmethod
    def on_free(board: TaskBoard, collaborator: Collaborator) -> None:
        """Take the ready task of the department first in plan priority, else wait idle."""
        queue = board.ready[collaborator.department]
        if queue:
            board.assign(heapq.heappop(queue)[1], collaborator)
        else:
            board.idle[collaborator.department][collaborator] = None


class ManagerAssigns:
    """The nearest manager assigns each ready task."""

    @staticmethod
    def on_ready(board: TaskBoard, task: Task) -> None:
        """An assignment item for the lead of the task's team; the task awaits it."""
        model = board.model
        team = (task.department, task.team)
        heapq.heappush(board.awaiting[team], (priority_key(task), task))
        lead = model.org.teams[task.department][task.team].lead
        item = Item(
            "assign",
            model.sample(model.config.timing.assignment_hours),
            Activity.ASSIGNING,
            on_done=ManagerAssigns.assigned,
            payload=(board, team),
            mechanism="allocation",
        )
        lead.receive(item)

    @staticmethod
    def assigned(item: Item, _manager) -> None:
        """The lead has decided on the team's waiting task first in plan priority: an idle
        member of the team takes it, else the next one free."""
        board, team = item.payload
        task = heapq.heappop(board.awaiting[team])[1]
        mechanism = board.mechanism(task.department)
        if mechanism is not ALLOCATION["manager"]:
            mechanism.on_ready(board, task)
            return  # allocation changed while the item waited: the task follows the new way
        for collaborator in board.idle[task.department]:
            if collaborator.team == task.team:
                board.assign(task, collaborator)
                return
        heapq.heappush(board.planned[(task.department, task.team)], (priority_key(task), task))

    @staticmethod
    def on_free(board: TaskBoard, collaborator: Collaborator) -> None:
        """Take the task planned for the team first in plan priority, else wait idle."""
        queue = board.planned[(collaborator.department, collaborator.team)]
        if queue:
            board.assign(heapq.heappop(queue)[1], collaborator)
        else:
            board.idle[collaborator.department][collaborator] = None


ALLOCATION = {"manager": ManagerAssigns(), "pull": Pull()}
