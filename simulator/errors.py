"""Bad-input errors: located problems that the CLI prints as one short line each.

Every problem renders as `error: FILE:LINE: field.path: problem (got VALUE)` (DESIGN §6):
the line is left out when unknown, the field path when the problem is about the whole
file. An `InputError` carries the problems; `lines()` gives at most three, unknown keys
first. Nothing here may print a Python repr: values are shown as a user wrote them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MAX_LINES = 3
MAX_VALUE_CHARS = 60
MISSING: Any = object()  # no value to show in a problem's `(got ...)`
_MISSING = MISSING  # the name used inside the kernel
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FieldProblem(ValueError):
    """Raised by schema validators to point at one field of the block they check.

    A model validator only knows its own block (`project`); `field` names the key inside
    it that is wrong (`tasks_file`) and `value` the value to show, so the loader can
    print `project.tasks_file: ...` with that key's line rather than the whole block.
    """

    def __init__(self, message: str, field: str | None = None, value: Any = _MISSING):
        super().__init__(message)
        self.message = message
        self.field = field
        self.value = value


def _one_line(text: str) -> str:
    # One problem, one line: newlines and other control characters are shown escaped.
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def format_path(path: tuple[Any, ...]) -> str:
    """`('organisation', 'departments', 0, 'expertise')` -> `organisation.departments[0].expertise`."""
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return _one_line(text)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        # Quote only what would be invisible or ambiguous unquoted.
        if value == "" or value.strip() != value or _CONTROL.search(value):
            return _one_line(repr(value))
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list | tuple):
        return "[...]"
    return type(value).__name__


def show_value(value: Any) -> str:
    """A short rendering of a bad value for `(got ...)`, at most 60 characters.

    Mappings show their first level only (nested blocks as `{...}`), so the cost stays
    bounded whatever the input (a YAML alias bomb included).
    """
    if isinstance(value, dict):
        parts = []
        size = 2
        for key, item in value.items():
            part = f"{_scalar(key)}: {_scalar(item)}"
            size += len(part) + 2
            if size > MAX_VALUE_CHARS:
                break
            parts.append(part)
        text = "{" + ", ".join(parts) + "}" if len(parts) == len(value) else "a mapping"
    elif isinstance(value, list | tuple):
        text = f"a list of {len(value)}"
    else:
        text = _scalar(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, and the bad value."""

    source: str
    message: str
    path: tuple[Any, ...] = ()
    line: int | None = None
    value: Any = _MISSING
    unknown_key: bool = False

    def render(self, label: str = "error") -> str:
        """`error: FILE:LINE: field.path: problem (got VALUE)`."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        field = format_path(self.path)
        text = f"{label}: {_one_line(where)}: "
        if field:
            text += f"{field}: "
        text += _one_line(self.message)
        if self.value is not _MISSING:
            text += f" (got {show_value(self.value)})"
        return text


class InputError(Exception):
    """Input that cannot be used (exit code 2). Carries one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.render())

    def lines(self) -> list[str]:
        """At most three lines, unknown keys first (a misspelt key explains what follows)."""
        ordered = sorted(self.problems, key=lambda p: not p.unknown_key)
        return [p.render() for p in ordered[:MAX_LINES]]

    def render(self) -> str:
        """The lines joined for printing."""
        return "\n".join(self.lines())


def input_error(source: str, message: str, **where: Any) -> InputError:
    """Shorthand for an InputError with a single problem."""
    return InputError(Problem(source=source, message=message, **where))


class ScenarioWarning(UserWarning):
    """Something in an input that will not act as its author may expect (never silent).

    Issued with `warnings.warn`; the command line prints it as one `warning:` line on
    stderr, located like an error.
    """

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.render("warning"))
