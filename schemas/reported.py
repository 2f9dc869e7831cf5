"""Reported: what the newest snapshots changed, record by record and in the headline figures
(pipeline/changes.py builds both)."""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas import RECORD_KEY
from schemas.staged import STAGED_MODELS, STAGED_KEY_PREFIX

CHANGES = ("added", "removed", "changed")


class SnapshotChangesModel(pa.DataFrameModel):
    table: str = pa.Field(isin=list(STAGED_MODELS), description="the staged table compared")
    record_key: str = pa.Field(str_matches=RECORD_KEY, description="the record added, removed or changed")
    change: str = pa.Field(isin=list(CHANGES))
    fields: Optional[str] = pa.Field(nullable=True, description="comma-separated columns that differ; only for `changed`")

    class Config:
        strict = True

    @pa.dataframe_check(description="each record appears once per table")
    def one_change_per_record(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("table", "record_key").is_duplicated())

    @pa.dataframe_check(description="fields is given exactly when the change is `changed`")
    def fields_only_when_changed(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("change") == "changed") == pl.col("fields").is_not_null())

    @pa.dataframe_check(description="the record key belongs to the table's source")
    def key_of_the_table(cls, data) -> pl.LazyFrame:
        prefix = pl.col("table").replace_strict(STAGED_KEY_PREFIX, default="?")
        return data.lazyframe.select(pl.col("record_key").str.starts_with(pl.concat_str(prefix, pl.lit(":"))))


class HeadlineChangesModel(pa.DataFrameModel):
    figure: str = pa.Field(unique=True, description="the headline figure, by name")
    previous: Optional[float] = pa.Field(nullable=True, description="on the previous snapshot set; null if that set has no such figure")
    current: Optional[float] = pa.Field(nullable=True)
    difference: Optional[float] = pa.Field(nullable=True, description="current - previous, rounded to 0.01; null when a side is null")

    class Config:
        strict = True

    @pa.dataframe_check(description="difference = current - previous (to 0.01), null exactly when a side is null")
    def difference_is_the_difference(cls, data) -> pl.LazyFrame:
        either_null = pl.col("previous").is_null() | pl.col("current").is_null()
        close = (pl.col("difference") - (pl.col("current") - pl.col("previous"))).abs() <= 0.0051
        return data.lazyframe.select(pl.when(either_null).then(pl.col("difference").is_null()).otherwise(close.fill_null(False)))
