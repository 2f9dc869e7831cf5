"""Reported: the warehouse database, the HTML report and the great-expectations Data Docs."""

import dagster as dg
import polars as pl

from pipeline.io import publish_duckdb, table_path, write_text_atomic
from pipeline.report import build_report
from pipeline.resources import PipelinePaths
from schemas.expectations import run_expectations

from assets.staged import STAGED_TABLES

WAREHOUSE_TABLES = (
    *STAGED_TABLES, "rejects", "unresolved_places", "snapshot_changes", "person_records", "person_links", "victim_clusters", "review_queue",
    "incident_links", "incident_membership", "incidents", "victims", "tallies", "official_comparison", "un_crosscheck",
    "capture_histories", "estimates",
)


@dg.asset(
    group_name="staged",
    owners=["team:data"],
    kinds={"polars"},
    ins={f"rejects_{name}": dg.AssetIn(f"rejects_{name}") for name in ("morgue", "airwars", "ibc", "amnesty", "un", "official_claims", "cjtf")},
    description="Every rejected row or emptied value of every source, with file, row, field, value and reason.",
)
def rejects(**per_source: pl.DataFrame) -> dg.Output:
    frame = pl.concat(list(per_source.values()), how="vertical")
    return dg.Output(frame, metadata={"dagster/row_count": len(frame), "by_source": dg.MetadataValue.json(dict(frame.group_by("source").len().iter_rows()) if len(frame) else {})})


@dg.asset(
    group_name="staged",
    owners=["team:data"],
    kinds={"great_expectations", "html"},
    ins={table: dg.AssetIn(table) for table in STAGED_TABLES},
    description="A great-expectations suite over the staged tables; its HTML Data Docs are written to <warehouse>/data_docs/ for reviewers who do not use Python.",
    check_specs=[dg.AssetCheckSpec("expectations", asset="data_docs", blocking=False)],
)
def data_docs(paths: PipelinePaths, **tables: pl.DataFrame):
    docs_dir = paths.warehouse_dir / "data_docs"
    results = run_expectations(tables, docs_dir)
    failed = [name for name, result in results.items() if not result["success"]]
    yield dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(docs_dir / "index.html")), "suites": len(results), "failed": ", ".join(failed) or "none"})
    yield dg.AssetCheckResult(check_name="expectations", passed=not failed, metadata={"results": dg.MetadataValue.json(results)})


@dg.asset(
    group_name="reported",
    owners=["team:data"],
    kinds={"html", "plotly"},
    ins={"victims": dg.AssetIn(), "incidents": dg.AssetIn(), "tallies": dg.AssetIn(), "estimates": dg.AssetIn(), "official_comparison": dg.AssetIn(), "un_crosscheck": dg.AssetIn()},
    description="A self-contained HTML report (<warehouse>/report.html): the headline and the charts, readable offline, without names.",
)
def report(paths: PipelinePaths, victims: pl.DataFrame, incidents: pl.DataFrame, tallies: pl.DataFrame, estimates: pl.DataFrame, official_comparison: pl.DataFrame, un_crosscheck: pl.DataFrame) -> dg.MaterializeResult:
    html = build_report(victims, incidents, tallies, estimates, official_comparison, un_crosscheck)
    path = write_text_atomic(html, paths.warehouse_dir / "report.html")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "bytes": len(html.encode("utf-8"))})


@dg.asset(
    group_name="reported",
    owners=["team:data"],
    kinds={"duckdb"},
    deps=[dg.AssetKey(t) for t in WAREHOUSE_TABLES],
    description="<warehouse>/warehouse.duckdb: every table in one DuckDB file for SQL, rebuilt whole and swapped in atomically.",
)
def warehouse_db(paths: PipelinePaths) -> dg.MaterializeResult:
    path = publish_duckdb(paths.warehouse_dir, list(WAREHOUSE_TABLES))
    present = [t for t in WAREHOUSE_TABLES if table_path(paths.warehouse_dir, t).exists()]
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "tables": len(present)})
