"""Probabilistic linkage of person records with Splink (Fellegi-Sunter), DuckDB by default.

One model scores every candidate pair of person records, whichever lists they come from: the
morgue's re-registrations (within-list duplicates) and the links between the morgue and the
English lists are one problem with one set of parameters. What differs between those kinds of
pair, how often they match at all, is a comparison of its own (`source_pair`), so its weight is
estimated from the data like every other.

Parameters are estimated, not set: u-probabilities by random sampling, m-probabilities by
expectation maximisation in two sessions (one blocked on when-and-where, which estimates the
name parts; one blocked on the names, which estimates when-and-where), and the prior from
deterministic rules with a stated recall (PRIOR_RULES_RECALL, the one number here that is
assumed rather than estimated). Clustering, guards and reviewer decisions are in clusters.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import splink.comparison_level_library as cll
from splink import Linker, SettingsCreator
from splink.comparison_library import CustomComparison
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT
from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
from splink.internals.dialects import SplinkDialect
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from pipeline.link.backend import LinkBackend, configured_backend
from pipeline.link.blocking import add_block_sizes, bounded_rules
from pipeline.link.clusters import DISTINCT_BY_CONSTRUCTION, cluster_records
from pipeline.link.decisions import decisions_as_links, load_decisions
from pipeline.places import neighbourhood_centroids

# Pairs scored at or above MATCH_THRESHOLD are linked (subject to the guards); pairs between
# REVIEW_LOWER and MATCH_THRESHOLD go to the review queue. docs/linkage.md says why these values.
MATCH_THRESHOLD = 0.65
REVIEW_LOWER = 0.30
# A record without a name (an unidentified body, an unnamed list victim) is linked on day,
# place, age and sex alone, and no name guard can catch a wrong link: it must stand on its
# probability, so it needs more of it (measured: at 0.7 such links are right about 7 times in 10
# where deaths are dense).
NAMELESS_THRESHOLD = 0.80
# The prior (probability that two random records match) starts from pairs that agree on every
# name part and on day and neighbourhood, divided by the share of true pairs such strict rules are
# assumed to find (PRIOR_RULES_RECALL, an assumption); after scoring it is re-estimated from the
# data as the expected number of matches over the number of possible pairs (a fixed point: the
# EM update of the prior with m and u held), so the starting assumption washes out.
PRIOR_RULES_RECALL = 0.6
PRIOR_ITERATIONS = 20
# Pairs scored below this probability are not returned by Splink (they would be most of the
# blocked pairs); they are counted as non-matches when the prior is re-estimated.
SCORING_FLOOR = 0.01
# No comparison level is impossible for a match: EM on clean lists estimates m = 0 for levels it
# never sees among matches (a different father's name), which would make one misread name part
# an absolute veto (-200 bits). m-probabilities are floored at 1/1000 (at most ~10 bits against)
# and renormalised: a pseudo-count, not a weight.
M_FLOOR = 1e-3
# u-probabilities are counted over every pair of a random sample of records for the comparisons
# whose distinct values in the sample make at most this many pairs (estimate_u): some tens of
# milliseconds of counting, about what Splink's first chunk of pairs costs at 1x. The name parts
# make at most ~21,000 at 1x and 10x, when-and-where (days times places) 600,000-3,000,000.
U_COUNTED_VALUE_PAIRS = 200_000
# EM iterations. Splink 5.0.0 raises when EM drives a rarely seen level's m below 1e-300 (it
# shrinks geometrically, ~1e-16 per iteration, for a level no match ever falls in) instead of
# clamping it; m has converged long before that, so training is retried with fewer iterations.
EM_ITERATIONS = (12, 6, 3)
# Scoring is chunked above this many records (score_candidates); MOSUL_PREDICT_CHUNK_RECORDS overrides.
PREDICT_CHUNK_RECORDS = int(os.environ.get("MOSUL_PREDICT_CHUNK_RECORDS") or 1_000_000)
DAY_ZERO = dt.date(2016, 1, 1)
# Two neighbourhoods whose centres are this close are neighbours: the lists name places at
# different grains (the morgue's "Old City" for a death that Airwars places in Shahwan or Bab
# al-Tob, 0.7 km from its centre) and a short name can stand for two places ("Jadida" for al-Jadida
# or Mosul al-Jadida, 1.6 km apart). Mosul's neighbourhoods are 1-2 km across; at 2 km about one
# pair of neighbourhoods in eight counts as neighbouring. How much a neighbouring place is worth
# against another neighbourhood of the same bank is estimated by EM like every other level.
NEIGHBOURING_KM = 2.0
NAME_PARTS = ("given", "father", "grandfather", "family")
MODEL_COLUMNS = [
    "record_key", "record_id", "source", "incident_key", "same_incident_allowed", "has_name",
    *(f"{p}_key" for p in NAME_PARTS), *(f"{p}_sk" for p in NAME_PARTS), *(f"{p}_rom" for p in NAME_PARTS), *(f"{p}_alts" for p in NAME_PARTS),
    "sex", "age", "age_band", "age_band_b", "day", "week", "week_b", "neighbourhood_id", "place_lat", "place_lon", "bank",
]

for noisy in ("splink", "splink.internals"):
    logging.getLogger(noisy).setLevel(logging.ERROR)


def _not_same_incident() -> str:
    return "(l.same_incident_allowed or l.incident_key is null or r.incident_key is null or l.incident_key <> r.incident_key)"


# ----------------------------------------------------------------------------------------------
# Comparisons
# ----------------------------------------------------------------------------------------------


def name_part_comparison(part: str) -> CustomComparison:
    """Same name (canonical forms equal; weighted by how common the name is), an English spelling
    that fits both (Hamid fits حامد and حميد: `<part>_alts` intersect), a slip of the pen (skeletons
    one edit apart and spellings close: Mohaed), different names."""
    return CustomComparison(
        output_column_name=part,
        comparison_levels=[
            cll.NullLevel(f"{part}_key"),
            cll.ExactMatchLevel(f"{part}_key", term_frequency_adjustments=True).configure(label_for_charts="same name"),
            cll.ArrayIntersectLevel(f"{part}_alts", min_intersection=1).configure(label_for_charts="spelling fits both"),
            cll.And(cll.DamerauLevenshteinLevel(f"{part}_sk", 1), cll.JaroWinklerLevel(f"{part}_rom", 0.9)).configure(label_for_charts="near spelling"),
            cll.ElseLevel().configure(label_for_charts="different names"),
        ],
        comparison_description=f"{part} name",
    )


def sex_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="sex",
        comparison_levels=[cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()],
    )


def age_comparison() -> CustomComparison:
    """Ages drift between registrations and lists (a year either way is common)."""
    return CustomComparison(
        output_column_name="age",
        comparison_levels=[
            cll.NullLevel("age"),
            cll.CustomLevel("age_l = age_r", "same age"),
            cll.CustomLevel("abs(age_l - age_r) <= 1", "one year apart"),
            cll.CustomLevel("abs(age_l - age_r) <= 3", "up to three years apart"),
            cll.ElseLevel(),
        ],
    )


def when_where_comparison() -> CustomComparison:
    """Date of death and place in one comparison, because they are not independent: everyone
    killed in one incident shares both, so their joint agreement must be weighed as one fact
    (its u-probability measured, not the product of two). `day` is days since 2016-01-01."""
    near = "abs(day_l - day_r) <= 3"
    same_nb = "neighbourhood_id_l = neighbourhood_id_r"
    nb_open = "(neighbourhood_id_l is null or neighbourhood_id_r is null)"
    banks_agree = "(bank_l is null or bank_r is null or bank_l = bank_r)"
    no_date = "(day_l is null or day_r is null)"
    return CustomComparison(
        output_column_name="when_where",
        comparison_levels=[
            cll.CustomLevel(f"{no_date} and (bank_l is null or bank_r is null)", "nothing to compare").configure(is_null_level=True),
            cll.CustomLevel(f"day_l = day_r and {same_nb}", "same day, same neighbourhood"),
            cll.CustomLevel(f"{near} and {same_nb}", "within 3 days, same neighbourhood"),
            cll.And(cll.CustomLevel(near), cll.DistanceInKMLevel("place_lat", "place_lon", NEIGHBOURING_KM, not_null=True)).configure(
                label_for_charts="within 3 days, neighbouring place"
            ),
            cll.CustomLevel(f"{near} and {nb_open} and {banks_agree}", "within 3 days, place open"),
            cll.CustomLevel(f"{near} and {banks_agree}", "within 3 days, other neighbourhood same bank"),
            cll.CustomLevel(f"{no_date} and {same_nb}", "date unknown, same neighbourhood"),
            cll.CustomLevel(f"{no_date} and {banks_agree}", "date unknown, place open or same bank"),
            cll.CustomLevel(f"abs(day_l - day_r) <= 30 and {banks_agree}", "within 30 days"),
            cll.ElseLevel(),
        ],
    )


def source_pair_comparison() -> CustomComparison:
    """Which lists the two records come from. Its Bayes factor is a prior per kind of pair:
    a morgue row and a list victim match far more often than two morgue rows do."""
    return CustomComparison(
        output_column_name="source_pair",
        comparison_levels=[
            cll.CustomLevel("source_l = 'morgue' and source_r = 'morgue'", "both morgue"),
            cll.CustomLevel("source_l = 'morgue' or source_r = 'morgue'", "morgue and a list"),
            cll.CustomLevel("source_l = source_r", "same list"),
            cll.ElseLevel(),
        ],
    )


def comparisons() -> list[ComparisonCreator]:
    return [
        *(name_part_comparison(part) for part in NAME_PARTS),
        sex_comparison(),
        age_comparison(),
        when_where_comparison(),
        source_pair_comparison(),
    ]


# ----------------------------------------------------------------------------------------------
# Blocking
# ----------------------------------------------------------------------------------------------


def prediction_blocking_rules() -> list[str]:
    """Each rule joins on columns that are rare together (a few name parts plus a week or a
    place, never a name alone); capped per block (blocking.py), so the candidate pairs grow at
    most linearly with the records.
    Together they tolerate a slip in any one name part, a missing or shifted date (week and
    week_b are two 7-day grids offset by 3 days: any two days at most 3 apart share a cell in
    one of them), a missing place, a dropped father's or family name, an age moved by a year
    (age_band and age_band_b: two 2-year grids offset by one)."""
    rules = [
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.week = r.week",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.week_b = r.week_b",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.neighbourhood_id = r.neighbourhood_id",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.grandfather_sk = r.grandfather_sk",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.family_sk = r.family_sk and l.sex = r.sex",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.age_band = r.age_band",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.age_band_b = r.age_band_b",
        # "Amal al-Azzawi": given and family names without the father's.
        "l.given_sk = r.given_sk and l.family_sk = r.family_sk and l.week = r.week",
        "l.given_sk = r.given_sk and l.family_sk = r.family_sk and l.week_b = r.week_b",
        "l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.given_sk = r.given_sk",
        "l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.father_sk = r.father_sk",
        # A record without a name meets only the named records of its day, place, age and sex.
        "l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.age = r.age and l.sex = r.sex and (l.has_name or r.has_name)",
    ]
    # Each rule is capped at BLOCK_CAP records per block (pipeline/link/blocking.py); these
    # narrower rules (one column more) take over where a common name makes a block of the rules
    # above too big, which happens only well beyond Mosul's size. Below the cap they find no pair
    # the rules above do not find already.
    narrower = [
        *(f"l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.grandfather_sk = r.grandfather_sk and l.{c} = r.{c}" for c in ("week", "week_b", "neighbourhood_id", "age_band", "age_band_b", "family_sk")),
        *(f"l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.{a} = r.{a} and l.{b} = r.{b}" for a, b in (
            ("week", "neighbourhood_id"), ("week_b", "neighbourhood_id"), ("week", "age_band"), ("week_b", "age_band_b"), ("neighbourhood_id", "age_band"), ("neighbourhood_id", "age_band_b"),
            ("family_sk", "neighbourhood_id"), ("family_sk", "week"), ("family_sk", "week_b"),
        )),
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.family_sk = r.family_sk and l.sex = r.sex and l.age_band = r.age_band",
        "l.given_sk = r.given_sk and l.father_sk = r.father_sk and l.family_sk = r.family_sk and l.sex = r.sex and l.age_band_b = r.age_band_b",
        "l.given_sk = r.given_sk and l.family_sk = r.family_sk and l.week = r.week and l.neighbourhood_id = r.neighbourhood_id",
        "l.given_sk = r.given_sk and l.family_sk = r.family_sk and l.week_b = r.week_b and l.neighbourhood_id = r.neighbourhood_id",
        *(f"l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.given_sk = r.given_sk and l.{c} = r.{c}" for c in ("grandfather_sk", "family_sk", "age_band")),
        *(f"l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.father_sk = r.father_sk and l.{c} = r.{c}" for c in ("grandfather_sk", "family_sk", "age_band")),
    ]
    return [f"{rule} and {_not_same_incident()}" for rule in (*rules, *narrower)]


def settings(max_iterations: int = EM_ITERATIONS[0]) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        # Training samples records and pairs by a hash of this id, so it stays the record key
        # (the samples, hence the parameters, do not depend on how records are numbered);
        # prediction compares records by their integer record_id (scoring_model).
        unique_id_column_name="record_key",
        comparisons=comparisons(),
        # No blocking rules for prediction here: the candidate pairs are made by candidate_pairs
        # from prediction_blocking_rules(), each pair once. Splink would make them rule by rule,
        # each rule excluding the pairs of every rule before it (35 rules: a 276 KB query whose
        # exclusions were most of the prediction time, 0.8 s at 1x and 4.7 s at 10x), and parses
        # every rule with sqlglot each time a Linker is made or its settings are read.
        # The per-comparison weights explain a pair in the review queue; the compared values of
        # both sides (some seventy columns, about 1 KB a pair) are not kept (score_candidates).
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=max_iterations,
    )


# ----------------------------------------------------------------------------------------------
# Training and prediction
# ----------------------------------------------------------------------------------------------


@dataclass
class PersonLinkResult:
    links: pl.DataFrame  # person_links
    clusters: pl.DataFrame  # victim_clusters
    review_queue: pl.DataFrame
    model_summary: dict = field(default_factory=dict)
    pairs: pl.DataFrame | None = None  # every scored pair with its gamma levels and weights


LINK_SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64, "decided_by": pl.String}


def model_input(person_records: pl.DataFrame) -> pl.DataFrame:
    """Every record, in the model's columns. A record without a usable name (an unidentified
    body, an unnamed IBC victim, a name given only by relation or kunya: "Umm Raed") has null
    name parts, so it is never compared on a name; it can still be scored against named records
    on day, place, age and sex, which is weak evidence, and clusters.py keeps it from ever
    joining two people or another nameless record."""
    day = (pl.col("date_of_death") - pl.lit(DAY_ZERO)).dt.total_days().cast(pl.Int64)
    centroids = neighbourhood_centroids()
    place = pl.col("neighbourhood_id")
    # record_id: the record's position in record-key order, so ids compare as keys do and the
    # same records get the same ids whatever order they arrive in.
    return person_records.sort("record_key").with_row_index("record_id").with_columns(
        pl.col("record_id").cast(pl.Int32),
        place.replace_strict({k: v[0] for k, v in centroids.items()}, default=None, return_dtype=pl.Float64).alias("place_lat"),
        place.replace_strict({k: v[1] for k, v in centroids.items()}, default=None, return_dtype=pl.Float64).alias("place_lon"),
        day.alias("day"),
        (day // 7).alias("week"),
        ((day + 3) // 7).alias("week_b"),
        (pl.col("age") // 2).alias("age_band"),
        ((pl.col("age") + 1) // 2).alias("age_band_b"),
        (~pl.col("source").is_in(list(DISTINCT_BY_CONSTRUCTION))).alias("same_incident_allowed"),
    ).select(MODEL_COLUMNS).pipe(add_block_sizes, prediction_blocking_rules())


def _scaled(n: int, per_record: float, low: float, high: float) -> int:
    return int(min(high, max(low, n * per_record)))


def train(linker: Linker, n: int) -> dict:
    """Estimate the model. Budgets grow with the number of records but are capped, so training
    time is bounded at any scale."""
    strict = [
        "l.given_key = r.given_key and l.father_key = r.father_key and l.grandfather_key = r.grandfather_key and l.day = r.day and l.neighbourhood_id = r.neighbourhood_id",
        "l.given_key = r.given_key and l.father_key = r.father_key and l.grandfather_key = r.grandfather_key and l.family_key = r.family_key and l.age = r.age",
    ]
    linker.training.estimate_probability_two_random_records_match(strict, recall=PRIOR_RULES_RECALL)
    u_pairs = _scaled(n, 200, 2e5, 2e7)
    estimate_u(linker, n, u_pairs, seed=1)
    em_pairs = _scaled(n, 50, 1e5, 2e6)
    # Names are estimated among pairs that share a day, a place and an age. Not day and place
    # alone: those pairs are mostly one incident's dead, among them whole households whose
    # members share every name but the given one, and EM would learn "a family" instead of "a
    # person" (a different given name would look normal among matches). Siblings rarely share an age.
    names = linker.training.estimate_parameters_using_expectation_maximisation(
        "l.day = r.day and l.neighbourhood_id = r.neighbourhood_id and l.age = r.age", max_pairs=em_pairs, estimate_without_term_frequencies=True
    )
    # When-and-where, age and sex are estimated among pairs that share the whole name. Not
    # given and father names alone: in a large population many namesakes share those and often
    # the grandfather's and family names too, and EM would take them for matches whose dates and
    # ages happen to differ. With every name part fixed, only when, where, age and sex are left
    # to tell the same person from a namesake.
    when_where = linker.training.estimate_parameters_using_expectation_maximisation(
        "l.given_key = r.given_key and l.father_key = r.father_key and l.grandfather_key = r.grandfather_key and l.family_key = r.family_key",
        max_pairs=em_pairs, estimate_without_term_frequencies=True,
    )
    return {
        "prior_rules_recall": PRIOR_RULES_RECALL,
        "prior_from_rules": linker._settings_obj._probability_two_random_records_match,
        "u_max_pairs": u_pairs,
        "em_max_pairs": em_pairs,
        "em_sessions": [str(names._blocking_rule_for_training.blocking_rule_sql), str(when_where._blocking_rule_for_training.blocking_rule_sql)],
    }


def estimate_u(linker: Linker, n: int, max_pairs: float, seed: int) -> None:
    """u-probabilities from the pairs of a random sample of records: Splink's sample for
    estimate_u_using_random_sampling(max_pairs, seed), the records whose seeded hash of the
    record key falls under the share that gives max_pairs pairs.

    Splink compares the sample's pairs a chunk at a time and stops once a comparison's rarest
    level has been seen 100 times: after 1% or 11% of the pairs for most comparisons, never for
    the family name ("spelling fits both" is rarer than that among random pairs), for which it
    compared all 2.4 million pairs at 1x and 20 million at 10x (0.45 s and 3.4 s). A
    comparison's level depends only on the two records' values of its columns, and the sample
    has a few dozen to a few hundred distinct names, ages, sexes and source lists:
    sample_level_counts counts each such comparison's levels once per pair of distinct values,
    weighted by the pairs of records that have them, so over every pair of the sample, at about
    the cost of Splink's first chunk. (Measured against Splink's partial counts: pairwise F1 of named
    records 0.9861 -> 0.9861 and 0.9873 -> 0.9879 at 1x, seeds 1 and 7; 0.9624 -> 0.9617 at 10x.)
    When-and-where has too many distinct values (days times places) for that at 1x and above
    and is left to Splink, which stops early for it."""
    settings_obj = linker._settings_obj
    everything = settings_obj.comparisons
    counted = sample_level_counts(linker, n, max_pairs, seed)
    rest = [c for c in everything if c.output_column_name not in counted]
    if rest:
        settings_obj.comparisons = rest  # Splink estimates u for the comparisons of its settings
        try:
            linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
        finally:
            settings_obj.comparisons = everything
    for comparison in everything:
        counts = counted.get(comparison.output_column_name)
        if counts is None:
            continue
        levels = comparison._comparison_levels_excluding_null
        total = float(sum(counts.get(int(level.comparison_vector_value), 0) for level in levels))
        for level in levels:
            count = counts.get(int(level.comparison_vector_value), 0)
            # As Splink records its own: count / total, a level never seen "not observed".
            level._add_trained_u_probability(float(count) / total if count else LEVEL_NOT_OBSERVED_TEXT, "estimate u by random sampling")
    linker._populate_m_u_from_trained_values()


def sample_level_counts(linker: Linker, n: int, max_pairs: float, seed: int) -> dict[str, dict[int, int]]:
    """For each comparison whose distinct values in Splink's u sample make at most
    U_COUNTED_VALUE_PAIRS pairs: how many of the sample's pairs are at each of its levels
    (gamma; the null level -1 too), by comparison name."""
    settings_obj = linker._settings_obj
    # Splink's sample (splink.internals.estimate_u.estimate_u_values).
    sample_size = 0.5 * ((8 * max_pairs + 1) ** 0.5 + 1)
    proportion = min(1.0, sample_size / n)
    sample_filter = linker._proportion_sample_sql(proportion, settings_obj.column_info_settings.unique_id_input_columns, seed=seed)
    table = next(iter(linker._input_tables_dict.values())).physical_name
    pipeline = CTEPipeline()
    pipeline.enqueue_sql(f"select * from {table} where 1=1 {sample_filter}", "__splink__u_sample")
    sample = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
    try:
        columns = {c.output_column_name: [col.input_name for col in c._input_columns_used_by_case_statement] for c in settings_obj.comparisons}
        sizes = " union all ".join([
            *(f"select '{name}' as comparison, count(*) as n_values from (select distinct {', '.join(cols)} from {sample.physical_name}) as v" for name, cols in columns.items()),
            f"select '' as comparison, count(*) as n_values from {sample.physical_name}",
        ])
        distinct = {name: int(count) for name, count in _rows(linker, sizes)}
        sampled = distinct.pop("")
        pairs = sampled * (sampled - 1) // 2
        counted = {}
        for comparison in settings_obj.comparisons:
            name = comparison.output_column_name
            if distinct[name] * (distinct[name] + 1) // 2 > U_COUNTED_VALUE_PAIRS:
                continue
            listed = ", ".join(columns[name])
            # Each unordered pair of distinct values once (a value with itself: its records'
            # pairs among themselves), its level from the comparison's own SQL.
            sql = f"""
            with value_counts as (
                select {listed}, count(*) as records, row_number() over (order by {listed}) as value_id
                from {sample.physical_name} group by {listed}
            ),
            value_pairs as (
                select {", ".join(f"l.{c} as {c}_l, r.{c} as {c}_r" for c in columns[name])},
                case when l.value_id = r.value_id then l.records * (l.records - 1) / 2 else l.records * r.records end as pairs
                from value_counts as l inner join value_counts as r on l.value_id <= r.value_id
            )
            select {comparison._gamma_column_name} as gamma, cast(sum(pairs) as bigint) as pairs
            from (select {comparison._case_statement}, pairs from value_pairs) as levels
            group by {comparison._gamma_column_name}
            """
            counted[name] = {int(gamma): int(count) for gamma, count in _rows(linker, sql)}
            if sum(counted[name].values()) != pairs:
                raise AssertionError(f"u counts of {name} cover {sum(counted[name].values())} pairs of the sample's {pairs}")
        return counted
    finally:
        sample.drop_table_from_database_and_remove_from_cache()


def _rows(linker: Linker, sql: str) -> list[tuple]:
    """The rows of a query run in the linker's engine, as tuples (through a table, as Splink
    runs every query, so it works on any of its backends)."""
    pipeline = CTEPipeline()
    pipeline.enqueue_sql(sql, "__splink__query_rows")
    result = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
    try:
        return [tuple(row.values()) for row in result.as_record_list()]
    finally:
        result.drop_table_from_database_and_remove_from_cache()


def scoring_model(linker: Linker) -> dict:
    """The trained model, m-probabilities floored (floored_model), with records identified by
    record_id: the blocked pairs and the scored pairs, tens of millions at scale, are then two
    integers each instead of two strings."""
    model = floored_model(linker)
    model["unique_id_column_name"] = "record_id"
    return model


def floored_model(linker: Linker) -> dict:
    """The trained model as Splink settings, every m-probability floored at M_FLOOR (see above)."""
    model = linker.misc.save_model_to_json()
    for comparison in model["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        if any(level.get("m_probability") is None for level in levels):
            continue
        floored = [max(level["m_probability"], M_FLOOR) for level in levels]
        for level, m in zip(levels, floored):
            level["m_probability"] = m / sum(floored)
    return model


def candidate_pairs(linker: Linker, records: SplinkDataFrame) -> SplinkDataFrame:
    """The pairs any of the (capped, guarded) prediction blocking rules finds, each once, as a
    table of Splink's blocked-pair shape (match_key: the first rule that finds the pair;
    join_key_l < join_key_r: record_ids). The same pairs Splink's own blocking on these rules
    makes: a pair is in it if some rule joins it, with l's id below r's (dedupe_only); one
    union of plain joins instead of each rule excluding the pairs of all rules before it."""
    table = records.physical_name
    joins = [
        f"select {i} as rule, l.record_id as join_key_l, r.record_id as join_key_r from {table} as l inner join {table} as r on ({rule}) where l.record_id < r.record_id"
        for i, rule in enumerate(bounded_rules(prediction_blocking_rules()))
    ]
    sql = f"select cast(min(rule) as string) as match_key, join_key_l, join_key_r from ({' union all '.join(joins)}) as found group by join_key_l, join_key_r"
    pipeline = CTEPipeline()
    pipeline.enqueue_sql(sql, "__splink__blocked_id_pairs_all")
    return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)


def score_candidates(linker: Linker, blocked: SplinkDataFrame, n: int, lower: float) -> SplinkDataFrame:
    """Score the candidate pairs (candidate_pairs) at or above probability `lower`: match
    weight, per-comparison weights (mw_*) and comparison levels (gamma_*). The scored pairs stay
    a table in the engine (DuckDB spills it to disk past its memory limit); score_pairs reads out
    only what it needs.

    Splink's own predict keeps the comparison levels only together with the compared values of
    both sides (some seventy columns), which cost a third of the prediction time when every
    candidate was scored that wide, and scoring the accepted pairs again for their levels cost a
    Splink predict of its own; so this is Splink's prediction SQL (the same comparison-vector
    and weight SQL its predict runs) asked for the levels as its EM asks for them
    (training_mode). Above PREDICT_CHUNK_RECORDS records the pairs are scored in chunks (by
    the left record's id), so the engine holds one chunk's comparisons at a time."""
    settings_obj = linker._settings_obj
    uid = settings_obj.column_info_settings.unique_id_input_column
    chunks = max(1, math.ceil(n / PREDICT_CHUNK_RECORDS))
    scored = []
    for chunk in range(chunks):
        pipeline = CTEPipeline([blocked])
        where = f" where join_key_l % {chunks} = {chunk}" if chunks > 1 else ""
        pipeline.enqueue_sql(f"select * from {blocked.templated_name}{where}", "__splink__blocked_id_pairs")
        enqueue_df_concat_with_tf(linker, pipeline)
        pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
            settings_obj._columns_to_select_for_blocking, settings_obj._columns_to_select_for_comparison_vector_values,
            input_tablename_l="__splink__df_concat_with_tf", input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=None, unique_id_input_column=uid, link_type=settings_obj._link_type, sql_dialect_str=linker._sql_dialect_str,
        ))
        pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls(
            unique_id_input_columns=settings_obj.column_info_settings.unique_id_input_columns,
            core_model_settings=settings_obj.core_model_settings,
            sql_dialect=SplinkDialect.from_string(linker._sql_dialect_str),
            threshold_match_probability=lower,
            retain_matching_columns=False, retain_intermediate_calculation_columns=True, training_mode=True,
        ))
        scored.append(linker._db_api.sql_pipeline_to_splink_dataframe(pipeline))
    if len(scored) == 1:
        return scored[0]
    pipeline = CTEPipeline()  # the parts share one templated name: they are named by their tables
    pipeline.enqueue_sql(" union all ".join(f"select * from {part.physical_name}" for part in scored), "__splink__df_predict")
    combined = linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
    for part in scored:
        part.drop_table_from_database_and_remove_from_cache()
    return combined


def _logit2(p: float) -> float:
    return math.log2(p / (1 - p))


def prior_fixed_point(weights: np.ndarray, n: int, prior: float) -> tuple[float, list[float]]:
    """Iterate prior <- sum of match probabilities / possible pairs, every pair's match weight
    (`weights`, scored under `prior`) moved by the change in prior log-odds. Returns the prior
    and its history."""
    possible = n * (n - 1) / 2
    history = [prior]
    current = prior
    for _ in range(PRIOR_ITERATIONS):
        shifted = weights + _logit2(current) - _logit2(prior)
        expected = float((1 / (1 + 2.0 ** (-shifted))).sum())
        updated = min(max(expected / possible, 1e-12), 0.5)
        history.append(updated)
        if abs(math.log(updated / current)) < 1e-4:
            current = updated
            break
        current = updated
    return current, history


def _sql_number(x: float) -> str:
    return f"{x:.17g}"


def accepted_pairs(backend: LinkBackend, predictions: str, shift: float, lower: float) -> pl.DataFrame:
    """The scored pairs (engine table `predictions`) whose probability is at or above `lower`
    once every weight is moved by `shift` bits (the re-estimated prior), read out of the engine
    with their comparison levels (gamma_*) and per-comparison weights (mw_*), by record_id."""
    columns = backend.fetch(f"select * from {predictions} limit 0").column_names
    gammas = [c for c in columns if c.startswith("gamma_")]
    weights = [c for c in columns if c.startswith("mw_")]
    select = ", ".join([
        "least(record_id_l, record_id_r) as record_id_l", "greatest(record_id_l, record_id_r) as record_id_r",
        f"match_weight + {_sql_number(shift)} as match_weight", *(f"cast({c} as tinyint) as {c}" for c in gammas), *weights,
    ])
    # A little below the bound in weights, so rounding cannot lose a pair the probability filter keeps.
    bound = _logit2(lower) - shift - 1e-6
    table = pl.from_arrow(backend.fetch(f"select {select} from {predictions} where match_weight >= {_sql_number(bound)}"))
    probability = 1 / (1 + (2.0 ** (-pl.col("match_weight"))))
    return table.with_columns(probability.alias("match_probability")).filter(pl.col("match_probability") >= lower)


def parameters(linker: Linker) -> list[dict]:
    """m, u and Bayes factor of every comparison level: what the model learned, for the docs and
    the model summary."""
    out = []
    for comparison in linker._settings_obj.comparisons:
        for level in comparison.comparison_levels:
            if level.is_null_level:
                continue
            out.append({
                "comparison": comparison.output_column_name,
                "level": level.label_for_charts,
                "m": None if level.m_probability is None else round(float(level.m_probability), 5),
                "u": None if level.u_probability is None else round(float(level.u_probability), 7),
                "log2_bayes_factor": None if level.m_probability is None or not level.u_probability else round(math.log2(level.m_probability / level.u_probability), 2),
            })
    return out


def score_pairs(records: pl.DataFrame, backend: LinkBackend | None = None, lower: float = REVIEW_LOWER) -> tuple[pl.DataFrame, dict]:
    """Train on `records` (model_input's output) and score the candidate pairs; returns the pairs
    at or above `lower` (accepted_pairs' columns) and the model summary."""
    backend = backend or configured_backend()
    keys = records["record_key"]
    table = backend.register(records.to_arrow(), "person_records")
    n = len(records)
    summary = {"backend": backend.name, "records_in_model": n}
    started = time.perf_counter()
    for iterations in EM_ITERATIONS:
        # Splink's settings validation only logs (columns it cannot find in the records; the
        # records are model_input's, so it never has anything to say), and parsing every
        # comparison's SQL with sqlglot to do so took 0.15 s a Linker.
        linker = Linker(table, settings(iterations), validate_settings=False)
        try:
            summary.update(train(linker, n))
            summary["em_max_iterations"] = iterations
            break
        except ValueError as error:
            if "below the minimum allowed" not in str(error) or iterations == EM_ITERATIONS[-1]:
                raise
    linker = Linker(table, scoring_model(linker), validate_settings=False)
    trained = time.perf_counter()
    blocked = candidate_pairs(linker, table)
    blocked_at = time.perf_counter()
    predictions = score_candidates(linker, blocked, n, SCORING_FLOOR)
    blocked.drop_table_from_database_and_remove_from_cache()
    start_prior = linker._settings_obj._probability_two_random_records_match
    # Only the weights leave the engine for the prior: one number per pair scored above the floor.
    # Sorted, so the sums, hence the prior, do not depend on the order the engine returns rows in.
    weights = np.sort(backend.fetch(f"select match_weight from {predictions.physical_name}").column("match_weight").to_numpy())
    summary["pairs_above_scoring_floor"] = len(weights)
    prior, history = prior_fixed_point(weights, n, start_prior)
    del weights
    pairs = accepted_pairs(backend, predictions.physical_name, _logit2(prior) - _logit2(start_prior), lower)
    predictions.drop_table_from_database_and_remove_from_cache()
    # Record ids back to record keys, in key order (the engine returns rows in any order).
    pairs = pairs.sort("record_id_l", "record_id_r")
    pairs = pairs.select(
        keys.gather(pairs["record_id_l"]).alias("record_key_l"), keys.gather(pairs["record_id_r"]).alias("record_key_r"),
        "match_weight", "match_probability", pl.col("^gamma_.*$"), pl.col("^mw_.*$"),
    )
    summary["probability_two_random_records_match"] = prior
    summary["prior_history"] = [float(f"{h:.4g}") for h in history]
    summary["pairs_above_review_lower"] = len(pairs)
    summary["parameters"] = parameters(linker)
    # predict: everything from the trained model to the accepted pairs; of which blocking (the
    # candidate pairs).
    summary["seconds"] = {"train": round(trained - started, 1), "predict": round(time.perf_counter() - trained, 1), "of which blocking": round(blocked_at - trained, 1)}
    return pairs, summary


def link_persons(
    person_records: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
    settings: dict | None = None,
    backend: LinkBackend | None = None,
) -> PersonLinkResult:
    """Score, cluster and queue for review.

    person_records: build_person_records' output. decisions: load_decisions' output (None: no
    decisions). settings: overrides of {"match_threshold", "nameless_threshold", "review_lower",
    "backend"}. backend: a LinkBackend (default: configured_backend(settings["backend"]), i.e.
    MOSUL_LINK_BACKEND, else DuckDB). The result's .links is the person_links table, .clusters
    victim_clusters, .review_queue review_queue, .model_summary a JSON-able dict (parameters,
    prior, guards' refusals, timings), .pairs every pair scored at or above review_lower with
    its gamma levels and per-comparison weights (accepted_pairs)."""
    options = {"match_threshold": MATCH_THRESHOLD, "nameless_threshold": NAMELESS_THRESHOLD, "review_lower": REVIEW_LOWER, "backend": None, **(settings or {})}
    decisions = decisions if decisions is not None else load_decisions(None)
    records = model_input(person_records)
    if len(records) >= 2:
        engine = backend or configured_backend(options["backend"])
        pairs, summary = score_pairs(records, engine, options["review_lower"])
        if backend is None:
            engine.close()  # its tables and the registered records are not needed any more
    else:
        pairs, summary = pl.DataFrame(schema={"record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64}), {"records_in_model": len(records)}
    del records
    scored = pairs.select("record_key_l", "record_key_r", "match_probability", "match_weight", pl.lit("model").alias("decided_by"))
    reviewed = decisions_as_links(decisions)
    links = pl.concat([scored.join(reviewed, on=["record_key_l", "record_key_r"], how="anti"), reviewed], how="vertical").cast(LINK_SCHEMA)
    started = time.perf_counter()
    clusters, cluster_summary = cluster_records(person_records, links, options["match_threshold"], options["nameless_threshold"], options["review_lower"])
    clustered = time.perf_counter()
    queue = review_queue(pairs, person_records, clusters, decisions, options["review_lower"], options["match_threshold"], options["nameless_threshold"])
    summary.update(cluster_summary)
    summary.setdefault("seconds", {}).update({"cluster": round(clustered - started, 1), "review_queue": round(time.perf_counter() - clustered, 1)})
    summary.update({
        "match_threshold": options["match_threshold"], "nameless_threshold": options["nameless_threshold"],
        "review_band": [options["review_lower"], options["match_threshold"]], "reviewer_decisions": len(decisions),
    })
    kept_links = links.filter((pl.col("decided_by") == "reviewer") | (pl.col("match_probability") >= options["review_lower"])).sort("record_key_l", "record_key_r")
    return PersonLinkResult(kept_links, clusters, queue, summary, pairs)


# ----------------------------------------------------------------------------------------------
# Review queue
# ----------------------------------------------------------------------------------------------

REVIEW_FIELDS = ("name_original", "sex", "age", "date_of_death", "neighbourhood_id", "incident_key")
REVIEW_SCHEMA = {
    "record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64,
    "reason": pl.String, "victim_id_l": pl.String, "victim_id_r": pl.String,
    **{f"{f}_{side}": t for f, t in (("name_original", pl.String), ("sex", pl.String), ("age", pl.Int64), ("date_of_death", pl.Date), ("neighbourhood_id", pl.String), ("incident_key", pl.String)) for side in ("l", "r")},
    **{f"bits_{c}": pl.Float64 for c in (*NAME_PARTS, "sex", "age", "when_where", "source_pair")},
    "bits_prior": pl.Float64,
    "explanation": pl.String,
}


def review_queue(
    pairs: pl.DataFrame,
    person_records: pl.DataFrame,
    clusters: pl.DataFrame,
    decisions: pl.DataFrame,
    lower: float = REVIEW_LOWER,
    upper: float = MATCH_THRESHOLD,
    nameless_upper: float = NAMELESS_THRESHOLD,
) -> pl.DataFrame:
    """Pairs a reviewer should look at, undecided ones only, side by side: `reason` "uncertain"
    (lower <= probability < upper) or "refused_by_guard" (probability >= upper, yet the records
    ended in different victims because linking them would break a guard). Pairs whose given
    names clearly differ are left out: relatives stay apart by rule. `victim_id_l/_r` say
    where each record is now. The match weight is taken apart: `bits_<field>` is that field's
    log2 Bayes factor (with its term-frequency adjustment), `bits_prior` the prior's; they add up
    to match_weight. `explanation` says it in words: each field's comparison level and bits."""
    if pairs.is_empty() or "gamma_given" not in pairs.columns:
        return pl.DataFrame(schema=REVIEW_SCHEMA)
    victim_of = clusters.select(pl.col("record_keys").alias("record_key"), "victim_id").explode("record_key")
    named = person_records.select("record_key", "has_name")
    band = (
        pairs.join(victim_of.rename({"record_key": "record_key_l", "victim_id": "victim_id_l"}), on="record_key_l", how="left")
        .join(victim_of.rename({"record_key": "record_key_r", "victim_id": "victim_id_r"}), on="record_key_r", how="left")
        .join(named.rename({"record_key": "record_key_l", "has_name": "_named_l"}), on="record_key_l", how="left")
        .join(named.rename({"record_key": "record_key_r", "has_name": "_named_r"}), on="record_key_r", how="left")
        .with_columns(pl.when(pl.col("_named_l") & pl.col("_named_r")).then(pl.lit(upper)).otherwise(pl.lit(nameless_upper)).alias("_upper"))
        .with_columns(
            pl.when(pl.col("match_probability") < pl.col("_upper")).then(pl.lit("uncertain"))
            .when(pl.col("victim_id_l") != pl.col("victim_id_r")).then(pl.lit("refused_by_guard"))
            .otherwise(None).alias("reason")
        )
        .filter((pl.col("match_probability") >= lower) & pl.col("reason").is_not_null())
        # Different given names: relatives, kept apart by rule (clusters.py), not a question.
        .filter(pl.col("gamma_given") != 0)
    )
    if not decisions.is_empty():
        band = band.join(decisions.select("record_key_l", "record_key_r"), on=["record_key_l", "record_key_r"], how="anti")
    fields = (*NAME_PARTS, "sex", "age", "when_where", "source_pair")
    labels = _level_labels()

    def bits(name: str) -> pl.Expr:
        tf = pl.col(f"mw_tf_adj_{name}") if f"mw_tf_adj_{name}" in band.columns else pl.lit(0.0)
        return (pl.col(f"mw_{name}") + tf).round(2)

    band = band.with_columns(*(bits(name).alias(f"bits_{name}") for name in fields))
    band = band.with_columns((pl.col("match_weight") - pl.sum_horizontal(*(pl.col(f"bits_{f}") for f in fields))).round(2).alias("bits_prior"))
    described = [
        pl.format("{}: {} ({} bits)", pl.lit(name), pl.col(f"gamma_{name}").replace_strict(labels[name], default="?", return_dtype=pl.String), pl.col(f"bits_{name}"))
        for name in fields
    ]
    band = band.with_columns(pl.concat_str(described, separator="; ").alias("explanation"))
    sides = person_records.select("record_key", *REVIEW_FIELDS)
    out = (
        band.join(sides.rename(lambda c: "record_key_l" if c == "record_key" else f"{c}_l"), on="record_key_l", how="left")
        .join(sides.rename(lambda c: "record_key_r" if c == "record_key" else f"{c}_r"), on="record_key_r", how="left")
    )
    return out.select(list(REVIEW_SCHEMA)).cast(REVIEW_SCHEMA).sort(["match_probability", "record_key_l", "record_key_r"], descending=[True, False, False])


def _level_labels() -> dict[str, dict[int, str]]:
    """gamma value -> level label for each comparison (gamma -1 is the null level)."""
    from splink.internals.settings_creator import SettingsCreator as _SC  # noqa: F401  (labels come from the creators)

    out = {}
    for creator in comparisons():
        comparison = creator.get_comparison("duckdb")
        levels = [lvl for lvl in comparison.comparison_levels]
        non_null = [lvl for lvl in levels if not lvl.is_null_level]
        mapping = {-1: "null"}
        for index, level in enumerate(non_null):
            mapping[len(non_null) - 1 - index] = level.label_for_charts
        out[comparison.output_column_name] = mapping
    return out
