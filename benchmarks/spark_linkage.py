"""Person linkage on DuckDB and on Spark (local mode), side by side: time, peak memory, pairwise F1.

    /work/spark-venv/bin/python -m benchmarks.spark_linkage --seed 7 --scale 10 [--workdir DIR]
        [--backends duckdb,spark] [--spark-master local[2]] [--driver-memory 4g]

Needs an environment with the project's `spark` extra (docs/distributed.md). For each backend
a fresh child process builds the person records from the scenario's newest snapshots and runs
`pipeline.link.persons.link_persons` with that backend, so each gets a cold start and a peak
memory of its own. Reported per backend:

- seconds: person records, link_persons (train / predict / cluster / review queue as it
  reports them), and the whole child process including Spark's start-up;
- peak resident memory: of the Python process (VmHWM; for DuckDB this is everything, the engine
  runs inside it) and, for Spark, of the driver JVM that local mode starts beside it (its
  VmHWM, read before the session stops). Their sum is an upper bound on the driver's peak: the
  two peaks need not fall at the same moment;
- pairwise precision / recall / F1 against the simulator's truth over records with a usable
  name and over all records (pipeline/link/evaluate.py's definitions, as every benchmark), and
  how many victims each backend forms and how many of its links the other backend shares.

Only this benchmark (and the tests) read truth; the linkage never does.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.pipeline import peak_mb, person_linkage_scores, write_scenario


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of a live process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def spark_jvm_pid(backend) -> int | None:
    """The driver JVM's process id (in local mode the driver is also the only executor)."""
    if backend.name != "spark":
        return None
    jvm = backend.api.spark.sparkContext._jvm
    return int(jvm.java.lang.ProcessHandle.current().pid())


def link_once(scenario: Path, backend_name: str, pairs_out: Path) -> dict:
    """One backend, in this process: build person records, link, score, measure."""
    from benchmarks.linkage import load_staged
    from pipeline.link.backend import configured_backend
    from pipeline.link.person_records import build_person_records
    from pipeline.link.persons import link_persons

    started = time.perf_counter()
    records = build_person_records(load_staged(scenario / "sources"))
    built = time.perf_counter()
    backend = configured_backend(backend_name)
    ready = time.perf_counter()
    result = link_persons(records, backend=backend)
    linked = time.perf_counter()
    jvm_pid = spark_jvm_pid(backend)
    jvm_peak = vm_hwm_mb(jvm_pid) if jvm_pid else None
    if backend.name == "spark":
        backend.api.spark.stop()
    _, _, named, everything = person_linkage_scores(scenario, records, result.clusters)
    links = result.links.filter(pl.col("match_probability") >= result.model_summary["match_threshold"]).select("record_key_l", "record_key_r")
    links.write_parquet(pairs_out)
    summary = result.model_summary
    return {
        "backend": backend.name,
        "person_records": len(records),
        "seconds_person_records": round(built - started, 1),
        "seconds_backend_start": round(ready - built, 1),
        "seconds_link": round(linked - ready, 1),
        "seconds_parts": summary.get("seconds", {}),
        "candidate_pairs_scored_above_review_lower": summary.get("pairs_above_review_lower"),
        "python_peak_mb": round(peak_mb()),
        "jvm_peak_mb": None if jvm_peak is None else round(jvm_peak),
        "named": named,
        "all": everything,
        "victims": result.clusters.height,
        "prior": summary.get("probability_two_random_records_match"),
    }


def run_child(scenario: Path, backend: str, pairs_out: Path, python: str, env: dict) -> dict:
    """One backend in a fresh process; its result is the last line it prints."""
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-m", "benchmarks.spark_linkage", "--one", backend, "--scenario", str(scenario), "--pairs-out", str(pairs_out)],
        capture_output=True, text=True, env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{backend} run failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds_process"] = round(time.perf_counter() - started, 1)
    return result


def shared_links(a: Path, b: Path) -> dict:
    """How many links (pairs at or above the match threshold) the two backends have in common."""
    left, right = pl.read_parquet(a), pl.read_parquet(b)
    both = left.join(right, on=["record_key_l", "record_key_r"], how="inner").height
    return {"links_a": left.height, "links_b": right.height, "shared": both}


def print_table(rows: list[dict], label: str) -> None:
    print(f"\n{label}")
    print("backend  records   records_s  start_s   link_s  (train / predict / cluster)  process_s  python_MB  jvm_MB  P / R / F1 named        F1 all   victims")
    for r in rows:
        parts = r["seconds_parts"]
        jvm = "-" if r["jvm_peak_mb"] is None else f"{r['jvm_peak_mb']:,}"
        named = r["named"]
        print(
            f"{r['backend']:<8} {r['person_records']:>7,} {r['seconds_person_records']:>10.1f} {r['seconds_backend_start']:>8.1f} {r['seconds_link']:>8.1f}"
            f"  ({parts.get('train', 0):.1f} / {parts.get('predict', 0):.1f} / {parts.get('cluster', 0):.1f}){'':>10}"
            f" {r['seconds_process']:>9.1f} {r['python_peak_mb']:>10,} {jvm:>7}  {named['precision']:.4f} / {named['recall']:.4f} / {named['f1']:.4f}  {r['all']['f1']:.4f}  {r['victims']:>8,}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=None, help="where the scenario is written (reused if present; default: a temporary folder)")
    parser.add_argument("--backends", default="duckdb,spark")
    parser.add_argument("--spark-master", default=None, help="MOSUL_SPARK_MASTER for the Spark run (default: its own default, local[*])")
    parser.add_argument("--driver-memory", default="4g", help="MOSUL_SPARK_DRIVER_MEMORY for the Spark run")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pairs-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(link_once(args.scenario, args.one, args.pairs_out)))
        return
    env = {**os.environ, "MOSUL_SPARK_DRIVER_MEMORY": args.driver_memory}
    if args.spark_master:
        env["MOSUL_SPARK_MASTER"] = args.spark_master
    with tempfile.TemporaryDirectory(prefix="spark-linkage-") as temporary:
        workdir = args.workdir or Path(temporary)
        scenario = workdir / f"s{args.seed}-x{args.scale:g}"
        write_scenario(args.seed, args.scale, scenario)
        rows, pair_files = [], []
        for backend in args.backends.split(","):
            pair_files.append(Path(temporary) / f"links-{backend}.parquet")
            rows.append(run_child(scenario, backend, pair_files[-1], sys.executable, env))
            print(json.dumps(rows[-1]), flush=True)
        print_table(rows, f"person linkage, seed {args.seed}, scale {args.scale:g}, Spark master {env.get('MOSUL_SPARK_MASTER', 'local[*]')}, driver memory {args.driver_memory}")
        if len(rows) == 2:
            agreement = shared_links(*pair_files)
            print(f"links at or above the match threshold: {rows[0]['backend']} {agreement['links_a']:,}, {rows[1]['backend']} {agreement['links_b']:,}, in both {agreement['shared']:,}")
        if args.json:
            args.json.write_text(json.dumps({"seed": args.seed, "scale": args.scale, "runs": rows, "load_average": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
