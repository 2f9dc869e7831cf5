"""The estimator against the simulator's true total, over seeds.

    python -m benchmarks.estimation --seeds 20 [--linkage oracle|pipeline] [--scale 1]
                                    [--difficulty default] [--criterion aic|bic] [--workdir DIR]
                                    [--cache DIR]

For each seed: write the default scenario, build the victims table, its capture histories and
the estimates, and score the `all` and `sum_of_strata` rows against len(truth/persons.csv) (every
dead person of the scenario, documented or not). Prints per-seed rows, then coverage of the 95%
interval, the distribution of the relative error, the mean interval width, the Chapman check and
the documented count alone.

Two ways to build the victims table:
- `oracle`: perfect linkage of what can be linked, from truth/records.csv: a person's records are
  one victim; a record without a usable name (an unidentified morgue body, an unnamed IBC victim,
  a kunya or relation-only name; the parser's `has_name`) stays a victim of its own, as no linker
  could place it. Bank and date come from truth/persons.csv.
  This tests the estimator alone.
- `pipeline`: the project's parsers and person linkage on the scenario's sources.
Only this benchmark reads truth; the estimator never does.

`--cache DIR` keeps each seed's scenario and, for `--linkage pipeline`, the linker's output
(victims, scored pairs, review queue) under DIR/<difficulty>-s<seed>-x<scale>/, so the estimator
can be iterated on without re-linking (about a minute per seed). A cached scenario or linkage is
reused only while the simulator's (for a linkage: every pipeline source but the estimator's)
files are byte-identical to the code that produced it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.estimate import EstimationConfig, capture_histories, estimate, undecided_links

def simulate(seed: int, out: Path, scale: float, difficulty: str) -> None:
    """The project's scenario simulator, the same one every benchmark and test uses."""
    from pipeline.scenario import simulate as run

    run(seed, out, scale, difficulty)


def unlinkable_records(sources: Path) -> set[str]:
    """Record keys no name-based linker could join to another list: the records whose name the
    pipeline's own name parser finds no usable name in (`has_name` false: an unidentified body, an
    unnamed IBC victim, a name given only by relation or kunya such as "Umm Raed" or "Wife of Ali
    Yasser"). The same definition the linker and the estimator use (victim_clusters.is_linkable),
    so the oracle differs from the pipeline only by linkage errors."""
    from benchmarks.linkage import load_staged
    from pipeline.link.person_records import build_person_records

    records = build_person_records(load_staged(sources))
    return set(records.filter(~pl.col("has_name"))["record_key"])


def oracle_victims(scenario: Path) -> pl.DataFrame:
    """The victims table a perfect linker would build (columns as victim_clusters needs here):
    a person's linkable records are one victim; each unlinkable record stays a victim of its own,
    flagged is_linkable = false, as no linker could place it."""
    persons = pl.read_csv(scenario / "truth" / "persons.csv", infer_schema=False).select(
        "person_id", pl.col("bank").replace("", None), pl.col("date_of_death").str.to_date()
    )
    records = pl.read_csv(scenario / "truth" / "records.csv", infer_schema=False).filter(pl.col("person_id").is_not_null() & (pl.col("person_id") != ""))
    unlinkable = sorted(unlinkable_records(scenario / "sources"))
    records = records.with_columns(
        pl.col("record_key").str.split(":").list.first().alias("source"),
        pl.col("record_key").is_in(unlinkable).alias("alone"),
    ).with_columns(pl.when(pl.col("alone")).then(pl.col("record_key")).otherwise(pl.col("person_id")).alias("victim_id"))
    victims = records.group_by("victim_id").agg(
        pl.col("source").unique().sort().alias("sources"),
        pl.col("person_id").first(),
        (pl.col("alone") & (pl.col("source") == "morgue")).any().alias("is_unidentified"),
        (~pl.col("alone")).any().alias("is_linkable"),
    )
    return victims.join(persons, on="person_id", how="left").sort("victim_id")


LINKED_TABLES = ("victims", "pairs", "review_queue", "person_records")


def code_hash(folder: str | None = None) -> str:
    """A digest of the sources in pipeline/<folder>/, or of every pipeline source but the
    estimator's: a cached output is stale once they change."""
    root = Path(__file__).resolve().parent.parent / "pipeline"
    digest = hashlib.sha256()
    paths = root.glob(f"{folder}/**/*") if folder else (p for p in root.rglob("*") if "estimate" not in p.relative_to(root).parts)
    for path in sorted(p for p in paths if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def link_scenario(scenario: Path) -> dict[str, pl.DataFrame]:
    """The project's parsers and person linkage on the scenario's sources: victims (the
    victim_clusters table), every scored pair, the review queue, and the person records' keys."""
    try:
        from benchmarks.linkage import load_staged
        from pipeline.link.person_records import build_person_records
        from pipeline.link.persons import link_persons
    except ImportError as error:
        raise SystemExit(f"--linkage pipeline needs the parsers and person linkage (pipeline.parse, pipeline.link): {error}") from error
    records = build_person_records(load_staged(scenario / "sources"))
    result = link_persons(records)
    pairs = result.pairs.select("record_key_l", "record_key_r", "match_probability", *[c for c in ("gamma_given",) if c in result.pairs.columns])
    return {
        "victims": result.clusters,
        "pairs": pairs,
        "review_queue": result.review_queue,
        "person_records": records.select("record_key", "source", "has_name", "is_unidentified"),
    }


def pipeline_linkage(scenario: Path, cache: bool) -> dict[str, pl.DataFrame]:
    """link_scenario's tables, from scenario/linked/ when cached by the same linker code."""
    folder = scenario / "linked"
    stamp = folder / "linkage.json"
    code = code_hash()
    if cache and stamp.exists() and json.loads(stamp.read_text()).get("code") == code:
        return {name: pl.read_parquet(folder / f"{name}.parquet") for name in LINKED_TABLES}
    tables = link_scenario(scenario)
    if cache:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            frame.write_parquet(folder / f"{name}.parquet")
        stamp.write_text(json.dumps({"code": code}))
    return tables


def pipeline_histories(scenario: Path, cache: bool = False) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The victims the pipeline's linkage builds, their capture histories as the `capture_histories`
    asset makes them (only named records count as captures), and the victim pairs it left undecided."""
    tables = pipeline_linkage(scenario, cache)
    undecided = undecided_links(tables["review_queue"], tables["person_records"])
    return tables["victims"], capture_histories(tables["victims"], tables["person_records"]), undecided


def scenario_for(seed: int, args, workdir: Path) -> Path:
    """The seed's scenario folder, simulated unless a cached copy is complete."""
    scenario = workdir / f"{args.difficulty}-s{seed}-x{args.scale:g}"
    stamp = scenario / "scenario.json"
    code = code_hash("scenario")
    if getattr(args, "cache", None) and stamp.exists() and json.loads(stamp.read_text()).get("code") == code:
        return scenario
    simulate(seed, scenario, args.scale, args.difficulty)
    stamp.write_text(json.dumps({"code": code}))
    return scenario


def run_seed(seed: int, args, workdir: Path, config: EstimationConfig) -> dict:
    scenario = scenario_for(seed, args, workdir)
    true_total = pl.read_csv(scenario / "truth" / "persons.csv", infer_schema=False).height
    undecided = None  # the oracle decides every link
    if args.linkage == "oracle":
        victims = oracle_victims(scenario)
        histories = capture_histories(victims)  # the oracle leaves every nameless record alone already
    else:
        victims, histories, undecided = pipeline_histories(scenario, args.cache is not None)
    started = time.perf_counter()
    table = estimate(histories, config, undecided)
    seconds = time.perf_counter() - started
    rows = {row["stratum"]: row for row in table.iter_rows(named=True)}
    return {"seed": seed, "true": true_total, "documented": victims.height, "all": rows["all"], "sum": rows["sum_of_strata"], "seconds": seconds}


def summarise(runs: list[dict], key: str, estimate_column: str = "estimate", lower: str = "lower", upper: str = "upper") -> dict:
    scored = [(r[key][estimate_column], r[key][lower], r[key][upper], r["true"]) for r in runs if r[key][estimate_column] is not None]
    if not scored:
        return {"n": 0}
    errors = np.array([(e - t) / t for e, _, _, t in scored])
    return {
        "n": len(scored),
        "coverage": float(np.mean([lo <= t <= hi for _, lo, hi, t in scored])),
        "median_abs_error": float(np.median(np.abs(errors))),
        "quantiles": np.quantile(errors, [0.05, 0.25, 0.5, 0.75, 0.95]),
        "width": float(np.mean([hi - lo for _, lo, hi, _ in scored])),
        "relative_width": float(np.mean([(hi - lo) / t for _, lo, hi, t in scored])),
    }


def print_report(runs: list[dict], args) -> None:
    print(f"\nestimation, linkage {args.linkage}, difficulty {args.difficulty}, scale {args.scale:g}, {len(runs)} seed(s), weights {args.criterion.upper()}, undecided links {'ignored' if args.ignore_undecided else 'at their probability'}")
    print("seed   true  documented   estimate [95% interval]        covered  rel_err   sum_of_strata [95% interval]     covered  chapman   est_s")
    for r in runs:
        a, s = r["all"], r["sum"]
        cells = f"{a['estimate']:>9.0f} [{a['lower']:>7.0f}, {a['upper']:>7.0f}]  {str(a['lower'] <= r['true'] <= a['upper']):>8} {(a['estimate'] - r['true']) / r['true']:>+8.3f}" if a["estimate"] is not None else f"{'not estimable':>44}"
        sums = f"{s['estimate']:>9.0f} [{s['lower']:>7.0f}, {s['upper']:>7.0f}]  {str(s['lower'] <= r['true'] <= s['upper']):>8}" if s["estimate"] is not None else f"{'not estimable':>37}"
        chapman = f"{a['chapman']:>8.0f}" if a["chapman"] is not None else f"{'-':>8}"
        print(f"{r['seed']:>4} {r['true']:>6} {r['documented']:>11}  {cells}  {sums}  {chapman}  {r['seconds']:>5.1f}")
    print("\nrow              n  coverage  median|err|   err q05    q25    q50    q75    q95   mean width (of true)")
    for label, key, columns in (("all", "all", ()), ("sum_of_strata", "sum", ()), ("chapman check", "all", ("chapman", "chapman_lower", "chapman_upper")), ("latent class", "all", ("latent_class", "latent_class_lower", "latent_class_upper"))):
        s = summarise(runs, key, *columns)
        if s["n"] == 0:
            print(f"{label:<15} {0:>3}  not estimable in any seed")
            continue
        q = " ".join(f"{v:>+6.3f}" for v in s["quantiles"])
        print(f"{label:<15} {s['n']:>3}  {s['coverage']:>8.0%}  {s['median_abs_error']:>11.3%}   {q}   {s['width']:>7.0f} ({s['relative_width']:.1%})")
    shortfall = [(r["documented"] - r["true"]) / r["true"] for r in runs]
    print(f"documented alone     coverage 0% (a floor)  median error {statistics.median(shortfall):+.3%}  (min {min(shortfall):+.3%}, max {max(shortfall):+.3%})")
    print(f"mean estimation time {statistics.mean(r['seconds'] for r in runs):.1f} s per scenario")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds first-seed .. first-seed + N - 1")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--difficulty", choices=["default", "hard"], default="default")
    parser.add_argument("--linkage", choices=["oracle", "pipeline"], default="oracle")
    parser.add_argument("--criterion", choices=["aic", "bic"], default="aic")
    parser.add_argument("--ignore-undecided", action="store_true", help="count every victim as one person, ignoring the links the linkage left undecided")
    parser.add_argument("--workdir", type=Path, default=None, help="where scenarios are written (default: a temporary folder)")
    parser.add_argument("--cache", type=Path, default=None, help="keep scenarios and linkage here and reuse them (implies --workdir)")
    args = parser.parse_args()
    config = EstimationConfig(criterion=args.criterion, undecided_links=not args.ignore_undecided)
    with tempfile.TemporaryDirectory(prefix="estimation-bench-") as temporary:
        workdir = args.cache or args.workdir or Path(temporary)
        runs = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            runs.append(run_seed(seed, args, workdir, config))
            a = runs[-1]["all"]
            verdict = f"{a['estimate']:.0f} [{a['lower']:.0f}, {a['upper']:.0f}]" if a["estimate"] is not None else "not estimable"
            print(f"seed {seed}: true {runs[-1]['true']}, estimate {verdict}", flush=True)
        print_report(runs, args)


if __name__ == "__main__":
    main()
