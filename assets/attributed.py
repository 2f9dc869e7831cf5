"""Attributed: incidents linked across sources and attributed; each victim's party, weapon and basis; tallies."""

import dagster as dg
import polars as pl

from pipeline.attribute import attribute_incidents, attribute_victims, load_policy
from pipeline.checks import schema_check_result, table_schema
from pipeline.lineage import lineage_metadata, with_lineage
from pipeline.link.incidents import link_incidents
from pipeline.resources import PipelinePaths
from pipeline.tallies import build_tallies
from pipeline.victim_incidents import link_victims_to_incidents
from schemas.attributed import IncidentsModel, OfficialComparisonModel, TalliesModel, UnCrosscheckModel, VictimsModel
from schemas.linked import IncidentLinksModel, IncidentMembershipModel

INCIDENT_TABLES = ("staged_airwars_incidents", "staged_ibc_incidents", "staged_amnesty_incidents", "staged_cjtf_assessments")
CONTEXT_TABLES = ("staged_un_casualties", "staged_official_claims")


@dg.multi_asset(
    name="link_and_attribute_incidents",
    outs={
        "incidents": dg.AssetOut(group_name="attributed", owners=["team:attribution"], kinds={"polars"}, description=with_lineage("One row per distinct incident across Airwars, IBC, Amnesty and the coalition's assessments, with its party and the basis for it.", "incidents"), metadata={"dagster/column_schema": table_schema(IncidentsModel), **lineage_metadata("incidents")}),
        "incident_links": dg.AssetOut(group_name="linked", owners=["team:attribution"], kinds={"polars"}, description="The links that made each incident: score is the best-fitting record pair's log2 Bayes factor (Fellegi-Sunter, weights estimated by EM), link_confidence the pairing's probability against its competitors.", metadata={"dagster/column_schema": table_schema(IncidentLinksModel)}),
        "incident_membership": dg.AssetOut(group_name="linked", owners=["team:attribution"], kinds={"polars"}, description="Incident record key -> incident_id.", metadata={"dagster/column_schema": table_schema(IncidentMembershipModel)}),
    },
    ins={**{t: dg.AssetIn(t) for t in INCIDENT_TABLES}, "victim_clusters": dg.AssetIn("victim_clusters")},
    check_specs=[
        dg.AssetCheckSpec("schema", asset="incidents", blocking=True),
        dg.AssetCheckSpec("schema", asset="incident_links", blocking=False),
        # Blocking: victims are attributed through the membership.
        dg.AssetCheckSpec("schema", asset="incident_membership", blocking=True),
    ],
)
def link_and_attribute_incidents(context: dg.AssetExecutionContext, paths: PipelinePaths, victim_clusters: pl.DataFrame, **staged: pl.DataFrame):
    policy = load_policy(paths.policy)
    linked = link_incidents(staged, victim_clusters)
    incidents = attribute_incidents(linked.incidents, linked.membership, staged, policy)
    yield dg.Output(incidents, output_name="incidents", metadata={"dagster/row_count": len(incidents), "by_party": dg.MetadataValue.json(dict(incidents.group_by("party").len().iter_rows()))})
    yield dg.Output(linked.incident_links, output_name="incident_links", metadata={"dagster/row_count": len(linked.incident_links), "estimated_weights": dg.MetadataValue.json(linked.model)})
    yield dg.Output(linked.membership, output_name="incident_membership", metadata={"dagster/row_count": len(linked.membership)})
    yield schema_check_result(IncidentsModel, incidents, "incidents")
    yield schema_check_result(IncidentLinksModel, linked.incident_links, "incident_links")
    yield schema_check_result(IncidentMembershipModel, linked.membership, "incident_membership")


@dg.asset(
    group_name="attributed",
    owners=["team:attribution"],
    kinds={"polars"},
    ins={"victim_clusters": dg.AssetIn(), "incidents": dg.AssetIn(), "incident_membership": dg.AssetIn(), "person_records": dg.AssetIn()},
    description=with_lineage("One row per distinct dead person the sources document, with party, weapon and the basis for them: the records and the rule that decided.", "victims"),
    metadata={"dagster/column_schema": table_schema(VictimsModel), **lineage_metadata("victims")},
    check_specs=[dg.AssetCheckSpec("schema", asset="victims", blocking=True)],
)
def victims(context: dg.AssetExecutionContext, paths: PipelinePaths, victim_clusters: pl.DataFrame, incidents: pl.DataFrame, incident_membership: pl.DataFrame, person_records: pl.DataFrame, staged_morgue: pl.DataFrame):
    policy = load_policy(paths.policy)
    # person_records: the name parts that show which morgue-only victims were relatives of named ones;
    # staged_morgue: when bodies without a date of death were registered, and the morgue's usual delay.
    victim_incidents = link_victims_to_incidents(victim_clusters, incidents, incident_membership, policy, person_records, staged_morgue)
    frame = attribute_victims(victim_clusters, victim_incidents, incidents, policy)
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame), "by_party": dg.MetadataValue.json(dict(frame.group_by("party").len().iter_rows()))})
    yield schema_check_result(VictimsModel, frame, "victims")


@dg.multi_asset(
    name="tally",
    outs={
        "tallies": dg.AssetOut(group_name="attributed", owners=["team:attribution"], kinds={"polars"}, description=with_lineage("Deaths by party, weapon, month, bank and neighbourhood.", "tallies"), metadata={"dagster/column_schema": table_schema(TalliesModel), **lineage_metadata("tallies")}),
        "official_comparison": dg.AssetOut(group_name="attributed", owners=["team:attribution"], kinds={"polars"}, description=with_lineage("Documented deaths against the coalition's 326 and the Iraqi government's 1,260.", "official_comparison"), metadata={"dagster/column_schema": table_schema(OfficialComparisonModel), **lineage_metadata("official_comparison")}),
        "un_crosscheck": dg.AssetOut(group_name="attributed", owners=["team:attribution"], kinds={"polars"}, description=with_lineage("The UN's aggregates per period and perpetrator against the pipeline's counts, with the differences.", "un_crosscheck"), metadata={"dagster/column_schema": table_schema(UnCrosscheckModel), **lineage_metadata("un_crosscheck")}),
    },
    ins={"victims": dg.AssetIn(), **{t: dg.AssetIn(t) for t in CONTEXT_TABLES}},
    check_specs=[
        dg.AssetCheckSpec("schema", asset="tallies", blocking=True),
        dg.AssetCheckSpec("schema", asset="official_comparison", blocking=True),
        dg.AssetCheckSpec("schema", asset="un_crosscheck", blocking=True),
    ],
)
def tally(context: dg.AssetExecutionContext, victims: pl.DataFrame, **staged: pl.DataFrame):
    tables = build_tallies(victims, staged)
    for name, model in (("tallies", TalliesModel), ("official_comparison", OfficialComparisonModel), ("un_crosscheck", UnCrosscheckModel)):
        yield dg.Output(tables[name], output_name=name, metadata={"dagster/row_count": len(tables[name])})
        yield schema_check_result(model, tables[name], name)
