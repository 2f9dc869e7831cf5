"""Tallies: deaths by party, weapon, month, bank and neighbourhood; official and UN comparisons."""

from __future__ import annotations

import polars as pl

from pipeline.codes import PARTIES

TALLY_SCHEMA = {"dimension": pl.String, "value": pl.String, "party": pl.String, "deaths": pl.Int64}


def _tally(victims: pl.DataFrame, dimension: str, expr: pl.Expr) -> pl.DataFrame:
    return (
        victims.with_columns(expr.cast(pl.String).fill_null("unknown").alias("value"))
        .group_by("value", "party").agg(pl.len().cast(pl.Int64).alias("deaths"))
        .with_columns(pl.lit(dimension).alias("dimension"))
        .select(list(TALLY_SCHEMA))
    )


def build_tallies(victims: pl.DataFrame, staged: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    tallies = pl.concat([
        _tally(victims, "all", pl.lit("all")),
        _tally(victims, "weapon", pl.col("weapon")),
        _tally(victims, "month", pl.col("date_of_death").dt.strftime("%Y-%m")),
        _tally(victims, "bank", pl.col("bank")),
        _tally(victims, "neighbourhood", pl.col("neighbourhood_id")),
    ]).sort("dimension", "value", "party")
    return {"tallies": tallies, "official_comparison": official_comparison(victims, staged["staged_official_claims"]), "un_crosscheck": un_crosscheck(victims, staged["staged_un_casualties"])}


def official_comparison(victims: pl.DataFrame, claims: pl.DataFrame) -> pl.DataFrame:
    """Each official figure against what the records document: the documented deaths the
    claimant's figure covers, and the multiple."""
    documented_total = len(victims)
    documented_coalition = victims.filter(pl.col("party") == "coalition_or_iraqi").height
    rows = []
    for claimant, killed, statement_date in claims.select("claimant", "civilians_killed", "statement_date").iter_rows():
        # The coalition speaks of deaths it caused; the government of all civilian deaths.
        compared, label = (documented_coalition, "documented deaths attributed to coalition or Iraqi forces") if claimant == "CJTF-OIR" else (documented_total, "all documented civilian deaths")
        rows.append({"claimant": claimant, "statement_date": statement_date, "official_figure": killed, "documented": compared, "documented_what": label, "multiple": round(compared / killed, 2) if killed else None})
    schema = {"claimant": pl.String, "statement_date": pl.Date, "official_figure": pl.Int64, "documented": pl.Int64, "documented_what": pl.String, "multiple": pl.Float64}
    return pl.DataFrame(rows, schema=schema)


def un_crosscheck(victims: pl.DataFrame, un: pl.DataFrame) -> pl.DataFrame:
    """The UN's count for each period, area and perpetrator against the pipeline's documented
    deaths in the same cell (date of death in the period; area by bank)."""
    rows = []
    for key, start, end, area, perpetrator, killed, note in un.select("record_key", "period_start", "period_end", "area", "perpetrator", "killed", "note").iter_rows():
        cell = victims.filter((pl.col("party") == perpetrator) & pl.col("date_of_death").is_between(start, end))
        if area != "all":
            cell = cell.filter(pl.col("bank") == area)
        rows.append({"un_record": key, "period_start": start, "period_end": end, "area": area, "perpetrator": perpetrator, "un_killed": killed, "documented": len(cell), "difference": len(cell) - killed, "note": note})
    schema = {"un_record": pl.String, "period_start": pl.Date, "period_end": pl.Date, "area": pl.String, "perpetrator": pl.String, "un_killed": pl.Int64, "documented": pl.Int64, "difference": pl.Int64, "note": pl.String}
    return pl.DataFrame(rows, schema=schema)


def party_shares(victims: pl.DataFrame) -> dict[str, float]:
    total = max(len(victims), 1)
    counts = dict(victims.group_by("party").len().iter_rows())
    return {party: counts.get(party, 0) / total for party in PARTIES}
