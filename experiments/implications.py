"""What a scenario's numbers imply, worked out by hand before anything runs.

`orgsim validate` prints these figures so that a trainer sees at once whether the
hierarchy will drown in problems. They are back-of-the-envelope estimates, not
simulation results:

* a collaborator of department d working on a task of complexity c meets problems at the
  rate `problem_rate × c × 2 × (1 − expertise_d)` per working hour (the model's hazard,
  `simulator.domain.problem_rate_per_hour`), so a task of `effort` hours raises
  `problem_rate × c × 2 × (1 − expertise_d) × effort` problems on average (first pass;
  rework adds a little);
* under `problem_solving: escalate` with `autonomy: none` (the hierarchical preset) every
  problem goes to the collaborator's first-line manager: the department manager, or the
  team leads when the department has several teams;
* the project lasts at least `T`, the longer of the plan's critical path walked at the
  collaborators' `project_share` (a task of effort E held by someone on the project a share
  s of the day takes E / s hours) and each department's work over its capacity
  (`effort_d / (n_d × s_d)`); the plan is the scenario's own (a count of tasks is built
  with the scenario's seed, as a run builds it);
* department d's expected problems spread over that time: `λ_d = problems_d / T` per hour,
  never more than its collaborators working all their project time could raise,
  `n_d × s_d × hazard_d` (the plan's parallelism, not everyone at once);
* each decision takes the department's `decision_hours.mean`, so a first-line manager
  spends a share `min(a, λ × decision_hours)` of the working day deciding (λ per manager,
  a its `manager_availability`: the simulated `manager_utilization` counts the same way),
  which is `λ × decision_hours / a` of the time they give the project. Both are upper
  bounds: T is the shortest the project can take (no waits), a blocked collaborator raises
  no problems, and problems in another department's field are passed up rather than
  decided. Assignments, relays and meetings are not counted;
* rework raises problems like any work, so rework can breed rework: a rework pass of a
  task of effort E is `rework.fraction × E` hours, meets `hazard × fraction × E` problems,
  and each, settled by a collaborator alone at quality = their expertise, gives rework
  with probability `(1 − expertise) × w̄` (w̄: the severity weights averaged over the
  severity mix). When the product (the branching factor) reaches 1 the largest tasks may
  never finish; it is computed for the 95th-percentile effort.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.domain import problem_rate_per_hour

if TYPE_CHECKING:
    from simulator.schema import Scenario

WEEK_DAYS = 5
BOTTLENECK_UTILISATION = 0.9
LARGE_TASK_QUANTILE = 0.95


def people_count(scenario: Scenario) -> int:
    """Everyone on the project: collaborators, one manager per department, one team lead per
    team when a department has more than one team, and the director if there is one."""
    organisation = scenario.organisation
    people = 0
    for department in organisation.departments:
        people += (department.collaborators or 0) + 1
        if department.teams > 1:
            people += department.teams
    return people + (1 if organisation.director else 0)


def task_count(scenario: Scenario) -> int:
    """The number of tasks: the count, or the length of the explicit plan."""
    tasks = scenario.project.tasks
    if isinstance(tasks, list):
        return len(tasks)
    return int(tasks or 0)


# Problems per working hour of one collaborator: the model's own formula.
problem_hazard = problem_rate_per_hour


def problems_per_task(
    problem_rate: float, complexity: float, expertise: float, effort_hours: float
) -> float:
    """Expected problems over a task of `effort_hours`: hazard × effort (first pass)."""
    return problem_hazard(problem_rate, complexity, expertise) * effort_hours


def escalation_rate(
    collaborators: int, problem_rate: float, complexity: float, expertise: float
) -> float:
    """λ_d: problems per hour from a department's collaborators all working full time,
    `n_d × problem_rate × complexity × 2 × (1 − expertise_d)`."""
    return collaborators * problem_hazard(problem_rate, complexity, expertise)


def decision_share(rate_per_hour: float, decision_hours: float, availability: float = 1.0) -> float:
    """Share of the time a manager gives the project spent deciding,
    `min(1, λ × decision_hours / availability)`: the offered load of a single server that is
    there `availability` of the day, capped at 1 (past 1 the queue grows without bound)."""
    return min(1.0, rate_per_hour * decision_hours / availability)


def shortest_duration(scenario: Scenario) -> float:
    """T, in working hours: the longer of the plan's critical path at the collaborators'
    project shares and each department's work over its capacity (see module doc)."""
    from simulator.project import build_project, topological_order

    org = scenario.organisation
    departments = org.departments
    headcounts = [d.collaborators or 0 for d in departments]
    if any(n == 0 for n in headcounts):  # a people file gives the people: one each, at least
        headcounts = [max(n, 1) for n in headcounts]
    tasks = build_project(scenario, scenario.seed, headcounts, [d.teams for d in departments])
    shares = [project_share(scenario, i) for i in range(len(departments))]
    finish = [0.0] * len(tasks)
    for task in topological_order(tasks):
        start = max((finish[p] for p in task.predecessors), default=0.0)
        finish[task.index] = start + task.effort / shares[task.department]
    effort = [0.0] * len(departments)
    for task in tasks:
        effort[task.department] += task.effort
    capacity = max(
        (e / (n * s) for e, n, s in zip(effort, headcounts, shares, strict=True) if n > 0),
        default=0.0,
    )
    return max(max(finish, default=0.0), capacity)


def project_share(scenario: Scenario, department: int) -> float:
    """The share of a collaborator's day on the project in a department."""
    own = scenario.organisation.departments[department].project_share
    return own if own is not None else scenario.organisation.project_share


def manager_availability(scenario: Scenario, department: int) -> float:
    """The share of a department's managers' day on the project."""
    own = scenario.organisation.departments[department].manager_availability
    return own if own is not None else scenario.organisation.manager_availability


@dataclass(frozen=True)
class DepartmentLoad:
    """The expected problems of one department and the load they put on its managers.

    `rate_per_manager` and `manager_share` are per first-line manager (the department
    manager, or each of `first_line_managers` team leads), under escalate.
    """

    name: str
    collaborators: int
    expertise: float
    tasks: int
    problems_per_task: float
    expected_problems: float
    first_line_managers: int
    department_rate: float
    rate_per_manager: float
    problems_per_manager_week: float
    manager_share: float  # of the time the manager gives the project, deciding
    large_task_hours: float = 0.0
    rework_branching: float = 0.0
    availability: float = 1.0  # the managers' share of the day on the project
    project_share: float = 1.0  # the collaborators' share
    decision_hours: float = 0.0  # mean hours per decision in this department

    @property
    def manager_utilisation(self) -> float:
        """Share of the working day deciding (as the `manager_utilization` KPI counts)."""
        return self.manager_share * self.availability

    @property
    def rework_spiral(self) -> bool:
        """Whether rework on the largest tasks may breed rework without end."""
        return self.rework_branching >= 1.0

    @property
    def bottleneck(self) -> bool:
        """Whether deciding alone would keep a first-line manager busy over 90% of the time
        they give the project."""
        return self.manager_share > BOTTLENECK_UTILISATION


@dataclass(frozen=True)
class Implications:
    """What the scenario implies, department by department."""

    scenario: str
    people: int
    tasks: int
    departments: list[DepartmentLoad]
    decision_hours: float
    hours_per_day: float

    @property
    def expected_problems(self) -> float:
        """Total expected problems over the project (first pass)."""
        return sum(d.expected_problems for d in self.departments)

    @property
    def bottlenecks(self) -> list[DepartmentLoad]:
        """Departments whose first-line managers would be over 90% busy deciding."""
        return [d for d in self.departments if d.bottleneck]


def tasks_by_department(scenario: Scenario) -> list[list[tuple[float, float]]]:
    """(effort hours, complexity) of each task, by department (expected values for a count).

    A count of tasks is shared among departments in proportion to their collaborators, as the
    model does (`simulator.project.apportion`); each generated task has the mean effort and
    complexity. A plan gives each task's effort, and its complexity or the mean.
    """
    from simulator.project import apportion

    departments = scenario.organisation.departments
    project = scenario.project
    complexity = project.complexity.mean
    by_department: list[list[tuple[float, float]]] = [[] for _ in departments]
    if isinstance(project.tasks, list):
        index = {d.name: i for i, d in enumerate(departments)}
        for task in project.tasks:
            own = task.complexity if task.complexity is not None else complexity
            by_department[index[task.department]].append((task.effort_hours, own))
    else:
        counts = apportion(task_count(scenario), [d.collaborators or 0 for d in departments])
        for i, count in enumerate(counts):
            by_department[i] = [(project.effort_hours.mean, complexity)] * count
    return by_department


def implications(scenario: Scenario) -> Implications:
    """Expected problems per department and manager load under escalate (see module doc)."""
    project = scenario.project
    decision_hours = scenario.timing.decision_hours.mean
    hours_per_day = scenario.time.hours_per_day
    duration = shortest_duration(scenario)
    loads = []
    for index, (department, tasks) in enumerate(
        zip(scenario.organisation.departments, tasks_by_department(scenario), strict=True)
    ):
        expertise = department.expertise
        expected = sum(
            problems_per_task(project.problem_rate, c, expertise, effort) for effort, c in tasks
        )
        per_task = (
            expected / len(tasks)
            if tasks
            else problems_per_task(
                project.problem_rate, project.complexity.mean, expertise, project.effort_hours.mean
            )
        )
        collaborators = department.collaborators or 0
        share = project_share(scenario, index)
        availability = manager_availability(scenario, index)
        deciding = (department.decision_hours or scenario.timing.decision_hours).mean
        # The plan's parallelism: the department's problems spread over the project's
        # shortest duration, at most what all its collaborators' project time could raise.
        everyone = share * escalation_rate(
            collaborators, project.problem_rate, project.complexity.mean, expertise
        )
        rate = min(everyone, expected / duration) if duration > 0 else everyone
        managers = department.teams if department.teams > 1 else 1
        per_manager = rate / managers
        large = _large_task(tasks, scenario)
        branching = rework_branching(scenario, expertise, *large)
        loads.append(
            DepartmentLoad(
                name=department.name,
                collaborators=collaborators,
                expertise=expertise,
                tasks=len(tasks),
                problems_per_task=per_task,
                expected_problems=expected,
                first_line_managers=managers,
                department_rate=rate,
                rate_per_manager=per_manager,
                problems_per_manager_week=per_manager * hours_per_day * WEEK_DAYS,
                manager_share=decision_share(per_manager, deciding, availability),
                large_task_hours=large[0],
                rework_branching=branching,
                availability=availability,
                project_share=share,
                decision_hours=deciding,
            )
        )
    return Implications(
        scenario=scenario.name,
        people=people_count(scenario),
        tasks=task_count(scenario),
        departments=loads,
        decision_hours=decision_hours,
        hours_per_day=hours_per_day,
    )


def _large_task(tasks: list[tuple[float, float]], scenario: Scenario) -> tuple[float, float]:
    """(effort, complexity) of a large task: the 95th percentile of the plan or the law."""
    if isinstance(scenario.project.tasks, list):
        if not tasks:
            return (0.0, scenario.project.complexity.mean)
        ranked = sorted(tasks)
        return ranked[min(len(ranked) - 1, int(LARGE_TASK_QUANTILE * len(ranked)))]
    from simulator.randomness import draw

    project = scenario.project
    return (draw(project.effort_hours, LARGE_TASK_QUANTILE), project.complexity.mean)


def rework_branching(
    scenario: Scenario, expertise: float, effort: float, complexity: float
) -> float:
    """Expected rework passes bred by one rework pass of a task (see module doc)."""
    project, rework = scenario.project, scenario.rework
    weights = rework.severity_weight
    mix = project.severity
    mean_weight = (
        mix.minor * weights.minor + mix.major * weights.major + mix.critical * weights.critical
    )
    problems = problems_per_task(
        project.problem_rate, complexity, expertise, rework.fraction * effort
    )
    return problems * (1.0 - expertise) * mean_weight


def describe(found: Implications) -> list[str]:
    """The implications as short lines of text (indented under the file they belong to)."""
    width = max(len(d.name) for d in found.departments)
    lines = [
        f"  expected problems (first pass, rework aside): {found.expected_problems:.1f} in all"
    ]
    for d in found.departments:
        lines.append(
            f"    {d.name:<{width}}  {d.tasks:>5} task{'' if d.tasks == 1 else 's'}"
            f" × {d.problems_per_task:.2f} per task"
            f" = {d.expected_problems:.1f}"
        )
    lines.append(
        "  under escalate (hierarchical: every problem goes to the first-line manager),"
        "\n  problems spread over the shortest the plan allows at everyone's project share:"
    )
    for d in found.departments:
        who = (
            "manager"
            if d.first_line_managers == 1
            else f"team lead (one of {d.first_line_managers})"
        )
        lines.append(
            f"    {d.name:<{width}}  {who}: {d.problems_per_manager_week:.1f} problems a week"
            f" × {d.decision_hours:g} h, busy deciding up to"
            f" {100 * d.manager_utilisation:.0f}% of the day"
            + (
                f" ({100 * d.manager_share:.0f}% of the {100 * d.availability:.0f}% they are there)"
                if d.availability < 1
                else ""
            )
        )
    lines.append(
        "    (upper bounds on deciding: the project may take longer, a blocked collaborator"
        "\n     raises no problems; assignments, relays and meetings are not counted)"
    )
    for d in found.departments:
        if d.rework_spiral:
            lines.append(
                f"  warning: {d.name}: on a large task ({d.large_task_hours:.0f} h) each rework pass"
                f" breeds {d.rework_branching:.2f} more when collaborators settle problems alone:"
                " rework may spiral and the task never finish"
            )
    for d in found.bottlenecks:
        lines.append(
            f"  warning: {d.name}: deciding alone would keep its first-line manager busy"
            f" {100 * d.manager_share:.0f}% of the time they give the project: the hierarchy"
            " will be the bottleneck"
        )
    return lines
