"""Estimated tables: capture histories and the estimates (docs/tables.md, docs/estimation.md)."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from pipeline.codes import BANKS, PARTIES
from pipeline.estimate.capture import PERIODS

FLAGS = ["sparse", "unstable", "not_estimated"]


class CaptureHistoriesModel(pa.DataFrameModel):
    victim_id: str = pa.Field(unique=True)
    in_morgue: bool = pa.Field()
    in_airwars: bool = pa.Field()
    in_ibc: bool = pa.Field()
    in_amnesty: bool = pa.Field()
    bank: Optional[str] = pa.Field(nullable=True, isin=list(BANKS))
    period: str = pa.Field(isin=list(PERIODS))
    party: Optional[str] = pa.Field(nullable=True, isin=list(PARTIES))
    is_unidentified: bool = pa.Field()
    is_unnamed: bool = pa.Field()

    @pa.dataframe_check(description="every documented victim was seen by at least one list")
    def seen(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.any_horizontal("in_morgue", "in_airwars", "in_ibc", "in_amnesty"))


class EstimatesModel(pa.DataFrameModel):
    stratum: str = pa.Field(unique=True)
    documented: int = pa.Field(ge=0)
    estimate: Optional[float] = pa.Field(nullable=True, ge=0)
    lower: Optional[float] = pa.Field(nullable=True, ge=0)
    upper: Optional[float] = pa.Field(nullable=True, ge=0)
    method: str = pa.Field()
    flag: Optional[str] = pa.Field(nullable=True, isin=FLAGS)
    in_model: Optional[float] = pa.Field(nullable=True, ge=0)
    chapman: Optional[float] = pa.Field(nullable=True)
    chapman_lower: Optional[float] = pa.Field(nullable=True)
    chapman_upper: Optional[float] = pa.Field(nullable=True)
    latent_class: Optional[float] = pa.Field(nullable=True)
    latent_class_lower: Optional[float] = pa.Field(nullable=True)
    latent_class_upper: Optional[float] = pa.Field(nullable=True)
    headline: Optional[str] = pa.Field(nullable=True)

    @pa.dataframe_check(description="documented <= lower <= estimate <= upper where estimated")
    def ordered(cls, data) -> pl.LazyFrame:
        ok = (pl.col("documented") <= pl.col("lower")) & (pl.col("lower") <= pl.col("estimate")) & (pl.col("estimate") <= pl.col("upper"))
        return data.lazyframe.select(ok.fill_null(True))

    @pa.dataframe_check(description="an estimate comes with both limits, and a flag means no estimate")
    def complete(cls, data) -> pl.LazyFrame:
        estimated = pl.col("estimate").is_not_null()
        ok = (estimated == pl.col("lower").is_not_null()) & (estimated == pl.col("upper").is_not_null()) & ~(estimated & pl.col("flag").is_not_null())
        return data.lazyframe.select(ok)

    @pa.dataframe_check(description="one `all` row, with the headline")
    def headline_on_all(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("stratum") == "all").sum() == 1)
