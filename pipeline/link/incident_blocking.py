"""Which pairs of incident records the model learns from, and which it scores.

Two populations, because they answer two questions:

- Training: the model's u-probabilities must describe what two *different* events that could be
  confused look like, so EM learns from every pair of records within a day of each other (and
  every pair sharing a named victim), whatever their places. Blocking the training pairs on
  place was tried and reverted: EM then saw almost no pair from other neighbourhoods, so it
  could not learn that another neighbourhood is strong evidence against, and incident F1 at 1x
  fell from 0.90-0.92 to 0.72-0.78. Those pairs grow with the square of the incidents per day,
  so above TRAINING_BUDGET they are sampled: every record gets a bucket from a hash of its key,
  and only pairs within one bucket are kept, which samples every pair with the same chance
  1 / buckets (known, so EM's caps can be scaled back to the whole population) and costs no
  more than the sample (the day join runs per bucket). The sample's size does not grow with the
  records; at Mosul's size there is one bucket and the sample is every pair.
- Scoring: only pairs that could be one event, blocked (`scoring_pairs`): within a day and in
  the same neighbourhood; within a day, one side naming no neighbourhood, on the same bank or
  one naming no bank; or sharing a named victim. On the default scenario's seeds 1-5 every
  true pair of the simulator meets one of these, so the blocking loses no recall.

Two records of one source are pairs only from a source that double reports, or when they share
a named victim. Every step is a polars join; the order of the rows never matters.
"""

from __future__ import annotations

import hashlib
import math

import polars as pl

# Sources known to report one event twice; two records of any other source are one event only
# when they share a named victim.
DOUBLE_REPORTING = {"airwars"}
# Most pairs EM is estimated on, counted once per day the two records share (about 2.6 times the
# distinct pairs, so about 230,000 distinct pairs). The default scenario counts 300,000-350,000
# (seeds 1-5), so there the sample is every pair.
TRAINING_BUDGET = 600_000
# Dates are compared with a day's slack: a strike at night is dated either side of midnight.
DAY_SLACK = 1

PAIR_SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String}


def record_days(records: pl.DataFrame) -> pl.DataFrame:
    """One row per record and day it could share: its date range widened by DAY_SLACK each side."""
    return records.select(
        "record_key", "source", "neighbourhood_id", "bank",
        pl.date_ranges(pl.col("date_start") - pl.duration(days=DAY_SLACK), pl.col("date_end") + pl.duration(days=DAY_SLACK)).alias("day"),
    ).explode("day")


def _may_pair() -> pl.Expr:
    """Left before right (each pair once), and two sources unless the source double reports."""
    return (pl.col("record_key") < pl.col("record_key_r")) & ((pl.col("source") != pl.col("source_r")) | pl.col("source").is_in(sorted(DOUBLE_REPORTING)))


def _as_pairs(joined: pl.LazyFrame) -> pl.LazyFrame:
    return joined.filter(_may_pair()).select(pl.col("record_key").alias("record_key_l"), "record_key_r")


def sample_buckets(days: pl.DataFrame) -> int:
    """How many buckets keep the training sample within TRAINING_BUDGET: the pairs within a day,
    counted per day (a pair sharing several days is counted on each; exact enough to size a sample)."""
    pairs_per_day = days.group_by("day").len().select((pl.col("len").cast(pl.Int64) * (pl.col("len") - 1) // 2).sum()).item()
    return max(1, math.ceil((pairs_per_day or 0) / TRAINING_BUDGET))


def bucket_of(keys: pl.Series, buckets: int) -> pl.Series:
    """A record's sample bucket, from a hash of its key that is the same on every machine and
    every version of polars."""
    return keys.map_elements(lambda key: int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") % buckets, return_dtype=pl.Int64)


def training_pairs(records: pl.DataFrame, shared: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """(pairs within a day or sharing a named victim, sampled by bucket; the number of buckets, so
    each pair's chance of being in the sample is 1 / buckets)."""
    days = record_days(records)
    buckets = sample_buckets(days)
    bucket = pl.DataFrame({"record_key": records["record_key"], "bucket": bucket_of(records["record_key"], buckets) if buckets > 1 else pl.Series([0] * records.height, dtype=pl.Int64)})
    left = days.lazy().join(bucket.lazy(), on="record_key").select("record_key", "source", "day", "bucket")
    same_day = _as_pairs(left.join(left, on=["day", "bucket"], suffix="_r"))
    shared_sampled = (
        shared.lazy().select("record_key_l", "record_key_r")
        .join(bucket.lazy().rename({"record_key": "record_key_l", "bucket": "bucket_l"}), on="record_key_l")
        .join(bucket.lazy().rename({"record_key": "record_key_r", "bucket": "bucket_r"}), on="record_key_r")
        .filter(pl.col("bucket_l") == pl.col("bucket_r")).select("record_key_l", "record_key_r")
    )
    return pl.concat([same_day, shared_sampled]).unique().collect(), buckets


def scoring_pairs(records: pl.DataFrame, shared: pl.DataFrame) -> pl.DataFrame:
    """The blocked pairs: within a day and the same neighbourhood; within a day with one side
    naming no neighbourhood and the banks agreeing or one unknown; or a shared named victim."""
    days = record_days(records).lazy()
    placed = days.filter(pl.col("neighbourhood_id").is_not_null()).select("record_key", "source", "day", "neighbourhood_id")
    same_place = _as_pairs(placed.join(placed, on=["day", "neighbourhood_id"], suffix="_r"))
    # A record naming no neighbourhood meets every record of its days on its bank; both orders
    # of the pair are formed here and put left-before-right below.
    unplaced = days.filter(pl.col("neighbourhood_id").is_null()).select("record_key", "source", "day", "bank")
    everyone = days.select("record_key", "source", "day", "bank")
    banks_agree = pl.col("bank").is_null() | pl.col("bank_r").is_null() | (pl.col("bank") == pl.col("bank_r"))
    unplaced_pairs = (
        unplaced.join(everyone, on="day", suffix="_r").filter(banks_agree & (pl.col("record_key") != pl.col("record_key_r")))
        .select(pl.min_horizontal("record_key", "record_key_r").alias("record_key"), pl.max_horizontal("record_key", "record_key_r").alias("record_key_r"), "source", "source_r")
    )
    return pl.concat([same_place, _as_pairs(unplaced_pairs), shared.lazy().select("record_key_l", "record_key_r")]).unique().collect()
