"""Incident linkage: the same strike reported by Airwars, IBC, Amnesty and the coalition becomes one incident.

A documented evidence score per candidate pair (candidates share a date window and a place):

| evidence | points |
|---|---|
| dates overlap (multi-day ranges included) | +2; within a day of each other: +1 |
| same neighbourhood | +2; only the same bank known: +0.5 |
| compatible weapons | +1; incompatible (an execution against an airstrike): -3 |
| casualty ranges overlap (with 25% slack) | +1; far apart: -1 |
| a named victim in both (from person linkage) | +4 |
| what was hit (IBC target, Airwars/Amnesty narrative): same | +1.5; different: -2 |
| time of day: same | +1; different: -1.5 |
| Airwars coordinates of both within 250 m | +2; more than 600 m apart: -3 |

Pairs scoring at least `LINK_SCORE` are linked; `link_confidence` is the score over the
maximum. Records of one source are linked to each other only when they share a named victim
(Airwars sometimes reports one event twice). A coalition assessment links to the single
best-scoring incident (formed by the other sources) on its strike date, and stays alone when
several incidents fit equally.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from pipeline.vocab import TARGET_PATTERNS, TIME_PATTERNS, read_detail

LINK_SCORE = 4.0
SAME_SOURCE_SCORE = 8.0
MAX_SCORE = 14.5
NEAR_KM, FAR_KM = 0.25, 0.6
# Weapons that can describe the same event, by family.
WEAPON_FAMILY = {
    "airstrike": "air", "air_or_artillery": "air", "artillery": "indirect", "mortar": "indirect", "shelling": "indirect",
    "ied": "explosive", "vbied": "explosive", "execution": "execution", "gunfire": "gunfire", "unknown": "unknown",
}
COMPATIBLE = {("air", "indirect"), ("indirect", "air"), ("explosive", "indirect"), ("indirect", "explosive")}

INCIDENT_RECORD_SCHEMA = {
    "record_key": pl.String, "source": pl.String, "date_start": pl.Date, "date_end": pl.Date, "neighbourhood_id": pl.String, "bank": pl.String,
    "weapon": pl.String, "killed_min": pl.Int64, "killed_max": pl.Int64, "latitude": pl.Float64, "longitude": pl.Float64,
    "target": pl.String, "time_of_day": pl.String,
}


def _detail(column: str, patterns) -> pl.Expr:
    return pl.col(column).map_elements(lambda text: read_detail(text, patterns), return_dtype=pl.String)


@dataclass
class IncidentLinkResult:
    incidents: pl.DataFrame
    incident_links: pl.DataFrame
    membership: pl.DataFrame


def incident_records(staged: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """The four incident-level sources in one shape."""
    airwars = staged["staged_airwars_incidents"].select(
        "record_key", pl.lit("airwars").alias("source"), "date_start", "date_end", "neighbourhood_id", "bank",
        pl.col("strike_types").list.first().fill_null("unknown").alias("weapon"), "killed_min", "killed_max", "latitude", "longitude",
        _detail("summary", TARGET_PATTERNS).alias("target"), _detail("summary", TIME_PATTERNS).alias("time_of_day"),
    )
    ibc = staged["staged_ibc_incidents"].select(
        "record_key", pl.lit("ibc").alias("source"), "date_start", "date_end", "neighbourhood_id", "bank", "weapon", "killed_min", "killed_max",
        _detail("target", TARGET_PATTERNS).alias("target"), _detail("time_of_day", TIME_PATTERNS).alias("time_of_day"),
    )
    amnesty = staged["staged_amnesty_incidents"].select(
        "record_key", pl.lit("amnesty").alias("source"), pl.col("date").alias("date_start"), pl.col("date").alias("date_end"), "neighbourhood_id", "bank", "weapon",
        pl.col("killed").alias("killed_min"), pl.col("killed").alias("killed_max"),
        _detail("summary", TARGET_PATTERNS).alias("target"), _detail("summary", TIME_PATTERNS).alias("time_of_day"),
    )
    cjtf = staged["staged_cjtf_assessments"].select(
        "record_key", pl.lit("cjtf").alias("source"), pl.col("strike_date").alias("date_start"), pl.col("strike_date").alias("date_end"), "neighbourhood_id", "bank",
        pl.lit("air_or_artillery").alias("weapon"),
        # "0 killed" in a non-credible assessment is the coalition's verdict, not a count of the event.
        pl.when(pl.col("civilians_killed") > 0).then(pl.col("civilians_killed")).otherwise(None).alias("killed_min"),
        pl.when(pl.col("civilians_killed") > 0).then(pl.col("civilians_killed")).otherwise(None).alias("killed_max"),
    )
    frames = [f.cast({k: v for k, v in INCIDENT_RECORD_SCHEMA.items() if k in f.columns}) for f in (airwars, ibc, amnesty, cjtf)]
    return pl.concat(frames, how="diagonal_relaxed").select(list(INCIDENT_RECORD_SCHEMA)).with_columns(pl.col("weapon").replace_strict(WEAPON_FAMILY, default="unknown").alias("family"))


def shared_victims(victim_clusters: pl.DataFrame | None) -> pl.DataFrame:
    """Pairs of incident records that share a named victim."""
    if victim_clusters is None or victim_clusters.is_empty():
        return pl.DataFrame(schema={"record_key_l": pl.String, "record_key_r": pl.String, "shared": pl.Boolean})
    per_victim = victim_clusters.select("victim_id", pl.col("incident_keys").alias("key")).explode("key").drop_nulls()
    pairs = per_victim.join(per_victim, on="victim_id", suffix="_r").filter(pl.col("key") < pl.col("key_r"))
    return pairs.select(pl.col("key").alias("record_key_l"), pl.col("key_r").alias("record_key_r"), pl.lit(True).alias("shared")).unique()


def candidate_pairs(records: pl.DataFrame, shared: pl.DataFrame) -> pl.DataFrame:
    """Pairs within a day of each other: joined on day, so cost grows with incidents per day, not n²."""
    days = records.with_columns(pl.date_ranges(pl.col("date_start") - pl.duration(days=1), pl.col("date_end") + pl.duration(days=1)).alias("day")).explode("day")
    left = days.select("record_key", "day")
    pairs = left.join(left, on="day", suffix="_r").filter(pl.col("record_key") < pl.col("record_key_r")).select(
        pl.col("record_key").alias("record_key_l"), "record_key_r"
    ).unique()
    pairs = pl.concat([pairs, shared.select("record_key_l", "record_key_r")]).unique()
    r = records.drop("family").with_columns(pl.col("weapon").replace_strict(WEAPON_FAMILY, default="unknown").alias("family"))
    return pairs.join(r.rename(lambda c: f"{c}_l"), on="record_key_l").join(r.rename(lambda c: f"{c}_r"), on="record_key_r").join(
        shared, on=["record_key_l", "record_key_r"], how="left"
    ).with_columns(pl.col("shared").fill_null(False))


def score_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    overlap = (pl.col("date_start_l") <= pl.col("date_end_r")) & (pl.col("date_start_r") <= pl.col("date_end_l"))
    gap = pl.min_horizontal((pl.col("date_start_l") - pl.col("date_end_r")).dt.total_days().abs(), (pl.col("date_start_r") - pl.col("date_end_l")).dt.total_days().abs())
    date_points = pl.when(overlap).then(2.0).when(gap <= 1).then(1.0).otherwise(-2.0)
    same_place = pl.col("neighbourhood_id_l") == pl.col("neighbourhood_id_r")
    place_points = (
        pl.when(same_place).then(2.0)
        .when(pl.col("neighbourhood_id_l").is_not_null() & pl.col("neighbourhood_id_r").is_not_null()).then(-3.0)
        .when(pl.col("bank_l") == pl.col("bank_r")).then(0.5)
        .when(pl.col("bank_l").is_not_null() & pl.col("bank_r").is_not_null()).then(-3.0)
        .otherwise(0.0)
    )
    families_equal = pl.col("family_l") == pl.col("family_r")
    compatible = pl.concat_str("family_l", "family_r", separator="|").is_in([f"{a}|{b}" for a, b in COMPATIBLE])
    either_unknown = (pl.col("family_l") == "unknown") | (pl.col("family_r") == "unknown")
    weapon_points = pl.when(families_equal).then(1.0).when(compatible | either_unknown).then(0.0).otherwise(-3.0)
    low_l, high_l = pl.col("killed_min_l") * 0.75, pl.col("killed_max_l").fill_null(pl.col("killed_min_l")) * 1.25 + 1
    low_r, high_r = pl.col("killed_min_r") * 0.75, pl.col("killed_max_r").fill_null(pl.col("killed_min_r")) * 1.25 + 1
    counts_overlap = (low_l <= high_r) & (low_r <= high_l)
    count_points = pl.when(pl.col("killed_min_l").is_null() | pl.col("killed_min_r").is_null()).then(0.0).when(counts_overlap).then(1.0).otherwise(-1.0)
    victim_points = pl.when(pl.col("shared")).then(4.0).otherwise(0.0)
    target_points = detail_points("target", 1.5, -2.0)
    time_points = detail_points("time_of_day", 1.0, -1.5)
    # Equirectangular distance (0.806 = cos of Mosul's latitude): exact enough over a city, vectorised.
    km = ((pl.col("latitude_l") - pl.col("latitude_r")) * 111.0).pow(2).add(((pl.col("longitude_l") - pl.col("longitude_r")) * 111.0 * 0.806).pow(2)).sqrt()
    place_detail = pl.when(km.is_null()).then(0.0).when(km <= NEAR_KM).then(2.0).when(km > FAR_KM).then(-3.0).otherwise(0.0)
    scored = pairs.with_columns((date_points + place_points + weapon_points + count_points + victim_points + target_points + time_points + place_detail).alias("score"))
    # Within one source only a shared victim, or (for Airwars, which sometimes reports one event
    # twice) agreement on everything, makes two records one event.
    same_source = pl.col("source_l") == pl.col("source_r")
    full_agreement = (pl.col("source_l") == "airwars") & (pl.col("score") >= SAME_SOURCE_SCORE)
    return scored.filter(~same_source | pl.col("shared") | full_agreement).with_columns((pl.col("score") / MAX_SCORE).clip(0, 1).alias("link_confidence"))


def detail_points(column: str, same: float, different: float) -> pl.Expr:
    left, right = pl.col(f"{column}_l"), pl.col(f"{column}_r")
    return pl.when(left.is_null() | right.is_null()).then(0.0).when(left == right).then(same).otherwise(different)


def _assessment_links(scored: pl.DataFrame, root: dict[str, str]) -> pl.DataFrame:
    """A coalition assessment joins the single incident (a cluster of the other sources' records)
    that fits it best, if that incident is clearly the best. Candidates are compared per
    incident, not per record: an Airwars and an IBC record of one strike are one candidate."""
    is_cjtf_l = pl.col("source_l") == "cjtf"
    is_cjtf_r = pl.col("source_r") == "cjtf"
    one = scored.filter(is_cjtf_l ^ is_cjtf_r).with_columns(
        pl.when(is_cjtf_l).then(pl.col("record_key_l")).otherwise(pl.col("record_key_r")).alias("assessment"),
        pl.when(is_cjtf_l).then(pl.col("record_key_r")).otherwise(pl.col("record_key_l")).alias("other"),
    ).filter(pl.col("score") >= LINK_SCORE - 1)
    if one.is_empty():
        return one.drop("assessment", "other")
    one = one.with_columns(pl.col("other").replace_strict(root, default=pl.col("other")).alias("candidate"))
    per_candidate = one.sort("score", descending=True).group_by("assessment", "candidate", maintain_order=True).first()
    ranked = per_candidate.with_columns(
        (pl.col("score") == pl.col("score").max().over("assessment")).alias("is_best"),
        (pl.col("score") == pl.col("score").max().over("assessment")).sum().over("assessment").alias("ties"),
    )
    return ranked.filter(pl.col("is_best") & (pl.col("ties") == 1)).drop("assessment", "other", "candidate", "is_best", "ties")


def mutual_best(links: pl.DataFrame) -> pl.DataFrame:
    """Keep a link only if each record is the other's single best candidate from that source.

    Several small incidents on one day in one Old City neighbourhood look alike; when a record
    has two equally good partners in another source, linking either would be a guess, so
    neither is linked (a shared named victim settles it and is always kept)."""
    both = pl.concat([
        links.select(pl.col("record_key_l").alias("me"), pl.col("record_key_r").alias("other"), pl.col("source_r").alias("other_source"), "score", "shared", "record_key_l", "record_key_r"),
        links.select(pl.col("record_key_r").alias("me"), pl.col("record_key_l").alias("other"), pl.col("source_l").alias("other_source"), "score", "shared", "record_key_l", "record_key_r"),
    ])
    ranked = both.with_columns(
        (pl.col("score") == pl.col("score").max().over("me", "other_source")).alias("is_best"),
        (pl.col("score") == pl.col("score").max().over("me", "other_source")).sum().over("me", "other_source").alias("n_best"),
    ).with_columns(((pl.col("is_best") & (pl.col("n_best") == 1)) | pl.col("shared")).alias("ok"))
    agreed = ranked.group_by("record_key_l", "record_key_r").agg(pl.col("ok").all()).filter(pl.col("ok")).drop("ok")
    return links.join(agreed, on=["record_key_l", "record_key_r"], how="semi")


def incident_id(smallest_key: str) -> str:
    return "i-" + hashlib.sha256(smallest_key.encode("utf-8")).hexdigest()[:12]


def _components(records: pl.DataFrame, links: pl.DataFrame) -> dict[str, str]:
    """Strongest links first; a link that would put two records of one source into one incident
    is refused unless they share a named victim (then they are one event reported twice)."""
    keys = records["record_key"].to_list()
    parent = {k: k for k in keys}
    sources = {k: {s} for k, s in zip(keys, records["source"].to_list())}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    ordered = links.sort(["shared", "score"], descending=True).select("record_key_l", "record_key_r", "shared")
    for a, b, shared in ordered.iter_rows():
        ra, rb = find(a), find(b)
        same_source_ok = shared or (sources[ra] == sources[rb] == {"airwars"})
        if ra == rb or (sources[ra] & sources[rb] and not same_source_ok):
            continue
        keep, drop = min(ra, rb), max(ra, rb)
        parent[drop] = keep
        sources[keep] |= sources.pop(drop)
    return {k: find(k) for k in keys}


def link_incidents(staged: dict[str, pl.DataFrame], victim_clusters: pl.DataFrame | None = None) -> IncidentLinkResult:
    records = incident_records(staged)
    scored = score_pairs(candidate_pairs(records, shared_victims(victim_clusters)))
    involves_cjtf = (pl.col("source_l") == "cjtf") | (pl.col("source_r") == "cjtf")
    keys = records["record_key"].to_list()
    # The other sources first; the coalition's assessments then join the incidents they formed.
    links = mutual_best(scored.filter(~involves_cjtf & (pl.col("score") >= LINK_SCORE) | pl.col("shared")))
    links = pl.concat([links, _assessment_links(scored, _components(records, links))], how="vertical")
    root = _components(records, links)
    membership = pl.DataFrame({"record_key": keys, "root": [root[k] for k in keys]}).join(records, on="record_key")
    links = links.filter(pl.col("record_key_l").replace_strict(root) == pl.col("record_key_r").replace_strict(root))
    confidence = links.select(pl.col("record_key_l").replace_strict(root).alias("root"), "link_confidence").group_by("root").agg(pl.col("link_confidence").min())
    incidents = (
        membership.group_by("root")
        .agg(
            pl.col("record_key").sort().alias("record_keys"),
            pl.col("source").unique().sort().alias("sources"),
            pl.col("date_start").min(), pl.col("date_end").max(),
            pl.col("neighbourhood_id").drop_nulls().mode().sort().first().alias("neighbourhood_id"),
            pl.col("bank").drop_nulls().mode().sort().first().alias("bank"),
            pl.col("killed_min").filter(pl.col("source") != "cjtf").max().alias("killed_min"),
            pl.col("killed_max").filter(pl.col("source") != "cjtf").max().alias("killed_max"),
        )
        .join(confidence, on="root", how="left")
        .with_columns(pl.col("record_keys").list.first().map_elements(incident_id, return_dtype=pl.String).alias("incident_id"))
    )
    membership_out = membership.join(incidents.select("root", "incident_id"), on="root").select("record_key", "incident_id", "source")
    # Keep only the links the clustering used, so every listed link holds inside one incident.
    link_table = links.filter(pl.col("record_key_l").replace_strict(root) == pl.col("record_key_r").replace_strict(root)).select("record_key_l", "record_key_r", "score", "link_confidence")
    return IncidentLinkResult(incidents.drop("root"), link_table, membership_out)
