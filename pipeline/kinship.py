"""Households: a morgue-only victim whose close relative died the same day in the same place,
and whose relative is named in an incident, most likely died in that incident.

Families died together in Mosul (a house struck, a family shot fleeing). Incident databases name
some of a household; the morgue registers the rest. An Arabic name is given + father +
grandfather (+ family), so kinship can be read from names alone:

- siblings share father and grandfather;
- a child's father and grandfather are the parent's given and father names.

A relation counts only between two victims who agree on the date of death and the neighbourhood
where both are recorded and share at least one of them, and give the same family name where both
give one, because a father and grandfather pair such as Ahmed Mohammed is common enough to meet
by chance; on one day in one neighbourhood it rarely does.
"""

from __future__ import annotations

import polars as pl

# Policy values, checked against the simulator (benchmarks/pipeline.py): on seed 1, 97% of the
# same-day-same-place links and 78% of the partial ones were to the right incident.
KIN_LINK_PROBABILITY = 0.95
KIN_PARTIAL_PROBABILITY = 0.75


def victim_names(victim_clusters: pl.DataFrame, person_records: pl.DataFrame) -> pl.DataFrame:
    """Per victim, the name parts (canonical keys) its records agree on most."""
    parts = ["given_key", "father_key", "grandfather_key", "family_key"]
    exploded = victim_clusters.select("victim_id", pl.col("record_keys").alias("record_key")).explode("record_key")
    named = exploded.join(person_records.filter(pl.col("has_name")).select("record_key", *parts), on="record_key")
    return named.group_by("victim_id").agg(*[pl.col(p).drop_nulls().mode().sort().first() for p in parts])


def relatives(victims: pl.DataFrame, relatives_among: pl.Series | None = None) -> pl.DataFrame:
    """Pairs (victim_id, relative_id, relation, certain) among victims with names.

    `victims`: victim_id, given_key, father_key, grandfather_key, family_key, date_of_death,
    neighbourhood_id. Two relatives must agree on the day and the neighbourhood where both are
    known, and share at least one of them; `certain` when both are known to both.
    `relatives_among`: victim ids that may be the relative (by default every victim)."""
    named = victims.filter(pl.col("father_key").is_not_null() & pl.col("grandfather_key").is_not_null())
    pool = named if relatives_among is None else named.filter(pl.col("victim_id").is_in(relatives_among.implode()))

    # What the right-hand side of a pair carries besides the name pair it is joined on.
    carried = [pl.col(c).alias(f"{c}_r") for c in ("victim_id", "family_key", "date_of_death", "neighbourhood_id")]

    def as_parent(frame: pl.DataFrame) -> pl.DataFrame:
        # child (left) of parent (right): the child's father is the parent's given name, its grandfather the parent's father.
        return frame.filter(pl.col("given_key").is_not_null()).select(pl.col("given_key").alias("father_key"), pl.col("father_key").alias("grandfather_key"), *carried)

    def as_sibling(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select("father_key", "grandfather_key", *carried)

    def joined(left: pl.DataFrame, right: pl.DataFrame, shared: str, relation: str) -> pl.DataFrame:
        left = left.filter(pl.col(shared).is_not_null())
        right = right.filter(pl.col(f"{shared}_r").is_not_null()).with_columns(pl.col(f"{shared}_r").alias(shared))
        on = [shared, "father_key", "grandfather_key"]
        if shared == "neighbourhood_id":
            # Two victims with a date each must share it, so the date join finds them; on place
            # alone only pairs where one has no date are needed (a place holds a city's share of
            # a name pair, a day of a place a household's).
            pairs = pl.concat([
                left.filter(pl.col("date_of_death").is_null()).join(right, on=on),
                left.filter(pl.col("date_of_death").is_not_null()).join(right.filter(pl.col("date_of_death_r").is_null()), on=on),
            ])
        else:
            pairs = left.join(right, on=on)
        return pairs.with_columns(pl.lit(relation).alias("relation")).select(
            "victim_id", "victim_id_r", "relation", "family_key", "family_key_r", "date_of_death", "date_of_death_r", "neighbourhood_id", "neighbourhood_id_r"
        )

    # Joined on a name pair and one of day or place, so a block is one household's size, not a city's.
    shared_by = ("date_of_death", "neighbourhood_id")
    pairs = pl.concat([joined(named, as_sibling(pool), shared, "sibling") for shared in shared_by] + [joined(named, as_parent(pool), shared, "child") for shared in shared_by])
    # A victim who is the parent of a relative in the pool: the relative (left) as the child of the victim (right), turned round.
    children = pl.concat([joined(pool, as_parent(named), shared, "child") for shared in shared_by])
    pairs = pairs.filter(pl.col("victim_id") != pl.col("victim_id_r"))
    parents = children.filter(pl.col("victim_id") != pl.col("victim_id_r")).select(
        pl.col("victim_id_r").alias("victim_id"), pl.col("victim_id").alias("victim_id_r"), pl.lit("parent").alias("relation"),
        pl.col("family_key_r").alias("family_key"), pl.col("family_key").alias("family_key_r"),
        pl.col("date_of_death_r").alias("date_of_death"), pl.col("date_of_death").alias("date_of_death_r"),
        pl.col("neighbourhood_id_r").alias("neighbourhood_id"), pl.col("neighbourhood_id").alias("neighbourhood_id_r"),
    )
    pairs = pl.concat([pairs, parents])

    def agrees(column: str) -> pl.Expr:
        return pl.col(column).is_null() | pl.col(f"{column}_r").is_null() | (pl.col(column) == pl.col(f"{column}_r"))

    def known(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & pl.col(f"{column}_r").is_not_null()

    return pairs.filter(agrees("family_key") & agrees("date_of_death") & agrees("neighbourhood_id")).select(
        "victim_id", pl.col("victim_id_r").alias("relative_id"), "relation", (known("date_of_death") & known("neighbourhood_id")).alias("certain"),
    ).unique(["victim_id", "relative_id", "relation"])


def household_links(victims: pl.DataFrame, linked: pl.DataFrame) -> pl.DataFrame:
    """Unlinked victims whose relatives were all linked to one incident: victim_id, incident_id,
    incident_link_probability, link_basis. A relative known to have died the same day in the same
    place gives KIN_LINK_PROBABILITY; one that shares only the day or only the place (the other
    unrecorded for one of them) gives KIN_PARTIAL_PROBABILITY.

    `linked`: victim_id, incident_id of victims already tied to an incident by a list record."""
    # Only victims tied to an incident can be the relative, which keeps the name-pair joins small.
    pairs = relatives(victims, linked["victim_id"]).join(linked.select(pl.col("victim_id").alias("relative_id"), "incident_id"), on="relative_id")
    pairs = pairs.filter(~pl.col("victim_id").is_in(linked["victim_id"].implode()))
    agreed = pairs.sort("certain", "relative_id", "relation", descending=[True, False, False]).group_by("victim_id").agg(
        pl.col("incident_id").unique().alias("incidents"),
        pl.col("certain").any(),
        pl.format("{} {}", pl.col("relation"), pl.col("relative_id")).first().alias("kin"),
    ).filter(pl.col("incidents").list.len() == 1)
    return agreed.select(
        "victim_id", pl.col("incidents").list.first().alias("incident_id"),
        pl.when(pl.col("certain")).then(KIN_LINK_PROBABILITY).otherwise(KIN_PARTIAL_PROBABILITY).alias("incident_link_probability"),
        pl.when(pl.col("certain"))
        .then(pl.format("died the same day in the same place as a relative ({}) named in the incident", pl.col("kin")))
        .otherwise(pl.format("a relative ({}) named in the incident died on the same day or in the same place (the other not recorded)", pl.col("kin")))
        .alias("link_basis"),
    )
