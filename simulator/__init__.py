"""The orgsim kernel: scenarios, policies, the organisation model, KPIs and `run_one`.

Heavy modules (Mesa, pandas) load on first use, so importing `simulator` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "InputError",
    "OrgModel",
    "Policy",
    "RunResult",
    "Scenario",
    "load_scenario",
    "resolve_policy",
    "run_one",
    "scenario_from_mapping",
]

_LAZY = {
    "InputError": "simulator.errors",
    "OrgModel": "simulator.model",
    "Policy": "simulator.policies",
    "RunResult": "simulator.run",
    "Scenario": "simulator.schema",
    "load_scenario": "simulator.loading",
    "resolve_policy": "simulator.policies",
    "run_one": "simulator.run",
    "scenario_from_mapping": "simulator.loading",
}

if TYPE_CHECKING:
    from simulator.errors import InputError
    from simulator.loading import load_scenario, scenario_from_mapping
    from simulator.model import OrgModel
    from simulator.policies import Policy, resolve_policy
    from simulator.run import RunResult, run_one
    from simulator.schema import Scenario


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
