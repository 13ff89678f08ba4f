"""Knobs as overrides, and the saved scenario YAML that `orgsim run` accepts."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from dashboards.knobs import SAVED_POLICY, apply_knobs, knobs_of, overrides, scenario_yaml
from simulator.errors import InputError
from simulator.loading import builtin_names, load_scenario
from simulator.policies import PRESETS, resolve_policy


def test_knobs_read_the_scenario_and_unchanged_knobs_change_nothing():
    base = load_scenario("workshop")
    knobs = knobs_of(base)
    assert knobs.problem_rate == 0.04 and knobs.interdependence == 0.4
    assert knobs.headcounts == (10, 6, 6, 2)
    assert overrides(base, knobs) == []
    assert apply_knobs(base, knobs) is base


def test_knobs_become_the_same_overrides_as_the_command_line():
    base = load_scenario("workshop")
    knobs = dataclasses.replace(
        knobs_of(base), problem_rate=0.08, decision_hours=3.0, meeting_interval_days=2.0
    ).with_headcount(3, 4)
    changes = overrides(base, knobs)
    assert changes == [
        "project.problem_rate=0.08",
        "timing.decision_hours.mean=3",
        "timing.meeting_interval_days.mean=2",
        "organisation.departments[3].collaborators=4",
    ]
    applied = apply_knobs(base, knobs)
    assert applied.model_dump() == load_scenario("workshop", changes).model_dump()
    assert applied.timing.decision_hours.dist == base.timing.decision_hours.dist
    assert knobs_of(applied) == knobs


def test_refused_knobs_raise_input_error():
    base = load_scenario("workshop", ["organisation.departments[0].teams=3"])
    with pytest.raises(InputError):
        apply_knobs(base, knobs_of(base).with_headcount(0, 2))  # 3 teams, 2 people


@pytest.mark.parametrize("name", builtin_names())
def test_saved_yaml_loads_back_as_the_same_scenario(name, tmp_path):
    base = load_scenario(name)
    knobs = dataclasses.replace(knobs_of(base), interdependence=0.55)
    scenario = apply_knobs(base, knobs)
    text = scenario_yaml(scenario, PRESETS["cooperative"], seed=17)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    loaded = load_scenario(str(path))
    assert loaded.model_dump() == scenario.model_copy(update={"seed": 17}).model_dump()
    assert "--policy cooperative" in text.splitlines()[1]


def test_mechanisms_switched_during_the_run_become_a_policy(tmp_path):
    scenario = load_scenario("workshop")
    start = resolve_policy("hierarchical", scenario)
    now = {**start.mechanisms(), "communication": "direct", "shared_space": True}
    text = scenario_yaml(
        scenario, start, 3, now, ["engineering 4 (expertise 0.81) left the project"]
    )
    path = tmp_path / "saved.yaml"
    path.write_text(text)
    loaded = load_scenario(str(path))
    policy = resolve_policy(SAVED_POLICY, loaded)
    assert policy.communication == "direct" and policy.shared_space is True
    assert policy.allocation == "manager"  # the rest stays hierarchical
    assert f"--policy {SAVED_POLICY}" in text
    assert "# During the run (not a setting): engineering 4" in text
    assert yaml.safe_load(text)["seed"] == 3
