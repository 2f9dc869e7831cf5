"""Incident linkage: the same strike reported by Airwars, IBC, Amnesty and the coalition becomes one incident.

1. Candidates: every pair of incident records whose dates come within a day of each other, and
   every pair that shares a named victim (from person linkage).
2. Evidence: each pair is compared on date, place, weapon, death toll, target, time of day,
   coordinates and named victims (`incident_comparisons.py`); a Fellegi-Sunter model estimates
   by EM, from these unlabelled pairs, how much each level of each comparison counts and how
   likely a candidate pair of each pair of sources is to be one event (`fellegi_sunter.py`).
   Each pair gets its posterior probability of being one event.
3. Incidents are built source by source (Airwars, then IBC, Amnesty, the coalition): a source
   reports an event once (Airwars sometimes twice, and those copies are joined first), so each
   of its records joins at most one incident built so far, and each incident takes at most one
   of its records. The record-to-incident evidence is that of the record's best-fitting member;
   the records and incidents are paired by an optimal one-to-one assignment, and a pairing is
   kept when its probability, set against every other incident the record could join and every
   other record the incident could take, is at least `ACCEPT`. Several equally good candidates
   therefore leave a record alone rather than joined by a guess.

`incident_links` lists the kept links with `score` (the posterior log-odds, in bits) and
`link_confidence` (that competition-adjusted probability); an incident's `link_confidence` is
its weakest link's. Every step is ordered by record keys, so a rebuild gives the same incidents.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.optimize import linear_sum_assignment

from pipeline.link.fellegi_sunter import FellegiSunterModel, estimate
from pipeline.link.incident_comparisons import COMPARISONS, LEVELS, comparison_levels
from pipeline.vocab import TARGET_PATTERNS, TIME_PATTERNS, read_detail

SOURCE_ORDER = ["airwars", "ibc", "amnesty", "cjtf"]
# Sources known to report one event twice; two records of any other source are one event only
# when they share a named victim.
DOUBLE_REPORTING = {"airwars"}
# A pairing is kept when, against its competitors, it is at least this likely: at 0.5 two equally
# good candidates (each below one half) both stay apart.
ACCEPT = 0.5

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
    model: list[dict] = field(default_factory=list)  # the estimated m/u per comparison level


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
    return pl.concat(frames, how="diagonal_relaxed").select(list(INCIDENT_RECORD_SCHEMA)).sort("record_key")


def shared_victims(victim_clusters: pl.DataFrame | None) -> pl.DataFrame:
    """Pairs of incident records that share a named victim."""
    if victim_clusters is None or victim_clusters.is_empty():
        return pl.DataFrame(schema={"record_key_l": pl.String, "record_key_r": pl.String, "shared": pl.Boolean})
    per_victim = victim_clusters.select("victim_id", pl.col("incident_keys").alias("key")).explode("key").drop_nulls()
    pairs = per_victim.join(per_victim, on="victim_id", suffix="_r").filter(pl.col("key") < pl.col("key_r"))
    return pairs.select(pl.col("key").alias("record_key_l"), pl.col("key_r").alias("record_key_r"), pl.lit(True).alias("shared")).unique().sort("record_key_l", "record_key_r")


def naming_records(victim_clusters: pl.DataFrame | None) -> set[str]:
    """Incident records that name at least one victim."""
    if victim_clusters is None or victim_clusters.is_empty():
        return set()
    return set(victim_clusters.select(pl.col("incident_keys").explode()).drop_nulls().to_series().to_list())


def candidate_pairs(records: pl.DataFrame, shared: pl.DataFrame, naming: set[str] | None = None) -> pl.DataFrame:
    """Pairs within a day of each other: joined on day, so cost grows with incidents per day, not n².
    Two records of one source are candidates only from a source that double reports, or when
    they share a named victim."""
    days = records.with_columns(pl.date_ranges(pl.col("date_start") - pl.duration(days=1), pl.col("date_end") + pl.duration(days=1)).alias("day")).explode("day")
    left = days.select("record_key", "source", "day")
    pairs = left.join(left, on="day", suffix="_r").filter(
        (pl.col("record_key") < pl.col("record_key_r")) & ((pl.col("source") != pl.col("source_r")) | pl.col("source").is_in(list(DOUBLE_REPORTING)))
    ).select(pl.col("record_key").alias("record_key_l"), "record_key_r").unique()
    pairs = pl.concat([pairs, shared.select("record_key_l", "record_key_r")]).unique()
    r = records.with_columns(pl.col("record_key").is_in(sorted(naming or set())).alias("names_victims"))
    return (
        pairs.join(r.rename(lambda c: f"{c}_l"), on="record_key_l").join(r.rename(lambda c: f"{c}_r"), on="record_key_r")
        .join(shared, on=["record_key_l", "record_key_r"], how="left").with_columns(pl.col("shared").fill_null(False))
        .with_columns(pl.concat_str(pl.min_horizontal("source_l", "source_r"), pl.max_horizontal("source_l", "source_r"), separator="-").alias("source_pair"))
        .sort("record_key_l", "record_key_r")
    )


def score_pairs(pairs: pl.DataFrame) -> tuple[pl.DataFrame, FellegiSunterModel | None]:
    """Each candidate pair's posterior probability of being one event, from a model estimated on these pairs."""
    levelled = comparison_levels(pairs)
    if levelled.is_empty():
        return levelled.with_columns(pl.lit(None, pl.Float64).alias("log_odds"), pl.lit(None, pl.Float64).alias("match_probability")), None
    names = list(COMPARISONS)
    levels = levelled.select(f"level_{n}" for n in names).to_numpy().astype(np.int64)
    group_names = sorted(levelled["source_pair"].unique().to_list())
    groups = levelled["source_pair"].replace_strict({g: i for i, g in enumerate(group_names)}, return_dtype=pl.Int64).to_numpy()
    model = estimate(levels, groups, [len(LEVELS[n]) for n in names], names, len(group_names))
    odds = model.log_odds(levels, groups)
    return levelled.with_columns(pl.Series("log_odds", odds), pl.Series("match_probability", 1.0 / (1.0 + np.exp(-np.clip(odds, -50, 50))))), model


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def competing_confidence(edges: dict[tuple[int, int], tuple[float, tuple[str, str]]]) -> dict[tuple[int, int], float]:
    """For each edge (left unit, right unit) with log-odds o: the probability that this pairing,
    rather than any other open to either side or none at all, is the true one, as
    e^o / (1 + sum of e^o' over the left unit's edges) and likewise for the right unit; the smaller."""
    by_left: dict[int, list[float]] = {}
    by_right: dict[int, list[float]] = {}
    for (i, j), (odds, _) in edges.items():
        by_left.setdefault(i, []).append(odds)
        by_right.setdefault(j, []).append(odds)
    confidence = {}
    for (i, j), (odds, _) in edges.items():
        left = math.exp(odds - _logsumexp([0.0, *by_left[i]]))
        right = math.exp(odds - _logsumexp([0.0, *by_right[j]]))
        confidence[(i, j)] = min(left, right)
    return confidence


def _edges(left: list[list[str]], right: list[list[str]], odds: dict[tuple[str, str], float]) -> dict[tuple[int, int], tuple[float, tuple[str, str]]]:
    """The evidence between two groups of records is that of their best-fitting pair of members."""
    where_right = {key: j for j, unit in enumerate(right) for key in unit}
    edges: dict[tuple[int, int], tuple[float, tuple[str, str]]] = {}
    for i, unit in enumerate(left):
        for a in unit:
            for b, value in odds.get(a, {}).items():
                j = where_right.get(b)
                if j is None or (left is right and i == j):
                    continue
                edge = (min(i, j), max(i, j)) if left is right else (i, j)
                if edge not in edges or value > edges[edge][0]:
                    edges[edge] = (value, (min(a, b), max(a, b)))
    return edges


def assemble(records: pl.DataFrame, scored: pl.DataFrame) -> tuple[list[list[str]], list[tuple[str, str, float, float]]]:
    """Incidents (lists of record keys) and the links that made them, source by source."""
    odds: dict[str, dict[str, float]] = {}
    for a, b, value in scored.select("record_key_l", "record_key_r", "log_odds").iter_rows():
        odds.setdefault(a, {})[b] = value
        odds.setdefault(b, {})[a] = value
    keys_by_source = {s: sorted(records.filter(pl.col("source") == s)["record_key"].to_list()) for s in SOURCE_ORDER}
    incidents: list[list[str]] = []
    links: list[tuple[str, str, float, float]] = []
    for source in SOURCE_ORDER:
        units = [[k] for k in keys_by_source[source]]
        # One event reported twice by one source: the copies join first (each has at most one
        # twin, since a kept pairing must beat all the others).
        twins = _edges(units, units, odds)
        joined: dict[int, int] = {}
        for (i, j), confidence in sorted(competing_confidence(twins).items()):
            if confidence >= ACCEPT and i not in joined and j not in joined:
                joined[j] = i
                links.append((*twins[(i, j)][1], twins[(i, j)][0], confidence))
        for j, i in sorted(joined.items()):
            units[i] = sorted(units[i] + units[j])
        units = [u for n, u in enumerate(units) if n not in joined]
        edges = _edges(units, incidents, odds)
        taken: set[int] = set()
        for (i, j), confidence in sorted(competing_confidence(edges).items()):
            if confidence >= ACCEPT:
                incidents[j] = sorted(incidents[j] + units[i])
                taken.add(i)
                links.append((*edges[(i, j)][1], edges[(i, j)][0], confidence))
        incidents.extend(u for n, u in enumerate(units) if n not in taken)
    return incidents, links


def incident_id(smallest_key: str) -> str:
    return "i-" + hashlib.sha256(smallest_key.encode("utf-8")).hexdigest()[:12]


def link_incidents(staged: dict[str, pl.DataFrame], victim_clusters: pl.DataFrame | None = None) -> IncidentLinkResult:
    records = incident_records(staged)
    scored, model = score_pairs(candidate_pairs(records, shared_victims(victim_clusters), naming_records(victim_clusters)))
    groups, links = assemble(records, scored)
    root = {key: min(group) for group in groups for key in group}
    membership = records.with_columns(pl.col("record_key").replace_strict(root).alias("root"))
    link_table = pl.DataFrame(
        [{"record_key_l": a, "record_key_r": b, "score": value / math.log(2), "link_confidence": confidence} for a, b, value, confidence in links],
        schema={"record_key_l": pl.String, "record_key_r": pl.String, "score": pl.Float64, "link_confidence": pl.Float64},
    ).sort("record_key_l", "record_key_r")
    confidence = link_table.select(pl.col("record_key_l").replace_strict(root, return_dtype=pl.String).alias("root"), "link_confidence").group_by("root").agg(pl.col("link_confidence").min())
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
        .sort("incident_id")
    )
    membership_out = membership.join(incidents.select("root", "incident_id"), on="root").select("record_key", "incident_id", "source").sort("record_key")
    labelled = model.table(LEVELS) if model is not None else []
    return IncidentLinkResult(incidents.drop("root"), link_table, membership_out, labelled)
