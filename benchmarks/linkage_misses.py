"""Which true links the person linkage misses, grouped by cause, over seeds.

    python -m benchmarks.linkage_misses --seeds 2 [--first-seed 1] [--scale 1] [--examples 5]

For each seed: write the default scenario, link its person records, and take every true pair of
records (two records of one person, truth/records.csv) that ended in two victims. Each miss gets
the first cause that applies:

- `unidentified`: one record is an unidentified body (no name to compare, by design);
- `relation or kunya only`: one record names the person only through someone else ("Umm Raed");
- `unnamed`: one record has no name at all (an IBC victim listed by role);
- `never compared`: no blocking rule made the two records candidates (or they scored below
  the scoring floor of 0.01);
- `refused or linked elsewhere`: scored at or above the threshold, yet apart: a guard refused the
  merge, or one record joined a namesake first;
- `below threshold`: scored, but under the threshold; split further by what the two records
  disagree on or lack (place: another neighbourhood; short name: one side gives only given and
  father names; age missing on a side).

Cross-list misses (records from two lists) are the ones capture-recapture pays for: each adds one
person seen by only one list. Only this benchmark reads truth; the linkage never does.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

import polars as pl

from benchmarks.linkage import load_staged, simulate, truth_assignment
from pipeline.link.evaluate import explode_clusters
from pipeline.link.person_records import build_person_records
from pipeline.link.clusters import cluster_records
from pipeline.link.persons import MATCH_THRESHOLD, NAMELESS_THRESHOLD, REVIEW_LOWER, link_persons

COLUMNS = [
    "record_key", "source", "has_name", "is_unidentified", "is_relational", "name_original", "given_key", "father_key",
    "grandfather_key", "family_key", "age", "date_of_death", "neighbourhood_id",
]


def classify(pair: dict, threshold: float) -> str:
    if pair["is_unidentified_l"] or pair["is_unidentified_r"]:
        return "unidentified"
    if pair["is_relational_l"] or pair["is_relational_r"]:
        return "relation or kunya only"
    if not pair["has_name_l"] or not pair["has_name_r"]:
        return "unnamed"
    probability = pair["match_probability"]
    if probability is None:
        return "never compared"
    if probability >= threshold:
        return "refused or linked elsewhere"
    reasons = []
    if pair["neighbourhood_id_l"] and pair["neighbourhood_id_r"] and pair["neighbourhood_id_l"] != pair["neighbourhood_id_r"]:
        reasons.append("place differs")
    if any(pair[f"grandfather_key_{side}"] is None and pair[f"family_key_{side}"] is None for side in "lr"):
        reasons.append("short name")
    if pair["age_l"] is None or pair["age_r"] is None:
        reasons.append("age missing")
    return "below threshold: " + (", ".join(reasons) or "other")


def missed_pairs(records: pl.DataFrame, result, truth: pl.DataFrame, clusters: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every true pair split between two victims, with its score (null: never scored) and cause."""
    victims = explode_clusters(result.clusters if clusters is None else clusters)
    known = records.select(COLUMNS).join(truth, on="record_key").join(victims, on="record_key")
    left = known.rename(lambda c: c if c == "person_id" else f"{c}_l")
    right = known.rename(lambda c: c if c == "person_id" else f"{c}_r")
    pairs = left.join(right, on="person_id").filter((pl.col("record_key_l") < pl.col("record_key_r")) & (pl.col("victim_id_l") != pl.col("victim_id_r")))
    scored = result.pairs.select("record_key_l", "record_key_r", "match_probability") if result.pairs is not None else None
    if scored is not None:
        pairs = pairs.join(scored, on=["record_key_l", "record_key_r"], how="left")
    else:
        pairs = pairs.with_columns(pl.lit(None, pl.Float64).alias("match_probability"))
    threshold = result.model_summary.get("match_threshold", MATCH_THRESHOLD)
    causes = [classify(row, threshold) for row in pairs.iter_rows(named=True)]
    return pairs.with_columns(pl.Series("cause", causes, pl.String), (pl.col("source_l") != pl.col("source_r")).alias("cross_list"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--examples", type=int, default=3, help="example pairs printed per cause")
    args = parser.parse_args()
    totals: Counter[tuple[bool, str]] = Counter()
    with tempfile.TemporaryDirectory(prefix="linkage-misses-") as temporary:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            scenario = Path(temporary) / f"s{seed}"
            simulate(seed, scenario, args.scale, "default")
            records = build_person_records(load_staged(scenario / "sources"))
            # Pairs down to the scoring floor, so "below threshold" and "never compared" differ;
            # the victims are clustered as the pipeline clusters them (its review band).
            result = link_persons(records, settings={"review_lower": 0.01})
            clusters, _ = cluster_records(records, result.links, MATCH_THRESHOLD, NAMELESS_THRESHOLD, REVIEW_LOWER)
            misses = missed_pairs(records, result, truth_assignment(scenario), clusters)
            print(f"\nseed {seed}: {misses.height} true pairs missed, {misses['cross_list'].sum()} of them cross-list")
            for (cross, cause), group in sorted(misses.group_by("cross_list", "cause"), key=lambda kv: (not kv[0][0], -kv[1].height)):
                totals[(cross, cause)] += group.height
                print(f"  {'cross-list' if cross else 'same list '}  {group.height:>4}  {cause}")
                for row in group.head(args.examples).iter_rows(named=True):
                    p = row["match_probability"]
                    print(f"        {'-' if p is None else f'{p:.2f}'}  {row['source_l']}: {row['name_original_l']} | {row['source_r']}: {row['name_original_r']}")
    print(f"\nall seeds ({args.seeds}):")
    for (cross, cause), count in sorted(totals.items(), key=lambda kv: (not kv[0][0], -kv[1])):
        print(f"  {'cross-list' if cross else 'same list '}  {count:>5}  {cause}")


if __name__ == "__main__":
    main()
