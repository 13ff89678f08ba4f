"""The CSV plan (`project.tasks_file`) and the checks every plan passes, CSV or inline.

A layer above reading and locating (`simulator.loading` has the layer order): CSV rows
become `TaskSpec`s, each row checked on its own (types, bounds) and remembered with its
line; then the plan as a whole is checked (unique ids, known departments and tasks, no
precedence cycle), each problem located at its row, or at its key for an inline plan.
"""

from __future__ import annotations

import graphlib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import _MISSING, InputError, Problem, ScenarioWarning
from simulator.locating import error_message, row_problem, suggest, twice
from simulator.reading import csv_table, read_text
from simulator.schema import TaskSpec

PLAN_COLUMNS = ("id", "department", "effort_hours", "depends_on", "interdependent_with")
PLAN_OPTIONAL_COLUMNS = ("complexity",)
MAX_PROBLEMS = 20  # collected before giving up; only the first three are shown
MAX_CYCLE_SHOWN = 8

# problem(index, field, message, value=MISSING): a problem at one task's field.
PlanProblem = Callable[..., Problem]


def load_plan_csv(path: Path, departments: list[str]) -> list[TaskSpec]:
    """The tasks of a CSV plan file, each row and the plan as a whole checked.

    `departments` are the names tasks may belong to. Problems name the file and the row.
    """
    source = str(path)
    tasks, lines = _parse_plan(read_text(path, source, "utf-8-sig"), source)
    check_plan(tasks, departments, _row_locator(source, lines))
    return tasks


def parse_plan_csv(text: str, source: str) -> list[TaskSpec]:
    """Tasks from a CSV plan `id,department,effort_hours,depends_on,interdependent_with`.

    Lists are `;`-separated; an optional `complexity` column gives a task's complexity;
    any other column is kept as a label of the task.
    Each row is checked on its own (types, bounds); names are checked by the caller.
    """
    return _parse_plan(text, source)[0]


def _parse_plan(text: str, source: str) -> tuple[list[TaskSpec], list[int]]:
    """The tasks of a CSV plan and the line each came from."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(Problem(source=source, line=1, message="the plan is empty"))
    header, rows = csv_table(text, source)
    columns = _plan_columns(header, source)
    tasks: list[TaskSpec] = []
    lines: list[int] = []
    problems: list[Problem] = []
    for line, row in rows:
        if len(row) > len(columns):
            message = f"{len(row)} fields, but the header has {len(columns)} columns"
            problems.append(row_problem(source, line, None, message))
            continue
        cells = dict(zip(columns, row, strict=False))
        try:
            tasks.append(TaskSpec.model_validate(_plan_record(cells)))
            lines.append(line)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = tuple(err.get("loc", ()))
            field = str(loc[0]) if loc else None
            value = err.get("input", _MISSING)
            problems.append(row_problem(source, line, field, error_message(err), value))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputError(problems)
    if not tasks:
        raise InputError(Problem(source=source, line=1, message="the plan has no tasks"))
    return tasks, lines


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
            # Extra columns (an owner, a phase from a planning tool) are kept as labels;
            # one that looks like a misspelt column is said so.
            hint = suggest(column, known)
            if hint:
                message = f"column '{column}' is kept as a label ({hint})"
                warnings.warn(
                    ScenarioWarning(Problem(source=source, line=1, message=message)), stacklevel=2
                )
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
    """A CSV row as TaskSpec data: empty cells are absent, lists split on `;`, other
    columns are labels."""
    record: dict[str, Any] = {}
    for column in ("id", "department", "effort_hours", "complexity"):
        if cells.get(column):
            record[column] = cells[column]
    for column in ("depends_on", "interdependent_with"):
        record[column] = [d.strip() for d in cells.get(column, "").split(";") if d.strip()]
    known = (*PLAN_COLUMNS, *PLAN_OPTIONAL_COLUMNS)
    labels = {column: value for column, value in cells.items() if column not in known and value}
    if labels:
        record["labels"] = labels
    return record


# --- checks of the whole plan ----------------------------------------------------------


def _row_locator(source: str, lines: list[int]) -> PlanProblem:
    def problem(index: int, field: str, message: str, value: Any = _MISSING) -> Problem:
        return row_problem(source, lines[index], field, message, value)

    return problem


def check_plan(tasks: list[TaskSpec], departments: list[str], problem: PlanProblem) -> None:
    """Unique ids, known departments and tasks, no self-links, no precedence cycle.

    `problem(index, field, message, value)` locates a problem at a task's field: its row
    in a CSV plan, its key in an inline one. Raises InputError with what is wrong.
    """
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
