"""Where Splink runs: DuckDB in-process by default; Spark when the data outgrows one machine.

Spark (documented in docs/linkage.md) needs `pip install pyspark` and Splink's similarity jar;
set MOSUL_LINK_BACKEND=spark. The model and settings are the same on both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass
class LinkBackend:
    name: str
    api: Any

    def register(self, arrow_table, name: str):
        return self.api.register(arrow_table, dataset_display_name=name)


def duckdb_backend() -> LinkBackend:
    import duckdb
    from splink.backends.duckdb import DuckDBAPI

    connection = duckdb.connect()
    threads = os.environ.get("MOSUL_DUCKDB_THREADS")
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    return LinkBackend("duckdb", DuckDBAPI(connection=connection))


def spark_backend() -> LinkBackend:
    from pyspark.sql import SparkSession  # optional dependency
    from splink.backends.spark import SparkAPI

    spark = SparkSession.builder.master(os.environ.get("MOSUL_SPARK_MASTER", "local[*]")).appName("mosul-linkage").getOrCreate()

    class _SparkAPI(LinkBackend):
        def register(self, arrow_table, name):
            frame = spark.createDataFrame(arrow_table.to_pandas())
            return self.api.register(frame, dataset_display_name=name)

    return _SparkAPI("spark", SparkAPI(spark_session=spark))


def configured_backend() -> LinkBackend:
    return spark_backend() if os.environ.get("MOSUL_LINK_BACKEND", "duckdb") == "spark" else duckdb_backend()
