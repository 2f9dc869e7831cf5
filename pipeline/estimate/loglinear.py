"""Log-linear multiple systems estimation on the incomplete 2^k table of list captures.

Every hierarchical model from independence up to all two-way interactions is a Poisson GLM
(statsmodels) on the 2^k - 1 observed cells; the count of the cell no list saw is exp(intercept).
Models are averaged with information-criterion weights. The interval is a model-averaged profile
likelihood interval (MATA-PL, Fletcher & Turek 2012): each model's profile likelihood of the
total N (Cormack 1992) gives a signed likelihood root r_k(N); the limits solve
sum_k w_k Phi(r_k(N)) = 0.025 and 0.975, so the interval carries model uncertainty, is asymmetric
like the likelihood, and never goes below what was observed.

Failure modes guarded here: a pairwise interaction whose two lists share fewer than
MIN_PAIR_OVERLAP people is not fitted (its parameter runs off to -inf); a model whose unseen
count exceeds max_ratio times the observed, or does not converge, is dropped as unbounded; if
no profile bound is reached below max_ratio times the observed, the upper limit is infinite and
the caller flags the result.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy.optimize import brentq
from scipy.special import gammaln
from scipy.stats import norm

MIN_PAIR_OVERLAP = 3
WEIGHT_FLOOR = 1e-3  # models below this weight change the average by less than rounding


@dataclass(frozen=True)
class ModelFit:
    interactions: tuple[tuple[int, int], ...]
    criterion: float
    unseen: float  # estimated count of the cell no list saw
    params: np.ndarray


@dataclass(frozen=True)
class LoglinearResult:
    observed: float
    estimate: float
    lower: float
    upper: float  # math.inf when the likelihood does not bound the total
    best: tuple[tuple[int, int], ...]
    best_weight: float
    n_models: int


def patterns(k: int, with_unseen: bool = False) -> np.ndarray:
    """The 2^k capture patterns as 0/1 rows, the all-zero (unseen) row first when asked for."""
    rows = [p for p in itertools.product([0, 1], repeat=k) if with_unseen or any(p)]
    return np.array(sorted(rows, key=lambda p: (sum(p) > 0, p)), dtype=float)


def cell_counts(captures: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Counts of the 2^k - 1 observed cells, in `patterns(k)` order, from an (n, k) boolean
    capture matrix; weights (fractional people, for allocated unknown strata) default to 1."""
    k = captures.shape[1]
    codes = captures.astype(int) @ (1 << np.arange(k)[::-1])
    totals = np.bincount(codes, weights=weights, minlength=1 << k)
    pattern_codes = patterns(k).astype(int) @ (1 << np.arange(k)[::-1])
    return totals[pattern_codes].astype(float)


def design(cells: np.ndarray, interactions) -> np.ndarray:
    k = cells.shape[1]
    columns = [np.ones(len(cells)), *[cells[:, i] for i in range(k)], *[cells[:, i] * cells[:, j] for i, j in interactions]]
    return np.column_stack(columns)


def candidate_models(counts: np.ndarray, k: int) -> list[tuple[tuple[int, int], ...]]:
    """Hierarchical models up to two-way: main effects always, any set of estimable pairs."""
    cells = patterns(k)
    estimable = [(i, j) for i, j in itertools.combinations(range(k), 2) if counts[(cells[:, i] * cells[:, j]) > 0].sum() >= MIN_PAIR_OVERLAP]
    models = []
    for r in range(len(estimable) + 1):
        for chosen in itertools.combinations(estimable, r):
            # Identifiable only with no more parameters than observed cells.
            if 1 + k + len(chosen) <= len(cells):
                models.append(chosen)
    return models


def _poisson(counts: np.ndarray, x: np.ndarray, start: np.ndarray | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sm.GLM(counts, x, family=sm.families.Poisson()).fit(start_params=start, maxiter=100)


def fit_models(counts: np.ndarray, k: int, criterion: str = "aic", max_ratio: float = 10.0) -> list[ModelFit]:
    cells = patterns(k)
    observed = counts.sum()
    fits = []
    for interactions in candidate_models(counts, k):
        x = design(cells, interactions)
        if np.linalg.matrix_rank(x) < x.shape[1]:
            continue
        try:
            fit = _poisson(counts, x)
        except Exception:  # noqa: BLE001  (a model that cannot be fitted is left out, not fatal)
            continue
        unseen = float(np.exp(fit.params[0]))
        if not np.isfinite(unseen) or not fit.converged or unseen > max_ratio * observed:
            continue  # a near-empty cell makes the unseen count unbounded: not a usable model
        deviance_ll = float(fit.llf)
        n_params = x.shape[1]
        penalty = 2 * n_params if criterion == "aic" else n_params * math.log(observed)
        fits.append(ModelFit(interactions, -2 * deviance_ll + penalty, unseen, np.asarray(fit.params)))
    return fits


def weights(fits: list[ModelFit]) -> np.ndarray:
    values = np.array([f.criterion for f in fits])
    w = np.exp(-(values - values.min()) / 2)
    return w / w.sum()


class ProfileLikelihood:
    """The profile log-likelihood of the total N under one model (Cormack 1992): the Poisson fit
    of the complete table with N - observed in the unseen cell, plus the multinomial's terms in N."""

    def __init__(self, counts: np.ndarray, k: int, fit: ModelFit):
        self.counts = counts
        self.observed = float(counts.sum())
        self.x = design(patterns(k, with_unseen=True), fit.interactions)
        self.start = fit.params
        self.estimate = self.observed + fit.unseen
        self.peak = self.loglik(self.estimate)

    def loglik(self, total: float) -> float:
        full = np.concatenate([[max(total - self.observed, 0.0)], self.counts])
        try:
            fit = _poisson(full, self.x, self.start)
        except ValueError:  # far from the estimate the warm start can overflow: start afresh
            try:
                fit = _poisson(full, self.x)
            except ValueError:
                return -math.inf
        mu = np.asarray(fit.mu)
        poisson = float(np.sum(full * np.log(np.where(full > 0, mu, 1.0)) - mu - gammaln(full + 1)))
        return poisson + float(gammaln(total + 1) - total * math.log(total) + total)

    def signed_root(self, total: float) -> float:
        drop = max(0.0, 2 * (self.peak - self.loglik(total)))
        if not math.isfinite(drop):
            return math.copysign(math.inf, total - self.estimate)
        return math.copysign(math.sqrt(drop), total - self.estimate)


def model_averaged(counts: np.ndarray, k: int, criterion: str = "aic", max_ratio: float = 10.0, level: float = 0.95) -> LoglinearResult | None:
    """AIC- (or BIC-) weighted estimate of the total with its MATA profile likelihood interval."""
    # Strata often repeat a table (a bank fought in one phase only): fit each table once.
    return _model_averaged(tuple(float(c) for c in counts), k, criterion, max_ratio, level)


@functools.lru_cache(maxsize=256)
def _model_averaged(counts_key: tuple[float, ...], k: int, criterion: str, max_ratio: float, level: float) -> LoglinearResult | None:
    counts = np.array(counts_key)
    fits = fit_models(counts, k, criterion, max_ratio)
    if not fits:
        return None
    w = weights(fits)
    keep = w >= WEIGHT_FLOOR
    kept = [f for f, k_ in zip(fits, keep) if k_]
    kept_w = w[keep] / w[keep].sum()
    observed = float(counts.sum())
    estimate = observed + float(np.sum(kept_w * [f.unseen for f in kept]))
    profiles = [ProfileLikelihood(counts, k, f) for f in kept]

    def tail(total: float) -> float:
        return float(sum(wk * norm.cdf(p.signed_root(total)) for wk, p in zip(kept_w, profiles)))

    alpha = (1 - level) / 2
    floor, ceiling = observed + 1e-6, observed * (1 + max_ratio)
    # The averaged tail is increasing in N, so each limit is one root in [observed, ceiling].
    at_floor, at_ceiling = tail(floor), tail(ceiling)
    lower = observed if at_floor >= alpha else (ceiling if at_ceiling <= alpha else brentq(lambda n: tail(n) - alpha, floor, ceiling, xtol=0.5))
    upper = math.inf if at_ceiling <= 1 - alpha else (observed if at_floor >= 1 - alpha else brentq(lambda n: tail(n) - (1 - alpha), floor, ceiling, xtol=0.5))
    best = int(np.argmax(w))
    return LoglinearResult(observed, estimate, min(lower, estimate), max(upper, estimate), fits[best].interactions, float(w[best]), len(fits))


def describe(interactions, lists) -> str:
    if not interactions:
        return "independence"
    return ", ".join(f"{lists[i]}x{lists[j]}" for i, j in interactions)
