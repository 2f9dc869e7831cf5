"""A great-expectations 1.x suite over the staged tables, with HTML Data Docs for reviewers.

GX has no polars input, so frames go in as pandas. It is imported inside the function: the
import costs seconds that no other step should pay.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import polars as pl

from pipeline.codes import CAUSES, GRADINGS, PLACE_STATUSES, WEAPONS
from pipeline.io import publish_directory


def _expectations(gxe, table: str) -> list:
    common = [gxe.ExpectColumnValuesToNotBeNull(column="record_key"), gxe.ExpectColumnValuesToBeUnique(column="record_key")]
    specific = {
        "staged_morgue": [
            gxe.ExpectColumnValuesToBeBetween(column="age", min_value=0, max_value=110, mostly=1.0),
            gxe.ExpectColumnValuesToBeInSet(column="cause", value_set=list(CAUSES)),
            gxe.ExpectColumnValuesToBeInSet(column="place_status", value_set=list(PLACE_STATUSES)),
            gxe.ExpectColumnValuesToBeInSet(column="sex", value_set=["M", "F"], mostly=0.9),
        ],
        "staged_airwars_incidents": [gxe.ExpectColumnValuesToBeInSet(column="grading", value_set=list(GRADINGS))],
        "staged_ibc_incidents": [gxe.ExpectColumnValuesToBeInSet(column="weapon", value_set=list(WEAPONS))],
        "staged_amnesty_incidents": [gxe.ExpectColumnValuesToBeInSet(column="weapon", value_set=list(WEAPONS))],
    }
    return common + specific.get(table, [])


def run_expectations(tables: dict[str, pl.DataFrame], docs_dir: Path | None = None) -> dict:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    workdir = Path(tempfile.mkdtemp(prefix="gx-"))
    try:
        context = gx.get_context(mode="file", project_root_dir=str(workdir))
        source = context.data_sources.add_pandas("staged")
        results = {}
        for table, frame in tables.items():
            if frame.is_empty():
                continue
            asset = source.add_dataframe_asset(table)
            batch_definition = asset.add_batch_definition_whole_dataframe(f"{table}_batch")
            suite = context.suites.add(gx.ExpectationSuite(name=f"{table}_suite", expectations=_expectations(gxe, table)))
            validation = context.validation_definitions.add(gx.ValidationDefinition(name=f"{table}_validation", data=batch_definition, suite=suite))
            checkpoint = context.checkpoints.add(
                gx.Checkpoint(name=f"{table}_checkpoint", validation_definitions=[validation], actions=[gx.checkpoint.UpdateDataDocsAction(name="docs")] if docs_dir else [])
            )
            pandas = frame.select([c for c in frame.columns if frame[c].dtype != pl.List(pl.String)]).to_pandas()
            outcome = checkpoint.run(batch_parameters={"dataframe": pandas})
            stats = list(outcome.run_results.values())[0].statistics
            results[table] = {"success": bool(outcome.success), "evaluated": int(stats["evaluated_expectations"]), "failed": int(stats["unsuccessful_expectations"])}
        if docs_dir:
            site = workdir / "gx" / "uncommitted" / "data_docs" / "local_site"
            publish_directory(site, Path(docs_dir))
        return results
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

