"""A real Dask cluster: a scheduler and a worker started as processes on loopback.

`dask scheduler --scheduler-file F --port 0` picks a free port and writes its address to
F; `dask worker` joins it with one process and one thread. `orgsim sweep --scheduler` then
runs a small experiment there, and its runs table must equal a local run's. Both
processes are stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.sweep import run_sweep

EXPERIMENT = """\
name: on-a-cluster
scenario: workshop
policies: [hierarchical, cooperative]
replications: 2
seed: 3
parameters:
  project.tasks: 30
  project.interdependence: [0.2, 0.5]
"""
DASK = Path(sys.executable).with_name("dask")
STARTUP_S = 90


def start(*args: str, log: Path) -> subprocess.Popen:
    # Own session: stopping the group also stops the worker the nanny starts.
    with open(log, "w") as out:
        return subprocess.Popen(
            [str(DASK), *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


def wait_for_workers(scheduler_file: Path, count: int) -> str:
    from distributed import Client

    deadline = time.monotonic() + STARTUP_S
    while not scheduler_file.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the scheduler did not write its file")
        time.sleep(0.2)
    with Client(scheduler_file=str(scheduler_file), timeout=30, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=STARTUP_S)
    return json.loads(scheduler_file.read_text())["address"]


@pytest.mark.skipif(not DASK.exists(), reason="the dask command is not installed next to Python")
def test_a_sweep_on_a_dask_cluster_equals_a_local_sweep(tmp_path):
    experiment = tmp_path / "cluster.yaml"
    experiment.write_text(EXPERIMENT, encoding="utf-8")
    scheduler_file = tmp_path / "scheduler.json"
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler = start(
        "scheduler",
        "--scheduler-file",
        str(scheduler_file),
        "--port",
        "0",
        "--idle-timeout",
        "300",
        *common,
        log=tmp_path / "scheduler.log",
    )
    worker = None
    try:
        # The address is known once the scheduler file exists: start the worker then.
        deadline = time.monotonic() + STARTUP_S
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        worker = start(
            "worker",
            "--scheduler-file",
            str(scheduler_file),
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--death-timeout",
            "60",
            *common,
            log=tmp_path / "worker.log",
        )
        address = wait_for_workers(scheduler_file, 1)
        assert address.startswith("tcp://127.0.0.1:")

        out = tmp_path / "cluster"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "sweep",
                str(experiment),
                "--scheduler",
                address,
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr + (tmp_path / "worker.log").read_text()
        assert f"Dask cluster at {address} (1 worker thread)" in result.stdout
    finally:
        if worker is not None:
            stop(worker)
        stop(scheduler)

    remote = pd.read_parquet(out / "runs").drop(columns="elapsed_s").sort_values("run_id")
    local = run_sweep(experiment, tmp_path / "local", workers=1).drop(columns="elapsed_s")
    pd.testing.assert_frame_equal(remote.reset_index(drop=True), local.reset_index(drop=True))
    assert len(remote) == 2 * 2 * 2
