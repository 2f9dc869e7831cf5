"""Linked tables: person records, scored pairs, victims (clusters) and the review queue.

Built by pipeline/link/ (docs/linkage.md explains the method)."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandera.polars as pa
import polars as pl

from pipeline.codes import BANKS, CAUSES, NAMED_LISTS, SEXES
from schemas import INCIDENT_KEY

INCIDENT_SOURCES = ("airwars", "ibc", "amnesty", "cjtf")

NAME_PART_DOC = {
    "given": "the person's own name",
    "father": "the father's given name",
    "grandfather": "the paternal grandfather's given name",
    "family": "the family or tribe name (a nisba: الجبوري, al-Jubouri)",
}


class PersonRecordsModel(pa.DataFrameModel):
    record_key: str = pa.Field(unique=True)
    source: str = pa.Field(isin=list(NAMED_LISTS))
    incident_key: Optional[str] = pa.Field(nullable=True, description="the list's incident (null for the morgue)")
    name_original: Optional[str] = pa.Field(nullable=True)
    name_ar: Optional[str] = pa.Field(nullable=True, description="normalised Arabic (morgue; some Airwars victims)")
    name_latin: Optional[str] = pa.Field(nullable=True, description="normalised Latin; transliterated for Arabic-only records")
    is_unidentified: bool = pa.Field()
    sex: Optional[str] = pa.Field(nullable=True, isin=list(SEXES))
    age: Optional[int] = pa.Field(nullable=True, ge=0, le=110)
    date_of_death: Optional[dt.date] = pa.Field(nullable=True, description="a list victim takes its incident's first day")
    neighbourhood_id: Optional[str] = pa.Field(nullable=True)
    bank: Optional[str] = pa.Field(nullable=True, isin=list(BANKS))
    cause: Optional[str] = pa.Field(nullable=True, isin=list(CAUSES))
    given_key: Optional[str] = pa.Field(nullable=True, description="canonical form of the given name: the Arabic token the spelling resolves to (names.py)")
    father_key: Optional[str] = pa.Field(nullable=True)
    grandfather_key: Optional[str] = pa.Field(nullable=True)
    family_key: Optional[str] = pa.Field(nullable=True)
    given_sk: Optional[str] = pa.Field(nullable=True, description="consonant skeleton of the given name (blocking key)")
    father_sk: Optional[str] = pa.Field(nullable=True)
    grandfather_sk: Optional[str] = pa.Field(nullable=True)
    family_sk: Optional[str] = pa.Field(nullable=True)
    given_rom: Optional[str] = pa.Field(nullable=True, description="a Latin spelling of the given name")
    father_rom: Optional[str] = pa.Field(nullable=True)
    grandfather_rom: Optional[str] = pa.Field(nullable=True)
    family_rom: Optional[str] = pa.Field(nullable=True)
    given_alts: Optional[list[str]] = pa.Field(nullable=True, description="every canonical name the spelling fits (Hamid: حامد, حميد)")
    father_alts: Optional[list[str]] = pa.Field(nullable=True)
    grandfather_alts: Optional[list[str]] = pa.Field(nullable=True)
    family_alts: Optional[list[str]] = pa.Field(nullable=True)
    name_key: Optional[str] = pa.Field(nullable=True, description="the whole normalised name (canonical parts in order); the baseline's key")
    has_name: bool = pa.Field(description="the record has a usable name (not unidentified, not a relation or kunya only)")
    is_relational: bool = pa.Field(description="named by relation or kunya only (Wife of Ali Yasser, Umm Raed)")
    n_name_tokens: int = pa.Field(ge=0)


class _RecordPairs(pa.DataFrameModel):
    """The checks every table of record pairs (record_key_l, record_key_r) shares."""

    @pa.dataframe_check(description="pairs are ordered (record_key_l < record_key_r)")
    def ordered(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("record_key_l") < pl.col("record_key_r"))

    @pa.dataframe_check(description="each pair appears once")
    def unique_pairs(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("record_key_l", "record_key_r").is_duplicated())


class PersonLinksModel(_RecordPairs):
    record_key_l: str = pa.Field()
    record_key_r: str = pa.Field()
    match_probability: float = pa.Field(ge=0, le=1)
    match_weight: float = pa.Field(description="log2 odds; a reviewer's decision is +/-60")
    decided_by: str = pa.Field(isin=["model", "reviewer"])


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
    is_linkable: bool = pa.Field(description="some record carries a name the linker compares (not unidentified, unnamed, or a kunya / relation only)")

    @pa.dataframe_check(description="n_records is the number of record keys")
    def counts(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("record_keys").list.len() == pl.col("n_records"))


class ReviewQueueModel(pa.DataFrameModel):
    record_key_l: str = pa.Field()
    record_key_r: str = pa.Field()
    match_probability: float = pa.Field(ge=0, le=1)
    match_weight: float = pa.Field()
    reason: str = pa.Field(isin=["uncertain", "refused_by_guard"])
    victim_id_l: str = pa.Field()
    victim_id_r: str = pa.Field()
    name_original_l: Optional[str] = pa.Field(nullable=True)
    name_original_r: Optional[str] = pa.Field(nullable=True)
    sex_l: Optional[str] = pa.Field(nullable=True)
    sex_r: Optional[str] = pa.Field(nullable=True)
    age_l: Optional[int] = pa.Field(nullable=True)
    age_r: Optional[int] = pa.Field(nullable=True)
    date_of_death_l: Optional[dt.date] = pa.Field(nullable=True)
    date_of_death_r: Optional[dt.date] = pa.Field(nullable=True)
    neighbourhood_id_l: Optional[str] = pa.Field(nullable=True)
    neighbourhood_id_r: Optional[str] = pa.Field(nullable=True)
    incident_key_l: Optional[str] = pa.Field(nullable=True)
    incident_key_r: Optional[str] = pa.Field(nullable=True)
    bits_given: Optional[float] = pa.Field(nullable=True, description="log2 Bayes factor of the given-name comparison, TF-adjusted")
    bits_father: Optional[float] = pa.Field(nullable=True)
    bits_grandfather: Optional[float] = pa.Field(nullable=True)
    bits_family: Optional[float] = pa.Field(nullable=True)
    bits_sex: Optional[float] = pa.Field(nullable=True)
    bits_age: Optional[float] = pa.Field(nullable=True)
    bits_when_where: Optional[float] = pa.Field(nullable=True)
    bits_source_pair: Optional[float] = pa.Field(nullable=True)
    bits_prior: Optional[float] = pa.Field(nullable=True, description="log2 prior odds; the bits add up to match_weight")
    explanation: str = pa.Field(description="each field's comparison level and its contribution in bits")


class IncidentLinksModel(_RecordPairs):
    """The incident-record pairs the clustering used: every pair lies inside one incident."""

    record_key_l: str = pa.Field(str_matches=INCIDENT_KEY, description="incident record key (airwars:, ibc:, amnesty:, cjtf:)")
    record_key_r: str = pa.Field(str_matches=INCIDENT_KEY)
    score: float = pa.Field(description="the best-fitting record pair's weight of evidence, log2 Bayes factor (Fellegi-Sunter, weights estimated by EM)")
    link_confidence: float = pa.Field(ge=0, le=1, description="the pairing's probability against its competitors")

    class Config:
        strict = True


class IncidentMembershipModel(pa.DataFrameModel):
    """Which incident each incident record belongs to; victims are attributed through it."""

    record_key: str = pa.Field(unique=True, str_matches=INCIDENT_KEY, description="incident record key")
    incident_id: str = pa.Field(str_matches=r"^i-[0-9a-f]{12}$")
    source: str = pa.Field(isin=list(INCIDENT_SOURCES))

    class Config:
        strict = True

    @pa.dataframe_check(description="the record key starts with its source")
    def key_of_the_source(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("record_key").str.starts_with(pl.concat_str("source", pl.lit(":"))))
