"""Every case of the bad-snapshot corpus gets the clear error or the reject it should, rows are
conserved, and layout problems (a file that is a directory, a link out of the root, a folder
that is not a date) are refused or ignored with a message."""

from pathlib import Path

import polars as pl
import pytest

from assets.staged import STAGED_SOURCES
from pipeline.parse.common import SnapshotError
from pipeline.snapshots import RAW_FILES, SourceLayoutError, current_file, list_snapshots
from tests.bad_snapshots import CASES

SOURCES = {source.name: source for source in STAGED_SOURCES}
FOLDER = {"official_claims": "official", "cjtf": "official"}
FILES = {raw.asset: raw for raw in RAW_FILES}


def write_case(root: Path, source_name: str, files: dict) -> list[Path]:
    source = SOURCES[source_name]
    folder = root / FOLDER.get(source_name, source_name) / "2017-12-01"
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return [folder / FILES[raw].filename for raw in source.raw_assets]


def test_the_corpus_has_at_least_thirty_cases_across_all_six_sources():
    assert len(CASES) >= 30
    assert {FOLDER.get(c[1], c[1]) for c in CASES} == {"morgue", "airwars", "ibc", "amnesty", "un", "official"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_snapshot_gets_its_error_or_reject(case, tmp_path):
    name, source_name, files, expected = case
    paths = write_case(tmp_path, source_name, files)
    source = SOURCES[source_name]
    if expected[0] == "error":
        with pytest.raises(SnapshotError) as error:
            source.parse(*paths, "2017-12-01")
        assert expected[1] in str(error.value)
        assert any(str(p) in str(error.value) for p in paths), "the message names the file"
        return
    result = source.parse(*paths, "2017-12-01")
    _, field, reason = expected
    rejects = result.rejects
    matching = rejects.filter((pl.col("field") == field) & pl.col("reason").str.contains(reason, literal=True))
    assert len(matching), rejects.select("field", "reason").rows()
    assert all(any(f.endswith(p.name) for p in paths) for f in matching["file"].to_list()), "the reject names its file"
    rejected = rejects.filter(pl.col("action") == "row_rejected").select(pl.struct("file", "row").n_unique()).item() if len(rejects) else 0
    assert result.rows_in == result.rows_staged + rejected


def test_a_snapshot_folder_with_a_bad_date_name_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "morgue" / "2017-13-01").mkdir(parents=True)
    (tmp_path / "morgue" / "2017-13-01" / "morgue.csv").write_text("x")
    assert list_snapshots(tmp_path, "morgue") == []
    assert "2017-13-01" in caplog.text


def test_a_file_that_is_a_directory_is_refused(tmp_path):
    (tmp_path / "amnesty" / "2017-07-11" / "incidents.json").mkdir(parents=True)
    with pytest.raises(SourceLayoutError, match="expected a file"):
        current_file(tmp_path, FILES["raw_amnesty_incidents"])


def test_a_symlink_pointing_outside_the_root_is_refused(tmp_path):
    secret = tmp_path / "elsewhere.json"
    secret.write_text("[]")
    root = tmp_path / "root"
    (root / "airwars" / "2017-12-05").mkdir(parents=True)
    (root / "airwars" / "2017-12-05" / "incidents.json").symlink_to(secret)
    with pytest.raises(SourceLayoutError, match="outside the sources root"):
        current_file(root, FILES["raw_airwars_incidents"])
