"""From scored pairs to victims: constrained clustering with the practitioners' guards.

Links are added strongest first (a union-find); a link is refused when it would put into one
victim two records that cannot be the same person:
- two records from the same source incident (two named victims of one strike are two people);
- two morgue rows whose given names differ (relatives share father, grandfather and family
  names, and only the given name tells siblings apart);
- a pair a reviewer marked `no-match`.
A reviewer's `match` is applied first and always. Unidentified bodies never enter the model, so
each stays a victim of its own. `victim_id` is derived from the cluster's smallest record key,
so it is stable while the records behind it do not change.
"""

from __future__ import annotations

import hashlib

import polars as pl

CLUSTER_SCHEMA = {
    "victim_id": pl.String, "record_keys": pl.List(pl.String), "n_records": pl.Int64, "sources": pl.List(pl.String), "n_sources": pl.Int64,
    "name_ar": pl.String, "name_latin": pl.String, "sex": pl.String, "age": pl.Int64, "date_of_death": pl.Date, "neighbourhood_id": pl.String,
    "bank": pl.String, "causes": pl.List(pl.String), "incident_keys": pl.List(pl.String), "is_unidentified": pl.Boolean,
    "weakest_link_probability": pl.Float64, "is_linkable": pl.Boolean,
}


def victim_id(smallest_key: str) -> str:
    return "v-" + hashlib.sha256(smallest_key.encode("utf-8")).hexdigest()[:12]


class _Components:
    def __init__(self, keys, incident_of, given_of, source_of):
        self.parent = {k: k for k in keys}
        self.incidents = {k: ({incident_of[k]} if incident_of[k] else set()) for k in keys}
        self.morgue_given = {k: ({given_of[k]} if source_of[k] == "morgue" and given_of[k] else set()) for k in keys}
        self.weakest = {k: None for k in keys}
        self.forbidden: set[tuple[str, str]] = set()

    def find(self, key):
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def allowed(self, a, b) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.incidents[ra] & self.incidents[rb]:
            return False
        if self.morgue_given[ra] and self.morgue_given[rb] and not (self.morgue_given[ra] & self.morgue_given[rb]):
            return False
        return (min(ra, rb), max(ra, rb)) not in self.forbidden

    def union(self, a, b, probability):
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.parent[rb] = ra
        self.incidents[ra] |= self.incidents.pop(rb)
        self.morgue_given[ra] |= self.morgue_given.pop(rb)
        weakest = [w for w in (self.weakest[ra], self.weakest.pop(rb), probability) if w is not None]
        self.weakest[ra] = min(weakest)


def cluster_records(person_records: pl.DataFrame, links: pl.DataFrame, threshold: float) -> pl.DataFrame:
    keys = person_records["record_key"].to_list()
    components = _Components(
        keys,
        dict(zip(keys, person_records["incident_key"].to_list())),
        dict(zip(keys, person_records["given_key"].to_list())),
        dict(zip(keys, person_records["source"].to_list())),
    )
    known = set(keys)
    links = links.filter(pl.col("record_key_l").is_in(known) & pl.col("record_key_r").is_in(known))
    for left, right in links.filter((pl.col("decided_by") == "reviewer") & (pl.col("match_probability") == 0.0)).select("record_key_l", "record_key_r").iter_rows():
        components.forbidden.add((min(left, right), max(left, right)))
    forced = links.filter((pl.col("decided_by") == "reviewer") & (pl.col("match_probability") == 1.0))
    for left, right, probability in forced.select("record_key_l", "record_key_r", "match_probability").iter_rows():
        components.union(left, right, probability)
    model = links.filter((pl.col("decided_by") == "model") & (pl.col("match_probability") >= threshold)).sort("match_probability", descending=True)
    for left, right, probability in model.select("record_key_l", "record_key_r", "match_probability").iter_rows():
        # Forbidden pairs are checked against the components' representatives too.
        ra, rb = components.find(left), components.find(right)
        blocked = any((min(x, y), max(x, y)) in components.forbidden for x in (left, ra) for y in (right, rb))
        if not blocked and components.allowed(left, right):
            components.union(left, right, probability)
    membership = pl.DataFrame({"record_key": keys, "root": [components.find(k) for k in keys]})
    weakest = pl.DataFrame({"root": list(components.weakest), "weakest_link_probability": list(components.weakest.values())}, schema={"root": pl.String, "weakest_link_probability": pl.Float64})
    return summarise_clusters(person_records.join(membership, on="record_key"), weakest)


def summarise_clusters(records: pl.DataFrame, weakest: pl.DataFrame) -> pl.DataFrame:
    """One row per victim. The morgue's Arabic name and its date and place are preferred: it is
    the register of bodies; the lists' values fill what the morgue lacks."""
    morgue_first = pl.when(pl.col("source") == "morgue").then(0).otherwise(1)
    ordered = records.with_columns(morgue_first.alias("_rank"), pl.col("name_original").str.len_chars().fill_null(0).alias("_len")).sort(["root", "_rank", "_len"], descending=[False, False, True])
    grouped = ordered.group_by("root", maintain_order=True).agg(
        pl.col("record_key").sort().alias("record_keys"),
        pl.len().cast(pl.Int64).alias("n_records"),
        pl.col("source").unique().sort().alias("sources"),
        pl.col("name_ar").drop_nulls().first().alias("name_ar"),
        pl.col("name_original").filter(pl.col("source") != "morgue").drop_nulls().first().alias("_latin_original"),
        pl.col("name_latin").drop_nulls().first().alias("_latin_any"),
        pl.col("sex").drop_nulls().mode().first().alias("sex"),
        pl.col("age").drop_nulls().median().round(0).cast(pl.Int64).alias("age"),
        pl.col("date_of_death").drop_nulls().first().alias("date_of_death"),
        pl.col("neighbourhood_id").drop_nulls().first().alias("neighbourhood_id"),
        pl.col("bank").drop_nulls().first().alias("bank"),
        pl.col("cause").drop_nulls().unique().sort().alias("causes"),
        pl.col("incident_key").drop_nulls().unique().sort().alias("incident_keys"),
        pl.col("is_unidentified").all().alias("is_unidentified"),
        # Whether any record could have been matched by name at all (see persons.model_input).
        (~pl.col("is_unidentified") & ~pl.col("is_relational") & pl.col("given_key").is_not_null() & pl.col("father_key").is_not_null()).any().alias("is_linkable"),
    )
    out = grouped.join(weakest, on="root", how="left").with_columns(
        pl.col("record_keys").list.first().map_elements(victim_id, return_dtype=pl.String).alias("victim_id"),
        pl.col("sources").list.len().cast(pl.Int64).alias("n_sources"),
        pl.coalesce("_latin_original", "_latin_any").alias("name_latin"),
    )
    return out.select([pl.col(c).cast(t) for c, t in CLUSTER_SCHEMA.items()]).sort("victim_id")
