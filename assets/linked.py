"""Linked: person records linked into victims, and incident records linked into incidents.

Splink does the probabilistic work (pipeline/link/); these assets wire it and describe it.
"""

import dagster as dg
import polars as pl

from pipeline.checks import schema_check_result, table_schema
from pipeline.link.decisions import load_decisions
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons
from pipeline.lineage import lineage_metadata, with_lineage
from pipeline.resources import PipelinePaths
from schemas.linked import PersonLinksModel, PersonRecordsModel, ReviewQueueModel, VictimClustersModel

PERSON_TABLES = ("staged_morgue", "staged_airwars_victims", "staged_airwars_incidents", "staged_ibc_victims", "staged_ibc_incidents", "staged_amnesty_victims", "staged_amnesty_incidents")


@dg.asset(
    group_name="linked",
    ins={table: dg.AssetIn(table) for table in PERSON_TABLES},
    owners=["team:linkage"],
    kinds={"polars"},
    description=with_lineage("One row per record that describes one dead person, from the morgue, Airwars, IBC and Amnesty, with comparable name forms (Arabic transliterated to Latin, name parts, keys).", "person_records"),
    metadata={"dagster/column_schema": table_schema(PersonRecordsModel), **lineage_metadata("person_records")},
    check_specs=[dg.AssetCheckSpec("schema", asset="person_records", blocking=True)],
)
def person_records(context: dg.AssetExecutionContext, **staged: pl.DataFrame):
    frame = build_person_records(staged)
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "by_source": dg.MetadataValue.json(dict(frame.group_by("source").len().iter_rows()))})
    yield schema_check_result(PersonRecordsModel, frame, "person_records")


@dg.multi_asset(
    name="link_people",
    outs={
        "person_links": dg.AssetOut(group_name="linked", owners=["team:linkage"], kinds={"splink", "duckdb"}, description="Scored candidate pairs of person records (Splink on DuckDB), with reviewer decisions applied.", metadata={"dagster/column_schema": table_schema(PersonLinksModel)}),
        "victim_clusters": dg.AssetOut(group_name="linked", owners=["team:linkage"], kinds={"polars"}, description=with_lineage("One row per distinct dead person: the records behind them, best names, and the weakest link inside the cluster.", "victim_clusters"), metadata={"dagster/column_schema": table_schema(VictimClustersModel), **lineage_metadata("victim_clusters")}),
        "review_queue": dg.AssetOut(group_name="linked", owners=["team:linkage"], kinds={"polars"}, description="Pairs in the uncertain band, side by side, with the match weight explained field by field. Decide them in the decisions file (MOSUL_DECISIONS).", metadata={"dagster/column_schema": table_schema(ReviewQueueModel)}),
    },
    ins={"person_records": dg.AssetIn("person_records")},
    check_specs=[
        dg.AssetCheckSpec("schema", asset="person_links", blocking=True),
        dg.AssetCheckSpec("schema", asset="victim_clusters", blocking=True),
        dg.AssetCheckSpec("every_record_in_one_victim", asset="victim_clusters", blocking=True, description="each person record belongs to exactly one victim"),
        dg.AssetCheckSpec("schema", asset="review_queue", blocking=False),
    ],
)
def link_people(context: dg.AssetExecutionContext, paths: PipelinePaths, person_records: pl.DataFrame):
    decisions = load_decisions(paths.decisions)
    result = link_persons(person_records, decisions=decisions)
    summary = result.model_summary or {}
    yield dg.Output(result.links, output_name="person_links", metadata={"dagster/row_count": len(result.links), "model": dg.MetadataValue.json(summary)})
    yield dg.Output(result.clusters, output_name="victim_clusters", metadata={"dagster/row_count": len(result.clusters), "person_records": len(person_records)})
    yield dg.Output(result.review_queue, output_name="review_queue", metadata={"dagster/row_count": len(result.review_queue), "decisions_file": str(paths.decisions)})
    yield schema_check_result(PersonLinksModel, result.links, "person_links")
    yield schema_check_result(VictimClustersModel, result.clusters, "victim_clusters")
    members = result.clusters.select(pl.col("record_keys").explode())["record_keys"]
    yield dg.AssetCheckResult(
        asset_key="victim_clusters",
        check_name="every_record_in_one_victim",
        passed=members.len() == members.n_unique() == len(person_records) and set(members.to_list()) == set(person_records["record_key"].to_list()),
        metadata={"records": len(person_records), "records_in_clusters": members.len(), "distinct": members.n_unique()},
    )
    yield schema_check_result(ReviewQueueModel, result.review_queue, "review_queue")
