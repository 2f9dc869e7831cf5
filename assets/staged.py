"""Staged: each source file parsed into typed, normalised tables, with rejects and blocking checks.

One multi-asset per parser call. Each yields its staged tables, its own rejects table and the
checks: the pandera schema of every table (blocking: a table that breaks its schema would
corrupt linkage) and row conservation (rows in = rows staged + rows rejected; blocking). A
snapshot that is unusable as a whole fails the step with one message naming the file and the
problem, and the previous good tables stay in place (the IO manager writes only on success).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.checks import schema_check_result, table_schema
from pipeline.parse.common import ParseResult, SnapshotError
from pipeline.parse.airwars import parse_airwars
from pipeline.parse.amnesty import parse_amnesty
from pipeline.parse.ibc import parse_ibc
from pipeline.parse.morgue import parse_morgue
from pipeline.parse.official import parse_cjtf_assessments, parse_official_claims
from pipeline.parse.un import parse_un
from schemas.staged import STAGED_MODELS, RejectsModel, UnresolvedPlacesModel, empty_frame


@dataclass(frozen=True)
class StagedSource:
    name: str
    raw_assets: tuple[str, ...]
    parse: Callable[..., ParseResult]
    tables: tuple[str, ...]


STAGED_SOURCES = (
    StagedSource("morgue", ("raw_morgue",), parse_morgue, ("staged_morgue",)),
    StagedSource("airwars", ("raw_airwars_incidents",), parse_airwars, ("staged_airwars_incidents", "staged_airwars_victims")),
    StagedSource("ibc", ("raw_ibc_incidents", "raw_ibc_victims"), parse_ibc, ("staged_ibc_incidents", "staged_ibc_victims")),
    StagedSource("amnesty", ("raw_amnesty_incidents",), parse_amnesty, ("staged_amnesty_incidents", "staged_amnesty_victims")),
    StagedSource("un", ("raw_un_casualties",), parse_un, ("staged_un_casualties",)),
    StagedSource("official_claims", ("raw_official_claims",), parse_official_claims, ("staged_official_claims",)),
    StagedSource("cjtf", ("raw_cjtf_assessments",), parse_cjtf_assessments, ("staged_cjtf_assessments",)),
)
STAGED_TABLES = tuple(table for source in STAGED_SOURCES for table in source.tables)
REJECT_TABLES = tuple(f"rejects_{source.name}" for source in STAGED_SOURCES)


def parse_current(source: StagedSource, manifests: list[pl.DataFrame]) -> ParseResult | None:
    """Run the source's parser on the files the raw manifests point at; None if the source is absent."""
    if any(manifest.is_empty() for manifest in manifests):
        return None
    snapshot = manifests[0]["snapshot"][0]
    paths = [Path(manifest["path"][0]) for manifest in manifests]
    return source.parse(*paths, snapshot)


def staged_asset(source: StagedSource) -> dg.AssetsDefinition:
    outs = {
        table: dg.AssetOut(
            group_name="staged",
            description=f"{table}: typed and normalised rows of the {source.name} snapshot (columns: docs/tables.md).",
            metadata={"dagster/column_schema": table_schema(STAGED_MODELS[table])},
            owners=["team:data"],
            kinds={"polars", "parquet"},
        )
        for table in source.tables
    }
    outs[f"rejects_{source.name}"] = dg.AssetOut(
        group_name="staged",
        description=f"Rows of the {source.name} snapshot that were rejected, each with file, row, field, value and reason.",
        metadata={"dagster/column_schema": table_schema(RejectsModel)},
        owners=["team:data"],
        kinds={"polars", "parquet"},
    )
    check_specs = [dg.AssetCheckSpec("schema", asset=table, blocking=True, description=f"pandera {STAGED_MODELS[table].__name__}") for table in source.tables]
    # Blocking: the rejects feed the union `rejects` and the row-conservation count.
    check_specs.append(dg.AssetCheckSpec("schema", asset=f"rejects_{source.name}", blocking=True, description=f"pandera {RejectsModel.__name__}"))
    check_specs.append(
        dg.AssetCheckSpec("rows_conserved", asset=source.tables[0], blocking=True, description="rows in the file = rows staged + rows rejected")
    )

    @dg.multi_asset(
        name=f"stage_{source.name}",
        outs=outs,
        ins={raw: dg.AssetIn(raw) for raw in source.raw_assets},
        check_specs=check_specs,
    )
    def _stage(context: dg.AssetExecutionContext, **manifests: pl.DataFrame):
        ordered = [manifests[raw] for raw in source.raw_assets]
        try:
            result = parse_current(source, ordered)
        except SnapshotError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from error
        if result is None:
            context.log.warning(f"{source.name}: no snapshot; staging empty tables")
            tables = {table: empty_frame(STAGED_MODELS[table]) for table in source.tables}
            rejects = empty_frame(RejectsModel)
            rows_in = 0
        else:
            tables, rejects, rows_in = result.tables, result.rejects, result.rows_in
        for table in source.tables:
            frame = tables[table]
            yield dg.Output(frame, output_name=table, metadata={"dagster/row_count": len(frame)})
            yield schema_check_result(STAGED_MODELS[table], frame, table)
        yield dg.Output(rejects, output_name=f"rejects_{source.name}", metadata={"dagster/row_count": len(rejects)})
        yield schema_check_result(RejectsModel, rejects, f"rejects_{source.name}")
        rejected_rows = rejects.filter(pl.col("row").is_not_null()).select(pl.struct("file", "row").n_unique()).item() if len(rejects) else 0
        staged_rows = result.rows_staged if result is not None else 0
        yield dg.AssetCheckResult(
            asset_key=source.tables[0],
            check_name="rows_conserved",
            passed=rows_in == staged_rows + rejected_rows,
            metadata={"rows_in": rows_in, "rows_staged": staged_rows, "rows_rejected": rejected_rows},
        )

    return _stage


def parse_previous(source: StagedSource, manifests: list[pl.DataFrame]) -> ParseResult | None:
    """Run the source's parser on its snapshot before the newest (the raw manifests list the
    history); None if the source has fewer than two snapshots. A previous snapshot that is gone
    or unusable raises (SnapshotError, FileNotFoundError) for the caller to report."""
    if any(manifest.is_empty() or len(manifest["history"][0]) < 2 for manifest in manifests):
        return None
    previous = manifests[0]["history"][0][-2]
    paths = [Path(m["path"][0]).parent.parent / previous / Path(m["path"][0]).name for m in manifests]
    return source.parse(*paths, previous)


staged_assets = [staged_asset(source) for source in STAGED_SOURCES]


PLACE_COLUMNS = {
    "staged_morgue": "place_original",
    "staged_airwars_incidents": "location_original",
    "staged_ibc_incidents": "location_original",
    "staged_amnesty_incidents": "location_original",
    "staged_cjtf_assessments": "location_original",
}


@dg.asset(
    group_name="staged",
    owners=["team:data"],
    kinds={"polars"},
    ins={table: dg.AssetIn(table) for table in PLACE_COLUMNS},
    description="Place names the gazetteer could not resolve, per source, with how many records use them: reported for a person to add to pipeline/data/gazetteer.csv, never guessed.",
    metadata={"dagster/column_schema": table_schema(UnresolvedPlacesModel)},
    check_specs=[dg.AssetCheckSpec("schema", asset="unresolved_places", blocking=False, description=f"pandera {UnresolvedPlacesModel.__name__}")],
)
def unresolved_places(**tables: pl.DataFrame):
    frames = [
        tables[table].filter(pl.col("place_status") == "unresolved").group_by(pl.col(column).alias("place_original")).len().select(
            pl.lit(table.removeprefix("staged_")).alias("source"), "place_original", pl.col("len").cast(pl.Int64).alias("n_records")
        )
        for table, column in PLACE_COLUMNS.items()
    ]
    frame = pl.concat(frames).sort("n_records", descending=True)
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "records_unresolved": int(frame["n_records"].sum()) if len(frame) else 0})
    yield schema_check_result(UnresolvedPlacesModel, frame, "unresolved_places")
