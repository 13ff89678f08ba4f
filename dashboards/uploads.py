"""Scenario files uploaded from a browser: refused politely, never trusted.

An upload is at most 1 MB (refused before any byte is read), must be UTF-8 text, is read
by the scenario loader (YAML through the safe loader, or TOML), is validated like any
scenario, may not name files on the server (`allow_files=False`), and must be small
enough to watch live. Whatever is wrong comes back as short lines for the page; no
exception escapes, so a bad upload never breaks the session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from simulator.errors import InputError
from simulator.loading import parse_scenario
from simulator.schema import Scenario

MAX_UPLOAD_BYTES = 1_000_000
# A live drawing of more people than this is unreadable and slow: use `orgsim run`.
MAX_PEOPLE = 1_000
MAX_TASKS = 5_000
SUFFIXES = (".yaml", ".yml", ".toml")


class UploadRefused(Exception):
    """An upload that cannot be used; `lines` say why, in plain words."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("\n".join(lines))


def _display_name(name: str) -> str:
    # Only the file's own name: a browser may send a path, and it names nothing here.
    return PurePath(name.replace("\\", "/")).name or "upload"


def read_upload(name: str, size: int, read: Callable[[], bytes]) -> Scenario:
    """Validate an uploaded scenario; `read` is called only if the size is acceptable."""
    shown = _display_name(name)
    if not shown.lower().endswith(SUFFIXES):
        raise UploadRefused([f"error: {shown}: expected a .yaml, .yml or .toml scenario file"])
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            [f"error: {shown}: the file is {size / 1e6:.1f} MB; uploads are limited to 1 MB"]
        )
    try:
        raw = read()
    except Exception as exc:  # the browser went away, the transfer failed...
        raise UploadRefused([f"error: {shown}: the file could not be received ({exc})"]) from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise UploadRefused([f"error: {shown}: uploads are limited to 1 MB"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UploadRefused(
            [f"error: {shown}:{line}: is not UTF-8 text (save the file as UTF-8)"]
        ) from None
    try:
        scenario = parse_scenario(
            text, source=shown, toml=shown.lower().endswith(".toml"), allow_files=False
        )
    except InputError as exc:
        raise UploadRefused(exc.lines()) from None
    except Exception as exc:  # a loader bug must not take the page down with it
        raise UploadRefused([f"error: {shown}: could not be read ({type(exc).__name__})"]) from None
    check_size(scenario, shown)
    return scenario


def check_size(scenario: Scenario, shown: str) -> None:
    """Refuse a scenario too large to draw and play live."""
    people = scenario.organisation.headcount
    tasks = scenario.project.tasks
    count = tasks if isinstance(tasks, int) else len(tasks or [])
    problems = []
    if people > MAX_PEOPLE:
        problems.append(
            f"error: {shown}: {people} collaborators; the dashboard shows at most {MAX_PEOPLE} "
            "(use `orgsim run` for larger organisations)"
        )
    if count > MAX_TASKS:
        problems.append(
            f"error: {shown}: {count} tasks; the dashboard plays at most {MAX_TASKS} "
            "(use `orgsim run` for larger projects)"
        )
    if problems:
        raise UploadRefused(problems)
