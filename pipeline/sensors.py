"""Rebuild when a source publishes a new snapshot, and only then.

The sensor (every minute) and the daily schedule ask the same question: for each contract
file, is the newest snapshot's SHA-256 different from the data version of the raw asset's last
materialisation? If so they request one run of the changed raw assets and exactly the assets
downstream of them; if nothing changed they request nothing. The run key is made of the new
hashes, so one change never launches two runs.
"""

import dagster as dg

from pipeline.resources import PipelinePaths
from pipeline.snapshots import RAW_FILES, SourceLayoutError, current_file

DATA_VERSION_TAG = "dagster/data_version"


def last_materialised_version(instance: dg.DagsterInstance, asset: str) -> str | None:
    event = instance.get_latest_materialization_event(dg.AssetKey(asset))
    if event is None or event.asset_materialization is None:
        return None
    return (event.asset_materialization.tags or {}).get(DATA_VERSION_TAG)


def changed_raw_assets(sources_root, instance: dg.DagsterInstance) -> dict[str, str]:
    """Raw assets whose newest snapshot differs from what was last materialised: asset -> new version.
    A source whose layout is broken counts as changed, so that the run fails loudly on it."""
    changed = {}
    for raw in RAW_FILES:
        try:
            version = current_file(sources_root, raw).data_version
        except SourceLayoutError:
            version = "layout-error"
        if version != last_materialised_version(instance, raw.asset):
            changed[raw.asset] = version
    return changed


def rebuild_request(context, sources_root) -> dg.RunRequest | dg.SkipReason:
    changed = changed_raw_assets(sources_root, context.instance)
    if not changed:
        return dg.SkipReason("no source has a new snapshot")
    roots = [dg.AssetKey(asset) for asset in sorted(changed)]
    selection = dg.AssetSelection.assets(*roots).downstream()
    keys = sorted(selection.resolve(context.repository_def.asset_graph), key=lambda k: k.to_user_string())
    run_key = ";".join(f"{asset}:{version[:16]}" for asset, version in sorted(changed.items()))
    return dg.RunRequest(run_key=run_key, asset_selection=keys, tags={"mosul/changed": ",".join(sorted(changed))})


@dg.sensor(
    name="new_snapshot_sensor",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    target=dg.AssetSelection.all(),
    description="Launches a run of the assets downstream of any source whose newest snapshot changed.",
)
def new_snapshot_sensor(context: dg.SensorEvaluationContext, paths: PipelinePaths):
    return rebuild_request(context, paths.sources)


@dg.schedule(
    name="daily_rebuild",
    cron_schedule="0 6 * * *",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Daily at 06:00: the same check as the sensor, for deployments that run no sensor daemon.",
)
def daily_rebuild(context: dg.ScheduleEvaluationContext, paths: PipelinePaths):
    return rebuild_request(context, paths.sources)
