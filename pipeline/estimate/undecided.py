"""Links the person linkage left undecided, counted at their probability.

A true link the linker misses splits one person seen by two lists into two people each seen by
one: both overlap cells lose a person, both single-list cells gain one, and the estimate rises by
roughly N / m per missed link (m, the people on two or more lists: about 2,000 of 10,500 on the
simulator), not by one. The linker says which pairs it could not decide: the review queue's
`uncertain` pairs (match probability between the review floor and the threshold). Until a reviewer
decides them, each such pair of victims is, in expectation, one person with probability p and two
with probability 1 - p; the capture histories enter the model as that expected table (fractional
rows: each victim loses p, their union gains p).

Only pairs that can change the table are counted: both victims named (in the model) and seen by
disjoint lists (a merge of two victims sharing a list would be a duplicate within that list, and the
linker's probabilities for those pairs, namesakes and relatives on one list, are far too high:
measured on the simulator, 1,180 expected against 86 true). Links the linker accepted are taken as
decided. docs/estimation.md gives the measurements behind both choices, including what happens
when accepted links are also discounted by their probability (the estimate rises instead).
"""

from __future__ import annotations

import polars as pl

from pipeline.codes import NAMED_LISTS

UNDECIDED_SCHEMA = {"victim_id_l": pl.String, "victim_id_r": pl.String, "probability": pl.Float64}


def undecided_links(review_queue: pl.DataFrame, person_records: pl.DataFrame | None = None) -> pl.DataFrame:
    """victim_id_l, victim_id_r, probability: each pair of victims the linker left undecided, with
    the best probability among their record pairs. review_queue: the linker's review queue;
    person_records (record_key, has_name): pairs with a record without a usable name are left out
    (their evidence is day, place, age and sex alone, and the record is not a capture anyway)."""
    queue = review_queue.lazy().filter((pl.col("reason") == "uncertain") & (pl.col("victim_id_l") != pl.col("victim_id_r")))
    if person_records is not None:
        named = person_records.lazy().filter(pl.col("has_name")).select("record_key")
        queue = queue.join(named.rename({"record_key": "record_key_l"}), on="record_key_l", how="semi").join(
            named.rename({"record_key": "record_key_r"}), on="record_key_r", how="semi"
        )
    return (
        queue.select(
            pl.min_horizontal("victim_id_l", "victim_id_r").alias("victim_id_l"),
            pl.max_horizontal("victim_id_l", "victim_id_r").alias("victim_id_r"),
            pl.col("match_probability").alias("probability"),
        )
        .group_by("victim_id_l", "victim_id_r").agg(pl.col("probability").max())
        .sort("victim_id_l", "victim_id_r")
        .collect()
        .cast(UNDECIDED_SCHEMA)
    )


def expected_histories(modelled: pl.DataFrame, undecided: pl.DataFrame | None, lists: tuple[str, ...] = NAMED_LISTS) -> pl.DataFrame:
    """The modelled capture histories with a `weight` column: 1 per victim, minus the probability of
    each undecided merge it takes part in, plus one row per merge (the union of the two victims'
    lists, weight p, victim_id "<victim_id_l>+<victim_id_r>"; its bank and period those of the
    first victim that has them). A victim in
    several undecided pairs has their probabilities scaled down so that it never loses more than
    itself."""
    flags = [f"in_{s}" for s in lists]
    base = modelled.with_columns(pl.lit(1.0).alias("weight"))
    if undecided is None or undecided.is_empty():
        return base
    sides = modelled.select("victim_id", *flags, "bank", "period")
    pairs = (
        undecided.join(sides.rename(lambda c: f"{c}_l" if c != "victim_id" else "victim_id_l"), on="victim_id_l", how="inner")
        .join(sides.rename(lambda c: f"{c}_r" if c != "victim_id" else "victim_id_r"), on="victim_id_r", how="inner")
        .filter(~pl.any_horizontal([pl.col(f"{f}_l") & pl.col(f"{f}_r") for f in flags]))
    )
    if pairs.is_empty():
        return base
    exposure = pl.concat([pairs.select(pl.col("victim_id_l").alias("victim_id"), "probability"), pairs.select(pl.col("victim_id_r").alias("victim_id"), "probability")])
    exposure = exposure.group_by("victim_id").agg(pl.col("probability").sum().alias("exposure"))
    pairs = (
        pairs.join(exposure.rename({"victim_id": "victim_id_l", "exposure": "exposure_l"}), on="victim_id_l")
        .join(exposure.rename({"victim_id": "victim_id_r", "exposure": "exposure_r"}), on="victim_id_r")
        .with_columns((pl.col("probability") / pl.max_horizontal(pl.lit(1.0), "exposure_l", "exposure_r")).alias("p"))
    )
    lost = pl.concat([pairs.select(pl.col("victim_id_l").alias("victim_id"), "p"), pairs.select(pl.col("victim_id_r").alias("victim_id"), "p")])
    lost = lost.group_by("victim_id").agg(pl.col("p").sum().alias("lost"))
    kept = base.join(lost, on="victim_id", how="left").with_columns((pl.col("weight") - pl.col("lost").fill_null(0.0)).alias("weight")).drop("lost")
    unknown_period = pl.col("period_l") == "unknown"
    merged = pairs.select(
        pl.concat_str("victim_id_l", pl.lit("+"), "victim_id_r").alias("victim_id"),
        *[(pl.col(f"{f}_l") | pl.col(f"{f}_r")).alias(f) for f in flags],
        pl.coalesce("bank_l", "bank_r").alias("bank"),
        pl.when(unknown_period).then(pl.col("period_r")).otherwise(pl.col("period_l")).alias("period"),
        pl.col("p").alias("weight"),
    )
    extra = [c for c in kept.columns if c not in merged.columns]
    merged = merged.with_columns(*[pl.lit(False if kept.schema[c] == pl.Boolean else None, kept.schema[c]).alias(c) for c in extra]).select(kept.columns).cast(kept.schema)
    return pl.concat([kept, merged])
