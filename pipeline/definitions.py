"""The one Definitions: assets by stage, their checks, resources, sensors and schedules."""

from __future__ import annotations

import dagster as dg

from assets import attributed, estimated, linked, raw, reported, staged
from pipeline.io import ParquetIOManager
from pipeline.resources import PipelinePaths
from pipeline.sensors import daily_rebuild, new_snapshot_sensor
from pipeline.settings import Settings


def build_defs(settings: Settings) -> dg.Definitions:
    """Definitions for one set of paths; tests build their own against temporary folders."""
    return dg.Definitions(
        assets=[
            *raw.raw_assets,
            *staged.staged_assets,
            reported.rejects,
            staged.unresolved_places,
            reported.compare_snapshots,
            reported.data_docs,
            linked.person_records,
            linked.link_people,
            attributed.link_and_attribute_incidents,
            attributed.victims,
            attributed.tally,
            estimated.capture_histories,
            estimated.estimates,
            reported.report,
            reported.warehouse_db,
        ],
        sensors=[new_snapshot_sensor],
        schedules=[daily_rebuild],
        resources={
            "paths": PipelinePaths.from_settings(settings),
            "io_manager": ParquetIOManager(warehouse=str(settings.warehouse)),
        },
        # In one process: the heavy steps (DuckDB, polars, Splink) use both cores themselves,
        # and a process per step would pay Python's imports thirty times over.
        executor=dg.in_process_executor,
    )


defs = build_defs(Settings.from_env())
