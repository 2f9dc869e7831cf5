"""Reported: the warehouse database, the HTML report and the great-expectations Data Docs."""

import dagster as dg
import polars as pl

from pipeline.attribute import load_policy
from pipeline.changes import CHANGE_SCHEMA, headline_changes, headline_figures, table_changes
from pipeline.checks import schema_check_result, table_schema
from pipeline.io import publish_duckdb, table_path, write_text_atomic
from pipeline.link.decisions import load_decisions
from pipeline.parse.common import SnapshotError
from pipeline.rebuild import outputs_from_staged
from pipeline.report import build_report
from pipeline.resources import PipelinePaths
from schemas.expectations import run_expectations
from schemas.reported import HeadlineChangesModel, SnapshotChangesModel
from schemas.staged import RejectsModel

from assets.staged import STAGED_SOURCES, STAGED_TABLES, parse_previous

WAREHOUSE_TABLES = (
    *STAGED_TABLES, "rejects", "unresolved_places", "snapshot_changes", "headline_changes", "person_records", "person_links", "victim_clusters", "review_queue",
    "incident_links", "incident_membership", "incidents", "victims", "tallies", "official_comparison", "un_crosscheck",
    "capture_histories", "estimates",
)


@dg.asset(
    group_name="staged",
    owners=["team:data"],
    kinds={"polars"},
    ins={f"rejects_{name}": dg.AssetIn(f"rejects_{name}") for name in ("morgue", "airwars", "ibc", "amnesty", "un", "official_claims", "cjtf")},
    description="Every rejected row or emptied value of every source, with file, row, field, value and reason.",
    metadata={"dagster/column_schema": table_schema(RejectsModel)},
    check_specs=[dg.AssetCheckSpec("schema", asset="rejects", blocking=True, description=f"pandera {RejectsModel.__name__}")],
)
def rejects(**per_source: pl.DataFrame):
    frame = pl.concat(list(per_source.values()), how="vertical")
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "by_source": dg.MetadataValue.json(dict(frame.group_by("source").len().iter_rows()) if len(frame) else {})})
    yield schema_check_result(RejectsModel, frame, "rejects")


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


HEADLINE_INPUTS = ("victims", "estimates", "official_comparison")


@dg.multi_asset(
    name="compare_snapshots",
    outs={
        "snapshot_changes": dg.AssetOut(group_name="reported", owners=["team:data"], kinds={"polars"}, description="What each source's newest snapshot added, removed or changed against its previous snapshot (both parsed the same way), record by record.", metadata={"dagster/column_schema": table_schema(SnapshotChangesModel)}),
        "headline_changes": dg.AssetOut(group_name="reported", owners=["team:data"], kinds={"polars"}, description="The headline figures (documented deaths, deaths by party, multiples of the official figures, the estimate) on the previous snapshot set against the current one, with the differences: the previous set is rebuilt by the same plain functions with the same reviewer decisions and policy. Empty when no source has a previous snapshot.", metadata={"dagster/column_schema": table_schema(HeadlineChangesModel)}),
    },
    ins={
        **{raw: dg.AssetIn(raw) for source in STAGED_SOURCES for raw in source.raw_assets},
        **{table: dg.AssetIn(table) for table in STAGED_TABLES},
        **{table: dg.AssetIn(table) for table in HEADLINE_INPUTS},
    },
    check_specs=[
        dg.AssetCheckSpec("schema", asset="snapshot_changes", blocking=False, description=f"pandera {SnapshotChangesModel.__name__}"),
        # Blocking: the report quotes these figures.
        dg.AssetCheckSpec("schema", asset="headline_changes", blocking=True, description=f"pandera {HeadlineChangesModel.__name__}"),
    ],
)
def compare_snapshots(context: dg.AssetExecutionContext, paths: PipelinePaths, **inputs: pl.DataFrame):
    frames, summary, previous_staged = [pl.DataFrame(schema=CHANGE_SCHEMA)], {}, {table: inputs[table] for table in STAGED_TABLES}
    for source in STAGED_SOURCES:
        manifests = [inputs[raw] for raw in source.raw_assets]
        try:
            parsed = parse_previous(source, manifests)
        except (SnapshotError, FileNotFoundError) as error:
            context.log.warning(f"{source.name}: previous snapshot unreadable ({error}); no comparison, its newest snapshot stands in for it")
            continue
        if parsed is None:
            continue
        history = manifests[0]["history"][0]
        for table in source.tables:
            changes = table_changes(table, parsed.tables[table], inputs[table])
            frames.append(changes)
            previous_staged[table] = parsed.tables[table]
            summary[f"{table} ({history[-2]} -> {history[-1]})"] = dict(changes.group_by("change").len().iter_rows())
    changes = pl.concat(frames)
    yield dg.Output(changes, output_name="snapshot_changes", metadata={"dagster/row_count": len(changes), "summary": dg.MetadataValue.json(summary)})
    yield schema_check_result(SnapshotChangesModel, changes, "snapshot_changes")

    current = headline_figures(*(inputs[table] for table in HEADLINE_INPUTS))
    if summary:
        rebuilt = outputs_from_staged(previous_staged, load_decisions(paths.decisions), load_policy(paths.policy))
        figures = headline_changes(headline_figures(*(rebuilt[table] for table in HEADLINE_INPUTS)), current)
    else:
        figures = headline_changes({}, {}).clear()
    shown = {row["figure"]: f"{row['previous']:,.2f} -> {row['current']:,.2f} ({row['difference']:+,.2f})" for row in figures.iter_rows(named=True) if row["difference"] is not None}
    yield dg.Output(figures, output_name="headline_changes", metadata={"dagster/row_count": len(figures), "figures": dg.MetadataValue.json(shown)})
    yield schema_check_result(HeadlineChangesModel, figures, "headline_changes")


@dg.asset(
    group_name="reported",
    owners=["team:data"],
    kinds={"html", "plotly"},
    ins={"victims": dg.AssetIn(), "incidents": dg.AssetIn(), "tallies": dg.AssetIn(), "estimates": dg.AssetIn(), "official_comparison": dg.AssetIn(), "un_crosscheck": dg.AssetIn(), "headline_changes": dg.AssetIn()},
    description="A self-contained HTML report (<warehouse>/report.html): the headline, what the newest snapshots changed in it, and the charts, readable offline, without names.",
)
def report(paths: PipelinePaths, victims: pl.DataFrame, incidents: pl.DataFrame, tallies: pl.DataFrame, estimates: pl.DataFrame, official_comparison: pl.DataFrame, un_crosscheck: pl.DataFrame, headline_changes: pl.DataFrame) -> dg.MaterializeResult:
    html = build_report(victims, incidents, tallies, estimates, official_comparison, un_crosscheck, changes=headline_changes)
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
