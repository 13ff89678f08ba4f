"""Every KPI of a fixed set of runs equals the stored fixture, bit for bit.

Restructurings and speed-ups must not change results. When the model changes on purpose,
re-record with `python -m tests.fixtures.kpi_fixture` and say why in the commit.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.kpi_fixture import FIXTURE, kpis_of, runs

STORED = json.loads(FIXTURE.read_text())


def test_fixture_covers_every_shipped_scenario_and_preset():
    assert sorted(STORED) == sorted(f"{s}/{p}/{seed}" for s, p, seed in runs())


@pytest.mark.parametrize(("scenario", "policy", "seed"), runs())
def test_kpis_are_bit_identical(scenario, policy, seed):
    stored = STORED[f"{scenario}/{policy}/{seed}"]
    now = kpis_of(scenario, policy, seed)
    changed = {
        k: (stored.get(k), now.get(k))
        for k in stored.keys() | now.keys()
        if stored.get(k) != now.get(k)
    }
    assert not changed, f"KPIs changed: {changed}"
