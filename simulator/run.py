"""`run_one`: one run of a scenario under a policy, with its KPIs, series and records."""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.domain import MessageRecord, ProblemRecord, columns
from simulator.loading import load_scenario
from simulator.model import OrgModel
from simulator.policies import Policy
from simulator.schema import Scenario


@dataclass
class RunResult:
    """What one run produced: KPIs, the daily series, problem records and metadata."""

    kpis: dict[str, Any]
    daily: pd.DataFrame
    problems: pd.DataFrame
    messages: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)


def scenario_hash(scenario: Scenario) -> str:
    """A short fingerprint of the validated scenario (same content, same hash)."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    if scenario.uncertain:
        # The scenario holds the medians: the laws they are drawn from are part of it too.
        laws = {key: item.spec for key, item in scenario.uncertain.items()}
        text += json.dumps(laws, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def versions() -> dict[str, str]:
    """Versions of what produced a result."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("orgsim", "mesa", "numpy", "pandas"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "unknown"
    return found


def records_frame(records: list, record_type: type) -> pd.DataFrame:
    """A frame with one row per record and the record type's columns (even when empty)."""
    return pd.DataFrame([astuple(r) for r in records], columns=list(columns(record_type)))


def run_one(
    scenario: Scenario | str | Path, policy: str | Policy = "cooperative", seed: int | None = None
) -> RunResult:
    """Run `scenario` under `policy` with `seed` (None: the scenario's seed) to the end."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    # Only the final KPIs and the daily series are kept: no daily KPI collection.
    model = OrgModel(scenario, policy, rng=seed, collect_kpis=False)
    model.run_to_end()
    problems = records_frame(model.problem_records(), ProblemRecord)
    messages = records_frame(model.message_records, MessageRecord)
    metadata = {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "policy": model.policy.name,
        "mechanisms": model.policy.mechanisms(),
        "seed": model.seed,
        **({"uncertain_inputs": model.uncertain_draws} if model.uncertain_draws else {}),
        "versions": versions(),
    }
    return RunResult(model.kpis(), pd.DataFrame(model.daily), problems, messages, metadata)
