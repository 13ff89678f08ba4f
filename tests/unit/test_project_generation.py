"""Generated projects are exactly those of the straightforward all-pairs rule.

The generator finds interdependence partners with bit masks instead of testing every
pair; `reference_generate` is the all-pairs version it replaced, kept here as the
definition. The same seed must give the same tasks, predecessors and links (the same
partner, linked in the same order), or every KPI downstream would change.

The build also pauses the garbage collector; it must always be left as it was found.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.domain import Link, Task
from simulator.loading import load_scenario
from simulator.project import LOOKBACK, _generate, _nth_set_bit, _tasks, collection_paused
from simulator.randomness import PROJECT, stream
from simulator.schema import Scenario

BASE = load_scenario("product-launch")

SETTINGS = settings(
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def reference_generate(
    scenario: Scenario, rng: np.random.Generator, headcounts: list[int]
) -> list[Task]:
    """Predecessors one task at a time, then the partner rule one pair at a time: for a
    task that seeks a partner, list every task of another department that is neither
    its ancestor nor its descendant, in index order, and take the one at
    int(u * len(list)). (The tasks themselves come from the generator's own `_tasks`.)"""
    project = scenario.project
    count = int(project.tasks)
    tasks, departments = _tasks(scenario, rng, headcounts)
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
            a, b = tasks[i], tasks[candidates[int(u * len(candidates))]]
            if not any(link.partner(a) is b for link in a.links):
                link = Link(first=a, second=b)
                a.links.append(link)
                b.links.append(link)
    return tasks


def scenario_with(tasks: int, density: float, interdependence: float) -> Scenario:
    project = BASE.project.model_copy(
        update={
            "tasks": tasks,
            "dependency_density": density,
            "interdependence": interdependence,
        }
    )
    return BASE.model_copy(update={"project": project})


def described(tasks: list[Task]) -> list[tuple]:
    """Everything generation decides about each task, links in the order they were made."""
    return [
        (
            t.index,
            t.key,
            t.department,
            t.effort,
            t.complexity,
            t.predecessors,
            [(link.first.index, link.second.index) for link in t.links],
        )
        for t in tasks
    ]


def assert_same(tasks: int, density: float, interdependence: float, heads: list[int], seed: int):
    scenario = scenario_with(tasks, density, interdependence)
    expected = described(reference_generate(scenario, stream(seed, PROJECT), heads))
    assert described(_generate(scenario, stream(seed, PROJECT), heads)) == expected


@SETTINGS
@given(
    tasks=st.integers(1, 220),
    density=st.one_of(st.sampled_from([0.0, 0.012, 0.04, 0.2, 1.0]), st.floats(0.0, 1.0)),
    interdependence=st.one_of(st.sampled_from([0.0, 0.3, 1.0]), st.floats(0.0, 1.0)),
    heads=st.lists(st.integers(1, 15), min_size=1, max_size=5),
    seed=st.integers(0, 2**32),
)
def test_generation_matches_the_all_pairs_rule(tasks, density, interdependence, heads, seed):
    assert_same(tasks, density, interdependence, heads, seed)


@pytest.mark.parametrize(
    ("tasks", "density", "interdependence", "heads"),
    [
        (300, 0.04, 1.0, [5]),  # one department: nobody to link with
        (300, 1.0, 1.0, [3, 4]),  # one chain: every pair is in sequence, no links
        (300, 0.0, 1.0, [3, 4, 2]),  # no precedence: anyone of another department
        (300, 0.04, 0.0, [3, 4]),  # no interdependence
        (300, 0.5, 1.0, [1, 1]),
        (1500, 0.012, 0.25, [80, 30, 60, 20, 30, 40, 20, 10]),  # transformation-programme
        (1500, 0.04, 0.3, [12, 5, 6, 2]),  # product-launch
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_edge_cases_and_larger_projects_match(tasks, density, interdependence, heads, seed):
    assert_same(tasks, density, interdependence, heads, seed)


@SETTINGS
@given(st.integers(1, 2**300), st.data())
def test_nth_set_bit_finds_the_bit_with_k_set_bits_below(mask, data):
    positions = [b for b in range(mask.bit_length()) if (mask >> b) & 1]
    k = data.draw(st.integers(0, len(positions) - 1))
    assert _nth_set_bit(mask, k) == positions[k]


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_left_as_it_was_found(enabled):
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with collection_paused():
            assert not gc.isenabled()
        assert gc.isenabled() == enabled
        with pytest.raises(RuntimeError), collection_paused():
            raise RuntimeError
        assert gc.isenabled() == enabled
    finally:
        gc.enable() if was else gc.disable()
