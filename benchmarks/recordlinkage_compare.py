"""The project's person linkage side by side with the Python Record Linkage Toolkit.

    python -m benchmarks.recordlinkage_compare --seeds 1 --scales 1,10 [--first-seed 1] [--labelled-pairs 1000,10000] [--workdir DIR]

Both get the same person records (build_person_records' output, so the same name parsing) and
the same candidate pairs: recordlinkage's `Block` index on the equality columns of each of the
project's Splink blocking rules (pipeline/link/persons.py), with the rules' other conditions
applied to its pairs (not two victims of one Airwars incident; at least one named record; the
block cap of pipeline/link/blocking.py, read from the same block_<i> sizes; the sex and age
guards' condition), the union taken. Its candidate pairs are the project's (13,518 at seed 1,
1x). Each pair is compared on what a user of the toolkit would reach for with these records.
Two configurations of the toolkit are run, and one upper bound is reported:

- `ecm`: unsupervised, like the project. Binary features (canonical name part equal,
  Jaro-Winkler >= 0.9 on each romanised part, sex, age within a year, date within three days,
  place) and its ECM classifier (Fellegi-Sunter by EM on binary features).
- `logistic`: supervised, which the project is not: graded features (canonical name part equal;
  Jaro-Winkler similarity of each romanised part; sex; age and date of death as Gaussian
  closeness, 1 and 3 units free; place) and recordlinkage's LogisticRegressionClassifier trained
  on `--labelled-pairs` candidate pairs drawn at random (seed 0) and labelled from the truth, as
  a reviewer would label a sample (one configuration per sample size given; the graded
  comparison is computed once and its time counted in each). This is the fair configuration: the toolkit's documented way
  to get a good classifier, and a head start the project does not have.
- `best sum` (pairs as classified, not a linker): the threshold on the number of agreeing
  binary features with the best F1, chosen with the truth over every pair; the most a hand-set
  rule on those features could reach.

Each configuration's matches are closed transitively into clusters (connected components, the
toolkit has no clustering of its own), and clusters are scored pairwise against the truth on
the same records as the project's victims (named records, and all records).

Times: recordlinkage's from the records to its clusters (index + compare + classify +
closure; for `logistic` also drawing and fitting the labelled sample, not the reviewer's time to
label it); the project's is link_persons (Splink training and prediction, guards, clustering,
review queue). The index is shared by both configurations and counted in each.
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
from pipeline.link.blocking import BLOCK_CAP, block_column
from pipeline.link.clusters import AGE_SPREAD
from pipeline.link.evaluate import explode_clusters, pairwise_scores
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons, model_input, prediction_blocking_rules

EQUALITY = re.compile(r"l\.(\w+) = r\.(\w+)")
NAME_PARTS = ("given", "father", "grandfather", "family")
# How many candidate pairs the supervised configuration is given labelled: a day's work for a
# reviewer. Drawn at random from all candidate pairs, so matches are about their share of them.
LABELLED_PAIRS = 1000


def blocking_columns(rule: str) -> list[str]:
    """The columns a Splink rule joins on (`l.x = r.x`); its other conditions are filtered after."""
    return [left for left, right in EQUALITY.findall(rule) if left == right]


def guards_allow(sex_l: np.ndarray, sex_r: np.ndarray, age_l: np.ndarray, age_r: np.ndarray) -> np.ndarray:
    """pipeline/link/blocking.guards_allow in numpy: sexes not different, ages at most AGE_SPREAD apart."""
    sexes = pd.isna(sex_l) | pd.isna(sex_r) | (sex_l == sex_r)
    with np.errstate(invalid="ignore"):
        ages = np.isnan(age_l) | np.isnan(age_r) | (np.abs(age_l - age_r) <= AGE_SPREAD)
    return sexes & ages


def candidate_pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    """The union of recordlinkage Block indexes, one per project blocking rule, with the rules'
    other conditions applied: the same candidate pairs Splink scores (bounded_rules). The
    conditions are read from column arrays by position, not by copying the pairs' rows."""
    columns = {
        "same_incident_allowed": frame["same_incident_allowed"].to_numpy(dtype=bool),
        "incident_key": frame["incident_key"].to_numpy(dtype=object),
        "has_name": frame["has_name"].to_numpy(dtype=bool),
        "sex": frame["sex"].to_numpy(dtype=object),
        "age": frame["age"].to_numpy(dtype=float),
    }
    no_incident = pd.isna(columns["incident_key"])
    indexes = []
    for i, rule in enumerate(prediction_blocking_rules()):
        pairs = recordlinkage.Index()
        pairs.block(left_on=blocking_columns(rule))
        found = pairs.index(frame)
        left, right = frame.index.get_indexer(found.get_level_values(0)), frame.index.get_indexer(found.get_level_values(1))
        keep = (
            columns["same_incident_allowed"][left] | no_incident[left] | no_incident[right]
            | (columns["incident_key"][left] != columns["incident_key"][right])
        )
        if "has_name" in rule:
            keep &= columns["has_name"][left] | columns["has_name"][right]
        keep &= frame[block_column(i)].to_numpy(dtype=float)[left] <= BLOCK_CAP
        keep &= guards_allow(columns["sex"][left], columns["sex"][right], columns["age"][left], columns["age"][right])
        indexes.append(found[keep])
    union = indexes[0]
    for index in indexes[1:]:
        union = union.union(index)
    return union


def binary_features(pairs: pd.MultiIndex, frame: pd.DataFrame) -> pd.DataFrame:
    compare = recordlinkage.Compare()
    for part in NAME_PARTS:
        compare.exact(f"{part}_key", f"{part}_key", label=f"{part}_same")
        compare.string(f"{part}_rom", f"{part}_rom", method="jarowinkler", threshold=0.9, label=part)
    compare.exact("sex", "sex", label="sex")
    compare.numeric("age", "age", method="step", offset=1, label="age")
    compare.numeric("day", "day", method="step", offset=3, label="day")
    compare.exact("neighbourhood_id", "neighbourhood_id", label="neighbourhood")
    return compare.compute(pairs, frame)


def graded_features(pairs: pd.MultiIndex, frame: pd.DataFrame) -> pd.DataFrame:
    """The same fields as binary_features, graded: similarity instead of a cut-off."""
    compare = recordlinkage.Compare()
    for part in NAME_PARTS:
        compare.exact(f"{part}_key", f"{part}_key", label=f"{part}_same")
        compare.string(f"{part}_rom", f"{part}_rom", method="jarowinkler", label=part)
    compare.exact("sex", "sex", label="sex")
    compare.numeric("age", "age", method="gauss", offset=1, scale=3, label="age")
    compare.numeric("day", "day", method="gauss", offset=3, scale=10, label="day")
    compare.exact("neighbourhood_id", "neighbourhood_id", label="neighbourhood")
    return compare.compute(pairs, frame)


def closure(matches: pd.MultiIndex, keys: np.ndarray) -> pl.DataFrame:
    """Matches closed transitively: (record_key, victim_id) for every record."""
    position = pd.Series(np.arange(len(keys)), index=keys)
    left = position.loc[matches.get_level_values(0)].to_numpy()
    right = position.loc[matches.get_level_values(1)].to_numpy()
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(len(keys), len(keys)))
    _, component = connected_components(graph, directed=False)
    return pl.DataFrame({"record_key": keys, "victim_id": component.astype(str)})


def labelled_sample(pairs: pd.MultiIndex, truth: pl.DataFrame, size: int, seed: int = 0) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    """`size` candidate pairs drawn at random, and those of them that are one person in the
    truth (what a reviewer labelling them would say)."""
    rng = np.random.default_rng(seed)
    drawn = pairs[np.sort(rng.choice(len(pairs), size=min(size, len(pairs)), replace=False))]
    person = truth.select("record_key", "person_id")
    labels = (
        pl.DataFrame({"record_key": drawn.get_level_values(0).to_numpy(), "record_key_r": drawn.get_level_values(1).to_numpy()})
        .join(person, on="record_key", how="left")
        .join(person.rename({"record_key": "record_key_r", "person_id": "person_id_r"}), on="record_key_r", how="left")
        .select((pl.col("person_id").is_not_null() & (pl.col("person_id") == pl.col("person_id_r"))).fill_null(False).alias("same"))
    )
    return drawn, drawn[labels["same"].to_numpy()]


def recordlinkage_frame(records: pl.DataFrame) -> pd.DataFrame:
    frame = model_input(records).to_pandas().set_index("record_key")
    for part in NAME_PARTS:
        frame[f"{part}_rom"] = frame[f"{part}_rom"].str.lower()
    return frame


def configurations(results: dict) -> list[str]:
    """The recordlinkage configurations in a result: "ecm", then "logistic_<n>" by sample size."""
    return [k for k in results if k == "ecm" or k.startswith("logistic_")]


def recordlinkage_clusters(records: pl.DataFrame, truth: pl.DataFrame | None = None, labelled_pairs: tuple[int, ...] = (LABELLED_PAIRS,)) -> dict:
    """records: build_person_records' output; truth (record_key, person_id) only to label the
    supervised configurations' samples. Returns, per configuration ("ecm", and "logistic_<n>" for
    each labelled sample size n when truth is given), its (record_key, victim_id) assignment, matches, features and times."""
    started = time.perf_counter()
    frame = recordlinkage_frame(records)
    pairs = candidate_pairs(frame)
    indexed = time.perf_counter()
    keys = frame.index.to_numpy()
    index_seconds = indexed - started
    out = {"candidate_pairs": len(pairs)}

    features = binary_features(pairs, frame)
    compared = time.perf_counter()
    matches = recordlinkage.ECMClassifier(binarize=0.5).fit_predict(features)  # features are 0/1 already
    classified = time.perf_counter()
    assignment = closure(matches, keys)
    out["ecm"] = {
        "assignment": assignment, "matches": matches, "features": features,
        "seconds": {"index": index_seconds, "compare": compared - indexed, "classify": classified - compared,
                    "closure": time.perf_counter() - classified},
    }
    if truth is not None:
        begun = time.perf_counter()
        graded = graded_features(pairs, frame)
        compare_seconds = time.perf_counter() - begun
        for size in labelled_pairs:
            started = time.perf_counter()
            drawn, drawn_matches = labelled_sample(pairs, truth, size)
            classifier = recordlinkage.LogisticRegressionClassifier()
            classifier.fit(graded.loc[drawn], drawn_matches)
            matches = classifier.predict(graded)
            classified = time.perf_counter()
            out[f"logistic_{size}"] = {
                "assignment": closure(matches, keys), "matches": matches, "labelled": len(drawn), "labelled_matches": len(drawn_matches),
                "seconds": {"index": index_seconds, "compare": compare_seconds, "classify": classified - started,
                            "closure": time.perf_counter() - classified},
            }
    for configuration in configurations(out):
        seconds = out[configuration]["seconds"]
        seconds["total"] = sum(seconds.values())
    return out


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


def compare(records: pl.DataFrame, truth: pl.DataFrame, project_seconds: float | None = None, project_clusters: pl.DataFrame | None = None, labelled_pairs: tuple[int, ...] = (LABELLED_PAIRS,)) -> dict:
    """Both linkers on `records`, scored against truth (record_key, person_id). If the project's
    linkage was already run (the pipeline benchmark), pass its time and clusters to reuse them."""
    if project_clusters is None:
        started = time.perf_counter()
        project_clusters = link_persons(records).clusters
        project_seconds = time.perf_counter() - started
    named = records.filter(pl.col("has_name"))["record_key"].implode()
    project = explode_clusters(project_clusters)
    theirs = recordlinkage_clusters(records, truth, labelled_pairs)
    named_truth = truth.filter(pl.col("record_key").is_in(named))
    result = {
        "records": records.height,
        "candidate_pairs": theirs["candidate_pairs"],
        "project": {"seconds": project_seconds, "named": pairwise_scores(project.filter(pl.col("record_key").is_in(named)), truth), "all": pairwise_scores(project, truth)},
    }
    for configuration in configurations(theirs):
        run = theirs[configuration]
        result[configuration] = {
            "seconds": run["seconds"]["total"], "stage_seconds": run["seconds"], "matches": len(run["matches"]),
            "named": cluster_pair_scores(run["assignment"].filter(pl.col("record_key").is_in(named)), truth),
            "all": cluster_pair_scores(run["assignment"], truth),
            "pairs_as_classified": pair_scores(run["matches"], named_truth),
            **({"labelled": run["labelled"], "labelled_matches": run["labelled_matches"]} if "labelled" in run else {}),
        }
    result["ecm"]["best_sum"] = best_sum_threshold(theirs["ecm"]["features"], named_truth)
    return result


def print_comparison(rows: list[tuple[float, int, dict]]) -> None:
    print("\n## person linkage: this project vs recordlinkage 0.16 (same records, same candidate pairs)")
    header = ["scale", "seed", "records", "candidate pairs", "linker", "seconds", "F1 named / all (clusters)", "P / R named (clusters)",
              "pairs as classified P / R / F1 (named)", "project time / its time"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for scale, seed, c in rows:
        p = c["project"]
        lead = [f"{scale:g}x", str(seed), f"{c['records']:,}", f"{c['candidate_pairs']:,}"]
        print("| " + " | ".join(lead + ["project (Splink, unsupervised)", f"{p['seconds']:.1f}", f"{p['named']['f1']:.3f} / {p['all']['f1']:.3f}",
                                       f"{p['named']['precision']:.3f} / {p['named']['recall']:.3f}", "", "1.0"]) + " |")
        for configuration in configurations(c):
            r = c[configuration]
            label = "recordlinkage ECM (unsupervised)" if configuration == "ecm" else "recordlinkage logistic regression ({labelled:,} labelled pairs, {labelled_matches:,} matches)"
            pairs = r["pairs_as_classified"]
            print("| " + " | ".join(lead + [label.format(**r), f"{r['seconds']:.1f}", f"{r['named']['f1']:.3f} / {r['all']['f1']:.3f}",
                                           f"{r['named']['precision']:.3f} / {r['named']['recall']:.3f}",
                                           f"{pairs['precision']:.3f} / {pairs['recall']:.3f} / {pairs['f1']:.3f}", f"{p['seconds'] / r['seconds']:.2f}"]) + " |")
        best = c["ecm"]["best_sum"]
        print("| " + " | ".join(lead + [f"best sum of agreeing features (>= {best['threshold']}, chosen with the truth)", "", "", "",
                                       f"{best['precision']:.3f} / {best['recall']:.3f} / {best['f1']:.3f}", ""]) + " |")
    print("(recordlinkage stages, s: " + "; ".join(
        f"x{scale:g} {configuration}: " + ", ".join(f"{k} {v:.1f}" for k, v in c[configuration]["stage_seconds"].items())
        for scale, _, c in rows for configuration in configurations(c)
    ) + ")")


def truth_of(scenario: Path) -> pl.DataFrame:
    truth = pl.read_csv(scenario / "truth" / "records.csv", infer_schema=False).with_columns(pl.col("person_id").replace("", None))
    return truth.filter(pl.col("person_id").is_not_null()).select("record_key", "person_id")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--labelled-pairs", default=str(LABELLED_PAIRS), help="labelled sample sizes for the supervised configuration, comma-separated")
    parser.add_argument("--workdir", type=Path, default=None, help="where scenarios are written (reused if present; default: a temporary folder)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="rl-compare-") as temporary:
        for scale in [float(s) for s in args.scales.split(",")]:
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                scenario = (args.workdir or Path(temporary)) / f"s{seed}-x{scale:g}"
                if not (scenario / "truth" / "records.csv").exists():
                    simulate(seed, scenario, scale)
                records = build_person_records(load_staged(scenario / "sources"))
                rows.append((scale, seed, compare(records, truth_of(scenario), labelled_pairs=tuple(int(n) for n in args.labelled_pairs.split(",")))))
                print(f"seed {seed} scale {scale:g} done", flush=True)
    print_comparison(rows)


if __name__ == "__main__":
    main()
