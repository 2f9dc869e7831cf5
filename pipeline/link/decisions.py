"""Reviewers' decisions: `match` / `no-match` per pair of record keys, honoured by every build.

The file is CSV with columns record_key_l, record_key_r, decision, reviewer, note. Pairs are
stored unordered, so a decision survives rebuilds and new snapshots as long as the record keys
(which are stable by the sources' contract) still exist.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String, "decision": pl.String, "reviewer": pl.String, "note": pl.String}
DECISIONS = ("match", "no-match")


class DecisionsError(ValueError):
    pass


def load_decisions(path: Path | None) -> pl.DataFrame:
    if path is None or not Path(path).exists():
        return pl.DataFrame(schema=SCHEMA)
    frame = pl.read_csv(path, schema_overrides=SCHEMA, infer_schema=False)
    missing = [c for c in ("record_key_l", "record_key_r", "decision") if c not in frame.columns]
    if missing:
        raise DecisionsError(f"{path}: missing column(s) {missing}")
    for column in SCHEMA:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    bad = frame.with_row_index("row", offset=2).filter(~pl.col("decision").str.strip_chars().str.to_lowercase().is_in(DECISIONS))
    if len(bad):
        row = bad.row(0, named=True)
        raise DecisionsError(f"{path}: row {row['row']}, field decision: {row['decision']!r} is not 'match' or 'no-match'")
    return frame.select(
        pl.min_horizontal("record_key_l", "record_key_r").alias("record_key_l"),
        pl.max_horizontal("record_key_l", "record_key_r").alias("record_key_r"),
        pl.col("decision").str.strip_chars().str.to_lowercase(),
        "reviewer", "note",
    ).unique(subset=["record_key_l", "record_key_r"], keep="last")
