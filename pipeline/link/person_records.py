"""Every record that describes one dead person, from the four named lists, in one shape.

A list victim takes its incident's start date and place: a victim of an Airwars incident died on
its date, where it happened. Name features come from pipeline/link/names.py: the lexicon is
learned from all the names at once, so an English spelling resolves to the Arabic name the
morgue wrote.
"""

from __future__ import annotations

import polars as pl

from pipeline.link.names import PARTS, NameLexicon, ParsedName, build_lexicon, name_parts, parse_arabic, parse_latin  # noqa: F401

BASE_COLUMNS = {
    "record_key": pl.String, "source": pl.String, "incident_key": pl.String, "name_original": pl.String,
    "name_ar": pl.String, "name_latin": pl.String, "is_unidentified": pl.Boolean, "sex": pl.String, "age": pl.Int64,
    "date_of_death": pl.Date, "neighbourhood_id": pl.String, "bank": pl.String, "cause": pl.String,
}
NAME_COLUMNS = {
    **{f"{part}_key": pl.String for part in PARTS},
    **{f"{part}_sk": pl.String for part in PARTS},
    **{f"{part}_rom": pl.String for part in PARTS},
    **{f"{part}_alts": pl.List(pl.String) for part in PARTS},
    "name_key": pl.String, "has_name": pl.Boolean, "is_relational": pl.Boolean, "n_name_tokens": pl.Int64,
}
COLUMNS = {**BASE_COLUMNS, **NAME_COLUMNS}


def _empty(schema: dict) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def _list_victims(staged: dict[str, pl.DataFrame], victims_table: str, incidents_table: str, source: str, date_column: str) -> pl.DataFrame:
    victims = staged.get(victims_table)
    if victims is None or victims.is_empty():
        return _empty(BASE_COLUMNS)
    incidents = staged.get(incidents_table)
    if incidents is None or incidents.is_empty():
        places = pl.DataFrame(schema={"incident_key": pl.String, "date_of_death": pl.Date, "neighbourhood_id": pl.String, "bank": pl.String})
    else:
        places = incidents.select(pl.col("record_key").alias("incident_key"), pl.col(date_column).alias("date_of_death"), "neighbourhood_id", "bank")
    joined = victims.join(places, on="incident_key", how="left")
    name_ar = pl.col("name_ar") if "name_ar" in victims.columns else pl.lit(None, pl.String)
    return joined.select(
        "record_key", pl.lit(source).alias("source"), "incident_key", "name_original", name_ar.alias("name_ar"), "name_latin",
        pl.lit(False).alias("is_unidentified"), "sex", "age", "date_of_death", "neighbourhood_id", "bank", pl.lit(None, pl.String).alias("cause"),
    ).cast(BASE_COLUMNS)


def _morgue(staged: dict[str, pl.DataFrame]) -> pl.DataFrame:
    morgue = staged.get("staged_morgue")
    if morgue is None or morgue.is_empty():
        return _empty(BASE_COLUMNS)
    return morgue.select(
        "record_key", pl.lit("morgue").alias("source"), pl.lit(None, pl.String).alias("incident_key"), "name_original", "name_ar",
        pl.lit(None, pl.String).alias("name_latin"), "is_unidentified", "sex", "age", "date_of_death", "neighbourhood_id", "bank", "cause",
    ).cast(BASE_COLUMNS)


def parse_record_name(name_ar: str | None, name_original: str | None, is_unidentified: bool) -> ParsedName:
    """The Arabic name where the record has one (the morgue; some Airwars victims), else the
    English. An unidentified body has no name to compare: مجهول الهوية is not a name."""
    if is_unidentified:
        return ParsedName("ar", (), (), False)
    if name_ar:
        parsed = parse_arabic(name_ar)
        if parsed.tokens:
            return parsed
    return parse_latin(name_original)


NAME_INPUTS = ["name_ar", "name_original", "is_unidentified"]


def add_name_features(records: pl.DataFrame, lexicon: NameLexicon | None = None) -> pl.DataFrame:
    """Name-part columns (canonical, skeleton, display spelling and fitting canonical forms of
    given, father, grandfather and family names), the whole-name key, and a Latin name for
    records that have only Arabic. Names repeat, so the work is done once per distinct name."""
    distinct = records.group_by([*NAME_INPUTS, "sex"]).len().sort([*NAME_INPUTS, "sex"], nulls_last=True)
    parsed = {
        key: parse_record_name(key[0], key[1], bool(key[2]))
        for key in distinct.select(NAME_INPUTS).unique(maintain_order=True).iter_rows()
    }
    if lexicon is None:
        lexicon = build_lexicon((parsed[(ar, original, unidentified)], sex, count) for ar, original, unidentified, sex, count in distinct.iter_rows())
    columns: dict[str, list] = {name: [] for name in [*NAME_INPUTS, *NAME_COLUMNS]}
    for key, name in parsed.items():
        parts = name_parts(name, lexicon)
        for column, value in zip(NAME_INPUTS, key):
            columns[column].append(value)
        for part in PARTS:
            columns[f"{part}_key"].append(parts.canonical[part])
            columns[f"{part}_sk"].append(parts.skeleton[part])
            columns[f"{part}_rom"].append(parts.display[part])
            alternatives = parts.alternatives[part]
            columns[f"{part}_alts"].append(None if alternatives is None else "\t".join(alternatives))
        columns["name_key"].append("|".join(parts.canonical[p] or "" for p in PARTS) if parts.canonical["given"] else None)
        columns["has_name"].append(parts.canonical["given"] is not None)
        columns["is_relational"].append(parts.relational)
        columns["n_name_tokens"].append(parts.n_tokens)
    # Lists travel as tab-joined strings and are split by polars: building a list column from
    # Python lists costs one Series per row.
    text_schema = {c: (pl.String if c.endswith("_alts") else t) for c, t in NAME_COLUMNS.items()}
    features = pl.DataFrame(columns, schema={**{c: records.schema[c] for c in NAME_INPUTS}, **text_schema})
    features = features.with_columns(pl.col(f"{part}_alts").str.split("\t") for part in PARTS)
    out = records.join(features, on=NAME_INPUTS, how="left", nulls_equal=True, maintain_order="left")
    # A Latin name for Arabic-only records: each part as the lists spell it most often, else
    # transliterated; the family name with its article (al-Jubouri).
    family = pl.col("family_rom")
    family_display = pl.when(family.str.starts_with("al-")).then(family).otherwise(pl.lit("al-") + family.str.to_titlecase())
    display = pl.concat_str([pl.col(f"{p}_rom").str.to_titlecase() for p in PARTS[:3]], separator=" ", ignore_nulls=True)
    latin_from_arabic = pl.when(family.is_not_null()).then(pl.concat_str([display, family_display], separator=" ")).otherwise(display)
    return out.with_columns(
        pl.when(pl.col("name_latin").is_null() & pl.col("has_name")).then(latin_from_arabic).otherwise(pl.col("name_latin")).alias("name_latin")
    )


def build_person_records(staged: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """staged: the staged tables by name (docs/tables.md). Missing or empty tables are allowed:
    a source absent from the run contributes no records."""
    frames = [
        _morgue(staged),
        _list_victims(staged, "staged_airwars_victims", "staged_airwars_incidents", "airwars", "date_start"),
        _list_victims(staged, "staged_ibc_victims", "staged_ibc_incidents", "ibc", "date_start"),
        _list_victims(staged, "staged_amnesty_victims", "staged_amnesty_incidents", "amnesty", "date"),
    ]
    records = pl.concat(frames, how="vertical").sort("record_key")
    return add_name_features(records).select(list(COLUMNS))
