"""The linkage backend switch (pipeline/link/backend.py). The Spark tests run only where the
`spark` extra and a Java runtime are installed (docs/distributed.md); CI has neither and skips them."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from pipeline.link.backend import LOCAL_PARTITIONS_PER_CORE, configured_backend, spark_partitions


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="link backend must be one of"):
        configured_backend("postgres")


def test_duckdb_is_the_default(monkeypatch):
    monkeypatch.delenv("MOSUL_LINK_BACKEND", raising=False)
    assert configured_backend().name == "duckdb"


def test_spark_partitions_follow_the_local_cores(monkeypatch):
    monkeypatch.delenv("MOSUL_SPARK_PARTITIONS", raising=False)
    assert spark_partitions("local[2]") == 2 * LOCAL_PARTITIONS_PER_CORE
    assert spark_partitions("local[3,2]") == 3 * LOCAL_PARTITIONS_PER_CORE
    assert spark_partitions("local") == LOCAL_PARTITIONS_PER_CORE
    assert spark_partitions("spark://host:7077") == 200
    monkeypatch.setenv("MOSUL_SPARK_PARTITIONS", "12")
    assert spark_partitions("local[2]") == 12


def test_records_reach_spark_with_their_types(tmp_path, monkeypatch):
    """The person records' list and nullable integer columns survive the trip to Spark (the
    pandas route failed on the list columns and turned nullable integers into floats)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime")
    from pipeline.link.backend import arrow_to_spark, spark_session

    monkeypatch.setenv("MOSUL_SPARK_MASTER", "local[1]")
    monkeypatch.setenv("MOSUL_SPARK_DRIVER_MEMORY", "1g")
    monkeypatch.setenv("MOSUL_SPARK_CHECKPOINTS", str(tmp_path / "checkpoints"))
    records = pl.DataFrame({
        "record_key": ["a", "b"], "age": [31, None], "given_alts": [["hamid", "hamed"], None],
        "block_0": pl.Series([3, None], dtype=pl.UInt32), "has_name": [True, False],
    })
    spark = spark_session()
    try:
        frame = arrow_to_spark(spark, records.to_arrow(), str(tmp_path / "staging"))
        types = dict(frame.dtypes)
        assert types["age"] == "bigint" and types["given_alts"] == "array<string>" and types["has_name"] == "boolean"
        rows = {row["record_key"]: row.asDict() for row in frame.collect()}
        assert rows["a"]["given_alts"] == ["hamid", "hamed"] and rows["b"]["age"] is None and rows["a"]["block_0"] == 3
        # Splink's similarity functions come from the jar spark_session put on the classpath.
        from splink.backends.spark import SparkAPI

        SparkAPI(spark_session=spark, break_lineage_method="parquet")
        assert spark.sql("select damerau_levenshtein('hamid', 'hmaid') as d").collect()[0]["d"] == 1
    finally:
        spark.stop()
