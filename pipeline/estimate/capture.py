"""Capture histories: which of the named lists saw each documented victim, and its strata.

Two flags say whether a victim can take part in capture-recapture at all:
- `is_unidentified`: a morgue body with no name can never be matched to another list, so the
  morgue's list, as the model sees it, is the list of *identified* bodies (see strata.py).
- `is_unnamed`: a list victim known only by role ("a child", "his wife") or by kunya cannot be
  matched either; it is left out of the model for the same reason.

The same rule holds inside a victim. The linker may attach a record without a usable name to a
named victim (by day, place, age and sex), but only when *another* list named that person: the
same record is left out when no other list saw the person. Counting the attached record as a
capture would therefore add captures only to overlaps, a dependence made by the definition, and
pull the estimate down (measured with perfect linkage on the simulator: about 4.5% when every
such record is attached; docs/estimation.md). So, given the person records, `in_<list>` of a named
victim says whether the list holds a *named* record of it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pipeline.codes import NAMED_LISTS

# The west Mosul offensive began on 19 February 2017: the two phases were fought on different
# banks, by different means, and the bodies reached the morgue by different routes.
WEST_OFFENSIVE = dt.date(2017, 2, 19)
PERIODS = ("east_phase", "west_phase", "unknown")


def named_sources(victims: pl.DataFrame, person_records: pl.DataFrame) -> pl.DataFrame:
    """victim_id -> `named_sources`, the lists holding a record of the victim with a usable name
    (`has_name`); empty for a victim without one."""
    named = person_records.lazy().filter(pl.col("has_name")).select("record_key", "source")
    found = (
        victims.lazy().select("victim_id", pl.col("record_keys").alias("record_key")).explode("record_key")
        .join(named, on="record_key", how="inner")
        .group_by("victim_id").agg(pl.col("source").unique().sort().alias("named_sources"))
    )
    return victims.lazy().select("victim_id").join(found, on="victim_id", how="left").with_columns(
        pl.col("named_sources").fill_null(pl.lit([], dtype=pl.List(pl.String)))
    ).collect()


def capture_histories(victims: pl.DataFrame, person_records: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per victim: victim_id, in_<list> for each named list, bank, period, party,
    is_unidentified, is_unnamed. `party` is null when attribution has not run.

    person_records (record_key, source, has_name), when given, restricts a named victim's
    captures to its named records (see the module's docstring); a victim without any named record
    keeps all its lists (it is documented, not modelled). Without them, every record counts."""
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
    captured = pl.col("sources")
    if person_records is not None:
        victims = victims.join(named_sources(victims, person_records), on="victim_id", how="left", maintain_order="left")
        captured = pl.when(pl.col("named_sources").list.len() > 0).then(pl.col("named_sources")).otherwise(pl.col("sources"))
    return victims.select(
        "victim_id",
        *[captured.list.contains(source).alias(f"in_{source}") for source in NAMED_LISTS],
        pl.col("bank").cast(pl.String),
        period.alias("period"),
        party.cast(pl.String).alias("party"),
        unidentified.alias("is_unidentified"),
        # With linkage output, `is_linkable` says whether any record carried a name the linker
        # could match (a kunya or "wife of Ali" could not either); otherwise: no name at all.
        ((~pl.col("is_linkable") if "is_linkable" in victims.columns else (name_ar.is_null() & name_latin.is_null())) & ~unidentified).alias("is_unnamed"),
    )
