"""Random streams keyed by purpose, and draws from scenario distributions.

Common random numbers: every stream is derived from the run's seed and a fixed key, so
the same seed gives the same project, the same people and the same problems on the same
tasks under every policy, whatever order the policy makes things happen in.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from simulator.schema import Distribution

# Stream keys: the second element of every SeedSequence entropy.
PROJECT, PEOPLE, LINKS, PROBLEM, HAZARD, COORDINATION, TIMING, AVAILABILITY = range(8)

# Slots of the per-problem uniform draws (one vector per (task, problem)).
SLOT_SEVERITY = 0
SLOT_FOREIGN = 1
SLOT_FIELD = 2
SLOT_SELF_FIX = 3
SLOT_HELP = 4
SLOT_REWORK = 5
SLOT_AUTHORITY = 6
SLOT_PATIENCE = 7
SLOT_DELIBERATION = 8
SLOT_DECISION = 9  # 9..14: one per escalation level
SLOT_NEXT_HAZARD = 15
PROBLEM_SLOTS = 16

_NORMAL = NormalDist()


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for (seed, *key)."""
    return np.random.default_rng([seed, *key])


def problem_draws(seed: int, task: int, k: int) -> np.ndarray:
    """The uniforms that decide everything random about problem k of task `task`."""
    return stream(seed, PROBLEM, task, k).random(PROBLEM_SLOTS)


def draw(dist: Distribution, u: float) -> float:
    """The value of `dist` at uniform quantile `u` (inverse transform)."""
    if dist.dist == "fixed" or dist.mean == 0:
        return dist.mean
    u = min(max(u, 1e-12), 1.0 - 1e-12)
    if dist.dist == "exponential":
        return -dist.mean * math.log1p(-u)
    cv = dist.cv or 0.0
    if cv == 0:
        return dist.mean
    sigma2 = math.log1p(cv * cv)
    mu = math.log(dist.mean) - sigma2 / 2
    return math.exp(mu + math.sqrt(sigma2) * _NORMAL.inv_cdf(u))


class Sampler:
    """Draws durations from a generator, consuming nothing for fixed values."""

    __slots__ = ("rng",)

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def __call__(self, dist: Distribution) -> float:
        if dist.is_fixed:
            return dist.mean
        return draw(dist, float(self.rng.random()))
