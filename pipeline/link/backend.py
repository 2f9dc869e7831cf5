"""Where Splink runs: DuckDB in-process by default, Spark when the lists outgrow one machine.

The backend is a setting (`MOSUL_LINK_BACKEND=duckdb|spark`, or `backend=` to `link_persons`).
The model, its SQL and its thresholds are the same on both: every comparison is written with
Splink's dialect-aware level creators or in SQL both engines accept. The Spark path needs
`pip install pyspark` (not a project dependency) and Splink's similarity-function jar, which
`splink.backends.spark.similarity_jar_location()` locates; see docs/linkage.md for the session
configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import pyarrow as pa

BACKENDS = ("duckdb", "spark")


@dataclass
class LinkBackend:
    """name: 'duckdb' or 'spark'; api: Splink's DatabaseAPI; to_engine: Arrow table -> the
    object the API registers (the Arrow table itself for DuckDB, a Spark DataFrame for Spark)."""

    name: str
    api: Any
    to_engine: Callable[[pa.Table], Any]

    def register(self, table: pa.Table, name: str):
        return self.api.register(self.to_engine(table), dataset_display_name=name)


# DuckDB's own default is 80% of the machine's memory, which on a 24 GB machine let person
# linkage of a million records take the process to 8 GB; past this limit DuckDB spills to disk.
DEFAULT_DUCKDB_MEMORY = "3GB"


def duckdb_backend(threads: int | None = None, memory_limit: str | None = None) -> LinkBackend:
    """An in-memory DuckDB connection. threads / memory_limit default to MOSUL_DUCKDB_THREADS
    (DuckDB's default, all cores, when unset) and MOSUL_DUCKDB_MEMORY (DEFAULT_DUCKDB_MEMORY when
    unset); DuckDB spills to disk past the limit."""
    import duckdb
    from splink.backends.duckdb import DuckDBAPI

    connection = duckdb.connect()
    threads = threads or (int(os.environ["MOSUL_DUCKDB_THREADS"]) if os.environ.get("MOSUL_DUCKDB_THREADS") else None)
    memory_limit = memory_limit or os.environ.get("MOSUL_DUCKDB_MEMORY") or DEFAULT_DUCKDB_MEMORY
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        connection.execute(f"SET memory_limit = '{memory_limit}'")
    return LinkBackend("duckdb", DuckDBAPI(connection=connection), lambda table: table)


def spark_session():
    """The Spark session Splink needs: its similarity UDF jar on the classpath, and a checkpoint
    directory (Splink checkpoints to break long lineages). Master from MOSUL_SPARK_MASTER."""
    from pyspark.sql import SparkSession  # optional dependency: pip install pyspark
    from splink.backends.spark import similarity_jar_location

    builder = (
        SparkSession.builder.master(os.environ.get("MOSUL_SPARK_MASTER", "local[*]"))
        .appName("mosul-person-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", os.environ.get("MOSUL_SPARK_PARTITIONS", "200"))
        .config("spark.default.parallelism", os.environ.get("MOSUL_SPARK_PARTITIONS", "200"))
        .config("spark.driver.memory", os.environ.get("MOSUL_SPARK_DRIVER_MEMORY", "8g"))
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setCheckpointDir(os.environ.get("MOSUL_SPARK_CHECKPOINTS", "/tmp/mosul-spark-checkpoints"))
    return spark


def spark_backend() -> LinkBackend:
    from splink.backends.spark import SparkAPI

    spark = spark_session()
    # break_lineage_method="parquet" writes intermediate tables instead of caching them: slower
    # per step but memory stays bounded on a small cluster.
    api = SparkAPI(spark_session=spark, break_lineage_method="parquet", num_partitions_on_repartition=int(os.environ.get("MOSUL_SPARK_PARTITIONS", "200")))
    return LinkBackend("spark", api, lambda table: spark.createDataFrame(table.to_pandas()))


def configured_backend(name: str | None = None) -> LinkBackend:
    """name, else MOSUL_LINK_BACKEND, else duckdb."""
    choice = (name or os.environ.get("MOSUL_LINK_BACKEND") or "duckdb").lower()
    if choice not in BACKENDS:
        raise ValueError(f"link backend must be one of {BACKENDS}, not {choice!r} (MOSUL_LINK_BACKEND)")
    return spark_backend() if choice == "spark" else duckdb_backend()
