"""Every record that describes one dead person, from the four named lists, in one shape.

List victims take their incident's date and place: a victim of an Airwars incident died on its
date, where it happened. Name features (pipeline/link/names.py) are added for the linker.
"""

from __future__ import annotations

import polars as pl

from pipeline.link.names import arabic_name_parts, latin_name_parts, name_key, romanise_arabic

PARTS = ("given", "father", "grandfather", "family")
COLUMNS = {
    "record_key": pl.String, "source": pl.String, "incident_key": pl.String, "name_original": pl.String,
    "name_ar": pl.String, "name_latin": pl.String, "is_unidentified": pl.Boolean, "sex": pl.String, "age": pl.Int64,
    "date_of_death": pl.Date, "neighbourhood_id": pl.String, "bank": pl.String, "cause": pl.String,
}


def _victims_with_incident(victims: pl.DataFrame, incidents: pl.DataFrame, source: str, date_column: str) -> pl.DataFrame:
    if victims.is_empty():
        return pl.DataFrame(schema=COLUMNS)
    places = incidents.select(
        pl.col("record_key").alias("incident_key"), pl.col(date_column).alias("date_of_death"), "neighbourhood_id", "bank"
    )
    joined = victims.join(places, on="incident_key", how="left")
    name_ar = pl.col("name_ar") if "name_ar" in victims.columns else pl.lit(None, pl.String)
    return joined.select(
        "record_key", pl.lit(source).alias("source"), "incident_key", "name_original", name_ar.alias("name_ar"), "name_latin",
        pl.lit(False).alias("is_unidentified"), "sex", "age", "date_of_death", "neighbourhood_id", "bank", pl.lit(None, pl.String).alias("cause"),
    ).cast(COLUMNS)


def _morgue(morgue: pl.DataFrame) -> pl.DataFrame:
    if morgue.is_empty():
        return pl.DataFrame(schema=COLUMNS)
    return morgue.select(
        "record_key", pl.lit("morgue").alias("source"), pl.lit(None, pl.String).alias("incident_key"), "name_original", "name_ar",
        pl.col("name_ar").map_elements(romanise_arabic, return_dtype=pl.String).alias("name_latin"),
        "is_unidentified", "sex", "age", "date_of_death", "neighbourhood_id", "bank", "cause",
    ).cast(COLUMNS)


def name_features(records: pl.DataFrame) -> pl.DataFrame:
    """Skeleton of each name part, the whole-name key, and whether the name is a relation or kunya.
    Arabic script is used where the record has it (morgue), the Latin spelling otherwise."""
    rows = []
    for source, original, name_ar, unidentified in records.select("source", "name_original", "name_ar", "is_unidentified").iter_rows():
        if unidentified:
            parts = arabic_name_parts(None)
        elif source == "morgue":
            parts = arabic_name_parts(name_ar)
        else:
            parts = latin_name_parts(original)
        rows.append({**{f"{p}_key": parts.part(p) for p in PARTS}, "name_key": name_key(parts), "is_relational": parts.relational, "n_name_tokens": len(parts.tokens)})
    schema = {**{f"{p}_key": pl.String for p in PARTS}, "name_key": pl.String, "is_relational": pl.Boolean, "n_name_tokens": pl.Int64}
    return pl.concat([records, pl.DataFrame(rows, schema=schema)], how="horizontal")


def build_person_records(staged: dict[str, pl.DataFrame]) -> pl.DataFrame:
    frames = [
        _morgue(staged["staged_morgue"]),
        _victims_with_incident(staged["staged_airwars_victims"], staged["staged_airwars_incidents"], "airwars", "date_start"),
        _victims_with_incident(staged["staged_ibc_victims"], staged["staged_ibc_incidents"], "ibc", "date_start"),
        _victims_with_incident(staged["staged_amnesty_victims"], staged["staged_amnesty_incidents"], "amnesty", "date"),
    ]
    return name_features(pl.concat(frames, how="vertical")).sort("record_key")
