"""Capture histories: which of the named lists saw each documented victim, and its strata.

Two flags say whether a victim can take part in capture-recapture at all:
- `is_unidentified`: a morgue body with no name can never be matched to another list, so the
  morgue's list, as the model sees it, is the list of *identified* bodies (see strata.py).
- `is_unnamed`: a list victim known only by role ("a child", "his wife") cannot be matched
  either; it is left out of the model for the same reason.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.codes import NAMED_LISTS

# The west Mosul offensive began on 19 February 2017: the two phases were fought on different
# banks, by different means, and the bodies reached the morgue by different routes.
WEST_OFFENSIVE = dt.date(2017, 2, 19)
PERIODS = ("east_phase", "west_phase", "unknown")


def capture_histories(victims: pl.DataFrame) -> pl.DataFrame:
    """One row per victim: victim_id, in_<list> for each named list, bank, period, party,
    is_unidentified, is_unnamed. `party` is null when attribution has not run."""
    def column_or(name: str, default: pl.Expr) -> pl.Expr:
        return pl.col(name) if name in victims.columns else default

    party = column_or("party", pl.lit(None, pl.String))
    unidentified = column_or("is_unidentified", pl.lit(False)).fill_null(False)
    name_ar = column_or("name_ar", pl.lit("?"))
    name_latin = column_or("name_latin", pl.lit("?"))
    period = (
        pl.when(pl.col("date_of_death").is_null()).then(pl.lit("unknown"))
        .when(pl.col("date_of_death") < WEST_OFFENSIVE).then(pl.lit("east_phase"))
        .otherwise(pl.lit("west_phase"))
    )
    return victims.select(
        "victim_id",
        *[pl.col("sources").list.contains(source).alias(f"in_{source}") for source in NAMED_LISTS],
        pl.col("bank").cast(pl.String),
        period.alias("period"),
        party.cast(pl.String).alias("party"),
        unidentified.alias("is_unidentified"),
        # With linkage output, `is_linkable` says whether any record carried a name the linker
        # could match (a kunya or "wife of Ali" could not either); otherwise: no name at all.
        ((~pl.col("is_linkable") if "is_linkable" in victims.columns else (name_ar.is_null() & name_latin.is_null())) & ~unidentified).alias("is_unnamed"),
    )
