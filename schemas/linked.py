"""Linked tables: person records, scored pairs, victims (clusters) and the review queue."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandera.polars as pa
import polars as pl

from pipeline.codes import BANKS, CAUSES, NAMED_LISTS, SEXES


class PersonRecordsModel(pa.DataFrameModel):
    record_key: str = pa.Field(unique=True)
    source: str = pa.Field(isin=list(NAMED_LISTS))
    incident_key: Optional[str] = pa.Field(nullable=True)
    name_original: Optional[str] = pa.Field(nullable=True)
    name_ar: Optional[str] = pa.Field(nullable=True)
    name_latin: Optional[str] = pa.Field(nullable=True)
    is_unidentified: bool = pa.Field()
    sex: Optional[str] = pa.Field(nullable=True, isin=list(SEXES))
    age: Optional[int] = pa.Field(nullable=True, ge=0, le=110)
    date_of_death: Optional[dt.date] = pa.Field(nullable=True)
    neighbourhood_id: Optional[str] = pa.Field(nullable=True)
    bank: Optional[str] = pa.Field(nullable=True, isin=list(BANKS))
    cause: Optional[str] = pa.Field(nullable=True, isin=list(CAUSES))
    given_key: Optional[str] = pa.Field(nullable=True, description="consonant skeleton of the given name")
    father_key: Optional[str] = pa.Field(nullable=True)
    grandfather_key: Optional[str] = pa.Field(nullable=True)
    family_key: Optional[str] = pa.Field(nullable=True)
    name_key: Optional[str] = pa.Field(nullable=True)
    is_relational: bool = pa.Field(description="named by relation or kunya only")
    n_name_tokens: int = pa.Field(ge=0)


class PersonLinksModel(pa.DataFrameModel):
    record_key_l: str = pa.Field()
    record_key_r: str = pa.Field()
    match_probability: float = pa.Field(ge=0, le=1)
    match_weight: float = pa.Field()
    decided_by: str = pa.Field(isin=["model", "guard", "reviewer"], description="model: Splink; guard: refused by the relatives guard; reviewer: a decision in MOSUL_DECISIONS")

    @pa.dataframe_check(description="pairs are ordered and unique")
    def ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("record_key_l") < pl.col("record_key_r"))


class VictimClustersModel(pa.DataFrameModel):
    victim_id: str = pa.Field(unique=True, str_matches=r"^v-[0-9a-f]{12}$")
    record_keys: list[str] = pa.Field()
    n_records: int = pa.Field(ge=1)
    sources: list[str] = pa.Field()
    n_sources: int = pa.Field(ge=1, le=4)
    name_ar: Optional[str] = pa.Field(nullable=True)
    name_latin: Optional[str] = pa.Field(nullable=True)
    sex: Optional[str] = pa.Field(nullable=True, isin=list(SEXES))
    age: Optional[int] = pa.Field(nullable=True, ge=0, le=110)
    date_of_death: Optional[dt.date] = pa.Field(nullable=True)
    neighbourhood_id: Optional[str] = pa.Field(nullable=True)
    bank: Optional[str] = pa.Field(nullable=True, isin=list(BANKS))
    causes: list[str] = pa.Field()
    incident_keys: list[str] = pa.Field()
    is_unidentified: bool = pa.Field()
    weakest_link_probability: Optional[float] = pa.Field(nullable=True, ge=0, le=1)
    is_linkable: bool = pa.Field(description="some record carries a name the linker could match")


class ReviewQueueModel(pa.DataFrameModel):
    record_key_l: str = pa.Field()
    record_key_r: str = pa.Field()
    match_probability: float = pa.Field(ge=0, le=1)
    match_weight: float = pa.Field()
    explanation: str = pa.Field(description="each field's contribution to the match weight, in bits")
