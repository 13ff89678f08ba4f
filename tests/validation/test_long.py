"""Long validation runs (`make validation`): the queue across loads, more replications."""

from __future__ import annotations

import pytest
from scipy.optimize import brentq

from simulator import theory
from tests.validation.support import QUEUE_DECISION_HOURS as DECISION_HOURS
from tests.validation.support import QUEUE_SOURCES as SOURCES
from tests.validation.support import Z, kpis, mean_and_se, queue_scenario, scenario

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("utilisation", [0.2, 0.4, 0.6, 0.75, 0.9])
def test_single_manager_across_loads(utilisation):
    rate = brentq(
        lambda lam: (
            theory.machine_repair(SOURCES, lam, 1 / DECISION_HOURS).utilisation - utilisation
        ),
        1e-6,
        10.0,
    )
    expected = theory.machine_repair(SOURCES, rate, 1 / DECISION_HOURS)
    scn = scenario(queue_scenario(rate))
    runs = [kpis(scn, "queue", seed) for seed in range(12)]
    for measured, theory_value in (
        ([r["mean_resolution_hours"] for r in runs], expected.mean_response),
        ([r["manager_utilization"] for r in runs], expected.utilisation),
    ):
        mean, se = mean_and_se(measured)
        assert abs(mean - theory_value) <= Z * se


def test_the_validation_report_builds(tmp_path):
    from tests.validation.report import main

    out = tmp_path / "validation.md"
    assert main([str(out), "--quick"]) == 0
    text = out.read_text()
    for title in ("Critical path", "finite-source queue", "Lateral links", "fastest where"):
        assert title in text
