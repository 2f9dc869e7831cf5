"""Estimated: who was seen by which list, and how many no list saw (multiple systems estimation)."""

import dagster as dg
import polars as pl

from pipeline.checks import schema_check_result, table_schema
from pipeline.estimate import capture_histories as build_capture_histories
from pipeline.estimate import estimate, undecided_links
from pipeline.lineage import lineage_metadata, with_lineage
from schemas.estimated import CaptureHistoriesModel, EstimatesModel


@dg.asset(
    group_name="estimated",
    owners=["team:estimation"],
    kinds={"polars"},
    description=with_lineage("Each documented victim's capture history across the named lists (morgue, Airwars, IBC, Amnesty), with the strata used for estimation.", "capture_histories"),
    metadata={"dagster/column_schema": table_schema(CaptureHistoriesModel), **lineage_metadata("capture_histories")},
    check_specs=[dg.AssetCheckSpec("schema", asset="capture_histories", blocking=True)],
)
def capture_histories(victims: pl.DataFrame, person_records: pl.DataFrame):
    # person_records: which of a victim's records carry a usable name; only those count as
    # captures (pipeline/estimate/capture.py says why).
    frame = build_capture_histories(victims, person_records)
    yield dg.Output(frame, metadata={"dagster/row_count": len(frame)})
    yield schema_check_result(CaptureHistoriesModel, frame, "capture_histories")


@dg.asset(
    group_name="estimated",
    owners=["team:estimation"],
    kinds={"statsmodels"},
    description=with_lineage("Documented count and estimated total deaths with 95% intervals, overall and per stratum (log-linear multiple systems estimation).", "estimates"),
    metadata={"dagster/column_schema": table_schema(EstimatesModel), **lineage_metadata("estimates")},
    check_specs=[dg.AssetCheckSpec("schema", asset="estimates", blocking=True)],
)
def estimates(capture_histories: pl.DataFrame, review_queue: pl.DataFrame, person_records: pl.DataFrame):
    # The review queue's undecided pairs enter at their probability (pipeline/estimate/undecided.py).
    frame = estimate(capture_histories, undecided=undecided_links(review_queue, person_records))
    overall = frame.filter(pl.col("stratum") == "all")
    metadata = {"dagster/row_count": len(frame)}
    if len(overall) and overall["estimate"][0] is not None:
        metadata.update({"documented": int(overall["documented"][0]), "estimate": float(overall["estimate"][0]), "lower": float(overall["lower"][0]), "upper": float(overall["upper"][0])})
    yield dg.Output(frame, metadata=metadata)
    yield schema_check_result(EstimatesModel, frame, "estimates")
