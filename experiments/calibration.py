"""Calibration: scenario values fitted to the KPIs a client measured (`orgsim calibrate`).

The method is simulation-based inference with a Gaussian-process surrogate:

1. **Prior.** Each fitted key is uniform on a range around its value in the scenario: from
   a third of it to three times it (`PRIOR_FACTOR`), cut to the bounds the schema allows
   (a probability stays in 0–1). A key worth 0 has no such range: set a starting value.
2. **Design, round 1.** A Latin hypercube of points over the prior box (scipy.stats.qmc);
   each point is simulated `REPLICATIONS` times, KPIs only (`experiments.worker.kpis_of_run`),
   with seeds of its own (`seed + point × REPLICATIONS + r`, then the check runs), so
   that the surrogate averages the luck of the draw out over the points.
3. **Surrogate and posterior** (`experiments.surrogate`): per observed KPI, Gaussian
   processes learn the simulated mean and the run-to-run spread; the observation is
   compared with them by a Gaussian synthetic likelihood, its distance scaled by the
   simulated spread divided by the runs the observation summarises (`runs: N` compares
   with the mean of N projects) plus the surrogate's own uncertainty; emcee samples the
   posterior.
4. **Round 2.** As many points again, drawn from that posterior, are simulated and the
   surrogate is fitted again on every point: it is then precise where it matters.
5. **Result.** Each key's fitted value is its posterior median, with the 5–95% quantiles
   as a 90% interval. The fitted values are simulated once more (`check` runs) to say how
   well they reproduce each observation: the simulated mean and the 90% range in which
   an observation of N runs falls.

Why this and not another library: pyabc (ABC-SMC) brings SQLAlchemy, Redis and GitPython,
stores every generation in a database, and its parallel samplers accept particles in the
order workers finish, so results change with the number of workers; ELFI's surrogate
method (BOLFI) rests on GPy, which does not install cleanly on Python 3.12 with NumPy 2.
scikit-learn's Gaussian processes and emcee are small, well kept and pure Python above
NumPy/SciPy, and here every random draw comes from `seed` before anything is simulated,
so the result is the same whatever the number of workers. A surrogate also suits a
simulator that costs 0.01–0.3 s a run: a few hundred runs suffice where rejection ABC
would need tens of thousands.
"""

from __future__ import annotations

# NumPy, SciPy and the simulator are imported where they are used: `orgsim --help` builds
# this command's parser from the defaults below and must load no simulation library.
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from experiments.observed import Observation
    from simulator.schema import Scenario

DEFAULT_KEYS = ("project.problem_rate", "timing.decision_hours.mean", "rework.fraction")
# Simulations in all (both design rounds and the check of the fit).
DEFAULT_BUDGET = 400
# Runs per design point: enough for a variance (3 degrees of freedom), few enough for many
# points; the surrogate pools the points.
REPLICATIONS = 4
# The prior of a key spans value / PRIOR_FACTOR … value × PRIOR_FACTOR (within its bounds).
PRIOR_FACTOR = 3.0
# Design points per round below which a surrogate of 3 keys is guesswork.
MIN_POINTS = 8
# The check of the fit: a tenth of the budget, within these bounds.
CHECK_RUNS = (10, 50)
INTERVAL = (0.05, 0.95)
# Fitted values are rounded to this many significant digits (in the report and the file).
DIGITS = 4


class CalibrationError(ValueError):
    """A calibration that cannot be set up (a key that is not a number, too small a budget).
    Its text is one line."""


@dataclass(frozen=True)
class FitKey:
    """A fitted scenario key: its value in the scenario and its prior range."""

    key: str
    start: float
    low: float
    high: float

    def value_at(self, unit: float) -> float:
        """The key's value at `unit` (0–1) of its prior range."""
        return self.low + unit * (self.high - self.low)


@dataclass(frozen=True)
class Fitted:
    """A fitted value (posterior median) and its 90% interval."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class FitQuality:
    """How the fitted values reproduce one observed KPI: the simulated mean, and the 90%
    range in which an observation of `runs` runs falls at the fitted values."""

    observed: float
    simulated: float
    low: float
    high: float
    runs: int

    @property
    def within(self) -> bool:
        """Whether the observation lies in the simulated 90% range."""
        return self.low <= self.observed <= self.high


@dataclass(frozen=True)
class Calibration:
    """The outcome of `calibrate`."""

    policy: str
    keys: list[FitKey]
    fitted: dict[str, Fitted]
    fit: dict[str, FitQuality]
    simulations: int
    seed: int
    # Processes that ran the simulations: 1 when a pool did not pay for its start.
    workers: int = 1

    def values(self) -> dict[str, float]:
        """The fitted value of every key."""
        return {key: fitted.value for key, fitted in self.fitted.items()}

    def as_json(self) -> dict[str, Any]:
        """`{"fitted": {KEY: {value, low, high, prior_low, prior_high, scenario}},
        "fit": {KPI: {observed, simulated, low, high, runs, within}}, ...}`."""
        return {
            "policy": self.policy,
            "seed": self.seed,
            "simulations": self.simulations,
            "workers": self.workers,
            "fitted": {
                k.key: {
                    "value": self.fitted[k.key].value,
                    "low": self.fitted[k.key].low,
                    "high": self.fitted[k.key].high,
                    "scenario": k.start,
                    "prior_low": k.low,
                    "prior_high": k.high,
                }
                for k in self.keys
            },
            "fit": {
                kpi: {
                    "observed": q.observed,
                    "simulated": q.simulated,
                    "low": q.low,
                    "high": q.high,
                    "runs": q.runs,
                    "within": q.within,
                }
                for kpi, q in self.fit.items()
            },
        }


# --- the keys and their priors ---------------------------------------------------------


def fit_keys(scenario: Scenario, keys: Sequence[str]) -> list[FitKey]:
    """Each key with its scenario value and prior range; CalibrationError for a key that is
    not a number of the scenario, is 0, or is named twice."""
    from simulator.locating import suggest
    from simulator.overrides import set_key

    data = scenario.model_dump(mode="json", by_alias=True)
    found = []
    for key in keys:
        if key in (k.key for k in found):
            raise CalibrationError(f"--fit {key}: named twice")
        # set_key resolves list selectors (`departments[legal]`) to indices.
        parts: list[Any] = []
        try:
            set_key(data, key, 0, parts)
        except (KeyError, IndexError, ValueError) as exc:
            raise CalibrationError(f"--fit {key}: {exc.args[0] if exc.args else exc}") from None
        node: Any = data
        for part in parts:
            present = part in node if isinstance(node, dict) else isinstance(node, list)
            if not present:
                hint = suggest(key, _number_keys(data))
                raise CalibrationError(
                    f"--fit {key}: not a key of the scenario" + (f"; {hint}" if hint else "")
                )
            node = node[part]
        if isinstance(node, bool) or not isinstance(node, int | float):
            shown = "a mapping" if isinstance(node, dict) else repr(node)
            hint = " (give KEY.mean for a distribution)" if isinstance(node, dict) else ""
            raise CalibrationError(
                f"--fit {key}: not a number in the scenario (it is {shown}){hint}"
            )
        start = float(node)
        if start <= 0:
            raise CalibrationError(
                f"--fit {key}: is {node:g} in the scenario, and the prior spans "
                f"value/{PRIOR_FACTOR:g}–value×{PRIOR_FACTOR:g}: set a starting value "
                f"with --set {key}=VALUE"
            )
        lower, upper = _bounds(parts)
        low = max(start / PRIOR_FACTOR, lower)
        high = min(start * PRIOR_FACTOR, upper)
        found.append(FitKey(key, start, low, high))
    return found


def _number_keys(data: Any, prefix: str = "") -> list[str]:
    """Dotted keys of every number in the scenario data (for suggestions)."""
    if isinstance(data, dict):
        return [k for key, value in data.items() for k in _number_keys(value, f"{prefix}{key}.")]
    if isinstance(data, int | float) and not isinstance(data, bool):
        return [prefix.rstrip(".")]
    return []


def _bounds(parts: list[Any]) -> tuple[float, float]:
    """The bounds the schema puts on the key at `parts` (−inf, inf when it says none)."""
    import typing

    from simulator.overrides import model_at

    lower, upper = -math.inf, math.inf
    model = model_at(parts[:-1])
    field = model.model_fields.get(parts[-1]) if model is not None else None
    if field is None:
        return lower, upper
    constraints = list(field.metadata)
    # An optional number (`Probability | None`) keeps its bounds inside the union.
    for option in typing.get_args(field.annotation):
        constraints += getattr(option, "__metadata__", ())
    for constraint in constraints:
        constraints += getattr(constraint, "metadata", [])  # a Field() inside Annotated
        for name in ("ge", "gt"):
            if getattr(constraint, name, None) is not None:
                lower = max(lower, float(getattr(constraint, name)))
        for name in ("le", "lt"):
            if getattr(constraint, name, None) is not None:
                upper = min(upper, float(getattr(constraint, name)))
    return lower, upper


# --- simulating ------------------------------------------------------------------------


def simulate_point(
    scenario: Scenario,
    policy: str,
    values: dict[str, float],
    seeds: Sequence[int],
    kpis: Sequence[str],
) -> list[list[float]]:
    """The `kpis` of one run per seed of `scenario` with `values` set (a worker's task)."""
    from experiments.worker import kpis_of_run
    from simulator.loading import with_values

    variant = with_values(scenario, values)
    rows = []
    for seed in seeds:
        found = kpis_of_run(variant, policy, seed)
        rows.append([math.nan if found[k] is None else float(found[k]) for k in kpis])
    return rows


class _Simulator:
    """Simulates points of the prior box on an executor, results in the order asked."""

    def __init__(
        self,
        scenario: Scenario,
        policy: str,
        keys: list[FitKey],
        kpis: list[str],
        on_runs: Callable[[int], None] | None,
    ):
        self.scenario = scenario
        self.policy = policy
        self.keys = keys
        self.kpis = kpis
        self.on_runs = on_runs
        self.executor: Executor | None = None
        self.count = 0

    def values(self, point: Sequence[float]) -> dict[str, float]:
        return {k.key: k.value_at(float(u)) for k, u in zip(self.keys, point, strict=True)}

    def here(self, values: dict[str, float], seeds: Sequence[int]) -> np.ndarray:
        import numpy as np

        rows = simulate_point(self.scenario, self.policy, values, seeds, self.kpis)
        self._done(len(seeds))
        return np.array(rows)

    def batch(self, jobs: list[tuple[dict[str, float], Sequence[int]]]) -> list[np.ndarray]:
        """One array (runs × KPIs) per job of (values, seeds), in the order of `jobs`."""
        import numpy as np

        assert self.executor is not None
        futures = []
        for values, seeds in jobs:
            future = self.executor.submit(
                simulate_point, self.scenario, self.policy, values, list(seeds), self.kpis
            )
            runs = len(seeds)
            future.add_done_callback(lambda f, n=runs: self._done(n, f))
            futures.append(future)
        return [np.array(f.result()) for f in futures]

    def _done(self, runs: int, future: Any = None) -> None:
        if future is not None and (future.cancelled() or future.exception() is not None):
            return
        self.count += runs
        if self.on_runs is not None:
            self.on_runs(runs)


def plan(budget: int, dims: int) -> tuple[int, int]:
    """(design points per round, check runs) for `budget` simulations in all."""
    check = min(max(budget // 10, CHECK_RUNS[0]), CHECK_RUNS[1])
    points = (budget - check) // (2 * REPLICATIONS)
    needed = max(MIN_POINTS, 3 * dims)
    if points < needed:
        least = 2 * needed * REPLICATIONS + CHECK_RUNS[0]
        raise CalibrationError(
            f"--budget {budget}: too few simulations for {dims} key"
            f"{'s' if dims != 1 else ''} (at least {least})"
        )
    return points, check


def calibrate(
    scenario: Scenario,
    observation: Observation,
    policy: str,
    keys: list[FitKey],
    *,
    seed: int,
    budget: int = DEFAULT_BUDGET,
    workers: int = 1,
    on_runs: Callable[[int], None] | None = None,
) -> Calibration:
    """Fit `keys` of `scenario` under `policy` to `observation` (see the module docstring).

    Every random choice (design, posterior draws, run seeds) follows from `seed` alone;
    the runs go to `workers` processes (`experiments.executors`) when a pool pays for its
    start, and the result is the same whatever the number of workers. `on_runs(n)` is
    called as runs finish (progress).
    """
    import numpy as np
    from scipy.stats import qmc

    from experiments.compare import pool_pays
    from experiments.executors import InProcessExecutor, open_workers
    from experiments.surrogate import (
        FIRST_BURN_IN,
        FIRST_STEPS,
        KpiSurrogate,
        SyntheticLikelihood,
        posterior_sample,
        run_correlation,
    )

    dims = len(keys)
    points_per_round, check_runs = plan(budget, dims)
    kpis = list(observation.values)
    observed = np.array([observation.values[k] for k in kpis])
    runs = np.array([observation.runs[k] for k in kpis], dtype=float)
    rng = np.random.default_rng(seed)

    # Every design point has seeds of its own: a mean over the same few seeds everywhere
    # would share their luck, and the surrogate could not average it out over the points.
    def seeds(point: int) -> list[int]:
        return [seed + point * REPLICATIONS + r for r in range(REPLICATIONS)]

    design_size = 2 * points_per_round
    check_seeds = [seed + design_size * REPLICATIONS + r for r in range(check_runs)]
    simulator = _Simulator(scenario, policy, keys, kpis, on_runs)

    def fitted_surrogates(points: np.ndarray, results: list[np.ndarray]) -> SyntheticLikelihood:
        surrogates = []
        for i, kpi in enumerate(kpis):
            values = np.stack([r[:, i] for r in results])
            try:
                surrogates.append(KpiSurrogate.fit(points, values, int(rng.integers(2**31))))
            except ValueError:
                raise CalibrationError(
                    f"KPI {kpi} has no value in most runs of this scenario under {policy} "
                    "(e.g. on_time without a deadline): leave it out of the observed file"
                ) from None
        correlation = run_correlation(np.stack(results))
        return SyntheticLikelihood(surrogates, observed, runs, correlation)

    with ExitStack() as stack:
        first = qmc.LatinHypercube(d=dims, seed=rng).random(points_per_round)
        # The first point runs here, timed: a pool is opened only if it pays for its start.
        start = time.perf_counter()
        results = [simulator.here(simulator.values(first[0]), seeds(0))]
        run_s = (time.perf_counter() - start) / REPLICATIONS
        used = 1
        if pool_pays(budget - REPLICATIONS, run_s, workers):
            opened = stack.enter_context(open_workers(workers))
            simulator.executor, used = opened.executor, opened.parallelism
        else:
            simulator.executor = stack.enter_context(InProcessExecutor())
        results += simulator.batch(
            [(simulator.values(p), seeds(i)) for i, p in enumerate(first) if i > 0]
        )
        likelihood = fitted_surrogates(first, results)
        draws = posterior_sample(
            likelihood, dims, int(rng.integers(2**31)), FIRST_STEPS, FIRST_BURN_IN
        )

        # Distinct draws where the chain has enough of them (a huge budget may not).
        distinct = len(draws) >= points_per_round
        second = draws[rng.choice(len(draws), size=points_per_round, replace=not distinct)]
        results += simulator.batch(
            [(simulator.values(p), seeds(points_per_round + i)) for i, p in enumerate(second)]
        )
        points = np.vstack([first, second])
        likelihood = fitted_surrogates(points, results)
        draws = posterior_sample(likelihood, dims, int(rng.integers(2**31)))

        fitted = {}
        for i, key in enumerate(keys):
            values = [key.value_at(u) for u in np.quantile(draws[:, i], [0.5, *INTERVAL])]
            fitted[key.key] = Fitted(*(_rounded(v) for v in values))
        chosen = {key: f.value for key, f in fitted.items()}
        groups = [check_seeds[i : i + REPLICATIONS] for i in range(0, check_runs, REPLICATIONS)]
        check = np.vstack(simulator.batch([(chosen, g) for g in groups]))

    fit = {kpi: _quality(observed[i], check[:, i], int(runs[i])) for i, kpi in enumerate(kpis)}
    return Calibration(policy, keys, fitted, fit, simulator.count, seed, used)


def _rounded(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def _quality(observed: float, simulated: np.ndarray, runs: int) -> FitQuality:
    """The simulated mean and the 90% range of an observation of `runs` runs: the runs'
    quantiles for one run, the normal range of a mean of `runs` runs otherwise. Runs in
    which the KPI has no value (no problem, no resolution time) are left out."""
    import numpy as np

    simulated = simulated[~np.isnan(simulated)]
    if len(simulated) < 2:
        return FitQuality(float(observed), math.nan, math.nan, math.nan, runs)
    mean = float(simulated.mean())
    if runs == 1:
        low, high = (float(q) for q in np.quantile(simulated, INTERVAL))
    else:
        from scipy.special import ndtri

        half = float(ndtri(INTERVAL[1])) * float(simulated.std(ddof=1)) / math.sqrt(runs)
        low, high = mean - half, mean + half
    return FitQuality(float(observed), mean, low, high, runs)
