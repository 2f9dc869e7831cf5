"""Person-linkage accuracy against the simulator's truth, over seeds.

    python -m benchmarks.linkage --seeds 5 [--scale 1] [--difficulty hard] [--workdir DIR]

For each seed: write a scenario (pipeline.scenario, the simulator every benchmark and test
uses), parse its current snapshots with the project's parsers, build person records, link them,
and score the victims against truth/records.csv with pipeline.link.evaluate (pairwise
precision/recall/F1 over pairs of person records, recall over cross-list pairs, B-cubed
precision/recall, distinct victims against true distinct documented people), once over "all"
person records and once over "named" records (has_name); the definitions are in
pipeline/link/evaluate.py and benchmarks/pipeline.py uses the same ones. The same is done for a
baseline that links records whose whole normalised name (every part's canonical form, in order)
is identical. Only this module and the tests read truth; the linkage never does.
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
from pipeline.link.evaluate import named_keys, pairwise_scores
from pipeline.snapshots import is_snapshot_name

PERSON_INPUTS = {
    "morgue": (parse_morgue, ("morgue.csv",)),
    "airwars": (parse_airwars, ("incidents.json",)),
    "ibc": (parse_ibc, ("incidents.csv", "victims.csv")),
    "amnesty": (parse_amnesty, ("incidents.json",)),
}


def simulate(seed: int, out: Path, scale: float = 1.0, difficulty: str = "default") -> None:
    """The project's scenario simulator. Always pipeline.scenario: an earlier version preferred an
    alternative simulator when one was importable, so two benchmarks could score different worlds."""
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


def score(assignment: pl.DataFrame, truth: pl.DataFrame, sources: pl.DataFrame | None = None) -> dict:
    """assignment: record_key, victim_id; truth: record_key, person_id. pipeline.link.evaluate's
    pairwise_scores (the one scorer of every benchmark and test)."""
    return pairwise_scores(assignment, truth, sources)


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
    named = named_keys(records).implode()
    sources = records.select("record_key", "source")
    baseline = exact_name_baseline(records)
    return {
        "seed": seed,
        "model": score(assignment, truth, sources),
        "baseline": score(baseline, truth, sources),
        "model_named": score(assignment.filter(pl.col("record_key").is_in(named)), truth, sources),
        "baseline_named": score(baseline.filter(pl.col("record_key").is_in(named)), truth, sources),
        "records_seconds": built - started,
        "link_seconds": linked - built,
        "review_queue": len(result.review_queue),
    }


METHODS = ("model", "baseline", "model_named", "baseline_named")


def print_table(runs: list[dict], label: str) -> None:
    """model / baseline: every person record; *_named: only records with a usable name (the
    pairs a name-based linkage can be asked to find; an unidentified body, an unnamed victim or a
    kunya is never linked on a name). cross_recall: recall over true pairs from two lists."""
    columns = ["precision", "recall", "f1", "cross_list_recall", "bcubed_precision", "bcubed_recall", "victims", "true_people"]
    print(f"\n{label}")
    width = {c: max(12, len(c)) for c in columns}
    print("seed  method          " + " ".join(f"{c:>{width[c]}}" for c in columns) + "  link_s  review")
    for run in runs:
        for method in METHODS:
            values = run[method]
            cells = " ".join(f"{values[c]:>{width[c]}.4f}" if isinstance(values[c], float) else f"{values[c]:>{width[c]}}" for c in columns)
            extra = f"  {run['link_seconds']:6.1f}  {run['review_queue']:6d}" if method == "model" else ""
            print(f"{run['seed']:>4}  {method:<15} {cells}{extra}")
    for method in METHODS:
        means = [statistics.mean(run[method][c] for run in runs) for c in columns]
        cells = " ".join(f"{m:>{width[c]}.4f}" if c not in ("victims", "true_people") else f"{m:>{width[c]}.1f}" for c, m in zip(columns, means))
        print(f"mean  {method:<15} {cells}")
    for method in ("model", "model_named"):
        worst = min(run[method]["f1"] for run in runs)
        worst_precision = min(run[method]["precision"] for run in runs)
        print(f"worst-seed {method} F1 {worst:.4f}, precision {worst_precision:.4f}")
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
