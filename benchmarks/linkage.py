"""Person-linkage accuracy against the simulator's truth, over seeds.

    python -m benchmarks.linkage --seeds 5 [--scale 1] [--difficulty hard] [--workdir DIR]

For each seed: write a scenario, parse its current snapshots with the project's parsers, build
person records, link them, and score the victims against truth/records.csv (pairwise
precision/recall/F1 over pairs of person records, B-cubed precision/recall, distinct victims
against true distinct documented people). The same is done for a baseline that links records
whose whole normalised name (the skeleton of every part, in order) is identical. Only this
module and the tests read truth; the linkage never does.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from pipeline.parse.airwars import parse_airwars
from pipeline.parse.amnesty import parse_amnesty
from pipeline.parse.ibc import parse_ibc
from pipeline.parse.morgue import parse_morgue
from pipeline.snapshots import is_snapshot_name

PERSON_INPUTS = {
    "morgue": (parse_morgue, ("morgue.csv",)),
    "airwars": (parse_airwars, ("incidents.json",)),
    "ibc": (parse_ibc, ("incidents.csv", "victims.csv")),
    "amnesty": (parse_amnesty, ("incidents.json",)),
}


def simulate(seed: int, out: Path, scale: float = 1.0, difficulty: str = "default") -> None:
    """The project's scenario simulator (pipeline.simulate; pipeline.scenario in older trees)."""
    try:
        from pipeline.simulate import simulate as run
    except ImportError:
        from pipeline.scenario import simulate as run
    run(seed, out, scale, difficulty)


def load_staged(sources_root: Path) -> dict[str, pl.DataFrame]:
    """The staged tables the linker needs, parsed from each source's newest snapshot."""
    staged: dict[str, pl.DataFrame] = {}
    for source, (parse, files) in PERSON_INPUTS.items():
        folder = Path(sources_root) / source
        snapshots = sorted(p.name for p in folder.iterdir() if p.is_dir() and is_snapshot_name(p.name)) if folder.exists() else []
        if not snapshots:
            continue
        newest = folder / snapshots[-1]
        staged.update(parse(*[newest / f for f in files], snapshots[-1]).tables)
    return staged


def truth_assignment(scenario: Path) -> pl.DataFrame:
    truth = pl.read_csv(Path(scenario) / "truth" / "records.csv", infer_schema=False)
    return truth.filter(pl.col("person_id").is_not_null() & (pl.col("person_id") != "")).select("record_key", "person_id")


def _pair_count(sizes: pl.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def score(assignment: pl.DataFrame, truth: pl.DataFrame) -> dict:
    """assignment: record_key, victim_id; truth: record_key, person_id. Scored over the records
    both know (every person record has a truth row; truth rows of records the parsers rejected are
    left out)."""
    both = assignment.join(truth, on="record_key", how="inner")
    predicted_pairs = _pair_count(both.group_by("victim_id").len()["len"])
    true_pairs = _pair_count(both.group_by("person_id").len()["len"])
    correct_pairs = _pair_count(both.group_by("victim_id", "person_id").len()["len"])
    precision = correct_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = correct_pairs / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    sized = both.with_columns(
        pl.len().over("victim_id").alias("predicted_size"),
        pl.len().over("person_id").alias("true_size"),
        pl.len().over("victim_id", "person_id").alias("overlap"),
    )
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "b3_precision": float((sized["overlap"] / sized["predicted_size"]).mean()),
        "b3_recall": float((sized["overlap"] / sized["true_size"]).mean()),
        "victims": both["victim_id"].n_unique(),
        "true_people": both["person_id"].n_unique(),
        "records": len(both),
    }


def exact_name_baseline(person_records: pl.DataFrame) -> pl.DataFrame:
    """Records with the same whole-name key are one victim; unnamed and unidentified records stay alone."""
    keyed = person_records.with_columns(
        pl.when(pl.col("name_key").is_not_null() & ~pl.col("is_unidentified"))
        .then(pl.lit("n:") + pl.col("name_key"))
        .otherwise(pl.lit("r:") + pl.col("record_key"))
        .alias("victim_id")
    )
    return keyed.select("record_key", "victim_id")


def run_seed(seed: int, scale: float, difficulty: str, workdir: Path) -> dict:
    from pipeline.link.person_records import build_person_records
    from pipeline.link.persons import link_persons

    scenario = workdir / f"{difficulty}-s{seed}-x{scale:g}"
    simulate(seed, scenario, scale, difficulty)
    staged = load_staged(scenario / "sources")
    truth = truth_assignment(scenario)
    started = time.perf_counter()
    records = build_person_records(staged)
    built = time.perf_counter()
    result = link_persons(records)
    linked = time.perf_counter()
    assignment = result.clusters.select("victim_id", pl.col("record_keys").alias("record_key")).explode("record_key")
    named = records.filter(pl.col("has_name")).select("record_key")
    baseline = exact_name_baseline(records)
    return {
        "seed": seed,
        "model": score(assignment, truth),
        "baseline": score(baseline, truth),
        "model_named": score(assignment.join(named, on="record_key"), truth),
        "baseline_named": score(baseline.join(named, on="record_key"), truth),
        "records_seconds": built - started,
        "link_seconds": linked - built,
        "review_queue": len(result.review_queue),
    }


METHODS = ("model", "baseline", "model_named", "baseline_named")


def print_table(runs: list[dict], label: str) -> None:
    """model / baseline: every person record; *_named: only records with a usable name (the
    pairs a name-based linkage can be asked to find; an unidentified body or an unnamed victim
    is never linked on a name)."""
    columns = ["precision", "recall", "f1", "b3_precision", "b3_recall", "victims", "true_people"]
    print(f"\n{label}")
    print("seed  method          " + " ".join(f"{c:>12}" for c in columns) + "  link_s  review")
    for run in runs:
        for method in METHODS:
            values = run[method]
            cells = " ".join(f"{values[c]:>12.4f}" if isinstance(values[c], float) else f"{values[c]:>12}" for c in columns)
            extra = f"  {run['link_seconds']:6.1f}  {run['review_queue']:6d}" if method == "model" else ""
            print(f"{run['seed']:>4}  {method:<15} {cells}{extra}")
    for method in METHODS:
        means = [statistics.mean(run[method][c] for run in runs) for c in columns]
        cells = " ".join(f"{m:>12.4f}" if c not in ("victims", "true_people") else f"{m:>12.1f}" for c, m in zip(columns, means))
        print(f"mean  {method:<15} {cells}")
    for method in ("model", "model_named"):
        worst = min(run[method]["f1"] for run in runs)
        print(f"worst-seed {method} F1 {worst:.4f}")
    print(f"mean link time {statistics.mean(r['link_seconds'] for r in runs):.1f} s, person records {statistics.mean(r['records_seconds'] for r in runs):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 1..N")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--difficulty", choices=["default", "hard"], default="default")
    parser.add_argument("--workdir", type=Path, default=None, help="where scenarios are written (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        runs = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            runs.append(run_seed(seed, args.scale, args.difficulty, workdir))
            model = runs[-1]["model"]
            print(f"seed {seed}: F1 {model['f1']:.4f} P {model['precision']:.4f} R {model['recall']:.4f} ({runs[-1]['link_seconds']:.1f} s)", flush=True)
        print_table(runs, f"person linkage, difficulty {args.difficulty}, scale {args.scale:g}, {args.seeds} seed(s)")


if __name__ == "__main__":
    main()
