"""Incident linkage: the same strike reported by Airwars, IBC, Amnesty and the coalition becomes one incident.

1. Pairs (`incident_blocking.py`): the model learns from every pair of records within a day of
   each other or sharing a named victim (from person linkage), through a sample of bounded size
   when there are many; it scores only the blocked pairs (within a day in one neighbourhood, or
   with a record that names none; narrower rules in big blocks), which grow linearly.
2. Evidence: each pair is compared on date, place, weapon, death toll, target, time of day,
   coordinates and named victims (`incident_comparisons.py`); a Fellegi-Sunter model estimates
   by EM, from these unlabelled pairs, how much each level of each comparison counts and how
   likely a pair of each pair of sources is to be one event (`fellegi_sunter.py`). Each blocked
   pair gets its Bayes factor, "same neighbourhood" weighed by how crowded that neighbourhood
   was that day (`crowding_adjusted`).
3. Incidents are built source by source (Airwars, then IBC, Amnesty, the coalition): a source
   reports an event once (Airwars sometimes twice, and those copies are joined first), so each
   of its records joins at most one incident built so far, and each incident takes at most one
   of its records. The record-to-incident evidence is that of the record's best-fitting member
   (with, for the coalition's assessments, whom they credit with the allegation), and a pairing is kept when its probability, set against every other incident the record
   could join and every other record the incident could take, is at least one half
   (`incident_assembly.py`). Several equally good candidates therefore leave a record alone
   rather than joined by a guess.

`incident_links` lists the kept links with `score` (the pair's Bayes factor, in bits) and
`link_confidence` (that competition-adjusted probability); an incident's `link_confidence` is
its weakest link's. Every step is ordered by record keys, so a rebuild gives the same incidents
whatever the order of the input rows. docs/incidents.md has the measured figures.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from pipeline.link.fellegi_sunter import FellegiSunterModel, estimate
from pipeline.link.incident_assembly import assemble
from pipeline.link.incident_blocking import DAY_SLACK, scoring_pairs, training_pairs
from pipeline.link.incident_comparisons import COMPARISONS, LEVELS, comparison_levels
from pipeline.vocab import TARGET_PATTERNS, TIME_PATTERNS, read_detail

SOURCE_ORDER = ["airwars", "ibc", "amnesty", "cjtf"]
# Comparisons only pairs within one source have (coordinates: only Airwars gives them).
OWN_SOURCE_COMPARISONS = ["coordinates"]
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
        # Airwars files a strike it cannot tell apart as both types.
        pl.when(pl.col("strike_types").list.contains("airstrike") & pl.col("strike_types").list.contains("artillery")).then(pl.lit("air_or_artillery"))
        .otherwise(pl.col("strike_types").list.first().fill_null("unknown")).alias("weapon"), "killed_min", "killed_max", "latitude", "longitude",
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
        # The coalition assesses its own strikes without saying which kind: only the family is known.
        pl.lit("coalition_strike").alias("weapon"),
        # "0 killed" in a non-credible assessment is the coalition's verdict, not a count of the event.
        pl.when(pl.col("civilians_killed") > 0).then(pl.col("civilians_killed")).otherwise(None).alias("killed_min"),
        pl.when(pl.col("civilians_killed") > 0).then(pl.col("civilians_killed")).otherwise(None).alias("killed_max"),
    )
    frames = [f.cast({k: v for k, v in INCIDENT_RECORD_SCHEMA.items() if k in f.columns}) for f in (airwars, ibc, amnesty, cjtf)]
    return pl.concat(frames, how="diagonal_relaxed").select(list(INCIDENT_RECORD_SCHEMA)).sort("record_key")


# How the coalition names the monitors it credits with an allegation, lower-cased.
CREDITED_SOURCE = {"airwars": "airwars", "iraq body count": "ibc", "ibc": "ibc", "amnesty": "amnesty", "amnesty international": "amnesty"}


def allegation_credits(staged: dict[str, pl.DataFrame]) -> dict[str, str | None]:
    """Each coalition assessment's record key -> the source of the lists it credits with the
    allegation, or None (the media, the coalition itself, nobody): the coalition names Airwars
    when Airwars raised it, so an incident Airwars reported is likelier to be the one assessed."""
    cjtf = staged.get("staged_cjtf_assessments")
    if cjtf is None or "allegation_source" not in cjtf.columns:
        return {}
    credited = cjtf.select("record_key", pl.col("allegation_source").str.strip_chars().str.to_lowercase().replace_strict(CREDITED_SOURCE, default=None, return_dtype=pl.String))
    return dict(credited.drop_nulls("record_key").iter_rows())


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


def with_record_columns(pairs: pl.DataFrame, records: pl.DataFrame, shared: pl.DataFrame, naming: set[str] | None = None) -> pl.DataFrame:
    """Pairs (record_key_l, record_key_r) with both records' columns (suffixed _l and _r), whether
    they share a named victim, whether each names one, and their pair of sources."""
    return with_record_columns_lazy(pairs.lazy(), records, shared, naming).collect()


def with_record_columns_lazy(pairs: pl.LazyFrame, records: pl.DataFrame, shared: pl.DataFrame, naming: set[str] | None = None) -> pl.LazyFrame:
    r = records.lazy().with_columns(pl.col("record_key").is_in(sorted(naming or set())).alias("names_victims"))
    return (
        pairs.join(r.rename({c: f"{c}_l" for c in records.columns + ["names_victims"]}), on="record_key_l").join(r.rename({c: f"{c}_r" for c in records.columns + ["names_victims"]}), on="record_key_r")
        .join(shared.lazy(), on=["record_key_l", "record_key_r"], how="left").with_columns(pl.col("shared").fill_null(False))
        .with_columns(pl.concat_str(pl.min_horizontal("source_l", "source_r"), pl.max_horizontal("source_l", "source_r"), separator="-").alias("source_pair"))
        .sort("record_key_l", "record_key_r")
    )


def most_matches(source_pair: str, records_per_source: dict[str, int]) -> int:
    """A source reports an event once (a double-reporting one at most twice), so two sources share
    at most as many events as the smaller has records."""
    left, right = source_pair.split("-")
    return records_per_source.get(left, 0) // 2 if left == right else min(records_per_source.get(left, 0), records_per_source.get(right, 0))


def _levels(levelled: pl.DataFrame) -> np.ndarray:
    return levelled.select(f"level_{n}" for n in COMPARISONS).to_numpy().astype(np.int64)


def level_patterns(levelled: pl.DataFrame) -> pl.DataFrame:
    """The distinct (pair of sources, levels) patterns with the number of pairs each stands for
    (`weight` summed): EM needs nothing else, and the patterns are bounded by the ladders, not the
    pairs (10,799 at 1x, 19,922 at 10x, seed 1)."""
    return (
        levelled.group_by("source_pair", *(f"level_{n}" for n in COMPARISONS)).agg(pl.col("weight").sum())
        .sort("source_pair", *(f"level_{n}" for n in COMPARISONS))
    )


def fit_model(patterns: pl.DataFrame, records_per_source: dict[str, int]) -> FellegiSunterModel | None:
    """The Fellegi-Sunter model estimated by EM on level patterns (`level_patterns`) of the
    training pairs, each weighing the pairs of the population it stands for."""
    if patterns.is_empty():
        return None
    names = list(COMPARISONS)
    levels = _levels(patterns)
    weights = patterns["weight"].to_numpy().astype(float)
    group_names = sorted(patterns["source_pair"].unique().to_list())
    groups = patterns["source_pair"].replace_strict({g: i for i, g in enumerate(group_names)}, return_dtype=pl.Int64).to_numpy()
    most = np.array([most_matches(g, records_per_source) for g in group_names], dtype=float)
    n_levels = [len(LEVELS[n]) for n in names]
    # Two records of one source are estimated apart: pairs across sources (where a source
    # reports an event once) fix what each comparison weighs; the Airwars-Airwars pairs then
    # only add their own prior and what coordinates (which only Airwars gives) weigh.
    same = np.array([len(set(g.split("-"))) == 1 for g in group_names])[groups]
    model = estimate(levels[~same], groups[~same], n_levels, names, most, weights=weights[~same])
    if same.any():
        own = [names.index(n) for n in OWN_SOURCE_COMPARISONS]
        within = estimate(levels[same], groups[same], n_levels, names, most, {k: (model.m[k], model.u[k]) for k in range(len(names)) if k not in own}, weights=weights[same])
        same_groups = np.unique(groups[same])
        prior = model.prior.copy()
        prior[same_groups] = within.prior[same_groups]
        model = FellegiSunterModel(names, [within.m[k] if k in own else model.m[k] for k in range(len(names))], [within.u[k] if k in own else model.u[k] for k in range(len(names))], prior, model.iterations + within.iterations)
    return model


def score_pairs(levelled: pl.DataFrame, model: FellegiSunterModel | None) -> pl.DataFrame:
    """Each pair's log Bayes factor (natural log) under the model. The model's priors are shares
    of matches among all pairs within a day, not among these blocked pairs, so only the Bayes
    factor is kept: the assembly weighs candidates against each other with it."""
    if model is None or levelled.is_empty():
        return levelled.with_columns(pl.lit(None, pl.Float64).alias("log_bayes_factor"))
    return levelled.with_columns(pl.Series("log_bayes_factor", model.log_bayes_factor(_levels(levelled))))


def pair_levels(pairs: pl.DataFrame, records: pl.DataFrame, shared: pl.DataFrame, naming: set[str], weight: float) -> pl.DataFrame:
    """The pairs' comparison levels and pair of sources, each pair standing for `weight` pairs of
    the population; both records' columns are dropped once compared (they were most of the
    memory: 1-2 KB a pair). Compared PAIR_CHUNK pairs at a time, so only one chunk is ever wide
    (5.9 million blocked pairs at 100x)."""
    def levelled(chunk: pl.DataFrame) -> pl.DataFrame:
        compared = comparison_levels(with_record_columns_lazy(chunk.lazy(), records, shared, naming))
        return compared.select("record_key_l", "record_key_r", "source_pair", *(f"level_{n}" for n in COMPARISONS), pl.lit(weight).alias("weight")).collect()
    return pl.concat([levelled(pairs.slice(offset, PAIR_CHUNK)) for offset in range(0, max(pairs.height, 1), PAIR_CHUNK)])


# Pairs compared at once by pair_levels (each about 1-2 KB while both records' columns are joined).
PAIR_CHUNK = 1_000_000


def fit_and_score(records: pl.DataFrame, victim_clusters: pl.DataFrame | None) -> tuple[pl.DataFrame, FellegiSunterModel | None]:
    """The blocked pairs with their log Bayes factors, and the model. EM learns from the whole
    population of pairs within a day (or sharing a named victim): the blocked pairs each stand
    for themselves, the others through a sample in which each stands for `buckets` pairs
    (incident_blocking), so the u-probabilities still see the pairs that blocking leaves out."""
    shared, naming = shared_victims(victim_clusters), naming_records(victim_clusters)
    blocked = pair_levels(scoring_pairs(records, shared), records, shared, naming, 1.0)
    sample, buckets = training_pairs(records, shared)
    rest = pair_levels(sample.join(blocked.select("record_key_l", "record_key_r"), on=["record_key_l", "record_key_r"], how="anti"), records, shared, naming, float(buckets))
    # Patterns of each part, then of both (the weights are whole numbers, so the sums are exact):
    # no copy of the blocked pairs (0.6 GB at 100x).
    patterns = level_patterns(pl.concat([level_patterns(blocked), level_patterns(rest)]))
    model = fit_model(patterns, dict(records.group_by("source").len().iter_rows()))
    return crowding_adjusted(score_pairs(blocked, model), records, model), model


def neighbourhood_shares(records: pl.DataFrame) -> dict[str, float]:
    """Each record with a neighbourhood -> the share of its first day's records that are in its
    neighbourhood, leaving one out (the record that may be the same event), at least one: the
    chance that an unrelated record of that day is there too."""
    # The day's count includes records without a neighbourhood: they are unrelated records of that day too.
    day_counts = records.group_by("date_start").len()
    shares = records.filter(pl.col("neighbourhood_id").is_not_null()).join(day_counts, on="date_start").select(
        "record_key", ((pl.len().over("date_start", "neighbourhood_id") - 1).clip(lower_bound=1) / pl.col("len")).alias("share"))
    return dict(shares.iter_rows())


def crowding_adjusted(scored: pl.DataFrame, records: pl.DataFrame, model: FellegiSunterModel | None) -> pl.DataFrame:
    """'Same neighbourhood' weighed by how crowded that neighbourhood was that day (a term-frequency
    adjustment, as Splink's): EM's u for it is the chance two unrelated records share a
    neighbourhood averaged over the city and the battle, but two strikes in the Old City on a day
    of the June offensive share it far more often than two in a quiet eastern district. Its u is
    replaced by the pair's mean `neighbourhood_shares`; m is kept."""
    if model is None or scored.is_empty():
        return scored
    u_same = float(model.u[list(COMPARISONS).index("place")][0])
    share = neighbourhood_shares(records)
    pair_share = (pl.col("record_key_l").replace_strict(share, default=None) + pl.col("record_key_r").replace_strict(share, default=None)) / 2
    adjusted = pl.col("log_bayes_factor") + math.log(u_same) - pair_share.log()
    return scored.with_columns(pl.when(pl.col("level_place") == 0).then(adjusted).otherwise(pl.col("log_bayes_factor")).alias("log_bayes_factor"))


def incident_id(smallest_key: str) -> str:
    return "i-" + hashlib.sha256(smallest_key.encode("utf-8")).hexdigest()[:12]


def link_incidents(staged: dict[str, pl.DataFrame], victim_clusters: pl.DataFrame | None = None) -> IncidentLinkResult:
    records = incident_records(staged)
    scored, model = fit_and_score(records, victim_clusters)
    pairs = scored.select("record_key_l", "record_key_r", "log_bayes_factor")
    del scored  # the comparison levels are not needed past scoring (0.4 GB at 100x)
    # One string object per record key, shared by every pair it is in: read row by row, each pair
    # would bring two new copies (11.7 million strings, about 0.7 GB, at 100x).
    key = {k: k for k in records["record_key"]}
    log_bf: dict[str, dict[str, float]] = {}
    for a, b, value in pairs.iter_rows():
        a, b = key[a], key[b]
        log_bf.setdefault(a, {})[b] = value
        log_bf.setdefault(b, {})[a] = value
    del pairs
    keys_by_source = {s: k for s, k in records.group_by("source").agg(pl.col("record_key").sort()).iter_rows()}
    days = {key: (first, last) for key, first, last in records.select("record_key", pl.col("date_start").dt.epoch("d"), pl.col("date_end").dt.epoch("d")).iter_rows()}
    groups, links = assemble(keys_by_source, SOURCE_ORDER, log_bf, days, 2 * DAY_SLACK, allegation_credits(staged))
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
