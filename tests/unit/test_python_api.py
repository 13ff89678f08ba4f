"""The Python API of DESIGN §5.7: OrgModel as a Mesa model, run_one, and batch_run."""

from __future__ import annotations

import warnings
from itertools import pairwise

import mesa
import pytest

import simulator
from simulator.kpis import KPI_NAMES


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_default_model_is_product_launch_and_stops_by_itself():
    model = simulator.OrgModel()
    assert model.config.name == "product-launch"
    assert model.policy.name == "cooperative"
    steps = 0
    while model.running:
        model.step()
        steps += 1
    result = model.kpis()
    assert result["finished"]
    # One step is one working hour: the run took as many steps as its lead time in hours.
    assert steps == pytest.approx(result["lead_time_days"] * model.hours_per_day, abs=1.0)


def test_datacollector_has_a_reporter_per_kpi_with_daily_rows():
    model = simulator.OrgModel("workshop", "hierarchical", rng=3)
    model.run_to_end()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == list(KPI_NAMES)
    assert len(frame) >= model.kpis()["lead_time_days"] - 1
    assert frame["tasks_done"].is_monotonic_increasing
    assert frame["tasks_done"].iloc[-1] == len(model.tasks)


def test_kpis_at_any_time_grow_as_the_run_goes_on():
    model = simulator.OrgModel("workshop", "cooperative", rng=1)
    model.run_until(40)
    early = model.kpis()
    model.run_to_end()
    late = model.kpis()
    assert early["tasks_done"] < late["tasks_done"]
    assert early["lead_time_days"] == pytest.approx(40 / 8)
    assert early["finished"] is False


def test_run_one_returns_kpis_series_records_and_metadata():
    result = simulator.run_one(simulator.load_scenario("workshop"), "self_managed", 9)
    assert set(KPI_NAMES) <= set(result.kpis)
    assert result.metadata["seed"] == 9 and result.metadata["policy"] == "self_managed"
    assert result.metadata["versions"]["mesa"].startswith("3.5")
    assert len(result.problems) == result.kpis["problems_raised"]
    assert result.daily["tasks_done"].iloc[-1] == result.kpis["tasks_done"]
    assert (result.problems["resolved_at"] >= result.problems["raised_at"]).all()


def test_mesa_batch_run_drives_the_model():
    rows = mesa.batch_run(
        simulator.OrgModel,
        parameters={"scenario": ["workshop"], "policy": ["hierarchical", "cooperative"]},
        rng=[1, 2],
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(rows) == 4
    assert all(row["finished"] for row in rows)
    by_key = {(row["policy"], row["rng"]): row["lead_time_days"] for row in rows}
    direct = simulator.run_one("workshop", "hierarchical", 1).kpis["lead_time_days"]
    assert by_key[("hierarchical", 1)] == pytest.approx(direct)


def test_the_batch_run_recipe_of_the_docs_matches_a_sweep(tmp_path):
    # docs/experiments.md: scenario values as keyword arguments, max_steps from the horizon.
    from experiments import run_sweep
    from simulator import load_scenario

    scenario = load_scenario("workshop")
    horizon_steps = int(scenario.time.horizon_days * scenario.time.hours_per_day) + 1
    rows = mesa.batch_run(
        simulator.OrgModel,
        parameters={
            "scenario": "workshop",
            "policy": ["hierarchical", "cooperative"],
            "project.problem_rate": [0.02, 0.04],
        },
        rng=[1, 2],
        max_steps=horizon_steps,
        data_collection_period=-1,
        number_processes=1,
        display_progress=False,
    )
    assert len(rows) == 8 and all(row["finished"] for row in rows)
    swept = run_sweep(
        {
            "name": "recipe",
            "scenario": "workshop",
            "policies": ["hierarchical", "cooperative"],
            "replications": 2,
            "seed": 1,
            "parameters": {"project.problem_rate": {"values": [0.02, 0.04]}},
        },
        tmp_path / "sweep",
        workers=1,
        progress=False,
    )
    for row in rows:
        match = swept[
            (swept["policy"] == row["policy"])
            & (swept["seed"] == row["rng"])
            & (swept["project.problem_rate"] == row["project.problem_rate"])
        ]
        assert len(match) == 1
        assert match.iloc[0]["lead_time_days"] == row["lead_time_days"]
        assert match.iloc[0]["problems_raised"] == row["problems_raised"]


def test_scenario_values_as_keyword_arguments_are_validated():
    model = simulator.OrgModel("workshop", "cooperative", rng=1, **{"project.problem_rate": 0})
    assert model.config.project.problem_rate == 0
    with pytest.raises(simulator.InputError, match=r"project\.problem_rate"):
        simulator.OrgModel("workshop", **{"project.problem_rate": -1})


def test_run_to_end_restores_the_garbage_collector_and_frees_its_model():
    import gc
    import weakref

    assert gc.isenabled()
    model = simulator.OrgModel("workshop", "hierarchical", rng=3, collect_kpis=False)
    model.run_to_end()
    assert gc.isenabled()  # paused for the run only
    first = model.kpis()
    gone = weakref.ref(model)
    del model
    gc.collect()
    assert gone() is None  # the model (full of reference cycles) is collected as before
    # A caller that turned the collector off keeps it off, and the run is the same.
    gc.disable()
    try:
        again = simulator.OrgModel("workshop", "hierarchical", rng=3, collect_kpis=False)
        again.run_to_end()
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert again.kpis() == first


def test_subscribers_of_time_follow_the_clock_as_in_mesa():
    # The model's clock is a plain attribute (Mesa's Observable costs a descriptor call per
    # read); its loop tells Mesa's subscribers of "time" every move, as the Observable does.
    from mesa.experimental.mesa_signals import ObservableSignals

    watched = simulator.OrgModel("workshop", "hierarchical", rng=3)
    moves: list[tuple[float, float]] = []

    def moved(signal) -> None:  # kept alive here: Mesa holds subscribers by weak reference
        moves.append((signal.additional_kwargs["old"], signal.additional_kwargs["new"]))

    watched.observe("time", ObservableSignals.CHANGED, moved)
    watched.run_to_end()
    assert moves[0][0] == 0.0 and moves[-1][1] == watched.time
    for (_, new), (old, later) in pairwise(moves):
        assert old == new < later  # each move starts where the last one ended, forwards
    hours = {new for _, new in moves}
    assert set(range(1, int(watched.time) + 1)) <= hours  # every hourly step moved the clock
    plain = simulator.OrgModel("workshop", "hierarchical", rng=3)
    plain.run_to_end()
    assert plain.kpis() == watched.kpis()
