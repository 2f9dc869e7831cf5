"""Every table the pipeline writes has a pandera model shown as its column schema and checked
as an asset check; the models of the small bookkeeping tables catch what they claim to."""

import dagster as dg
import polars as pl
import pytest

from pipeline.changes import headline_changes, table_changes
from pipeline.checks import schema_check_result, validate_frame
from pipeline.definitions import build_defs
from pipeline.settings import Settings
from schemas import polars_schema
from schemas.linked import IncidentLinksModel, IncidentMembershipModel
from schemas.raw import RawManifestModel
from schemas.reported import HeadlineChangesModel, SnapshotChangesModel
from schemas.staged import RejectsModel, UnresolvedPlacesModel

# Assets whose value is not a table: files written beside the warehouse, and the warehouse itself.
NOT_TABLES = {"report", "warehouse_db", "data_docs"}
# A failure in these would corrupt what is built from them (a wrong file staged, rejects
# miscounted, victims attributed through a broken membership, a wrong figure in the report).
BLOCKING = {
    *(f"raw_{name}" for name in ("morgue", "airwars_incidents", "ibc_incidents", "ibc_victims", "amnesty_incidents", "un_casualties", "official_claims", "cjtf_assessments")),
    "rejects", *(f"rejects_{name}" for name in ("morgue", "airwars", "ibc", "amnesty", "un", "official_claims", "cjtf")),
    "incident_membership", "headline_changes",
}
NON_BLOCKING = {"unresolved_places", "incident_links", "snapshot_changes", "review_queue"}


@pytest.fixture(scope="module")
def defs(tmp_path_factory):
    root = tmp_path_factory.mktemp("schemas")
    return build_defs(Settings(sources_root=root / "sources", warehouse=root / "warehouse", decisions_path=root / "decisions.csv", attribution_policy=None))


def test_every_table_valued_asset_has_a_column_schema_and_a_schema_check(defs):
    specs = {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}
    graph = defs.resolve_asset_graph()
    schema_checks = {key.asset_key.to_user_string(): graph.get_check_spec(key) for key in graph.asset_check_keys if key.name == "schema"}
    tables = set(specs) - NOT_TABLES
    assert NOT_TABLES <= set(specs) and len(tables) >= 40
    assert sorted(t for t in tables if not isinstance(specs[t].metadata.get("dagster/column_schema"), dg.TableSchema)) == []
    assert sorted(tables - set(schema_checks)) == []
    assert not NOT_TABLES & set(schema_checks)
    assert sorted(t for t in BLOCKING if not schema_checks[t].blocking) == []
    assert sorted(t for t in NON_BLOCKING if schema_checks[t].blocking) == []


def manifest(**changes) -> pl.DataFrame:
    row = {
        "source": "official", "file": "claims.csv", "snapshot": "2017-08-01", "path": "/data/official/2017-08-01/claims.csv",
        "sha256": "0" * 64, "size_bytes": 120, "rows": 2, "history": ["2017-07-01", "2017-08-01"],
    }
    return pl.DataFrame([{**row, **changes}], schema=polars_schema(RawManifestModel))


def failed_checks(model, frame: pl.DataFrame) -> set[str]:
    passed, failures = validate_frame(model, frame)
    return set() if passed else set(failures["check"].cast(pl.String))


def test_raw_manifest_model_catches_a_manifest_that_points_at_the_wrong_file():
    assert failed_checks(RawManifestModel, manifest()) == set()
    assert failed_checks(RawManifestModel, manifest().clear()) == set()  # an absent source
    assert failed_checks(RawManifestModel, manifest(rows=None)) == set()  # unreadable: staging says why
    assert failed_checks(RawManifestModel, manifest(file="morgue.csv", path="/data/official/2017-08-01/morgue.csv")) == {"contract_file"}
    assert failed_checks(RawManifestModel, manifest(snapshot="2017-07-01", path="/data/official/2017-07-01/claims.csv")) == {"newest_in_history"}
    assert failed_checks(RawManifestModel, manifest(path="/data/official/2017-07-01/claims.csv")) == {"path_matches"}
    assert "one_row" in failed_checks(RawManifestModel, pl.concat([manifest(), manifest()]))
    assert any("str_matches" in check for check in failed_checks(RawManifestModel, manifest(sha256="abc")))


def test_snapshot_changes_model_accepts_what_table_changes_builds_and_catches_inconsistency():
    previous = pl.DataFrame({"record_key": ["morgue:1", "morgue:2"], "snapshot": ["a", "a"], "age": [30, 40]})
    current = pl.DataFrame({"record_key": ["morgue:2", "morgue:3"], "snapshot": ["b", "b"], "age": [41, 50]})
    changes = table_changes("staged_morgue", previous, current)
    assert sorted(changes["change"].to_list()) == ["added", "changed", "removed"]
    assert schema_check_result(SnapshotChangesModel, changes, "snapshot_changes").passed
    assert failed_checks(SnapshotChangesModel, changes.with_columns(pl.when(pl.col("change") == "added").then(pl.lit("ibc:x/1")).otherwise(pl.col("record_key")).alias("record_key"))) == {"key_of_the_table"}
    assert failed_checks(SnapshotChangesModel, changes.with_columns(pl.lit(None, pl.String).alias("fields"))) == {"fields_only_when_changed"}
    assert "one_change_per_record" in failed_checks(SnapshotChangesModel, pl.concat([changes, changes]))


def test_headline_changes_model_holds_the_difference_to_the_figures():
    figures = headline_changes({"documented deaths": 100.0, "old claim": 5.0}, {"documented deaths": 112.0, "new claim": 7.0})
    assert failed_checks(HeadlineChangesModel, figures) == set()
    wrong = figures.with_columns(pl.when(pl.col("figure") == "documented deaths").then(11.0).otherwise(pl.col("difference")).alias("difference"))
    assert failed_checks(HeadlineChangesModel, wrong) == {"difference_is_the_difference"}


def test_incident_models_catch_unordered_pairs_and_keys_of_another_source():
    links = pl.DataFrame({"record_key_l": ["airwars:CS1", "ibc:x2"], "record_key_r": ["ibc:x1", "amnesty:3"], "score": [6.0, 5.0], "link_confidence": [6 / 14.5, 5 / 14.5]})
    assert failed_checks(IncidentLinksModel, links.head(1)) == set()
    assert failed_checks(IncidentLinksModel, links) == {"ordered"}
    assert any("less_than_or_equal_to" in check for check in failed_checks(IncidentLinksModel, links.head(1).with_columns(pl.lit(1.5).alias("link_confidence"))))
    membership = pl.DataFrame({"record_key": ["airwars:CS1", "ibc:x1"], "incident_id": ["i-0123456789ab", "i-0123456789ab"], "source": ["airwars", "ibc"]})
    assert failed_checks(IncidentMembershipModel, membership) == set()
    assert failed_checks(IncidentMembershipModel, membership.with_columns(pl.lit("ibc").alias("source"))) == {"key_of_the_source"}
    assert failed_checks(IncidentMembershipModel, pl.concat([membership, membership])) == {"field_uniqueness"}


def test_rejects_and_unresolved_places_models():
    rejects = pl.DataFrame(
        [{"source": "morgue", "snapshot": "2017-08-01", "file": "/data/morgue/2017-08-01/morgue.csv", "row": 4, "record_key": "morgue:4", "field": "age", "value": "two hundred", "reason": "not a number", "action": "value_nulled"}],
        schema=polars_schema(RejectsModel),
    )
    assert failed_checks(RejectsModel, rejects) == set()
    assert failed_checks(RejectsModel, rejects.with_columns(pl.lit("2017-07-01").alias("snapshot"))) == {"file_in_its_snapshot"}
    assert failed_checks(RejectsModel, rejects.with_columns(pl.lit("deleted").alias("action"))) == {"isin(['value_nulled', 'row_rejected'])"}
    places = pl.DataFrame({"source": ["morgue", "morgue"], "place_original": ["حي الغابات", "حي الغابات"], "n_records": [3, 1]})
    assert failed_checks(UnresolvedPlacesModel, places.head(1)) == set()
    assert failed_checks(UnresolvedPlacesModel, places) == {"one_row_per_place"}
