"""Writing the warehouse so that a crash never leaves a torn table.

Every table is written to a temporary file in the same folder, flushed to disk, then renamed
over the old one (`os.replace` is atomic on POSIX): a reader sees the old table or the new one.
The DuckDB database is rebuilt the same way, as a whole new file, so the tables inside it
always come from one run; a folder (the Data Docs) is swapped in whole by `publish_directory`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl

from pipeline.settings import inside


def sibling_path(final: Path, tag: str) -> Path:
    """A hidden path beside `final`, unique to this process and call (`.name.tag-pid-random`)."""
    return final.with_name(f".{final.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


@contextmanager
def atomic_path(final: Path):
    """Yield a temporary path beside `final`; on success move it into place, on failure remove it."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = sibling_path(final, "tmp")
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet_atomic(frame: pl.DataFrame, final: Path) -> Path:
    with atomic_path(final) as tmp:
        frame.write_parquet(tmp)
    return Path(final)


def write_text_atomic(text: str, final: Path) -> Path:
    with atomic_path(final) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(final)


def publish_directory(source: Path, target: Path, attempts: int = 5) -> None:
    """Replace `target` with a copy of `source` so that readers see the old or the new folder, and
    two runs publishing at once do not trip over each other: each stages under its own name and
    moves the old folder aside under its own name before renaming its copy into place."""
    staging = sibling_path(target, "new")
    shutil.copytree(source, staging)
    try:
        for _ in range(attempts):
            retired = sibling_path(target, "old")
            try:
                if target.exists():
                    target.rename(retired)
                staging.rename(target)
                return
            except OSError:
                continue  # another run moved a folder in between: try again with its result in place
            finally:
                shutil.rmtree(retired, ignore_errors=True)
        raise OSError(f"could not publish {target}: another process kept replacing it")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def table_path(warehouse: Path, table: str) -> Path:
    return inside(warehouse, f"{table}.parquet")


def publish_duckdb(warehouse: Path, tables: list[str], db_name: str = "warehouse.duckdb") -> Path:
    """Build a fresh DuckDB file holding every table's Parquet, then swap it in whole."""
    final = inside(warehouse, db_name)
    with atomic_path(final) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")
            for table in tables:
                source = table_path(warehouse, table)
                if source.exists():
                    con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM read_parquet(?)', [str(source)])
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        wal = tmp.with_name(tmp.name + ".wal")
        if wal.exists():
            wal.unlink()
    return final


class ParquetIOManager(dg.ConfigurableIOManager):
    """Each asset's polars frame is `<warehouse>/<asset name>.parquet`, written atomically.

    Written by the project because dagster-polars cannot load under polars 2 (stack-notes.md).
    A failed step writes nothing, so the last good table stays in place.
    """

    warehouse: str

    def _path(self, key: dg.AssetKey) -> Path:
        return table_path(Path(self.warehouse), key.path[-1])

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()}: expected a polars DataFrame, got {type(obj).__name__}")
        path = write_parquet_atomic(obj, self._path(context.asset_key))
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        path = self._path(context.upstream_output.asset_key if context.upstream_output else context.asset_key)
        if not path.exists():
            raise FileNotFoundError(f"{path}: upstream table not materialised yet")
        return pl.read_parquet(path)
