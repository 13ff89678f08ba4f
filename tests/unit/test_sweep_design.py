"""Axes and designs: which cells an experiment file gives, and which runs and seeds follow."""

from __future__ import annotations

import itertools
import math

import pytest

from experiments.design import build_design
from experiments.plan import make_plan
from experiments.spec import experiment_from_mapping


def experiment(parameters=None, **keys):
    data = {"name": "t", "scenario": "workshop", "policies": ["hierarchical", "cooperative"]}
    data.update(keys)
    if parameters is not None:
        data["parameters"] = parameters
    return experiment_from_mapping(data)


def levels(spec):
    """The levels of one axis written as `spec`."""
    return experiment({"project.problem_rate": spec}).axes[0].levels


# --- axis forms -------------------------------------------------------------------------------


def test_values_keep_their_order_and_types():
    assert levels({"values": [0.04, 0.01, 0.02]}) == (0.04, 0.01, 0.02)
    assert levels([1, 2]) == (1, 2)  # a bare list is shorthand for values
    assert levels(0.05) == (0.05,)  # a bare scalar is a constant of the experiment


@pytest.mark.parametrize(
    ("start", "stop", "step", "expected"),
    [
        (0.0, 0.6, 0.2, (0.0, 0.2, 0.4, 0.6)),  # 0.6 itself, not 0.6000000000000001
        (0.1, 0.3, 0.1, (0.1, 0.2, 0.3)),
        (0, 10, 5, (0, 5, 10)),  # whole numbers stay whole
        (1.0, 0.0, -0.25, (1.0, 0.75, 0.5, 0.25, 0.0)),
        (0.0, 1.0, 0.3, (0.0, 0.3, 0.6, 0.9)),  # n = round(3.33) + 1 = 4: `to` is not forced
        (0.0, 1.0, 0.4, (0.0, 0.4, 0.8)),  # n = round(2.5) + 1 = 3 (round half to even)
        (5, 5, 1, (5,)),
    ],
)
def test_ranges_are_inclusive_with_the_rounding_rule(start, stop, step, expected):
    found = levels({"from": start, "to": stop, "step": step})
    assert found == expected
    n = round((stop - start) / step) + 1
    assert len(found) == n
    for i, value in enumerate(found):
        assert value == float(f"{start + i * step:.12g}")
    if all(isinstance(v, int) for v in (start, stop, step)):
        assert all(isinstance(v, int) for v in found)


def test_linspace_and_logspace():
    assert levels({"linspace": [1, 4, 4]}) == (1, 2, 3, 4)
    assert levels({"linspace": [0.0, 1.0, 3]}) == (0.0, 0.5, 1.0)
    # logspace takes the values themselves, geometrically spaced (not exponents).
    assert levels({"logspace": [0.001, 0.1, 3]}) == (0.001, 0.01, 0.1)


def test_bounds_are_for_sampled_designs():
    axis = experiment(
        {"project.problem_rate": {"min": 0.01, "max": 0.05}}, design="lhs", samples=4
    ).axes[0]
    assert (axis.low, axis.high, axis.integer, axis.levels) == (0.01, 0.05, False, None)
    whole = experiment({"project.tasks": {"min": 20, "max": 40}}, design="lhs", samples=4).axes[0]
    assert whole.integer


# --- designs ---------------------------------------------------------------------------------------


def test_factorial_is_every_combination_first_axis_slowest():
    found = build_design(
        experiment(
            {"project.problem_rate": [0.01, 0.02], "policy.autonomy": ["none", "minor", "major"]}
        )
    )
    assert found.keys == ("project.problem_rate", "policy.autonomy")
    assert found.cells == tuple(itertools.product([0.01, 0.02], ["none", "minor", "major"]))


def test_empty_parameters_give_one_cell():
    for parameters in (None, {}):
        found = build_design(experiment(parameters))
        assert found.cells == ((),)
        assert found.keys == ()


def test_zip_pairs_levels_and_broadcasts_constants():
    found = build_design(
        experiment(
            {
                "project.problem_rate": [0.01, 0.02, 0.04],
                "project.tasks": 40,
                "project.interdependence": [0.1, 0.2, 0.3],
            },
            design="zip",
        )
    )
    assert found.cells == ((0.01, 40, 0.1), (0.02, 40, 0.2), (0.04, 40, 0.3))


def test_cases_are_listed_and_missing_keys_keep_the_scenario_value():
    found = build_design(
        experiment(
            [
                {"project.problem_rate": 0.01, "policy.autonomy": "none"},
                {"project.problem_rate": 0.05},
            ],
            design="cases",
        )
    )
    assert found.keys == ("project.problem_rate", "policy.autonomy")
    assert found.cells == ((0.01, "none"), (0.05, None))


def test_lhs_draws_samples_within_bounds_and_levels():
    found = build_design(
        experiment(
            {
                "project.problem_rate": {"min": 0.01, "max": 0.05},
                "organisation.lateral_links": {"min": 0, "max": 4},
                "policy.autonomy": ["none", "minor", "major"],
                "project.tasks": 30,
            },
            design="lhs",
            samples=30,
            seed=5,
        )
    )
    assert len(found) == 30
    assert found.factors == (
        "project.problem_rate",
        "organisation.lateral_links",
        "policy.autonomy",
    )
    rates = [c[0] for c in found.cells]
    links = [c[1] for c in found.cells]
    assert all(0.01 <= r <= 0.05 for r in rates)
    assert set(links) <= {0, 1, 2, 3, 4} and all(isinstance(v, int) for v in links)
    assert {c[2] for c in found.cells} == {"none", "minor", "major"}  # categorical levels
    assert {c[3] for c in found.cells} == {30}  # a constant is not a factor
    # Latin hypercube: one draw in each of the 30 strata of every factor.
    strata = sorted(math.floor((r - 0.01) / 0.04 * 30) for r in rates)
    assert strata == list(range(30))


def test_sobol_and_morris_sizes_follow_salib():
    axes = {
        "project.problem_rate": {"min": 0.01, "max": 0.05},
        "project.interdependence": {"min": 0.0, "max": 0.6},
    }
    sobol = build_design(experiment(axes, design="sobol", samples=8))
    assert len(sobol) == 8 * (2 + 2)  # N × (D + 2), no second-order indices
    morris = build_design(experiment(axes, design="morris", samples=5, levels=4))
    assert len(morris) == 5 * (2 + 1)  # trajectories × (D + 1)
    grid = {round(x, 9) for row in morris.samples for x in (row[0],)}
    assert grid <= {round(0.01 + k * 0.04 / 3, 9) for k in range(4)}  # 4 Morris levels


def test_sampled_designs_are_reproducible_from_the_seed():
    axes = {"project.problem_rate": {"min": 0.01, "max": 0.05}}
    first = build_design(experiment(axes, design="lhs", samples=6, seed=3))
    again = build_design(experiment(axes, design="lhs", samples=6, seed=3))
    other = build_design(experiment(axes, design="lhs", samples=6, seed=4))
    assert first == again
    assert first.cells != other.cells


def test_the_sampling_seed_draws_the_points_apart_from_the_replication_seeds():
    from SALib.sample import latin

    axes = {"project.problem_rate": {"min": 0.01, "max": 0.05}}
    pinned = build_design(experiment(axes, design="lhs", samples=6, seed=3, sampling_seed=7))
    reseeded = build_design(experiment(axes, design="lhs", samples=6, seed=4, sampling_seed=7))
    assert pinned == reseeded  # other replication seeds, the same points
    other = build_design(experiment(axes, design="lhs", samples=6, seed=3, sampling_seed=8))
    assert other.cells != pinned.cells
    # Without it the points are drawn from `seed`, as before the key existed.
    default = build_design(experiment(axes, design="lhs", samples=6, seed=3))
    problem = {"num_vars": 1, "names": ["project.problem_rate"], "bounds": [[0.01, 0.05]]}
    assert default.samples == tuple(tuple(row) for row in latin.sample(problem, 6, seed=3))


def test_the_sampling_seed_keeps_the_identity_of_older_files():
    axes = {"project.problem_rate": {"min": 0.01, "max": 0.05}}
    before = experiment(axes, design="lhs", samples=6, seed=3)
    assert "sampling_seed" not in before.canonical()
    # Naming the seed it already uses changes neither the points nor the identity.
    same = experiment(axes, design="lhs", samples=6, seed=3, sampling_seed=3)
    assert same.fingerprint() == before.fingerprint()
    moved = experiment(axes, design="lhs", samples=6, seed=3, sampling_seed=5)
    assert moved.fingerprint() != before.fingerprint()
    assert moved.canonical()["sampling_seed"] == 5


# --- runs and seeds ---------------------------------------------------------------------------------


def test_runs_share_seeds_across_policies_and_cells():
    plan = make_plan(
        experiment(
            {"project.problem_rate": [0.01, 0.02], "project.tasks": 30}, replications=3, seed=100
        )
    )
    assert plan.run_count == 2 * 2 * 3
    runs = [plan.run(i) for i in range(plan.run_count)]
    assert [r.run_id for r in runs] == list(range(plan.run_count))
    for r in runs:
        assert r.seed == 100 + r.replicate
        assert plan.run_id(r.cell_id, r.replicate, r.policy_index) == r.run_id
    combos = {(r.cell_id, r.policy, r.replicate) for r in runs}
    assert len(combos) == plan.run_count


def test_the_seed_defaults_to_the_scenarios():
    plan = make_plan(experiment(replications=2))
    assert plan.base_seed == plan.base_scenario.seed


def test_mechanism_axes_change_the_policy_of_a_cell():
    plan = make_plan(experiment({"policy.autonomy": ["major"], "project.tasks": 30}))
    _, policies = plan.cell_setup(0)
    assert [p.name for p in policies] == ["hierarchical", "cooperative"]
    assert all(p.autonomy == "major" for p in policies)
    assert policies[0].problem_solving == "escalate"  # the rest of the policy is kept


def test_scenario_axes_change_the_scenario_of_a_cell():
    plan = make_plan(
        experiment({"organisation.departments[engineering].teams": [1, 2], "project.tasks": 30})
    )
    assert plan.cell_setup(1)[0].organisation.departments[0].teams == 2
    assert plan.cell_setup(0)[0].project.tasks == 30
