"""The typical run: the seed picked lies in the middle of the paired differences."""

from __future__ import annotations

import numpy as np
import pytest

from dashboards.typical import REPLICATIONS, nearest_median, replication_seeds, typical_run
from simulator.loading import load_scenario


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

    def run(_scenario, policy, seed):
        return times[policy][seed]

    result = typical_run(None, ["A", "B"], base_seed=0, replications=4, run=run)
    assert result.differences == (-2.0, -1.5, -1.0, 0.0)
    assert result.seed in (1, 2)  # the median difference is -1.25
    assert result.alike == 3
    assert "A finishes" in result.headline()


def test_needs_two_policies():
    with pytest.raises(ValueError):
        typical_run(None, ["A"], base_seed=0, run=lambda *_: 1.0)


def test_progress_is_reported():
    seen = []
    typical_run(
        None,
        ["A", "B"],
        0,
        replications=3,
        run=lambda *_: 1.0,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (6, 6)
