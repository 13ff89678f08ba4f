"""Loading scenarios: files (YAML or TOML), built-in names, `--set` overrides, CSV plans.

Everything that can be wrong with a scenario is reported here as an `InputError` whose
lines name the file, the line, the field and the bad value; the model never sees a
scenario that did not pass.
"""

from __future__ import annotations

import csv
import difflib
import graphlib
import io
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import _MISSING, InputError, Problem
from simulator.overrides import _field_model, apply_assignments
from simulator.policies import PRESETS, UnknownPolicy, resolve_policy
from simulator.schema import Scenario, TaskSpec

BUILTIN_PACKAGE = "scenarios"
MAX_FILE_BYTES = 20_000_000
PLAN_COLUMNS = ("id", "department", "effort_hours", "depends_on", "interdependent_with")


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
    if path.is_file():
        return path
    if path.suffix == "" and "/" not in text and (builtin_dir() / f"{text}.yaml").is_file():
        return builtin_dir() / f"{text}.yaml"
    if path.exists():
        raise InputError(Problem(source=text, message="is not a file"))
    if path.suffix or "/" in text:
        raise InputError(Problem(source=text, message="no such file"))
    known = ", ".join(builtin_names())
    raise InputError(
        Problem(source=text, message=f"no such file or built-in scenario (built-in: {known})")
    )


def load_scenario(path_or_name: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, override and validate a scenario given by path or built-in name."""
    path = resolve_source(path_or_name)
    source = str(path_or_name) if not Path(str(path_or_name)).is_file() else str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(Problem(source=source, message="file is larger than 20 MB"))
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(Problem(source=source, message="is not UTF-8 text")) from None
    except OSError as exc:
        raise InputError(Problem(source=source, message=exc.strerror or "cannot be read")) from None
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
    """Validate scenario text. `allow_files=False` refuses `tasks_file`/`people_file`."""
    data, lines = _read_mapping(text, source, toml)
    return scenario_from_mapping(
        data, source=source, lines=lines, base_dir=base_dir, overrides=overrides,
        allow_files=allow_files,
    )


def scenario_from_mapping(
    data: Any,
    source: str = "<scenario>",
    lines: dict[tuple[Any, ...], int] | None = None,
    base_dir: Path | None = None,
    overrides: Iterable[str] = (),
    allow_files: bool = True,
) -> Scenario:
    """Validate a plain mapping as a scenario, reporting problems located in `source`."""
    lines = lines or {}
    if not isinstance(data, dict):
        raise InputError(
            Problem(source=source, line=1, message="expected a mapping of scenario keys", value=data)
        )
    set_by: dict[tuple[Any, ...], str] = {}
    overrides = list(overrides)
    if overrides:
        data, set_by = apply_assignments(data, overrides)
    locate = _Locator(source, lines, set_by)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError([locate.from_pydantic(err, data) for err in exc.errors()]) from None
    if not allow_files:
        for key, value in (
            (("project", "tasks_file"), scenario.project.tasks_file),
            (("organisation", "people_file"), scenario.organisation.people_file),
        ):
            if value is not None:
                raise InputError(locate.problem(key, "files on the server cannot be used here", value))
    scenario = _check_references(scenario, locate, base_dir)
    scenario._source_dir = str(base_dir) if base_dir is not None else None
    return scenario


# --- reading -------------------------------------------------------------------------


def _read_mapping(text: str, source: str, toml: bool) -> tuple[Any, dict[tuple[Any, ...], int]]:
    if not text.strip():
        raise InputError(Problem(source=source, line=1, message="the file is empty"))
    if toml:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(Problem(source=source, message=f"not valid TOML: {exc}")) from None
        return data, _toml_lines(text, data)
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(Problem(source=source, line=line, message=f"not valid YAML: {problem}")) from None
    if data is None:
        raise InputError(Problem(source=source, line=1, message="the file is empty"))
    lines: dict[tuple[Any, ...], int] = {}
    _node_lines(node, (), lines)
    return data, lines


def _node_lines(node: yaml.Node, path: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _node_lines(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, (*path, index), lines)


def _toml_lines(text: str, data: Any) -> dict[tuple[Any, ...], int]:
    """Approximate TOML lines: the first line that names each key."""
    rows = text.splitlines()
    lines: dict[tuple[Any, ...], int] = {(): 1}

    def walk(value: Any, path: tuple[Any, ...], start: int) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                found = next(
                    (i + 1 for i in range(start, len(rows)) if str(key) in rows[i]), start + 1
                )
                lines[(*path, key)] = found
                walk(child, (*path, key), found - 1)
        elif isinstance(value, list):
            for index, child in enumerate(value):
                lines[(*path, index)] = lines.get(path, start + 1)
                walk(child, (*path, index), start)

    walk(data, (), 0)
    return lines


# --- locating problems ----------------------------------------------------------------

_MESSAGES = {
    "missing": "required",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
}

_UNION_TAGS = {"count", "plan"}


class _Locator:
    """Turns schema paths into file lines (or the `--set` that gave the value)."""

    def __init__(self, source: str, lines: dict[tuple[Any, ...], int], set_by: dict):
        self.source = source
        self.lines = lines
        self.set_by = set_by

    def problem(self, path: tuple[Any, ...], message: str, value: Any = _MISSING, **extra) -> Problem:
        for set_path, text in self.set_by.items():
            if path[: len(set_path)] == set_path:
                return Problem(source=f"--set {text}", message=message, path=path, value=value, **extra)
        line = None
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.lines:
                line = self.lines[path[:cut]]
                break
        return Problem(source=self.source, line=line, message=message, path=path, value=value, **extra)

    def from_pydantic(self, err: dict[str, Any], data: Any) -> Problem:
        loc = tuple(p for i, p in enumerate(err["loc"]) if not (p in _UNION_TAGS and i > 0))
        kind = err["type"]
        ctx = err.get("ctx") or {}
        if kind == "extra_forbidden":
            key = loc[-1]
            message = f"unknown key '{key}'"
            known = _known_keys(loc[:-1])
            close = difflib.get_close_matches(str(key), known, n=1)
            if close:
                message += f" (did you mean '{close[0]}'?)"
            return self.problem(loc, message, unknown_key=True)
        if kind == "missing":
            return self.problem(loc, "required")
        message = _MESSAGES.get(kind)
        if message is None:
            message = _bound_message(kind, ctx) or _clean(err["msg"])
        return self.problem(loc, message, err.get("input"))


def _bound_message(kind: str, ctx: dict[str, Any]) -> str | None:
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be more than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx.get(key)}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}"
    if kind == "too_short":
        return "must not be empty" if ctx.get("min_length") == 1 else f"needs at least {ctx.get('min_length')}"
    return None


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message[:1].lower() + message[1:]


def _known_keys(path: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = Scenario
    for part in path:
        if isinstance(part, int):
            continue
        model = _field_model(model, str(part))
    return list(model.model_fields) if model is not None else []


# --- cross-field rules ----------------------------------------------------------------


def _check_references(scenario: Scenario, locate: _Locator, base_dir: Path | None) -> Scenario:
    problems: list[Problem] = []
    departments = scenario.organisation.departments
    seen: dict[str, int] = {}
    for i, dept in enumerate(departments):
        if dept.name in seen:
            problems.append(locate.problem(("organisation", "departments", i, "name"),
                                           "department named twice", dept.name))
        seen[dept.name] = i
        if dept.collaborators is None and scenario.organisation.people_file is None:
            problems.append(locate.problem(("organisation", "departments", i, "collaborators"),
                                           "required (or give organisation.people_file)"))
    for name, spec in scenario.policies.items():
        if name in PRESETS:
            problems.append(locate.problem(("policies", name), "redefines a preset; choose another name"))
            continue
        try:
            resolve_policy(name, scenario)
        except UnknownPolicy as exc:
            problems.append(locate.problem(("policies", name, "base"), str(exc), spec.base))
        except ValueError as exc:
            problems.append(locate.problem(("policies", name, "base"), str(exc), spec.base))
    for i, dept in enumerate(departments):
        if dept.policy is not None:
            try:
                resolve_policy(dept.policy, scenario)
            except ValueError as exc:
                problems.append(locate.problem(("organisation", "departments", i, "policy"), str(exc)))
    if problems:
        raise InputError(problems)

    if scenario.organisation.people_file is not None:
        from simulator.people import load_people

        scenario = load_people(scenario, locate.problem, base_dir)

    project = scenario.project
    if project.tasks_file is not None:
        plan = _read_plan_file(project.tasks_file, base_dir, locate)
        scenario = scenario.model_copy(
            update={"project": project.model_copy(update={"tasks": plan, "tasks_file": None})}
        )
        _check_plan(plan, set(seen), lambda i, field, msg, value=_MISSING: _plan_problem(
            project.tasks_file, plan, i, field, msg, value))
    elif isinstance(project.tasks, list):
        tasks = project.tasks
        _check_plan(tasks, set(seen), lambda i, field, msg, value=_MISSING: locate.problem(
            ("project", "tasks", i, field) if i is not None else ("project", "tasks"), msg, value))
    return scenario


def _plan_problem(file: str, plan: list[TaskSpec], index: int | None, field: str, message: str, value: Any) -> Problem:
    line = getattr(plan[index], "_line", None) if index is not None else None
    return Problem(source=file, line=line, path=(field,) if field else (), message=message, value=value)


def _check_plan(tasks: list[TaskSpec], departments: set[str], problem) -> None:
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    for i, task in enumerate(tasks):
        if task.id in ids:
            problems.append(problem(i, "id", "task id used twice", task.id))
        ids[task.id] = i
        if task.department not in departments:
            problems.append(problem(i, "department", f"unknown department (known: {', '.join(sorted(departments))})", task.department))
    for i, task in enumerate(tasks):
        for dep in task.depends_on:
            if dep not in ids:
                problems.append(problem(i, "depends_on", "unknown task", dep))
            elif dep == task.id:
                problems.append(problem(i, "depends_on", "a task cannot depend on itself", dep))
        for other in task.interdependent_with:
            if other not in ids:
                problems.append(problem(i, "interdependent_with", "unknown task", other))
            elif other == task.id:
                problems.append(problem(i, "interdependent_with", "a task cannot be linked to itself", other))
    if problems:
        raise InputError(problems)
    sorter = graphlib.TopologicalSorter({t.id: t.depends_on for t in tasks})
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        first = ids[cycle[0]]
        raise InputError(problem(first, "depends_on", "precedence cycle: " + " -> ".join(cycle[::-1]))) from None


def _read_plan_file(name: str, base_dir: Path | None, locate: _Locator) -> list[TaskSpec]:
    path = Path(name) if base_dir is None else (base_dir / name)
    if not path.is_file():
        raise InputError(locate.problem(("project", "tasks_file"), "no such file", str(path)))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise InputError(locate.problem(("project", "tasks_file"), "cannot be read as UTF-8 text", str(path))) from None
    return parse_plan_csv(text, name)


def parse_plan_csv(text: str, source: str) -> list[TaskSpec]:
    """Tasks from a CSV plan `id,department,effort_hours,depends_on,interdependent_with`."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in PLAN_COLUMNS[:3] if c not in columns]
    unknown = [c for c in columns if c not in (*PLAN_COLUMNS, "complexity")]
    if unknown:
        raise InputError(Problem(source=source, line=1, message=f"unknown column '{unknown[0]}' (expected {', '.join(PLAN_COLUMNS)})"))
    if missing:
        raise InputError(Problem(source=source, line=1, message=f"missing column '{missing[0]}' (expected {', '.join(PLAN_COLUMNS)})"))
    tasks: list[TaskSpec] = []
    for row in reader:
        line = reader.line_num
        clean = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if not any(clean.values()):
            continue
        record: dict[str, Any] = {
            "id": clean["id"],
            "department": clean["department"],
            "effort_hours": clean["effort_hours"],
            "depends_on": [d.strip() for d in clean.get("depends_on", "").split(";") if d.strip()],
            "interdependent_with": [d.strip() for d in clean.get("interdependent_with", "").split(";") if d.strip()],
        }
        if clean.get("complexity"):
            record["complexity"] = clean["complexity"]
        try:
            task = TaskSpec.model_validate(record)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else ""
            message = _MESSAGES.get(err["type"]) or _bound_message(err["type"], err.get("ctx") or {}) or _clean(err["msg"])
            raise InputError(Problem(source=source, line=line, path=(field,), message=message, value=err.get("input"))) from None
        object.__setattr__(task, "_line", line)
        tasks.append(task)
    if not tasks:
        raise InputError(Problem(source=source, line=1, message="the plan has no tasks"))
    return tasks
