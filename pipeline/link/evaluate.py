"""Scoring a linkage against known truth (simulated scenarios): pairwise and B-cubed measures.

Only tests and benchmarks call this; the pipeline never reads truth. Every benchmark and test
scores with these functions, so a figure means the same thing wherever it is printed:

- truth: record_key -> person_id for every record the simulator ties to a dead person
  (truth/records.csv rows with a person_id; rows of records the parsers rejected drop out in
  the join);
- a true pair is two records of one person; a predicted pair two records of one victim; both
  are counted over the records both sides know;
- "named records" (`named_keys`) are the records with a usable name (`has_name`: not an
  unidentified body, not an unnamed victim, not a name given only by relation or kunya), the
  pairs a name-based linker can be asked to find; "all records" are every person record;
- "cross-list" pairs are true pairs whose records come from two different lists: the links
  capture-recapture depends on.
"""

from __future__ import annotations

import polars as pl


def _pairs(assignment: pl.DataFrame, cluster_column: str) -> pl.DataFrame:
    members = assignment.select("record_key", pl.col(cluster_column).alias("cluster"))
    joined = members.join(members, on="cluster", suffix="_r").filter(pl.col("record_key") < pl.col("record_key_r"))
    return joined.select("record_key", "record_key_r")


def pairwise_scores(predicted: pl.DataFrame, truth: pl.DataFrame, sources: pl.DataFrame | None = None) -> dict:
    """predicted: record_key, victim_id; truth: record_key, person_id (same records). With
    sources (record_key, source) also the recall over cross-list true pairs."""
    common = predicted.join(truth, on="record_key", how="inner")
    p = _pairs(common, "victim_id")
    t = _pairs(common, "person_id")
    found = p.join(t, on=["record_key", "record_key_r"], how="inner")
    tp = len(found)
    cross = {}
    if sources is not None:
        source_of = sources.select("record_key", "source")
        def crossing(pairs: pl.DataFrame) -> int:
            sided = pairs.join(source_of, on="record_key").join(source_of.rename({"record_key": "record_key_r", "source": "source_r"}), on="record_key_r")
            return sided.filter(pl.col("source") != pl.col("source_r")).height
        true_cross, found_cross = crossing(t), crossing(found)
        cross = {"cross_list_pairs_true": true_cross, "cross_list_recall": round(found_cross / true_cross, 4) if true_cross else 1.0}
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
        "victims": common["victim_id"].n_unique(), "true_people": common["person_id"].n_unique(), **cross,
    }


def explode_clusters(clusters: pl.DataFrame) -> pl.DataFrame:
    return clusters.select("victim_id", pl.col("record_keys").alias("record_key")).explode("record_key")


def named_keys(person_records: pl.DataFrame) -> pl.Series:
    """Record keys of the records with a usable name (see the module's docstring)."""
    return person_records.filter(pl.col("has_name"))["record_key"]
