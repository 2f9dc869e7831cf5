"""Attributed tables: incidents, victims (the output table), tallies and comparisons."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandera.polars as pa

from pipeline.codes import PARTIES, WEAPONS
from schemas.linked import VictimClustersModel


class IncidentsModel(pa.DataFrameModel):
    incident_id: str = pa.Field(unique=True, str_matches=r"^i-[0-9a-f]{12}$")
    record_keys: list[str] = pa.Field()
    sources: list[str] = pa.Field()
    date_start: dt.date = pa.Field()
    date_end: dt.date = pa.Field()
    neighbourhood_id: Optional[str] = pa.Field(nullable=True)
    bank: Optional[str] = pa.Field(nullable=True)
    killed_min: Optional[int] = pa.Field(nullable=True, ge=0)
    killed_max: Optional[int] = pa.Field(nullable=True, ge=0)
    link_confidence: Optional[float] = pa.Field(nullable=True, ge=0, le=1)
    weapon: str = pa.Field(isin=list(WEAPONS))
    party: str = pa.Field(isin=list(PARTIES))
    rule: str = pa.Field()
    party_basis: str = pa.Field()


class VictimsModel(VictimClustersModel):
    incident_id: Optional[str] = pa.Field(nullable=True)
    incident_link_probability: Optional[float] = pa.Field(nullable=True, ge=0, le=1)
    party: str = pa.Field(isin=list(PARTIES))
    weapon: Optional[str] = pa.Field(nullable=True, isin=list(WEAPONS))
    basis: str = pa.Field()
    rule: str = pa.Field()


class TalliesModel(pa.DataFrameModel):
    dimension: str = pa.Field(isin=["all", "weapon", "month", "bank", "neighbourhood"])
    value: str = pa.Field()
    party: str = pa.Field(isin=list(PARTIES))
    deaths: int = pa.Field(ge=0)


class OfficialComparisonModel(pa.DataFrameModel):
    claimant: str = pa.Field()
    statement_date: dt.date = pa.Field()
    official_figure: int = pa.Field(ge=0)
    documented: int = pa.Field(ge=0)
    documented_what: str = pa.Field()
    multiple: Optional[float] = pa.Field(nullable=True, ge=0)


class UnCrosscheckModel(pa.DataFrameModel):
    un_record: str = pa.Field()
    period_start: dt.date = pa.Field()
    period_end: dt.date = pa.Field()
    area: str = pa.Field(isin=["east", "west", "all"])
    perpetrator: str = pa.Field(isin=list(PARTIES))
    un_killed: int = pa.Field(ge=0)
    documented: int = pa.Field(ge=0)
    difference: int = pa.Field()
