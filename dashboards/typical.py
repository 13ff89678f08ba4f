"""The "typical run" of Compare: a seed whose outcome looks like most seeds' outcomes.

One live run can mislead a room: its seed may be the one in twenty where the usual
winner loses. So the button runs 20 paired replications (the same seeds under every
policy: common random numbers), takes the lead-time difference between the first two
policies shown for each seed, and picks the seed whose difference is nearest the median.
"k of 20 runs look like this" counts the seeds that rank the policies in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simulator.model import OrgModel
from simulator.schema import Scenario

REPLICATIONS = 20


@dataclass(frozen=True)
class TypicalRun:
    """The seed chosen, and the replications it was chosen from."""

    seed: int
    policies: tuple[str, ...]
    seeds: tuple[int, ...]
    lead_times: dict[str, tuple[float, ...]]  # by policy, in the order of `seeds`
    differences: tuple[float, ...]  # first policy minus second, by seed
    alike: int  # seeds where the same one of the first two policies finishes first

    @property
    def index(self) -> int:
        """Position of the chosen seed among `seeds`."""
        return self.seeds.index(self.seed)

    @property
    def difference(self) -> float:
        """The chosen seed's lead-time difference (working days)."""
        return self.differences[self.index]

    @property
    def median(self) -> float:
        """Median lead-time difference over the replications (working days)."""
        return float(np.median(self.differences))

    def headline(self) -> str:
        """One sentence for the room."""
        first, second = self.policies[0], self.policies[1]
        n = len(self.seeds)
        d = self.difference
        winner = _winner(d)
        if winner == 0:
            gap, who = f"{first} and {second} finish together", "a tie"
        elif winner > 0:
            gap, who = f"{second} finishes {d:.1f} days before {first}", f"{second} first"
        else:
            gap, who = f"{first} finishes {-d:.1f} days before {second}", f"{first} first"
        return (
            f"Seed {self.seed}: {gap}. {self.alike} of {n} runs look like this ({who}); "
            f"median over {n} seeds: {self.median:+.1f} days ({first} − {second})."
        )


def lead_time(scenario: Scenario, policy: str, seed: int) -> float:
    """Lead time (working days) of one run to the end."""
    model = OrgModel(scenario, policy, rng=seed)
    model.run_to_end()
    return float(model.kpis()["lead_time_days"])


def replication_seeds(base_seed: int, replications: int = REPLICATIONS) -> list[int]:
    """The seeds tried: the page's seed and the ones after it (easy to type back in)."""
    return [base_seed + i for i in range(replications)]


def nearest_median(values: Sequence[float]) -> int:
    """Index of the value nearest the median (the first such, for a stable choice)."""
    array = np.asarray(values, dtype=float)
    return int(np.argmin(np.abs(array - np.median(array))))


TIE_DAYS = 0.125  # within one working hour, two lead times are a tie


def _winner(difference: float) -> int:
    """-1: the first policy finishes first; 1: the second; 0: a tie."""
    if abs(difference) < TIE_DAYS:
        return 0
    return -1 if difference < 0 else 1


def typical_run(
    scenario: Scenario,
    policies: Sequence[str],
    base_seed: int,
    replications: int = REPLICATIONS,
    run: Callable[[Scenario, str, int], float] = lead_time,
    progress: Callable[[int, int], None] | None = None,
) -> TypicalRun:
    """Run the paired replications and pick the seed nearest the median difference."""
    if len(policies) < 2:
        raise ValueError("a typical run compares at least two policies")
    seeds = replication_seeds(base_seed, replications)
    times: dict[str, list[float]] = {p: [] for p in policies}
    total, done = len(seeds) * len(policies), 0
    for seed in seeds:
        for policy in policies:
            times[policy].append(run(scenario, policy, seed))
            done += 1
            if progress is not None:
                progress(done, total)
    first, second = policies[0], policies[1]
    differences = [a - b for a, b in zip(times[first], times[second], strict=True)]
    chosen = nearest_median(differences)
    alike = sum(1 for d in differences if _winner(d) == _winner(differences[chosen]))
    return TypicalRun(
        seed=seeds[chosen],
        policies=tuple(policies),
        seeds=tuple(seeds),
        lead_times={p: tuple(v) for p, v in times.items()},
        differences=tuple(differences),
        alike=alike,
    )
