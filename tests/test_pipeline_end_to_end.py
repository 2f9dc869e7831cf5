"""The real Dagster materialisation of every asset on a small simulated scenario, and what a
broken snapshot does to it: the step fails with the file named, and the last good tables stay."""

import json

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipeline.definitions import build_defs
from pipeline.link.evaluate import explode_clusters, pairwise_scores
from pipeline.scenario import simulate
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    simulate(11, root, scale=0.25)
    settings = Settings(sources_root=root / "sources", warehouse=root / "warehouse", decisions_path=root / "decisions.csv", attribution_policy=None)
    defs = build_defs(settings)
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    return root, settings, defs, instance, result


def test_every_asset_materialises_and_every_check_passes(built):
    root, settings, defs, instance, result = built
    assert result.success
    checks = result.get_asset_check_evaluations()
    failed = [(c.asset_key.to_user_string(), c.check_name) for c in checks if not c.passed]
    assert len(checks) >= 25
    assert failed == [] or failed == [("data_docs", "expectations")], failed
    # Every table the run built was checked against its pandera model (the schema check).
    schema_checked = {c.asset_key.to_user_string() for c in checks if c.check_name == "schema"}
    tables = {key.to_user_string() for key in defs.resolve_all_asset_keys()} - {"report", "warehouse_db", "data_docs"}
    assert sorted(tables - schema_checked) == []
    assert {"raw_morgue", "rejects", "rejects_morgue", "unresolved_places", "incident_links", "incident_membership", "snapshot_changes", "headline_changes"} <= schema_checked
    warehouse = settings.warehouse
    for table in ("victims", "incidents", "estimates", "tallies", "rejects", "review_queue", "official_comparison", "un_crosscheck"):
        assert (warehouse / f"{table}.parquet").exists(), table
    assert (warehouse / "report.html").stat().st_size > 100_000
    assert (warehouse / "data_docs" / "index.html").exists()
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from victims").fetchone()[0] == pl.read_parquet(warehouse / "victims.parquet").height
    con.close()


def test_outputs_keep_the_contract_and_trace_to_records(built):
    root, settings, *_ = built
    victims = pl.read_parquet(settings.warehouse / "victims.parquet")
    assert {"victim_id", "record_keys", "party", "weapon", "basis"} <= set(victims.columns)
    assert set(victims["party"].unique()) <= {"coalition_or_iraqi", "islamic_state", "undetermined"}
    assert victims["basis"].str.len_chars().min() > 10
    records = pl.read_parquet(settings.warehouse / "person_records.parquet")
    assert sorted(victims["record_keys"].explode().to_list()) == sorted(records["record_key"].to_list())
    incidents = pl.read_parquet(settings.warehouse / "incidents.parquet")
    assert {"incident_id", "record_keys", "party"} <= set(incidents.columns)
    estimates = pl.read_parquet(settings.warehouse / "estimates.parquet")
    overall = estimates.filter(pl.col("stratum") == "all").row(0, named=True)
    assert overall["documented"] == len(victims) and overall["headline"].startswith("Between")


def test_column_lineage_names_exactly_the_columns_of_the_built_tables(built):
    from pipeline.lineage import LINEAGE

    root, settings, *_ = built
    for table, deps in LINEAGE.items():
        assert set(deps) == set(pl.read_parquet_schema(settings.warehouse / f"{table}.parquet")), table


def test_snapshot_changes_list_what_the_newest_morgue_added(built):
    root, settings, *_ = built
    changes = pl.read_parquet(settings.warehouse / "snapshot_changes.parquet")
    morgue = changes.filter(pl.col("table") == "staged_morgue")
    snapshots = sorted(p.name for p in (root / "sources" / "morgue").iterdir())
    import csv
    def rows(name):
        with open(root / "sources" / "morgue" / name / "morgue.csv", encoding="utf-8-sig", newline="") as handle:
            return {r["ت"] for r in csv.DictReader(handle)}
    assert morgue.filter(pl.col("change") == "added").height == len(rows(snapshots[-1]) - rows(snapshots[-2])) > 0
    assert morgue.filter(pl.col("change") == "removed").is_empty()


def test_headline_changes_compare_the_published_figures_with_the_previous_snapshots(built):
    root, settings, *_ = built
    read = lambda name: pl.read_parquet(settings.warehouse / f"{name}.parquet")  # noqa: E731
    changes = {row["figure"]: row for row in read("headline_changes").to_dicts()}
    victims = read("victims")
    assert changes["documented deaths"]["current"] == victims.height
    assert changes["deaths attributed to islamic_state"]["current"] == victims.filter(pl.col("party") == "islamic_state").height
    assert 0 < changes["documented deaths"]["difference"] == victims.height - changes["documented deaths"]["previous"]
    assert "What the newest snapshots changed" in (settings.warehouse / "report.html").read_text(encoding="utf-8")


def test_linkage_floor_against_truth(built):
    """A stable floor on a small scenario: the linkage must not regress below it."""
    root, settings, *_ = built
    truth = pl.read_csv(root / "truth" / "records.csv", infer_schema=False).filter(pl.col("person_id").is_not_null() & (pl.col("person_id") != ""))
    records = pl.read_parquet(settings.warehouse / "person_records.parquet")
    named = records.filter(~pl.col("is_unidentified") & pl.col("given_key").is_not_null() & ~pl.col("is_relational"))["record_key"]
    clusters = explode_clusters(pl.read_parquet(settings.warehouse / "victim_clusters.parquet"))
    scores = pairwise_scores(clusters.filter(pl.col("record_key").is_in(named.implode())), truth.select("record_key", "person_id"))
    assert scores["precision"] >= 0.93 and scores["recall"] >= 0.85, scores


def test_a_broken_snapshot_fails_its_source_and_keeps_the_last_good_tables(built):
    root, settings, defs, instance, _ = built
    before = pl.read_parquet(settings.warehouse / "staged_airwars_incidents.parquet")
    newer = root / "sources" / "airwars" / "2018-01-01"
    newer.mkdir()
    (newer / "incidents.json").write_text('[{"code": "CI1", "date": ', encoding="utf-8")
    try:
        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey("raw_airwars_incidents"), dg.AssetKey("staged_airwars_incidents"), dg.AssetKey("staged_airwars_victims"), dg.AssetKey("rejects_airwars")], raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
        assert "incidents.json" in str(failure.event_specific_data.error) and "invalid JSON" in str(failure.event_specific_data.error)
        assert pl.read_parquet(settings.warehouse / "staged_airwars_incidents.parquet").equals(before)
    finally:
        (newer / "incidents.json").unlink()
        newer.rmdir()
