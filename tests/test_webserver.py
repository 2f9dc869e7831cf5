"""The real web UI: started on a free loopback port, asked over GraphQL for every asset and its
upstream dependencies; then one asset materialised on demand through the CLI."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
QUERY = "{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def environment(samples_root, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {**os.environ, "DAGSTER_HOME": str(home), "MOSUL_SOURCES": str(samples_root), "MOSUL_WAREHOUSE": str(tmp_path / "warehouse")}


def test_webserver_lists_every_asset_with_its_dependencies(environment):
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-m", "pipeline", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline, nodes = time.time() + 90, None
        while time.time() < deadline and nodes is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": QUERY}).encode(), headers={"Content-Type": "application/json"})
                nodes = json.load(urllib.request.urlopen(request, timeout=5))["data"]["assetNodes"]
            except (OSError, KeyError, TypeError):
                time.sleep(1)
        assert nodes, "the web server did not answer"
        by_name = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        assert {"raw_morgue", "staged_morgue", "person_records", "victims", "incidents", "estimates", "report", "warehouse_db"} <= set(by_name)
        deps = lambda name: {"/".join(d["path"]) for d in by_name[name]["dependencyKeys"]}  # noqa: E731
        assert "raw_morgue" in deps("staged_morgue")
        assert "person_records" in deps("victim_clusters")
        assert {"victim_clusters", "incidents"} <= deps("victims")
        assert "victims" in deps("capture_histories")
        assert {by_name[n]["groupName"] for n in by_name} == {"raw", "staged", "linked", "attributed", "estimated", "reported"}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_one_asset_on_demand_through_the_cli(environment):
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "pipeline", "--select", "raw_morgue,staged_morgue,rejects_morgue"],
        cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "RUN_SUCCESS" in result.stderr
    warehouse = Path(environment["MOSUL_WAREHOUSE"])
    assert (warehouse / "staged_morgue.parquet").exists() and not (warehouse / "victims.parquet").exists()
