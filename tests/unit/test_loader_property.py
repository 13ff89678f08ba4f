"""Whatever it is given, the loader returns a Scenario or raises a well-formed InputError.

Hypothesis feeds `scenario_from_mapping` arbitrary nested mappings and mutations of a
valid scenario (keys replaced by values of other types, deleted, added), `--set` strings,
and arbitrary text to the YAML, TOML and CSV readers. Any other exception (a TypeError
deep in a validator, a RecursionError, a KeyError in a cross-field check) is a bug: bad
input must never give a traceback (DESIGN §10). Derandomised, so CI runs are repeatable.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.errors import InputError
from simulator.loading import parse_plan_csv, parse_scenario, scenario_from_mapping
from simulator.schema import Scenario

SETTINGS = settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# No file named by a generated tasks_file / people_file can exist here.
NOWHERE = Path("/nonexistent-orgsim-property-test")
NOISE = ("<class", "Traceback", "pydantic", "input_value", "type=", "Input should")
LINE = re.compile(r"^error: (--set .+|[^\n]+?): ")

VALID: dict[str, Any] = {
    "name": "valid",
    "seed": 3,
    "time": {"hours_per_day": 8, "horizon_days": 100},
    "organisation": {
        "departments": [
            {"name": "engineering", "collaborators": 4, "teams": 2, "expertise": 0.7},
            {"name": "legal", "collaborators": 2, "policy": "lean"},
        ],
        "manager_availability": 0.8,
        "lateral_links": 1,
        "cost_per_hour": {"collaborator": 50},
    },
    "project": {
        "tasks": [
            {"id": "spec", "department": "engineering", "effort_hours": 8},
            {"id": "review", "department": "legal", "effort_hours": 4, "depends_on": ["spec"]},
            {
                "id": "build",
                "department": "engineering",
                "effort_hours": 16,
                "depends_on": ["spec"],
                "interdependent_with": ["review"],
                "complexity": 1.2,
            },
        ],
        "effort_hours": {"dist": "lognormal", "mean": 24, "cv": 0.5},
        "severity": {"minor": 0.5, "major": 0.4, "critical": 0.1},
        "deadline_days": 30,
    },
    "timing": {"decision_hours": {"dist": "exponential", "mean": 2}, "relay_hours": 0.5},
    "rework": {"fraction": 0.3, "severity_weight": {"minor": 0.1}},
    "policies": {"lean": {"base": "hierarchical", "allocation": "pull"}},
}

SCHEMA_WORDS = [
    "name", "organisation", "departments", "project", "tasks", "tasks_file", "timing",
    "policies", "base", "dist", "mean", "cv", "lognormal", "exponential", "fixed", "gamma",
    "collaborators", "teams", "expertise", "policy", "depends_on", "id", "department",
    "effort_hours", "severity", "minor", "hybrid", "cooperative", "engineering", "legal",
    "spec", "review", "build", "people_file", "",
]  # fmt: skip

keys = st.one_of(st.sampled_from(SCHEMA_WORDS), st.text(max_size=12))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(SCHEMA_WORDS),
    st.text(max_size=20),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=12,
)


def assert_well_formed(error: InputError, source: str = "<scenario>") -> None:
    """Between one and three lines, each `error: SOURCE...: ...`, one line each, no noise."""
    lines = error.lines()
    assert 1 <= len(lines) <= 3, lines
    for line in lines:
        assert "\n" not in line
        assert LINE.match(line), line
        assert (
            line.startswith(f"error: {source}")
            or line.startswith("error: --set ")
            or (
                # a plan's problems name the plan file
                ".csv" in line
            )
        ), line
        for noise in NOISE:
            assert noise not in line, (noise, line)


def check_mapping(data: Any, overrides: tuple[str, ...] = ()) -> None:
    try:
        result = scenario_from_mapping(data, base_dir=NOWHERE, overrides=overrides)
    except InputError as error:
        assert_well_formed(error)
    else:
        assert isinstance(result, Scenario)


def test_the_valid_mapping_is_valid() -> None:
    assert isinstance(scenario_from_mapping(copy.deepcopy(VALID)), Scenario)


@SETTINGS
@given(st.dictionaries(keys, values, max_size=8))
def test_arbitrary_mappings(data: dict[str, Any]) -> None:
    check_mapping(data)


@SETTINGS
@given(values)
def test_arbitrary_values_at_top_level(data: Any) -> None:
    check_mapping(data)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a nested mapping/list (not the root)."""
    found: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found.append((*prefix, key))
        found.extend(paths(item, (*prefix, key)))
    return found


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """VALID with a few random paths replaced, deleted, or given a random extra key."""
    data = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        choices = paths(data)
        if not choices:
            break
        path = draw(st.sampled_from(choices))
        parent = parent_of(data, path)
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(keys)] = draw(values)
        elif isinstance(parent[path[-1]], list):
            parent[path[-1]].append(draw(values))
    return data


@SETTINGS
@given(mutated())
def test_mutations_of_a_valid_scenario(data: dict[str, Any]) -> None:
    check_mapping(data)


set_keys = st.one_of(
    st.sampled_from(
        [
            "project.problem_rate",
            "timing.decision_hours.mean",
            "timing.decision_hours",
            "organisation.departments[legal].expertise",
            "organisation.departments[0].collaborators",
            "organisation.departments[-1].teams",
            "organisation.departments[9].name",
            "project.tasks",
            "project.tasks[1].depends_on",
            "policies.lean.autonomy",
            "policies.new.base",
            "project.problem_rate.mean",
            "nope",
            "a..b",
            "x[",
        ]
    ),
    st.text(max_size=15),
)
set_values = st.one_of(
    st.sampled_from(["1", "0.5", "-1", "abc", "[a, b]", "{dist: gamma}", "null", "true", ""]),
    st.text(max_size=10),
)


@SETTINGS
@given(st.lists(st.tuples(set_keys, set_values, st.booleans()), min_size=1, max_size=3))
def test_arbitrary_set_overrides(assignments: list[tuple[str, str, bool]]) -> None:
    texts = tuple(f"{k}={v}" if with_equals else k for k, v, with_equals in assignments)
    check_mapping(copy.deepcopy(VALID), texts)


yaml_fragments = st.sampled_from(
    [
        "name: x\n", "organisation:\n", "  departments:\n", "    - {name: a, collaborators: 2}\n",
        "project:\n", "  tasks: 3\n", "  tasks: [{id: a, department: a, effort_hours: 1}]\n",
        "&a [*a]\n", "x: &b {y: *b}\n", "- a\n", "  - b\n", "{", "}", "[", ": ", "\t", "#c\n",
        "---\n", "? [a]\n: 1\n", "on: 1\n", "\x00", "'", '"', "\\", "\n",
    ]
)  # fmt: skip


@SETTINGS
@given(st.one_of(st.text(max_size=80), st.lists(yaml_fragments, max_size=12).map("".join)))
def test_arbitrary_yaml_text(text: str) -> None:
    try:
        result = parse_scenario(text, source="s.yaml", base_dir=NOWHERE)
    except InputError as error:
        assert_well_formed(error, "s.yaml")
    else:
        assert isinstance(result, Scenario)


@SETTINGS
@given(st.text(max_size=80))
def test_arbitrary_toml_text(text: str) -> None:
    try:
        result = parse_scenario(text, source="s.toml", base_dir=NOWHERE, toml=True)
    except InputError as error:
        assert_well_formed(error, "s.toml")
    else:
        assert isinstance(result, Scenario)


csv_fragments = st.sampled_from(
    [
        "id,department,effort_hours,depends_on,interdependent_with\n", "id,department,effort_hours\n",
        "a,eng,1,,\n", "b,eng,x,a;c,\n", "c,eng,-1\n", ",,,\n", '"a\n', "a,b,c,d,e,f,g\n",
        "\x00", "\ufeff", "\r\n", ";", ",", "complexity",
    ]
)  # fmt: skip


@SETTINGS
@given(st.one_of(st.text(max_size=60), st.lists(csv_fragments, max_size=8).map("".join)))
def test_arbitrary_csv_plans(text: str) -> None:
    try:
        tasks = parse_plan_csv(text, "plan.csv")
    except InputError as error:
        assert_well_formed(error, "plan.csv")
    else:
        assert tasks
