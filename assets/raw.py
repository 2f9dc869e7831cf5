"""Raw: one asset per contract file, pointing at the newest dated snapshot.

The asset's value is a one-row manifest (source, snapshot, path, hash, size, rows); its data
version is the file's SHA-256, so re-reading an unchanged snapshot leaves everything downstream
up to date, and a new dated folder makes it stale.
"""


import csv
import json

import dagster as dg
import polars as pl

from pipeline.checks import schema_check_result, table_schema
from pipeline.resources import PipelinePaths
from pipeline.snapshots import RAW_FILES, RawFile, SnapshotFile, current_file, list_snapshots
from schemas import polars_schema
from schemas.raw import RawManifestModel

MANIFEST_SCHEMA = polars_schema(RawManifestModel)


def count_rows(current: SnapshotFile) -> int | None:
    """Records in the file as a reader of the format would count them; None if unreadable
    (staging then reports why, naming the file)."""
    try:
        if current.raw.fmt == "json":
            with open(current.path, encoding="utf-8") as handle:
                data = json.load(handle)
            return len(data) if isinstance(data, list) else None
        with open(current.path, encoding="utf-8-sig", newline="") as handle:
            return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error, OSError):
        return None


def manifest(current: SnapshotFile, history: list[str]) -> pl.DataFrame:
    if not current.present:
        return pl.DataFrame(schema=MANIFEST_SCHEMA)
    row = {
        "source": current.raw.source,
        "file": current.raw.filename,
        "snapshot": current.snapshot,
        "path": str(current.path),
        "sha256": current.sha256,
        "size_bytes": current.size_bytes,
        "rows": count_rows(current),
        "history": history,
    }
    return pl.DataFrame([row], schema=MANIFEST_SCHEMA)


def raw_asset(raw: RawFile) -> dg.AssetsDefinition:
    @dg.asset(
        name=raw.asset,
        group_name="raw",
        kinds={raw.fmt},
        owners=["team:data"],
        description=(
            f"`{raw.source}/<newest YYYY-MM-DD>/{raw.filename}` under MOSUL_SOURCES: the newest snapshot's "
            f"manifest (path, SHA-256, size, rows). Data version = the file's SHA-256."
        ),
        metadata={"source": raw.source, "file": raw.filename, "dagster/column_schema": table_schema(RawManifestModel)},
        # Blocking: staging opens the file the manifest names.
        check_specs=[dg.AssetCheckSpec("schema", asset=raw.asset, blocking=True, description=f"pandera {RawManifestModel.__name__}")],
    )
    def _raw(context: dg.AssetExecutionContext, paths: PipelinePaths):
        current = current_file(paths.sources, raw)
        table = manifest(current, list_snapshots(paths.sources, raw.source))
        if current.present:
            context.log.info(f"{raw.asset}: {current.path} ({current.size_bytes} bytes, sha256 {current.sha256[:12]})")
        else:
            context.log.warning(f"{raw.asset}: no snapshot of {raw.source} under {paths.sources}; the source is absent from this run")
        yield dg.Output(
            table,
            data_version=dg.DataVersion(current.data_version),
            metadata={
                "snapshot": current.snapshot or "absent",
                "path": str(current.path) if current.path else "absent",
                "sha256": current.sha256 or "absent",
                "dagster/row_count": int(table["rows"][0] or 0) if len(table) else 0,
                "snapshots_available": ", ".join(table["history"][0]) if len(table) else "",
            },
        )
        yield schema_check_result(RawManifestModel, table, raw.asset)

    return _raw


raw_assets = [raw_asset(raw) for raw in RAW_FILES]
