"""Shared helpers for validation tests: scenario building and sample statistics.

Tolerances are derived from the replications: a test accepts a difference up to
`Z` standard errors (Z = 4), never a hand-picked margin.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from simulator.loading import scenario_from_mapping
from simulator.run import run_one
from simulator.schema import Scenario

Z = 4.0  # standard errors a statistical check allows

ZERO_TIMES = {
    "message_hours": 0,
    "relay_hours": 0,
    "post_hours": 0,
    "read_hours": 0,
    "assignment_hours": 0,
    "coordination_hours": 0,
    "codecision_hours": 0,
    "meeting_hours": 0,
    "orientation_hours": 0,
    "confrontation_hours": 0,
    "arbitration_hours": 0,
}

# Queueing theory has no memory: a manager who has met a kind of problem before decides it
# as slowly as the first time (Wright's-law learning off).
NO_LEARNING = {"learning_rate": 1.0}


def scenario(data: dict[str, Any]) -> Scenario:
    """A validated scenario from a mapping (defaults filled as in a file)."""
    return scenario_from_mapping(data, source="<test>")


def kpis(scn: Scenario, policy: str, seed: int) -> dict[str, Any]:
    """KPIs of one run, Mesa's notices silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_one(scn, policy, seed).kpis


def mean_and_se(values) -> tuple[float, float]:
    """Sample mean and its standard error (n - 1 in the variance)."""
    data = np.asarray(list(values), dtype=float)
    return float(data.mean()), float(data.std(ddof=1) / math.sqrt(len(data)))


def paired(scn: Scenario, policies: tuple[str, str], seeds, kpi: str = "lead_time_days"):
    """Per-seed differences second − first policy of one KPI (same seeds: paired)."""
    first, second = policies
    return np.array([kpis(scn, second, s)[kpi] - kpis(scn, first, s)[kpi] for s in seeds])
