"""Bad-input errors: located problems that the CLI prints as one short line each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_LINES = 3
_MISSING = object()


def format_path(path: tuple[Any, ...]) -> str:
    """`('organisation', 'departments', 0, 'expertise')` -> `organisation.departments[0].expertise`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def show_value(value: Any) -> str:
    """A short rendering of a bad value for `(got ...)`."""
    if isinstance(value, str):
        text = repr(value) if value == "" or value.strip() != value else value
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dict):
        inner = ", ".join(f"{k}: {show_value(v)}" for k, v in value.items())
        text = "{" + inner + "}" if len(inner) <= 50 else "a mapping"
    elif isinstance(value, list):
        text = f"a list of {len(value)}"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, and the bad value."""

    source: str
    message: str
    path: tuple[Any, ...] = ()
    line: int | None = None
    value: Any = _MISSING
    unknown_key: bool = False

    def render(self) -> str:
        """`error: FILE:LINE: field.path: problem (got VALUE)`."""
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        field = format_path(self.path)
        text = f"error: {where}: "
        if field:
            text += f"{field}: "
        text += self.message
        if self.value is not _MISSING:
            text += f" (got {show_value(self.value)})"
        return text


class InputError(Exception):
    """Input that cannot be used (exit code 2). Carries one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.render())

    def lines(self) -> list[str]:
        """At most three lines, unknown keys first."""
        ordered = sorted(self.problems, key=lambda p: not p.unknown_key)
        return [p.render() for p in ordered[:MAX_LINES]]

    def render(self) -> str:
        """The lines joined for printing."""
        return "\n".join(self.lines())


def input_error(source: str, message: str, **where: Any) -> InputError:
    """Shorthand for an InputError with a single problem."""
    return InputError(Problem(source=source, message=message, **where))
