"""Good paths of scenario loading: built-ins, defaults, `--set`, TOML, CSV plans, uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.errors import InputError, ScenarioWarning
from simulator.loading import (
    builtin_names,
    load_scenario,
    parse_plan_csv,
    parse_scenario,
    scenario_from_mapping,
)
from simulator.model import OrgModel
from simulator.overrides import model_at, parse_key, set_key
from simulator.policies import resolve_policy
from simulator.schema import Department, Distribution, PolicySpec, Scenario

MINIMAL = """\
name: minimal
organisation:
  departments:
    - {name: engineering, collaborators: 4}
project:
  tasks: 10
"""


def leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Every leaf of a dumped scenario by its path."""
    if isinstance(value, dict):
        out: dict[tuple[Any, ...], Any] = {}
        for key, item in value.items():
            out.update(leaves(item, (*path, key)))
        return out
    if isinstance(value, list):
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, (*path, index)))
        return out
    return {path: value}


def changed(before: Scenario, after: Scenario) -> dict[tuple[Any, ...], tuple[Any, Any]]:
    """The leaves that differ between two scenarios: (before, after) by path."""
    a, b = leaves(before.model_dump()), leaves(after.model_dump())
    return {p: (a.get(p), b.get(p)) for p in a.keys() | b.keys() if a.get(p) != b.get(p)}


# --- built-ins and defaults -------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_loads(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name
    assert scenario.organisation.departments
    for policy in scenario.policies:
        resolve_policy(policy, scenario)


def test_builtin_library_is_not_empty() -> None:
    assert "product-launch" in builtin_names()


def test_defaults_are_design_section_6() -> None:
    scenario = parse_scenario(MINIMAL)
    assert scenario.seed == 42
    assert scenario.time.hours_per_day == 8
    assert scenario.time.horizon_days == 600
    organisation = scenario.organisation
    assert organisation.manager_expertise == 0.6
    assert organisation.director_expertise == 0.5
    assert organisation.manager_availability == 1.0
    assert organisation.cross_expertise == 0.2
    assert organisation.director is True
    assert organisation.people_file is None
    assert organisation.lateral_links == 0
    cost = organisation.cost_per_hour
    assert (cost.collaborator, cost.manager, cost.director) == (60, 90, 150)
    department = organisation.departments[0]
    assert (department.teams, department.expertise, department.expertise_sd) == (1, 0.5, 0)
    assert department.policy is None
    project = scenario.project
    assert project.deadline_days is None
    assert project.effort_hours == Distribution(dist="lognormal", mean=24, cv=0.5)
    assert project.dependency_density == 0.04
    assert project.interdependence == 0.3
    assert project.problem_rate == 0.02
    assert project.foreign_field_share == 0.2
    assert project.complexity == Distribution(dist="lognormal", mean=1.0, cv=0.3)
    severity = project.severity
    assert (severity.minor, severity.major, severity.critical) == (0.6, 0.3, 0.1)
    timing = scenario.timing
    assert timing.decision_hours == Distribution(dist="exponential", mean=2.0)
    assert timing.self_fix_hours == Distribution(dist="exponential", mean=1.0)
    assert timing.expert_help_hours == Distribution(dist="exponential", mean=1.5)
    assert timing.message_hours == Distribution(dist="fixed", mean=0.25)
    assert timing.meeting_interval_days.mean == 5
    assert timing.decision_patience_hours is None
    rework = scenario.rework
    assert (rework.fraction, rework.deliberation_bonus, rework.missed_coordination) == (
        0.3,
        0.1,
        0.5,
    )
    weight = rework.severity_weight
    assert (weight.minor, weight.major, weight.critical) == (0.2, 0.5, 1.0)
    assert scenario.policies == {
        "hybrid": PolicySpec(base="cooperative", problem_solving="escalate")
    }
    hybrid = resolve_policy("hybrid", scenario)
    cooperative = resolve_policy("cooperative", scenario)
    assert hybrid.problem_solving == "escalate"
    assert {k: v for k, v in hybrid.mechanisms().items() if k != "problem_solving"} == {
        k: v for k, v in cooperative.mechanisms().items() if k != "problem_solving"
    }


def test_numbers_yaml_leaves_as_text_are_read() -> None:
    # YAML 1.1 reads `1e-3` as text; a user means a number.
    scenario = parse_scenario(MINIMAL + "  problem_rate: 1e-3\n")
    assert scenario.project.problem_rate == pytest.approx(0.001)
    scenario = parse_scenario(MINIMAL + "timing: {decision_hours: 2e0}\n")
    assert scenario.timing.decision_hours == Distribution(dist="fixed", mean=2.0)


def test_whole_numbers_as_names() -> None:
    text = MINIMAL.replace("name: minimal", "name: 2024").replace("engineering", "101")
    text = text.replace("tasks: 10", "tasks: [{id: 1, department: 101, effort_hours: 4}]")
    scenario = parse_scenario(text)
    assert scenario.name == "2024"
    assert scenario.project.tasks[0].department == "101"  # type: ignore[index]
    assert scenario.project.tasks[0].id == "1"  # type: ignore[index]


def test_yaml_anchors_and_merge_keys() -> None:
    text = """\
name: anchors
organisation:
  departments:
    - &engineering {name: engineering, collaborators: 4, expertise: 0.7}
    - {<<: *engineering, name: design}
project:
  tasks: 10
"""
    departments = parse_scenario(text).organisation.departments
    assert departments[1] == Department(name="design", collaborators=4, expertise=0.7)


def test_a_scenario_without_lines_still_names_the_field() -> None:
    data = {"name": "x", "organisation": {"departments": []}, "project": {"tasks": 3}}
    with pytest.raises(InputError) as caught:
        scenario_from_mapping(data, source="upload")
    assert caught.value.lines() == [
        "error: upload: organisation.departments: needs at least one department (got a list of 0)"
    ]


# --- dotted overrides ---------------------------------------------------------------------


def test_override_keeps_the_law_of_the_default() -> None:
    before = load_scenario("product-launch")
    after = load_scenario("product-launch", ["timing.decision_hours.mean=3"])
    assert after.timing.decision_hours == Distribution(dist="exponential", mean=3.0)
    assert changed(before, after) == {("timing", "decision_hours", "mean"): (2.0, 3.0)}


def test_a_number_becomes_a_fixed_distribution() -> None:
    before = load_scenario("product-launch")
    after = load_scenario("product-launch", ["timing.decision_hours=3"])
    assert after.timing.decision_hours == Distribution(dist="fixed", mean=3.0)
    assert set(changed(before, after)) == {
        ("timing", "decision_hours", "dist"),
        ("timing", "decision_hours", "mean"),
    }


def test_keys_under_a_number_in_the_file_make_it_fixed(tmp_path: Path) -> None:
    path = tmp_path / "fixed.yaml"
    path.write_text(MINIMAL + "timing: {decision_hours: 3}\n")
    scenario = load_scenario(path, ["timing.decision_hours.mean=4"])
    assert scenario.timing.decision_hours == Distribution(dist="fixed", mean=4.0)
    scenario = load_scenario(path, ["timing.decision_hours.dist=exponential"])
    assert scenario.timing.decision_hours == Distribution(dist="exponential", mean=3.0)


def test_department_selected_by_name_or_index() -> None:
    before = load_scenario("product-launch")
    by_name = load_scenario("product-launch", ["organisation.departments[legal].expertise=0.9"])
    assert changed(before, by_name) == {("organisation", "departments", 3, "expertise"): (0.8, 0.9)}
    by_index = load_scenario("product-launch", ["organisation.departments[-1].expertise=0.9"])
    assert by_index == by_name
    first = load_scenario("product-launch", ["organisation.departments[0].collaborators=24"])
    assert changed(before, first) == {("organisation", "departments", 0, "collaborators"): (12, 24)}


def test_overrides_of_policies() -> None:
    scenario = load_scenario("product-launch", ["policies.hybrid.autonomy=major"])
    hybrid = scenario.policies["hybrid"]
    assert (hybrid.base, hybrid.problem_solving, hybrid.autonomy) == (
        "cooperative",
        "escalate",
        "major",
    )
    scenario = load_scenario(
        "product-launch", ["policies.lean.base=hierarchical", "policies.lean.allocation=pull"]
    )
    assert set(scenario.policies) == {"hybrid", "lean"}
    lean = resolve_policy("lean", scenario)
    assert lean.allocation == "pull"
    assert lean.problem_solving == "escalate"


def test_overrides_apply_in_order_and_take_yaml_values() -> None:
    scenario = load_scenario(
        "product-launch",
        ["project.problem_rate=0.1", "project.problem_rate=0.05", "organisation.director=false"],
    )
    assert scenario.project.problem_rate == 0.05
    assert scenario.organisation.director is False
    scenario = load_scenario("product-launch", ["timing.decision_patience_hours=8"])
    assert scenario.timing.decision_patience_hours == Distribution(dist="fixed", mean=8.0)
    scenario = load_scenario("product-launch", ["project.deadline_days=null"])
    assert scenario.project.deadline_days is None


def test_set_key_copies_and_reports_the_resolved_path() -> None:
    data = {"organisation": {"departments": [{"name": "a"}, {"name": "b"}]}}
    resolved: list[Any] = []
    result = set_key(data, "organisation.departments[b].teams", 2, resolved)
    assert resolved == ["organisation", "departments", 1, "teams"]
    assert result["organisation"]["departments"][1] == {"name": "b", "teams": 2}
    assert data["organisation"]["departments"][1] == {"name": "b"}  # untouched
    assert parse_key("organisation.departments[legal].expertise") == [
        "organisation",
        "departments",
        "legal",
        "expertise",
    ]


def test_model_at_walks_lists_and_mappings() -> None:
    assert model_at(("organisation", "departments", 0)) is Department
    assert model_at(("policies", "anything")) is PolicySpec
    assert model_at(("timing", "decision_hours")) is Distribution
    assert model_at(("project", "problem_rate")) is None


# --- TOML -----------------------------------------------------------------------------------

YAML_TWIN = """\
name: twin
description: The same scenario in two formats.
seed: 7
time: {hours_per_day: 7.5, horizon_days: 300}
organisation:
  departments:
    - {name: engineering, collaborators: 6, teams: 2, expertise: 0.7, expertise_sd: 0.1}
    - {name: legal, collaborators: 2, expertise: 0.8, policy: hierarchical}
  manager_availability: 0.75
  lateral_links: 2
project:
  tasks:
    - {id: spec, department: engineering, effort_hours: 16}
    - {id: review, department: legal, effort_hours: 4, depends_on: [spec], complexity: 1.5}
    - {id: build, department: engineering, effort_hours: 40, depends_on: spec, interdependent_with: [review]}
  severity: {minor: 0.5, major: 0.4, critical: 0.1}
timing:
  decision_hours: {dist: lognormal, mean: 3, cv: 0.8}
  relay_hours: 0.75
policies:
  lean: {base: hierarchical, allocation: pull, shared_space: true}
"""

TOML_TWIN = """\
name = "twin"
description = "The same scenario in two formats."
seed = 7
time = { hours_per_day = 7.5, horizon_days = 300 }

[organisation]
manager_availability = 0.75
lateral_links = 2

[[organisation.departments]]
name = "engineering"
collaborators = 6
teams = 2
expertise = 0.7
expertise_sd = 0.1

[[organisation.departments]]
name = "legal"
collaborators = 2
expertise = 0.8
policy = "hierarchical"

[project]
severity = { minor = 0.5, major = 0.4, critical = 0.1 }

[[project.tasks]]
id = "spec"
department = "engineering"
effort_hours = 16

[[project.tasks]]
id = "review"
department = "legal"
effort_hours = 4
depends_on = ["spec"]
complexity = 1.5

[[project.tasks]]
id = "build"
department = "engineering"
effort_hours = 40
depends_on = "spec"
interdependent_with = ["review"]

[timing]
decision_hours = { dist = "lognormal", mean = 3, cv = 0.8 }
relay_hours = 0.75

[policies.lean]
base = "hierarchical"
allocation = "pull"
shared_space = true
"""


def test_toml_twin_equals_yaml(tmp_path: Path) -> None:
    (tmp_path / "twin.yaml").write_text(YAML_TWIN)
    (tmp_path / "twin.toml").write_text(TOML_TWIN)
    from_yaml = load_scenario(tmp_path / "twin.yaml")
    from_toml = load_scenario(tmp_path / "twin.toml")
    assert from_toml == from_yaml
    assert from_toml.source_dir == str(tmp_path)
    assert resolve_policy("lean", from_toml).allocation == "pull"


def test_toml_errors_point_at_array_table_lines(tmp_path: Path) -> None:
    path = tmp_path / "twin.toml"
    path.write_text(TOML_TWIN.replace('policy = "hierarchical"', 'policy = "lean2"'))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.lines()[0].startswith(
        f"error: {path}:21: organisation.departments[1].policy: unknown policy 'lean2' "
        "(did you mean 'lean'?)"
    )


# --- CSV plans --------------------------------------------------------------------------------

PLAN = """\
id,department,effort_hours,depends_on,interdependent_with,complexity
spec,engineering,16,,,
design,design,24,spec,,1.5

build,engineering,40,spec;design,review,
review,legal,8,spec,build,0.5
"""


def write_plan_scenario(tmp_path: Path, plan: str = PLAN) -> Path:
    (tmp_path / "plan.csv").write_text(plan)
    path = tmp_path / "scenario.yaml"
    path.write_text(
        """\
name: plan from CSV
organisation:
  departments:
    - {name: engineering, collaborators: 4}
    - {name: design, collaborators: 2}
    - {name: legal, collaborators: 1}
project:
  tasks_file: plan.csv
"""
    )
    return path


def test_csv_plan_loads_with_dependencies(tmp_path: Path) -> None:
    scenario = load_scenario(write_plan_scenario(tmp_path))
    tasks = scenario.project.tasks
    assert isinstance(tasks, list)
    assert scenario.project.tasks_file is None  # the plan is now inline
    assert [t.id for t in tasks] == ["spec", "design", "build", "review"]
    build = tasks[2]
    assert build.department == "engineering"
    assert build.effort_hours == 40
    assert build.depends_on == ["spec", "design"]
    assert build.interdependent_with == ["review"]
    assert build.complexity is None
    assert tasks[1].complexity == 1.5
    assert tasks[3].interdependent_with == ["build"]


def test_csv_plan_with_bom_crlf_quotes_and_no_optional_columns(tmp_path: Path) -> None:
    plan = (
        '\ufeffid,department,effort_hours\r\n"spec",engineering,16\r\nbuild,engineering," 8 "\r\n'
    )
    tasks = parse_plan_csv(plan, "plan.csv")
    assert [(t.id, t.effort_hours, t.depends_on) for t in tasks] == [
        ("spec", 16.0, []),
        ("build", 8.0, []),
    ]


def test_csv_plan_errors_name_the_plan_and_line(tmp_path: Path) -> None:
    path = write_plan_scenario(tmp_path, PLAN.replace("review,legal", "review,lawyers"))
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    line = caught.value.lines()[0]
    assert line.startswith(f"error: {tmp_path / 'plan.csv'}:6: department: unknown department")
    assert "(got lawyers)" in line


def test_csv_plan_separated_by_semicolons_is_explained() -> None:
    with pytest.raises(InputError) as caught:
        parse_plan_csv("id;department;effort_hours\na;b;1\n", "plan.csv")
    assert "separated by commas" in caught.value.lines()[0]


def test_a_relative_plan_is_found_next_to_the_scenario(tmp_path: Path, monkeypatch) -> None:
    path = write_plan_scenario(tmp_path)
    monkeypatch.chdir("/")
    assert len(load_scenario(path).project.tasks) == 4  # type: ignore[arg-type]


# --- uploads ------------------------------------------------------------------------------------


def test_allow_files_false_refuses_tasks_file(tmp_path: Path) -> None:
    path = write_plan_scenario(tmp_path)
    with pytest.raises(InputError) as caught:
        parse_scenario(path.read_text(), source="upload.yaml", base_dir=tmp_path, allow_files=False)
    assert caught.value.lines() == [
        "error: upload.yaml:8: project.tasks_file: files on the server cannot be used here "
        "(got plan.csv)"
    ]


def test_allow_files_false_refuses_people_file() -> None:
    text = MINIMAL.replace("organisation:\n", "organisation:\n  people_file: /etc/passwd\n")
    with pytest.raises(InputError) as caught:
        parse_scenario(text, source="upload.yaml", allow_files=False)
    assert "organisation.people_file: files on the server cannot be used here" in str(caught.value)


def test_allow_files_false_accepts_inline_scenarios() -> None:
    scenario = parse_scenario(MINIMAL, source="upload.yaml", allow_files=False)
    assert scenario.source_dir is None


def test_extra_plan_columns_are_labels_shown_in_the_task_records(tmp_path) -> None:
    # A plan exported from a planning tool keeps its extra columns (an owner here).
    (tmp_path / "plan.csv").write_text(
        "id,department,effort_hours,depends_on,owner\n"
        "spec,engineering,16,,alice\n"
        "build,engineering,40,spec,bob\n",
        encoding="utf-8",
    )
    (tmp_path / "scenario.yaml").write_text(
        "name: labels\n"
        "organisation: {departments: [{name: engineering, collaborators: 2}]}\n"
        "project: {tasks_file: plan.csv}\n",
        encoding="utf-8",
    )
    scn = load_scenario(tmp_path / "scenario.yaml")
    model = OrgModel(scn, "cooperative")
    assert {r.task: r.labels for r in model.task_records()} == {
        "spec": "owner=alice",
        "build": "owner=bob",
    }


def test_a_plan_column_that_looks_misspelt_is_named_in_a_warning(tmp_path) -> None:
    (tmp_path / "plan.csv").write_text(
        "id,department,effort_hours,complexty\nspec,engineering,16,2\n", encoding="utf-8"
    )
    (tmp_path / "scenario.yaml").write_text(
        "name: labels\n"
        "organisation: {departments: [{name: engineering, collaborators: 2}]}\n"
        "project: {tasks_file: plan.csv}\n",
        encoding="utf-8",
    )
    with pytest.warns(ScenarioWarning, match=r"plan.csv:1: column 'complexty' is kept as a label"):
        scn = load_scenario(tmp_path / "scenario.yaml")
    # Not read as the complexity: the task keeps the drawn one, and the label shows it.
    assert scn.project.tasks[0].complexity is None
    assert scn.project.tasks[0].labels == {"complexty": "2"}
