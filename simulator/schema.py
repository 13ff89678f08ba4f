"""The scenario schema: every public scenario key, its default and its bounds.

Scenario files are validated by these pydantic models; cross-field rules (names that
must exist, cycles in the plan) live in `simulator.loading`, which knows the file and
can point at lines. Every default here is documented in docs/model.md.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Strict,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from simulator.errors import FieldProblem

SEVERITIES = ("minor", "major", "critical")
DISTRIBUTIONS = ("exponential", "lognormal", "fixed")
MAX_TEAM_SIZE = 1000


def _no_bool_number(value: Any) -> Any:
    # pydantic's lax mode reads `true` as 1: in a scenario that is always a typo.
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "expected a number, not true or false")
    return value


def _no_bool_count(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "expected a whole number, not true or false")
    return value


def _name_as_text(value: Any) -> Any:
    # YAML reads `name: 2024` as a number; a name is text either way.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Number = Annotated[float, BeforeValidator(_no_bool_number), Field(allow_inf_nan=False)]
"""A finite number; numeric text (`"1e-3"`, which YAML 1.1 leaves as text) is accepted."""
Count = Annotated[int, BeforeValidator(_no_bool_count)]
"""A whole number (`4.0` is accepted, `4.5` and `true` are not)."""
Flag = Annotated[bool, Strict()]
"""`true` or `false` only (not `1`, `"yes"`)."""
Name = Annotated[str, BeforeValidator(_name_as_text), Field(min_length=1)]
"""Non-empty text; a whole number is read as its digits."""
Probability = Annotated[Number, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[Number, Field(ge=0.0)]


class Closed(BaseModel):
    """A schema block that refuses unknown keys and is immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Distribution(Closed):
    """A duration or factor: a fixed number, or an exponential or lognormal law.

    A plain number in a file means `{dist: fixed, mean: NUMBER}`. `cv` (coefficient
    of variation) is required for lognormal and must be 1 (or absent) for exponential.
    """

    dist: Literal["exponential", "lognormal", "fixed"] = "fixed"
    # Bounds far beyond any working duration, so that draws never overflow.
    mean: Annotated[NonNegative, Field(le=1e9)]
    cv: Annotated[NonNegative, Field(le=100.0)] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("expected a number or {dist: ..., mean: ...}")
        if isinstance(value, int | float):
            return {"dist": "fixed", "mean": value}
        if isinstance(value, str):
            # Numeric text, as for any other number (YAML 1.1 reads `1e-3` as text).
            try:
                number = float(value)
            except ValueError:
                raise ValueError("expected a number or {dist: ..., mean: ...}") from None
            return {"dist": "fixed", "mean": number}
        if isinstance(value, dict) and "dist" in value and value["dist"] not in DISTRIBUTIONS:
            # Name the distribution, not the union ("expected a number") it fell out of.
            name = value["dist"]
            if isinstance(name, str):
                raise FieldProblem(
                    f"unknown distribution '{name}' (expected exponential, lognormal or fixed)",
                    field="dist",
                )
            raise FieldProblem("expected exponential, lognormal or fixed", field="dist", value=name)
        if not isinstance(value, dict | Distribution):
            raise ValueError("expected a number or {dist: ..., mean: ...}")
        return value

    @model_validator(mode="after")
    def _shape(self) -> Distribution:
        if self.dist == "lognormal" and self.cv is None:
            raise FieldProblem(
                "required for a lognormal (its coefficient of variation, e.g. 0.5)", field="cv"
            )
        if self.dist == "exponential" and self.cv not in (None, 1.0):
            raise FieldProblem(
                "an exponential has cv 1; use lognormal for another cv", field="cv", value=self.cv
            )
        if self.dist == "fixed" and self.cv not in (None, 0.0):
            raise FieldProblem(
                "a fixed value has no spread; use lognormal for a cv", field="cv", value=self.cv
            )
        return self

    @property
    def is_fixed(self) -> bool:
        """True when every draw is `mean` (no randomness consumed)."""
        return self.dist == "fixed" or self.mean == 0 or (self.dist == "lognormal" and self.cv == 0)


def fixed(value: float) -> Distribution:
    """A distribution that always gives `value`."""
    return Distribution(dist="fixed", mean=value)


class SeverityMix(Closed):
    """Shares of minor, major and critical problems; they add up to 1."""

    minor: Probability = 0.6
    major: Probability = 0.3
    critical: Probability = 0.1

    @model_validator(mode="after")
    def _sums_to_one(self) -> SeverityMix:
        total = self.minor + self.major + self.critical
        if abs(total - 1.0) > 1e-6:
            raise FieldProblem(
                "the shares must add up to 1",
                value=f"{self.minor:g} + {self.major:g} + {self.critical:g} = {total:g}",
            )
        return self


class SeverityWeight(Closed):
    """Per-severity weight of rework probability."""

    minor: Probability = 0.2
    major: Probability = 0.5
    critical: Probability = 1.0


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Calendar(Closed):
    """Which days are worked: weekdays, less holidays (for dates in outputs)."""

    weekdays: Annotated[
        list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]], Field(min_length=1)
    ] = [
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
    ]
    holidays: list[datetime.date] = []

    @field_validator("weekdays")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise FieldProblem("a weekday is listed twice", value=", ".join(value))
        return value


class TimeSettings(Closed):
    """The working clock, and the calendar that turns working days into dates."""

    hours_per_day: Annotated[Number, Field(gt=0.0, le=24.0)] = 8.0
    horizon_days: Annotated[Number, Field(gt=0.0, le=100_000.0)] = 600.0
    # The first working day of the project (outputs then give dates as well as days).
    start: datetime.date | None = None
    calendar: Calendar = Calendar()


class Department(Closed):
    """A profession (métier): its collaborators, teams and expertise."""

    name: Name
    collaborators: Annotated[Count, Field(ge=1, le=100_000)] | None = None
    teams: Annotated[Count, Field(ge=1, le=100_000)] = 1
    expertise: Probability = 0.5
    expertise_sd: Annotated[NonNegative, Field(le=1.0)] = 0.0
    policy: Name | None = None
    # The client as they are: how long this department's managers take to decide, how
    # much of their day they give the project, and the collaborators' share of time on it
    # (the rest is other work, in blocks). Unset: the organisation's / timing's values.
    decision_hours: Distribution | None = None
    manager_availability: Annotated[Number, Field(gt=0.0, le=1.0)] | None = None
    project_share: Annotated[Number, Field(gt=0.0, le=1.0)] | None = None
    # Team leads share one queue of problems (any free lead takes the next one).
    pooled_leads: Flag = False

    @model_validator(mode="after")
    def _teams_fit(self) -> Department:
        if self.collaborators is not None and self.teams > self.collaborators:
            raise FieldProblem(
                f"more teams than the department's {self.collaborators} collaborators",
                field="teams",
                value=self.teams,
            )
        if self.collaborators is not None and self.collaborators > MAX_TEAM_SIZE * self.teams:
            # Everyone in a team is linked to everyone else (peers in the org graph): a
            # team of 100,000 would exhaust memory before the run starts.
            raise FieldProblem(
                f"teams of more than {MAX_TEAM_SIZE:,} people: split the "
                f"{self.collaborators:,} collaborators into more teams",
                field="teams",
                value=self.teams,
            )
        return self


class CostPerHour(Closed):
    """Hourly cost of each role, in the user's currency."""

    collaborator: NonNegative = 60.0
    manager: NonNegative = 90.0
    director: NonNegative = 150.0
    # A label for every amount in outputs (e.g. EUR); costs are in "cost units" without it.
    currency: Annotated[str, Field(min_length=1, max_length=12)] | None = None


class Organisation(Closed):
    """Departments, managers, the director and informal links."""

    departments: Annotated[list[Department], Field(min_length=1)]
    manager_expertise: Probability = 0.6
    director_expertise: Probability = 0.5
    # Above 0: a manager who is never there would leave every escalation waiting for ever.
    manager_availability: Annotated[Number, Field(gt=0.0, le=1.0)] = 1.0
    # Collaborators' share of time on the project (departments and people may say otherwise).
    project_share: Annotated[Number, Field(gt=0.0, le=1.0)] = 1.0
    cross_expertise: Probability = 0.2
    director: Flag = True
    people_file: Name | None = None
    lateral_links: Annotated[Count, Field(ge=0, le=100_000)] = 0
    cost_per_hour: CostPerHour = CostPerHour()

    @property
    def headcount(self) -> int:
        """Collaborators across departments (managers not included)."""
        return sum(d.collaborators or 0 for d in self.departments)


class TaskSpec(Closed):
    """One task of an explicit plan."""

    id: Name
    department: Name
    effort_hours: NonNegative
    depends_on: list[str] = []
    interdependent_with: list[str] = []
    complexity: NonNegative | None = None
    # Anything else the plan says about the task (extra CSV columns): kept and shown.
    labels: dict[Name, str] = {}

    @field_validator("depends_on", "interdependent_with", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value


def _task_shape(value: Any) -> str:
    return "plan" if isinstance(value, list) else "count"


TaskCount = Annotated[Count, Field(ge=1, le=1_000_000)]
Tasks = Annotated[
    Annotated[TaskCount, Tag("count")]
    | Annotated[list[TaskSpec], Tag("plan"), Field(min_length=1)],
    Discriminator(_task_shape),
]


class Project(Closed):
    """The project: its tasks and how uncertain the work is."""

    tasks: Tasks | None = None
    tasks_file: Name | None = None
    deadline_days: Annotated[Number, Field(gt=0.0)] | None = None
    effort_hours: Distribution = Distribution(dist="lognormal", mean=24.0, cv=0.5)
    dependency_density: Probability = 0.04
    interdependence: Probability = 0.3
    problem_rate: Annotated[Number, Field(ge=0.0, le=1000.0)] = 0.02
    foreign_field_share: Probability = 0.2
    complexity: Distribution = Distribution(dist="lognormal", mean=1.0, cv=0.3)
    severity: SeverityMix = SeverityMix()
    # Kinds of problem per field: a problem of a kind met before is solved faster.
    problem_classes: Annotated[Count, Field(ge=1, le=1_000_000)] = 25
    # Wright's law: each doubling of occurrences multiplies resolution time by this.
    learning_rate: Annotated[Number, Field(gt=0.0, le=1.0)] = 0.8
    learning_floor: Probability = 0.25

    @model_validator(mode="after")
    def _one_plan(self) -> Project:
        if self.tasks is None and self.tasks_file is None:
            raise FieldProblem(
                "required: a count or a list of tasks (or give tasks_file)", field="tasks"
            )
        if self.tasks is not None and self.tasks_file is not None:
            raise FieldProblem("give tasks or tasks_file, not both", field="tasks_file")
        return self


class Timing(Closed):
    """Durations in working hours (numbers or distributions)."""

    message_hours: Distribution = fixed(0.25)
    relay_hours: Distribution = fixed(0.5)
    post_hours: Distribution = fixed(0.25)
    read_hours: Distribution = fixed(0.1)
    assignment_hours: Distribution = fixed(0.25)
    decision_hours: Distribution = Distribution(dist="exponential", mean=2.0)
    self_fix_hours: Distribution = Distribution(dist="exponential", mean=1.0)
    expert_help_hours: Distribution = Distribution(dist="exponential", mean=1.5)
    coordination_hours: Distribution = fixed(1.0)
    codecision_hours: Distribution = fixed(0.25)
    consensus_hours_per_member: Distribution = fixed(0.5)
    meeting_interval_days: Distribution = fixed(5.0)
    meeting_hours: Distribution = fixed(1.0)
    decision_patience_hours: Distribution | None = None
    orientation_interval_days: Distribution = fixed(5.0)
    orientation_hours: Distribution = fixed(1.0)
    confrontation_hours: Distribution = fixed(0.5)
    arbitration_hours: Distribution = fixed(1.0)

    @field_validator("meeting_interval_days", "orientation_interval_days")
    @classmethod
    def _positive_interval(cls, value: Distribution) -> Distribution:
        if value.mean <= 0:
            raise FieldProblem("must be more than 0 days", field="mean", value=value.mean)
        return value


class Rework(Closed):
    """How resolutions of imperfect quality and missed coordination create rework."""

    fraction: Annotated[Number, Field(ge=0.0, le=10.0)] = 0.3
    severity_weight: SeverityWeight = SeverityWeight()
    deliberation_bonus: Probability = 0.1
    missed_coordination: Probability = 0.5


class Behaviour(Closed):
    """How people change and agree: coaching, challenge, consensus."""

    coaching_gain: Probability = 0.02
    coaching_ceiling: Probability = 0.9
    confrontation_gain: Probability = 0.3
    consensus_agreement: Annotated[Number, Field(gt=0.0, le=1.0)] = 0.95
    consensus_max_rounds: Annotated[Count, Field(ge=1, le=1000)] = 3


class Transition(Closed):
    """Cooperation is learned: activities of mechanisms that differ from `from`'s cost more
    at first, `1 + overhead x max(0, 1 - t / days)` times their hours."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_policy: Name = Field(alias="from")
    days: Annotated[Number, Field(gt=0.0, le=100_000.0)]
    overhead: Annotated[Number, Field(ge=0.0, le=100.0)]


AllocationValue = Literal["manager", "pull"]
CommunicationValue = Literal["chain", "direct"]
CoordinationValue = Literal["meetings", "peer", "none"]
ProblemSolvingValue = Literal["escalate", "experts", "consensus"]
AutonomyValue = Literal["none", "minor", "major"]
AuthorityValue = Literal["manager", "codecision", "consensus"]
ManagementValue = Literal["command", "orient", "none"]
ConfrontationValue = Literal["positive", "none"]


class PolicySpec(Closed):
    """A policy defined in a scenario: a base policy and the mechanisms it changes."""

    base: Name = "cooperative"
    allocation: AllocationValue | None = None
    communication: CommunicationValue | None = None
    shared_space: Flag | None = None
    coordination: CoordinationValue | None = None
    problem_solving: ProblemSolvingValue | None = None
    autonomy: AutonomyValue | None = None
    authority: AuthorityValue | None = None
    management: ManagementValue | None = None
    confrontation: ConfrontationValue | None = None
    # Departments that keep their own way of working under this policy:
    # {department name: policy name} (in-department mechanisms only, like a department's `policy:`).
    departments: dict[Name, Name] | None = None


def _default_policies() -> dict[str, PolicySpec]:
    return {"hybrid": PolicySpec(base="cooperative", problem_solving="escalate")}


class Scenario(Closed):
    """A whole scenario: the organisation, the project, timings and policies.

    Build one with `simulator.load_scenario` (files, built-in names, overrides);
    `source_dir` is where relative `tasks_file` / `people_file` paths are resolved.
    """

    name: Name
    description: str = ""
    seed: Annotated[Count, Field(ge=0, le=2**63 - 1)] = 42
    time: TimeSettings = TimeSettings()
    organisation: Organisation
    project: Project
    timing: Timing = Timing()
    rework: Rework = Rework()
    behaviour: Behaviour = Behaviour()
    transition: Transition | None = None
    policies: dict[str, PolicySpec] = Field(default_factory=_default_policies)
    _source_dir: str | None = PrivateAttr(default=None)
    # People by name from `organisation.people_file` (simulator.people.Roster), once loaded.
    _roster: Any = PrivateAttr(default=None)
    # Uncertain inputs by dotted key (simulator.uncertain.UncertainInput), drawn per run.
    _uncertain: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def roster(self) -> Any:
        """Named people from `organisation.people_file`, or None when counts are used."""
        return self._roster

    @property
    def uncertain(self) -> dict[str, Any]:
        """Uncertain inputs by dotted key (`simulator.uncertain`): each holds its median
        here and is drawn once per replication when the scenario runs."""
        return self._uncertain

    @property
    def source_dir(self) -> str | None:
        """The folder of the scenario file (None for a scenario built in memory)."""
        return self._source_dir

    @property
    def hours_per_day(self) -> float:
        """Working hours in a day."""
        return self.time.hours_per_day
