from pathlib import Path

import pytest

from pipeline.snapshots import (
    RAW_BY_ASSET,
    SourceLayoutError,
    current_file,
    is_snapshot_name,
    list_snapshots,
    previous_snapshot,
    sha256_file,
)


def test_newest_dated_folder_wins_and_history_is_kept(samples_root):
    current = current_file(samples_root, RAW_BY_ASSET["raw_morgue"])
    assert current.snapshot == "2017-12-01"
    assert current.sha256 == sha256_file(samples_root / "morgue" / "2017-12-01" / "morgue.csv")
    assert list_snapshots(samples_root, "morgue") == ["2017-11-20", "2017-12-01"]
    assert previous_snapshot(samples_root, "morgue") == "2017-11-20"


def test_non_dated_entries_are_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "un" / "2017-11-02").mkdir(parents=True)
    (tmp_path / "un" / "latest").mkdir()
    (tmp_path / "un" / "2017-13-45").mkdir()
    (tmp_path / "un" / "notes.txt").write_text("x")
    assert list_snapshots(tmp_path, "un") == ["2017-11-02"]
    assert "not a dated snapshot folder" in caplog.text
    assert not is_snapshot_name("2017-02-30")


def test_absent_source_is_absent_not_an_error(tmp_path):
    current = current_file(tmp_path, RAW_BY_ASSET["raw_amnesty_incidents"])
    assert not current.present and current.data_version == "absent"


def test_missing_required_file_names_the_snapshot(tmp_path):
    (tmp_path / "ibc" / "2017-12-03").mkdir(parents=True)
    (tmp_path / "ibc" / "2017-12-03" / "incidents.csv").write_text("code\n")
    with pytest.raises(SourceLayoutError, match="victims.csv is missing from snapshot ibc/2017-12-03"):
        current_file(tmp_path, RAW_BY_ASSET["raw_ibc_victims"])


def test_symlink_out_of_the_root_is_refused(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("secret")
    root = tmp_path / "root"
    (root / "un" / "2017-11-02").mkdir(parents=True)
    (root / "un" / "2017-11-02" / "casualties.csv").symlink_to(outside)
    with pytest.raises(SourceLayoutError, match="outside the sources root"):
        current_file(root, RAW_BY_ASSET["raw_un_casualties"])


def test_a_directory_where_the_file_belongs_is_refused(tmp_path):
    (tmp_path / "un" / "2017-11-02" / "casualties.csv").mkdir(parents=True)
    with pytest.raises(SourceLayoutError, match="expected a file"):
        current_file(tmp_path, RAW_BY_ASSET["raw_un_casualties"])
