"""Tests for the closed-form queueing oracles in ``simulator.theory``.

Each expected value is computed here independently of the implementation:
by hand, with exact rational arithmetic, or from a different textbook formula.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest

from simulator.theory import (
    FiniteSourceQueue,
    OpenQueue,
    jackson_network,
    jackson_tandem_response,
    littles_law_residual,
    machine_repair,
    mean_response_growth,
    mm1,
    mmc,
)

# --------------------------------------------------------------------------- #
# M/M/1 and M/M/c
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("lam", "mu"), [(0.5, 1.0), (0.9, 1.0), (2.0, 7.5), (1e-3, 1.0)])
def test_mm1_matches_textbook(lam: float, mu: float) -> None:
    q = mm1(lam, mu)
    rho = lam / mu
    assert isinstance(q, OpenQueue)
    assert q.utilisation == pytest.approx(rho)
    assert q.prob_wait == pytest.approx(rho)
    assert q.mean_response == pytest.approx(1.0 / (mu - lam))
    assert q.mean_wait == pytest.approx(rho / (mu - lam))
    assert q.mean_in_system == pytest.approx(rho / (1.0 - rho))
    assert q.mean_in_queue == pytest.approx(rho**2 / (1.0 - rho))


def test_mmc_two_servers_hand_computed() -> None:
    # λ = 1, μ = 0.75, c = 2: a = 4/3, ρ = 2/3.
    # p0 = 1 / (1 + a + a²/(2!(1 − ρ))) = 1 / (1 + 4/3 + 8/3) = 1/5
    # C  = (8/3) · (1/5) = 8/15
    # Wq = C / (cμ − λ) = (8/15) / (1/2) = 16/15
    # W  = Wq + 1/μ = 16/15 + 4/3 = 12/5,  L = λW = 12/5
    q = mmc(1.0, 0.75, 2)
    assert q.utilisation == pytest.approx(2 / 3)
    assert q.prob_wait == pytest.approx(8 / 15)
    assert q.mean_wait == pytest.approx(16 / 15)
    assert q.mean_response == pytest.approx(12 / 5)
    assert q.mean_in_system == pytest.approx(12 / 5)


@pytest.mark.parametrize(("lam", "mu", "c"), [(2.5, 1.0, 3), (9.0, 1.0, 10), (40.0, 0.5, 100)])
def test_mmc_matches_explicit_erlang_c_sum(lam: float, mu: float, c: int) -> None:
    a = lam / mu
    rho = a / c
    tail = a**c / (math.factorial(c) * (1.0 - rho))
    p0 = 1.0 / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    erlang_c = tail * p0
    q = mmc(lam, mu, c)
    assert q.prob_wait == pytest.approx(erlang_c, rel=1e-9)
    assert q.mean_wait == pytest.approx(erlang_c / (c * mu - lam), rel=1e-9)
    assert q.mean_response == pytest.approx(erlang_c / (c * mu - lam) + 1.0 / mu, rel=1e-9)


def test_mmc_with_one_server_is_mm1() -> None:
    assert mmc(0.7, 1.3, 1) == mm1(0.7, 1.3)


def test_more_servers_never_increase_wait() -> None:
    waits = [mmc(3.0, 1.0, c).mean_wait for c in range(4, 10)]
    assert all(b < a for a, b in pairwise(waits))


@pytest.mark.parametrize(
    ("lam", "mu", "c"),
    [(1.0, 1.0, 1), (2.0, 1.0, 1), (3.0, 1.0, 3), (5.0, 1.0, 2), (0.0, 1.0, 1), (1.0, 0.0, 1)],
)
def test_mmc_rejects_unstable_or_nonpositive(lam: float, mu: float, c: int) -> None:
    with pytest.raises(ValueError):
        mmc(lam, mu, c)


def test_unstable_message_is_clear() -> None:
    with pytest.raises(ValueError, match="unstable"):
        mm1(2.0, 1.0)
    with pytest.raises(ValueError, match="arrival_rate"):
        mm1(-1.0, 1.0)
    with pytest.raises(ValueError, match="servers"):
        mmc(1.0, 1.0, 0)


# --------------------------------------------------------------------------- #
# Finite-source (machine-repair) model
# --------------------------------------------------------------------------- #


def _exact_finite_source(n: int, lam: Fraction, mu: Fraction, c: int) -> list[Fraction]:
    """Product form of G&H §2.7, evaluated in exact rationals."""
    r = lam / mu
    weights = []
    for k in range(n + 1):
        w = math.comb(n, k) * r**k
        if k > c:
            w *= Fraction(math.factorial(k), math.factorial(c) * c ** (k - c))
        weights.append(w)
    total = sum(weights)
    return [w / total for w in weights]


@pytest.mark.parametrize(("n", "c"), [(6, 1), (6, 2), (10, 3), (5, 5), (4, 7)])
def test_finite_source_matches_exact_product_form(n: int, c: int) -> None:
    lam, mu = Fraction(3, 10), Fraction(1, 1)
    exact = _exact_finite_source(n, lam, mu, c)
    q = machine_repair(n, float(lam), float(mu), servers=c)
    assert isinstance(q, FiniteSourceQueue)
    assert len(q.p) == n + 1
    np.testing.assert_allclose(q.p, [float(x) for x in exact], rtol=1e-12)
    big_l = sum(k * p for k, p in enumerate(exact))
    lq = sum(max(k - c, 0) * p for k, p in enumerate(exact))
    assert q.mean_in_system == pytest.approx(float(big_l), rel=1e-12)
    assert q.mean_in_queue == pytest.approx(float(lq), rel=1e-12)
    thr = lam * (n - big_l)
    assert q.throughput == pytest.approx(float(thr), rel=1e-12)
    assert q.mean_response == pytest.approx(float(big_l / thr), rel=1e-12)


def test_finite_source_single_source() -> None:
    # One source alternates up (rate λ) and in service (rate μ): no queueing,
    # W = 1/μ, and the server is busy a share λ/(λ + μ) of the time.
    lam, mu = 0.4, 1.5
    q = machine_repair(1, lam, mu)
    assert q.mean_response == pytest.approx(1.0 / mu)
    assert q.mean_wait == 0.0
    assert q.utilisation == pytest.approx(lam / (lam + mu))
    assert q.p[1] == pytest.approx(lam / (lam + mu))


@pytest.mark.parametrize(("n", "lam", "mu"), [(2, 1.0, 1.0), (5, 0.3, 1.0), (40, 0.02, 1.0)])
def test_finite_source_single_server_classic_response(n: int, lam: float, mu: float) -> None:
    # G&H (2.7x): for c = 1, W = N / (μ (1 − p0)) − 1/λ.
    q = machine_repair(n, lam, mu)
    assert q.mean_response == pytest.approx(n / (mu * (1.0 - q.p[0])) - 1.0 / lam, rel=1e-10)
    # And utilisation of the single server is 1 − p0.
    assert q.utilisation == pytest.approx(1.0 - q.p[0])


@pytest.mark.parametrize("n", [3, 8])
def test_finite_source_with_a_server_per_source_never_waits(n: int) -> None:
    # With c = N every source is independent: up/down with busy prob λ/(λ+μ),
    # so the number in system is Binomial(N, λ/(λ+μ)) and nobody queues.
    lam, mu = 0.7, 1.1
    q = machine_repair(n, lam, mu, servers=n)
    assert q.mean_wait == 0.0
    assert q.mean_in_queue == 0.0
    assert q.mean_response == pytest.approx(1.0 / mu)
    b = lam / (lam + mu)
    binom = [math.comb(n, k) * b**k * (1 - b) ** (n - k) for k in range(n + 1)]
    np.testing.assert_allclose(q.p, binom, rtol=1e-12)


@pytest.mark.parametrize(
    ("n", "lam", "mu", "c"), [(1, 1.0, 1.0, 1), (20, 0.3, 1.0, 2), (2000, 0.01, 1.0, 5)]
)
def test_finite_source_probabilities_sum_to_one(n: int, lam: float, mu: float, c: int) -> None:
    q = machine_repair(n, lam, mu, servers=c)
    assert all(math.isfinite(x) and x >= 0.0 for x in q.p)
    assert math.fsum(q.p) == pytest.approx(1.0, abs=1e-12)


def test_finite_source_large_and_overloaded_is_stable() -> None:
    # Offered load Nλ/μ = 20 against c = 5 servers: heavily saturated. Servers
    # are then (almost) always busy, so throughput → cμ and Little holds.
    n, lam, mu, c = 2000, 0.01, 1.0, 5
    q = machine_repair(n, lam, mu, servers=c)
    for value in (q.mean_in_system, q.mean_response, q.mean_wait, q.throughput):
        assert math.isfinite(value)
    assert q.utilisation == pytest.approx(1.0, abs=1e-9)
    assert q.throughput == pytest.approx(c * mu, rel=1e-9)
    # Saturated, the sources that are up (N − L of them) produce exactly what the servers
    # finish: λ(N − L) = cμ, so L = N − cμ/λ and, by Little's law, W = L / (cμ).
    assert q.mean_in_system == pytest.approx(n - c * mu / lam, rel=1e-9)
    assert q.mean_response == pytest.approx((n - c * mu / lam) / (c * mu), rel=1e-9)
    # Balance: rate in = rate out, λ(N − L) = μ · E[busy servers].
    assert q.throughput == pytest.approx(mu * c * q.utilisation, rel=1e-12)


def test_finite_source_approaches_mm1_for_many_small_sources() -> None:
    # N sources of rate λ = Λ/N → Poisson stream of rate Λ as N → ∞. The only
    # difference is that the L requests already in the system are not
    # generating new ones, which thins the arrival rate by a factor
    # (1 − L/N). For Λ/μ = 0.5 (L ≈ 1) and N = 2000 this changes ρ by ~5e-4
    # and W = 1/(μ − λ_eff) by ~ Λ·(L/N)/(μ − Λ) ≈ 5e-4 relatively, so a
    # relative tolerance of 2e-3 is comfortably above the expected error
    # while still far below the gap for small N (checked below).
    big_lambda, mu = 0.5, 1.0
    reference = mm1(big_lambda, mu)
    q = machine_repair(2000, big_lambda / 2000, mu)
    assert q.mean_response == pytest.approx(reference.mean_response, rel=2e-3)
    assert q.mean_in_system == pytest.approx(reference.mean_in_system, rel=2e-3)
    assert q.utilisation == pytest.approx(reference.utilisation, rel=2e-3)
    # Convergence is monotone from below: fewer sources, less congestion.
    responses = [machine_repair(n, big_lambda / n, mu).mean_response for n in (2, 10, 100, 2000)]
    assert all(a < b for a, b in pairwise(responses))
    assert responses[-1] < reference.mean_response
    assert responses[0] < reference.mean_response * (1 - 2e-3)


def test_finite_source_multi_server_approaches_mmc() -> None:
    # Same thinning argument as above with c = 3 and Λ/(cμ) = 0.6. Here
    # L ≈ 2.3, so the arrival stream is thinned by L/N ≈ 1.2e-3; the M/M/3
    # wait has elasticity d ln Wq / d ln λ ≈ 3.7 at this load, giving ~0.4 %
    # to first order, and the thinning is strongest exactly when the queue is
    # long, which roughly doubles that (~1 %). Hence rel = 2e-2 for Wq; W adds
    # the unaffected 1/μ so its error is ~5x smaller. The error must also be
    # O(1/N): ten times more sources should cut it by well over a factor 5.
    big_lambda, mu, c = 1.8, 1.0, 3
    reference = mmc(big_lambda, mu, c)
    q = machine_repair(2000, big_lambda / 2000, mu, servers=c)
    assert q.mean_wait == pytest.approx(reference.mean_wait, rel=2e-2)
    assert q.mean_response == pytest.approx(reference.mean_response, rel=5e-3)
    q10 = machine_repair(20000, big_lambda / 20000, mu, servers=c)
    err, err10 = (abs(x.mean_wait / reference.mean_wait - 1) for x in (q, q10))
    assert err10 < err / 5


@pytest.mark.parametrize(
    "args",
    [(0, 1.0, 1.0, 1), (3, 0.0, 1.0, 1), (3, 1.0, -1.0, 1), (3, 1.0, 1.0, 0), (2.5, 1.0, 1.0, 1)],
)
def test_finite_source_rejects_bad_input(args: tuple) -> None:
    with pytest.raises(ValueError):
        machine_repair(*args)


# --------------------------------------------------------------------------- #
# Jackson networks
# --------------------------------------------------------------------------- #


def test_jackson_tandem_is_sum_of_mm1() -> None:
    lams = [0.5, 0.5, 0.8]
    mus = [1.0, 2.0, 1.0]
    expected = 1 / (1.0 - 0.5) + 1 / (2.0 - 0.5) + 1 / (1.0 - 0.8)
    assert jackson_tandem_response(lams, mus) == pytest.approx(expected)


def test_jackson_tandem_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        jackson_tandem_response([0.5, 1.0], [1.0, 1.0])  # second node unstable
    with pytest.raises(ValueError):
        jackson_tandem_response([0.5], [1.0, 1.0])  # length mismatch
    with pytest.raises(ValueError):
        jackson_tandem_response([], [])


def test_jackson_network_series_routing_matches_tandem() -> None:
    gamma = [0.6, 0.0, 0.0]
    routing = [[0, 1, 0], [0, 0, 1], [0, 0, 0]]
    mus = [1.0, 2.0, 0.9]
    res = jackson_network(gamma, routing, mus)
    assert res.arrival_rates == pytest.approx((0.6, 0.6, 0.6))
    assert res.mean_sojourn == pytest.approx(jackson_tandem_response([0.6] * 3, mus))


def test_jackson_network_single_node_feedback() -> None:
    # A job returns with probability p, so it makes 1/(1 − p) visits on
    # average and the node sees λ = γ/(1 − p). With γ = 1, p = 1/2, μ = 3:
    # λ = 2, ρ = 2/3, W_visit = 1/(3 − 2) = 1, L = 2, W_net = L/γ = 2.
    gamma, p, mu = 1.0, 0.5, 3.0
    res = jackson_network([gamma], [[p]], [mu])
    assert res.arrival_rates[0] == pytest.approx(gamma / (1 - p))
    assert res.utilisations[0] == pytest.approx(2 / 3)
    assert res.mean_responses[0] == pytest.approx(1.0)
    assert res.mean_in_system[0] == pytest.approx(2.0)
    assert res.mean_sojourn == pytest.approx(2.0)


def test_jackson_network_hand_solved_traffic_equations() -> None:
    # Node 0 gets γ0 = 1 and sends half to node 1, half to node 2; node 1
    # sends a quarter back to node 0; node 2 receives γ2 = 0.5 and exits.
    #   λ0 = 1 + λ1/4,  λ1 = λ0/2,  λ2 = 0.5 + λ0/2
    #   ⇒ λ0 = 1 + λ0/8 ⇒ λ0 = 8/7, λ1 = 4/7, λ2 = 0.5 + 4/7 = 15/14.
    gamma = [1.0, 0.0, 0.5]
    routing = [[0.0, 0.5, 0.5], [0.25, 0.0, 0.0], [0.0, 0.0, 0.0]]
    mus = [1.0, 1.0, 0.6]
    servers = [2, 1, 2]
    res = jackson_network(gamma, routing, mus, servers)
    expected_lam = (8 / 7, 4 / 7, 15 / 14)
    assert res.arrival_rates == pytest.approx(expected_lam)
    nodes = [mmc(lam, mu, c) for lam, mu, c in zip(expected_lam, mus, servers, strict=True)]
    assert res.utilisations == pytest.approx(tuple(n.utilisation for n in nodes))
    assert res.mean_responses == pytest.approx(tuple(n.mean_response for n in nodes))
    total_l = sum(n.mean_in_system for n in nodes)
    assert res.mean_sojourn == pytest.approx(total_l / 1.5)


def test_jackson_network_idle_node() -> None:
    res = jackson_network([1.0, 0.0], [[0.0, 0.0], [0.0, 0.0]], [2.0, 5.0])
    assert res.arrival_rates == (1.0, 0.0)
    assert res.mean_in_system[1] == 0.0
    assert res.mean_sojourn == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("gamma", "routing", "mus"),
    [
        ([1.0], [[0.8]], [4.0]),  # λ = 5 > μ = 4: unstable after feedback
        ([1.0], [[1.0]], [4.0]),  # jobs never leave
        ([1.0, 0.0], [[0.0, 1.0], [1.0, 0.0]], [4.0, 4.0]),  # closed loop
        ([1.0, 0.0], [[0.0, 0.7], [0.0, 0.6]], [4.0, 1.5]),  # λ1 = 0.7/0.4 = 1.75 > 1.5
        ([1.0], [[1.2]], [4.0]),  # row sum > 1
        ([0.0], [[0.0]], [4.0]),  # no external arrivals
        ([1.0, 0.0], [[0.0]], [4.0, 4.0]),  # shape mismatch
        ([-1.0], [[0.0]], [4.0]),  # negative rate
    ],
)
def test_jackson_network_rejects_bad_input(gamma, routing, mus) -> None:
    with pytest.raises(ValueError):
        jackson_network(gamma, routing, mus)


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def test_littles_law_residual() -> None:
    assert littles_law_residual(2.0, 1.0, 2.0) == 0.0
    assert littles_law_residual(2.0, 1.0, 1.5) == pytest.approx(0.25)
    assert littles_law_residual(2.0, 1.0, 2.5) == pytest.approx(-0.25)
    assert littles_law_residual(0.0, 0.0, 3.0) == 0.0
    with pytest.raises(ValueError):
        littles_law_residual(0.0, 1.0, 1.0)


def _birth_death_lengths(lam: float, mu: float, c: int) -> tuple[float, float]:
    """L and Lq of M/M/c from the balance equations p(n+1) μ min(n+1, c) = p(n) λ, summed
    directly over the states (until the geometric tail is below 1e-18 of the total)."""
    weights = [1.0]
    n = 0
    while n < c or weights[-1] > 1e-18 * sum(weights):
        weights.append(weights[-1] * lam / (min(n + 1, c) * mu))
        n += 1
    total = math.fsum(weights)
    big_l = math.fsum(k * w for k, w in enumerate(weights)) / total
    lq = math.fsum(max(k - c, 0) * w for k, w in enumerate(weights)) / total
    return big_l, lq


@pytest.mark.parametrize(("lam", "mu", "c"), [(2.0, 1.0, 3), (0.9, 1.0, 1), (7.0, 0.8, 10)])
def test_littles_law_links_mmc_response_times_to_the_state_probabilities(
    lam: float, mu: float, c: int
) -> None:
    # L and Lq counted over the queue's states (not taken from `mmc`) equal λW and λWq for
    # the W and Wq that `mmc` computes from Erlang C.
    big_l, lq = _birth_death_lengths(lam, mu, c)
    q = mmc(lam, mu, c)
    assert littles_law_residual(big_l, lam, q.mean_response) == pytest.approx(0.0, abs=1e-9)
    assert littles_law_residual(lq, lam, q.mean_wait) == pytest.approx(0.0, abs=1e-9)
    assert q.mean_in_system == pytest.approx(big_l, rel=1e-9)
    assert q.mean_in_queue == pytest.approx(lq, rel=1e-9)


def test_mean_response_growth() -> None:
    assert mean_response_growth(0.0) == 1.0
    assert mean_response_growth(0.5) == pytest.approx(2.0)
    assert mean_response_growth(0.9) == pytest.approx(10.0)
    assert isinstance(mean_response_growth(0.5), float)
    np.testing.assert_allclose(mean_response_growth(np.array([0.0, 0.75])), [1.0, 4.0])
    # Consistent with M/M/1: W = (1/μ) · 1/(1 − ρ).
    assert mm1(0.6, 2.0).mean_response == pytest.approx(0.5 * mean_response_growth(0.3))
    for bad in (1.0, 1.5, -0.1, math.nan):
        with pytest.raises(ValueError):
            mean_response_growth(bad)
