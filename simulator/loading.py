"""Loading scenarios: the entry points, and the rules that span several fields.

`load_scenario` (a path or a built-in name), `parse_scenario` (text) and
`scenario_from_mapping` (data) give a checked `Scenario`, or raise an `InputError` whose
lines name the file, the line, the field and the bad value; the model never sees a
scenario that did not pass. Loading is in layers, each using only the ones before it:

1. `simulator.reading`: a file becomes text, the text plain data plus a map from each
   key's path to its line (YAML through its node tree; TOML by scanning table headers
   and `key =` lines), or CSV rows with their lines; syntax errors, duplicate YAML keys
   and aliases that contain themselves stop here;
2. `simulator.locating`: a problem at a key path (or a `--set`) or at a CSV cell becomes
   `FILE:LINE: field.path: problem (got VALUE)`; pydantic's errors are reworded;
3. `simulator.plan_csv` and `simulator.people`: the CSV plan (each row, then the plan as
   a whole: unique ids, known names, no precedence cycle) and the people file;
4. here: `--set` overrides, uncertain inputs (`simulator.uncertain`: their parameters,
   then the scenario at their medians and at the ends of their ranges), the schema
   (`simulator.schema`, pydantic: types, bounds, unknown keys), then cross-field rules:
   names that must exist (departments, policies), unique names, the files a scenario
   points at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import _MISSING, InputError, Problem
from simulator.locating import Locator, suggest, twice
from simulator.overrides import apply_assignments
from simulator.plan_csv import PLAN_COLUMNS, check_plan, load_plan_csv, parse_plan_csv
from simulator.policies import PRESETS, UnknownPolicy, resolve_policy
from simulator.reading import Lines, is_file, read_mapping, read_text
from simulator.schema import Scenario
from simulator.uncertain import (
    UNCERTAIN_KEY,
    UncertainInput,
    find_uncertain,
    parse_input,
    with_numbers,
)

__all__ = [
    "PLAN_COLUMNS",
    "builtin_dir",
    "builtin_names",
    "load_scenario",
    "parse_plan_csv",
    "parse_scenario",
    "resolve_source",
    "scenario_from_mapping",
]
# Experiment files are read alike: experiments.spec imports read_text and read_mapping
# (simulator.reading) from here, so those two names stay importable from this module too.

BUILTIN_PACKAGE = "scenarios"


def builtin_dir() -> Path:
    """The folder of built-in scenarios (package data of `scenarios`)."""
    return Path(str(resources.files(BUILTIN_PACKAGE)))


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def resolve_source(path_or_name: str | Path) -> Path:
    """A scenario file for a path or a built-in name; InputError if neither exists."""
    text = str(path_or_name)
    path = Path(text)
    if is_file(path):
        return path
    if path.suffix == "" and "/" not in text and is_file(builtin_dir() / f"{text}.yaml"):
        return builtin_dir() / f"{text}.yaml"
    try:
        exists = path.exists()
    except (OSError, ValueError):
        exists = False
    if exists:
        raise InputError(Problem(source=text, message="is not a file"))
    if path.suffix or "/" in text:
        raise InputError(Problem(source=text, message="no such file"))
    known = ", ".join(builtin_names())
    raise InputError(
        Problem(source=text, message=f"no such file or built-in scenario (built-in: {known})")
    )


def load_scenario(path_or_name: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, override and validate a scenario given by path or built-in name.

    `overrides` are `KEY=VALUE` strings (`--set`), applied in order before validation.
    Raises InputError for anything wrong, never another exception for bad input.
    """
    path = resolve_source(path_or_name)
    source = str(path) if is_file(Path(str(path_or_name))) else str(path_or_name)
    text = read_text(path, source)
    return parse_scenario(
        text, source=source, base_dir=path.parent, overrides=overrides, toml=path.suffix == ".toml"
    )


def parse_scenario(
    text: str,
    source: str = "<scenario>",
    base_dir: Path | None = None,
    overrides: Iterable[str] = (),
    toml: bool = False,
    allow_files: bool = True,
) -> Scenario:
    """Validate scenario text (YAML, or TOML with `toml=True`).

    `source` names the text in messages; `base_dir` is where relative `tasks_file` and
    `people_file` paths are looked for; `allow_files=False` refuses them (uploads).
    """
    data, lines = read_mapping(text, source, toml)
    return scenario_from_mapping(
        data,
        source=source,
        lines=lines,
        base_dir=base_dir,
        overrides=overrides,
        allow_files=allow_files,
    )


def scenario_from_mapping(
    data: Any,
    source: str = "<scenario>",
    lines: Lines | None = None,
    base_dir: Path | None = None,
    overrides: Iterable[str] = (),
    allow_files: bool = True,
) -> Scenario:
    """Validate a plain mapping as a scenario, reporting problems located in `source`.

    `lines` maps key paths to line numbers (as `parse_scenario` builds them); without
    it, messages name the field but no line.
    """
    if not isinstance(data, dict):
        raise InputError(
            Problem(
                source=source, line=1, message="expected a mapping of scenario keys", value=data
            )
        )
    try:
        return _validate(data, source, lines or {}, base_dir, list(overrides), allow_files)
    except RecursionError:
        # Pathologically nested input: say so rather than crash.
        raise InputError(Problem(source=source, message="nested too deeply")) from None


def _validate(
    data: dict[str, Any],
    source: str,
    lines: Lines,
    base_dir: Path | None,
    overrides: list[str],
    allow_files: bool,
) -> Scenario:
    set_by: dict[tuple[Any, ...], str] = {}
    if overrides:
        data, set_by = apply_assignments(data, overrides)
    locate = Locator(source, lines, set_by)
    inputs = [
        parse_input(path, block, locate.problem)
        for path, block in find_uncertain(data, locate.problem)
    ]
    if inputs:
        # The scenario holds each uncertain input's median; the ends are checked below.
        data = with_numbers(data, {i.path: i.representative for i in inputs})
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [locate.from_pydantic(err) for err in exc.errors()]
        raise InputError(problems) from None
    _check_uncertain_ends(data, inputs, locate)
    if not allow_files:
        for key, value in (
            (("project", "tasks_file"), scenario.project.tasks_file),
            (("organisation", "people_file"), scenario.organisation.people_file),
        ):
            if value is not None:
                raise InputError(
                    locate.problem(key, "files on the server cannot be used here", value)
                )
    scenario = _check_references(scenario, locate, base_dir)
    _check_overridden_settings(scenario, set_by)
    for item in inputs:
        overridden = _overridden_by(scenario, item.path)
        if overridden is not None:
            raise InputError(
                locate.problem(item.path, f"{overridden}: an uncertain value would not be used")
            )
    scenario._source_dir = str(base_dir) if base_dir is not None else None
    scenario._uncertain = {i.key: i for i in inputs}
    return scenario


def _check_uncertain_ends(
    data: dict[str, Any], inputs: list[UncertainInput], locate: Locator
) -> None:
    """Each uncertain input at the lowest and the highest value a draw can take (the
    others at their medians): a range that reaches a value the field refuses is an error."""
    for item in inputs:
        for end, value in zip(("lowest", "highest"), item.ends, strict=True):
            try:
                Scenario.model_validate(with_numbers(data, {item.path: value}))
            except ValidationError as exc:
                problem = locate.from_pydantic(exc.errors()[0])
                message = f"{problem.message}, at the {end} value of its uncertain range"
                raise InputError(dataclasses.replace(problem, message=message)) from None


# Keys a file makes useless: a plan gives the tasks; a people file gives the people.
_PLAN_GIVES = ("dependency_density", "interdependence", "effort_hours")
_PEOPLE_FILE_GIVES = ("collaborators", "teams", "expertise_sd")


def _overridden_by(scenario: Scenario, path: tuple[Any, ...]) -> str | None:
    """What makes the value at `path` useless (a plan, a people file), or None."""
    if (
        isinstance(scenario.project.tasks, list)
        and path[:1] == ("project",)
        and len(path) > 1
        and path[1] in _PLAN_GIVES
    ):
        return "the plan gives the tasks"
    if (
        scenario.organisation.people_file is not None
        and path[:2] == ("organisation", "departments")
        and len(path) > 3
        and path[3] in _PEOPLE_FILE_GIVES
    ):
        return f"{scenario.organisation.people_file} gives the people"
    return None


def _check_overridden_settings(scenario: Scenario, set_by: dict[tuple[Any, ...], str]) -> None:
    """A `--set` that a people file or an explicit plan overrides is an error, not a no-op."""
    for path, text in set_by.items():
        overridden = _overridden_by(scenario, path)
        if overridden is not None:
            raise InputError(
                Problem(
                    source=f"--set {text}",
                    message=f"{overridden}: this value would not be used",
                )
            )


# --- cross-field rules ----------------------------------------------------------------


def _check_references(scenario: Scenario, locate: Locator, base_dir: Path | None) -> Scenario:
    problems: list[Problem] = []
    organisation = scenario.organisation
    departments = organisation.departments
    seen: dict[str, int] = {}
    for i, dept in enumerate(departments):
        if dept.name in seen:
            first = locate.problem(("organisation", "departments", seen[dept.name], "name"), "")
            problems.append(
                locate.problem(
                    ("organisation", "departments", i, "name"),
                    twice("department", first),
                    dept.name,
                )
            )
        else:
            seen[dept.name] = i
        if dept.collaborators is None and organisation.people_file is None:
            problems.append(
                locate.problem(
                    ("organisation", "departments", i, "collaborators"),
                    "required (or give organisation.people_file)",
                )
            )
    problems += _check_policies(scenario, locate)
    if problems:
        raise InputError(problems)

    if organisation.people_file is not None:
        scenario = _load_people(scenario, locate, base_dir)

    project = scenario.project
    if project.tasks_file is not None:
        path = _relative(project.tasks_file, base_dir)
        if not is_file(path):
            raise InputError(locate.problem(("project", "tasks_file"), "no such file", str(path)))
        plan = load_plan_csv(path, list(seen))
        scenario = scenario.model_copy(
            update={"project": project.model_copy(update={"tasks": plan, "tasks_file": None})}
        )
    elif isinstance(project.tasks, list):

        def inline(index: int, field: str, message: str, value: Any = _MISSING) -> Problem:
            return locate.problem(("project", "tasks", index, field), message, value)

        check_plan(project.tasks, list(seen), inline)
    return scenario


def _check_policies(scenario: Scenario, locate: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for name in scenario.policies:
        if name in PRESETS:
            problems.append(
                locate.problem(("policies", name), "redefines a preset; choose another name")
            )
            continue
        try:
            resolve_policy(name, scenario)
        except UnknownPolicy as exc:
            if exc.name in (scenario.policies[name].departments or {}).values():
                pass  # reported below, at the department that names it
            else:
                known = [k for k in exc.known if k != name]  # a policy cannot be its own base
                problems.append(
                    locate.problem(("policies", name, "base"), _unknown_policy(exc.name, known))
                )
        except ValueError as exc:  # a policy based, in the end, on itself
            problems.append(locate.problem(("policies", name, "base"), str(exc)))
        departments = [d.name for d in scenario.organisation.departments]
        for dept, own in (scenario.policies[name].departments or {}).items():
            where = ("policies", name, "departments", dept)
            if dept not in departments:
                problems.append(
                    locate.problem(
                        where, f"unknown department (known: {', '.join(departments)})", dept
                    )
                )
            elif own not in PRESETS and own not in scenario.policies:
                problems.append(locate.problem(where, _unknown_policy(own, list(PRESETS)), own))
    for i, dept in enumerate(scenario.organisation.departments):
        if dept.policy is None:
            continue
        try:
            resolve_policy(dept.policy, scenario)
        except UnknownPolicy as exc:
            problems.append(
                locate.problem(
                    ("organisation", "departments", i, "policy"),
                    _unknown_policy(exc.name, exc.known),
                )
            )
        except ValueError as exc:
            problems.append(locate.problem(("organisation", "departments", i, "policy"), str(exc)))
    return problems


def _unknown_policy(name: str, known: list[str]) -> str:
    hint = suggest(name, known)
    return f"unknown policy '{name}' ({hint or 'known: ' + ', '.join(known)})"


def _relative(name: str, base_dir: Path | None) -> Path:
    return Path(name) if base_dir is None else base_dir / name


def _load_people(scenario: Scenario, locate: Locator, base_dir: Path | None) -> Scenario:
    name = scenario.organisation.people_file
    assert name is not None
    path = _relative(name, base_dir)
    if not is_file(path):
        raise InputError(locate.problem(("organisation", "people_file"), "no such file", str(path)))
    try:
        from simulator.people import load_people
    except ImportError:
        raise InputError(
            locate.problem(
                ("organisation", "people_file"), "people files are not supported by this version"
            )
        ) from None
    return load_people(scenario, locate.problem, base_dir)


def assignments(values: dict[str, Any]) -> list[str]:
    """`KEY=VALUE` strings (as `--set` takes them) for values given by dotted key."""
    import json

    return [f"{key}={json.dumps(value)}" for key, value in values.items()]


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """`scenario` with values changed by dotted key, validated again like a file.

    Its uncertain inputs stay uncertain, unless a value given here replaces one.
    """
    data = scenario.model_dump(mode="json", by_alias=True)
    data = with_numbers(
        data, {i.path: {UNCERTAIN_KEY: dict(i.spec)} for i in scenario.uncertain.values()}
    )
    base_dir = Path(scenario.source_dir) if scenario.source_dir is not None else None
    return scenario_from_mapping(
        data, source=scenario.name, base_dir=base_dir, overrides=assignments(values)
    )
