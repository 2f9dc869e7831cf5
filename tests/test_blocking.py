"""Capped blocking (pipeline/link/blocking.py): block sizes, the cap and the guards' condition."""

import duckdb
import polars as pl

from pipeline.link.blocking import add_block_sizes, bounded_rules, rule_keys
from pipeline.link.persons import prediction_blocking_rules

RULE = "l.given_sk = r.given_sk and l.week = r.week"


def records() -> pl.DataFrame:
    return pl.DataFrame({
        "record_key": ["a", "b", "c", "d", "e"],
        "given_sk": ["mhmd", "mhmd", "mhmd", "mhmd", None],
        "week": [3, 3, 3, 4, 3],
        "sex": ["M", "M", "F", "M", "M"],
        "age": [30, 33, 31, 30, 30],
    })


def candidate_pairs(frame: pl.DataFrame, rule: str, cap: int) -> set[tuple[str, str]]:
    connection = duckdb.connect()
    connection.register("t", frame.to_arrow())
    sql = f"select l.record_key, r.record_key from t l join t r on l.record_key < r.record_key and {bounded_rules([rule], cap)[0]}"
    return set(connection.execute(sql).fetchall())


def test_rule_keys_are_the_equality_columns_only():
    assert rule_keys("l.day = r.day and l.age = r.age and (l.has_name or r.has_name)") == ["day", "age"]


def test_block_size_counts_records_sharing_the_keys_and_is_null_without_them():
    sized = add_block_sizes(records(), [RULE])
    assert sized["block_0"].to_list() == [3, 3, 3, 1, None]


def test_a_block_over_the_cap_yields_no_pairs_and_the_guards_condition_holds():
    sized = add_block_sizes(records(), [RULE])
    # a, b, c share a block of 3; c is of the other sex, so only a-b may be one person.
    assert candidate_pairs(sized, RULE, cap=3) == {("a", "b")}
    assert candidate_pairs(sized, RULE, cap=2) == set()


def test_ages_further_apart_than_the_guard_allows_are_not_candidates():
    frame = add_block_sizes(records().with_columns(pl.Series("age", [30, 36, 31, 30, 30])), [RULE])
    assert candidate_pairs(frame, RULE, cap=40) == set()


def test_every_person_rule_joins_on_at_least_two_columns():
    # A rule on one column alone (a given name) would make blocks of thousands at any scale.
    assert all(len(rule_keys(rule)) >= 2 for rule in prediction_blocking_rules())
