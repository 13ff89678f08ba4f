"""Progress of a sweep on stderr, when stderr is a terminal: runs done/total, rate, ETA,
failures so far. Piped or redirected output gets nothing (logs stay clean)."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A progress line that may be shown or not; `advance` is cheap either way."""

    def __init__(self, total: int, done: int, description: str, show: bool | None = None):
        self.total = total
        self.done = done
        self.failures = 0
        self._bar: Any = None
        self._task: Any = None
        if show is None:
            show = sys.stderr.isatty()
        if show and total > done:
            self._open(description)

    def _open(self, description: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import (
            Progress as RichProgress,
        )

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[failed]}"),
            console=Console(stderr=True),
            transient=True,
            # Redrawn on each advance, not by a thread of its own: with no other thread
            # running, workers can be forked from this process (experiments.executors).
            auto_refresh=False,
        )
        self._bar.start()
        self._task = self._bar.add_task(
            description, total=self.total, completed=self.done, rate="", failed=""
        )

    def advance(self, runs: int, failures: int = 0) -> None:
        """`runs` more runs done, `failures` of them failed."""
        self.done += runs
        self.failures += failures
        if self._bar is None:
            return
        self._bar.advance(self._task, runs)
        speed = self._bar.tasks[0].speed
        self._bar.update(
            self._task,
            rate=f"{speed:.1f} runs/s" if speed else "",
            failed=f"[red]{self.failures} failed" if self.failures else "",
        )
        self._bar.refresh()

    def close(self) -> None:
        """Remove the progress line."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
