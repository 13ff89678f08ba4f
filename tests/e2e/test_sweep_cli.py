"""`orgsim sweep`: dry runs, the results layout, failures, refusals, progress, shipped files.

Commands run through `cli.main` (what `orgsim` runs): in a subprocess where the process
boundary matters (stdout/stderr, exit codes, no terminal), in this process where a run must
be made to fail on purpose.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from experiments.progress import Progress
from simulator.kpis import KPI_NAMES

EXPERIMENT = """\
name: cli
description: Two policies, two problem rates.
scenario: workshop
policies: [hierarchical, cooperative]
replications: 2
seed: 9
parameters:
  project.tasks: 30
  project.problem_rate: {from: 0.02, to: 0.06, step: 0.04}
record: {daily: true, problems: true}
"""
SHIPPED = sorted((Path(__file__).parents[2] / "experiments" / "files").glob("*.yaml"))


def sweep(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ORGSIM_")}
    return subprocess.run(
        [sys.executable, "-m", "cli", "sweep", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def experiment(tmp_path) -> Path:
    path = tmp_path / "cli.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


def test_dry_run_prints_cells_runs_and_time_and_writes_nothing(experiment, tmp_path):
    result = sweep(str(experiment), "--dry-run", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "design:     factorial, 2 cells: project.tasks (1) × project.problem_rate (2)" in out
    assert "runs:       8 = 2 cells × 2 policies × 2 replications" in out
    assert "seeds 9–10, shared by every policy and cell" in out
    assert "s per run (2 runs timed), about" in out and "on 2 workers" in out
    assert "   0             30                  0.02" in out
    assert "   1             30                  0.06" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cli.yaml"]  # no results/ folder


def test_a_sweep_writes_the_results_layout(experiment, tmp_path):
    out = tmp_path / "out"
    result = sweep(str(experiment), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no terminal: no progress
    assert "cli: 8 of 8 runs (2 cells × 2 policies × 2 replications)" in result.stdout
    assert "paired runs" in result.stdout  # the headline

    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("experiment", "versions", "design", "run_count", "columns", "fingerprint"):
        assert key in manifest
    assert manifest["run_count"] == 8
    assert manifest["experiment_text"] == EXPERIMENT

    runs = pd.read_parquet(out / "runs")
    fixed = [
        "run_id",
        "cell_id",
        "policy",
        "replicate",
        "seed",
        "project.tasks",
        "project.problem_rate",
        "status",
        "error",
    ]
    assert list(runs.columns) == [*fixed, *KPI_NAMES, "elapsed_s"]
    assert sorted(runs["run_id"]) == list(range(8))
    assert set(runs["status"]) == {"ok"}
    assert runs["error"].isna().all()

    daily = pd.read_parquet(out / "daily")
    assert list(daily.columns) == ["run_id", "day", "series", "value"]
    assert set(daily["run_id"]) == set(range(8))
    problems = pd.read_parquet(out / "problems")
    assert {"run_id", "severity", "route", "raised_at", "resolved_at"} <= set(problems.columns)
    total = runs.set_index("run_id")["problems_raised"]
    assert problems.groupby("run_id").size().reindex(total.index, fill_value=0).equals(total)


def test_an_output_folder_holding_another_experiment_is_refused(experiment, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--workers", "1"]) == 0
    capsys.readouterr()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    other = tmp_path / "other.yaml"
    other.write_text(EXPERIMENT.replace("name: cli", "name: other"), encoding="utf-8")
    for flags in ([], ["--resume"]):
        code = main(["sweep", str(other), "--out", str(out), "--workers", "1", *flags])
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith(f"error: {out}: holds the results of another experiment ('cli'")
        assert len(err.strip().splitlines()) == 1
    changed = tmp_path / "changed.yaml"
    changed.write_text(EXPERIMENT.replace("seed: 9", "seed: 10"), encoding="utf-8")
    assert main(["sweep", str(changed), "--out", str(out), "--resume"]) == 2
    assert "has changed since" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_failing_runs_are_recorded_and_the_others_go_on(experiment, tmp_path, capsys, monkeypatch):
    import simulator.run

    real = simulator.run.run_one

    def flaky(scenario, policy, seed):
        if seed == 10 and getattr(policy, "name", policy) == "cooperative":
            raise ValueError("the model fell over")
        return real(scenario, policy, seed)

    monkeypatch.setattr(simulator.run, "run_one", flaky)
    out = tmp_path / "out"
    code = main(["sweep", str(experiment), "--out", str(out), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1
    assert "error: 2 of 8 runs failed; they are recorded with status 'error'" in captured.err
    assert "ValueError: the model fell over" in captured.err
    assert "2 of 8 runs failed and are left out." in captured.out  # the headline says so
    runs = pd.read_parquet(out / "runs").sort_values("run_id")
    failed = runs.loc[runs["status"] == "error"]
    assert (
        len(failed) == 2
        and set(failed["policy"]) == {"cooperative"}
        and set(failed["seed"]) == {10}
    )
    assert failed["error"].str.startswith("ValueError: the model fell over").all()
    assert failed["lead_time_days"].isna().all()
    assert (runs.loc[runs["status"] == "ok", "lead_time_days"] > 0).all()
    # Resuming does not run them again: they are recorded, not missing.
    code = main(["sweep", str(experiment), "--out", str(out), "--resume", "--workers", "1"])
    assert code == 1
    assert "nothing left to run" in capsys.readouterr().out


def test_progress_counts_runs_failures_and_rate(capsys, monkeypatch):
    # Rich draws the line as on a terminal; what it draws last is the state shown.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    progress = Progress(total=10, done=2, description="test", show=True)
    try:
        progress.advance(3, failures=1)
        assert (progress.done, progress.failures) == (5, 1)
    finally:
        progress.close()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", capsys.readouterr().err)
    last = [line for line in shown.split("\r") if "/10" in line][-1]
    assert "5/10" in last and "1 failed" in last
    monkeypatch.delenv("TTY_COMPATIBLE")
    quiet = Progress(
        total=10, done=0, description="test", show=None
    )  # stderr is not a terminal here
    quiet.advance(10)
    quiet.close()
    assert quiet.done == 10
    assert capsys.readouterr().err == ""  # nothing drawn


def test_help_lists_the_flags():
    result = subprocess.run(
        [sys.executable, "-m", "cli", "sweep", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for flag in ("--workers", "--scheduler", "--out", "--resume", "--dry-run"):
        assert flag in result.stdout


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_experiments_are_valid(path, capsys, tmp_path):
    code = main(["sweep", str(path), "--dry-run", "--workers", "2", "--out", str(tmp_path / "r")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "runs:" in captured.out


def test_there_are_shipped_experiments():
    names = {p.stem for p in SHIPPED}
    assert {"validation-grid", "span-of-control", "lateral-links", "morris-screening"} <= names
