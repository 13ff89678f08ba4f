"""The project network: tasks generated from counts, or taken from an explicit plan."""

from __future__ import annotations

import numpy as np

from simulator.domain import Link, Task
from simulator.randomness import PROJECT, draw, stream
from simulator.schema import Scenario

LOOKBACK = 50  # generated tasks draw predecessors among the previous 50 (DESIGN §5.1)


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder, ties to the first)."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def build_project(
    scenario: Scenario, seed: int, headcounts: list[int], teams: list[int]
) -> list[Task]:
    """Tasks with precedence and interdependence links, the same for every policy."""
    rng = stream(seed, PROJECT)
    names = [d.name for d in scenario.organisation.departments]
    project = scenario.project
    if isinstance(project.tasks, list):
        tasks = _from_plan(scenario, rng, names)
    else:
        tasks = _generate(scenario, rng, headcounts)
    per_department: dict[int, int] = {}
    for task in tasks:
        position = per_department.get(task.department, 0)
        task.team = position % teams[task.department]
        per_department[task.department] = position + 1
        task.pending_predecessors = len(task.predecessors)
        task.base_remaining = task.effort
    for task in tasks:
        for p in task.predecessors:
            tasks[p].successors.append(task.index)
    return tasks


def _from_plan(scenario: Scenario, rng: np.random.Generator, names: list[str]) -> list[Task]:
    plan = scenario.project.tasks
    assert isinstance(plan, list)
    index = {spec.id: i for i, spec in enumerate(plan)}
    tasks = []
    for i, spec in enumerate(plan):
        u = float(rng.random())
        complexity = (
            spec.complexity if spec.complexity is not None else draw(scenario.project.complexity, u)
        )
        tasks.append(
            Task(
                index=i,
                key=spec.id,
                department=names.index(spec.department),
                effort=spec.effort_hours,
                complexity=complexity,
                predecessors=sorted({index[d] for d in spec.depends_on}),
            )
        )
    seen: set[tuple[int, int]] = set()
    for i, spec in enumerate(plan):
        for other in spec.interdependent_with:
            pair = (min(i, index[other]), max(i, index[other]))
            if pair not in seen:
                seen.add(pair)
                _link(tasks[pair[0]], tasks[pair[1]])
    return tasks


def _generate(scenario: Scenario, rng: np.random.Generator, headcounts: list[int]) -> list[Task]:
    project = scenario.project
    count = int(project.tasks)  # type: ignore[arg-type]
    per_department = apportion(count, headcounts)
    departments = np.repeat(np.arange(len(headcounts)), per_department)
    rng.shuffle(departments)
    effort_u = rng.random(count)
    complexity_u = rng.random(count)
    tasks = [
        Task(
            index=i,
            key=f"T{i + 1}",
            department=int(departments[i]),
            effort=draw(project.effort_hours, float(effort_u[i])),
            complexity=draw(project.complexity, float(complexity_u[i])),
        )
        for i in range(count)
    ]
    # Ancestor sets as bit masks, to link interdependent tasks that are not in sequence.
    ancestors = [0] * count
    for i in range(count):
        lo = max(0, i - LOOKBACK)
        draws = rng.random(i - lo)
        preds = [lo + j for j in range(i - lo) if draws[j] < project.dependency_density]
        tasks[i].predecessors = preds
        mask = 0
        for p in preds:
            mask |= ancestors[p] | (1 << p)
        ancestors[i] = mask
    for i in range(count):
        if rng.random() >= project.interdependence:
            continue
        u = rng.random()
        candidates = [
            j
            for j in range(count)
            if departments[j] != departments[i]
            and not (ancestors[i] >> j) & 1
            and not (ancestors[j] >> i) & 1
        ]
        if candidates:
            _link(tasks[i], tasks[candidates[int(u * len(candidates))]])
    return tasks


def _link(a: Task, b: Task) -> None:
    if any(link.partner(a) is b for link in a.links):
        return
    link = Link(first=a, second=b)
    a.links.append(link)
    b.links.append(link)


def critical_path_hours(tasks: list[Task]) -> float:
    """The longest effort chain through the precedence network (no waits of any kind)."""
    finish = [0.0] * len(tasks)
    for task in topological_order(tasks):
        start = max((finish[p] for p in task.predecessors), default=0.0)
        finish[task.index] = start + task.effort
    return max(finish, default=0.0)


def topological_order(tasks: list[Task]) -> list[Task]:
    """The tasks in an order where every task comes after its predecessors."""
    pending = [len(t.predecessors) for t in tasks]
    order = [t for t in tasks if pending[t.index] == 0]
    for task in order:
        for s in task.successors:
            pending[s] -= 1
            if pending[s] == 0:
                order.append(tasks[s])
    return order
