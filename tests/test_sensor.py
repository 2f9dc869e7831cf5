"""The new-snapshot sensor requests exactly the assets downstream of a changed source, once."""

import shutil

import dagster as dg
import pytest

from pipeline.definitions import build_defs
from pipeline.settings import Settings
from pipeline.snapshots import RAW_FILES


@pytest.fixture()
def setup(samples_root, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(samples_root, sources)
    settings = Settings(sources_root=sources, warehouse=tmp_path / "warehouse", decisions_path=tmp_path / "decisions.csv", attribution_policy=None)
    defs = build_defs(settings)
    instance = dg.DagsterInstance.ephemeral()
    return sources, defs, instance


def evaluate(defs, instance):
    sensor = defs.resolve_sensor_def("new_snapshot_sensor")
    with dg.build_sensor_context(instance=instance, definitions=defs, resources={"paths": defs.resources["paths"]}) as context:
        return sensor.evaluate_tick(context)


def materialise_raw(defs, instance):
    raw_keys = [dg.AssetKey(raw.asset) for raw in RAW_FILES]
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(instance=instance, asset_selection=raw_keys)
    assert result.success


def test_first_tick_requests_everything_then_nothing_once_built(setup):
    sources, defs, instance = setup
    first = evaluate(defs, instance)
    assert len(first.run_requests) == 1
    requested = {key.to_user_string() for key in first.run_requests[0].asset_selection}
    assert {raw.asset for raw in RAW_FILES} <= requested
    materialise_raw(defs, instance)
    second = evaluate(defs, instance)
    assert not second.run_requests


def test_new_snapshot_requests_exactly_its_downstream(setup):
    sources, defs, instance = setup
    materialise_raw(defs, instance)
    new = sources / "morgue" / "2018-01-15"
    shutil.copytree(sources / "morgue" / "2017-12-01", new)
    with open(new / "morgue.csv", "a", encoding="utf-8", newline="") as handle:
        handle.write("12,نور محمد علي,أنثى,30,01/06/2017,10/01/2018,حي الشفاء,انهيار,\r\n")
    result = evaluate(defs, instance)
    assert len(result.run_requests) == 1
    request = result.run_requests[0]
    requested = {key.to_user_string() for key in request.asset_selection}
    graph = defs.resolve_asset_graph()
    expected = {k.to_user_string() for k in dg.AssetSelection.assets("raw_morgue").downstream().resolve(graph)}
    assert requested == expected
    assert not any(name.startswith("raw_") and name != "raw_morgue" for name in requested)
    # the morgue's own chain down to the published tables, and nothing that does not read it
    assert {"staged_morgue", "person_records", "victim_clusters", "victims", "estimates", "report", "warehouse_db"} <= requested
    assert not {"staged_ibc_incidents", "staged_airwars_incidents", "staged_un_casualties", "staged_cjtf_assessments"} & requested
    assert "raw_morgue" in request.run_key
    # the same unchanged tree asks for nothing new: the run key repeats, so Dagster dedupes it
    assert evaluate(defs, instance).run_requests[0].run_key == request.run_key
