"""What commands write: results on stdout (tables or one JSON document), files written
atomically, progress on stderr. Keeping stdout for results makes `--json` clean JSON."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from experiments.atomic import write_atomically, write_text

if TYPE_CHECKING:
    import pandas as pd


def jsonable(value: Any) -> Any:
    """Plain JSON data: NumPy scalars become Python numbers, NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(data: Any) -> str:
    """One JSON document, indented, ending with a newline."""
    return json.dumps(jsonable(data), indent=2, allow_nan=False) + "\n"


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    sys.stdout.write(json_text(data))
    sys.stdout.flush()


def write_json(path: Path, data: Any) -> None:
    """One JSON document to `path`, atomically."""
    write_text(path, json_text(data))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """A DataFrame to `path` as CSV without its index, atomically."""
    write_atomically(path, lambda temporary: frame.to_csv(temporary, index=False))


@contextmanager
def results_only_on_stdout() -> Iterator[None]:
    """While simulating, anything a library prints goes to stderr, keeping stdout for results."""
    with redirect_stdout(sys.stderr):
        yield


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[str, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; otherwise nothing (yields None)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        # Redrawn on each advance, not by a thread of its own: with no other thread
        # running, workers can be forked from this process (experiments.executors).
        auto_refresh=False,
    ) as progress:
        task = progress.add_task(description, total=total)

        def advance(policy: str, replicate: int) -> None:
            progress.advance(task)
            progress.refresh()

        yield advance
