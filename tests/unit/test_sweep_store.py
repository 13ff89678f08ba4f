"""The results folder: a fixed schema, parts that readers see whole or not at all, refusals."""

from __future__ import annotations

import os
from dataclasses import astuple, dataclass
from enum import StrEnum

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.runs_table import run_columns, value_type
from experiments.store import (
    FolderBusy,
    ResultsFolder,
    arrow_schema,
    check_folder,
    count_done,
    read_runs,
    record_columns,
)
from simulator.domain import ProblemRecord, columns
from simulator.errors import InputError

KPIS = ("lead_time_days", "finished", "on_time", "tasks_done", "resolved_peer")
COLUMNS = run_columns([("project.problem_rate", "float64"), ("policy.autonomy", "string")], KPIS)


def manifest(fingerprint: str = "abc", name: str = "exp", record=None) -> dict:
    return {
        "name": name,
        "fingerprint": fingerprint,
        "created": "2026-01-01T00:00:00+00:00",
        "run_count": 4,
        "columns": COLUMNS,
        "record": record or {"daily": False, "problems": False},
    }


def row(run_id: int, **kpis) -> dict:
    base = {
        "run_id": run_id,
        "cell_id": run_id // 2,
        "policy": "cooperative",
        "replicate": 0,
        "seed": 1,
        "project.problem_rate": 0.01,
        "policy.autonomy": "minor",
        "status": "ok",
        "error": None,
        "lead_time_days": 12.5,
        "finished": True,
        "on_time": None,
        "tasks_done": 30,
        "resolved_peer": 3,
        "elapsed_s": 0.1,
    }
    base.update(kpis)
    return base


def test_column_types():
    assert value_type([1, 2, None]) == "int64"
    assert value_type([1, 2.5]) == "float64"
    assert value_type([True, False]) == "bool"
    assert value_type(["none", "major"]) == "string"
    assert value_type([None]) == "string"
    assert value_type([1, "a"]) == "string"
    types = dict((n, t) for n, t in COLUMNS)
    assert types["finished"] == "bool"
    assert types["tasks_done"] == "int64"
    assert types["resolved_peer"] == "int64"
    assert types["lead_time_days"] == "float64"
    names = [n for n, _ in COLUMNS]
    assert names[:5] == ["run_id", "cell_id", "policy", "replicate", "seed"]
    assert names[-1] == "elapsed_s"


def test_a_new_folder_reads_as_an_empty_table_with_every_column(tmp_path):
    folder = ResultsFolder.create(tmp_path / "r", manifest())
    folder.close()
    empty = pd.read_parquet(tmp_path / "r" / "runs")
    assert list(empty.columns) == [n for n, _ in COLUMNS]
    assert len(empty) == 0


def test_parts_keep_one_schema_whatever_the_values(tmp_path):
    folder = ResultsFolder.create(tmp_path / "r", manifest())
    folder.write_part([row(0), row(1, on_time=True, lead_time_days=3)])
    folder.write_part(
        [
            row(
                2,
                status="error",
                error="ValueError: boom",
                lead_time_days=None,
                finished=None,
                tasks_done=None,
                resolved_peer=None,
            )
        ]
    )
    folder.close()
    schemas = {str(pq.read_schema(p)) for p in (tmp_path / "r" / "runs").glob("part-*.parquet")}
    assert schemas == {str(arrow_schema(COLUMNS))}
    runs = read_runs(tmp_path / "r")
    assert list(runs["run_id"]) == [0, 1, 2]
    assert runs.loc[2, "status"] == "error"
    assert runs.loc[2, "error"] == "ValueError: boom"
    assert runs["lead_time_days"].dtype == float
    assert count_done(tmp_path / "r") == 3


def test_temporary_files_are_invisible_to_readers(tmp_path):
    folder = ResultsFolder.create(tmp_path / "r", manifest())
    folder.write_part([row(0)])
    folder.close()
    runs_dir = tmp_path / "r" / "runs"
    (runs_dir / ".part-00002.parquet.tmp").write_bytes(b"half a file")
    assert len(pd.read_parquet(runs_dir)) == 1


def test_reopening_removes_temporary_files_and_orphaned_records(tmp_path):
    record = {"daily": True, "problems": False}
    folder = ResultsFolder.create(tmp_path / "r", manifest(record=record))
    daily = pd.DataFrame(
        {"run_id": [0, 0], "day": [1.0, 2.0], "series": ["tasks_done"] * 2, "value": [1.0, 2.0]}
    )
    folder.write_part([row(0)], daily=[daily])
    folder.close()
    # A coordinator killed between the records and the runs of part 2:
    orphan = tmp_path / "r" / "daily" / "part-00002.parquet"
    orphan.write_bytes((tmp_path / "r" / "daily" / "part-00001.parquet").read_bytes())
    (tmp_path / "r" / "runs" / ".part-00002.parquet.tmp").write_bytes(b"")
    reopened = ResultsFolder.reopen(tmp_path / "r", manifest(record=record))
    assert not orphan.exists()
    assert not (tmp_path / "r" / "runs" / ".part-00002.parquet.tmp").exists()
    written = reopened.write_part([row(1)], daily=[daily.assign(run_id=1)])
    reopened.close()
    assert written.name == "part-00002.parquet"
    assert sorted(pd.read_parquet(tmp_path / "r" / "daily")["run_id"].unique()) == [0, 1]
    done, errors = ResultsFolder(tmp_path / "r", manifest()).completed(4)
    assert list(done) == [True, True, False, False]
    assert errors == 0


def problem(run_id: int) -> pd.DataFrame:
    """One problem record of a run, as the worker sends it."""
    record = ProblemRecord(
        problem=0,
        task="t1",
        number=0,
        raiser="c1",
        department="ops",
        raised_at=1.0,
        resolved_at=3.0,
        severity="minor",
        field="ops",
        route="self",
        deciders="c1",
        quality=0.9,
        rework=False,
        problem_class=3,
        occurrence=2,
        resolution_hours=0.8,
        quality_before_confrontation=None,
    )
    return pd.DataFrame([astuple(record)], columns=list(columns(ProblemRecord))).assign(
        run_id=run_id
    )


class Route(StrEnum):
    """A field type the kernel may use: stored as its value."""

    SELF = "self"


@dataclass(frozen=True)
class Record:
    """A record type with a field of every kind (at module level: its hints must resolve)."""

    count: int
    share: float | None
    route: Route | None
    done: bool


def test_record_columns_follow_the_record_type():
    assert record_columns(Record) == (
        ("run_id", "int64"),
        ("count", "int64"),
        ("share", "float64"),
        ("route", "string"),
        ("done", "bool"),
    )


def test_problem_records_keep_every_field_of_the_record(tmp_path):
    record = {"daily": False, "problems": True}
    folder = ResultsFolder.create(tmp_path / "r", manifest(record=record))
    folder.write_part([row(0)], problems=[problem(0)])
    folder.close()
    problems = pd.read_parquet(tmp_path / "r" / "problems")
    assert list(problems.columns) == ["run_id", *columns(ProblemRecord)]
    assert problems.loc[0, "raiser"] == "c1" and problems.loc[0, "department"] == "ops"


def test_a_resumed_folder_keeps_the_record_schema_it_was_created_with(tmp_path):
    # A folder started by an orgsim whose problem records had no raiser and department.
    record = {"daily": False, "problems": True}
    ResultsFolder.create(tmp_path / "r", manifest(record=record)).close()
    first = tmp_path / "r" / "problems" / "part-00000.parquet"
    older = pq.read_table(first).drop_columns(["raiser", "department"])
    pq.write_table(older, first)
    reopened = ResultsFolder.reopen(tmp_path / "r", manifest(record=record))
    written = reopened.write_part([row(0)], problems=[problem(0)])
    reopened.close()
    schemas = {str(pq.read_schema(p)) for p in first.parent.glob("part-*.parquet")}
    assert schemas == {str(older.schema)}
    assert written.name == "part-00001.parquet"
    assert len(pd.read_parquet(first.parent)) == 1


def test_one_writer_at_a_time(tmp_path):
    first = ResultsFolder.create(tmp_path / "r", manifest())
    with pytest.raises(FolderBusy):
        ResultsFolder.reopen(tmp_path / "r", manifest())
    first.close()
    ResultsFolder.reopen(tmp_path / "r", manifest()).close()


def test_folders_that_are_refused(tmp_path):
    assert check_folder(tmp_path / "new", "abc", resume=False) is None
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="exists and is not a folder"):
        check_folder(tmp_path / "file", "abc", resume=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="is not empty and holds no orgsim sweep"):
        check_folder(tmp_path / "other", "abc", resume=True)
    ResultsFolder.create(tmp_path / "r", manifest()).close()
    with pytest.raises(InputError, match="another experiment \\('exp'"):
        check_folder(tmp_path / "r", "zzz", resume=True, name="different")
    with pytest.raises(InputError, match="has changed since"):
        check_folder(tmp_path / "r", "zzz", resume=True, name="exp")
    with pytest.raises(
        InputError, match="already holds this experiment \\(0 of 4 runs done\\): add --resume"
    ):
        check_folder(tmp_path / "r", "abc", resume=False)
    assert check_folder(tmp_path / "r", "abc", resume=True)["fingerprint"] == "abc"
    assert os.listdir(tmp_path / "other") == ["notes.txt"]  # nothing was touched
