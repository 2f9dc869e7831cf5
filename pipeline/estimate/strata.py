"""Estimates per stratum and overall, with the failure modes guarded.

- Lists that saw nobody in a stratum are left out of its model (Amnesty covers west Mosul only).
- A stratum with fewer than MIN_OVERLAP victims seen by two or more lists is pooled into the
  overall estimate and flagged, not reported with false precision.
- Unidentified bodies can be captured only by the morgue (no name to match), so they are kept
  out of the log-linear model; they are added back scaled by the morgue's estimated capture
  rate among identified victims (documented in docs/estimation.md).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from pipeline.codes import NAMED_LISTS
from pipeline.estimate.loglinear import Z95, cell_counts, chapman, fit_models, model_average

MIN_OVERLAP = 30
ESTIMATE_SCHEMA = {"stratum": pl.String, "documented": pl.Int64, "estimate": pl.Float64, "lower": pl.Float64, "upper": pl.Float64, "method": pl.String, "headline": pl.String}


def _estimate_group(histories: pl.DataFrame) -> dict | None:
    # Unnamed list victims are part of the population the model estimates (they may be in the
    # morgue too), so they are neither modelled nor added back.
    identified = histories.filter(~pl.col("is_unidentified") & ~pl.col("is_unnamed"))
    unidentified = histories.filter(pl.col("is_unidentified")).height
    lists = [s for s in NAMED_LISTS if identified[f"in_{s}"].any()]
    if len(lists) < 2:
        return None
    captures = identified.select([f"in_{s}" for s in lists]).to_numpy().astype(bool)
    if int((captures.sum(axis=1) >= 2).sum()) < MIN_OVERLAP:
        return None
    patterns, counts = cell_counts(captures)
    results = fit_models(patterns, counts)
    if not results:
        return None
    averaged = model_average(results, observed=len(identified))
    in_morgue = identified["in_morgue"].sum() if "morgue" in lists else 0
    # The morgue's capture rate among identified victims, to scale unidentified bodies up.
    morgue_rate = min(1.0, in_morgue / averaged["estimate"]) if in_morgue else 1.0
    extra = unidentified / morgue_rate if morgue_rate > 0 else unidentified
    names = "+".join(lists)
    method = f"log-linear MSE over {names}, AIC-averaged over {averaged['n_models']} hierarchical models (best: {_describe(averaged['best_model'], lists)}); unidentified bodies scaled by morgue capture rate {morgue_rate:.3f}"
    return {"estimate": averaged["estimate"] + extra, "lower": averaged["lower"] + unidentified, "upper": averaged["upper"] + extra * 1.0, "method": method}


def _describe(interactions, lists) -> str:
    if not interactions:
        return "independence"
    return ", ".join(f"{lists[i]}x{lists[j]}" for i, j in interactions)


def estimate(histories: pl.DataFrame, strata_column: str = "bank") -> pl.DataFrame:
    rows = []
    overall = _estimate_group(histories)
    strata_total = {"estimate": 0.0, "lower_var": 0.0, "documented": 0, "ok": True}
    for value in sorted(histories[strata_column].drop_nulls().unique().to_list()):
        group = histories.filter(pl.col(strata_column) == value)
        result = _estimate_group(group)
        if result is None:
            strata_total["ok"] = False
            rows.append({"stratum": f"{strata_column}={value}", "documented": group.height, "estimate": None, "lower": None, "upper": None, "method": f"too few overlaps (< {MIN_OVERLAP}) or lists; pooled into the overall estimate"})
            continue
        rows.append({"stratum": f"{strata_column}={value}", "documented": group.height, **result})
    unknown = histories.filter(pl.col(strata_column).is_null())
    if unknown.height:
        rows.append({"stratum": f"{strata_column}=unknown", "documented": unknown.height, "estimate": None, "lower": None, "upper": None, "method": "place unknown: counted in the overall estimate only"})
    # Sum of strata: the strata's estimates plus the unstratifiable victims scaled by the overall rate.
    stratified = [r for r in rows if r["estimate"] is not None]
    if overall is not None and stratified:
        covered = sum(r["documented"] for r in stratified)
        rate = overall["estimate"] / histories.height
        total = sum(r["estimate"] for r in stratified) + (histories.height - covered) * rate
        half_widths = [((r["upper"] - r["lower"]) / 2) for r in stratified]
        spread = float(np.sqrt(np.sum(np.square(half_widths))))
        rows.append({"stratum": "sum_of_strata", "documented": histories.height, "estimate": total, "lower": max(histories.height, total - spread), "upper": total + spread, "method": f"sum of {strata_column} strata; unstratified victims scaled by the overall ratio"})
    if overall is not None:
        rows.insert(0, {"stratum": "all", "documented": histories.height, **overall})
    else:
        rows.insert(0, {"stratum": "all", "documented": histories.height, "estimate": None, "lower": None, "upper": None, "method": "not estimable: too few overlaps between lists"})
    frame = pl.DataFrame([{**r, "headline": None} for r in rows], schema=ESTIMATE_SCHEMA)
    return frame.with_columns(pl.when(pl.col("stratum") == "all").then(pl.lit(headline(frame))).otherwise(None).alias("headline"))


def headline(estimates: pl.DataFrame) -> str:
    row = estimates.filter(pl.col("stratum") == "all").row(0, named=True)
    if row["estimate"] is None:
        return f"{row['documented']:,} civilians are documented by name or record; the lists overlap too little to estimate how many no list recorded."
    return f"Between {_round(row['lower']):,} and {_round(row['upper']):,} civilians died (central estimate {_round(row['estimate']):,}); {row['documented']:,} are documented by name or record."


def _round(value: float) -> int:
    return int(round(value, -1))
