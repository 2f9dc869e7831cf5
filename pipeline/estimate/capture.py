"""Capture histories: which of the named lists saw each documented victim."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.codes import NAMED_LISTS

WEST_OFFENSIVE = dt.date(2017, 2, 19)


def capture_histories(victims: pl.DataFrame) -> pl.DataFrame:
    party = pl.col("party") if "party" in victims.columns else pl.lit(None, pl.String)
    period = (
        pl.when(pl.col("date_of_death").is_null()).then(pl.lit("unknown"))
        .when(pl.col("date_of_death") < WEST_OFFENSIVE).then(pl.lit("east_phase"))
        .otherwise(pl.lit("west_phase"))
    )
    return victims.select(
        "victim_id",
        *[pl.col("sources").list.contains(source).alias(f"in_{source}") for source in NAMED_LISTS],
        pl.col("bank"), period.alias("period"), party.alias("party"), "is_unidentified",
        # A victim known only by role ("and her three children") or by relation ("wife of Ali")
        # could never be matched to another list.
        (~pl.col("is_linkable") & ~pl.col("is_unidentified")).alias("is_unnamed"),
    )
