"""Files that readers see whole or not at all.

    write_atomically(path, lambda temporary: frame.to_csv(temporary, index=False))
    write_text(path, "...")

The content goes to a temporary name in the same folder, starting with `.` (hidden, and
skipped by Parquet readers and by the dashboard's file list), is flushed to disk, then
renamed over `path`: a rename within a folder is atomic, so a reader finds the old file or
the new one, never half of one. The folder is synced too, so that the rename survives a
power cut. Only the standard library is imported here (the command line uses it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path


def temporary_name(path: Path) -> Path:
    """Where `path` is written before its rename: hidden, and unique to this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` through `write(temporary path)`, then sync and rename it into place.

    If `write` raises, the temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    temporary = temporary_name(path)
    try:
        write(temporary)
        _sync_file(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    _sync_folder(path.parent)


def write_text(path: Path, text: str) -> None:
    """`text` to `path` (UTF-8), atomically."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """`data` to `path`, atomically."""
    write_atomically(path, lambda temporary: temporary.write_bytes(data))


def _sync_file(path: Path) -> None:
    # Without it the rename may reach the disk before the content does.
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    # The rename itself must reach the disk for the file to survive a power cut.
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened there
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
