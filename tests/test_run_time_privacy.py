"""A real build, as a user runs it, with the network cut off: it must succeed without trying to
reach anything beyond the machine, and nothing it logs (stdout, stderr, the compute logs and
every file under DAGSTER_HOME, the event log's messages and metadata) may name a victim.

The build runs in a fresh network namespace when the kernel allows one (`unshare -rn`: no
interface but loopback, so even native code cannot get out), and always under
tests/network_guard/sitecustomize.py, which refuses and records every non-loopback connection
or name lookup made from Python, including ones the program would catch and ignore.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster._serdes import serialize_value

from pipeline.scenario import simulate

PROJECT = Path(__file__).resolve().parent.parent
GUARD = Path(__file__).resolve().parent / "network_guard"
NAME_COLUMNS = {
    "staged_morgue": ("name_original", "name_ar"),
    "staged_airwars_victims": ("name_original", "name_latin", "name_ar_original", "name_ar"),
    "staged_ibc_victims": ("name_original", "name_latin"),
    "staged_amnesty_victims": ("name_original", "name_latin"),
    "person_records": ("name_original", "name_ar", "name_latin"),
}


def network_namespace() -> list[str]:
    """`unshare -rn` with loopback up, if this kernel lets an unprivileged user have one."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if not unshare or not ip or subprocess.run([unshare, "-rn", ip, "link", "set", "lo", "up"], capture_output=True).returncode != 0:
        return []
    return [unshare, "-rn", "sh", "-c", f'{ip} link set lo up && exec "$@"', "sh"]


@pytest.fixture(scope="module")
def guarded_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    simulate(5, root, scale=0.1)
    home = root / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    attempts = root / "network_attempts.log"
    env = {
        **os.environ, "PYTHONPATH": os.pathsep.join([str(GUARD), str(PROJECT)]), "MOSUL_NETWORK_ATTEMPTS": str(attempts),
        "MOSUL_SOURCES": str(root / "sources"), "MOSUL_WAREHOUSE": str(root / "warehouse"), "MOSUL_DECISIONS": str(root / "decisions.csv"), "DAGSTER_HOME": str(home),
    }
    isolation = network_namespace()
    command = [*isolation, str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "pipeline", "--select", "*"]
    result = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)
    return root, home, attempts, result, bool(isolation)


def test_the_guard_refuses_the_network_and_records_the_attempt(tmp_path):
    """The guard is live in a child process: a connection out is refused and recorded, loopback is not."""
    attempts = tmp_path / "attempts.log"
    probe = (
        "import socket\n"
        "try:\n    socket.create_connection(('192.0.2.1', 443), timeout=1)\nexcept OSError as e:\n    print('refused' if 'refused at run time' in str(e) else 'other')\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); socket.create_connection(s.getsockname(), timeout=1).close(); print('loopback ok')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(GUARD), "MOSUL_NETWORK_ATTEMPTS": str(attempts)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["refused", "loopback", "ok"], out.stderr
    assert "192.0.2.1" in attempts.read_text()


def test_a_build_needs_no_network(guarded_build):
    root, home, attempts, result, isolated = guarded_build
    assert result.returncode == 0, result.stderr[-3000:]
    assert "RUN_SUCCESS" in result.stderr
    assert not attempts.exists() or attempts.read_text() == "", attempts.read_text()
    assert (root / "warehouse" / "warehouse.duckdb").exists()


def victim_names(warehouse: Path) -> set[str]:
    """Every full name (two words or more) the staged tables and person records hold, Arabic and Latin."""
    names: set[str] = set()
    for table, columns in NAME_COLUMNS.items():
        frame = pl.read_parquet(warehouse / f"{table}.parquet")
        if "is_unidentified" in frame.columns:
            frame = frame.filter(~pl.col("is_unidentified"))
        for column in columns:
            names.update(n.strip() for n in frame[column].drop_nulls().to_list() if len(n.split()) >= 2)
    return names


def logged_text(home: Path, result: subprocess.CompletedProcess) -> str:
    """Everything the build logged: its output, every file under DAGSTER_HOME (compute logs,
    the run and event-log databases) and, decoded, every event of every run."""
    parts = [result.stdout, result.stderr]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix in {".out", ".err", ".complete"} or "compute_logs" in p.parts for p in files), "no compute logs were captured"
    parts += [p.read_bytes().decode("utf-8", errors="replace") for p in files]
    instance = dg.DagsterInstance.from_config(str(home))
    runs = instance.get_runs()
    assert runs
    for run in runs:
        events = instance.all_logs(run.run_id)
        assert len(events) > 50
        # JSON-decoded, so Arabic stored as \\u escapes is searched as Arabic.
        parts += [json.dumps(json.loads(serialize_value(event)), ensure_ascii=False) for event in events]
    return "\n".join(parts)


def test_logs_do_not_name_any_victim(guarded_build):
    root, home, attempts, result, isolated = guarded_build
    assert result.returncode == 0, result.stderr[-3000:]
    names = victim_names(root / "warehouse")
    assert len(names) > 500 and any("\u0600" <= n[0] <= "\u06ff" for n in names) and any(n[0].isascii() for n in names)
    text = logged_text(home, result)
    escaped = text.replace("\\\\", "\\")
    leaked = sorted(n for n in names if n in text or json.dumps(n)[1:-1] in escaped)
    assert leaked == [], f"{len(leaked)} victims' names in the logs, e.g. {leaked[:5]}"


def test_the_report_and_the_data_docs_do_not_name_any_victim(guarded_build):
    """The two files meant for readers outside the team: the HTML report and the great-expectations Data Docs."""
    root, home, attempts, result, isolated = guarded_build
    warehouse = root / "warehouse"
    names = victim_names(warehouse)
    pages = [warehouse / "report.html", *(warehouse / "data_docs").rglob("*.html"), *(warehouse / "data_docs").rglob("*.json")]
    assert len(pages) > 2
    leaked = {}
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace")
        found = [n for n in names if n in text or json.dumps(n)[1:-1] in text]
        if found:
            leaked[str(page.relative_to(warehouse))] = found[:3]
    assert leaked == {}


def test_the_ui_binds_loopback_and_the_instance_sends_no_telemetry():
    """`make ui` serves on 127.0.0.1 only, and the project's instance settings turn telemetry off."""
    make = subprocess.run(["make", "-n", "ui"], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    server = [line for line in make.stdout.splitlines() if "dagster dev" in line]
    assert server and all("-h 127.0.0.1" in line for line in server), make.stdout
    import yaml

    settings = yaml.safe_load((PROJECT / "dagster.yaml").read_text())
    assert settings["telemetry"]["enabled"] is False
