"""Loading scenarios: files (YAML or TOML), built-in names, `--set` overrides, CSV plans.

Everything that can be wrong with a scenario is reported here as an `InputError` whose
lines name the file, the line, the field and the bad value; the model never sees a
scenario that did not pass. Three layers, in order:

1. reading: the text becomes plain data plus a map from each key's path to its line
   (YAML through its node tree; TOML by scanning table headers and `key =` lines);
   duplicate YAML keys, aliases that contain themselves and syntax errors stop here;
2. the schema (`simulator.schema`, pydantic): types, bounds, unknown keys;
3. cross-field rules: names that must exist (departments, tasks, policies), unique names,
   a precedence graph without cycles, the files a scenario points at.
"""

from __future__ import annotations

import csv
import graphlib
import io
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import _MISSING, InputError, Problem
from simulator.locating import Locator, error_message, suggest, twice
from simulator.overrides import apply_assignments
from simulator.policies import PRESETS, UnknownPolicy, resolve_policy
from simulator.reading import Lines, is_file, read_mapping, read_text
from simulator.schema import Scenario, TaskSpec

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

BUILTIN_PACKAGE = "scenarios"
PLAN_COLUMNS = ("id", "department", "effort_hours", "depends_on", "interdependent_with")
PLAN_OPTIONAL_COLUMNS = ("complexity",)
MAX_PROBLEMS = 20  # collected before giving up; only the first three are shown
MAX_CYCLE_SHOWN = 8


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
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [locate.from_pydantic(err) for err in exc.errors()]
        raise InputError(problems) from None
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
    scenario._source_dir = str(base_dir) if base_dir is not None else None
    return scenario


# --- cross-field rules ----------------------------------------------------------------

PlanProblem = Callable[..., Problem]


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
        plan, rows = _parse_plan(read_text(path, str(path), "utf-8-sig"), str(path))
        _check_plan(plan, list(seen), _plan_locator(str(path), rows))
        scenario = scenario.model_copy(
            update={"project": project.model_copy(update={"tasks": plan, "tasks_file": None})}
        )
    elif isinstance(project.tasks, list):

        def inline(index: int, field: str, message: str, value: Any = _MISSING) -> Problem:
            return locate.problem(("project", "tasks", index, field), message, value)

        _check_plan(project.tasks, list(seen), inline)
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


def _plan_locator(source: str, rows: list[int]) -> PlanProblem:
    def problem(index: int, field: str, message: str, value: Any = _MISSING) -> Problem:
        return Problem(source=source, line=rows[index], path=(field,), message=message, value=value)

    return problem


def _check_plan(tasks: list[TaskSpec], departments: list[str], problem: PlanProblem) -> None:
    """Unique ids, known departments and tasks, no self-links, no precedence cycle."""
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    for i, task in enumerate(tasks):
        if task.id in ids:
            problems.append(
                problem(i, "id", twice("task id", problem(ids[task.id], "id", "")), task.id)
            )
        else:
            ids[task.id] = i
        if task.department not in departments:
            hint = suggest(task.department, departments)
            known = f"known: {', '.join(departments)}"
            problems.append(
                problem(i, "department", f"unknown department ({hint or known})", task.department)
            )
    for i, task in enumerate(tasks):
        for field, others in (
            ("depends_on", task.depends_on),
            ("interdependent_with", task.interdependent_with),
        ):
            for other in others:
                if other == task.id:
                    what = "depend on" if field == "depends_on" else "be linked to"
                    problems.append(problem(i, field, f"a task cannot {what} itself", other))
                elif other not in ids:
                    hint = suggest(other, ids)
                    message = f"unknown task ({hint})" if hint else "unknown task"
                    problems.append(problem(i, field, message, other))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputError(problems)
    sorter = graphlib.TopologicalSorter({t.id: t.depends_on for t in tasks})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        # graphlib lists each task before the ones that depend on it: reversed, each task
        # depends on the next, which reads the way the file is written.
        cycle = list(reversed(exc.args[1]))
        shown = cycle
        if len(cycle) > MAX_CYCLE_SHOWN + 1:
            shown = [*cycle[:MAX_CYCLE_SHOWN], f"... ({len(cycle) - 1} tasks)", cycle[-1]]
        message = "precedence cycle, each task depending on the next: " + " -> ".join(shown)
        raise InputError(problem(ids[cycle[0]], "depends_on", message)) from None


# --- CSV plans -------------------------------------------------------------------------


def parse_plan_csv(text: str, source: str) -> list[TaskSpec]:
    """Tasks from a CSV plan `id,department,effort_hours,depends_on,interdependent_with`.

    Lists are `;`-separated; an optional `complexity` column gives a task's complexity.
    Each row is checked on its own (types, bounds); names are checked by the caller.
    """
    return _parse_plan(text, source)[0]


def _parse_plan(text: str, source: str) -> tuple[list[TaskSpec], list[int]]:
    """The tasks of a CSV plan and the line each came from."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(Problem(source=source, line=1, message="the plan is empty"))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [c.strip() for c in next(reader)]
        columns = _plan_columns(header, source)
        tasks: list[TaskSpec] = []
        rows: list[int] = []
        problems: list[Problem] = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                problems.append(
                    Problem(
                        source=source,
                        line=line,
                        message=f"{len(row)} fields, but the header has {len(columns)} columns",
                    )
                )
                continue
            cells = dict(zip(columns, (c.strip() for c in row), strict=False))
            try:
                tasks.append(TaskSpec.model_validate(_plan_record(cells)))
                rows.append(line)
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = tuple(err.get("loc", ()))
                field = str(loc[0]) if loc else ""
                message = error_message(err)
                problems.append(
                    Problem(
                        source=source,
                        line=line,
                        path=(field,) if field else (),
                        message=message,
                        value=err.get("input", _MISSING),
                    )
                )
            if len(problems) >= MAX_PROBLEMS:
                break
    except csv.Error as exc:
        raise InputError(
            Problem(source=source, line=reader.line_num, message=f"not valid CSV: {exc}")
        ) from None
    if problems:
        raise InputError(problems)
    if not tasks:
        raise InputError(Problem(source=source, line=1, message="the plan has no tasks"))
    return tasks, rows


def _plan_columns(header: list[str], source: str) -> list[str]:
    known = (*PLAN_COLUMNS, *PLAN_OPTIONAL_COLUMNS)
    expected = f"expected {', '.join(PLAN_COLUMNS)}, optionally complexity"
    if len(header) == 1 and ";" in header[0]:
        raise InputError(
            Problem(
                source=source,
                line=1,
                message="columns must be separated by commas (this file uses ';'; "
                "';' separates the entries of a list)",
            )
        )
    for column in header:
        if column not in known:
            hint = suggest(column, known)
            message = f"unknown column '{column}' ({hint or expected})"
            raise InputError(Problem(source=source, line=1, message=message))
        if header.count(column) > 1:
            raise InputError(
                Problem(source=source, line=1, message=f"column '{column}' given twice")
            )
    for column in PLAN_COLUMNS[:3]:
        if column not in header:
            raise InputError(
                Problem(source=source, line=1, message=f"missing column '{column}' ({expected})")
            )
    return header


def _plan_record(cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row as TaskSpec data: empty cells are absent, lists split on `;`."""
    record: dict[str, Any] = {}
    for column in ("id", "department", "effort_hours", "complexity"):
        if cells.get(column):
            record[column] = cells[column]
    for column in ("depends_on", "interdependent_with"):
        record[column] = [d.strip() for d in cells.get(column, "").split(";") if d.strip()]
    return record
