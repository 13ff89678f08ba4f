"""The results folder of a sweep: a manifest and Parquet parts that are never half-written.

    DIR/manifest.json            the experiment, its cells, versions, run count, the schema
    DIR/runs/part-00000.parquet  one row per run; part 0 is empty and fixes the schema
    DIR/runs/part-00001.parquet  ...
    DIR/daily/part-*.parquet     (record.daily) run_id, day, series, value
    DIR/problems/part-*.parquet  (record.problems) run_id and one row per problem

Only the coordinator writes. The manifest is written before the first run. A part is
written atomically (`experiments.atomic`: a hidden name, which Parquet readers skip, then a
rename): `pandas.read_parquet(DIR / "runs")` always reads whole parts with one schema. The
runs part is written last, so a daily or problems part without its runs part is an orphan
of a killed coordinator and is removed when the sweep resumes (its runs run again).

Extending a sweep to more replications changes the run_id of runs already done (run ids
are cell-major: `(cell_id × replications + replicate) × policies + policy_index`). The new
manifest is written first; then every part is rewritten, one atomic file at a time, with
the ids of the new layout (`ResultsFolder.renumber`, run again on every reopen, so a
coordinator killed half-way is finished by the next `--resume`). A runs part knows its
runs (cell, replicate, policy); a daily or problems part carries the replications it was
numbered for in its Parquet metadata (`orgsim.replications`; none: the folder's first).

`ORGSIM_TEST_KILL_AT` (tests only) makes the coordinator SIGKILL itself at a named point:
`manifest`, `records-K`, `temp-K` or `part-K` (the K-th part written by this process:
after its records, after its temporary runs file, after the rename), or `renumber-K`
(after the K-th file renumbered).
"""

from __future__ import annotations

import json
import os
import re
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

from experiments.atomic import write_atomically, write_text
from simulator import domain
from simulator.errors import InputError, Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

FORMAT = "orgsim-sweep/1"
MANIFEST = "manifest.json"
RUNS, DAILY, PROBLEMS = "runs", "daily", "problems"
PART = re.compile(r"^part-(\d+)\.parquet$")
KILL_HOOK = "ORGSIM_TEST_KILL_AT"
LAYOUT_KEY = b"orgsim.replications"  # Parquet metadata of record parts: their numbering

DAILY_COLUMNS = (
    ("run_id", "int64"),
    ("day", "float64"),
    ("series", "string"),
    ("value", "float64"),
)
# The Python type of a record field -> its column type (every column may hold nulls). In
# this order: a bool is an int, and a StrEnum or IntEnum is stored as its value.
FIELD_TYPES = ((bool, "bool"), (int, "int64"), (float, "float64"), (str, "string"))


def record_columns(record_type: type) -> tuple[tuple[str, str], ...]:
    """`run_id`, then the fields of a record type of `simulator.domain` with their types."""
    hints = get_type_hints(record_type)
    typed = []
    for name in domain.columns(record_type):
        # `float | None` is stored as float64 with nulls.
        (kind,) = [a for a in get_args(hints[name]) if a is not type(None)] or [hints[name]]
        column = next((t for base, t in FIELD_TYPES if issubclass(kind, base)), None)
        if column is None:
            raise TypeError(f"{record_type.__name__}.{name}: no column type for {kind!r}")
        typed.append((name, column))
    return (("run_id", "int64"), *typed)


PROBLEM_COLUMNS = record_columns(domain.ProblemRecord)


class FolderBusy(Exception):
    """Another coordinator is writing to the folder."""


# --- the schema ------------------------------------------------------------------------------


def arrow_schema(columns: Sequence[Sequence[str]]) -> pa.Schema:
    """The Arrow schema of `[name, type]` columns."""
    import pyarrow as pa

    types = {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "bool": pa.bool_(),
        "string": pa.string(),
    }
    return pa.schema([pa.field(name, types[kind]) for name, kind in columns])


def _coerce(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "float64":
        return float(value)
    if kind == "int64":
        if isinstance(value, float):
            if value != value:  # NaN: no count
                return None
            if not value.is_integer():
                raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Sequence[str]]) -> pa.Table:
    """Rows as an Arrow table with exactly `columns` (missing values are null)."""
    import pyarrow as pa

    data = {name: [_coerce(kind, row.get(name)) for row in rows] for name, kind in columns}
    return pa.Table.from_pydict(data, schema=arrow_schema(columns))


def _frames_table(frames: Sequence[pd.DataFrame], columns: Sequence[Sequence[str]]) -> pa.Table:
    import pandas as pd
    import pyarrow as pa

    schema = arrow_schema(columns)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return schema.empty_table()
    joined = pd.concat(frames, ignore_index=True)
    arrays = []
    for name, kind in columns:
        if name not in joined:
            arrays.append(pa.nulls(len(joined), schema.field(name).type))
            continue
        column = joined[name]
        values = [None if _missing(v) else _coerce(kind, v) for v in column.tolist()]
        arrays.append(pa.array(values, type=schema.field(name).type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


# --- the folder ---------------------------------------------------------------------------------


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The manifest of a results folder, or None when there is none."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def check_folder(
    folder: Path,
    fingerprint: str,
    resume: bool,
    name: str = "",
    extension: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any] | None:
    """Whether the sweep may write to `folder`; the manifest there when resuming it.

    Refused (InputError, nothing written): a file; a folder with other content; a folder
    holding another experiment (or this one as it was before its file or scenario
    changed, unless `extension(manifest)` accepts the change: it returns what grows, or
    raises InputError naming what changed); a folder holding this experiment without
    `--resume`.
    """
    where = str(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(Problem(source=where, message="exists and is not a folder"))
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(Problem(source=where, message=f"{parent} is not a folder"))
            break
    if not folder.exists():
        return None
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        raise InputError(
            Problem(
                source=where,
                message="has a manifest.json that cannot be read: choose another --out",
            )
        ) from None
    if manifest is None:
        if any(p.name != ".lock" for p in folder.iterdir()):
            raise InputError(
                Problem(
                    source=where,
                    message="exists, is not empty and holds no orgsim sweep: choose another --out",
                )
            )
        return None
    grows = None
    if manifest.get("fingerprint") != fingerprint:
        if extension is None or manifest.get("name") != name:
            raise InputError(Problem(source=where, message=_another(manifest, name)))
        grows = extension(manifest)
    if not resume and grows is not None:
        raise InputError(
            Problem(
                source=where,
                message=f"already holds this experiment with fewer runs ({grows.describe()}): "
                "add --resume to extend it, keeping the runs done, or choose another --out",
            )
        )
    if not resume:
        done = count_done(folder)
        total = manifest.get("run_count", 0)
        advice = (
            "nothing is left to run: `orgsim report` summarises it"
            if done >= total
            else "add --resume to run the rest"
        )
        raise InputError(
            Problem(
                source=where,
                message=f"already holds this experiment ({done} of {total} runs done): {advice}, or choose another --out",
            )
        )
    return manifest


def _another(manifest: dict[str, Any], name: str) -> str:
    theirs = manifest.get("name", "?")
    started = manifest.get("created", "?")
    if theirs == name:
        return (
            f"holds results of experiment '{name}' started {started}, but the experiment or "
            "its scenario has changed since; results are never overwritten: choose another --out"
        )
    return (
        f"holds the results of another experiment ('{theirs}', started {started}); "
        "results are never overwritten: choose another --out"
    )


def count_done(folder: Path) -> int:
    """Rows in the runs parts (run ids are written once, so this is the runs done)."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in _parts(folder / RUNS))


def _parts(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if PART.match(p.name))


def _part_number(path: Path) -> int:
    match = PART.match(path.name)
    assert match is not None
    return int(match.group(1))


class ResultsFolder:
    """A results folder opened by the coordinator for writing (one writer at a time)."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = path
        self.manifest = manifest
        self.columns = manifest["columns"]
        self.record = manifest.get("record", {})
        self.record_columns = {
            DAILY: self._stored_columns(DAILY, DAILY_COLUMNS),
            PROBLEMS: self._stored_columns(PROBLEMS, PROBLEM_COLUMNS),
        }
        self._lock: Any = None
        self._next = 1
        self._written = 0  # parts written by this process (for the test hook)

    # --- opening ---

    @classmethod
    def create(cls, path: Path, manifest: dict[str, Any]) -> ResultsFolder:
        """Create the folder, write the manifest and the empty part 0 (the schema)."""
        path.mkdir(parents=True, exist_ok=True)
        folder = cls(path, manifest)
        folder._take_lock()
        folder._write_json(path / MANIFEST, manifest)
        for sub, columns in folder._subfolders():
            (path / sub).mkdir(exist_ok=True)
            folder._write_table(
                path / sub / "part-00000.parquet", arrow_schema(columns).empty_table()
            )
        checkpoint("manifest")
        return folder

    @classmethod
    def reopen(cls, path: Path, manifest: dict[str, Any]) -> ResultsFolder:
        """Open a started sweep's folder: remove temporary files and orphaned records."""
        folder = cls(path, manifest)
        folder._take_lock()
        runs = {_part_number(p) for p in _parts(path / RUNS)}
        for sub, _ in folder._subfolders():
            directory = path / sub
            directory.mkdir(exist_ok=True)
            for item in directory.iterdir():
                if item.name.startswith("."):
                    item.unlink()  # a part whose writing was cut short
                elif sub != RUNS and PART.match(item.name) and _part_number(item) not in runs:
                    item.unlink()  # records of runs that were never committed
        if not (path / RUNS / "part-00000.parquet").exists():
            folder._write_table(
                path / RUNS / "part-00000.parquet", arrow_schema(folder.columns).empty_table()
            )
        folder._next = max(runs, default=0) + 1
        folder.renumber()  # finishes an extension a killed coordinator left half-done
        return folder

    def _stored_columns(self, sub: str, columns: Sequence[Sequence[str]]) -> list[Sequence[str]]:
        """The record columns of `sub`: those its part 0 fixed when the folder was created
        (a folder started by an earlier orgsim keeps its schema), else `columns`."""
        import pyarrow.parquet as pq

        first = self.path / sub / "part-00000.parquet"
        if not first.is_file():
            return list(columns)
        stored = set(pq.read_schema(first).names)
        return [c for c in columns if c[0] in stored]

    def _subfolders(self) -> list[tuple[str, Sequence[Sequence[str]]]]:
        found: list[tuple[str, Sequence[Sequence[str]]]] = [(RUNS, self.columns)]
        if self.record.get("daily"):
            found.append((DAILY, self.record_columns[DAILY]))
        if self.record.get("problems"):
            found.append((PROBLEMS, self.record_columns[PROBLEMS]))
        return found

    def _take_lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks
            return
        handle = open(self.path / ".lock", "a")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise FolderBusy(f"{self.path}: another orgsim sweep is writing here") from None
        self._lock = handle

    def close(self) -> None:
        """Release the folder (the lock also goes if the process dies)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    # --- changing what is there ---

    def replace_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest of the extended sweep (before its parts are renumbered)."""
        self.manifest = manifest
        self._write_json(self.path / MANIFEST, manifest)

    def renumber(self) -> int:
        """Give every part the run ids of the manifest's layout; the files rewritten.

        Idempotent and one atomic file at a time: after a kill, the next reopen finishes.
        """
        import pyarrow.parquet as pq

        if "replications" not in self.manifest or "policies" not in self.manifest:
            return 0  # no layout to follow (a folder made by hand in a test)
        replications = int(self.manifest["replications"])
        policies = {name: i for i, name in enumerate(self.manifest["policies"])}
        first = int(self.manifest.get("first_replications", replications))
        rewritten = 0
        for sub, _ in self._subfolders():
            for part in _parts(self.path / sub):
                if sub == RUNS:
                    found = pq.read_table(
                        part, columns=["run_id", "cell_id", "replicate", "policy"]
                    )
                    cells = found.column("cell_id").to_numpy()
                    replicates = found.column("replicate").to_numpy()
                    index = [policies[p] for p in found.column("policy").to_pylist()]
                    wanted = (cells * replications + replicates) * len(policies) + index
                    if (found.column("run_id").to_numpy() == wanted).all():
                        continue
                    data = _with_ids(pq.read_table(part), wanted)
                else:
                    metadata = pq.read_schema(part).metadata or {}
                    layout = int(metadata.get(LAYOUT_KEY, first))
                    if layout == replications:
                        continue
                    found = pq.read_table(part)
                    ids = found.column("run_id").to_numpy()
                    count = len(policies)
                    rest = ids // count
                    wanted = ((rest // layout) * replications + rest % layout) * count + ids % count
                    data = self._tagged(_with_ids(found, wanted))
                self._write_table(part, data)
                rewritten += 1
                checkpoint(f"renumber-{rewritten}")
        return rewritten

    def drop_failed(self) -> int:
        """Remove the runs recorded as errors, so that they run again; how many."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        dropped = 0
        for part in _parts(self.path / RUNS):
            status = pq.read_table(part, columns=["status"]).column("status")
            failed = [s != "ok" for s in status.to_pylist()]
            if not any(failed):
                continue
            found = pq.read_table(part)
            self._write_table(part, found.filter(pa.array([not f for f in failed])))
            dropped += sum(failed)
        return dropped

    # --- what is there ---

    def completed(self, run_count: int) -> tuple[np.ndarray, int]:
        """A mask of the run ids already written, and how many of them failed."""
        import numpy as np
        import pyarrow.parquet as pq

        done = np.zeros(run_count, dtype=bool)
        errors = 0
        for part in _parts(self.path / RUNS):
            found = pq.read_table(part, columns=["run_id", "status"])
            ids = found.column("run_id").to_numpy()
            done[ids[(ids >= 0) & (ids < run_count)]] = True
            errors += sum(1 for s in found.column("status").to_pylist() if s != "ok")
        return done, errors

    # --- writing ---

    def write_part(
        self,
        rows: Sequence[dict[str, Any]],
        daily: Sequence[pd.DataFrame] = (),
        problems: Sequence[pd.DataFrame] = (),
    ) -> Path:
        """Write one part: the records first, then the runs (the commit)."""
        number = self._next
        self._next += 1
        self._written += 1
        name = f"part-{number:05d}.parquet"
        if self.record.get("daily"):
            data = _frames_table(daily, self.record_columns[DAILY])
            self._write_table(self.path / DAILY / name, self._tagged(data))
        if self.record.get("problems"):
            data = _frames_table(problems, self.record_columns[PROBLEMS])
            self._write_table(self.path / PROBLEMS / name, self._tagged(data))
        checkpoint(f"records-{self._written}")
        target = self.path / RUNS / name
        self._write_table(target, table(rows, self.columns), hook=f"temp-{self._written}")
        checkpoint(f"part-{self._written}")
        return target

    def _tagged(self, data: pa.Table) -> pa.Table:
        """A record part's table marked with the replications its run ids are numbered for."""
        if "replications" not in self.manifest:
            return data
        metadata = dict(data.schema.metadata or {})
        metadata[LAYOUT_KEY] = str(self.manifest["replications"]).encode()
        return data.replace_schema_metadata(metadata)

    def _write_table(self, target: Path, data: pa.Table, hook: str | None = None) -> None:
        import pyarrow.parquet as pq

        def write(temporary: Path) -> None:
            pq.write_table(data, str(temporary))
            if hook:
                checkpoint(hook)

        write_atomically(target, write)

    def _write_json(self, target: Path, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=2, allow_nan=False, default=str) + "\n"
        write_text(target, text)


def _with_ids(data: pa.Table, ids: np.ndarray) -> pa.Table:
    """`data` with its run_id column replaced by `ids` (metadata kept)."""
    import pyarrow as pa

    position = data.schema.get_field_index("run_id")
    return data.set_column(position, data.schema.field(position), pa.array(ids, pa.int64()))


def checkpoint(point: str) -> None:
    """Test hook: SIGKILL this process at `point` when ORGSIM_TEST_KILL_AT names it."""
    if os.environ.get(KILL_HOOK) == point:
        os.kill(os.getpid(), signal.SIGKILL)


# --- reading ----------------------------------------------------------------------------------


def read_runs(folder: str | Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The runs table of a results folder, sorted by run_id (as `pandas.read_parquet` reads it)."""
    import pandas as pd

    frame = pd.read_parquet(Path(folder) / RUNS, columns=list(columns) if columns else None)
    if "run_id" in frame:
        frame = frame.sort_values("run_id", kind="stable")
    return frame.reset_index(drop=True)
