"""A Gaussian-process surrogate of simulated KPIs, and the posterior it implies.

Used by `experiments.calibration`. The simulator is run at design points of the unit cube
(each point a setting of the fitted keys, scaled to 0–1), a few runs each. Per KPI, two
Gaussian processes (scikit-learn) learn from those runs:

- the mean of the KPI, with each point's noise given as its standard error (`alpha`), and
  a white-noise term for what the replications do not show;
- the log of the run-to-run variance, so that the spread of a KPI may change with the
  parameters (more problems, more spread of the decision wait). The log of a sample
  variance is biased low; the bias of a chi-square with `reps − 1` degrees of freedom is
  removed.

`SyntheticLikelihood` compares an observation with them: a Gaussian on each observed KPI
whose variance is the run-to-run variance divided by the number of runs the observation
summarises, plus the surrogate's own uncertainty.

The matrices are small (a few hundred points): BLAS runs on one thread here, which on the
2-core machine under load made a fit 16 times faster than OpenBLAS's two threads. `posterior_sample` draws from the
posterior under a uniform prior on the cube with emcee's affine-invariant ensemble sampler.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

# Restarts of the kernel's hyperparameter search: more find better fits, each costs a fit.
OPTIMIZER_RESTARTS = 2
# emcee: walkers per dimension (at least 2 × dimensions are required), steps, steps dropped.
WALKERS_PER_DIMENSION = 8
STEPS = 700
BURN_IN = 200


def _gaussian_process(dims: int, alpha: np.ndarray | float, seed: int):
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    # Length scales per fitted key (anisotropic): the KPIs react to some keys more.
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * RBF(
        length_scale=np.full(dims, 0.5), length_scale_bounds=(1e-2, 1e2)
    ) + WhiteKernel(1e-2, (1e-8, 1e1))
    return GaussianProcessRegressor(
        kernel=kernel,
        alpha=alpha,
        n_restarts_optimizer=OPTIMIZER_RESTARTS,
        random_state=seed,
    )


@dataclass
class KpiSurrogate:
    """What a KPI's simulated mean and run-to-run variance are at any point of the cube."""

    mean_model: object
    variance_model: object
    centre: float
    scale: float
    log_centre: float

    @classmethod
    def fit(cls, points: np.ndarray, runs: np.ndarray, seed: int) -> KpiSurrogate:
        """Fit from `points` (n × dims, in the unit cube) and `runs` (n × reps KPI values)."""

        with threadpool_limits(1):
            return cls._fit(points, runs, seed)

    @classmethod
    def _fit(cls, points: np.ndarray, runs: np.ndarray, seed: int) -> KpiSurrogate:
        import warnings

        from scipy.special import digamma
        from sklearn.exceptions import ConvergenceWarning

        reps = runs.shape[1]
        means = runs.mean(axis=1)
        variances = runs.var(axis=1, ddof=1) if reps > 1 else np.zeros(len(runs))
        centre = float(means.mean())
        scale = float(means.std()) or float(np.sqrt(variances.mean())) or 1.0
        # A floor: a KPI without spread (every run equal) still has a finite log variance.
        floor = (1e-6 * scale) ** 2 + 1e-12
        log_variances = np.log(variances + floor)
        if reps > 1:
            degrees = reps - 1
            log_variances -= digamma(degrees / 2) - math.log(degrees / 2)
        log_centre = float(log_variances.mean())
        with warnings.catch_warnings():
            # Bounds reached by a flat KPI are expected, not a fault of the data.
            warnings.simplefilter("ignore", ConvergenceWarning)
            mean_model = _gaussian_process(
                points.shape[1], variances / reps / scale**2 + 1e-10, seed
            )
            mean_model.fit(points, (means - centre) / scale)
            variance_model = _gaussian_process(points.shape[1], 1e-10, seed)
            variance_model.fit(points, log_variances - log_centre)
        return cls(mean_model, variance_model, centre, scale, log_centre)

    def predict(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean, variance of that mean's estimate, run-to-run variance) at `points`."""
        mean, std = self.mean_model.predict(points, return_std=True)
        log_variance = self.variance_model.predict(points)
        return (
            self.centre + self.scale * mean,
            (self.scale * std) ** 2,
            np.exp(self.log_centre + log_variance),
        )


@dataclass
class SyntheticLikelihood:
    """The log-likelihood of observed KPI values at points of the cube, from surrogates."""

    surrogates: Sequence[KpiSurrogate]
    observed: np.ndarray
    runs: np.ndarray

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Log-likelihood at each row of `points`; −inf outside the unit cube (the prior)."""
        points = np.atleast_2d(points)
        inside = np.all((points >= 0) & (points <= 1), axis=1)
        total = np.full(len(points), -np.inf)
        if not inside.any():
            return total
        chosen = points[inside]
        log_likelihood = np.zeros(len(chosen))
        for surrogate, value, runs in zip(self.surrogates, self.observed, self.runs, strict=True):
            mean, mean_variance, run_variance = surrogate.predict(chosen)
            variance = run_variance / runs + mean_variance
            log_likelihood -= 0.5 * ((value - mean) ** 2 / variance + np.log(variance))
        total[inside] = log_likelihood
        return total


def posterior_sample(likelihood: SyntheticLikelihood, dims: int, seed: int) -> np.ndarray:
    """Draws (k × dims) from the posterior of a uniform prior on the unit cube."""
    import emcee

    walkers = max(WALKERS_PER_DIMENSION * dims, 16)
    rng = np.random.default_rng(seed)
    start = rng.uniform(0.0, 1.0, size=(walkers, dims))
    sampler = emcee.EnsembleSampler(walkers, dims, likelihood, vectorize=True)
    # emcee draws from a NumPy RandomState of its own: seed it for reproducible chains.
    sampler.random_state = np.random.RandomState(seed % 2**32).get_state()
    with threadpool_limits(1):
        sampler.run_mcmc(start, STEPS, progress=False)
    return sampler.get_chain(discard=BURN_IN, flat=True)
