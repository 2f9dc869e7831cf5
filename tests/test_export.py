import polars as pl
import pytest

from pipeline.export import export, neutralise, public_victims, suppress_small, to_csv
from pipeline.io import write_parquet_atomic
from pipeline.settings import UnsafePathError, inside


@pytest.fixture()
def warehouse(tmp_path):
    victims = pl.DataFrame({
        "victim_id": ["v-1", "v-2"], "name_ar": ["محمد يونس", "فاطمة"], "name_latin": ["=HYPERLINK(\"x\")", "Fatima"],
        "date_of_death": pl.Series([__import__("datetime").date(2017, 3, 17), None], dtype=pl.Date), "bank": ["west", None], "party": ["coalition_or_iraqi", "undetermined"],
        "weapon": ["airstrike", None], "n_sources": [3, 1], "rule": ["V1/R1", "V4"], "age": [34, 29], "neighbourhood_id": ["jadida", None],
    })
    tallies = pl.DataFrame({"dimension": ["all", "all"], "value": ["all", "all"], "party": ["coalition_or_iraqi", "undetermined"], "deaths": [120, 3]})
    write_parquet_atomic(victims, tmp_path / "wh" / "victims.parquet")
    write_parquet_atomic(tallies, tmp_path / "wh" / "tallies.parquet")
    return tmp_path / "wh"


def test_export_has_no_names_no_salt_and_suppresses_small_cells(warehouse, tmp_path):
    out = tmp_path / "public"
    export(warehouse, out, tmp_path / "salt", min_cell=5)
    text = "".join(p.read_text() for p in out.iterdir())
    salt = (tmp_path / "salt").read_text().strip()
    assert "محمد" not in text and "Fatima" not in text and "HYPERLINK" not in text and salt not in text
    assert "jadida" not in text and "2017-03-17" not in text and "2017-03" in text
    assert "<5" in (out / "tallies_public.csv").read_text() and ",120" in (out / "tallies_public.csv").read_text()


def test_hashes_are_stable_for_a_salt_and_differ_across_salts(warehouse):
    victims = pl.read_parquet(warehouse / "victims.parquet")
    assert public_victims(victims, "a")["victim"].to_list() == public_victims(victims, "a")["victim"].to_list()
    assert public_victims(victims, "a")["victim"].to_list() != public_victims(victims, "b")["victim"].to_list()


def test_formula_cells_are_neutralised():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok")] == ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "ok"]
    assert to_csv(pl.DataFrame({"a": ["=cmd"]})).splitlines()[1] == "'=cmd"


def test_export_refuses_paths_outside_its_folder(tmp_path):
    with pytest.raises(UnsafePathError):
        inside(tmp_path, "../escape.csv")


def test_small_cells():
    frame = suppress_small(pl.DataFrame({"deaths": [1, 5, 10]}), 5)
    assert frame["deaths"].to_list() == ["<5", "5", "10"]
