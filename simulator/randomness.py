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
(
    PROJECT,
    PEOPLE,
    LINKS,
    PROBLEM,
    HAZARD,
    COORDINATION,
    TIMING,
    AVAILABILITY,
    CONSENSUS,  # keyed (seed, CONSENSUS, task, problem, round): does a round agree?
    OTHER_WORK,  # collaborators' blocks of work outside the project
    UNCERTAIN,  # keyed (seed, UNCERTAIN, key path): uncertain scenario inputs
) = range(11)

_NORMAL = NormalDist()


def uniform(seed: int, *key: int) -> float:
    """One uniform draw from the stream keyed (seed, *key)."""
    return float(stream(seed, *key).random())


def stream(seed: int, *key: int) -> np.random.Generator:
    """An independent generator for (seed, *key)."""
    return np.random.default_rng([seed, *key])


class ProblemDraws:
    """The uniforms that decide everything random about problem k of a task, by purpose.

    One vector per (task, problem), drawn from the stream keyed (seed, PROBLEM, task, k),
    so the same problem meets every policy. The layout below is part of the results: a
    new purpose takes a new slot at the end (the draws before it stay the same).
    """

    __slots__ = ("_u",)

    SEVERITY = 0
    FOREIGN = 1  # whether the problem is in another department's field
    FIELD = 2  # which other field
    SELF_FIX = 3
    HELP = 4
    REWORK = 5
    AUTHORITY = 6  # the sign-off of a critical problem
    PATIENCE = 7
    DELIBERATION = 8
    DECISION = 9  # one slot per level of the chain of command, from the first manager up
    DECISION_LEVELS = 6
    NEXT_HAZARD = 15  # where the task's next problem lies
    CLASS = 16  # which kind of problem of its field (collaborative memory)
    CHALLENGER = 17  # who challenges a one-person resolution (positive confrontation)
    SIZE = 18

    def __init__(self, seed: int, task: int, k: int):
        self._u = stream(seed, PROBLEM, task, k).random(self.SIZE)

    def __getitem__(self, slot: int) -> float:
        return float(self._u[slot])

    def decision(self, level: int) -> float:
        """The draw of a decision taken `level` steps up the chain (the top ones share one)."""
        return float(self._u[self.DECISION + min(level, self.DECISION_LEVELS - 1)])


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
