"""The same KPI table whatever the executor, the number of workers, the order and the chunks.

One small experiment (30 tasks, 2 replications, a mechanism axis) is swept in this process,
on a pool of 2 processes, in a shuffled order, and with one run per part; the runs tables
must be identical apart from the measured `elapsed_s`. A run is also checked against
`run_one` called directly on the cell's scenario and policy.
"""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.sweep import run_sweep
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


@pytest.mark.parametrize(
    "options",
    [
        {"workers": 2},
        {"workers": 2, "shuffle": 7},
        {"workers": 1, "shuffle": 3, "part_rows": 1},
    ],
    ids=["pool", "pool-shuffled", "in-process-shuffled-one-run-parts"],
)
def test_the_kpi_table_does_not_depend_on_how_runs_execute(in_process, tmp_path, options):
    found = kpi_table(run_sweep(EXPERIMENT, tmp_path / "r", **options))
    pd.testing.assert_frame_equal(found, in_process)


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
