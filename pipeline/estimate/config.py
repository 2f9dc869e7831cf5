"""The estimator's settings, with the reasons for their defaults."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.codes import NAMED_LISTS


@dataclass(frozen=True)
class EstimationConfig:
    lists: tuple[str, ...] = NAMED_LISTS
    # Model weights: AIC (the default) or BIC. Measured on the simulator in docs/estimation.md.
    criterion: str = "aic"
    # A stratum is estimated on its own only if at least this many people in it are on two or
    # more lists; fewer, and the overlap cells are too small to say anything (it is pooled).
    min_overlap: int = 30
    # A list sharing fewer people than this with the other lists of a stratum is left out of that
    # stratum's model: with no overlap, a list's capture rate, and so the total, is unbounded.
    min_list_overlap: int = 5
    # A model or a stratum whose unseen count exceeds this multiple of the observed is unbounded
    # (a near-empty cell), not an estimate.
    max_ratio: float = 10.0
    # Strata: variables recorded for a person independently of which lists saw them.
    strata: tuple[str, ...] = ("bank", "period")
    # Monte Carlo draws (seeded: the table is reproducible) for the interval of the sum of strata.
    draws: int = 20_000
    seed: int = 20171221
    level: float = 0.95
    # Victim pairs the linkage left undecided (the review queue's `uncertain` pairs) count as one
    # person with their match probability (pipeline/estimate/undecided.py); False: as two.
    undecided_links: bool = True
    # The `all` row's interval also covers the estimates with every undecided pair resolved one
    # way: all merged, all apart (table.py, linkage_envelope). The model's interval knows nothing of
    # the linkage; False: the model's interval alone.
    linkage_envelope: bool = True
    # The Bayesian latent-class second opinion on the `all` row (about half a second).
    latent_class: bool = True
