"""Estimated tables: capture histories and the estimates."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl


class CaptureHistoriesModel(pa.DataFrameModel):
    victim_id: str = pa.Field(unique=True)
    in_morgue: bool = pa.Field()
    in_airwars: bool = pa.Field()
    in_ibc: bool = pa.Field()
    in_amnesty: bool = pa.Field()
    bank: Optional[str] = pa.Field(nullable=True)
    period: str = pa.Field(isin=["east_phase", "west_phase", "unknown"])
    party: Optional[str] = pa.Field(nullable=True)
    is_unidentified: bool = pa.Field()
    is_unnamed: bool = pa.Field()

    @pa.dataframe_check(description="every documented victim was seen by at least one list")
    def seen(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.any_horizontal("in_morgue", "in_airwars", "in_ibc", "in_amnesty"))


class EstimatesModel(pa.DataFrameModel):
    stratum: str = pa.Field()
    documented: int = pa.Field(ge=0)
    estimate: Optional[float] = pa.Field(nullable=True, ge=0)
    lower: Optional[float] = pa.Field(nullable=True, ge=0)
    upper: Optional[float] = pa.Field(nullable=True, ge=0)
    method: str = pa.Field()
    headline: Optional[str] = pa.Field(nullable=True)

    @pa.dataframe_check(description="documented <= lower <= estimate <= upper where estimated")
    def ordered(cls, data) -> pl.LazyFrame:
        ok = (pl.col("lower") <= pl.col("estimate")) & (pl.col("estimate") <= pl.col("upper")) & (pl.col("documented") <= pl.col("upper"))
        return data.lazyframe.select(ok.fill_null(True))
