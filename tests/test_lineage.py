"""Column-level lineage: every linked, attributed and estimated table carries one, and each
mapping names only the table's own columns and real columns of its direct upstream assets."""

import dagster as dg
import pytest

from pipeline.definitions import build_defs
from pipeline.lineage import LINEAGE
from pipeline.settings import Settings


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    root = tmp_path_factory.mktemp("lineage")
    defs = build_defs(Settings(sources_root=root / "sources", warehouse=root / "warehouse", decisions_path=root / "decisions.csv", attribution_policy=None))
    return {spec.key.to_user_string(): spec for spec in defs.resolve_all_asset_specs()}


def schema_columns(spec: dg.AssetSpec) -> set[str] | None:
    schema = spec.metadata.get("dagster/column_schema")
    return None if schema is None else {column.name for column in schema.columns}


def test_the_final_tables_all_declare_column_lineage():
    assert {"person_records", "victim_clusters", "incidents", "victims", "tallies", "official_comparison", "un_crosscheck", "capture_histories", "estimates"} <= set(LINEAGE)


@pytest.mark.parametrize("table", sorted(LINEAGE))
def test_column_lineage_matches_the_schemas_and_the_graph(specs, table):
    spec = specs[table]
    lineage = spec.metadata["dagster/column_lineage"]
    assert isinstance(lineage, dg.TableColumnLineage)
    # Every column of the declared schema is accounted for (the end-to-end test holds the
    # mapping to the columns the built table really has).
    assert schema_columns(spec) <= set(LINEAGE[table])
    assert set(lineage.deps_by_column) == {column for column, sources in LINEAGE[table].items() if sources}
    parents = {dep.asset_key.to_user_string() for dep in spec.deps}
    for column, deps in lineage.deps_by_column.items():
        for dep in deps:
            upstream = dep.asset_key.to_user_string()
            assert upstream in parents, f"{table}.{column}: {upstream} is not an input of {table}"
            columns = schema_columns(specs[upstream])
            assert columns is not None, f"{upstream} declares no column schema"
            assert dep.column_name in columns, f"{table}.{column}: {upstream} has no column {dep.column_name}"
    assert "| column | comes from |" in spec.description
