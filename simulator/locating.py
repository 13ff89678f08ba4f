"""Locating problems: where in a file (or which `--set`) each problem is, and its wording.

The middle layer of loading (`simulator.loading` has the layer order): given the line
maps the reading layer builds, a schema path becomes `FILE:LINE: field.path: problem
(got VALUE)`; a CSV cell becomes `FILE:LINE: column: problem (got VALUE)`. Pydantic's
errors are reworded here for people who write scenario files, not Python: no type names,
no `Input should be`, bounds as `must be at least 1`.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from typing import Any

from simulator.errors import _MISSING, FieldProblem, Problem
from simulator.overrides import model_at
from simulator.reading import Lines

MAX_KEYS_LISTED = 20  # an unknown key with no close match lists the known ones up to this

_PLAN_TAGS = {"count", "plan"}  # the union tags pydantic puts after `project.tasks`


def line_of(lines: Lines, path: tuple[Any, ...]) -> int | None:
    """The line of `path`, or of its nearest enclosing key written in the file."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


class Locator:
    """Turns schema paths into file lines (or the `--set` that gave the value)."""

    def __init__(self, source: str, lines: Lines, set_by: dict[tuple[Any, ...], str]):
        self.source = source
        self.lines = lines
        self.set_by = set_by

    def _set_by(self, path: tuple[Any, ...]) -> str | None:
        for set_path, text in self.set_by.items():
            if path[: len(set_path)] == set_path:
                return text  # the problem is inside what --set wrote
        for set_path, text in self.set_by.items():
            if path and set_path[: len(path)] == path and path not in self.lines:
                return text  # a block the file does not have, changed by --set
        return None

    def problem(
        self, path: tuple[Any, ...], message: str, value: Any = _MISSING, **extra: Any
    ) -> Problem:
        """A problem at `path`, located at its line (or the nearest enclosing key's)."""
        assignment = self._set_by(path)
        if assignment is not None:
            return Problem(
                source=f"--set {assignment}", message=message, path=path, value=value, **extra
            )
        line = line_of(self.lines, path)
        return Problem(
            source=self.source, line=line, message=message, path=path, value=value, **extra
        )

    def _key_problem(self, key_path: tuple[Any, ...], key: Any) -> Problem:
        # Located by the key's own line, named by the block it is in (`1:` is no field).
        message = "keys must be text"
        if isinstance(key, bool):
            message += " (YAML reads on, off, yes and no as true or false: quote them)"
        located = self.problem(key_path, message, key)
        return dataclasses.replace(located, path=key_path[:-1])

    def from_pydantic(self, err: Any) -> Problem:
        """One pydantic error as a located problem in the public format."""
        raw = tuple(err.get("loc", ()))
        # Drop the union tags pydantic adds after `tasks` ('count' / 'plan').
        loc = tuple(
            p
            for i, p in enumerate(raw)
            if not (i > 0 and raw[i - 1] == "tasks" and p in _PLAN_TAGS)
        )
        kind = err.get("type", "")
        ctx = err.get("ctx") or {}
        value = err.get("input", _MISSING)
        if "[key]" in loc:  # a key of a mapping field (`policies`) that is not text
            cut = loc.index("[key]")
            return self._key_problem(loc[:cut], loc[cut - 1] if cut else value)
        if kind == "invalid_key":  # a key of a schema block that is not text
            return self._key_problem(loc, value)
        if kind == "extra_forbidden":
            return self.problem(loc, unknown_key_message(loc), unknown_key=True)
        if kind == "missing":
            return self.problem(loc, "required")
        error = ctx.get("error")
        if isinstance(error, FieldProblem):
            path = (*loc, error.field) if error.field else loc
            return self.problem(path, error.message, error.value)
        if loc == ("project", "tasks") and kind.startswith("int_"):
            message = "expected a number of tasks or a list of tasks"
        elif loc == ("organisation", "departments") and kind == "too_short":
            message = "needs at least one department"
        elif loc == ("project", "tasks") and kind == "too_short":
            message = "needs at least one task"
        else:
            message = error_message(err)
        return self.problem(loc, message, value)


def row_problem(
    source: str, line: int, column: str | None, message: str, value: Any = _MISSING
) -> Problem:
    """A problem in one cell of a CSV file, at its line and column (None: the whole row)."""
    path = () if column is None else (column,)
    return Problem(source=source, line=line, path=path, message=message, value=value)


# --- wording ---------------------------------------------------------------------------

# Pydantic error types in the words of someone writing a scenario file.
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
    "invalid_key": "keys must be text",
    "recursion_loop": "contains itself",
}


def unknown_key_message(loc: tuple[Any, ...]) -> str:
    """`unknown key 'x'`, with the closest known key or, failing one, the known keys."""
    key = loc[-1]
    message = f"unknown key '{key}'"
    model = model_at(loc[:-1])
    known = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(str(key), known, n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    elif 0 < len(known) <= MAX_KEYS_LISTED:
        message += f" (known: {', '.join(known)})"
    return message


def _number(value: Any) -> str:
    # 1.0 -> "1", 0.25 -> "0.25"; whole numbers (2**63 - 1) in full.
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def error_message(err: Any) -> str:
    """The wording of one pydantic error (`must be at least 1`), without its location."""
    kind = err.get("type", "")
    return (
        _MESSAGES.get(kind)
        or _bound_message(kind, err.get("ctx") or {})
        or _clean(err.get("msg", ""))
    )


def _bound_message(kind: str, ctx: dict[str, Any]) -> str | None:
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "greater_than": ("must be more than", "gt"),
        "less_than_equal": ("must be at most", "le"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {_number(ctx.get(key))}"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "")
        return f"expected one of {expected}"
    if kind in ("too_short", "string_too_short"):
        minimum = ctx.get("min_length", 1)
        return "must not be empty" if minimum == 1 else f"needs at least {minimum}"
    if kind in ("too_long", "string_too_long"):
        return f"must have at most {ctx.get('max_length')}"
    return None


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    message = message.replace("Input should be", "expected")
    return message[:1].lower() + message[1:]


def twice(what: str, first: Problem) -> str:
    """`department named twice (first on line 4)`, the line when the first one has one."""
    where = f" (first on line {first.line})" if first.line is not None and first.source else ""
    return f"{what} used twice{where}" if what == "task id" else f"{what} named twice{where}"


def suggest(name: str, known: Iterable[str]) -> str:
    """`did you mean 'x'?` for the closest known name, or an empty string."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean '{close[0]}'?" if close else ""
