"""Which pairs of incident records the model learns from, and which it scores.

Two populations, because they answer two questions:

- Training: the model's u-probabilities must describe what two *different* events that could be
  confused look like, so EM learns from the whole population of pairs within a day of each other
  (and sharing a named victim), whatever their places. Blocking the training pairs on place was
  tried and reverted: EM then saw almost no pair from other neighbourhoods, could not learn that
  another neighbourhood is strong evidence against, and incident F1 at 1x fell from 0.90-0.92 to
  0.72-0.78. That population grows with the square of the incidents per day, so it is reached
  through a sample (`training_pairs`): every record gets a bucket from a hash of its key and only
  pairs within one bucket are kept, which takes every pair with the same chance 1 / buckets and
  costs no more than the sample (the day join runs per bucket). The number of buckets keeps the
  sample within TRAINING_BUDGET whatever the scale; at Mosul's size there is one bucket and the
  sample is every pair. incidents.fit_and_score weighs the sample back to the population.
- Scoring: only pairs that could be one event (`scoring_pairs`): within a day and in the same
  neighbourhood; within a day, one side naming no neighbourhood, on the same bank or one naming
  no bank; or sharing a named victim. In one city the blocks of a day and a neighbourhood grow
  with the records, so each rule is capped at BLOCK_CAP records and narrower rules take over in
  bigger blocks, down to a window over the death tolls: the scored pairs then grow linearly.
  On the default scenario's seeds 1-5 every true pair of the simulator is among them.

Two records of one source are pairs only from a source that double reports, or when they share
a named victim. Every step is a polars join or window; the order of the rows never matters.
"""

from __future__ import annotations

import hashlib
import math

import polars as pl

from pipeline.link.incident_comparisons import WEAPON_FAMILY

# Sources known to report one event twice; two records of any other source are one event only
# when they share a named victim.
DOUBLE_REPORTING = {"airwars"}
# Most pairs EM is estimated on, counted once per day the two records share (about 2.6 times the
# distinct pairs, so about 230,000 distinct pairs). The default scenario counts 305,000-371,000
# (seeds 1-5), so there the sample is every pair.
TRAINING_BUDGET = 600_000
# Dates are compared with a day's slack: a strike at night is dated either side of midnight.
DAY_SLACK = 1


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


# Largest block a blocking rule may form. The largest block of "same neighbourhood, same day" in
# the default scenario has 26-32 records (seeds 1-5), so at Mosul's size the cap changes nothing
# there; a record without a neighbourhood meets its bank's records of those days, which on the
# busiest days exceed it and then meets them through the narrower rules.
BLOCK_CAP = 40
# Weapons that can describe one event (incident_comparisons.COMPATIBLE), joined into classes: a
# record whose weapon is unknown is in both.
WEAPON_CLASS = {"air": "bombardment", "indirect": "bombardment", "explosive": "bombardment", "execution": "shooting", "gunfire": "shooting"}
BANKS = ["east", "west"]
# Blocking rules, widest first; each is used only in blocks of at most BLOCK_CAP records, so a
# record in a bigger block meets its candidates through a narrower rule. "day" is every day of
# the record's range widened by DAY_SLACK; "first_day" its first day (every true pair of the
# simulator shares it, and real sources give a strike's first day when they give one date).
PLACED_RULES = [["day", "neighbourhood_id"], ["first_day", "neighbourhood_id"], ["first_day", "neighbourhood_id", "weapon_class"]]
UNPLACED_RULES = [["day", "bank"], ["first_day", "bank"], ["first_day", "bank", "weapon_class"]]


def toll_midpoint() -> pl.Expr:
    return (pl.col("killed_min") + pl.col("killed_max").fill_null(pl.col("killed_min"))) / 2


def blocking_keys(records: pl.DataFrame) -> pl.DataFrame:
    """One row per record and combination of keys it can block on: each day of its widened range,
    its first day, its neighbourhood, each bank it could be on (both when it names none) and each
    weapon class it could be (both when its weapon is unknown)."""
    weapon_class = pl.col("weapon").replace_strict(WEAPON_FAMILY, default="unknown").replace_strict(WEAPON_CLASS, default=None)
    return (
        record_days(records).join(records.select("record_key", pl.col("date_start").alias("first_day"), "weapon", toll_midpoint().alias("toll")), on="record_key")
        .with_columns(
            pl.when(pl.col("bank").is_null()).then(pl.lit(BANKS)).otherwise(pl.concat_list("bank")).alias("bank"),
            pl.when(weapon_class.is_null()).then(pl.lit(sorted(set(WEAPON_CLASS.values())))).otherwise(pl.concat_list(weapon_class)).alias("weapon_class"),
        )
        .explode("bank").explode("weapon_class").drop("weapon")
    )


def windowed_rule(keys_table: pl.LazyFrame, left: pl.Expr, right: pl.Expr, keys: list[str], cap: int) -> pl.LazyFrame:
    """In blocks of more than `cap` records, which no rule takes: each record with the cap / 2
    records either side of it in the order of death tolls (a sorted-neighbourhood window; the
    tolls of one event's reports meet, of different events mostly not). Linear: one shift per
    place in the window."""
    blocks = keys_table.select("record_key", "source", *keys, "toll", left.alias("is_left"), right.alias("is_right")).unique()
    big = blocks.with_columns(pl.len().over(keys).alias("block")).filter(pl.col("block") > cap).sort([*keys, "toll", "record_key"], nulls_last=True)
    carried = ["record_key", "source", "is_left", "is_right"]
    shifted = [
        big.with_columns(pl.col(c).shift(-offset).over(keys).alias(f"{c}_r") for c in carried)
        .filter(pl.col("record_key_r").is_not_null() & ((pl.col("is_left") & pl.col("is_right_r")) | (pl.col("is_right") & pl.col("is_left_r"))))
        .select("record_key", "source", "record_key_r", "source_r")
        for offset in range(1, cap // 2 + 1)
    ]
    return _as_pairs_either_order(pl.concat(shifted))


def capped_rule(keys_table: pl.LazyFrame, left: pl.Expr, right: pl.Expr, keys: list[str], cap: int) -> pl.LazyFrame:
    """Pairs of a `left` record and a `right` record sharing `keys`, in blocks of at most `cap`
    distinct records (of either side)."""
    blocks = keys_table.select("record_key", "source", *keys, left.alias("is_left"), right.alias("is_right")).unique()
    sized = blocks.with_columns(pl.len().over(keys).alias("block")).filter(pl.col("block") <= cap)
    return _as_pairs_either_order(
        sized.filter(pl.col("is_left")).select("record_key", "source", *keys)
        .join(sized.filter(pl.col("is_right")).select("record_key", "source", *keys), on=keys, suffix="_r")
    )


def _as_pairs_either_order(joined: pl.LazyFrame) -> pl.LazyFrame:
    """Pairs formed in either order, put left before right, each record never with itself."""
    ordered = joined.filter(pl.col("record_key") != pl.col("record_key_r")).select(
        pl.min_horizontal("record_key", "record_key_r").alias("record_key"), pl.max_horizontal("record_key", "record_key_r").alias("record_key_r"), "source", "source_r",
    )
    return _as_pairs(ordered)


def scoring_pairs(records: pl.DataFrame, shared: pl.DataFrame, cap: int = BLOCK_CAP) -> pl.DataFrame:
    """The blocked pairs: within a day and the same neighbourhood; within a day with one side
    naming no neighbourhood and the banks agreeing or one unknown; or a shared named victim. In a
    block of more than `cap` records the next, narrower rule takes over (PLACED_RULES,
    UNPLACED_RULES), so a record has at most a few times `cap` candidates however many records
    there are."""
    keys = blocking_keys(records).lazy()
    placed, unplaced = pl.col("neighbourhood_id").is_not_null(), pl.col("neighbourhood_id").is_null()
    rules = [capped_rule(keys, placed, placed, rule, cap) for rule in PLACED_RULES]
    rules += [capped_rule(keys, unplaced, pl.lit(True), rule, cap) for rule in UNPLACED_RULES]
    rules += [windowed_rule(keys, placed, placed, PLACED_RULES[-1], cap), windowed_rule(keys, unplaced, pl.lit(True), UNPLACED_RULES[-1], cap)]
    return pl.concat([*rules, shared.lazy().select("record_key_l", "record_key_r")]).unique().collect()
