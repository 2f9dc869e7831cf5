"""Pandera models (polars backend) for every table the pipeline writes, by stage."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

# `<source>:<native id>` (sources.md, Record keys); un and official rows are keyed by snapshot and row.
KEY_PREFIXES = ("morgue", "airwars", "ibc", "amnesty", "cjtf", "un", "official")
RECORD_KEY = rf"^({'|'.join(KEY_PREFIXES)}):.+$"
INCIDENT_KEY = r"^(airwars|ibc|amnesty|cjtf):[^/]+$"


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """The model's columns as a polars schema, so producers build frames of exactly this shape."""
    return {name: column.dtype.type for name, column in model.to_schema().columns.items()}


def empty_frame(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(model))


def conform(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Select and cast the model's columns, in its order (extra columns are dropped)."""
    schema = polars_schema(model)
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
