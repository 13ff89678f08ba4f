"""A Gaussian-process surrogate of simulated KPIs, and the posterior it implies.

Used by `experiments.calibration`. The simulator is run at design points of the unit cube
(each point a setting of the fitted keys, scaled to 0–1), a few runs each. Per KPI, two
Gaussian processes (scikit-learn) learn from those runs:

- the log of the run-to-run variance, so that the spread of a KPI may change with the
  parameters (more problems, more spread of the decision wait). The log of a sample
  variance is biased low; the bias of a chi-square with `reps − 1` degrees of freedom is
  removed;
- the mean of the KPI, with each point's noise the smoothed variance over its runs
  (`alpha`), and a white-noise term for what the replications do not show.

`SyntheticLikelihood` compares an observation with them: a multivariate Gaussian on the
observed KPIs whose covariance is the run-to-run covariance (spreads from the surrogates,
correlation pooled over the design) divided by the number of runs the observation
summarises, plus the surrogates' own uncertainty.

The matrices are small (a few hundred points): BLAS runs on one thread here, which on the
2-core machine under load made a fit 16 times faster than OpenBLAS's two threads. `posterior_sample` draws from the
posterior under a uniform prior on the cube with emcee's affine-invariant ensemble sampler.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

# Restarts of the kernel's hyperparameter search: more find better fits, each costs a fit.
OPTIMIZER_RESTARTS = 2
# emcee: walkers per dimension (at least 2 × dimensions are required), steps, steps dropped.
# Many walkers and few steps: each step evaluates the surrogates on half the walkers at
# once, and a call costs about the same for 8 points as for 50 (scikit-learn's overhead).
# The walkers start spread over the prior; a posterior of 1–4 keys is one smooth hill.
WALKERS_PER_DIMENSION = 16
STEPS = 200
BURN_IN = 80
# A first posterior only chooses where to simulate next: a shorter chain does.
FIRST_STEPS = 100
FIRST_BURN_IN = 50
# Points (with two runs or more that give the KPI a value) below which no surrogate is fitted.
MIN_POINTS = 4
# Weight of the identity in the KPIs' correlation matrix (see run_correlation).
SHRINKAGE = 0.05


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

        with threadpool_limits(1), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a point without any value
            return cls._fit(points, runs, seed)

    @classmethod
    def _fit(cls, points: np.ndarray, runs: np.ndarray, seed: int) -> KpiSurrogate:
        import warnings

        from scipy.special import digamma
        from sklearn.exceptions import ConvergenceWarning

        # A KPI may have no value in a run (no problem raised, no mean resolution time):
        # a point counts with the runs that have one, if at least two do.
        counts = np.sum(~np.isnan(runs), axis=1)
        keep = counts >= 2
        if keep.sum() < MIN_POINTS:
            raise ValueError("has a value in too few runs of the design")
        points, runs, counts = points[keep], runs[keep], counts[keep]
        means = np.nanmean(runs, axis=1)
        variances = np.nanvar(runs, axis=1, ddof=1)
        centre = float(means.mean())
        scale = float(means.std()) or float(np.sqrt(variances.mean())) or 1.0
        # A floor: a KPI without spread (every run equal) still has a finite log variance.
        floor = (1e-6 * scale) ** 2 + 1e-12
        degrees = counts - 1
        log_variances = np.log(variances + floor) - (digamma(degrees / 2) - np.log(degrees / 2))
        log_centre = float(log_variances.mean())
        with warnings.catch_warnings():
            # Bounds reached by a flat KPI are expected, not a fault of the data.
            warnings.simplefilter("ignore", ConvergenceWarning)
            variance_model = _gaussian_process(points.shape[1], 1e-10, seed)
            variance_model.fit(points, log_variances - log_centre)
            # Each mean's noise from the smoothed variance, not its own sample variance: in
            # a skewed KPI (waits) a point whose runs came out low also has a low sample
            # variance, and weighting it more would pull the surrogate's mean down.
            smoothed = np.exp(log_centre + variance_model.predict(points))
            mean_model = _gaussian_process(points.shape[1], smoothed / counts / scale**2, seed)
            mean_model.fit(points, (means - centre) / scale)
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


def run_correlation(runs: np.ndarray) -> np.ndarray:
    """The correlation between KPIs from one run to another (K × K), pooled over the design.

    `runs` is points × reps × K. Each point's deviations from its own mean, divided by its
    own standard deviation (the spread changes with the parameters), are pooled; the
    result is shrunk towards the identity by SHRINKAGE so that KPIs that move together
    almost exactly (problems raised and resolved) keep the matrix invertible.
    """
    if runs.shape[1] < 2:
        return np.eye(runs.shape[2])
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a point without any value
        deviations = runs - np.nanmean(runs, axis=1, keepdims=True)
        spread = np.nanstd(runs, axis=1, ddof=1, keepdims=True)
        standard = np.where(spread > 0, deviations / spread, 0.0)
    # A run without a value of a KPI adds nothing to that KPI's correlations.
    standard = np.nan_to_num(standard, nan=0.0)
    flat = standard.reshape(-1, runs.shape[2])
    product = flat.T @ flat
    norms = np.sqrt(np.diag(product))
    with np.errstate(invalid="ignore", divide="ignore"):
        correlation = np.where(np.outer(norms, norms) > 0, product / np.outer(norms, norms), 0.0)
    np.fill_diagonal(correlation, 1.0)
    return (1 - SHRINKAGE) * correlation + SHRINKAGE * np.eye(len(correlation))


@dataclass
class SyntheticLikelihood:
    """The log-likelihood of observed KPI values at points of the cube, from surrogates.

    The KPIs of one run are correlated (more problems, more decision wait, a later end):
    treated as independent they would count the same luck several times. The covariance
    of the observed means is `D R D` with `R` the KPIs' run-to-run correlation and `D` the
    run-to-run standard deviations divided by √runs (√(N_k N_l) between two KPIs measured
    over different numbers of runs), plus the surrogates' own variance on the diagonal.
    """

    surrogates: Sequence[KpiSurrogate]
    observed: np.ndarray
    runs: np.ndarray
    correlation: np.ndarray

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Log-likelihood at each row of `points`; −inf outside the unit cube (the prior)."""
        points = np.atleast_2d(points)
        inside = np.all((points >= 0) & (points <= 1), axis=1)
        total = np.full(len(points), -np.inf)
        if not inside.any():
            return total
        chosen = points[inside]
        predicted = [surrogate.predict(chosen) for surrogate in self.surrogates]
        mean = np.stack([p[0] for p in predicted], axis=1)  # points × K
        mean_variance = np.stack([p[1] for p in predicted], axis=1)
        scale = np.sqrt(np.stack([p[2] for p in predicted], axis=1) / self.runs)
        covariance = scale[:, :, None] * self.correlation[None] * scale[:, None, :]
        covariance += np.einsum("pk,kl->pkl", mean_variance, np.eye(len(self.runs)))
        residual = self.observed[None] - mean
        solved = np.linalg.solve(covariance, residual[:, :, None])[:, :, 0]
        _, log_det = np.linalg.slogdet(covariance)
        total[inside] = -0.5 * (np.einsum("pk,pk->p", residual, solved) + log_det)
        return total


def posterior_sample(
    likelihood: SyntheticLikelihood,
    dims: int,
    seed: int,
    steps: int = STEPS,
    burn_in: int = BURN_IN,
) -> np.ndarray:
    """Draws (k × dims) from the posterior of a uniform prior on the unit cube."""
    import emcee

    walkers = max(WALKERS_PER_DIMENSION * dims, 32)
    rng = np.random.default_rng(seed)
    start = rng.uniform(0.0, 1.0, size=(walkers, dims))
    sampler = emcee.EnsembleSampler(walkers, dims, likelihood, vectorize=True)
    # emcee draws from a NumPy RandomState of its own: seed it for reproducible chains.
    sampler.random_state = np.random.RandomState(seed % 2**32).get_state()
    with threadpool_limits(1):
        sampler.run_mcmc(start, steps, progress=False)
    return sampler.get_chain(discard=burn_in, flat=True)
