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


# --- organisations that are queues (shared by the tests and the validation report) -----------

QUEUE_SOURCES = 10  # collaborators raising problems to one manager
QUEUE_DECISION_HOURS = 2.0  # mean of the exponential decision time
QUEUE_DAYS = 300


def queue_policy(**settings: Any) -> dict[str, Any]:
    """A policy `queue` where escalation is all there is: collaborators pull their tasks,
    messages go direct, no coordination; `settings` change it (e.g. autonomy)."""
    return {
        "queue": {
            "base": "hierarchical",
            "allocation": "pull",
            "communication": "direct",
            "coordination": "none",
            **settings,
        }
    }


def queue_scenario(rate: float, departments: int = 1, **policy: Any) -> dict[str, Any]:
    """QUEUE_SOURCES collaborators (split over `departments`) escalating every problem to a
    manager with nothing else to do: the finite-source M/M/1//N queue of
    `simulator.theory.machine_repair`. With several departments every problem is outside
    their field and climbs to the director."""
    size = QUEUE_SOURCES // departments
    return {
        "name": "queue",
        "time": {"hours_per_day": 8, "horizon_days": QUEUE_DAYS},
        "organisation": {
            "departments": [
                {"name": f"d{i}", "collaborators": size, "expertise": 0.5}
                for i in range(departments)
            ],
            "director": departments > 1,
        },
        # Far more work than the horizon allows: every collaborator always has a task.
        "project": {
            "tasks": 20000,
            "dependency_density": 0,
            "interdependence": 0,
            "problem_rate": rate,
            "effort_hours": 8,
            "complexity": 1,
            "foreign_field_share": 1.0 if departments > 1 else 0.0,
            **NO_LEARNING,
        },
        "timing": {
            **ZERO_TIMES,
            "decision_hours": {"dist": "exponential", "mean": QUEUE_DECISION_HOURS},
            "self_fix_hours": 0,
        },
        "policies": queue_policy(**policy),
    }


def department_scenario(
    collaborators: int,
    teams: int,
    rate: float,
    decision: float,
    severity: dict[str, float],
    days: int = 300,
    effort: float = 8,
    **department: Any,
) -> dict[str, Any]:
    """One department of `collaborators` in `teams` under the `queue` policy, deciding and
    relaying in `decision` hours on average (exponential), with the given severity mix;
    `department` adds settings of the department (e.g. pooled_leads)."""
    tasks = int(collaborators * days * 8 / effort * 1.2) + 10  # never runs out of work
    return {
        "name": "levels",
        "time": {"horizon_days": days},
        "organisation": {
            "departments": [
                {"name": "ops", "collaborators": collaborators, "teams": teams, **department}
            ],
            "director": False,
        },
        "project": {
            "tasks": tasks,
            "dependency_density": 0,
            "interdependence": 0,
            "problem_rate": rate,
            "effort_hours": effort,
            "complexity": 1,
            "severity": severity,
            **NO_LEARNING,
        },
        "timing": {
            **ZERO_TIMES,
            "decision_hours": {"dist": "exponential", "mean": decision},
            "relay_hours": {"dist": "exponential", "mean": decision},
        },
        "policies": queue_policy(),
    }
