import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipeline.io import publish_duckdb, table_path, write_parquet_atomic
from pipeline.settings import UnsafePathError, check_decisions_path, inside


def test_inside_refuses_escapes(tmp_path):
    assert inside(tmp_path, "victims.parquet") == (tmp_path / "victims.parquet").resolve()
    with pytest.raises(UnsafePathError):
        inside(tmp_path, "../elsewhere.parquet")
    with pytest.raises(UnsafePathError):
        table_path(tmp_path, "../../etc/passwd")


def test_inside_refuses_a_symlink_that_leads_out(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    (warehouse / "victims.parquet").symlink_to(outside / "victims.parquet")
    with pytest.raises(UnsafePathError):
        table_path(warehouse, "victims")


def test_decisions_path_must_be_a_csv_file(tmp_path):
    assert check_decisions_path(tmp_path / "decisions.csv").name == "decisions.csv"
    with pytest.raises(UnsafePathError):
        check_decisions_path(tmp_path / "decisions.sh")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(UnsafePathError):
        check_decisions_path(tmp_path / "dir.csv")


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    frame = pl.DataFrame({"a": [1, 2]})
    write_parquet_atomic(frame, tmp_path / "t.parquet")
    write_parquet_atomic(frame.with_columns(pl.col("a") * 2), tmp_path / "t.parquet")
    assert pl.read_parquet(tmp_path / "t.parquet")["a"].to_list() == [2, 4]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.parquet"]


def test_a_write_killed_midway_leaves_the_old_table(tmp_path):
    """A real process is killed while writing; the table on disk is still the old one, whole."""
    target = tmp_path / "t.parquet"
    write_parquet_atomic(pl.DataFrame({"a": [1]}), target)
    script = (
        "import os, polars as pl\n"
        "from pipeline.io import atomic_path\n"
        f"with atomic_path({str(target)!r}) as tmp:\n"
        "    pl.DataFrame({'a': list(range(100000))}).write_parquet(tmp)\n"
        "    os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    assert proc.returncode == 9
    assert pl.read_parquet(target)["a"].to_list() == [1]


def test_duckdb_is_published_whole(tmp_path):
    write_parquet_atomic(pl.DataFrame({"victim_id": ["v-1"], "n": [1]}), tmp_path / "victims.parquet")
    write_parquet_atomic(pl.DataFrame({"incident_id": ["i-1"]}), tmp_path / "incidents.parquet")
    db = publish_duckdb(tmp_path, ["victims", "incidents", "not_there"])
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from victims").fetchone()[0] == 1
    assert sorted(r[0] for r in con.execute("show tables").fetchall()) == ["incidents", "victims"]
    con.close()
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_two_publishers_of_one_folder_at_once_leave_one_whole_folder(tmp_path):
    import threading

    from pipeline.io import publish_directory

    sources = []
    for name in ("a", "b"):
        folder = tmp_path / f"site_{name}"
        folder.mkdir()
        (folder / "index.html").write_text(name * 1000)
        sources.append(folder)
    target = tmp_path / "data_docs"
    errors = []

    def publish(source):
        try:
            for _ in range(20):
                publish_directory(source, target)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(s,)) for s in sources]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert (target / "index.html").read_text() in ("a" * 1000, "b" * 1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data_docs", "site_a", "site_b"]  # nothing staged or retired left behind
