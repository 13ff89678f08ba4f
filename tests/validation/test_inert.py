"""No silent inert values: on product-launch, every single-mechanism change from every
preset moves some KPI, or `inert_settings` (what `orgsim validate` prints) names it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulator.inert import inert_settings
from simulator.loading import load_scenario, scenario_from_mapping
from simulator.policies import MECHANISMS, PRESETS, mechanism_values
from tests.validation.support import kpis

SEEDS = (1, 2)


def _changes():
    for name, preset in PRESETS.items():
        for mechanism in MECHANISMS:
            for value in mechanism_values(mechanism):
                if value != getattr(preset, mechanism):
                    yield name, mechanism, value


@pytest.fixture(scope="module")
def launch():
    return load_scenario("product-launch")


@pytest.mark.parametrize(("preset", "mechanism", "value"), list(_changes()))
def test_each_change_moves_a_kpi_or_is_named(launch, preset, mechanism, value):
    base = PRESETS[preset]
    changed = replace(base, name=f"{preset} with {mechanism}={value}", **{mechanism: value})
    moved = any(kpis(launch, base, s) != kpis(launch, changed, s) for s in SEEDS)
    named = {w.setting for w in inert_settings(launch, [base, changed])}
    assert moved or mechanism in named, f"{mechanism}={value} changes nothing and is not named"


def test_the_warnings_name_the_policy_the_mechanism_and_why(launch):
    warnings = inert_settings(launch, ["hierarchical", "self_managed"])
    lines = {w.render() for w in warnings}
    assert any(
        line.startswith("warning: policy hierarchical: authority: ")
        and "decided by a manager" in line
        for line in lines
    )
    # A value that acts is never named: hierarchy's escalation does.
    assert not any(w.policy == "hierarchical" and w.setting == "problem_solving" for w in warnings)


def test_a_policy_that_skips_a_level_breaks_the_nesting():
    scn = scenario_from_mapping(
        {
            "name": "nesting",
            "organisation": {"departments": [{"name": "a", "collaborators": 4}]},
            "project": {"tasks": 10},
            "policies": {
                "skipping": {
                    "base": "cooperative",
                    "coordination": "meetings",
                    "shared_space": False,
                }
            },
        }
    )
    found = [w for w in inert_settings(scn, ["skipping", "cooperative"]) if "nest" in w.reason]
    assert [(w.policy, w.setting) for w in found] == [("skipping", "problem_solving")]


def test_keys_a_plan_overrides_are_named(tmp_path):
    scn = scenario_from_mapping(
        {
            "name": "plan",
            "organisation": {"departments": [{"name": "a", "collaborators": 2}]},
            "project": {
                "tasks": [{"id": "t1", "department": "a", "effort_hours": 8}],
                "interdependence": 0.4,
            },
        }
    )
    assert any(
        w.policy is None and w.setting == "project.interdependence" for w in inert_settings(scn)
    )
