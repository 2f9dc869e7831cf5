"""Reviewers' decisions: `match` / `no-match` per pair of person records, honoured by every build.

The file is CSV (UTF-8, header row) with columns record_key_l, record_key_r, decision, reviewer,
note; its path is a setting (MOSUL_DECISIONS, default data/review/decisions.csv). Decisions name
records by their record keys, which the sources' contract keeps stable across snapshots, so a
decision survives rebuilds and new snapshots; one whose records have left the lists is kept in the
file and simply has nothing to act on. Pairs are unordered (a,b = b,a); when a pair is decided more
than once the last row wins, so a reviewer changes their mind by appending a row.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

COLUMNS = ("record_key_l", "record_key_r", "decision", "reviewer", "note")
SCHEMA = {column: pl.String for column in COLUMNS}
DECISIONS = ("match", "no-match")
DEFAULT_PATH = Path("data/review/decisions.csv")


class DecisionsError(ValueError):
    """The decisions file cannot be used; the message names the file, row and field."""


def decisions_path() -> Path:
    return Path(os.environ.get("MOSUL_DECISIONS") or DEFAULT_PATH)


def empty_decisions() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def load_decisions(path: Path | str | None) -> pl.DataFrame:
    """The decisions in `path`, validated and normalised (keys ordered, last decision per pair).
    A missing file means no decisions yet. A file that is there but wrong is an error: silently
    ignoring a reviewer's work would undo it."""
    if path is None or not Path(path).exists():
        return empty_decisions()
    path = Path(path)
    try:
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except Exception as error:  # a file polars cannot read as CSV at all
        raise DecisionsError(f"{path}: not a readable CSV file ({error})") from error
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    missing = [c for c in ("record_key_l", "record_key_r", "decision") if c not in frame.columns]
    if missing:
        raise DecisionsError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    for column in COLUMNS:
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    frame = frame.select(COLUMNS).with_row_index("row", offset=2).with_columns(
        pl.col("record_key_l").str.strip_chars(), pl.col("record_key_r").str.strip_chars(), pl.col("decision").str.strip_chars().str.to_lowercase()
    )
    for row in frame.iter_rows(named=True):
        if not row["record_key_l"] or not row["record_key_r"]:
            raise DecisionsError(f"{path}: row {row['row']}, field record_key_l/record_key_r: both record keys are required")
        if row["record_key_l"] == row["record_key_r"]:
            raise DecisionsError(f"{path}: row {row['row']}, field record_key_r: a record cannot be decided against itself ({row['record_key_l']})")
        if row["decision"] not in DECISIONS:
            raise DecisionsError(f"{path}: row {row['row']}, field decision: {row['decision']!r} is not 'match' or 'no-match'")
    return (
        frame.select(
            pl.min_horizontal("record_key_l", "record_key_r").alias("record_key_l"),
            pl.max_horizontal("record_key_l", "record_key_r").alias("record_key_r"),
            "decision", "reviewer", "note",
        )
        .unique(subset=["record_key_l", "record_key_r"], keep="last", maintain_order=True)
    )


def decisions_as_links(decisions: pl.DataFrame) -> pl.DataFrame:
    """A `match` becomes a certain link, a `no-match` an impossible one, both `decided_by` reviewer."""
    is_match = pl.col("decision") == "match"
    return decisions.select(
        "record_key_l", "record_key_r",
        pl.when(is_match).then(1.0).otherwise(0.0).alias("match_probability"),
        # Splink's weight scale (log2 odds) has no infinity in Parquet-friendly form; ±60 bits
        # stands for certainty and is never produced by the model.
        pl.when(is_match).then(60.0).otherwise(-60.0).alias("match_weight"),
        pl.lit("reviewer").alias("decided_by"),
    )


def append_decisions(path: Path | str, rows: list[dict]) -> None:
    """Append decisions (dicts with the COLUMNS) to the file, creating it with a header if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = pl.DataFrame([{c: row.get(c) for c in COLUMNS} for row in rows], schema=SCHEMA)
    if path.exists() and path.stat().st_size:
        existing = pl.read_csv(path, infer_schema=False)
        new = pl.concat([existing.select([pl.col(c) if c in existing.columns else pl.lit(None, pl.String).alias(c) for c in COLUMNS]), new])
    new.write_csv(path)
