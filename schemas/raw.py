"""Raw: the one-row manifest each raw asset hands to staging (assets/raw.py).

Staging opens the file at `path` and the snapshot comparison walks `history`, so a manifest that
names a file outside the contract, or a snapshot that is not the newest in its own history,
would have them read the wrong file: the check on it is blocking.
"""

from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from pipeline.codes import SOURCES
from pipeline.snapshots import RAW_FILES

DATED = r"^\d{4}-\d{2}-\d{2}$"
CONTRACT_FILES = sorted({f"{raw.source}/{raw.filename}" for raw in RAW_FILES})


class RawManifestModel(pa.DataFrameModel):
    source: str = pa.Field(isin=list(SOURCES), description="source folder under MOSUL_SOURCES")
    file: str = pa.Field(isin=sorted({raw.filename for raw in RAW_FILES}), description="contract file name (sources.md)")
    snapshot: str = pa.Field(str_matches=DATED, description="the newest dated snapshot folder")
    path: str = pa.Field(description="absolute path of the file read")
    sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$", description="SHA-256 of the file: the asset's data version")
    size_bytes: int = pa.Field(ge=0)
    rows: Optional[int] = pa.Field(nullable=True, ge=0, description="records in the file; null when unreadable (staging then says why)")
    history: list[str] = pa.Field(description="every dated snapshot of the source, oldest first")

    class Config:
        strict = True

    @pa.dataframe_check(description="at most one row: a manifest describes one file, or none when the source is absent")
    def one_row(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.len() <= 1)

    @pa.dataframe_check(description=f"source/file is a contract file: {CONTRACT_FILES}")
    def contract_file(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.concat_str("source", "file", separator="/").is_in(CONTRACT_FILES))

    @pa.dataframe_check(description="path ends in <source>/<snapshot>/<file>")
    def path_matches(cls, data) -> pl.LazyFrame:
        tail = pl.concat_str("source", "snapshot", "file", separator="/")
        return data.lazyframe.select(pl.col("path").str.ends_with(tail))

    @pa.dataframe_check(description="snapshot is the last entry of history")
    def newest_in_history(cls, data) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("history").list.last() == pl.col("snapshot"))
