"""The recordlinkage comparison (benchmarks/recordlinkage_compare.py) scores the toolkit on the
project's own candidate pairs: its Block indexes with the rules' other conditions must give
exactly the pairs Splink's blocking rules give."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from benchmarks.linkage import load_staged
from pipeline.link.blocking import bounded_rules
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import model_input, prediction_blocking_rules

recordlinkage_compare = pytest.importorskip("benchmarks.recordlinkage_compare", exc_type=ImportError)


def splink_candidate_pairs(records: pl.DataFrame) -> set[tuple[str, str]]:
    """The pairs Splink's prediction blocking yields, by running the same rules in DuckDB."""
    connection = duckdb.connect()
    connection.register("m", model_input(records).to_arrow())
    union = " union ".join(
        f"select l.record_key as a, r.record_key as b from m l join m r on l.record_key < r.record_key and {rule}"
        for rule in bounded_rules(prediction_blocking_rules())
    )
    return set(connection.execute(union).fetchall())


def test_recordlinkage_gets_the_projects_candidate_pairs(samples_root):
    records = build_person_records(load_staged(samples_root))
    frame = recordlinkage_compare.recordlinkage_frame(records)
    theirs = {tuple(sorted(pair)) for pair in recordlinkage_compare.candidate_pairs(frame).tolist()}
    ours = splink_candidate_pairs(records)
    assert ours and theirs == ours
