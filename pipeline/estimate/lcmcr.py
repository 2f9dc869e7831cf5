"""A second opinion: Bayesian latent-class capture-recapture, in the spirit of LCMCR.

Manrique-Vallier (2016, Biometrics) models heterogeneous capture as a mixture of classes within
which the lists are independent, with a stick-breaking (truncated Dirichlet process) prior over
the classes and the prior p(N) proportional to 1/N. This is a compact Gibbs sampler of that
model, working on the 2^k cell counts rather than on individuals:

1. each observed cell's people are spread over the classes (multinomial on the class posterior);
2. the unseen count n0 given everything else is negative binomial (n, 1 - p0), p0 the chance
   that no list sees a person; the unseen are spread over classes likewise;
3. capture probabilities per list and class are Beta(1 + seen, 1 + not seen), the unseen included;
4. class weights by stick-breaking, its concentration alpha with a Gamma(0.25, 0.25) prior.

Lists enter only through classes, so direct dependence between two lists (one copies the
other) is not modelled: that is what the log-linear interactions are for (docs/estimation.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.estimate.loglinear import patterns


@dataclass(frozen=True)
class LatentClassResult:
    observed: float
    estimate: float  # posterior median of N
    lower: float
    upper: float


def latent_class_estimate(counts: np.ndarray, k: int, classes: int = 10, iterations: int = 3000, burn_in: int = 1000,
                          seed: int = 20171221, level: float = 0.95) -> LatentClassResult:
    """counts: the 2^k - 1 observed cells in `patterns(k)` order (whole people)."""
    rng = np.random.default_rng(seed)
    cells = patterns(k)
    counts = np.rint(counts).astype(np.int64)
    observed = int(counts.sum())
    lam = rng.uniform(0.2, 0.8, size=(classes, k))
    weights = np.full(classes, 1.0 / classes)
    alpha = 1.0
    draws = []
    for step in range(iterations):
        # Class posterior of each observed pattern, and of the unseen pattern.
        log_lam, log_miss = np.log(lam), np.log1p(-lam)
        log_cell = cells @ log_lam.T + (1 - cells) @ log_miss.T + np.log(weights)  # (cells, classes)
        posterior = np.exp(log_cell - log_cell.max(axis=1, keepdims=True))
        posterior /= posterior.sum(axis=1, keepdims=True)
        by_class = np.array([rng.multinomial(n, p) for n, p in zip(counts, posterior)])  # (cells, classes)
        unseen_by_class_p = weights * np.exp(log_miss.sum(axis=1))
        p0 = float(unseen_by_class_p.sum())
        unseen = int(rng.negative_binomial(observed, 1 - p0)) if p0 < 1 else 0
        unseen_by_class = rng.multinomial(unseen, unseen_by_class_p / p0) if unseen else np.zeros(classes, dtype=np.int64)
        in_class = by_class.sum(axis=0) + unseen_by_class
        seen_on = by_class.T @ cells  # (classes, k): people of each class on each list
        lam = rng.beta(1 + seen_on, 1 + in_class[:, None] - seen_on)
        lam = np.clip(lam, 1e-9, 1 - 1e-9)
        # Stick-breaking weights and their concentration.
        after = np.concatenate([np.cumsum(in_class[::-1])[::-1][1:], [0]])
        sticks = rng.beta(1 + in_class[:-1], alpha + after[:-1])
        sticks = np.clip(sticks, 1e-12, 1 - 1e-12)
        remaining = np.concatenate([[1.0], np.cumprod(1 - sticks)])
        weights = np.append(sticks, 1.0) * remaining
        alpha = rng.gamma(0.25 + classes - 1, 1 / (0.25 - np.log1p(-sticks).sum()))
        if step >= burn_in:
            draws.append(observed + unseen)
    draws = np.array(draws, dtype=float)
    tail = (1 - level) / 2
    lower, median, upper = np.quantile(draws, [tail, 0.5, 1 - tail])
    return LatentClassResult(float(observed), float(median), float(lower), float(upper))
