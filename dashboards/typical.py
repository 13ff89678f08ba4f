"""The "typical run" of Compare: a seed whose outcome looks like most seeds' outcomes.

One live run can mislead a room: its seed may be the one in twenty where the usual
winner loses. So the button runs 20 paired replications (the same seeds under every
policy: common random numbers), takes the lead-time difference between the first two
policies shown for each seed, and picks the seed whose difference is nearest the median.
"k of 20 runs look like this" counts the seeds that rank the policies in the same order.

A result is tied to what it was computed on (`TypicalInputs`: the scenario set-up with its
knobs, the policies and the seed). The page shows it only while those are still in force,
and a computation whose inputs change before it ends is cancelled: the room never reads one
scenario's headline over another's run. The replications run through
`experiments.compare.run_replications`, on a process pool when the cores are free.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace

import numpy as np

from experiments.compare import Runner, run_replications
from experiments.display import policy_name
from simulator.schema import Scenario

REPLICATIONS = 20
TIE_DAYS = 0.125  # within one working hour, two lead times are a tie


class Cancelled(Exception):
    """The typical run was stopped before its end (its inputs changed)."""


@dataclass(frozen=True)
class TypicalInputs:
    """What a typical run is computed on. `setup` is the page's scenario set-up (scenario
    and knobs), compared by identity: every change of scenario or knob makes a new one."""

    setup: object
    scenario: str
    policies: tuple[str, ...]
    seed: int


@dataclass(frozen=True)
class TypicalRun:
    """The seed chosen, the replications it was chosen from, and what they ran on."""

    seed: int
    policies: tuple[str, ...]
    seeds: tuple[int, ...]
    lead_times: dict[str, tuple[float, ...]]  # by policy, in the order of `seeds`
    differences: tuple[float, ...]  # first policy minus second, by seed
    alike: int  # seeds where the same one of the first two policies finishes first
    inputs: TypicalInputs | None = None  # what the replications ran on (seed: the first)

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

    def shown_on(self) -> TypicalInputs | None:
        """The inputs under which the result is shown: its own, with the chosen seed."""
        return None if self.inputs is None else replace(self.inputs, seed=self.seed)

    def headline(self) -> str:
        """One sentence for the room."""
        first, second = (policy_name(p) for p in self.policies[:2])
        n = len(self.seeds)
        d = self.difference
        winner = _winner(d)
        if winner == 0:
            gap, who = f"{first} and {second} finish together", "a tie"
        elif winner > 0:
            gap, who = f"{second} finishes {d:.1f} days before {first}", f"{second} first"
        else:
            gap, who = f"{first} finishes {-d:.1f} days before {second}", f"{first} first"
        where = f"{self.inputs.scenario}, seed" if self.inputs is not None else "Seed"
        return (
            f"{where} {self.seed}: {gap}. {self.alike} of {n} runs look like this ({who}); "
            f"median over {n} seeds: {self.median:+.1f} days ({first} − {second})."
        )


def replication_seeds(base_seed: int, replications: int = REPLICATIONS) -> list[int]:
    """The seeds tried: the page's seed and the ones after it (easy to type back in)."""
    return [base_seed + i for i in range(replications)]


def nearest_median(values: Sequence[float]) -> int:
    """Index of the value nearest the median (the first such, for a stable choice)."""
    array = np.asarray(values, dtype=float)
    return int(np.argmin(np.abs(array - np.median(array))))


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
    *,
    workers: int = 1,
    pool: Executor | None = None,
    runner: Runner | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    inputs: TypicalInputs | None = None,
) -> TypicalRun:
    """Run the paired replications and pick the seed nearest the median difference.

    `workers`, `pool`, `runner`: as `run_replications` (`runner` defaults to a full model
    run; `pool` is a warm pool of `workers` processes, if any).
    `progress(done, total)` after each run. `cancelled()` is asked after each replication
    this thread runs, and every 50 ms while a pool works (its replications in flight
    finish on their own, a few at most): when true, the computation stops with
    `Cancelled`. `inputs` is kept with the result.
    """
    if len(policies) < 2:
        raise ValueError("a typical run compares at least two policies")
    policies = list(policies)
    total = replications * len(policies)
    counter = itertools.count(1)
    caller = threading.get_ident()

    def on_run(_policy: str, _replicate: int) -> None:
        if progress is not None:
            progress(next(counter), total)
        # Raising stops run_replications only in the thread that called it; a pool's
        # completion callbacks run elsewhere, where an exception would only be logged.
        if cancelled is not None and threading.get_ident() == caller and cancelled():
            raise Cancelled

    runs = run_replications(
        scenario,
        policies,
        replications,
        base_seed,
        on_run=on_run,
        runner=runner,
        workers=workers,
        pool=pool,
        cancelled=cancelled,
    )
    if cancelled is not None and cancelled():
        raise Cancelled
    seeds = replication_seeds(base_seed, replications)
    times = {
        p: [float(v) for v in runs[runs["policy"] == p].sort_values("seed")["lead_time_days"]]
        for p in policies
    }
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
        inputs=inputs,
    )
