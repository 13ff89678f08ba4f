"""Closed-form queueing results used as test oracles for the simulator.

Every function here is an exact steady-state result for an idealised
Markovian model (Poisson arrivals, exponential service, FCFS). The simulator
is not expected to match these numbers in general; validation tests configure
it so that its assumptions coincide with a model below and then compare the
measured averages against the formula.

Notation follows Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing
Theory* (4th ed., Wiley 2008; "G&H" below) and Kleinrock, *Queueing Systems,
Vol. 1: Theory* (Wiley 1975):

* ``λ`` arrival rate, ``μ`` service rate per server, ``c`` number of servers;
* ``ρ = λ / (c μ)`` per-server utilisation;
* ``L`` mean number in system, ``Lq`` mean number waiting;
* ``W`` mean response (sojourn) time, ``Wq`` mean wait before service.

All functions are pure and depend only on the standard library, NumPy and
SciPy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp

__all__ = [
    "FiniteSourceQueue",
    "JacksonResult",
    "OpenQueue",
    "jackson_network",
    "jackson_tandem_response",
    "littles_law_residual",
    "machine_repair",
    "mean_response_growth",
    "mm1",
    "mmc",
]


# --------------------------------------------------------------------------- #
# Result types
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class OpenQueue:
    """Steady-state measures of an open M/M/c queue (infinite source).

    Attributes:
        utilisation: ``ρ = λ / (c μ)``, the long-run busy share of each server.
        prob_wait: probability an arrival has to queue (Erlang C; ``ρ`` for c = 1).
        mean_wait: ``Wq``, mean time in queue before service starts.
        mean_response: ``W = Wq + 1/μ``, mean time from arrival to departure.
        mean_in_system: ``L = λ W``.
        mean_in_queue: ``Lq = λ Wq``.
    """

    utilisation: float
    prob_wait: float
    mean_wait: float
    mean_response: float
    mean_in_system: float
    mean_in_queue: float


@dataclass(frozen=True)
class FiniteSourceQueue:
    """Steady-state measures of the finite-source M/M/c//N (machine-repair) model.

    Attributes:
        p: stationary probabilities ``p_0 .. p_N`` of having k requests in the
            system (waiting or in service).
        mean_in_system: ``L = Σ k p_k``.
        mean_in_queue: ``Lq = Σ_{k>c} (k − c) p_k``.
        throughput: ``λ_eff = λ (N − L)``, rate at which requests are generated
            (and, in steady state, completed).
        mean_response: ``W = L / λ_eff``, time from request to end of service.
        mean_wait: ``Wq = Lq / λ_eff``, time from request to start of service.
        utilisation: per-server busy share ``(Σ_k min(k, c) p_k) / c``.
    """

    p: tuple[float, ...]
    mean_in_system: float
    mean_in_queue: float
    throughput: float
    mean_response: float
    mean_wait: float
    utilisation: float


@dataclass(frozen=True)
class JacksonResult:
    """Steady-state measures of an open Jackson network.

    Attributes:
        arrival_rates: total arrival rate ``λ_j`` at each node (solution of the
            traffic equations).
        utilisations: ``ρ_j = λ_j / (c_j μ_j)``.
        mean_responses: mean sojourn ``W_j`` of one visit to node j.
        mean_in_system: mean number ``L_j`` at node j.
        mean_sojourn: mean total time in the network per external arrival,
            ``Σ_j L_j / Σ_j γ_j`` (Little's law applied to the whole network).
    """

    arrival_rates: tuple[float, ...]
    utilisations: tuple[float, ...]
    mean_responses: tuple[float, ...]
    mean_in_system: tuple[float, ...]
    mean_sojourn: float


# --------------------------------------------------------------------------- #
# Validation helpers
# --------------------------------------------------------------------------- #


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _positive_int(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------- #
# Open single-station queues
# --------------------------------------------------------------------------- #


def mmc(arrival_rate: float, service_rate: float, servers: int) -> OpenQueue:
    """Steady state of the M/M/c queue (Erlang C).

    With offered load ``a = λ/μ`` and ``ρ = a/c < 1`` (G&H §2.3, Kleinrock §3.5)::

        p_0    = [ Σ_{k=0}^{c-1} a^k / k!  +  a^c / (c! (1 − ρ)) ]^{-1}
        C(c,a) = a^c / (c! (1 − ρ)) · p_0            (probability of waiting)
        Wq     = C(c,a) / (c μ − λ)
        W      = Wq + 1/μ,   L = λ W,   Lq = λ Wq

    ``C(c, a)`` is evaluated through the numerically stable Erlang B recursion
    ``B_0 = 1, B_k = a B_{k-1} / (k + a B_{k-1})`` and
    ``C = c B_c / (c − a (1 − B_c))``.

    Raises:
        ValueError: if a rate is not positive, ``servers`` is not a positive
            integer, or the queue is unstable (``ρ ≥ 1``).
    """
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _positive_int("servers", servers)
    a = lam / mu
    rho = a / c
    if rho >= 1.0:
        raise ValueError(
            f"unstable M/M/{c} queue: utilisation ρ = λ/(cμ) = {rho:.6g} ≥ 1 "
            f"(arrival_rate={lam}, service_rate={mu}, servers={c})"
        )
    erlang_b = 1.0
    for k in range(1, c + 1):
        erlang_b = a * erlang_b / (k + a * erlang_b)
    prob_wait = c * erlang_b / (c - a * (1.0 - erlang_b))
    wq = prob_wait / (c * mu - lam)
    w = wq + 1.0 / mu
    return OpenQueue(
        utilisation=rho,
        prob_wait=prob_wait,
        mean_wait=wq,
        mean_response=w,
        mean_in_system=lam * w,
        mean_in_queue=lam * wq,
    )


def mm1(arrival_rate: float, service_rate: float) -> OpenQueue:
    """Steady state of the M/M/1 queue.

    With ``ρ = λ/μ < 1`` (G&H §2.2, Kleinrock §3.2)::

        P(wait) = ρ,   Wq = ρ / (μ − λ),   W = 1 / (μ − λ),   L = ρ / (1 − ρ)

    Raises:
        ValueError: if a rate is not positive or ``ρ ≥ 1``.
    """
    return mmc(arrival_rate, service_rate, 1)


# --------------------------------------------------------------------------- #
# Finite-source (machine-repair) model
# --------------------------------------------------------------------------- #


def machine_repair(
    n_sources: int, arrival_rate: float, service_rate: float, servers: int = 1
) -> FiniteSourceQueue:
    """Finite-source M/M/c//N queue (the machine-repairman model).

    ``N`` sources each issue a request at rate ``λ`` while "up" (neither
    waiting nor in service); ``c`` exponential servers of rate ``μ`` work FCFS.
    The number in system is a birth–death chain with birth rate ``(N − k) λ``
    and death rate ``min(k, c) μ``, giving the product form (G&H §2.7,
    Kleinrock §3.10) with ``r = λ/μ``::

        p_k = p_0 · C(N, k) r^k                          0 ≤ k ≤ c
        p_k = p_0 · C(N, k) k! / (c! c^(k−c)) r^k         c < k ≤ N

    ``p_0`` normalises the sum to one. Then ``L = Σ k p_k``,
    ``Lq = Σ (k − c)^+ p_k``, ``λ_eff = λ (N − L)``, ``W = L / λ_eff`` and
    ``Wq = Lq / λ_eff``. For ``c = 1`` this reduces to the classical
    ``W = N / (μ (1 − p_0)) − 1/λ``.

    The probabilities are accumulated in log space from the ratios
    ``p_{k+1} / p_k = (N − k) λ / (min(k + 1, c) μ)`` and normalised with
    log-sum-exp, so the result is stable for ``N`` in the thousands.

    Raises:
        ValueError: if ``n_sources`` or ``servers`` is not a positive integer or
            a rate is not positive.
    """
    n = _positive_int("n_sources", n_sources)
    lam = _positive("arrival_rate", arrival_rate)
    mu = _positive("service_rate", service_rate)
    c = _positive_int("servers", servers)

    k = np.arange(n + 1, dtype=float)
    # log(p_{k+1}/p_k) for k = 0 .. N-1
    log_ratio = np.log(n - k[:-1]) + math.log(lam) - np.log(np.minimum(k[1:], c)) - math.log(mu)
    log_p = np.concatenate(([0.0], np.cumsum(log_ratio)))
    p = np.exp(log_p - logsumexp(log_p))
    p /= p.sum()

    mean_in_system = float(np.dot(k, p))
    mean_in_queue = float(np.dot(np.maximum(k - c, 0.0), p))
    busy = float(np.dot(np.minimum(k, c), p))
    throughput = lam * (n - mean_in_system)
    return FiniteSourceQueue(
        p=tuple(float(x) for x in p),
        mean_in_system=mean_in_system,
        mean_in_queue=mean_in_queue,
        throughput=throughput,
        mean_response=mean_in_system / throughput,
        mean_wait=mean_in_queue / throughput,
        utilisation=busy / c,
    )


# --------------------------------------------------------------------------- #
# Jackson networks
# --------------------------------------------------------------------------- #


def jackson_tandem_response(
    arrival_rates: Sequence[float], service_rates: Sequence[float]
) -> float:
    """Mean sojourn through a chain of M/M/1 nodes, each visited once.

    By Jackson's theorem (Jackson 1957; G&H §4.1, Kleinrock §4.8) each node of
    an open network of exponential stations behaves in steady state as an
    independent M/M/1 queue fed at its own total rate ``λ_i``, so::

        W = Σ_i 1 / (μ_i − λ_i)

    Raises:
        ValueError: if the sequences differ in length or are empty, a rate is
            not positive, or any node is unstable (``λ_i ≥ μ_i``).
    """
    lams = list(arrival_rates)
    mus = list(service_rates)
    if len(lams) != len(mus):
        raise ValueError(
            f"arrival_rates and service_rates differ in length ({len(lams)} vs {len(mus)})"
        )
    if not lams:
        raise ValueError("a tandem needs at least one node")
    return float(sum(mm1(lam, mu).mean_response for lam, mu in zip(lams, mus, strict=True)))


def jackson_network(
    external_rates: Sequence[float],
    routing_matrix: Sequence[Sequence[float]] | np.ndarray,
    service_rates: Sequence[float],
    servers: Sequence[int] | None = None,
) -> JacksonResult:
    """Open Jackson network of M/M/c nodes.

    ``routing_matrix[i][j] = r_ij`` is the probability that a job leaving node
    ``i`` goes next to node ``j``; ``1 − Σ_j r_ij`` is the probability it
    leaves the network. External Poisson arrivals enter node ``j`` at rate
    ``γ_j``. The traffic equations (G&H §4.1, Kleinrock §4.8)::

        λ_j = γ_j + Σ_i λ_i r_ij,     i.e.  (I − Rᵀ) λ = γ

    are solved for the total node rates ``λ``. By Jackson's theorem each node
    then behaves as an independent M/M/c_j queue with arrival rate ``λ_j``
    (see :func:`mmc`); a node with ``λ_j = 0`` is idle (``L_j = 0``,
    ``W_j = 1/μ_j``). The mean time in the network per external arrival
    follows from Little's law::

        W_net = Σ_j L_j / Σ_j γ_j

    Raises:
        ValueError: on shape mismatches, negative or non-finite inputs, routing
            rows summing to more than one, a network from which jobs cannot
            leave, no external arrivals, or any unstable node.
    """
    gamma = np.asarray(external_rates, dtype=float)
    routing = np.asarray(routing_matrix, dtype=float)
    mus = np.asarray(service_rates, dtype=float)
    n = gamma.shape[0] if gamma.ndim == 1 else -1
    if n < 1:
        raise ValueError("external_rates must be a non-empty 1-D sequence")
    if routing.shape != (n, n):
        raise ValueError(f"routing_matrix must have shape ({n}, {n}), got {routing.shape}")
    if mus.shape != (n,):
        raise ValueError(f"service_rates must have length {n}, got shape {mus.shape}")
    cs = [1] * n if servers is None else [_positive_int("servers", s) for s in servers]
    if len(cs) != n:
        raise ValueError(f"servers must have length {n}, got {len(cs)}")
    if not (np.all(np.isfinite(gamma)) and np.all(gamma >= 0.0)):
        raise ValueError("external_rates must be finite and non-negative")
    if gamma.sum() <= 0.0:
        raise ValueError("at least one external arrival rate must be positive")
    if not (np.all(np.isfinite(routing)) and np.all(routing >= 0.0)):
        raise ValueError("routing probabilities must be finite and non-negative")
    row_sums = routing.sum(axis=1)
    if np.any(row_sums > 1.0 + 1e-12):
        bad = int(np.argmax(row_sums))
        raise ValueError(
            f"routing row {bad} sums to {row_sums[bad]:.6g} > 1; rows are probabilities"
        )
    for j, mu in enumerate(mus):
        _positive(f"service_rates[{j}]", mu)

    system = np.eye(n) - routing.T
    try:
        lam = np.linalg.solve(system, gamma)
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "traffic equations are singular: some jobs can never leave the network"
        ) from exc
    if not np.all(np.isfinite(lam)) or np.any(lam < -1e-9 * gamma.sum()):
        raise ValueError(
            "traffic equations have no non-negative solution: some jobs can never leave"
        )
    lam = np.maximum(lam, 0.0)

    utilisations: list[float] = []
    responses: list[float] = []
    in_system: list[float] = []
    for j in range(n):
        mu = float(mus[j])
        if lam[j] == 0.0:
            utilisations.append(0.0)
            responses.append(1.0 / mu)
            in_system.append(0.0)
            continue
        try:
            node = mmc(float(lam[j]), mu, cs[j])
        except ValueError as exc:
            raise ValueError(f"node {j} is unstable: {exc}") from exc
        utilisations.append(node.utilisation)
        responses.append(node.mean_response)
        in_system.append(node.mean_in_system)

    return JacksonResult(
        arrival_rates=tuple(float(x) for x in lam),
        utilisations=tuple(utilisations),
        mean_responses=tuple(responses),
        mean_in_system=tuple(in_system),
        mean_sojourn=float(sum(in_system) / gamma.sum()),
    )


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


def littles_law_residual(mean_in_system: float, arrival_rate: float, mean_response: float) -> float:
    """Relative violation of Little's law ``L = λ W`` (Little 1961; G&H §1.4).

    Returns ``(L − λ W) / L``; zero means the three measurements agree. When
    ``L`` and ``λ W`` are both zero (an empty system) the residual is zero.

    Raises:
        ValueError: if ``L`` is zero but ``λ W`` is not, since the relative
            residual is then undefined.
    """
    lw = float(arrival_rate) * float(mean_response)
    big_l = float(mean_in_system)
    if big_l == 0.0:
        if lw == 0.0:
            return 0.0
        raise ValueError(f"relative residual undefined: L = 0 but λW = {lw!r}")
    return (big_l - lw) / big_l


def mean_response_growth(rho: float | np.ndarray) -> float | np.ndarray:
    """Factor ``1 / (1 − ρ)`` by which congestion inflates response times.

    For M/M/1, ``W = (1/μ) · 1/(1 − ρ)`` (G&H §2.2, Kleinrock §3.2): the mean
    response is the bare service time stretched by this factor, which is what
    span-of-control checks compare manager load against. Accepts a scalar
    (returns ``float``) or an array (returns an array).

    Raises:
        ValueError: if any ``ρ`` is outside ``[0, 1)``.
    """
    arr = np.asarray(rho, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0.0) or np.any(arr >= 1.0):
        raise ValueError(f"utilisation must lie in [0, 1), got {rho!r}")
    out = 1.0 / (1.0 - arr)
    return float(out) if out.ndim == 0 else out
