"""A sweep stopped by Ctrl+C (SIGINT) or SIGTERM keeps every run that finished, including
those of the chunks still running when the signal came, and `--resume` then completes it to
the uninterrupted sweep's table. Failed runs stay failed on `--resume` and run again only
with `--retry-failed`.

Which runs finished is known without timing: each worker appends the run_id of every run it
finishes to `ORGSIM_TEST_RUN_LOG` (a test hook); the signal is sent once some are there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from experiments.sweep import run_sweep

EXPERIMENT = """\
name: stop
scenario: workshop
policies: [hierarchical, cooperative]
replications: 20
seed: 3
parameters:
  project.tasks: 12
  project.problem_rate: {values: [0.02, 0.04, 0.06]}
"""
TOTAL = 120
STARTED_RUNS = 10  # finished runs logged before the signal is sent
WAIT_S = 120  # a guard against a hung test, not a measured time


def table(folder: Path) -> pd.DataFrame:
    frame = pd.read_parquet(folder / "runs").drop(columns=["elapsed_s"])
    return frame.sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stop") / "stop.yaml"
    path.write_text(EXPERIMENT, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(experiment, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("whole") / "results"
    run_sweep(experiment, out, workers=1)
    return table(out)


def environment(**extra: str) -> dict[str, str]:
    hooks = ("ORGSIM_DEBUG", "ORGSIM_TEST_KILL_AT", "ORGSIM_TEST_RUN_LOG", "ORGSIM_TEST_IDLE_CORES")
    return {**{k: v for k, v in os.environ.items() if k not in hooks}, **extra}


def logged(log: Path) -> list[int]:
    """The run_ids of the finished runs."""
    return [run_id for run_id, _ in logged_with_process(log)]


def logged_with_process(log: Path) -> list[tuple[int, int]]:
    """(run_id, process id) of each finished run."""
    if not log.exists():
        return []
    return [tuple(map(int, line.split())) for line in log.read_text().splitlines()]


@pytest.mark.parametrize(
    ("stop", "workers"),
    [(signal.SIGTERM, "2"), (signal.SIGINT, "1")],  # both signals, both executors
)
def test_a_stopped_sweep_keeps_every_finished_run(
    experiment, uninterrupted, tmp_path, capsys, stop, workers
):
    out, log = tmp_path / "results", tmp_path / "finished.log"
    args = [sys.executable, "-m", "cli", "sweep", str(experiment), "--out", str(out)]
    args += ["--workers", workers]
    # Its own process group, signalled as a terminal (Ctrl+C) or a batch system does:
    # the workers get the signal too.
    process = subprocess.Popen(
        args,
        env=environment(ORGSIM_TEST_RUN_LOG=str(log), ORGSIM_TEST_IDLE_CORES="2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + WAIT_S
    while len(logged(log)) < STARTED_RUNS and process.poll() is None:
        assert time.monotonic() < deadline, "the sweep did not start"
        time.sleep(0.02)
    os.killpg(process.pid, stop)
    _, err = process.communicate(timeout=WAIT_S)

    assert process.returncode == 130, err
    assert f"--out {out} --resume completes the sweep" in err
    saved = pd.read_parquet(out / "runs")
    finished = set(logged(log))
    assert finished <= set(saved["run_id"])  # nothing that finished was thrown away
    assert saved["run_id"].is_unique
    assert len(saved) < TOTAL  # it did stop early
    if workers == "2":
        # The pool did start (forked from the coordinator once its first runs were timed):
        # the signal reached worker processes too, and their finished runs were kept.
        assert {pid for _, pid in logged_with_process(log)} - {process.pid}

    resume = ["sweep", str(experiment), "--out", str(out), "--workers", "1", "--resume"]
    assert main(resume) == 0
    assert f"{len(saved)} done before" in capsys.readouterr().out
    pd.testing.assert_frame_equal(table(out), uninterrupted)


def test_ctrl_c_in_python_saves_every_finished_run_then_raises(experiment, uninterrupted, tmp_path):
    from simulator.run import run_one

    calls = []

    def interrupting(scenario, policy, seed):
        calls.append(seed)
        if len(calls) == 5:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl+C while the fifth run is running
        return run_one(scenario, policy, seed)

    out = tmp_path / "results"
    with pytest.raises(KeyboardInterrupt, match="run again with resume=True"):
        run_sweep(experiment, out, workers=1, runner=interrupting)
    saved = pd.read_parquet(out / "runs")
    # Every run that was started finished (the chunk ran to its end) and was saved.
    assert len(saved) == len(calls) < TOTAL
    assert saved["status"].eq("ok").all()
    run_sweep(experiment, out, workers=1, resume=True)
    pd.testing.assert_frame_equal(table(out), uninterrupted)


def failing_third_replicate(scenario, policy, seed):
    """The real runner, except that replicate 2 (seed 3 + 2) raises."""
    from simulator.run import run_one

    if seed == 5:
        raise RuntimeError("a failure on purpose")
    return run_one(scenario, policy, seed)


def test_retry_failed_reruns_failed_runs_and_plain_resume_keeps_them(
    experiment, uninterrupted, tmp_path, capsys
):
    out = tmp_path / "results"
    run_sweep(experiment, out, workers=1, runner=failing_third_replicate)
    failed = table(out).query("status == 'error'")
    assert sorted(failed["replicate"].unique()) == [2] and len(failed) == 6

    args = ["sweep", str(experiment), "--out", str(out), "--workers", "1", "--resume"]
    assert main(args) == 1  # the folder still holds failed runs
    assert "--resume --retry-failed runs them again" in capsys.readouterr().err
    pd.testing.assert_frame_equal(table(out).query("status == 'error'"), failed)

    assert main([*args, "--retry-failed"]) == 0
    assert "6 failed runs run again" in capsys.readouterr().out
    pd.testing.assert_frame_equal(table(out), uninterrupted)


def test_retry_failed_needs_resume(experiment, tmp_path, capsys):
    code = main(["sweep", str(experiment), "--out", str(tmp_path / "r"), "--retry-failed"])
    assert code == 2
    assert capsys.readouterr().err.strip() == (
        "error: --retry-failed: only with --resume (it reruns a folder's failed runs)"
    )
    assert not (tmp_path / "r").exists()
