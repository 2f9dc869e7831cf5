"""Log-linear models on the incomplete contingency table of list captures (Poisson GLM).

Every hierarchical model from independence up to all two-way interactions is fitted; the
count in the unobserved cell is exp(intercept). Models are averaged with AIC weights and the
interval combines within-model and between-model variance (Buckland et al. 1997), on the log
scale, so it never goes below what was observed.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import statsmodels.api as sm

Z95 = 1.959964


def cell_counts(captures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From an (n, k) boolean capture matrix: the observed cells (k-bit patterns, none empty) and counts."""
    k = captures.shape[1]
    patterns = np.array([p for p in itertools.product([0, 1], repeat=k) if any(p)], dtype=float)
    codes = captures.astype(int) @ (1 << np.arange(k)[::-1])
    counts = np.bincount(codes, minlength=1 << k)
    pattern_codes = patterns.astype(int) @ (1 << np.arange(k)[::-1])
    return patterns, counts[pattern_codes].astype(float)


def fit_models(patterns: np.ndarray, counts: np.ndarray) -> list[dict]:
    k = patterns.shape[1]
    pairs = list(itertools.combinations(range(k), 2))
    results = []
    for r in range(len(pairs) + 1):
        for chosen in itertools.combinations(pairs, r):
            columns = [np.ones(len(patterns)), *[patterns[:, i] for i in range(k)], *[patterns[:, i] * patterns[:, j] for i, j in chosen]]
            design = np.column_stack(columns)
            if np.linalg.matrix_rank(design) < design.shape[1] or design.shape[1] >= len(patterns):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    fit = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
                except Exception:  # noqa: BLE001  (a model that does not converge is skipped, not fatal)
                    continue
            log_n0, se = float(fit.params[0]), float(fit.bse[0])
            if not np.isfinite(log_n0) or not np.isfinite(se) or se > 5 or log_n0 > 20:
                continue  # a near-empty cell makes the estimate unbounded: not a usable model
            results.append({"interactions": chosen, "aic": float(fit.aic), "log_n0": log_n0, "se": se})
    return results


def model_average(results: list[dict], observed: int) -> dict:
    aics = np.array([r["aic"] for r in results])
    weights = np.exp(-(aics - aics.min()) / 2)
    weights /= weights.sum()
    log_n0 = np.array([r["log_n0"] for r in results])
    se = np.array([r["se"] for r in results])
    mean = float(np.sum(weights * log_n0))
    variance = float(np.sum(weights * np.sqrt(se**2 + (log_n0 - mean) ** 2)) ** 2)
    sd = math.sqrt(variance)
    best = results[int(np.argmax(weights))]
    return {
        "estimate": observed + math.exp(mean),
        "lower": observed + math.exp(mean - Z95 * sd),
        "upper": observed + math.exp(mean + Z95 * sd),
        "best_model": best["interactions"],
        "n_models": len(results),
    }


def chapman(n1: int, n2: int, m: int) -> tuple[float, float]:
    """Chapman's bias-corrected two-list estimator and its variance."""
    estimate = (n1 + 1) * (n2 + 1) / (m + 1) - 1
    variance = (n1 + 1) * (n2 + 1) * (n1 - m) * (n2 - m) / ((m + 1) ** 2 * (m + 2))
    return estimate, variance
