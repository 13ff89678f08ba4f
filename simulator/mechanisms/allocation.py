"""Allocation: how a ready task reaches an idle collaborator of its department.

`manager`: the nearest manager spends `assignment_hours`, then hands the task to the team's
longest-idle collaborator; if nobody is idle the task is planned for the next one to free
up (no second decision needed). `pull`: an idle collaborator takes the oldest ready task
of their department at once.

The `TaskBoard` holds allocation's state (who is idle, which tasks wait for whom); the
mechanisms in `ALLOCATION` decide, each with `on_ready` (a task became ready) and
`on_free` (a collaborator has nothing to do).
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import TYPE_CHECKING

from simulator.domain import ASSIGNING, QUEUE, Item, Task

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
        self.ready: list[deque[Task]] = [deque() for _ in range(departments)]  # under pull
        self.planned: dict[tuple[int, int], deque[Task]] = defaultdict(deque)  # by team

    def mechanism(self, department: int):
        """The allocation mechanism in force in a department."""
        return ALLOCATION[self.model.department_policy(department).allocation]

    def release(self, task: Task) -> None:
        """All predecessors are done: the task is ready and goes to allocation."""
        model = self.model
        task.ready_at = model.time
        task.enter(QUEUE, model.time)
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
        task.enter(QUEUE, self.model.time)
        self.mechanism(task.department).on_ready(self, task)

    def forget(self, collaborator: Collaborator) -> None:
        """A collaborator left: they are no longer idle."""
        self.idle[collaborator.department].pop(collaborator, None)

    def waiting(self) -> int:
        """Tasks ready and waiting for a collaborator, under every mechanism."""
        return sum(len(q) for q in self.ready) + sum(len(q) for q in self.planned.values())

    def reallocate(self) -> None:
        """After a change of allocation mid-run: tasks waiting in one mechanism's queue move
        to the mechanism now in force in their department (oldest first)."""
        waiting = [task for queue in self.ready for task in queue]
        waiting += [task for queue in self.planned.values() for task in queue]
        for queue in self.ready:
            queue.clear()
        for queue in self.planned.values():
            queue.clear()
        for task in sorted(waiting, key=lambda t: (t.ready_at, t.index)):
            self.mechanism(task.department).on_ready(self, task)


class Pull:
    """Idle collaborators take the oldest ready task of their department."""

    @staticmethod
    def on_ready(board: TaskBoard, task: Task) -> None:
        """The longest-idle collaborator of the department takes it, else it waits."""
        idle = board.idle[task.department]
        if idle:
            board.assign(task, next(iter(idle)))
        else:
            board.ready[task.department].append(task)

    @staticmethod
    def on_free(board: TaskBoard, collaborator: Collaborator) -> None:
        """Take the oldest ready task of the department, else wait idle."""
        queue = board.ready[collaborator.department]
        if queue:
            board.assign(queue.popleft(), collaborator)
        else:
            board.idle[collaborator.department][collaborator] = None


class ManagerAssigns:
    """The nearest manager assigns each ready task."""

    @staticmethod
    def on_ready(board: TaskBoard, task: Task) -> None:
        """An assignment item for the lead of the task's team."""
        model = board.model
        lead = model.org.teams[task.department][task.team].lead
        item = Item(
            "assign",
            model.sample(model.config.timing.assignment_hours),
            ASSIGNING,
            on_done=ManagerAssigns.assigned,
            payload=(board, task),
        )
        lead.receive(item)

    @staticmethod
    def assigned(item: Item, _manager) -> None:
        """The lead has decided: an idle member of the team takes it, else the next one free."""
        board, task = item.payload
        mechanism = board.mechanism(task.department)
        if mechanism is not ALLOCATION["manager"]:
            mechanism.on_ready(board, task)
            return  # allocation changed while the item waited: the task follows the new way
        for collaborator in board.idle[task.department]:
            if collaborator.team == task.team:
                board.assign(task, collaborator)
                return
        board.planned[(task.department, task.team)].append(task)

    @staticmethod
    def on_free(board: TaskBoard, collaborator: Collaborator) -> None:
        """Take the next task planned for the team, else wait idle."""
        queue = board.planned[(collaborator.department, collaborator.team)]
        if queue:
            board.assign(queue.popleft(), collaborator)
        else:
            board.idle[collaborator.department][collaborator] = None


ALLOCATION = {"manager": ManagerAssigns(), "pull": Pull()}
