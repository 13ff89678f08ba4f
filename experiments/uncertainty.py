"""What a comparison says across uncertain inputs: how often each policy wins, and on what.

A scenario with uncertain inputs (`simulator.uncertain`) draws them once per replication,
the same for every policy; the runs table has their draws in `input:KEY` columns. Here:

- `p_beats`: for each policy other than the first (reference), the share of paired
  replications in which its lead time is strictly shorter than the reference's;
- `sensitivity_by_policy`: for each of those policies, Spearman's ρ between each uncertain
  input's draws and the paired lead-time difference (policy − reference): a negative ρ
  means the policy gains on the reference as the input grows;
- `sensitivity`: the same for the headline pair, the reference and the fastest other
  policy.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from experiments.runs_table import INPUT_PREFIX, LEAD_TIME, as_float, input_columns
from experiments.statistics import wins


def p_beats(runs: pd.DataFrame, policies: Sequence[str]) -> dict[str, float]:
    """Share of paired replications in which each other policy beats the first."""
    shares = {}
    for policy in policies[1:]:
        k, n = wins(runs, policy, policies[0])
        shares[policy] = k / n if n else math.nan
    return shares


def rank_correlations(runs: pd.DataFrame, policy: str, reference: str) -> dict[str, float]:
    """Spearman's ρ between each input's draws and `policy − reference` lead time, paired by
    replication (NaN when either is constant)."""
    from scipy.stats import spearmanr

    columns = input_columns(runs)
    pairs = (
        runs.loc[runs["policy"] == policy, ["replicate", LEAD_TIME, *columns]]
        .merge(
            runs.loc[runs["policy"] == reference, ["replicate", LEAD_TIME]],
            on="replicate",
            suffixes=("", "_reference"),
        )
        .sort_values("replicate")
    )
    difference = as_float(pairs[LEAD_TIME]) - as_float(pairs[f"{LEAD_TIME}_reference"])
    result = {}
    for column in columns:
        key = column.removeprefix(INPUT_PREFIX)
        with warnings.catch_warnings():
            # scipy warns on a constant input; the answer is then NaN, reported as such.
            warnings.simplefilter("ignore")
            rho = spearmanr(as_float(pairs[column]), difference).statistic
        result[key] = float(rho)
    return result


def headline_pair(runs: pd.DataFrame, policies: Sequence[str]) -> tuple[str, str]:
    """(reference, the fastest other policy): the pair `sensitivity` is about."""
    from experiments.compare import by_lead_time

    reference = policies[0]
    other = next(p for p in by_lead_time(runs, policies) if p != reference)
    return reference, other


def uncertainty_summary(runs: pd.DataFrame, policies: Sequence[str]) -> dict[str, Any]:
    """`{"p_beats", "sensitivity", "sensitivity_by_policy"}` for a comparison of two or more
    policies whose runs table has uncertain-input columns (empty otherwise)."""
    if len(policies) < 2 or not input_columns(runs):
        return {}
    reference = policies[0]
    by_policy = {p: rank_correlations(runs, p, reference) for p in policies[1:]}
    _, other = headline_pair(runs, policies)
    return {
        "p_beats": p_beats(runs, policies),
        "sensitivity": by_policy[other],
        "sensitivity_by_policy": by_policy,
    }


def uncertainty_sentence(summary: dict[str, Any], policies: Sequence[str], other: str) -> str:
    """`Across uncertain inputs: P(cooperative beats hierarchical) = 0.85; the answer depends
    most on project.problem_rate (ρ = −0.62 ...)`."""
    from experiments.display import parameter_label, policy_name

    reference = policy_name(policies[0])
    shares = ", ".join(
        f"P({policy_name(policy)} beats {reference}) = {share:.2f}"
        for policy, share in summary["p_beats"].items()
    )
    text = f"Across uncertain inputs: {shares}"
    rhos = {k: v for k, v in summary["sensitivity"].items() if not math.isnan(v)}
    if rhos:
        key = max(rhos, key=lambda k: abs(rhos[k]))
        rho = f"{rhos[key]:.2f}".replace("-", "−")
        text += (
            f"; the answer depends most on {_named(key, parameter_label(key))} (Spearman ρ = {rho} with "
            f"{policy_name(other)}'s lead time minus {reference}'s)"
        )
    return text + "."


def _named(key: str, label: str) -> str:
    """A key in plain words, with the key itself to type back (`--set`)."""
    return label if label == key else f"{label} [{key}]"
