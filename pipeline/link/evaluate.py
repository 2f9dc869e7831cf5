"""Scoring a linkage against known truth (simulated scenarios): pairwise and B-cubed measures.

Only tests and benchmarks call this; the pipeline never reads truth.
"""

from __future__ import annotations

import polars as pl


def _pairs(assignment: pl.DataFrame, cluster_column: str) -> pl.DataFrame:
    members = assignment.select("record_key", pl.col(cluster_column).alias("cluster"))
    joined = members.join(members, on="cluster", suffix="_r").filter(pl.col("record_key") < pl.col("record_key_r"))
    return joined.select("record_key", "record_key_r")


def pairwise_scores(predicted: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """predicted: record_key, victim_id; truth: record_key, person_id (same records)."""
    common = predicted.join(truth, on="record_key", how="inner")
    p = _pairs(common, "victim_id")
    t = _pairs(common, "person_id")
    tp = len(p.join(t, on=["record_key", "record_key_r"], how="inner"))
    precision = tp / len(p) if len(p) else 1.0
    recall = tp / len(t) if len(t) else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed: per record, the overlap of its predicted and true clusters.
    sizes = common.with_columns(
        pl.len().over("victim_id").alias("pred_size"), pl.len().over("person_id").alias("true_size"), pl.len().over("victim_id", "person_id").alias("both")
    )
    b3p = (sizes["both"] / sizes["pred_size"]).mean()
    b3r = (sizes["both"] / sizes["true_size"]).mean()
    return {
        "pairs_predicted": len(p), "pairs_true": len(t), "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "bcubed_precision": round(float(b3p), 4), "bcubed_recall": round(float(b3r), 4),
        "victims": common["victim_id"].n_unique(), "true_people": common["person_id"].n_unique(),
    }


def explode_clusters(clusters: pl.DataFrame) -> pl.DataFrame:
    return clusters.select("victim_id", pl.col("record_keys").alias("record_key")).explode("record_key")
