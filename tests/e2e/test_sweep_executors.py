"""The same KPI table whatever the executor, the number of workers, the order and the chunks.

One small experiment (30 tasks, 2 replications, a mechanism axis) is swept in this process,
on a pool of 2 processes (started before the first run), with `--workers 2` (a pool started
only once it pays: here never), in a shuffled order, and with one run per part; the runs tables
must be identical apart from the measured `elapsed_s`. A run is also checked against
`run_one` called directly on the cell's scenario and policy.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from experiments.executors import open_workers
from experiments.store import read_runs
from experiments.sweep import execute, prepare, run_sweep
from simulator.loading import load_scenario
from simulator.policies import resolve_policy, with_mechanism
from simulator.run import run_one

EXPERIMENT = {
    "name": "executors",
    "scenario": "workshop",
    "policies": ["hierarchical", "cooperative", "self_managed"],
    "replications": 2,
    "seed": 21,
    "parameters": {
        "project.tasks": 30,
        "project.problem_rate": [0.02, 0.05],
        "policy.autonomy": ["none", "major"],
    },
}


def kpi_table(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=["elapsed_s"]).sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory) -> pd.DataFrame:
    return kpi_table(run_sweep(EXPERIMENT, tmp_path_factory.mktemp("one") / "r", workers=1))


def on_pool(folder, shuffle: int | None = None) -> tuple[pd.DataFrame, str]:
    """The experiment swept on a pool of 2 processes started before the first run (a
    sweep starts it only once it pays), and where the outcome says the runs went."""
    plan, target, manifest = prepare(EXPERIMENT, folder)
    with open_workers(2, on_demand=True) as opened:
        opened.executor.start(wait=True)
        outcome = execute(plan, target, opened, manifest, show_progress=False, shuffle=shuffle)
    return read_runs(target), outcome.workers


@pytest.mark.parametrize("shuffle", [None, 7], ids=["pool", "pool-shuffled"])
def test_the_kpi_table_is_the_same_on_a_pool(in_process, tmp_path, shuffle):
    found, where = on_pool(tmp_path / "r", shuffle)
    assert where == "2 local worker processes"  # from the forkserver: start() asks for it
    pd.testing.assert_frame_equal(kpi_table(found), in_process)


@pytest.mark.parametrize(
    "options",
    [
        {"workers": 2},
        {"workers": 1, "shuffle": 3, "part_rows": 1},
    ],
    ids=["pool-on-demand", "in-process-shuffled-one-run-parts"],
)
def test_the_kpi_table_does_not_depend_on_how_runs_execute(in_process, tmp_path, options):
    found = kpi_table(run_sweep(EXPERIMENT, tmp_path / "r", **options))
    pd.testing.assert_frame_equal(found, in_process)


def test_a_pool_on_demand_starts_only_when_it_pays(tmp_path, monkeypatch):
    from experiments import compare

    # Starts dearer than the work: 24 runs of a 30-task project all ran here.
    monkeypatch.setattr(compare, "POOL_START_S", 100.0)
    monkeypatch.setattr(compare, "FORK_START_S", 100.0)
    plan, target, manifest = prepare(EXPERIMENT, tmp_path / "small")
    with open_workers(2, on_demand=True) as opened:
        outcome = execute(plan, target, opened, manifest, show_progress=False)
    assert outcome.workers.startswith("in this process (2 worker processes would not pay")
    assert outcome.done == 24
    # With a pool that starts for free and idle cores, the sweep starts it.
    monkeypatch.setattr(compare, "POOL_START_S", 0.0)
    monkeypatch.setattr(compare, "free_cores", lambda: 2.0)
    with open_workers(2, on_demand=True) as opened:
        opened.consider(100, 0.01)
        assert opened.description != "up to 2 local worker processes, started once they pay"
        opened.executor.start(wait=True)
        opened.consider(100, 0.01)
        assert opened.description.startswith("2 local worker processes")


def test_a_pool_forked_from_the_coordinator_gives_the_same_table(in_process, tmp_path):
    """`orgsim sweep` (its own process: no thread but the main one) forks its workers from
    the warm coordinator, cheap enough for this small sweep (24 runs), and gives the same
    table."""
    experiment = tmp_path / "executors.yaml"
    experiment.write_text(yaml.safe_dump(EXPERIMENT, sort_keys=False), encoding="utf-8")
    out = tmp_path / "forked"
    environment = {**os.environ, "ORGSIM_TEST_IDLE_CORES": "2"}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "sweep", str(experiment), "--out", str(out)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2 local worker processes (forked)" in done.stdout
    pd.testing.assert_frame_equal(kpi_table(read_runs(out)), in_process)


def test_the_table_is_complete_and_tidy(in_process):
    assert len(in_process) == 4 * 3 * 2
    assert in_process["run_id"].tolist() == list(range(24))
    assert (in_process["status"] == "ok").all()
    pairs = in_process.groupby(["cell_id", "replicate"])["seed"].nunique()
    assert (pairs == 1).all()  # every policy of a cell and replicate had the same seed


def test_a_sweep_run_equals_run_one(in_process):
    row = in_process.loc[
        (in_process["policy"] == "cooperative")
        & (in_process["policy.autonomy"] == "major")
        & (in_process["project.problem_rate"] == 0.05)
        & (in_process["replicate"] == 1)
    ].iloc[0]
    scenario = load_scenario("workshop", ["project.tasks=30", "project.problem_rate=0.05"])
    policy = with_mechanism(resolve_policy("cooperative", scenario), "autonomy", "major")
    kpis = run_one(scenario, policy, int(row["seed"])).kpis
    for name, value in kpis.items():
        if name in row.index:
            assert (pd.isna(row[name]) and value is None) or row[name] == value, name
