"""A sweep killed with SIGKILL at chosen points, then resumed, loses and repeats nothing.

The coordinator kills itself where `ORGSIM_TEST_KILL_AT` says (a test hook, not timing):
right after the manifest; after the records of a part but before its runs; after a
temporary runs file but before its rename; right after a part. `--resume` must then give
every run_id exactly once, with KPIs (and daily / problem records) identical to an
uninterrupted sweep's. Small on purpose: 30 tasks, 2 replications, 3 parts or more.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.sweep import run_sweep

EXPERIMENT = """\
name: resume
scenario: workshop
policies: [hierarchical, cooperative]
replications: 4
seed: 11
parameters:
  # Runs long enough (about 0.03 s each) that a forked pool pays for its start.
  project.tasks: 120
  project.problem_rate: {values: [0.02, 0.04, 0.06]}
record: {daily: true, problems: true}
"""
PART_ROWS = "3"


def sweep(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ORGSIM_DEBUG", "ORGSIM_TEST_KILL_AT", "ORGSIM_TEST_RUN_LOG")
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "cli", "sweep", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def table(folder: Path, name: str) -> pd.DataFrame:
    frame = pd.read_parquet(folder / name)
    keys = (
        ["run_id", "day", "series"]
        if name == "daily"
        else ["run_id", "problem"]
        if name == "problems"
        else ["run_id"]
    )
    frame = frame.drop(columns=["elapsed_s"], errors="ignore")
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("resume") / "resume.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(experiment, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole") / "results"
    run_sweep(experiment, out, workers=1)
    return out


@pytest.mark.parametrize(
    ("point", "workers"),
    [
        ("manifest", "1"),
        ("records-2", "1"),
        ("temp-3", "1"),
        ("part-3", "2"),  # a process pool: its workers must not outlive the coordinator
    ],
)
def test_killed_then_resumed_equals_uninterrupted(
    experiment, uninterrupted, tmp_path, point, workers
):
    out = tmp_path / "results"
    args = [str(experiment), "--out", str(out), "--workers", workers, "--part-rows", PART_ROWS]
    log = tmp_path / "finished.log"
    hooks = {"ORGSIM_TEST_RUN_LOG": str(log), "ORGSIM_TEST_IDLE_CORES": "2"}
    killed = sweep(*args, env={"ORGSIM_TEST_KILL_AT": point, **hooks})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if workers == "2":
        # The pool started (forked once the first runs were timed): runs ran in more than
        # one process, and its workers died with the coordinator (else `sweep` would wait
        # on their copy of its output pipes until its timeout).
        assert len({line.split()[1] for line in log.read_text().splitlines()}) > 1
    assert (out / "manifest.json").is_file()
    before = pd.read_parquet(out / "runs")  # readable at any moment: whole parts only
    assert before["run_id"].is_unique

    if point == "manifest":
        again = sweep(*args)  # without --resume: refused, nothing touched
        assert again.returncode == 2
        assert "add --resume" in again.stderr

    resumed = sweep(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(before)} done before" in resumed.stdout or len(before) == 0

    for name in ("runs", "daily", "problems"):
        found = table(out, name)
        expected = table(uninterrupted, name)
        pd.testing.assert_frame_equal(found, expected)
    runs = table(out, "runs")
    assert runs["run_id"].tolist() == list(range(24))
    assert not any(
        p.name.startswith(".")
        for sub in ("runs", "daily", "problems")
        for p in (out / sub).iterdir()
    )
