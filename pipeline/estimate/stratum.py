"""One stratum's estimate: which lists enter its model, whether it is estimable, and how.

A stratum is not reported with false precision: with fewer than `min_overlap` people on two or
more lists, or fewer than two lists that overlap, or a likelihood that does not bound the total,
it gets no estimate of its own and a flag saying why (the caller pools it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from pipeline.estimate.chapman import chapman_interval
from pipeline.estimate.config import EstimationConfig
from pipeline.estimate.loglinear import cell_counts, describe, model_averaged


@dataclass(frozen=True)
class StratumEstimate:
    observed: float  # people in the model (identified, named), allocated shares included
    estimate: float | None
    lower: float | None
    upper: float | None
    method: str
    flag: str | None  # why there is no estimate: sparse, unstable; null when estimated
    chapman: tuple[float, float, float] | None  # morgue against the union of the other lists
    lists: tuple[str, ...] = ()  # the lists in the model


def usable_lists(rows: pl.DataFrame, lists: tuple[str, ...], config: EstimationConfig) -> tuple[list[str], list[str]]:
    """Lists that saw someone here and share at least min_list_overlap people with the others."""
    present = [s for s in lists if rows.filter(pl.col(f"in_{s}"))["weight"].sum() > 0]
    kept, dropped = list(present), []
    changed = True
    while changed and len(kept) >= 2:  # dropping one list can strand another
        changed = False
        for source in list(kept):
            others = [pl.col(f"in_{o}") for o in kept if o != source]
            shared = rows.filter(pl.col(f"in_{source}") & pl.any_horizontal(others))["weight"].sum() if others else 0.0
            if shared < config.min_list_overlap:
                kept.remove(source)
                dropped.append(source)
                changed = True
    return kept, dropped


def morgue_against_others(rows: pl.DataFrame, lists: list[str]) -> tuple[float, float, float] | None:
    if "morgue" not in lists or len(lists) < 2:
        return None
    others = pl.any_horizontal([pl.col(f"in_{s}") for s in lists if s != "morgue"])
    n1 = rows.filter(pl.col("in_morgue"))["weight"].sum()
    n2 = rows.filter(others)["weight"].sum()
    m = rows.filter(pl.col("in_morgue") & others)["weight"].sum()
    return chapman_interval(n1, n2, m)


def estimate_stratum(rows: pl.DataFrame, config: EstimationConfig) -> StratumEstimate:
    """rows: in_<list> flags and `weight` (1, or a share for an allocated person)."""
    observed = float(rows["weight"].sum())
    lists, dropped = usable_lists(rows, config.lists, config)
    left_out = f"; left out for too little overlap: {', '.join(dropped)}" if dropped else ""
    if len(lists) < 2:
        return StratumEstimate(observed, None, None, None, f"not estimable: fewer than two overlapping lists{left_out}", "sparse", None)
    flags = [f"in_{s}" for s in lists]
    multiply_listed = rows.filter(pl.sum_horizontal(flags) >= 2)["weight"].sum()
    check = morgue_against_others(rows, lists)
    if multiply_listed < config.min_overlap:
        return StratumEstimate(observed, None, None, None, f"not estimable on its own: {multiply_listed:.0f} people on two or more lists (< {config.min_overlap}){left_out}", "sparse", check, tuple(lists))
    captures = rows.select(flags).to_numpy().astype(bool)
    counts = cell_counts(captures, rows["weight"].to_numpy().astype(float))
    if len(lists) == 2:
        # patterns(2) order is 01, 10, 11: counts = [only the second, only the first, both]
        n1, n2, m = counts[1] + counts[2], counts[0] + counts[2], counts[2]
        total, lower, upper = chapman_interval(n1, n2, m)
        method = f"Chapman two-list estimate, {lists[0]} x {lists[1]}{left_out}"
    else:
        result = model_averaged(counts, len(lists), config.criterion, config.max_ratio, config.level)
        if result is None:
            return StratumEstimate(observed, None, None, None, f"not estimable: every log-linear model was unbounded{left_out}", "unstable", check, tuple(lists))
        total, lower, upper = result.estimate, result.lower, result.upper
        method = (
            f"log-linear MSE over {'+'.join(lists)}: {config.criterion.upper()}-weighted average of {result.n_models} hierarchical models "
            f"(best: {describe(result.best, lists)}, weight {result.best_weight:.2f}); 95% model-averaged profile likelihood interval{left_out}"
        )
    if not math.isfinite(upper) or total > observed * (1 + config.max_ratio):
        return StratumEstimate(observed, None, None, None, f"unstable: the likelihood does not bound the total below {1 + config.max_ratio:g} times the observed{left_out}", "unstable", check, tuple(lists))
    return StratumEstimate(observed, float(total), float(lower), float(upper), method, None, check, tuple(lists))


def unseen_draws(result: StratumEstimate, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of the stratum's total: a two-piece log-normal on the unseen count, matched to its
    median (the estimate) and 95% limits, so that strata can be summed with their asymmetry."""
    unseen = max(result.estimate - result.observed, 1e-9)
    low = max(result.lower - result.observed, unseen * 1e-3)
    high = max(result.upper - result.observed, unseen)
    z = rng.standard_normal(draws)
    below, above = (math.log(unseen) - math.log(low)) / 1.959964, (math.log(high) - math.log(unseen)) / 1.959964
    return result.observed + np.exp(math.log(unseen) + np.where(z < 0, z * below, z * above))
