"""The project network: tasks generated from counts, or taken from an explicit plan."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for building objects that all stay alive.

    Each full collection walks every object of the process (some hundreds of thousands
    after importing Mesa), and building tens of thousands of tasks triggers several: a
    third of the build time at 25,000 tasks, growing faster than the project. A pause
    costs nothing here, since nothing built becomes garbage. Threads may overlap: the one
    that found the collector on turns it back on, so it never stays off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_project(
    scenario: Scenario, seed: int, headcounts: list[int], teams: list[int]
) -> list[Task]:
    """Tasks with precedence and interdependence links, the same for every policy."""
    rng = stream(seed, PROJECT)
    names = [d.name for d in scenario.organisation.departments]
    project = scenario.project
    with collection_paused():
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
    """Tasks from counts: random departments, predecessors, interdependence partners."""
    project = scenario.project
    count = int(project.tasks)  # type: ignore[arg-type]
    tasks, departments = _tasks(scenario, rng, headcounts)
    for task, predecessors in zip(
        tasks, _predecessors(rng, count, project.dependency_density), strict=True
    ):
        task.predecessors = predecessors
    # One uniform per task says whether it seeks an interdependent partner; a seeker's
    # second uniform picks which. Partners consume no randomness, so all draws come
    # first and the partners are found afterwards, in whatever order is cheapest.
    seekers: list[tuple[int, float]] = []
    for i in range(count):
        if rng.random() >= project.interdependence:
            continue
        seekers.append((i, rng.random()))
    predecessors = [task.predecessors for task in tasks]
    for i, j in _partners(departments, predecessors, seekers):
        _link(tasks[i], tasks[j])
    return tasks


def _tasks(
    scenario: Scenario, rng: np.random.Generator, headcounts: list[int]
) -> tuple[list[Task], np.ndarray]:
    """The tasks without precedence or links, and each one's department (in task order)."""
    project = scenario.project
    count = int(project.tasks)  # type: ignore[arg-type]
    departments = np.repeat(np.arange(len(headcounts)), apportion(count, headcounts))
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
    return tasks, departments


DRAW_BLOCK = 4096  # tasks whose predecessor draws are made in one call (bounds memory)


def _predecessors(rng: np.random.Generator, count: int, density: float) -> list[list[int]]:
    """Each task's predecessors: each of the previous LOOKBACK tasks with probability `density`.

    Task i consumes one uniform per earlier task in its window, in order. Drawing a block
    of tasks' uniforms in one call gives the same numbers as one call per task (the
    generator fills arrays draw by draw) without a Python step per draw.
    """
    result: list[list[int]] = []
    for first in range(0, count, DRAW_BLOCK):
        index = np.arange(first, min(first + DRAW_BLOCK, count))
        window = np.minimum(index, LOOKBACK)  # task i draws for tasks i - window .. i - 1
        ends = np.cumsum(window)
        chosen = np.flatnonzero(rng.random(int(ends[-1])) < density)
        owner = np.searchsorted(ends, chosen, side="right")  # position in the block
        earlier = (chosen - (ends - window)[owner] + (index - window)[owner]).tolist()
        bounds = np.searchsorted(owner, np.arange(len(index) + 1)).tolist()
        result.extend(earlier[a:b] for a, b in itertools.pairwise(bounds))
    return result


def _partners(
    departments: np.ndarray, predecessors: list[list[int]], seekers: list[tuple[int, float]]
) -> list[tuple[int, int]]:
    """The partner of each seeker (task i, uniform u), in the seekers' order.

    The rule: list every task j of another department that is neither an ancestor nor a
    descendant of i, in index order, and take the one at int(u * len(list)). Testing
    every j for every seeker is quadratic in Python steps, and so is walking explicit
    ancestor sets: once density * LOOKBACK exceeds about 1, almost every task descends
    from one long chain and has most earlier tasks as ancestors. Bit masks (bit j for
    task j) cost n/64 machine words per operation whatever they hold: the candidates
    before i are the other departments' tasks below i minus i's ancestors, those after
    i the ones above i minus its descendants, so an AND and a popcount count them and
    halving the mask by popcounts finds the chosen one. That is still n * n/64 words in
    all, but at a few nanoseconds a word it stays below the per-task Python work up to
    tens of thousands of tasks (benchmarks/scaling.py).

    A task's ancestor (descendant) mask is built from those of the tasks at most
    LOOKBACK before (after) it, so only a ring of masks is kept, never n masks of n
    bits. Three passes: descendants count the candidates after each seeker; ancestors
    count those before it, which fixes the chosen position and finds it when it lies
    before i; a last pass over descendants finds the positions that lie after i.
    """
    count = len(departments)
    if not seekers:
        return []
    successors: list[list[int]] = [[] for _ in range(count)]
    for i, preds in enumerate(predecessors):
        for p in preds:
            successors[p].append(i)
    # Bit j of others[d] is set when task j is not in department d.
    others = [
        int.from_bytes(np.packbits(departments != d, bitorder="little").tobytes(), "little")
        for d in range(int(departments.max()) + 1)
    ]
    dept = departments.tolist()
    same_before = np.zeros(count, dtype=np.int64)  # tasks of i's department before i
    for d in range(len(others)):
        members = np.flatnonzero(departments == d)
        same_before[members] = np.arange(len(members))
    sizes = np.bincount(departments).tolist()
    same = same_before.tolist()
    seeking = dict(seekers)

    after: dict[int, int] = {}  # candidates after the seeker
    for i, descendants in _closures(successors, reverse=True):
        if i in seeking:
            d = dept[i]
            outside = (count - 1 - i) - (sizes[d] - 1 - same[i])
            after[i] = outside - (descendants & others[d]).bit_count()
    chosen: dict[int, int] = {}
    beyond: dict[int, int] = {}  # seeker -> rank of its partner among those after it
    for i, ancestors in _closures(predecessors, reverse=False):
        if i in seeking:
            d = dept[i]
            excluded = ancestors & others[d]  # ancestors all lie below i
            before = (i - same[i]) - excluded.bit_count()
            total = before + after[i]
            if total == 0:
                continue
            k = int(seeking[i] * total)
            if k < before:
                chosen[i] = _nth_set_bit((others[d] & ((1 << i) - 1)) ^ excluded, k)
            else:
                beyond[i] = k - before
    if beyond:
        for i, descendants in _closures(successors, reverse=True):
            if i in beyond:
                d = dept[i]
                # Shifted so that bit 0 is task i + 1: a shorter mask to search.
                above = (others[d] ^ (descendants & others[d])) >> (i + 1)
                chosen[i] = i + 1 + _nth_set_bit(above, beyond[i])
    return [(i, chosen[i]) for i, _ in seekers if i in chosen]


def _closures(neighbours: list[list[int]], reverse: bool):
    """(i, mask of every task reachable from i through `neighbours`), i in order.

    Forwards over predecessors this gives ancestors, backwards over successors
    descendants. A neighbour is at most LOOKBACK away, so a ring of LOOKBACK + 1 masks
    is enough.
    """
    ring = [0] * (LOOKBACK + 1)
    order = range(len(neighbours) - 1, -1, -1) if reverse else range(len(neighbours))
    for i in order:
        mask = 0
        for n in neighbours[i]:
            mask |= ring[n % (LOOKBACK + 1)] | (1 << n)
        ring[i % (LOOKBACK + 1)] = mask
        yield i, mask


def _nth_set_bit(mask: int, k: int) -> int:
    """The position of the set bit of `mask` with k set bits below it (k < popcount).

    Halving: count the lower half's bits and keep the half that holds the answer, so
    the words touched sum to about twice the mask's length, until one word is left.
    """
    position = 0
    width = mask.bit_length()
    while width > 64:
        half = width >> 1
        low = mask & ((1 << half) - 1)
        below = low.bit_count()
        if k < below:
            mask, width = low, half
        else:
            k -= below
            mask >>= half
            position += half
            width -= half
    for _ in range(k):
        mask &= mask - 1  # drop the lowest set bit
    return position + (mask & -mask).bit_length() - 1


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
