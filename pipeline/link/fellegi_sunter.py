"""A Fellegi-Sunter record-linkage model whose parameters are estimated from the data by EM.

Each candidate pair has, per comparison, a level (0 is the closest agreement; -1 means one side
did not say, and then that comparison is no evidence either way). Every pair is either the same
event (M) or not (U); EM estimates, from the unlabelled candidate pairs alone:

- m[k][l] = P(comparison k at level l | M) and u[k][l] = P(level l | U);
- the prior share of matches, one per group of pairs (an Airwars-IBC pair on the same day is
  far likelier to be one event than two Airwars records on the same day).

Comparisons are taken as independent given M or U (the model's usual assumption). The candidate
pairs are the population EM learns from, so u describes what two *different* events on
neighbouring days look like, which is exactly the confusion the model has to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Prior weight, as a share of each class's pairs, pulling each level's m and u towards the level's
# share among all pairs: a level seen a handful of times then weighs about nothing instead of a
# spurious lot.
PRIOR_SHARE = 0.0001
MAX_ITERATIONS = 300
TOLERANCE = 1e-7


@dataclass
class FellegiSunterModel:
    names: list[str]
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: np.ndarray  # per group: P(match) for a candidate pair of that group
    iterations: int

    def log_bayes_factor(self, levels: np.ndarray) -> np.ndarray:
        """Sum over comparisons of log(m/u) at each pair's level (natural log; 0 where unknown)."""
        total = np.zeros(levels.shape[0])
        for k in range(levels.shape[1]):
            level = levels[:, k]
            known = level >= 0
            ratio = np.log(self.m[k]) - np.log(self.u[k])
            total[known] += ratio[level[known]]
        return total

    def log_odds(self, levels: np.ndarray, groups: np.ndarray) -> np.ndarray:
        """Posterior log-odds that each pair is one event."""
        prior = np.clip(self.prior[groups], 1e-9, 1 - 1e-9)
        return np.log(prior) - np.log1p(-prior) + self.log_bayes_factor(levels)

    def table(self, labels: dict[str, list[str]]) -> list[dict]:
        """The estimated parameters, one row per comparison level, for the docs and the asset metadata."""
        rows = []
        for k, name in enumerate(self.names):
            for l, label in enumerate(labels[name]):
                rows.append({"comparison": name, "level": label, "m": float(self.m[k][l]), "u": float(self.u[k][l]), "weight_bits": float(np.log2(self.m[k][l] / self.u[k][l]))})
        return rows


def estimate(levels: np.ndarray, groups: np.ndarray, n_levels: list[int], names: list[str], most_matches: np.ndarray, fixed: dict[int, tuple[np.ndarray, np.ndarray]] | None = None, weights: np.ndarray | None = None) -> FellegiSunterModel:
    """EM from a start where agreement (level 0) is likelier among matches, so the classes do not swap.

    `most_matches[g]` bounds the matches group g can hold (one record of a source is one event, so
    no more matches than the smaller source has records): without it a group whose pairs say
    little (a coalition assessment gives only a date and a place) can be explained as all matches.
    `fixed` holds comparisons whose m and u are already known (from another set of pairs) and stay put.
    `weights[i]`: how many pairs of the population row i stands for (a row can be one pattern of
    levels shared by many pairs, or a pair sampled with chance 1/w); by default one each."""
    n_groups = len(most_matches)
    n_comparisons = levels.shape[1]
    weights = np.ones(levels.shape[0]) if weights is None else np.asarray(weights, dtype=float)
    pairs_per_group = np.bincount(groups, weights=weights, minlength=n_groups)
    ceiling = np.minimum(1.0, most_matches / np.maximum(pairs_per_group, 1))
    n_pairs = float(weights.sum())
    m = [0.3 ** np.arange(n) for n in n_levels]
    m = [v / v.sum() for v in m]
    u = [np.ones(n) / n for n in n_levels]
    fixed = fixed or {}
    for k, (known_m, known_u) in fixed.items():
        m[k], u[k] = known_m, known_u
    prior = np.minimum(0.1, ceiling)
    previous = -np.inf
    iteration = 0
    for iteration in range(1, MAX_ITERATIONS + 1):
        model = FellegiSunterModel(names, m, u, prior, iteration)
        odds = model.log_odds(levels, groups)
        posterior = 1.0 / (1.0 + np.exp(-np.clip(odds, -50, 50)))
        as_match_weight, as_other_weight = posterior * weights, (1 - posterior) * weights
        # M-step: expected counts per level among matches and non-matches.
        m, u = [], []
        for k in range(n_comparisons):
            if k in fixed:
                m.append(fixed[k][0])
                u.append(fixed[k][1])
                continue
            level = levels[:, k]
            known = level >= 0
            if not known.any():  # no pair has this comparison: it says nothing
                m.append(np.ones(n_levels[k]) / n_levels[k])
                u.append(np.ones(n_levels[k]) / n_levels[k])
                continue
            share = (np.bincount(level[known], weights=weights[known], minlength=n_levels[k]) + 1.0) / (weights[known].sum() + n_levels[k])
            as_match = np.bincount(level[known], weights=as_match_weight[known], minlength=n_levels[k])
            as_other = np.bincount(level[known], weights=as_other_weight[known], minlength=n_levels[k])
            as_match, as_other = as_match + PRIOR_SHARE * as_match.sum() * share, as_other + PRIOR_SHARE * as_other.sum() * share
            m.append(as_match / as_match.sum())
            u.append(as_other / as_other.sum())
        prior = np.minimum((np.bincount(groups, weights=as_match_weight, minlength=n_groups) + 0.01) / (pairs_per_group + 0.02), ceiling)
        # The expected-data log-likelihood change is a cheap convergence test.
        likelihood = float(np.sum(as_match_weight))
        if abs(likelihood - previous) < TOLERANCE * max(1.0, n_pairs):
            break
        previous = likelihood
    return FellegiSunterModel(names, m, u, prior, iteration)

