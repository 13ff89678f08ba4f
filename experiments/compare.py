"""Comparing policies on the same scenario with paired replications.

Replication r runs every policy with the seed `base_seed + r`, so the same project, the same
task efforts and the same problems meet every policy (common random numbers). The
differences between two policies are then taken run by run ("paired"), which removes most of
the noise the project itself brings.

Statistics per policy and KPI: mean, 95% confidence interval of the mean (Student t), median
(p50) and 90th percentile (p90). Paired differences: mean and 95% CI of `policy − first
policy`, and "wins in k of n" (a win is a strictly lower lead time in that paired run).
Unfinished runs have the horizon as lead time: it is then a lower bound, and the headline
says so.

The runs table (`runs`) has one row per run: `policy`, `replicate`, `seed`, then every KPI.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from simulator.schema import Scenario

CONFIDENCE = 0.95
LEAD_TIME = "lead_time_days"
FINISHED = "finished"
RUN_COLUMNS = ("policy", "replicate", "seed")

# The KPIs every comparison shows, in this order (others are in the JSON and the CSV files).
MAIN_KPIS = (
    "lead_time_days",
    "work_hours",
    "rework_hours",
    "coordination_hours",
    "decision_wait_hours",
    "information_wait_hours",
    "manager_utilization",
    "labour_cost",
)


class Estimate(NamedTuple):
    """A mean with its confidence interval (NaN bounds when fewer than two values)."""

    mean: float
    ci_low: float
    ci_high: float
    n: int


# --- statistics --------------------------------------------------------------------------


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> Estimate:
    """Mean and Student-t confidence interval of the mean.

    `mean ± t(1 − α/2, n − 1) × s / √n` with `s` the sample standard deviation (n − 1 in
    the denominator). NaN values are left out; with fewer than two values the bounds are NaN
    (an interval cannot be estimated), with no value the mean is NaN too.
    """
    from scipy.stats import t

    x = _clean(values)
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean = float(x.mean())
    if n < 2:
        return Estimate(mean, math.nan, math.nan, 1)
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def describe(values: Iterable[float]) -> dict[str, float]:
    """`mean`, `ci_low`, `ci_high` (95%, Student t), `p50`, `p90` of the non-NaN values."""
    x = _clean(values)
    estimate = mean_ci(x)
    if len(x) == 0:
        p50 = p90 = math.nan
    else:
        p50, p90 = (float(v) for v in np.percentile(x, [50, 90]))
    return {
        "mean": estimate.mean,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
        "p50": p50,
        "p90": p90,
    }


def _clean(values: Iterable[float]) -> np.ndarray:
    x = np.asarray(
        list(values) if not isinstance(values, np.ndarray | pd.Series) else values, dtype=float
    )
    return x[~np.isnan(x)]


# --- the runs table ----------------------------------------------------------------------


def numeric(column: pd.Series) -> pd.Series:
    """A KPI column as floats: booleans become 0/1, None becomes NaN."""
    return column.map(lambda v: math.nan if v is None else float(v)).astype(float)


def policy_order(runs: pd.DataFrame) -> list[str]:
    """Policies in the order they first appear in `runs`."""
    return list(dict.fromkeys(runs["policy"]))


def kpi_columns(runs: pd.DataFrame) -> list[str]:
    """The KPI columns with a value in at least one run (e.g. `on_time` goes without a deadline)."""
    return [c for c in runs.columns if c not in RUN_COLUMNS and numeric(runs[c]).notna().any()]


def paired(runs: pd.DataFrame, policy: str, reference: str, kpi: str) -> pd.DataFrame:
    """The KPI of `policy` and of `reference` side by side, one row per paired run.

    Runs pair when they have the same replicate and the same seed; pairs where either value
    is missing are left out. Columns: `policy`, `reference`.
    """
    keys = ["replicate", "seed"]
    ours = runs.loc[runs["policy"] == policy]
    theirs = runs.loc[runs["policy"] == reference]
    mine = ours[keys].assign(policy=numeric(ours[kpi]))
    theirs = theirs[keys].assign(reference=numeric(theirs[kpi]))
    both = mine.merge(theirs, on=keys, how="inner").dropna(subset=["policy", "reference"])
    return both.sort_values(keys).reset_index(drop=True)


def differences(runs: pd.DataFrame, policy: str, reference: str, kpi: str) -> np.ndarray:
    """Paired differences `policy − reference` of one KPI."""
    pairs = paired(runs, policy, reference, kpi)
    return (pairs["policy"] - pairs["reference"]).to_numpy(dtype=float)


def wins(runs: pd.DataFrame, policy: str, reference: str, kpi: str = LEAD_TIME) -> tuple[int, int]:
    """(k, n): in k of the n paired runs `policy` had a strictly lower `kpi` than `reference`."""
    pairs = paired(runs, policy, reference, kpi)
    return int((pairs["policy"] < pairs["reference"]).sum()), len(pairs)


def unfinished(runs: pd.DataFrame, policy: str) -> tuple[int, int]:
    """(k, n): k of the n runs of `policy` hit the horizon before finishing."""
    rows = runs.loc[runs["policy"] == policy]
    if FINISHED not in rows:
        return 0, len(rows)
    done = numeric(rows[FINISHED])
    return int((done == 0).sum()), len(rows)


def summarise(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> dict[str, Any]:
    """Statistics per policy and paired differences to the first policy.

    `{"policies": {P: {KPI: {mean, ci_low, ci_high, p50, p90}}},
      "differences": {P: {KPI: {mean, ci_low, ci_high}}}}`, for every KPI with a value in
    at least one run; booleans (finished, on_time) count as 0/1, so their mean is a share.
    Missing values (NaN) may remain where a policy never had a value.
    """
    policies = list(policies) if policies is not None else policy_order(runs)
    kpis = kpi_columns(runs)
    first = policies[0]
    stats: dict[str, dict[str, dict[str, float]]] = {}
    diffs: dict[str, dict[str, dict[str, float]]] = {}
    for policy in policies:
        rows = runs.loc[runs["policy"] == policy]
        stats[policy] = {kpi: describe(numeric(rows[kpi])) for kpi in kpis}
        diffs[policy] = {}
        for kpi in kpis:
            estimate = mean_ci(differences(runs, policy, first, kpi))
            diffs[policy][kpi] = {
                "mean": estimate.mean,
                "ci_low": estimate.ci_low,
                "ci_high": estimate.ci_high,
            }
    return {"policies": stats, "differences": diffs}


def summary_table(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per policy × KPI: n, mean, sd, 95% CI, p50, p90, and the paired difference to
    the first policy (`diff_mean`, `diff_ci_low`, `diff_ci_high`)."""
    policies = list(policies) if policies is not None else policy_order(runs)
    summary = summarise(runs, policies)
    rows = []
    for policy in policies:
        values = runs.loc[runs["policy"] == policy]
        for kpi, stat in summary["policies"][policy].items():
            x = numeric(values[kpi]).dropna()
            diff = summary["differences"][policy][kpi]
            rows.append(
                {
                    "policy": policy,
                    "kpi": kpi,
                    "n": len(x),
                    "mean": stat["mean"],
                    "sd": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
                    "ci_low": stat["ci_low"],
                    "ci_high": stat["ci_high"],
                    "p50": stat["p50"],
                    "p90": stat["p90"],
                    "diff_mean": diff["mean"],
                    "diff_ci_low": diff["ci_low"],
                    "diff_ci_high": diff["ci_high"],
                }
            )
    return pd.DataFrame(rows)


# --- the headline --------------------------------------------------------------------------


def _span(low: float, high: float) -> str:
    if low >= 0:
        return f"{low:.1f}–{high:.1f}"
    return f"{low:.1f} to {high:.1f}"


def headline(runs: pd.DataFrame, policies: Sequence[str] | None = None) -> str:
    """A plain-language first sentence for a comparison, checked against the numbers.

    The policy with the lowest mean lead time is compared with the first policy (if the
    first is itself the fastest, with the second fastest): in how many paired runs it
    finished strictly earlier, and the mean paired difference in working days with its 95%
    CI. When the CI includes 0 (or cannot be estimated), the sentence says the difference
    is not clear at this sample size. Policies with runs that hit the horizon are named:
    their lead times are lower bounds.
    """
    policies = list(policies) if policies is not None else policy_order(runs)
    means = {p: mean_ci(numeric(runs.loc[runs["policy"] == p, LEAD_TIME])).mean for p in policies}
    rank = sorted(
        policies, key=lambda p: (math.inf if math.isnan(means[p]) else means[p], policies.index(p))
    )
    if len(policies) == 1:
        only = policies[0]
        estimate = mean_ci(numeric(runs.loc[runs["policy"] == only, LEAD_TIME]))
        text = (
            f"{only} took {estimate.mean:.1f} working days on average over {estimate.n} "
            f"run{'' if estimate.n == 1 else 's'}"
        )
        if not math.isnan(estimate.ci_low):
            text += f" (95% CI {_span(estimate.ci_low, estimate.ci_high)})"
        text += "."
    else:
        first = policies[0]
        faster, slower = (rank[0], first) if rank[0] != first else (first, rank[1])
        gain = differences(runs, slower, faster, LEAD_TIME)  # positive: `faster` ended earlier
        k, n = wins(runs, faster, slower)
        estimate = mean_ci(gain)
        if n > 0 and np.all(gain == 0):
            text = f"{faster} and {slower} had the same lead time in all {n} paired runs."
        else:
            text = (
                f"{faster} finished earlier than {slower} in {k} of {n} paired run{'' if n == 1 else 's'}, "
                f"by {estimate.mean:.1f} working days on average"
            )
            if math.isnan(estimate.ci_low):
                text += ": the difference is not clear at this sample size."
            elif estimate.ci_low <= 0 <= estimate.ci_high:
                text += (
                    f" (95% CI {_span(estimate.ci_low, estimate.ci_high)}): "
                    "the difference is not clear at this sample size."
                )
            else:
                text += f" (95% CI {_span(estimate.ci_low, estimate.ci_high)})."
    stuck = [(p, *unfinished(runs, p)) for p in policies]
    stuck = [f"{p} {k} of {n}" for p, k, n in stuck if k]
    if stuck:
        text += (
            " Runs that hit the horizon, whose lead time is only a lower bound: "
            + ", ".join(stuck)
            + "."
        )
    return text


# --- running -------------------------------------------------------------------------------


Runner = Callable[["Scenario", str, int], Any]


def run_replications(
    scenario: Scenario,
    policies: Sequence[str],
    replications: int,
    base_seed: int,
    on_run: Callable[[str, int], None] | None = None,
    runner: Runner | None = None,
) -> pd.DataFrame:
    """Run every policy `replications` times; replication r uses seed `base_seed + r`.

    Returns the runs table (policy, replicate, seed, then every KPI), replications in the
    outer loop so that an interrupted comparison has whole pairs. `on_run(policy, r)` is
    called after each run (progress); `runner(scenario, policy, seed)` defaults to
    `simulator.run.run_one`.
    """
    from simulator.kpis import KPI_NAMES

    if runner is None:
        from simulator.run import run_one

        runner = run_one
    rows = []
    for replicate in range(replications):
        seed = base_seed + replicate
        for policy in policies:
            result = runner(scenario, policy, seed)
            row = {"policy": policy, "replicate": replicate, "seed": seed}
            row.update({k: result.kpis.get(k) for k in KPI_NAMES})
            row.update({k: v for k, v in result.kpis.items() if k not in row})
            rows.append(row)
            if on_run is not None:
                on_run(policy, replicate)
    columns = [*RUN_COLUMNS, *KPI_NAMES]
    frame = pd.DataFrame(rows)
    return (
        frame[[*columns, *(c for c in frame.columns if c not in columns)]]
        if rows
        else pd.DataFrame(columns=columns)
    )
