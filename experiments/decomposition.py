"""Which mechanisms make the lead-time gap between two policies: Shapley values per seed.

The players are the mechanisms (`simulator.policies.MECHANISMS`) on which the `from` and
`to` policies differ. A coalition S is the `from` policy with the mechanisms of S switched
to the `to` policy's values; for a seed, v(S) is the lead time (working days) of the run
with coalition S and that seed. The contribution of a mechanism is its Shapley value,

    φ_i = Σ_{S ⊆ N∖{i}} |S|! (k − |S| − 1)! / k! × (v(S ∪ {i}) − v(S)),

exact over all 2^k coalitions up to `EXACT_UP_TO` differing mechanisms (sampling saves
nothing below 1,024 coalitions), and beyond that estimated from random orders of the
mechanisms taken in antithetic pairs (an order and its reverse), each order's marginal
gains averaged. Replication r uses seed `base_seed + r`, as `orgsim compare` does (common
random numbers: every coalition meets the same project and the same problems); each
coalition runs once per seed. Values are computed per seed, in exact rational arithmetic
(`fractions.Fraction` of the lead times), so that per seed the contributions add up
exactly to the total `v(N) − v(∅)` = lead time(to) − lead time(from) (efficiency), a
mechanism whose switch never changes a run gets exactly 0, and decomposing `to → from`
gives exactly the opposite of `from → to`. Their means over the seeds carry a Student-t
interval (`experiments.statistics.mean_ci`).

Departments. A department may keep its own in-department mechanisms (its `policy:` key,
or a policy's `departments` entry: `simulator.policies.for_department`). Switching a
mechanism switches it wherever the two policies put it: the run-wide value and, in each
department, the value in force there under `to` instead of the one under `from`. A
department whose own policy gives it the same value under both keeps it whatever the
coalition; when that leaves a switch short of some or all departments, a named warning
says so (`warnings`). Mechanisms that differ only inside some department (policies with
different `departments` entries) are players too. Mechanisms that `simulator.inert` finds
unable to act under both policies are named as well; they are still decomposed (a
coalition mixes both policies' values), and a mechanism that truly cannot act gets 0.
With a learned `transition:`, a switched mechanism carries its learning overhead (the
transition compares each mechanism of the run with the transition's `from`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial
from itertools import combinations
from typing import TYPE_CHECKING, Any

from experiments.statistics import Estimate, mean_ci
from simulator.policies import DEPARTMENT_MECHANISMS, MECHANISMS, Policy, for_department

if TYPE_CHECKING:
    from simulator.schema import Scenario

# Exact Shapley values up to this many differing mechanisms (2^10 = 1,024 coalitions).
EXACT_UP_TO = 10
LEAD_TIME = "lead_time_days"
# A pool gets units of at most this many runs of one seed: enough work per hand-out to
# hide the pickling of the scenario, small enough to keep every worker busy to the end.
UNIT_RUNS = 32
UNITS_PER_WORKER = 8

Coalition = frozenset[str]
ValueFunction = Callable[[Coalition], Fraction]


class NothingToDecompose(ValueError):
    """The two policies differ in no mechanism, anywhere in the organisation."""


# --- Shapley values of a value function (no simulation) -------------------------------------


def coalitions(players: Sequence[str]) -> list[Coalition]:
    """Every subset of `players`, smallest first."""
    return [
        frozenset(chosen)
        for size in range(len(players) + 1)
        for chosen in combinations(players, size)
    ]


def shapley_exact(players: Sequence[str], value: ValueFunction) -> dict[str, Fraction]:
    """The exact Shapley value of each player; `value` is called once per coalition.

    Each value is a weighted sum of marginal gains `v(S ∪ {i}) − v(S)`, in rationals: the
    values add up exactly to `v(N) − v(∅)`, and a player who never changes `v` gets 0.
    """
    k = len(players)
    known = {coalition: value(coalition) for coalition in coalitions(players)}
    weights = [
        Fraction(math.factorial(size) * math.factorial(k - size - 1), math.factorial(k))
        for size in range(k)
    ]
    found = {}
    for player in players:
        others = [p for p in players if p != player]
        total = Fraction(0)
        for size in range(k):
            for chosen in combinations(others, size):
                before = frozenset(chosen)
                total += weights[size] * (known[before | {player}] - known[before])
        found[player] = total
    return found


def permutation_orders(players: Sequence[str], pairs: int, seed: int) -> list[tuple[str, ...]]:
    """`pairs` random orders of the players, each followed by its reverse (antithetic pairs:
    a player early in one is late in the other, which cancels much of the sampling noise)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    orders: list[tuple[str, ...]] = []
    for _ in range(pairs):
        order = tuple(players[i] for i in rng.permutation(len(players)))
        orders += [order, order[::-1]]
    return orders


def order_coalitions(orders: Iterable[Sequence[str]]) -> list[Coalition]:
    """The coalitions the orders pass through (every prefix of each), each once, in the
    order they are first met."""
    seen: dict[Coalition, None] = {}
    for order in orders:
        for size in range(len(order) + 1):
            seen.setdefault(frozenset(order[:size]), None)
    return list(seen)


def order_marginals(
    orders: Sequence[Sequence[str]], value: ValueFunction
) -> list[dict[str, Fraction]]:
    """Per order, each player's marginal gain when it joins the players before it; the
    gains of one order add up exactly to `v(N) − v(∅)`."""
    found = []
    for order in orders:
        before: Coalition = frozenset()
        previous = value(before)
        gains = {}
        for player in order:
            after = before | {player}
            current = value(after)
            gains[player] = current - previous
            before, previous = after, current
        found.append(gains)
    return found


def shapley_sampled(
    players: Sequence[str], value: ValueFunction, orders: Sequence[Sequence[str]]
) -> dict[str, Fraction]:
    """The Shapley values estimated by the mean marginal gain over `orders` (unbiased for
    orders drawn uniformly; they still add up exactly to `v(N) − v(∅)`)."""
    marginals = order_marginals(orders, value)
    return {p: sum((m[p] for m in marginals), Fraction(0)) / len(marginals) for p in players}


def sampled_pairs(players: int) -> int:
    """Antithetic pairs of orders for `players` mechanisms: about as many coalitions per
    seed (each order passes through `players − 1` new ones) as the exact values need at
    `EXACT_UP_TO` mechanisms."""
    return max(1, math.ceil(2**EXACT_UP_TO / (2 * max(players - 1, 1))))


# --- policies -------------------------------------------------------------------------------


def _scopes(scenario: Scenario, policy: Policy) -> list[Policy]:
    """The run-wide policy, then the policy in force in each department."""
    return [
        policy,
        *(for_department(policy, d, scenario) for d in scenario.organisation.departments),
    ]


def differing_mechanisms(scenario: Scenario, start: Policy, end: Policy) -> list[str]:
    """The mechanisms (in `MECHANISMS` order) whose value differs run-wide or in any
    department between `start` and `end`."""
    pairs = list(zip(_scopes(scenario, start), _scopes(scenario, end), strict=True))
    return [m for m in MECHANISMS if any(getattr(a, m) != getattr(b, m) for a, b in pairs)]


def coalition_policy(
    scenario: Scenario, start: Policy, end: Policy, switched: Iterable[str]
) -> Policy:
    """`start` with the mechanisms `switched` set to `end`'s values, run-wide and in every
    department (each department gets the value in force there under `end`)."""
    switched = [m for m in MECHANISMS if m in set(switched)]
    top = replace(start, **{m: getattr(end, m) for m in switched})
    inside = [m for m in switched if m in DEPARTMENT_MECHANISMS]
    departments = []
    for department in scenario.organisation.departments:
        before = for_department(start, department, scenario)
        after = for_department(end, department, scenario)
        own = replace(before, departments=(), **{m: getattr(after, m) for m in inside})
        departments.append((department.name, own))
    name = f"{start.name}+{end.name}:{','.join(switched)}" if switched else start.name
    return replace(top, name=name, departments=tuple(departments))


def value_text(scenario: Scenario, policy: Policy, mechanism: str) -> str:
    """A mechanism's value under `policy` for people: the run-wide value, then in brackets
    the departments that keep another one (`pull (legal: manager)`)."""

    def shown(value: object) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        return str(value)

    run_wide = getattr(policy, mechanism)
    own = [
        f"{d.name}: {shown(getattr(for_department(policy, d, scenario), mechanism))}"
        for d in scenario.organisation.departments
        if getattr(for_department(policy, d, scenario), mechanism) != run_wide
    ]
    return shown(run_wide) + (f" ({', '.join(own)})" if own else "")


def decomposition_warnings(
    scenario: Scenario, start: Policy, end: Policy, mechanisms: Sequence[str]
) -> list[str]:
    """One `warning:` line per differing mechanism whose switch cannot act somewhere: kept
    by departments with their own policy, or unable to act under both policies here."""
    from simulator.inert import inert_settings, nesting

    found = []
    departments = scenario.organisation.departments
    for mechanism in mechanisms:
        if mechanism not in DEPARTMENT_MECHANISMS or getattr(start, mechanism) == getattr(
            end, mechanism
        ):
            continue
        kept = [
            d.name
            for d in departments
            if getattr(for_department(start, d, scenario), mechanism)
            == getattr(for_department(end, d, scenario), mechanism)
        ]
        if kept and len(kept) == len(departments):
            found.append(
                f"warning: decomposition: {mechanism}: every department keeps its own "
                f"{mechanism} under both {start.name} and {end.name}: the switch reaches no "
                "department, only the run-wide value (the director's)"
            )
        elif kept:
            found.append(
                f"warning: decomposition: {mechanism}: department{'s' if len(kept) > 1 else ''} "
                f"{', '.join(kept)} keep{'' if len(kept) > 1 else 's'} {'their' if len(kept) > 1 else 'its'} own "
                f"{mechanism} under both {start.name} and {end.name}: the switch does not reach "
                f"{'them' if len(kept) > 1 else 'it'}"
            )
    # A policy that breaks the nesting of levels is warned about by `compare`; here only
    # the values that cannot act.
    nesting_reasons = {(p.name, m, why) for p in (start, end) for m, why in nesting(p)}
    inert: dict[tuple[str | None, str], str] = {
        (w.policy, w.setting): w.reason
        for w in inert_settings(scenario, [start, end])
        if (w.policy, w.setting, w.reason) not in nesting_reasons
    }
    for mechanism in mechanisms:
        reasons = [inert.get((p.name, mechanism)) for p in (start, end)]
        if all(reasons):
            why = reasons[0] if reasons[0] == reasons[1] else "; ".join(map(str, reasons))
            found.append(
                f"warning: decomposition: {mechanism}: cannot act here under {start.name} nor "
                f"under {end.name} ({why}); it is decomposed all the same, as coalitions mix "
                "the two policies"
            )
    return found


# --- the plan and its runs ------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a decomposition will run: the differing mechanisms, the coalitions each seed
    runs, the random orders when sampled (None: exact), and warnings for people."""

    scenario: Scenario
    start: Policy
    end: Policy
    mechanisms: tuple[str, ...]
    coalitions: tuple[Coalition, ...]
    orders: tuple[tuple[str, ...], ...] | None
    warnings: tuple[str, ...]

    @property
    def method(self) -> str:
        """`exact` or `sampled`."""
        return "exact" if self.orders is None else "sampled"

    def policy(self, coalition: Coalition) -> Policy:
        """The policy that runs coalition `coalition`."""
        return coalition_policy(self.scenario, self.start, self.end, coalition)


def plan(
    scenario: Scenario,
    start: Policy,
    end: Policy,
    base_seed: int,
    pairs: int | None = None,
) -> Plan:
    """The decomposition of `end − start` on `scenario`; raises `NothingToDecompose` when
    the two differ in no mechanism. Beyond `EXACT_UP_TO` mechanisms, `pairs` antithetic
    pairs of orders (default `sampled_pairs`) drawn from a generator seeded `base_seed`."""
    mechanisms = tuple(differing_mechanisms(scenario, start, end))
    if not mechanisms:
        raise NothingToDecompose(f"{start.name} and {end.name} differ in no mechanism")
    if len(mechanisms) <= EXACT_UP_TO:
        orders = None
        chosen = coalitions(mechanisms)
    else:
        count = pairs if pairs is not None else sampled_pairs(len(mechanisms))
        orders = tuple(permutation_orders(mechanisms, count, base_seed))
        chosen = order_coalitions(orders)
    return Plan(
        scenario,
        start,
        end,
        mechanisms,
        tuple(chosen),
        orders,
        tuple(decomposition_warnings(scenario, start, end, mechanisms)),
    )


@dataclass(frozen=True)
class Decomposition:
    """Per seed, the total gap and each mechanism's contribution (exact rationals)."""

    start: str
    end: str
    mechanisms: tuple[str, ...]
    values: dict[str, tuple[str, str]]  # mechanism -> (value under start, under end)
    seeds: tuple[int, ...]
    totals: tuple[Fraction, ...]
    contributions: dict[str, tuple[Fraction, ...]]
    method: str
    orders: int | None  # orders sampled (None: exact)
    runs: int
    unfinished: int  # runs that hit the horizon (lead time a lower bound)
    warnings: tuple[str, ...]

    def total(self) -> Estimate:
        """Mean and 95% CI of `lead time(end) − lead time(start)` over the seeds."""
        return mean_ci([float(t) for t in self.totals])

    def contribution(self, mechanism: str) -> Estimate:
        """Mean and 95% CI of a mechanism's contribution over the seeds."""
        return mean_ci([float(c) for c in self.contributions[mechanism]])

    def ranked(self) -> list[str]:
        """The mechanisms by absolute mean contribution, largest first (ties: `MECHANISMS`
        order)."""
        means = {m: abs(self.contribution(m).mean) for m in self.mechanisms}
        return sorted(self.mechanisms, key=lambda m: (-means[m], self.mechanisms.index(m)))

    def as_json(self) -> dict[str, Any]:
        """`{"from", "to", "total": {mean, ci_low, ci_high}, "contributions": {MECHANISM:
        {mean, ci_low, ci_high}}}` (largest first), then `values` ({MECHANISM: {from, to}}),
        `method`, `orders`, `replications`, `runs`, `unfinished` and `warnings`."""

        def estimate(e: Estimate) -> dict[str, float]:
            return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high}

        return {
            "from": self.start,
            "to": self.end,
            "total": estimate(self.total()),
            "contributions": {m: estimate(self.contribution(m)) for m in self.ranked()},
            "values": {m: {"from": a, "to": b} for m, (a, b) in self.values.items()},
            "method": self.method,
            "orders": self.orders,
            "replications": len(self.seeds),
            "runs": self.runs,
            "unfinished": self.unfinished,
            "warnings": list(self.warnings),
        }


def lead_times(
    scenario: Scenario, unit: tuple[int, tuple[Policy, ...]]
) -> list[tuple[float, bool]]:
    """(lead time, finished) of each policy of a unit `(seed, policies)`, KPIs only (a
    picklable unit of work for the process pool)."""
    from experiments.worker import kpis_of_run

    seed, policies = unit
    found = []
    for policy in policies:
        kpis = kpis_of_run(scenario, policy, seed)
        found.append((float(kpis[LEAD_TIME]), bool(kpis["finished"])))
    return found


def run(
    chosen: Plan,
    replications: int,
    base_seed: int,
    *,
    workers: int = 1,
    on_run: Callable[[], None] | None = None,
) -> Decomposition:
    """Run every coalition of `chosen` once per seed and decompose each seed's gap.

    The first run is timed in this process; the rest goes to the process pool of
    `experiments.compare.share_with_pool` when `pool_pays` says the pool pays for its start
    (the same rule as `orgsim compare`), in units of runs of one seed. `on_run()` is called
    after each run. The numbers do not depend on where a run executes.
    """
    from experiments.compare import pool_pays, share_with_pool

    seeds = tuple(base_seed + r for r in range(replications))
    policies = [chosen.policy(c) for c in chosen.coalitions]
    known: dict[tuple[int, Coalition], tuple[float, bool]] = {}

    def record(unit: tuple[int, int, int], found: list[tuple[float, bool]]) -> None:
        seed, first, _ = unit
        for offset, outcome in enumerate(found):
            known[(seed, chosen.coalitions[first + offset])] = outcome
            if on_run is not None:
                on_run()

    jobs = [(seed, i) for seed in seeds for i in range(len(policies))]
    start = time.perf_counter()
    first = (jobs[0][0], 0, 1)
    record(first, lead_times(chosen.scenario, (jobs[0][0], (policies[0],))))
    run_s = time.perf_counter() - start
    rest = _units(jobs[1:], workers)
    work = partial(_unit_lead_times, chosen.scenario, tuple(policies))
    if pool_pays(len(jobs) - 1, run_s, workers):
        share_with_pool(work, rest, workers, record)
    else:
        for unit in rest:
            record(unit, work(unit))
    return _decomposed(chosen, seeds, known)


def _unit_lead_times(
    scenario: Scenario, policies: tuple[Policy, ...], unit: tuple[int, int, int]
) -> list[tuple[float, bool]]:
    seed, first, stop = unit
    return lead_times(scenario, (seed, policies[first:stop]))


def _units(jobs: list[tuple[int, int]], workers: int) -> list[tuple[int, int, int]]:
    """(seed, first coalition, end) units of consecutive coalitions of one seed."""
    size = max(1, min(UNIT_RUNS, math.ceil(len(jobs) / (UNITS_PER_WORKER * max(workers, 1)))))
    units: list[tuple[int, int, int]] = []
    for seed, index in jobs:
        if units and units[-1][0] == seed and units[-1][2] == index and index - units[-1][1] < size:
            units[-1] = (seed, units[-1][1], index + 1)
        else:
            units.append((seed, index, index + 1))
    return units


def _decomposed(
    chosen: Plan, seeds: tuple[int, ...], known: dict[tuple[int, Coalition], tuple[float, bool]]
) -> Decomposition:
    everyone = frozenset(chosen.mechanisms)
    totals = []
    contributions: dict[str, list[Fraction]] = {m: [] for m in chosen.mechanisms}
    for seed in seeds:

        def value(coalition: Coalition, seed: int = seed) -> Fraction:
            return Fraction(known[(seed, coalition)][0])

        if chosen.orders is None:
            found = shapley_exact(chosen.mechanisms, value)
        else:
            found = shapley_sampled(chosen.mechanisms, value, chosen.orders)
        totals.append(value(everyone) - value(frozenset()))
        for m in chosen.mechanisms:
            contributions[m].append(found[m])
    unfinished = sum(1 for _, finished in known.values() if not finished)
    warnings = list(chosen.warnings)
    if unfinished:
        warnings.append(
            f"warning: decomposition: {unfinished} of {len(known)} runs hit the horizon: "
            "their lead time is only a lower bound, and so are the contributions made of it"
        )
    return Decomposition(
        start=chosen.start.name,
        end=chosen.end.name,
        mechanisms=chosen.mechanisms,
        values={
            m: (
                value_text(chosen.scenario, chosen.start, m),
                value_text(chosen.scenario, chosen.end, m),
            )
            for m in chosen.mechanisms
        },
        seeds=seeds,
        totals=tuple(totals),
        contributions={m: tuple(v) for m, v in contributions.items()},
        method=chosen.method,
        orders=None if chosen.orders is None else len(chosen.orders),
        runs=len(known),
        unfinished=unfinished,
        warnings=tuple(warnings),
    )


def decompose(
    scenario: Scenario,
    start: Policy | str,
    end: Policy | str,
    replications: int,
    base_seed: int,
    *,
    workers: int = 1,
    on_run: Callable[[], None] | None = None,
    pairs: int | None = None,
) -> Decomposition:
    """The decomposition of the lead-time gap `end − start` (policy names or policies) over
    `replications` seeds from `base_seed` (see `plan` and `run`)."""
    from simulator.policies import resolve_policy

    def policy(p: Policy | str) -> Policy:
        return p if isinstance(p, Policy) else resolve_policy(p, scenario)

    chosen = plan(scenario, policy(start), policy(end), base_seed, pairs)
    return run(chosen, replications, base_seed, workers=workers, on_run=on_run)
