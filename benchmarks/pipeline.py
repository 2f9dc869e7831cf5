"""Every stage against the simulator's truth and the clock, over seeds and scales.

    python -m benchmarks.pipeline --seeds 5 [--scales 1,10] [--dagster]

For each scenario: wall time and peak memory per stage (ingest+stage, person records, link
people, link incidents, attribute, estimate, report), run as plain functions outside Dagster;
with --dagster also the full cold `dagster asset materialize` of the same scenario, so the
orchestration's own overhead is a measured figure. Accuracy: person linkage (pairwise P/R/F1 on
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
from pipeline.attribute import attribute_incidents, attribute_victims, link_victims_to_incidents, load_policy
from pipeline.estimate import capture_histories, estimate
from pipeline.link.evaluate import explode_clusters, named_keys, pairwise_scores
from pipeline.link.incidents import link_incidents
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons
from pipeline.parse.official import parse_cjtf_assessments, parse_official_claims
from pipeline.parse.un import parse_un
from pipeline.report import build_report
from pipeline.scenario import simulate
from pipeline.tallies import build_tallies

PARTIES = ("coalition_or_iraqi", "islamic_state", "undetermined")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def newest(root: Path, source: str) -> Path:
    return sorted((root / source).iterdir())[-1]


def run_scenario(seed: int, scale: float, workdir: Path, dagster: bool) -> dict:
    scenario = workdir / f"s{seed}-x{scale:g}"
    simulate(seed, scenario, scale)
    sources = scenario / "sources"
    times: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        times[stage] = now - clock
        clock = now

    staged = load_staged(sources)
    staged.update(parse_cjtf_assessments(newest(sources, "official") / "cjtf_assessments.csv", "s").tables)
    staged.update(parse_official_claims(newest(sources, "official") / "claims.csv", "s").tables)
    staged.update(parse_un(newest(sources, "un") / "casualties.csv", "s").tables)
    lap("ingest+stage")
    records = build_person_records(staged)
    lap("person records")
    people = link_persons(records)
    lap("link people")
    incidents = link_incidents(staged, people.clusters)
    lap("link incidents")
    policy = load_policy()
    attributed = attribute_incidents(incidents.incidents, incidents.membership, staged, policy)
    victims = attribute_victims(people.clusters, link_victims_to_incidents(people.clusters, attributed, incidents.membership, policy, records), attributed, policy)
    tallies = build_tallies(victims, staged)
    lap("attribute")
    estimates = estimate(capture_histories(victims))
    lap("estimate")
    build_report(victims, attributed, tallies["tallies"], estimates, tallies["official_comparison"], tallies["un_crosscheck"])
    lap("report")
    memory = peak_mb()

    truth = pl.read_csv(scenario / "truth" / "records.csv", infer_schema=False).with_columns(pl.col("person_id").replace("", None))
    person_truth = truth.filter(pl.col("person_id").is_not_null()).select("record_key", "person_id")
    # The definitions of pipeline/link/evaluate.py, as in benchmarks/linkage.py.
    named = named_keys(records)
    sources = records.select("record_key", "source")
    assignment = explode_clusters(people.clusters)
    linkage_named = pairwise_scores(assignment.filter(pl.col("record_key").is_in(named.implode())), person_truth, sources)
    linkage_all = pairwise_scores(assignment, person_truth, sources)
    incident_truth = truth.filter(pl.col("person_id").is_null()).select("record_key", pl.col("incident_id").alias("person_id"))
    incident_scores = pairwise_scores(incidents.membership.select("record_key", pl.col("incident_id").alias("victim_id")), incident_truth)
    persons = pl.read_csv(scenario / "truth" / "persons.csv", infer_schema=False)
    by_victim = victims.select("victim_id", "party", pl.col("record_keys").list.first().alias("record_key")).join(person_truth, on="record_key").join(
        persons.select("person_id", pl.col("party").alias("true_party")), on="person_id"
    )
    decided = by_victim.filter(pl.col("party") != "undetermined")
    overall = estimates.filter(pl.col("stratum") == "all").row(0, named=True)
    true_total = persons.height
    result = {
        "seed": seed, "scale": scale, "times": times, "peak_mb": memory, "person_records": records.height,
        "linkage_named": linkage_named, "linkage_all": linkage_all, "incidents": incident_scores,
        "attribution_accuracy": float((by_victim["party"] == by_victim["true_party"]).mean()),
        "attribution_accuracy_decided": float((decided["party"] == decided["true_party"]).mean()) if decided.height else float("nan"),
        "shares": {p: float((victims["party"] == p).mean()) for p in PARTIES},
        "true_shares": {p: float((persons["party"] == p).mean()) for p in PARTIES},
        "confusion": by_victim.group_by("true_party", "party").len().sort("true_party", "party").rows(),
        "estimate": overall["estimate"], "lower": overall["lower"], "upper": overall["upper"], "true_total": true_total,
        "documented": overall["documented"],
    }
    if dagster:
        env = {**os.environ, "MOSUL_SOURCES": str(sources), "MOSUL_WAREHOUSE": str(scenario / "warehouse"), "DAGSTER_HOME": str(workdir / "dagster_home")}
        (workdir / "dagster_home").mkdir(exist_ok=True)
        (workdir / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "dagster", "asset", "materialize", "-m", "pipeline", "--select", "*"], env=env, check=True, capture_output=True)
        result["dagster_seconds"] = time.perf_counter() - started
    return result


def report(runs: list[dict]) -> None:
    stages = list(runs[0]["times"])
    print("\n## wall time per stage (seconds, outside Dagster) and peak memory")
    print("seed scale records " + " ".join(f"{s[:14]:>14}" for s in stages) + "    total  peak_MB  dagster_s")
    for r in runs:
        total = sum(r["times"].values())
        print(f"{r['seed']:>4} {r['scale']:>5g} {r['person_records']:>7} " + " ".join(f"{r['times'][s]:>14.2f}" for s in stages) + f" {total:>8.1f} {r['peak_mb']:>8.0f} {r.get('dagster_seconds', float('nan')):>10.1f}")
    print("\n## accuracy against truth")
    print("seed scale  link_P(named) link_R(named) link_F1(named) cross_R(named) link_R(all) link_F1(all)  incident_F1  attr_acc  attr_acc(decided)  estimate [95% interval]  true_total  covered  rel_err")
    for r in runs:
        covered = r["lower"] <= r["true_total"] <= r["upper"]
        error = (r["estimate"] - r["true_total"]) / r["true_total"]
        print(f"{r['seed']:>4} {r['scale']:>5g}  {r['linkage_named']['precision']:>13.4f} {r['linkage_named']['recall']:>13.4f} {r['linkage_named']['f1']:>14.4f} {r['linkage_named']['cross_list_recall']:>14.4f} {r['linkage_all']['recall']:>11.4f} {r['linkage_all']['f1']:>12.4f} {r['incidents']['f1']:>12.4f} {r['attribution_accuracy']:>9.3f} {r['attribution_accuracy_decided']:>18.3f}  {r['estimate']:>8.0f} [{r['lower']:.0f}, {r['upper']:.0f}] {r['true_total']:>10} {str(covered):>8} {error:>+8.3f}")
    print("\n## party shares (pipeline vs truth), mean over runs")
    for party in PARTIES:
        print(f"{party:<20} {statistics.mean(r['shares'][party] for r in runs):.3f} vs {statistics.mean(r['true_shares'][party] for r in runs):.3f}")
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
    parser.add_argument("--dagster", action="store_true", help="also time the full Dagster build of each scenario")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as temporary:
        runs = []
        for scale in [float(s) for s in args.scales.split(",")]:
            for seed in range(1, args.seeds + 1):
                runs.append(run_scenario(seed, scale, Path(temporary), args.dagster))
                print(f"seed {seed} scale {scale:g} done", flush=True)
        report(runs)


if __name__ == "__main__":
    main()
