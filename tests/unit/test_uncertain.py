"""Uncertain inputs: how they are written, checked, drawn and carried into a run.

The scenario tests/fixtures/uncertain-workshop.yaml has three uncertain inputs (a
triangular expertise, a truncated normal manager availability, a uniform problem rate).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.errors import InputError
from simulator.loading import load_scenario, parse_scenario, scenario_from_mapping, with_values
from simulator.model import OrgModel
from simulator.uncertain import parse_input, resolve_uncertain, uncertain_draws

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "uncertain-workshop.yaml"
RATE = "project.problem_rate"
AVAILABILITY = "organisation.manager_availability"
EXPERTISE = "organisation.departments[0].expertise"

SMALL = """\
name: small
organisation:
  departments:
    - {name: engineering, collaborators: 4}
  manager_availability: 0.8
project:
  tasks: 10
  problem_rate: 0.02
"""


def with_line(key: str, value: str) -> str:
    """SMALL with `key: value` (key = manager_availability or problem_rate) replaced."""
    old = {"manager_availability": "0.8", "problem_rate": "0.02"}[key]
    return SMALL.replace(f"{key}: {old}", f"{key}: {value}")


# --- loading ---------------------------------------------------------------------------------


def test_the_loaded_scenario_holds_the_medians_and_lists_the_inputs():
    scenario = load_scenario(FIXTURE)
    assert set(scenario.uncertain) == {RATE, AVAILABILITY, EXPERTISE}
    assert scenario.project.problem_rate == pytest.approx((0.01 + 0.08) / 2)
    # Triangular (0.5, 0.65, 0.8) is symmetric: its median is its mode.
    assert scenario.organisation.departments[0].expertise == pytest.approx(0.65)


BAD_SPECS = {
    "inverted range": ("{uncertain: {min: 0.3, max: 0.1}}", "uncertain.min: is above max"),
    "unknown distribution": ("{uncertain: {dist: gamma, mean: 1}}", "unknown distribution"),
    "missing parameter": ("{uncertain: {dist: normal, mean: 0.1}}", "uncertain.sd: required"),
    "negative sd": ("{uncertain: {dist: normal, mean: 0.1, sd: -1, min: 0}}", "uncertain.sd:"),
    "unknown parameter": ("{uncertain: {min: 0, max: 0.1, mode: 0.05}}", "unknown parameter"),
    "not a number": ("{uncertain: {min: 0, max: high}}", "expected a finite number"),
    "mode outside": ("{uncertain: {dist: triangular, min: 0, mode: 2, max: 1}}", "mode:"),
    "lognormal halves": ("{uncertain: {dist: lognormal, median: 1, sd: 1}}", "median and sigma"),
    "not a mapping": ("{uncertain: 3}", "expected {min: A, max: B}"),
    "other keys": ("{uncertain: {min: 0, max: 1}, mean: 2}", "must be the only key"),
}


@pytest.mark.parametrize("spec, expected", BAD_SPECS.values(), ids=BAD_SPECS)
def test_a_bad_specification_is_one_located_line(spec, expected):
    with pytest.raises(InputError) as caught:
        parse_scenario(with_line("problem_rate", spec), source="s.yaml")
    lines = caught.value.lines()
    assert len(lines) == 1
    assert lines[0].startswith("error: s.yaml:8: project.problem_rate")
    assert expected in lines[0]


def test_a_range_that_reaches_an_invalid_value_is_an_error_at_its_line():
    # Availability must be above 0: a range down to 0 reaches an invalid value.
    text = with_line("manager_availability", "{uncertain: {min: 0, max: 0.5}}")
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="s.yaml")
    assert caught.value.lines() == [
        "error: s.yaml:5: organisation.manager_availability: must be more than 0, "
        "at the lowest value of its uncertain range (got 0.0)"
    ]
    # The top end is checked as well, and an unbounded side at its one-in-a-billion value.
    for spec, end in (
        ("{uncertain: {min: 0.5, max: 1.2}}", "highest"),
        ("{uncertain: {dist: normal, mean: 0.6, sd: 0.1}}", "highest"),
    ):
        with pytest.raises(InputError, match=f"at the {end} value"):
            parse_scenario(with_line("manager_availability", spec), source="s.yaml")
    # Truncating the normal makes it valid.
    parse_scenario(
        with_line("manager_availability", "{uncertain: {dist: normal, mean: 0.6, sd: 0.1, max: 1}}")
    )


def test_set_replaces_an_uncertain_input_by_a_fixed_value():
    scenario = load_scenario(FIXTURE, [f"{RATE}=0.03"])
    assert RATE not in scenario.uncertain
    assert scenario.project.problem_rate == 0.03
    assert set(scenario.uncertain) == {AVAILABILITY, EXPERTISE}
    # ... and a --set may make a number uncertain.
    made = load_scenario(FIXTURE, ["project.interdependence={uncertain: {min: 0.2, max: 0.6}}"])
    assert "project.interdependence" in made.uncertain


def test_changed_values_keep_the_other_inputs_uncertain():
    scenario = with_values(load_scenario(FIXTURE), {RATE: 0.05})
    assert set(scenario.uncertain) == {AVAILABILITY, EXPERTISE}
    assert scenario.project.problem_rate == 0.05


# --- drawing -------------------------------------------------------------------------------------


def test_every_policy_of_a_replication_meets_the_same_draws():
    scenario = load_scenario(FIXTURE)
    models = [OrgModel(scenario, policy, rng=11) for policy in ("hierarchical", "self_managed")]
    assert models[0].uncertain_draws == models[1].uncertain_draws
    assert models[0].config.project.problem_rate == models[0].uncertain_draws[RATE]
    assert models[1].config.organisation.manager_availability == pytest.approx(
        models[1].uncertain_draws[AVAILABILITY]
    )


def test_draws_differ_across_seeds_and_repeat_for_a_seed():
    scenario = load_scenario(FIXTURE)
    assert uncertain_draws(scenario, 11) == uncertain_draws(load_scenario(FIXTURE), 11)
    rates = {uncertain_draws(scenario, seed)[RATE] for seed in range(20)}
    assert len(rates) == 20
    assert all(0.01 <= r <= 0.08 for r in rates)
    # Each input has its own stream: the draws of two inputs are not the same quantile.
    draws = [uncertain_draws(scenario, seed) for seed in range(200)]
    rho = stats.spearmanr([d[RATE] for d in draws], [d[AVAILABILITY] for d in draws]).statistic
    assert abs(rho) < 4 / math.sqrt(199)


def problem(path, message, *value):
    raise AssertionError(message)


DISTRIBUTIONS = {
    "uniform": ({"min": 2.0, "max": 5.0}, stats.uniform(2, 3)),
    "triangular": (
        {"dist": "triangular", "min": 1.0, "mode": 2.0, "max": 6.0},
        stats.triang(0.2, loc=1, scale=5),
    ),
    "normal": ({"dist": "normal", "mean": 3.0, "sd": 0.5}, stats.norm(3, 0.5)),
    "truncated normal": (
        {"dist": "normal", "mean": 3.0, "sd": 1.0, "min": 2.5},
        stats.truncnorm(-0.5, math.inf, loc=3, scale=1),
    ),
    "lognormal (median, sigma)": (
        {"dist": "lognormal", "median": 2.0, "sigma": 0.4},
        stats.lognorm(0.4, scale=2.0),
    ),
    "lognormal (mean, sd)": (
        {"dist": "lognormal", "mean": 4.0, "sd": 2.0},
        stats.lognorm(math.sqrt(math.log(1.25)), scale=4.0 / math.sqrt(1.25)),
    ),
}


@pytest.mark.parametrize("spec, law", DISTRIBUTIONS.values(), ids=DISTRIBUTIONS)
def test_draws_follow_their_distribution(spec, law):
    item = parse_input(("project", "interdependence"), {"uncertain": spec}, problem)
    n = 3000
    values = np.array([item.draw(seed) for seed in range(n)])
    assert abs(values.mean() - law.mean()) < 4 * law.std() / math.sqrt(n)
    # The spread as well: the sample variance within 4 of its standard errors (the
    # variance of s² is (μ4 − σ⁴·(n−3)/(n−1)) / n).
    mu4 = law.moment(4) - 4 * law.mean() * law.moment(3) + 6 * law.mean() ** 2 * law.moment(2)
    mu4 -= 3 * law.mean() ** 4
    se = math.sqrt((mu4 - law.var() ** 2 * (n - 3) / (n - 1)) / n)
    assert abs(values.var(ddof=1) - law.var()) < 4 * se


def test_whole_number_fields_take_rounded_draws():
    scenario = load_scenario(
        FIXTURE, ["organisation.departments[1].collaborators={uncertain: {min: 2, max: 7}}"]
    )
    counts = {
        resolve_uncertain(scenario, seed)[0].organisation.departments[1].collaborators
        for seed in range(40)
    }
    assert counts == set(range(2, 8))


# --- running -------------------------------------------------------------------------------------


def test_a_scenario_without_uncertain_inputs_is_run_as_it_is():
    scenario = load_scenario("workshop")
    resolved, draws = resolve_uncertain(scenario, 7)
    assert resolved is scenario
    assert draws == {}


def test_a_run_is_the_run_of_the_scenario_with_the_drawn_values():
    scenario = load_scenario(FIXTURE)
    model = OrgModel(scenario, "cooperative", rng=4, collect_kpis=False)
    model.run_to_end()
    fixed = load_scenario(FIXTURE, [f"{k}={v!r}" for k, v in model.uncertain_draws.items()])
    assert fixed.uncertain == {}
    again = OrgModel(fixed, "cooperative", rng=4, collect_kpis=False)
    again.run_to_end()
    assert again.kpis() == model.kpis()


def test_the_example_of_docs_scenarios_loads_with_its_four_inputs():
    import re

    import yaml

    text = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()
    section = text.split("## Uncertain inputs", 1)[1].split("\n## ", 1)[0]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, flags=re.S).group(1))
    data = yaml.safe_load(SMALL)
    data["project"].update(example["project"])
    data["organisation"].update(example["organisation"])
    data["timing"] = example["timing"]
    scenario = scenario_from_mapping(data)
    assert set(scenario.uncertain) == {
        RATE,
        AVAILABILITY,
        EXPERTISE,
        "timing.decision_hours.mean",
    }
    assert scenario.timing.decision_hours.mean == pytest.approx(4.0)  # the lognormal's median


def test_a_sweep_records_each_runs_draws_apart_from_its_swept_keys(tmp_path):
    from experiments import run_sweep
    from experiments.runs_table import input_column, parameter_columns

    runs = run_sweep(
        {
            "name": "uncertain",
            "scenario": str(FIXTURE),
            "policies": ["hierarchical", "cooperative"],
            "replications": 2,
            "parameters": {"project.interdependence": [0.2, 0.5]},
        },
        out=tmp_path / "uncertain",
        workers=1,
    )
    assert parameter_columns(runs) == ["project.interdependence"]
    scenario = load_scenario(FIXTURE)
    for _, row in runs.iterrows():
        draws = uncertain_draws(scenario, int(row["seed"]))
        assert row[input_column(RATE)] == draws[RATE]
        assert row[input_column(AVAILABILITY)] == draws[AVAILABILITY]


def test_an_uncertain_value_that_a_plan_overrides_is_an_error():
    text = SMALL.replace(
        "  tasks: 10\n",
        "  tasks:\n    - {id: a, department: engineering, effort_hours: 8}\n"
        "  interdependence: {uncertain: {min: 0.1, max: 0.5}}\n",
    )
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="s.yaml")
    assert caught.value.lines() == [
        "error: s.yaml:9: project.interdependence: the plan gives the tasks: "
        "an uncertain value would not be used"
    ]


def test_an_uncertain_input_reused_through_an_alias_is_an_error():
    text = SMALL.replace(
        "  problem_rate: 0.02\n",
        "  problem_rate: &rate {uncertain: {min: 0.01, max: 0.05}}\n  interdependence: *rate\n",
    )
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="s.yaml")
    assert caught.value.lines() == [
        "error: s.yaml:9: project.interdependence: an uncertain input cannot be reused "
        "through an alias"
    ]
