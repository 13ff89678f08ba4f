"""Domain objects shared by the model and the agents: tasks, in-tray items, problems, records.

Agents import only this module from the simulator (dependency direction: agents -> domain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

EPSILON = 1e-9

# Where a task's time goes, from the moment it is ready until it is done (critical path split).
WORK = "work"
REWORK = "rework"
INFORMATION_WAIT = "information_wait"
DECISION_WAIT = "decision_wait"
COORDINATION = "coordination"
QUEUE = "queue"
CATEGORIES = (WORK, REWORK, INFORMATION_WAIT, DECISION_WAIT, COORDINATION, QUEUE)

# What a person's busy hours were spent on (activity accounting).
TASK_WORK = "task_work"
REWORK_WORK = "rework_work"
HELP = "help"
COORDINATING = "coordinating"  # peer coordination, meetings, deliberations, co-decisions
READING = "reading"  # reading inputs, posting outputs
RELAYING = "relaying"
ASSIGNING = "assigning"
DECIDING = "deciding"  # decisions and sign-offs
SELF_FIXING = "self_fixing"


class Level(StrEnum):
    """Where a manager sits in the chain of command."""

    TEAM_LEAD = "team_lead"
    DEPARTMENT = "department"
    DIRECTOR = "director"


class Route(StrEnum):
    """Who resolved a problem (public values of the `route` record column and KPIs)."""

    SELF = "self"
    PEER = "peer"  # a colleague or an expert of the field
    MANAGER = "manager"  # a team lead or a department manager
    DIRECTOR = "director"
    CONSENSUS = "consensus"


def problem_rate_per_hour(problem_rate: float, complexity: float, expertise: float) -> float:
    """Problems per hour of work: rate x complexity x 2 x (1 - expertise) (DESIGN §5.2).

    The rate is `problem_rate` at expertise 0.5 and complexity 1.
    """
    return problem_rate * complexity * 2.0 * (1.0 - expertise)


@dataclass(eq=False, slots=True)
class Task:
    """A task of the project and its progress through the run."""

    index: int
    key: str
    department: int
    effort: float
    complexity: float
    team: int = 0
    predecessors: list[int] = field(default_factory=list)
    successors: list[int] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # progress
    pending_predecessors: int = 0
    ready_at: float | None = None
    assigned_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    holder: Any = None
    done_by: Any = None
    base_remaining: float = 0.0
    rework_remaining: float = 0.0
    rework_done: float = 0.0
    work_done: float = 0.0
    hazard: float = 0.0
    next_hazard_point: float = 0.0
    problems_raised: int = 0
    blocked: bool = False
    inputs_read: int = 0
    parked_inputs: list[Any] = field(default_factory=list)
    coordinating: int = 0
    # time ledger (critical path split)
    ledger: dict[str, float] = field(default_factory=dict)
    state: str | None = None
    state_since: float = 0.0

    @property
    def remaining(self) -> float:
        """Effort-hours still to do, rework included."""
        return self.base_remaining + self.rework_remaining

    @property
    def inputs_complete(self) -> bool:
        """All predecessors' outputs have been read by the holder."""
        return self.inputs_read >= len(self.predecessors)

    def enter(self, state: str | None, now: float) -> None:
        """Book the time since the last change to the previous state, then switch."""
        if state == self.state:
            return
        if self.state is not None:
            self.ledger[self.state] = self.ledger.get(self.state, 0.0) + (now - self.state_since)
        self.state = state
        self.state_since = now

    def advance(self, hours: float) -> None:
        """Account `hours` of work by the holder: first-pass effort first, then rework."""
        base = min(hours, self.base_remaining)
        self.base_remaining -= base
        rest = hours - base
        rework = min(rest, self.rework_remaining)
        self.rework_remaining -= rework
        self.rework_done += rework
        self.work_done += base + rework
        if self.base_remaining < EPSILON:
            self.base_remaining = 0.0
        if self.rework_remaining < EPSILON:
            self.rework_remaining = 0.0


@dataclass(eq=False, slots=True)
class Link:
    """A symmetric interdependence between two tasks, due when the second one starts."""

    first: Task
    second: Task
    due: bool = False
    later: Task | None = None
    settled: bool = False
    missed: bool = False

    def partner(self, task: Task) -> Task:
        """The other task of the link."""
        return self.second if task is self.first else self.first


@dataclass(eq=False, slots=True)
class Item:
    """One entry of a person's in-tray: a duration, what it is, and what happens when done.

    `kind` says what it is (in records and on screen); `booked_as` says which activity
    the hours count as; `task` and `task_state` say how the holder's own task spends the
    time while the item is served (for the critical-path split).
    """

    kind: str
    duration: float
    booked_as: str
    on_done: Callable[[Item, Any], None] | None = None
    task: Task | None = None
    task_state: str | None = None
    payload: Any = None
    urgent: bool = False
    cancelled: bool = False
    started_at: float | None = None
    done: bool = False


class Joint:
    """An activity several people take part in; it ends when the last part is done."""

    __slots__ = ("on_done", "participants", "parts_left", "payload")

    def __init__(
        self, participants: list[Any], on_done: Callable[[Joint], None], payload: Any = None
    ):
        self.participants = participants
        self.parts_left = len(participants)
        self.on_done = on_done
        self.payload = payload

    def part_done(self, _item: Item, _person: Any) -> None:
        """Called when one participant has done their part."""
        self.parts_left -= 1
        if self.parts_left == 0:
            self.on_done(self)


@dataclass(eq=False, slots=True, weakref_slot=True)  # its bound method is a Mesa event
class ProblemCase:
    """A problem while it is open: who raised it, where it goes, what it has cost."""

    ident: int
    task: Task
    number: int
    raiser: Any
    severity: str
    field: int
    raised_at: float
    draws: Any
    route: str | None = None
    deciders: list[str] = field(default_factory=list)
    quality: float | None = None
    resolved_at: float | None = None
    closed: bool = False
    pending: list[Item] = field(default_factory=list)
    rework: bool = False
    patience_event: Any = None
    on_patience: Callable[[], None] | None = None
    on_joint: Callable[..., None] | None = None

    def patience_over(self) -> None:
        """Scheduled callback: the raiser stops waiting (bound method, kept alive by the model)."""
        if self.on_patience is not None:
            self.on_patience()


# --- records: flat, immutable, one per thing; every column list derives from these ---------


def columns(record_type: type) -> tuple[str, ...]:
    """The column names of a record type, in order (for frames, CSV headers, schemas)."""
    return tuple(f.name for f in fields(record_type))


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    """A resolved (or still open) problem, flat and immutable."""

    problem: int
    task: str
    number: int
    raiser: str
    department: str  # the raiser's department
    raised_at: float
    resolved_at: float | None
    severity: str
    field: str
    route: str | None
    deciders: str
    quality: float | None
    rework: bool


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """One message: a task's output on its way to a successor's holder."""

    from_task: str
    to_task: str
    sent_at: float
    read_at: float | None
    hops: int
    channel: str


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """A task's course through the run: when it moved on, who held it, where its time went.

    The `*_hours` fields are the task's time ledger from release to done (the critical-path
    split is the sum of these along the realised critical path).
    """

    task: str
    department: str
    holder: str | None  # who finished it, or who holds it now
    effort_hours: float
    ready_at: float | None
    assigned_at: float | None
    started_at: float | None
    finished_at: float | None
    problems: int
    work_hours: float
    rework_hours: float
    information_wait_hours: float
    decision_wait_hours: float
    coordination_hours: float
    queue_hours: float


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One in-tray item served: who, what, for which task, from when to when (the event log)."""

    person: str
    kind: str
    task: str | None
    started_at: float
    ended_at: float
