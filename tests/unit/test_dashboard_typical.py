"""The typical run: the seed picked lies in the middle of the paired differences."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from dashboards.typical import (
    REPLICATIONS,
    Cancelled,
    TypicalInputs,
    nearest_median,
    replication_seeds,
    typical_run,
)
from simulator.loading import load_scenario


def lead_times_from(table):
    """A runner giving lead times from `table[policy][seed]` (no model run)."""

    def runner(_scenario, policy, seed):
        return SimpleNamespace(kpis={"lead_time_days": table[policy][seed]})

    return runner


def percentile_rank(values, value) -> float:
    """Share of the values (in %) at or below `value`, counting ties half (mid-rank)."""
    values = np.asarray(values)
    below = np.sum(values < value)
    equal = np.sum(values == value)
    return 100.0 * (below + 0.5 * equal) / len(values)


def test_the_chosen_seed_lies_between_the_40th_and_60th_percentile():
    scenario = load_scenario("workshop")
    result = typical_run(scenario, ["hierarchical", "cooperative", "self_managed"], base_seed=3)
    assert len(result.seeds) == REPLICATIONS == 20
    assert result.seeds == tuple(replication_seeds(3))
    d = np.asarray(result.differences)
    low, high = np.percentile(d, 40), np.percentile(d, 60)
    assert low <= result.difference <= high
    assert 40 <= percentile_rank(d, result.difference) <= 60
    assert 1 <= result.alike <= 20
    assert f"{result.alike} of 20 runs look like this" in result.headline()
    # Paired: every policy ran every seed.
    assert all(len(v) == 20 for v in result.lead_times.values())


@pytest.mark.parametrize("seed", range(25))
def test_nearest_median_on_random_samples(seed):
    values = np.random.default_rng(seed).normal(size=20) * 5
    chosen = values[nearest_median(values)]
    assert np.percentile(values, 40) <= chosen <= np.percentile(values, 60)


def test_runs_alike_are_those_with_the_same_winner():
    times = {  # lead times by seed: A wins on seeds 0-2, they tie on seed 3
        "A": [10.0, 11.0, 12.0, 20.0],
        "B": [12.0, 12.5, 13.0, 20.0],
    }

    result = typical_run(
        None, ["A", "B"], base_seed=0, replications=4, runner=lead_times_from(times)
    )
    assert result.differences == (-2.0, -1.5, -1.0, 0.0)
    assert result.seed in (1, 2)  # the median difference is -1.25
    assert result.alike == 3
    assert "A finishes" in result.headline()


def test_needs_two_policies():
    with pytest.raises(ValueError):
        typical_run(None, ["A"], base_seed=0, runner=lead_times_from({}))


def test_progress_is_reported():
    seen = []
    typical_run(
        None,
        ["A", "B"],
        0,
        replications=3,
        runner=lead_times_from({"A": [1.0] * 3, "B": [2.0] * 3}),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen == [(i, 6) for i in range(1, 7)]


def test_the_result_keeps_the_inputs_it_ran_on_and_is_shown_on_the_chosen_seed():
    inputs = TypicalInputs(setup=object(), scenario="s", policies=("A", "B"), seed=0)
    times = {"A": [10.0, 11.0, 12.0], "B": [12.0, 12.5, 12.0]}  # differences -2, -1.5, 0
    result = typical_run(
        None, ["A", "B"], 0, replications=3, runner=lead_times_from(times), inputs=inputs
    )
    assert result.inputs is inputs
    assert result.seed == 1
    assert result.shown_on() == TypicalInputs(inputs.setup, "s", ("A", "B"), 1)
    assert result.headline().startswith("s, seed 1: A finishes 1.5 days before B.")


def test_a_cancelled_typical_run_stops_before_its_end():
    ran = []

    def runner(_scenario, policy, seed):
        ran.append((policy, seed))
        return SimpleNamespace(kpis={"lead_time_days": 1.0})

    with pytest.raises(Cancelled):
        typical_run(
            None, ["A", "B"], 0, replications=20, runner=runner, cancelled=lambda: len(ran) >= 4
        )
    assert len(ran) == 4  # two replications of 20: it stopped at the first check that said so


def test_policies_are_named_in_plain_words_in_the_headline():
    times = {"self_managed": [3.0], "cooperative": [1.0]}
    result = typical_run(
        None, ["self_managed", "cooperative"], 0, replications=1, runner=lead_times_from(times)
    )
    assert "self_managed" not in result.headline()
    assert "cooperative finishes 2.0 days before self-managed" in result.headline()
