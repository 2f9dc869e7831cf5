"""Every stage against the simulator's truth and the clock, over seeds and scales.

    python -m benchmarks.pipeline --seeds 1 --scales 1,10,100 --dagster --compare-recordlinkage [--workdir DIR]

For each scenario (the simulator runs in its own process, `--scale` times the default): wall
time and peak resident memory per stage (ingest, stage, link people, link incidents, attribute,
estimate, report), run as plain functions outside Dagster; link people broken down (person
records, train, predict, cluster, review queue). With --dagster also the full cold `dagster
asset materialize` of the same scenario (at 1x by default), so the orchestration's own overhead
is a measured figure; with --compare-recordlinkage the same person records linked by the
recordlinkage toolkit with the same blocking (benchmarks/recordlinkage_compare.py). Accuracy: person linkage (pairwise P/R/F1 on
records with a usable name, and on all records), incident linkage pairwise F1, attribution
accuracy and party shares against truth with the confusion matrix, and whether the estimate's
95% interval covers the true total. Only this benchmark reads truth.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.linkage import load_staged
from pipeline.attribute import attribute_incidents, attribute_victims, load_policy
from pipeline.estimate import capture_histories, estimate, undecided_links
from pipeline.link.evaluate import explode_clusters, named_keys, pairwise_scores
from pipeline.link.incidents import link_incidents
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons
from pipeline.parse.official import parse_cjtf_assessments, parse_official_claims
from pipeline.parse.un import parse_un
from pipeline.report import build_report
from pipeline.snapshots import RAW_FILES, current_file, list_snapshots
from assets.raw import manifest
from pipeline.tallies import build_tallies
from pipeline.victim_incidents import link_victims_to_incidents

PARTIES = ("coalition_or_iraqi", "islamic_state", "undetermined")


def peak_mb() -> float:
    """Peak resident memory of this process since start, or since the last reset_peak()."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS, so each stage's peak is its own."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def write_scenario(seed: int, scale: float, scenario: Path) -> float:
    """The simulator in its own process (its memory is not the pipeline's); reused if present."""
    if (scenario / "truth" / "records.csv").exists():
        return float("nan")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.scenario", "--seed", str(seed), "--scale", str(scale), "--out", str(scenario)], check=True, capture_output=True)
    return time.perf_counter() - started


def newest(root: Path, source: str) -> Path:
    return sorted((root / source).iterdir())[-1]


STAGES = ("ingest", "stage", "link people", "link incidents", "attribute", "estimate", "report")


def person_linkage_scores(scenario: Path, records: pl.DataFrame, clusters: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, dict, dict]:
    """(truth records, person truth, pairwise scores on named records, on all records)."""
    truth = pl.read_csv(scenario / "truth" / "records.csv", infer_schema=False).with_columns(pl.col("person_id").replace("", None))
    person_truth = truth.filter(pl.col("person_id").is_not_null()).select("record_key", "person_id")
    # The definitions of pipeline/link/evaluate.py, as in benchmarks/linkage.py.
    named = named_keys(records)
    sources = records.select("record_key", "source")
    assignment = explode_clusters(clusters)
    return truth, person_truth, pairwise_scores(assignment.filter(pl.col("record_key").is_in(named.implode())), person_truth, sources), pairwise_scores(assignment, person_truth, sources)


def run_scenario(seed: int, scale: float, workdir: Path, dagster: bool, people_only: bool = False) -> dict:
    """people_only: stop after linking people (the stages after it are reported as not run)."""
    scenario = workdir / f"s{seed}-x{scale:g}"
    simulate_seconds = write_scenario(seed, scale, scenario)
    sources = scenario / "sources"
    times: dict[str, float] = {}
    peaks: dict[str, float] = {}
    reset_peak()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[stage] = now - clock
        peaks[stage] = peak_mb()
        reset_peak()
        clock = time.perf_counter()

    manifests = [manifest(current_file(sources, raw), list_snapshots(sources, raw.source)) for raw in RAW_FILES]
    lap("ingest")
    staged = load_staged(sources)
    staged.update(parse_cjtf_assessments(newest(sources, "official") / "cjtf_assessments.csv", "s").tables)
    staged.update(parse_official_claims(newest(sources, "official") / "claims.csv", "s").tables)
    staged.update(parse_un(newest(sources, "un") / "casualties.csv", "s").tables)
    lap("stage")
    # Person records (name parsing, the learned lexicon) are part of linking people, as in the
    # person_records asset that feeds person linkage.
    records_started = time.perf_counter()
    records = build_person_records(staged)
    records_seconds = time.perf_counter() - records_started
    people = link_persons(records)
    link_persons_seconds = time.perf_counter() - records_started - records_seconds
    lap("link people")
    if people_only:
        _, person_truth, linkage_named, linkage_all = person_linkage_scores(scenario, records, people.clusters)
        return {
            "seed": seed, "scale": scale, "times": times, "peaks": peaks, "peak_mb": max(peaks.values()), "person_records": records.height,
            "simulate_seconds": simulate_seconds, "link_seconds": {"person records": records_seconds, **people.model_summary.get("seconds", {})},
            "linkage_named": linkage_named, "linkage_all": linkage_all, "people_only": True,
            "records": records, "person_truth": person_truth, "clusters": people.clusters, "link_people_seconds": link_persons_seconds,
        }
    incidents = link_incidents(staged, people.clusters)
    lap("link incidents")
    policy = load_policy()
    attributed = attribute_incidents(incidents.incidents, incidents.membership, staged, policy)
    victims = attribute_victims(people.clusters, link_victims_to_incidents(people.clusters, attributed, incidents.membership, policy, records, staged["staged_morgue"]), attributed, policy)
    tallies = build_tallies(victims, staged)
    lap("attribute")
    estimates = estimate(capture_histories(victims, records), undecided=undecided_links(people.review_queue, records))
    lap("estimate")
    build_report(victims, attributed, tallies["tallies"], estimates, tallies["official_comparison"], tallies["un_crosscheck"])
    lap("report")
    memory = max(peaks.values())

    truth, person_truth, linkage_named, linkage_all = person_linkage_scores(scenario, records, people.clusters)
    incident_truth = truth.filter(pl.col("person_id").is_null()).select("record_key", pl.col("incident_id").alias("person_id"))
    incident_scores = pairwise_scores(incidents.membership.select("record_key", pl.col("incident_id").alias("victim_id")), incident_truth)
    persons = pl.read_csv(scenario / "truth" / "persons.csv", infer_schema=False)
    by_victim = victims.select("victim_id", "party", pl.col("record_keys").list.first().alias("record_key")).join(person_truth, on="record_key").join(
        persons.select("person_id", pl.col("party").alias("true_party")), on="person_id"
    )
    decided = by_victim.filter(pl.col("party") != "undetermined")
    # The reading "victims whose true party is known": the simulator knows no side for
    # crossfire deaths of unknown origin, so this counts only victims truly killed by one side.
    one_side = by_victim.filter(pl.col("true_party") != "undetermined")
    overall = estimates.filter(pl.col("stratum") == "all").row(0, named=True)
    true_total = persons.height
    result = {
        "seed": seed, "scale": scale, "times": times, "peaks": peaks, "peak_mb": memory, "person_records": records.height,
        "simulate_seconds": simulate_seconds, "link_seconds": {"person records": records_seconds, **people.model_summary.get("seconds", {})},
        "linkage_named": linkage_named, "linkage_all": linkage_all, "incidents": incident_scores,
        "attribution_accuracy": float((by_victim["party"] == by_victim["true_party"]).mean()),
        "attribution_accuracy_decided": float((decided["party"] == decided["true_party"]).mean()) if decided.height else float("nan"),
        "attribution_accuracy_one_side": float((one_side["party"] == one_side["true_party"]).mean()) if one_side.height else float("nan"),
        "shares": {p: float((victims["party"] == p).mean()) for p in PARTIES},
        "true_shares": {p: float((persons["party"] == p).mean()) for p in PARTIES},
        "confusion": by_victim.group_by("true_party", "party").len().sort("true_party", "party").rows(),
        "ceiling": attribution_ceiling(victims, attributed, incidents.membership, truth, person_truth, persons, policy),
        "estimate": overall["estimate"], "lower": overall["lower"], "upper": overall["upper"], "true_total": true_total,
        "documented": overall["documented"],
        # for the recordlinkage comparison (dropped after it):
        "records": records, "person_truth": person_truth, "clusters": people.clusters, "link_people_seconds": link_persons_seconds,
    }
    if dagster:
        env = {**os.environ, "MOSUL_SOURCES": str(sources), "MOSUL_WAREHOUSE": str(scenario / "warehouse"), "DAGSTER_HOME": str(workdir / "dagster_home")}
        (workdir / "dagster_home").mkdir(exist_ok=True)
        (workdir / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dagster", "asset", "materialize", "-m", "pipeline", "--select", "*"], env=env, check=True, capture_output=True)
        result["dagster_seconds"] = time.perf_counter() - started
    return result


def attribution_ceiling(victims: pl.DataFrame, attributed: pl.DataFrame, membership: pl.DataFrame, truth: pl.DataFrame, person_truth: pl.DataFrame, persons: pl.DataFrame, policy) -> dict:
    """What attribution could reach with these incidents and this policy if every victim were
    linked to the incident it truly died in whenever a source reported that incident (an oracle
    for the victim-to-incident step only); the rest take the morgue cause's side or stay
    undetermined, as the policy says. It separates what better linking could still win from what
    the scenario's evidence cannot give: the dead of incidents no source reported."""
    incident_truth = truth.filter(pl.col("person_id").is_null()).select("record_key", pl.col("incident_id").alias("true_incident"))
    ours = membership.join(incident_truth, on="record_key").group_by("true_incident").agg(pl.col("incident_id").mode().sort().first())
    cause_party = pl.col("cause").replace_strict(policy.cause_parties, default=None, return_dtype=pl.String)
    oracle = victims.select(pl.col("record_keys").list.first().alias("record_key"), pl.col("causes").list.first().alias("cause")).join(person_truth, on="record_key").join(
        persons.select("person_id", pl.col("party").alias("true_party"), pl.col("incident_id").alias("true_incident")), on="person_id"
    ).join(ours, on="true_incident", how="left").join(attributed.select("incident_id", pl.col("party").alias("incident_party")), on="incident_id", how="left").with_columns(
        pl.coalesce("incident_party", cause_party, pl.lit("undetermined")).alias("party")
    )
    one_side = oracle.filter(pl.col("true_party") != "undetermined")
    return {
        "accuracy": float((oracle["party"] == oracle["true_party"]).mean()),
        "accuracy_one_side": float((one_side["party"] == one_side["true_party"]).mean()) if one_side.height else float("nan"),
        "reported_share": float(oracle["incident_id"].is_not_null().mean()),
        "shares": {p: float((oracle["party"] == p).mean()) for p in PARTIES},
    }


def machine() -> str:
    """Cores, memory and CPU model of this machine, for the table's caption."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "unknown CPU")
    memory = next((int(line.split()[1]) / 1024**2 for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), float("nan"))
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GB RAM, Python {sys.version.split()[0]}"


def scale_table(runs: list[dict]) -> None:
    """The one table of the issue: per scale, wall time per stage, peak memory, linkage accuracy,
    and at the scales built with --dagster the Dagster build and its overhead."""
    stages = STAGES
    print("\n## per scale: wall time per stage (s, plain functions), peak memory, linkage accuracy, Dagster")
    header = ["scale", "records", *stages, "total", "peak MB", "link P/R/F1 named", "link F1 all", "incident F1", "dagster s", "overhead s"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in runs:
        total = sum(r["times"].values())
        named = r["linkage_named"]
        dagster = r.get("dagster_seconds")
        cells = [
            f"{r['scale']:g}x", f"{r['person_records']:,}", *(f"{r['times'][s]:.1f}" if s in r["times"] else "not run" for s in stages),
            f"{total:.1f}" + (" (to link people)" if r.get("people_only") else ""), f"{r['peak_mb']:,.0f}",
            f"{named['precision']:.3f} / {named['recall']:.3f} / {named['f1']:.3f}", f"{r['linkage_all']['f1']:.3f}",
            "not run" if r.get("people_only") else f"{r['incidents']['f1']:.3f}",
            "" if dagster is None else f"{dagster:.1f}", "" if dagster is None else f"{dagster - total:+.1f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print("\nseed, peak MB per stage, link people broken down (s), simulator (s, separate process):")
    for r in runs:
        peaks = ", ".join(f"{s} {r['peaks'][s]:,.0f}" for s in stages if s in r["peaks"])
        link = ", ".join(f"{k} {v:.1f}" for k, v in r["link_seconds"].items())
        print(f"  {r['scale']:g}x seed {r['seed']}: peaks [{peaks}]; link people [{link}]; simulate {r['simulate_seconds']:.1f}")


def report(runs: list[dict]) -> None:
    scale_table(runs)
    runs = [r for r in runs if not r.get("people_only")]
    if not runs:
        return
    print("\n## accuracy against truth")
    print("seed scale  link_P(named) link_R(named) link_F1(named) cross_R(named) link_R(all) link_F1(all)  incident_F1  attr_acc  attr_acc(decided)  attr_acc(one side)  estimate [95% interval]  true_total  covered  rel_err")
    for r in runs:
        covered = r["lower"] <= r["true_total"] <= r["upper"]
        error = (r["estimate"] - r["true_total"]) / r["true_total"]
        print(f"{r['seed']:>4} {r['scale']:>5g}  {r['linkage_named']['precision']:>13.4f} {r['linkage_named']['recall']:>13.4f} {r['linkage_named']['f1']:>14.4f} {r['linkage_named']['cross_list_recall']:>14.4f} {r['linkage_all']['recall']:>11.4f} {r['linkage_all']['f1']:>12.4f} {r['incidents']['f1']:>12.4f} {r['attribution_accuracy']:>9.3f} {r['attribution_accuracy_decided']:>18.3f} {r['attribution_accuracy_one_side']:>19.3f}  {r['estimate']:>8.0f} [{r['lower']:.0f}, {r['upper']:.0f}] {r['true_total']:>10} {str(covered):>8} {error:>+8.3f}")
    print("\n## party shares (pipeline vs truth), mean over runs")
    for party in PARTIES:
        print(f"{party:<20} {statistics.mean(r['shares'][party] for r in runs):.3f} vs {statistics.mean(r['true_shares'][party] for r in runs):.3f}")
    print("\n## attribution ceiling: perfect victim-to-incident linkage with these incidents and this policy, mean over runs")
    print(f"accuracy {statistics.mean(r['ceiling']['accuracy'] for r in runs):.3f} (pipeline {statistics.mean(r['attribution_accuracy'] for r in runs):.3f}); over victims truly killed by one side {statistics.mean(r['ceiling']['accuracy_one_side'] for r in runs):.3f} (pipeline {statistics.mean(r['attribution_accuracy_one_side'] for r in runs):.3f}); victims of an incident some source reported {statistics.mean(r['ceiling']['reported_share'] for r in runs):.3f}")
    print("shares " + ", ".join(f"{party} {statistics.mean(r['ceiling']['shares'][party] for r in runs):.3f}" for party in PARTIES))
    print("\n## confusion matrix (true party -> assigned party), first run")
    for true, assigned, count in runs[0]["confusion"]:
        print(f"{true:<20} -> {assigned:<20} {count:>6}")
    coverage = statistics.mean((r["lower"] <= r["true_total"] <= r["upper"]) for r in runs)
    errors = sorted(abs(r["estimate"] - r["true_total"]) / r["true_total"] for r in runs)
    print(f"\ninterval coverage {coverage:.2f}; median |relative error| {statistics.median(errors):.3f}; mean interval width {statistics.mean(r['upper'] - r['lower'] for r in runs):.0f}; documented alone misses by {statistics.mean((r['true_total'] - r['documented']) / r['true_total'] for r in runs):+.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--scales", default="1")
    parser.add_argument("--dagster", action="store_true", help="also time the full cold Dagster build at the scales up to --dagster-max-scale")
    parser.add_argument("--dagster-max-scale", type=float, default=1.0)
    parser.add_argument("--compare-recordlinkage", action="store_true", help="also link the same records with recordlinkage at the scales up to --compare-max-scale")
    parser.add_argument("--compare-max-scale", type=float, default=10.0)
    parser.add_argument("--people-only-above", type=float, default=float("inf"), help="above this scale run only ingest, stage and link people (to measure person linkage alone; default: every stage at every scale)")
    parser.add_argument("--workdir", type=Path, help="keep scenarios here and reuse them (default: a temporary folder)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        runs, comparisons = [], []
        for scale in [float(s) for s in args.scales.split(",")]:
            for seed in range(1, args.seeds + 1):
                run = run_scenario(seed, scale, workdir, args.dagster and scale <= args.dagster_max_scale, scale > args.people_only_above)
                runs.append(run)
                if args.compare_recordlinkage and scale <= args.compare_max_scale:
                    from benchmarks.recordlinkage_compare import compare

                    comparisons.append((scale, seed, compare(run["records"], run["person_truth"], run["link_people_seconds"], run["clusters"])))
                for bulky in ("records", "person_truth", "clusters"):
                    run.pop(bulky)
                print(f"seed {seed} scale {scale:g} done", flush=True)
        report(runs)
        if comparisons:
            from benchmarks.recordlinkage_compare import print_comparison

            print_comparison(comparisons)


if __name__ == "__main__":
    main()
