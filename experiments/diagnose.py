"""A diagnosis with its remedies tested: `orgsim diagnose` without the command line.

Replication r runs the scenario as it is with seed `base_seed + r` and the item log on
(`experiments.diagnosis`); the remedies the diagnosis points to (`experiments.remedies`)
then run with the same seeds, and each is ranked by its paired lead-time gain (the
scenario as it is − the remedy, in working days: positive is faster) with its 95% CI, its
paired change in labour and staffing cost, and the pairs it wins. Both phases go through
`experiments.compare.run_replications` (a process pool when it pays; the same numbers
whatever the number of workers).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.compare import run_replications
from experiments.diagnosis import DiagnosisRunner, summarise_runs
from experiments.remedies import BASELINE, MAX_REMEDIES, Remedy, propose
from experiments.statistics import Estimate, differences, mean_ci, wins
from experiments.worker import kpis_of_run
from simulator.run import scenario_hash
from simulator.schema import Scenario

LEAD_TIME = "lead_time_days"
OnRun = Callable[[str, int], None]
Progress = Callable[[str, int], AbstractContextManager[OnRun | None]]
COSTS = ("labour_cost", "staffing_cost")


@dataclass(frozen=True)
class _Result:
    kpis: dict[str, Any]


@dataclass(frozen=True)
class VariantRunner:
    """`runner(scenario, variant, seed)`: the run of a named variant (a remedy's patched
    scenario under the diagnosed policy); picklable for the process pool."""

    variants: dict[str, Scenario]
    policy: str

    def __call__(self, _scenario: Scenario, variant: str, seed: int) -> _Result:
        return _Result(kpis_of_run(self.variants[variant], self.policy, seed))


def diagnose(
    scenario: Scenario,
    policy: str,
    replications: int,
    base_seed: int,
    *,
    workers: int = 1,
    max_remedies: int = MAX_REMEDIES,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The diagnosis (the JSON of DESIGN §7b) and the runs table (`policy` is the variant:
    BASELINE or a remedy's name). `progress(what, total_runs)`, a context manager giving
    the `on_run` callback of `run_replications` (or None), shows each phase's progress."""
    progress = progress or _no_progress
    with progress("diagnosis", replications) as on_run:
        baseline = run_replications(
            scenario,
            [BASELINE],
            replications,
            base_seed,
            on_run=on_run,
            runner=DiagnosisRunner(policy),
            workers=workers,
        )
    summary = summarise_runs(list(baseline["diagnosis"]), scenario.time.hours_per_day)
    runs = baseline.drop(columns=["diagnosis"])
    proposed = propose(scenario, policy, summary, max_remedies)
    if proposed:
        names = [remedy.name for remedy, _ in proposed]
        with progress(f"{len(names)} remedies", len(names) * replications) as on_run:
            tried = run_replications(
                scenario,
                names,
                replications,
                base_seed,
                on_run=on_run,
                runner=VariantRunner({r.name: s for r, s in proposed}, policy),
                workers=workers,
            )
        runs = pd.concat([runs, tried], ignore_index=True)
    remedies = [_ranked(runs, remedy) for remedy, _ in proposed]
    remedies.sort(key=lambda r: (-_or_minus_inf(r["lead_time_gain_days"]["mean"]), r["remedy"]))
    result = {
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "policy": policy,
        "replications": replications,
        "seed": base_seed,
        "bottleneck": summary["bottleneck"],
        "departments": summary["departments"],
        "teams": summary["teams"],
        "managers": summary["managers"],
        "critical_path": summary["critical_path"],
        "remedies": remedies,
    }
    return result, runs


def _no_progress(_what: str, _total: int) -> AbstractContextManager[OnRun | None]:
    return nullcontext(None)


def _ranked(runs: pd.DataFrame, remedy: Remedy) -> dict[str, Any]:
    gain = mean_ci(differences(runs, BASELINE, remedy.name, LEAD_TIME))
    k, n = wins(runs, remedy.name, BASELINE)
    return {
        "remedy": remedy.name,
        "change": remedy.patches(),
        "why": remedy.why,
        "lead_time_gain_days": _estimate(gain),
        "cost_change": {
            cost: _estimate(mean_ci(differences(runs, remedy.name, BASELINE, cost)))
            for cost in COSTS
        },
        "wins": {"k": k, "n": n},
    }


def _estimate(estimate: Estimate) -> dict[str, float]:
    return {"mean": estimate.mean, "ci_low": estimate.ci_low, "ci_high": estimate.ci_high}


def _or_minus_inf(value: float) -> float:
    return value if value == value else float("-inf")
