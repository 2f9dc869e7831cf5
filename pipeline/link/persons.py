"""Probabilistic linkage of person records with Splink (Fellegi-Sunter), on DuckDB by default.

One model dedupes the morgue and links it with the three named lists at once. Its parameters
are estimated from the data: u-probabilities by random sampling, m-probabilities by expectation
maximisation on blocks that leave each compared field free in turn, and the prior from
deterministic rules. Pairs the practitioners' guards forbid never reach clustering (see
`pipeline/link/clusters.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import polars as pl
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on

from pipeline.link.backend import LinkBackend, duckdb_backend
from pipeline.link.clusters import cluster_records
from pipeline.link.decisions import load_decisions

# Documented threshold: pairs at or above it are linked; the band below it, down to
# REVIEW_LOWER, goes to the review queue.
MATCH_THRESHOLD = 0.80
REVIEW_LOWER = 0.30

NAME_PARTS = ("given_key", "father_key", "grandfather_key", "family_key")
MODEL_COLUMNS = ["record_key", "source", "incident_key", "is_unidentified", *NAME_PARTS, "name_key", "sex", "age", "date_of_death", "neighbourhood_id", "bank"]

for noisy in ("splink", "splink.internals"):
    logging.getLogger(noisy).setLevel(logging.WARNING)


def name_comparison(column: str) -> cl.CustomComparison:
    """Exact skeleton (weighted by how common the name is), near skeleton, anything else."""
    return cl.JaroWinklerAtThresholds(column, score_threshold_or_thresholds=[0.88]).configure(term_frequency_adjustments=True)


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        comparisons=[
            name_comparison("given_key"),
            name_comparison("father_key"),
            name_comparison("grandfather_key"),
            name_comparison("family_key"),
            cl.ExactMatch("sex"),
            cl.AbsoluteDifferenceAtThresholds("age", [1, 3]) if hasattr(cl, "AbsoluteDifferenceAtThresholds") else cl.CustomComparison(
                output_column_name="age",
                comparison_levels=[
                    {"sql_condition": "age_l IS NULL OR age_r IS NULL", "label_for_charts": "null", "is_null_level": True},
                    {"sql_condition": "age_l = age_r", "label_for_charts": "same age"},
                    {"sql_condition": "abs(age_l - age_r) <= 1", "label_for_charts": "within 1 year"},
                    {"sql_condition": "abs(age_l - age_r) <= 3", "label_for_charts": "within 3 years"},
                    {"sql_condition": "ELSE", "label_for_charts": "different"},
                ],
            ),
            cl.CustomComparison(
                output_column_name="date_of_death",
                comparison_levels=[
                    {"sql_condition": "date_of_death_l IS NULL OR date_of_death_r IS NULL", "label_for_charts": "null", "is_null_level": True},
                    {"sql_condition": "abs(date_diff('day', date_of_death_l, date_of_death_r)) <= 1", "label_for_charts": "within a day"},
                    {"sql_condition": "abs(date_diff('day', date_of_death_l, date_of_death_r)) <= 7", "label_for_charts": "within a week"},
                    {"sql_condition": "abs(date_diff('day', date_of_death_l, date_of_death_r)) <= 45", "label_for_charts": "within 45 days"},
                    {"sql_condition": "ELSE", "label_for_charts": "further apart"},
                ],
            ),
            cl.CustomComparison(
                output_column_name="place",
                comparison_levels=[
                    {"sql_condition": "bank_l IS NULL OR bank_r IS NULL", "label_for_charts": "null", "is_null_level": True},
                    {"sql_condition": "neighbourhood_id_l = neighbourhood_id_r", "label_for_charts": "same neighbourhood"},
                    {"sql_condition": "bank_l = bank_r", "label_for_charts": "same bank"},
                    {"sql_condition": "ELSE", "label_for_charts": "other bank"},
                ],
            ),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_key", "father_key"),
            block_on("father_key", "grandfather_key"),
            block_on("given_key", "family_key"),
            block_on("given_key", "grandfather_key"),
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["source", "incident_key", "is_unidentified"],
    )


@dataclass
class PersonLinkResult:
    links: pl.DataFrame
    clusters: pl.DataFrame
    review_queue: pl.DataFrame
    model_summary: dict = field(default_factory=dict)


LINK_SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64, "decided_by": pl.String}


def model_input(person_records: pl.DataFrame) -> pl.DataFrame:
    """Only records with a usable name enter the model: an unidentified body or a relation-only
    name ("wife of Ali") is never merged on its name, so it stays a victim of its own."""
    usable = ~pl.col("is_unidentified") & ~pl.col("is_relational") & pl.col("given_key").is_not_null() & pl.col("father_key").is_not_null()
    return person_records.filter(usable).select(MODEL_COLUMNS)


def train_and_predict(records: pl.DataFrame, backend: LinkBackend | None = None) -> tuple[pl.DataFrame, dict]:
    backend = backend or duckdb_backend()
    table = backend.register(records.to_arrow(), "person_records")
    linker = Linker(table, settings(), log_level=logging.WARNING)
    n = len(records)
    # Prior from rules that are almost certainly matches: same whole-name skeleton and age within a year.
    linker.training.estimate_probability_two_random_records_match(
        ["l.name_key = r.name_key and abs(l.age - r.age) <= 1", "l.name_key = r.name_key and l.date_of_death = r.date_of_death"], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, max(1e5, n * 50)), seed=1)
    # EM sessions, each blocking on fields so the others are estimated free of that block.
    # Names are trained inside blocks of same age and sex: siblings (who share every name part
    # but the given one) rarely share an age, so they do not teach the model that a different
    # given name is normal among matches.
    skipped = []
    for rule in (block_on("given_key", "father_key"), block_on("age", "sex", "bank"), block_on("date_of_death", "age")):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=min(5e6, max(2e5, n * 100)))
        except ValueError as error:
            # EM can drive a level's m-probability to zero on thin data (a level never seen
            # among matches in that block); the session is dropped and the others stand.
            skipped.append(f"{rule.get_blocking_rule('duckdb').blocking_rule_sql}: {str(error)[:80]}")
    chunks = max(1, n // 200_000)
    predictions = linker.inference.predict(threshold_match_probability=REVIEW_LOWER, num_chunks_left=chunks, num_chunks_right=1)
    pairs = pl.from_arrow(predictions.as_pyarrow_table())
    summary = {"em_sessions_skipped": skipped, "records_in_model": n, "candidate_pairs_scored": len(pairs), "threshold": MATCH_THRESHOLD, "review_band": [REVIEW_LOWER, MATCH_THRESHOLD]}
    return pairs, summary


def link_persons(person_records: pl.DataFrame, decisions: pl.DataFrame | None = None, backend: LinkBackend | None = None) -> PersonLinkResult:
    decisions = decisions if decisions is not None else load_decisions(None)
    records = model_input(person_records)
    if len(records) >= 2:
        pairs, summary = train_and_predict(records, backend)
    else:
        pairs, summary = pl.DataFrame(), {"records_in_model": len(records), "candidate_pairs_scored": 0}
    if pairs.is_empty():
        scored = pl.DataFrame(schema={**LINK_SCHEMA, "incident_key_l": pl.String, "incident_key_r": pl.String})
    else:
        scored = pairs.select(
            pl.min_horizontal("record_key_l", "record_key_r").alias("_l"), pl.max_horizontal("record_key_l", "record_key_r").alias("_r"),
            "record_key_l", "record_key_r", "match_probability", "match_weight", "incident_key_l", "incident_key_r", "gamma_given_key",
        )
        scored = scored.with_columns(
            pl.when(pl.col("record_key_l") == pl.col("_l")).then(pl.col("incident_key_l")).otherwise(pl.col("incident_key_r")).alias("incident_key_l"),
            pl.when(pl.col("record_key_l") == pl.col("_l")).then(pl.col("incident_key_r")).otherwise(pl.col("incident_key_l")).alias("incident_key_r"),
        ).select(
            pl.col("_l").alias("record_key_l"), pl.col("_r").alias("record_key_r"), "match_probability", "match_weight",
            # The relatives guard: siblings share father, grandfather and family names, so two
            # records whose given names disagree outright are never the same person, whatever the
            # other fields say. The pair is kept, marked, so a reviewer can still overrule it.
            pl.when(pl.col("gamma_given_key") == 0).then(pl.lit("guard")).otherwise(pl.lit("model")).alias("decided_by"),
            "incident_key_l", "incident_key_r",
        )
    links = apply_decisions(scored, decisions)
    clusters = cluster_records(person_records, links, MATCH_THRESHOLD)
    review = review_queue(pairs, person_records, decisions)
    summary["reviewer_decisions"] = len(decisions)
    return PersonLinkResult(links.select(list(LINK_SCHEMA)), clusters, review, summary)


def apply_decisions(scored: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """A reviewer's `match` becomes a certain link, a `no-match` an impossible one; both override the model."""
    if decisions.is_empty():
        return scored
    decided = decisions.select(
        "record_key_l", "record_key_r",
        pl.when(pl.col("decision") == "match").then(1.0).otherwise(0.0).alias("match_probability"),
        pl.when(pl.col("decision") == "match").then(50.0).otherwise(-50.0).alias("match_weight"),
        pl.lit("reviewer").alias("decided_by"),
        pl.lit(None, pl.String).alias("incident_key_l"), pl.lit(None, pl.String).alias("incident_key_r"),
    )
    kept = scored.join(decided.select("record_key_l", "record_key_r"), on=["record_key_l", "record_key_r"], how="anti")
    return pl.concat([kept, decided.cast(kept.schema)], how="vertical")


def review_queue(pairs: pl.DataFrame, person_records: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """Pairs in the uncertain band, side by side, with each field's contribution to the match
    weight (log2 of its Bayes factor), minus those a reviewer has already decided."""
    schema = {"record_key_l": pl.String, "record_key_r": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64, "name_l": pl.String, "name_r": pl.String, "explanation": pl.String}
    if pairs.is_empty():
        return pl.DataFrame(schema=schema)
    band = pairs.filter((pl.col("match_probability") >= REVIEW_LOWER) & (pl.col("match_probability") < MATCH_THRESHOLD))
    fields = [c[3:] for c in band.columns if c.startswith("mw_") and not c.startswith("mw_tf_adj_")]

    def contribution(name: str) -> pl.Expr:
        tf = pl.col(f"mw_tf_adj_{name}") if f"mw_tf_adj_{name}" in band.columns else pl.lit(0.0)
        return (pl.col(f"mw_{name}") + tf).round(2).cast(pl.String)

    names = person_records.select("record_key", pl.col("name_original").alias("name"), "age", "sex", "date_of_death", "neighbourhood_id")
    explained = band.with_columns(pl.concat_str([pl.format("{}: {}", pl.lit(name), contribution(name)) for name in fields], separator="; ").alias("explanation"))
    out = (
        explained.select("record_key_l", "record_key_r", "match_probability", "match_weight", "explanation")
        .join(names.rename(lambda c: f"{c}_l" if c != "record_key" else "record_key_l"), on="record_key_l", how="left")
        .join(names.rename(lambda c: f"{c}_r" if c != "record_key" else "record_key_r"), on="record_key_r", how="left")
    )
    if not decisions.is_empty():
        decided = decisions.select(pl.col("record_key_l").alias("a"), pl.col("record_key_r").alias("b"))
        out = out.with_columns(pl.min_horizontal("record_key_l", "record_key_r").alias("a"), pl.max_horizontal("record_key_l", "record_key_r").alias("b")).join(decided, on=["a", "b"], how="anti").drop("a", "b")
    return out.sort("match_probability", descending=True)
