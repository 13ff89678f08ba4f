"""Collaborator: works on one task at a time, raises problems, helps and coordinates."""

from __future__ import annotations

import math

from agents.person import Person
from simulator.domain import (
    EPSILON,
    Activity,
    Task,
    TaskState,
    problem_rate_per_hour,
)


class Collaborator(Person):
    """A member of a department who does the project's task work.

    Work on a task advances at one effort-hour per hour. Problems arrive as a Poisson
    process in effort: the task carries unit-rate hazard points, and the collaborator's
    rate (problem_rate x complexity x 2 x (1 - expertise)) turns them into hours.
    """

    role = "collaborator"

    def __init__(
        self, model, name: str, department: int, team: int, expertise: float, cross_expertise: float
    ):
        super().__init__(model, name, department, team)
        self.expertise = expertise
        self.cross_expertise = cross_expertise
        self.task: Task | None = None
        self.working = False
        self._work_started = 0.0
        self._work_event = None
        self._problem_rate = 0.0
        self.departed = False

    def expertise_in(self, field: int) -> float:
        """Own expertise in one's department's field, cross-expertise elsewhere."""
        return self.expertise if field == self.department else self.cross_expertise

    # --- task work -------------------------------------------------------------------------

    def take(self, task: Task, problem_rate: float) -> None:
        """Become the holder of `task`."""
        self.expect_work()
        self.task = task
        self._problem_rate = problem_rate
        self.on_state_change()

    def release_task(self) -> Task | None:
        """Stop holding the task (it is done)."""
        task, self.task = self.task, None
        self.idle_since = self.model.time
        return task

    def change_problem_rate(self, rate: float) -> None:
        """Problems now arrive at `rate` per hour of work (the segment under way is redrawn)."""
        working = self.working
        if working:
            self.pause_own_work()
        self._problem_rate = rate
        if working and self.can_work():
            self._start_work()

    def unoccupied(self) -> bool:
        """No task either, and waiting among the idle of the department (or departed): coming
        back would only find there is nothing to take. (A collaborator without a task is
        among the idle as soon as they are free; the check keeps the moves played out should
        that ever not hold.)"""
        return (
            self.task is None
            and super().unoccupied()
            and (self.departed or self in self.model.allocation.idle[self.department])
        )

    def can_work(self) -> bool:
        """Holding a task that may progress now."""
        task = self.task
        return (
            task is not None
            and not task.blocked
            and task.inputs_complete
            and task.coordinating == 0
            and task.started_at is not None
            and task.remaining > EPSILON
        )

    def on_free(self) -> None:
        if self.working:
            return
        if self.departed:
            if self.task is not None and not self.task.blocked:
                self.model.hand_over(self)
            return
        if self.task is None:
            # May hand us a task (its inputs may already be read, its work may begin now).
            self.model.collaborator_free(self)
        task = self.task
        if (
            task is not None
            and self.current is None
            and not self.in_tray
            and task.started_at is not None
            and not task.blocked
            and task.inputs_complete
            and task.coordinating == 0
            and task.remaining <= EPSILON
        ):
            # An item interrupted the work just as it ran out: the task is done now (or
            # gets its missed-coordination rework, and work goes on).
            self.model.task_work_done(self, task)
            if self.current is None and not self.in_tray:
                self.on_free()  # look for the next task, or work on the rework
            return
        if self.current is None and not self.in_tray and self.can_work():
            self._start_work()

    def _start_work(self) -> None:
        task = self.task
        assert task is not None
        self.working = True
        self._work_started = self.model.time
        # Work in segments that end at the next problem, at the end of first-pass effort
        # (so work and rework are booked apart) or at the end of the task.
        segment = task.base_remaining if task.base_remaining > EPSILON else task.rework_remaining
        if self._problem_rate > 0:
            to_problem = (task.next_hazard_point - task.hazard) / self._problem_rate
            segment = min(segment, max(to_problem, 0.0))
        self._work_event = self.model.book(self.end_work_segment, after=segment)
        self.on_state_change()

    def pause_own_work(self) -> None:
        if not self.working:
            return
        self._book_work(self.model.time)
        if self._work_event is not None:
            self._work_event.cancel()
            self._work_event = None
        self.working = False
        task = self.task
        if task is not None and task.remaining <= EPSILON and not task.blocked:
            # The work ran out at this very moment: the task is done now, not after
            # whatever interrupts it.
            self.model.task_work_done(self, task)

    def _book_work(self, now: float) -> None:
        task = self.task
        elapsed = now - self._work_started
        if task is None or elapsed <= 0:
            return
        base_before = task.base_remaining
        task.advance(elapsed)
        task.hazard += elapsed * self._problem_rate
        base_part = min(elapsed, base_before)
        if elapsed - base_part < EPSILON:  # rounding, not rework
            base_part = elapsed
        self.book(Activity.TASK_WORK, base_part)
        self.book(Activity.REWORK_WORK, elapsed - base_part)
        self._work_started = now

    def work_in_hand(self, now: float) -> float:
        return now - self._work_started if self.working else 0.0

    def end_work_segment(self) -> None:
        """Scheduled callback: a problem arrives, the task's first pass ends, or the task is done."""
        if self.model.stopped:
            return
        self._work_event = None
        self._book_work(self.model.time)
        self.working = False
        task = self.task
        assert task is not None
        if (
            self._problem_rate > 0
            and task.hazard >= task.next_hazard_point - 1e-9
            and task.remaining > EPSILON
        ):
            self.model.raise_problem(self, task)
        elif task.remaining <= EPSILON:
            self.model.task_work_done(self, task)
        self.serve()

    # --- state for the critical-path split and the dashboard --------------------------------

    def on_state_change(self) -> None:
        task = self.task
        if task is None or (task.started_at is None and task.assigned_at is None):
            return
        task.enter(self.task_state(), self.model.time)

    def task_state(self) -> str:
        """How the held task is spending this moment (DESIGN: decision wait before
        information wait before other work when waits overlap)."""
        task = self.task
        assert task is not None
        item = self.current
        own_item = (
            item is not None and not self.away and item.task is task and item.task_state is not None
        )
        if task.blocked:
            # Blocked on a problem: the holder working on it (alone, deliberating, defending
            # the answer) is problem solving; otherwise the task waits for a decision.
            if own_item and item.task_state == TaskState.PROBLEM_SOLVING:
                return TaskState.PROBLEM_SOLVING
            return TaskState.DECISION_WAIT
        if not task.inputs_complete:
            return TaskState.INFORMATION_WAIT
        if self.away:
            return TaskState.OTHER_WORK
        if task.coordinating:
            return TaskState.COORDINATION
        if item is not None:
            return item.task_state if own_item else TaskState.QUEUE
        if self.working:
            return TaskState.WORK if task.base_remaining > EPSILON else TaskState.REWORK
        return TaskState.QUEUE

    @property
    def doing(self) -> str:
        if self.current is not None:
            return self.current.kind
        if self.working:
            return "working"
        if self.task is not None and self.task.blocked:
            return "blocked"
        if self.task is not None:
            return "waiting"
        return "idle"

    def problem_rate_for(self, task: Task, problem_rate: float) -> float:
        """Problems per hour of work on `task`: rate x complexity x 2 x (1 - expertise)."""
        rate = problem_rate_per_hour(
            problem_rate, task.complexity, self.expertise_in(task.department)
        )
        return rate if math.isfinite(rate) else 0.0
