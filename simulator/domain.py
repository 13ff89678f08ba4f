"""Domain objects shared by the model and the agents: tasks, in-tray items, problems, records.

Agents import only this module from the simulator (dependency direction: agents -> domain).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

EPSILON = 1e-9


class TaskState(StrEnum):
    """Where a task's time goes, from the moment its predecessors are done until it is done
    (the critical-path split). When waits overlap, the holder's state decides, in this
    order: decision wait, information wait, other work."""

    WORK = "work"
    REWORK = "rework"
    INFORMATION_WAIT = "information_wait"  # inputs on their way or being read
    DECISION_WAIT = "decision_wait"  # blocked on a problem someone else is resolving
    PROBLEM_SOLVING = "problem_solving"  # blocked while the holder works on the problem
    COORDINATION = "coordination"
    OTHER_WORK = "other_work"  # the holder is away on work outside the project
    QUEUE = "queue"  # waiting for a person (allocation, or the holder busy for others)


CATEGORIES = tuple(TaskState)


class Activity(StrEnum):
    """What a person's busy hours are booked as."""

    TASK_WORK = "task_work"
    REWORK_WORK = "rework_work"
    HELP = "help"
    COORDINATING = "coordinating"  # peer coordination, meetings, deliberations, co-decisions
    READING = "reading"  # reading inputs, posting outputs
    RELAYING = "relaying"
    ASSIGNING = "assigning"
    DECIDING = "deciding"  # decisions, sign-offs, arbitrations
    SELF_FIXING = "self_fixing"
    ORIENTING = "orienting"  # orientation sessions, on both sides
    CONFRONTING = "confronting"  # challenging a resolution, and defending it


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
    inputs_arrived: int = 0  # predecessors' outputs that have reached the task
    inputs_read: int = 0
    parked_inputs: list[Any] = field(default_factory=list)
    priority: float = 0.0  # plan priority: the longest effort path from here to the end
    labels: dict[str, str] = field(default_factory=dict)  # extra columns of the plan
    coordinating: int = 0
    # time ledger (critical path split)
    ledger: dict[str, float] = field(default_factory=dict)
    state: str | None = None
    state_since: float = 0.0
    totals: LedgerTotals | None = None  # the run's ledger over all tasks, kept in step

    @property
    def remaining(self) -> float:
        """Effort-hours still to do, rework included."""
        return self.base_remaining + self.rework_remaining

    @property
    def waiting_state(self) -> str:
        """The state of a task without a holder: inputs on their way, or waiting for a person."""
        return (
            TaskState.INFORMATION_WAIT
            if self.inputs_arrived < len(self.predecessors)
            else TaskState.QUEUE
        )

    @property
    def inputs_complete(self) -> bool:
        """All predecessors' outputs have been read by the holder."""
        return self.inputs_read >= len(self.predecessors)

    def enter(self, state: str | None, now: float) -> None:
        """Book the time since the last change to the previous state, then switch."""
        if state == self.state:
            return
        totals = self.totals
        if self.state is not None:
            self.ledger[self.state] = self.ledger.get(self.state, 0.0) + (now - self.state_since)
            if totals is not None:
                totals.leave(self.state, self.state_since, now)
        self.state = state
        self.state_since = now
        if state is not None and totals is not None:
            totals.join(state, now)

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


class LedgerTotals:
    """Hours by state summed over every task, kept up to date as tasks change state.

    For each state: the hours of intervals already closed, and how many tasks are in it
    with the sum of the times they entered it, so that the total up to any moment is
    `closed + count x now - sum of entry times`, without visiting the tasks.
    """

    __slots__ = ("closed", "count", "entered")

    def __init__(self) -> None:
        self.closed: dict[str, float] = {}
        self.count: dict[str, int] = {}
        self.entered: dict[str, float] = {}

    def join(self, state: str, now: float) -> None:
        """A task enters `state` at `now`."""
        self.count[state] = self.count.get(state, 0) + 1
        self.entered[state] = self.entered.get(state, 0.0) + now

    def leave(self, state: str, since: float, now: float) -> None:
        """A task that entered `state` at `since` leaves it at `now`."""
        self.closed[state] = self.closed.get(state, 0.0) + (now - since)
        self.count[state] -= 1
        self.entered[state] -= since

    def at(self, now: float) -> dict[str, float]:
        """Hours by state up to `now`, the intervals under way included."""
        totals = dict(self.closed)
        for state, count in self.count.items():
            if count:
                under_way = max(0.0, count * now - self.entered[state])
                totals[state] = totals.get(state, 0.0) + under_way
        return totals


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
    # The mechanism whose activity this is (a learned transition makes it slower at first).
    mechanism: str | None = None
    # Called at the first start: may fix the duration and return an item to serve first.
    on_start: Callable[[Item, Any], Item | None] | None = None
    cancelled: bool = False
    started_at: float | None = None  # first taken up
    resumed_at: float | None = None  # last taken up (after an absence), None when set aside
    served: float = 0.0  # hours served so far
    done: bool = False
    # Set only when items are logged (diagnosis): when it first reached an in-tray, and the
    # task whose decision wait it serves (a problem's items, see `PendingItems`).
    received_at: float | None = None
    waited_by: Task | None = None


class PendingItems(list):
    """The items an open problem waits on (withdrawn together when the raiser stops
    waiting); each item appended is marked as serving the problem's task, so that the
    item log can say whose decision wait its holder causes."""

    __slots__ = ("task",)

    def __init__(self, task: Task):
        super().__init__()
        self.task = task

    def append(self, item: Item) -> None:
        """Add `item`, marked as waited on by the problem's task."""
        item.waited_by = self.task
        super().append(item)


def waited_on(item: Item) -> tuple[Task | None, str | None]:
    """The task that waits while `item` is held, and how: a problem's items (decisions,
    escalations, relayed requests, sign-offs, arbitrations, help) hold up a decision; an
    output's relays and its reading hold up information. (None, None) otherwise."""
    if item.waited_by is not None:
        return item.waited_by, TaskState.DECISION_WAIT
    target = getattr(item.payload, "target", None)  # an output on its way
    if isinstance(target, Task):
        return target, TaskState.INFORMATION_WAIT
    if item.task is not None and item.task_state == TaskState.INFORMATION_WAIT:
        return item.task, TaskState.INFORMATION_WAIT
    return None, None


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


@dataclass(eq=False, slots=True)
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
    problem_class: int = 0
    route: str | None = None
    deciders: list[str] = field(default_factory=list)
    quality: float | None = None
    quality_before_confrontation: float | None = None
    resolved_at: float | None = None
    closed: bool = False
    pending: list[Item] = field(default_factory=list)  # a PendingItems (set after init)
    rework: bool = False
    # Collaborative memory: occurrence rank of the problem's class for its resolvers, the
    # factor it scales the resolving work by, and the best quality they can reuse.
    occurrence: int | None = None
    learning_factor: float = 1.0
    known_quality: float = 0.0
    resolution_hours: float | None = None
    participants: dict[Any, None] = field(default_factory=dict)  # who worked on it
    rounds: int = 0  # deliberation rounds held
    helping: Any = None  # the colleague answering it, while they are
    patience_event: Any = None
    on_patience: Callable[[], None] | None = None
    on_joint: Callable[..., None] | None = None

    def __post_init__(self) -> None:
        self.pending = PendingItems(self.task)

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
    problem_class: int
    occurrence: int | None  # 1 + earlier resolutions of its class its resolvers could see
    resolution_hours: float | None  # the resolving item's duration
    quality_before_confrontation: float | None


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
    problem_solving_hours: float
    coordination_hours: float
    other_work_hours: float
    queue_hours: float
    labels: str  # "column=value; ..." from extra columns of the plan


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Someone on the project: who they are, how much of their day the project had, how
    busy they were, and what the people file says of them besides (labels)."""

    person: str
    role: str  # collaborator, team_lead, department (manager) or director
    department: str | None
    team: int | None
    expertise: float  # in their own field, at the end of the run (coaching raises it)
    availability: float  # share of each day on the project
    busy_hours: float
    labels: str  # "column=value; ..." from extra columns of the people file


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One in-tray item served: who, what, for which task, from when to when (the event log)."""

    person: str
    kind: str
    task: str | None
    started_at: float
    ended_at: float
    received_at: float | None = None  # when it reached the in-tray (queue time before start)
    waited_task: str | None = None  # the task held up while the item is held, if any
    waited_as: str | None = None  # how: decision_wait or information_wait
