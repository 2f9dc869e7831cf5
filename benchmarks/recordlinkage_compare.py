"""The project's person linkage side by side with the Python Record Linkage Toolkit.

    python -m benchmarks.recordlinkage_compare --seeds 1 --scales 1,10

Both get the same person records (build_person_records' output, so the same name parsing) and
the same blocking: recordlinkage's `Block` index on the equality columns of each of the
project's Splink blocking rules (pipeline/link/persons.py), the rules' other conditions (not two
victims of one Airwars incident; at least one named record) applied to its candidate pairs, the
union taken. The block cap and the guards' condition (pipeline/link/blocking.py) are not
applied to its pairs, so it scores more pairs than the project (32,313 against 13,518 at 1x).
recordlinkage then compares each candidate pair on the features a user of the
toolkit would reach for, given these records (the project's canonical name part equal;
Jaro-Winkler >= 0.9 on each romanised name part; exact sex and place; age within a year; date of
death within three days) and classifies with its unsupervised ECM classifier (Fellegi-Sunter,
EM on binary features), as the project is unsupervised. Its matches are closed transitively into
clusters; both linkers are scored pairwise against truth on the same records. As a generous
upper bound for the toolkit, the best threshold on the number of agreeing features, chosen
with the truth, is reported too (`best sum`, pairs as classified).

Times: recordlinkage's from the records to its clusters (index + compare + classify + closure);
the project's is link_persons (Splink training and prediction, guards, clustering, review queue).
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import recordlinkage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from benchmarks.linkage import load_staged, simulate
from pipeline.link.evaluate import explode_clusters, pairwise_scores
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons, model_input, prediction_blocking_rules

EQUALITY = re.compile(r"l\.(\w+) = r\.(\w+)")
NAME_PARTS = ("given", "father", "grandfather", "family")


def blocking_columns(rule: str) -> list[str]:
    """The columns a Splink rule joins on (`l.x = r.x`); its other conditions are filtered after."""
    return [left for left, right in EQUALITY.findall(rule) if left == right]


def candidate_pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    """The union of recordlinkage Block indexes, one per project blocking rule, with the rules'
    non-equality conditions applied (the same candidate pairs Splink scores)."""
    indexes = []
    for rule in prediction_blocking_rules():
        pairs = recordlinkage.Index()
        pairs.block(left_on=blocking_columns(rule))
        found = pairs.index(frame)
        left, right = frame.loc[found.get_level_values(0)], frame.loc[found.get_level_values(1)]
        keep = (
            left["same_incident_allowed"].to_numpy() | left["incident_key"].isna().to_numpy() | right["incident_key"].isna().to_numpy()
            | (left["incident_key"].to_numpy() != right["incident_key"].to_numpy())
        )
        if "has_name" in rule:
            keep &= left["has_name"].to_numpy() | right["has_name"].to_numpy()
        indexes.append(found[keep])
    union = indexes[0]
    for index in indexes[1:]:
        union = union.union(index)
    return union


def recordlinkage_clusters(records: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """records: build_person_records' output. Returns (record_key, victim_id) and counts/times."""
    started = time.perf_counter()
    frame = model_input(records).to_pandas().set_index("record_key")
    for part in NAME_PARTS:
        frame[f"{part}_rom"] = frame[f"{part}_rom"].str.lower()
    pairs = candidate_pairs(frame)
    indexed = time.perf_counter()
    compare = recordlinkage.Compare()
    for part in NAME_PARTS:
        compare.exact(f"{part}_key", f"{part}_key", label=f"{part}_same")
        compare.string(f"{part}_rom", f"{part}_rom", method="jarowinkler", threshold=0.9, label=part)
    compare.exact("sex", "sex", label="sex")
    compare.numeric("age", "age", method="step", offset=1, label="age")
    compare.numeric("day", "day", method="step", offset=3, label="day")
    compare.exact("neighbourhood_id", "neighbourhood_id", label="neighbourhood")
    features = compare.compute(pairs, frame)
    compared = time.perf_counter()
    classifier = recordlinkage.ECMClassifier(binarize=0.5)  # features are 0/1 already
    matches = classifier.fit_predict(features)
    classified = time.perf_counter()
    keys = frame.index.to_numpy()
    position = pd.Series(np.arange(len(keys)), index=keys)
    left = position.loc[matches.get_level_values(0)].to_numpy()
    right = position.loc[matches.get_level_values(1)].to_numpy()
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(keys), len(keys)))
    _, component = connected_components(graph, directed=False)
    assignment = pl.DataFrame({"record_key": keys, "victim_id": component.astype(str)})
    finished = time.perf_counter()
    return assignment, {
        "candidate_pairs": len(pairs), "matches": len(matches),
        "seconds": {"index": indexed - started, "compare": compared - indexed, "classify": classified - compared, "total": finished - started},
        "matches_as_pairs": matches, "features": features,
    }


def pair_scores(matches: pd.MultiIndex, truth: pl.DataFrame) -> dict:
    """Precision / recall / F1 of the classified pairs themselves, before transitive closure."""
    predicted = pl.DataFrame({"a": matches.get_level_values(0).to_numpy(), "b": matches.get_level_values(1).to_numpy()})
    predicted = predicted.select(pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b")).unique()
    members = truth.select("record_key", "person_id")
    true_pairs = members.join(members, on="person_id", suffix="_r").filter(pl.col("record_key") < pl.col("record_key_r"))
    tp = predicted.join(true_pairs.select(pl.col("record_key").alias("a"), pl.col("record_key_r").alias("b")), on=["a", "b"]).height
    precision = tp / predicted.height if predicted.height else 1.0
    recall = tp / true_pairs.height if true_pairs.height else 1.0
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0}


def cluster_pair_scores(assignment: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """Pairwise precision / recall / F1 of clusters from counts (pairs within a cluster, within a
    true person, within both), without listing the pairs: recordlinkage's transitive closure can
    make one cluster of thousands of records."""
    common = assignment.join(truth, on="record_key")

    def pairs(*by: str) -> int:
        sizes = common.group_by(*by).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    predicted, true, both = pairs("victim_id"), pairs("person_id"), pairs("victim_id", "person_id")
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "largest_cluster": int(common.group_by("victim_id").len()["len"].max())}


def best_sum_threshold(features: pd.DataFrame, truth: pl.DataFrame) -> dict:
    """The threshold on the count of agreeing features with the best pairwise F1 against truth
    (named records): what recordlinkage could do at best with a hand-set threshold."""
    agreeing = features.sum(axis=1)
    scores = [{"threshold": k, **pair_scores(features.index[agreeing >= k], truth)} for k in range(1, features.shape[1] + 1)]
    return max(scores, key=lambda s: s["f1"])


def compare(records: pl.DataFrame, truth: pl.DataFrame, project_seconds: float | None = None, project_clusters: pl.DataFrame | None = None) -> dict:
    """Both linkers on `records`, scored against truth (record_key, person_id). If the project's
    linkage was already run (the pipeline benchmark), pass its time and clusters to reuse them."""
    if project_clusters is None:
        started = time.perf_counter()
        project_clusters = link_persons(records).clusters
        project_seconds = time.perf_counter() - started
    named = records.filter(~pl.col("is_unidentified") & pl.col("given_key").is_not_null() & ~pl.col("is_relational"))["record_key"].implode()
    project = explode_clusters(project_clusters)
    theirs, detail = recordlinkage_clusters(records)
    named_truth = truth.filter(pl.col("record_key").is_in(named))
    return {
        "records": records.height,
        "candidate_pairs": detail["candidate_pairs"],
        "project": {"seconds": project_seconds, "named": pairwise_scores(project.filter(pl.col("record_key").is_in(named)), truth), "all": pairwise_scores(project, truth)},
        "recordlinkage": {
            "seconds": detail["seconds"]["total"], "stage_seconds": detail["seconds"], "matches": detail["matches"],
            "named": cluster_pair_scores(theirs.filter(pl.col("record_key").is_in(named)), truth), "all": cluster_pair_scores(theirs, truth),
            "pairs_as_classified": pair_scores(detail["matches_as_pairs"], named_truth),
            "best_sum": best_sum_threshold(detail["features"], named_truth),
        },
    }


def print_comparison(rows: list[tuple[float, int, dict]]) -> None:
    print("\n## person linkage: this project vs recordlinkage 0.16 (same records, same blocking)")
    header = ["scale", "seed", "records", "candidate pairs", "project s", "project F1 named / all", "recordlinkage s", "recordlinkage (ECM) F1 named / all",
              "ECM pairs as classified P / R / F1", "best sum threshold (truth-tuned) P / R / F1", "project time / recordlinkage time"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for scale, seed, c in rows:
        p, r = c["project"], c["recordlinkage"]
        ecm, best = r["pairs_as_classified"], r["best_sum"]
        cells = [
            f"{scale:g}x", str(seed), f"{c['records']:,}", f"{c['candidate_pairs']:,}", f"{p['seconds']:.1f}", f"{p['named']['f1']:.3f} / {p['all']['f1']:.3f}",
            f"{r['seconds']:.1f}", f"{r['named']['f1']:.3f} / {r['all']['f1']:.3f}", f"{ecm['precision']:.3f} / {ecm['recall']:.3f} / {ecm['f1']:.3f}",
            f">= {best['threshold']}: {best['precision']:.3f} / {best['recall']:.3f} / {best['f1']:.3f}", f"{p['seconds'] / r['seconds']:.1f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print("(recordlinkage stages, s: " + "; ".join(
        f"x{scale:g}: " + ", ".join(f"{k} {v:.1f}" for k, v in c["recordlinkage"]["stage_seconds"].items()) for scale, _, c in rows
    ) + ")")


def truth_of(scenario: Path) -> pl.DataFrame:
    truth = pl.read_csv(scenario / "truth" / "records.csv", infer_schema=False).with_columns(pl.col("person_id").replace("", None))
    return truth.filter(pl.col("person_id").is_not_null()).select("record_key", "person_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--scales", default="1,10")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="rl-compare-") as temporary:
        for scale in [float(s) for s in args.scales.split(",")]:
            for seed in range(1, args.seeds + 1):
                scenario = Path(temporary) / f"s{seed}-x{scale:g}"
                simulate(seed, scenario, scale)
                records = build_person_records(load_staged(scenario / "sources"))
                rows.append((scale, seed, compare(records, truth_of(scenario))))
                print(f"seed {seed} scale {scale:g} done", flush=True)
    print_comparison(rows)


if __name__ == "__main__":
    main()
