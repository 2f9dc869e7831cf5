"""Staged tables: typed, normalised rows of each source (docs/tables.md, Staged)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandera.polars as pa
import polars as pl

from pipeline.codes import (
    AGE_MAX, AGE_MIN, AMNESTY_ATTRIBUTIONS, BANKS, BELLIGERENTS, CAUSES, EARLIEST_DEATH, GRADINGS, PARTIES,
    PLACE_STATUSES, REGISTRATION_END, SEXES, SOURCES, WEAPONS,
)
from schemas import RECORD_KEY, empty_frame  # noqa: F401  (empty_frame re-exported for the staged assets)

DATE_RANGE = {"ge": EARLIEST_DEATH, "le": REGISTRATION_END}


class _Base(pa.DataFrameModel):
    record_key: str = pa.Field(unique=True, description="source record key (sources.md, Record keys)")
    snapshot: str = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}$", description="dated snapshot folder")
    source_row: int = pa.Field(ge=1, description="1-based data row in the file, or index in the JSON array")

    class Config:
        strict = True
        coerce = False


class _Place(pa.DataFrameModel):
    neighbourhood_id: Optional[str] = pa.Field(nullable=True, description="gazetteer id")
    bank: Optional[str] = pa.Field(nullable=True, isin=list(BANKS))
    place_status: str = pa.Field(isin=list(PLACE_STATUSES))


class StagedMorgue(_Base, _Place):
    serial: int = pa.Field(ge=1, unique=True, description="ت")
    name_original: str = pa.Field(description="الاسم as written")
    name_ar: Optional[str] = pa.Field(nullable=True, description="normalised Arabic name")
    is_unidentified: bool = pa.Field(description="مجهول الهوية")
    sex: Optional[str] = pa.Field(nullable=True, isin=list(SEXES))
    age: Optional[int] = pa.Field(nullable=True, ge=AGE_MIN, le=AGE_MAX, description="years; infant = 0")
    date_of_death: Optional[dt.date] = pa.Field(nullable=True, **DATE_RANGE)
    date_received: dt.date = pa.Field(**DATE_RANGE)
    place_original: Optional[str] = pa.Field(nullable=True)
    cause_original: Optional[str] = pa.Field(nullable=True)
    cause: str = pa.Field(isin=list(CAUSES))
    notes: Optional[str] = pa.Field(nullable=True)


class StagedAirwarsIncidents(_Base, _Place):
    code: str = pa.Field(unique=True)
    date_start: dt.date = pa.Field(**DATE_RANGE)
    date_end: dt.date = pa.Field(**DATE_RANGE)
    location_original: Optional[str] = pa.Field(nullable=True)
    latitude: Optional[float] = pa.Field(nullable=True, ge=35.5, le=37.0)
    longitude: Optional[float] = pa.Field(nullable=True, ge=42.5, le=44.0)
    belligerents: list[str] = pa.Field(description=f"codes: {list(BELLIGERENTS)}")
    strike_types: list[str] = pa.Field(description=f"weapon codes: {list(WEAPONS)}")
    grading: str = pa.Field(isin=list(GRADINGS))
    killed_min: int = pa.Field(ge=0)
    killed_max: int = pa.Field(ge=0)
    injured_min: Optional[int] = pa.Field(nullable=True, ge=0)
    injured_max: Optional[int] = pa.Field(nullable=True, ge=0)
    n_named_victims: int = pa.Field(ge=0)
    outlets: list[str] = pa.Field()
    summary: Optional[str] = pa.Field(nullable=True)

    @pa.dataframe_check(description="killed_min <= killed_max and date_start <= date_end")
    def ranges_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("killed_min") <= pl.col("killed_max")) & (pl.col("date_start") <= pl.col("date_end")))


class _Victim(pa.DataFrameModel):
    incident_key: str = pa.Field(description="record key of the incident the victim belongs to")
    sex: Optional[str] = pa.Field(nullable=True, isin=list(SEXES))
    age: Optional[int] = pa.Field(nullable=True, ge=AGE_MIN, le=AGE_MAX)


class StagedAirwarsVictims(_Base, _Victim):
    position: int = pa.Field(ge=1)
    name_original: str = pa.Field()
    name_latin: Optional[str] = pa.Field(nullable=True)
    name_ar_original: Optional[str] = pa.Field(nullable=True)
    name_ar: Optional[str] = pa.Field(nullable=True)
    note: Optional[str] = pa.Field(nullable=True)


class StagedIbcIncidents(_Base, _Place):
    code: str = pa.Field(unique=True)
    date_start: dt.date = pa.Field(**DATE_RANGE)
    date_end: dt.date = pa.Field(**DATE_RANGE)
    time_of_day: Optional[str] = pa.Field(nullable=True)
    location_original: Optional[str] = pa.Field(nullable=True)
    target: Optional[str] = pa.Field(nullable=True)
    weapons_original: Optional[str] = pa.Field(nullable=True)
    weapon: str = pa.Field(isin=list(WEAPONS))
    killed_min: int = pa.Field(ge=0)
    killed_max: int = pa.Field(ge=0)
    outlets: list[str] = pa.Field()

    @pa.dataframe_check(description="killed_min <= killed_max and start <= end")
    def ranges_ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("killed_min") <= pl.col("killed_max")) & (pl.col("date_start") <= pl.col("date_end")))


class StagedIbcVictims(_Base, _Victim):
    seq: int = pa.Field(ge=1)
    name_original: Optional[str] = pa.Field(nullable=True, description="empty for a victim described only by role")
    name_latin: Optional[str] = pa.Field(nullable=True)
    notes: Optional[str] = pa.Field(nullable=True)


class StagedAmnestyIncidents(_Base, _Place):
    id: str = pa.Field(unique=True)
    date: dt.date = pa.Field(**DATE_RANGE)
    location_original: Optional[str] = pa.Field(nullable=True)
    attribution: str = pa.Field(isin=list(AMNESTY_ATTRIBUTIONS))
    weapon_original: Optional[str] = pa.Field(nullable=True)
    weapon: str = pa.Field(isin=list(WEAPONS))
    killed: int = pa.Field(ge=0)
    n_named_victims: int = pa.Field(ge=0)
    summary: Optional[str] = pa.Field(nullable=True)


class StagedAmnestyVictims(_Base, _Victim):
    position: int = pa.Field(ge=1)
    name_original: str = pa.Field()
    name_latin: Optional[str] = pa.Field(nullable=True)


class StagedUnCasualties(_Base):
    period_start: dt.date = pa.Field(**DATE_RANGE)
    period_end: dt.date = pa.Field(**DATE_RANGE)
    area: str = pa.Field(isin=["east", "west", "all"])
    perpetrator: str = pa.Field(isin=list(PARTIES))
    killed: int = pa.Field(ge=0)
    injured: Optional[int] = pa.Field(nullable=True, ge=0)
    note: Optional[str] = pa.Field(nullable=True)


class StagedOfficialClaims(_Base):
    claimant: str = pa.Field(isin=["CJTF-OIR", "Government of Iraq"])
    statement_date: dt.date = pa.Field()
    scope_start: dt.date = pa.Field()
    scope_end: dt.date = pa.Field()
    civilians_killed: int = pa.Field(ge=0)
    statement: Optional[str] = pa.Field(nullable=True)


class StagedCjtfAssessments(_Base, _Place):
    report_id: str = pa.Field(unique=True)
    report_date: dt.date = pa.Field()
    strike_date: dt.date = pa.Field(**DATE_RANGE)
    location_original: Optional[str] = pa.Field(nullable=True)
    allegation_source: Optional[str] = pa.Field(nullable=True)
    assessment: str = pa.Field(isin=["credible", "non_credible"])
    civilians_killed: int = pa.Field(ge=0)


class RejectsModel(pa.DataFrameModel):
    source: str = pa.Field(isin=list(SOURCES), description="source folder of the file")
    snapshot: str = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}$", description="dated snapshot folder")
    file: str = pa.Field(description="path of the file the row came from")
    row: Optional[int] = pa.Field(nullable=True, ge=1, description="1-based data row, or JSON index; null for a problem of no one row")
    record_key: Optional[str] = pa.Field(nullable=True, str_matches=RECORD_KEY, description="null when the row has no usable key")
    field: str = pa.Field(description="the column or JSON field at fault")
    value: Optional[str] = pa.Field(nullable=True, description="the offending value, cut to 200 characters")
    reason: str = pa.Field(str_length={"min_value": 1})
    action: str = pa.Field(isin=["value_nulled", "row_rejected"])

    class Config:
        strict = True

    @pa.dataframe_check(description="the file lies in the row's <source>/<snapshot>/ folder")
    def file_in_its_snapshot(cls, data) -> pl.LazyFrame:
        folder = pl.concat_str("source", "snapshot", pl.lit(""), separator="/")
        return data.lazyframe.select(pl.col("file").str.contains(folder, literal=True))


class UnresolvedPlacesModel(pa.DataFrameModel):
    source: str = pa.Field(isin=["morgue", "airwars_incidents", "ibc_incidents", "amnesty_incidents", "cjtf_assessments"], description="staged table, without `staged_`")
    place_original: str = pa.Field(description="the place as written, unknown to the gazetteer")
    n_records: int = pa.Field(ge=1, description="records of that table that name it")

    class Config:
        strict = True

    @pa.dataframe_check(description="each place once per source")
    def one_row_per_place(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("source", "place_original").is_duplicated())


STAGED_MODELS = {
    "staged_morgue": StagedMorgue,
    "staged_airwars_incidents": StagedAirwarsIncidents,
    "staged_airwars_victims": StagedAirwarsVictims,
    "staged_ibc_incidents": StagedIbcIncidents,
    "staged_ibc_victims": StagedIbcVictims,
    "staged_amnesty_incidents": StagedAmnestyIncidents,
    "staged_amnesty_victims": StagedAmnestyVictims,
    "staged_un_casualties": StagedUnCasualties,
    "staged_official_claims": StagedOfficialClaims,
    "staged_cjtf_assessments": StagedCjtfAssessments,
}

# The key prefix of each staged table's records (sources.md, Record keys).
STAGED_KEY_PREFIX = {
    "staged_morgue": "morgue",
    "staged_airwars_incidents": "airwars",
    "staged_airwars_victims": "airwars",
    "staged_ibc_incidents": "ibc",
    "staged_ibc_victims": "ibc",
    "staged_amnesty_incidents": "amnesty",
    "staged_amnesty_victims": "amnesty",
    "staged_un_casualties": "un",
    "staged_official_claims": "official",
    "staged_cjtf_assessments": "cjtf",
}


def check_ibc_references(incidents: pl.DataFrame, victims: pl.DataFrame) -> pl.DataFrame:
    """IBC victims whose incident code is not among the IBC incidents (referential integrity)."""
    return victims.join(incidents.select(pl.col("record_key").alias("incident_key")), on="incident_key", how="anti")
