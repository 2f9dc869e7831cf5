"""Where Splink runs: DuckDB in-process by default, Spark when the lists outgrow one machine.

The backend is a setting (`MOSUL_LINK_BACKEND=duckdb|spark`, or `backend=` to `link_persons`).
The model, its SQL and its thresholds are the same on both: every comparison is written with
Splink's dialect-aware level creators or in SQL both engines accept. The Spark path needs the
project's `spark` extra (pyspark 3.5, not installed by `.[dev]`) and a Java 17 runtime; Splink's
similarity-function jar is put on the classpath here. docs/distributed.md has the setup and the
measured figures.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any, Callable

import pyarrow as pa

BACKENDS = ("duckdb", "spark")


@dataclass
class LinkBackend:
    """name: 'duckdb' or 'spark'; api: Splink's DatabaseAPI; to_engine: Arrow table -> the
    object the API registers (the Arrow table itself for DuckDB, a Spark DataFrame for Spark);
    fetch: SQL -> its result as an Arrow table, read straight from the engine (not materialised
    there first); close: release the engine's memory (its tables, the registered records)."""

    name: str
    api: Any
    to_engine: Callable[[pa.Table], Any]
    fetch: Callable[[str], pa.Table]
    close: Callable[[], None] = lambda: None

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
    # An in-memory connection spills to ".tmp" in the working directory by default (the
    # checkout, under Dagster); spill to a folder of its own in the system's temporary folder.
    # DuckDB creates the folder only when it first spills.
    spill = os.path.join(tempfile.gettempdir(), f"mosul-duckdb-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    connection.execute(f"SET temp_directory = '{spill}'")

    def close() -> None:
        connection.close()
        shutil.rmtree(spill, ignore_errors=True)

    return LinkBackend("duckdb", DuckDBAPI(connection=connection), lambda table: table, lambda sql: connection.sql(sql).to_arrow_table(), close)


# Spark's default of 200 shuffle partitions is sized for a cluster; on one machine in local mode
# each partition is a task with its own scheduling overhead, and 117,000 records split 200 ways
# spend more time scheduling than comparing. A few partitions per core is the usual advice.
LOCAL_PARTITIONS_PER_CORE = 4
# The driver's heap (-Xmx). In local mode the driver JVM is also the only executor, so this is
# Spark's whole heap; the JVM's resident memory is the heap plus about 0.9 GB (measured: 4.9 GB
# at 10x with 4g, 6.1 GB at 1x with 6g, the heap growing to its limit before collecting), so 4g
# keeps the driver under the 6 GB the project allows one process. 10x needs no more.
DEFAULT_SPARK_DRIVER_MEMORY = "4g"


def spark_partitions(master: str) -> int:
    """MOSUL_SPARK_PARTITIONS, else a few per core in local mode, else Spark's usual 200."""
    if os.environ.get("MOSUL_SPARK_PARTITIONS"):
        return int(os.environ["MOSUL_SPARK_PARTITIONS"])
    if master.startswith("local"):
        # local, local[N], local[*], local[N,F] (F: task retries)
        cores = master[len("local["):-1].split(",")[0] if master.startswith("local[") else "1"
        count = (os.cpu_count() or 1) if cores == "*" else int(cores)
        return LOCAL_PARTITIONS_PER_CORE * count
    return 200


def spark_session():
    """The Spark session Splink needs: its similarity UDF jar on the classpath, and a checkpoint
    directory (Splink writes its intermediate tables there as parquet to break long lineages).
    Master from MOSUL_SPARK_MASTER (local[*] by default), driver memory from
    MOSUL_SPARK_DRIVER_MEMORY. Settings take effect only if no session is running yet."""
    from pyspark.sql import SparkSession  # the `spark` extra
    from splink.backends.spark import similarity_jar_location

    master = os.environ.get("MOSUL_SPARK_MASTER", "local[*]")
    partitions = str(spark_partitions(master))
    builder = (
        SparkSession.builder.master(master)
        .appName("mosul-person-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", partitions)
        .config("spark.default.parallelism", partitions)
        .config("spark.driver.memory", os.environ.get("MOSUL_SPARK_DRIVER_MEMORY", DEFAULT_SPARK_DRIVER_MEMORY))
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(os.environ.get("MOSUL_SPARK_CHECKPOINTS", "/tmp/mosul-spark-checkpoints"))
    return spark


def arrow_to_spark(spark, table: pa.Table, staging: str):
    """The Arrow table as a Spark DataFrame, through a parquet file in `staging`.

    Not spark.createDataFrame(table.to_pandas()): Spark 3.5 cannot infer a type for the numpy
    arrays pandas makes of list columns (`given_alts`), and pandas turns a nullable integer column
    into floats. Parquet keeps every Arrow type Splink compares (strings, Int64, lists of
    strings). The file must stay while the session reads it (Spark reads lazily), so it is written
    under a fresh name and removed when this process exits; on a cluster `staging` must be a path
    every executor can read."""
    import pyarrow.parquet as pq

    os.makedirs(staging, exist_ok=True)
    path = tempfile.mkdtemp(prefix="records-", dir=staging)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    # Spark 3.5's parquet reader has no string_view / large types of its own, but reads their
    # parquet encoding as plain strings; unsigned block sizes become plain integers.
    pq.write_table(table, os.path.join(path, "part-0.parquet"))
    return spark.read.parquet(path)


def spark_backend() -> LinkBackend:
    from splink.backends.spark import SparkAPI

    spark = spark_session()
    staging = os.environ.get("MOSUL_SPARK_STAGING", os.path.join(tempfile.gettempdir(), "mosul-spark-staging"))
    # "parquet" (the default) writes Splink's intermediate tables to the checkpoint folder instead
    # of caching them: slower per step but memory stays bounded on a small cluster. "persist"
    # caches them in the executors' memory.
    lineage = os.environ.get("MOSUL_SPARK_BREAK_LINEAGE", "parquet")
    api = SparkAPI(spark_session=spark, break_lineage_method=lineage, num_partitions_on_repartition=int(spark.conf.get("spark.sql.shuffle.partitions")))
    return LinkBackend("spark", api, lambda table: arrow_to_spark(spark, table, staging), lambda sql: pa.Table.from_pandas(spark.sql(sql).toPandas(), preserve_index=False))


def configured_backend(name: str | None = None) -> LinkBackend:
    """name, else MOSUL_LINK_BACKEND, else duckdb."""
    choice = (name or os.environ.get("MOSUL_LINK_BACKEND") or "duckdb").lower()
    if choice not in BACKENDS:
        raise ValueError(f"link backend must be one of {BACKENDS}, not {choice!r} (MOSUL_LINK_BACKEND)")
    return spark_backend() if choice == "spark" else duckdb_backend()
