"""Parsers on the hand-made samples (every kind of mess) and on bad input, per source."""

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.checks import validate_frame
from pipeline.parse.airwars import parse_airwars
from pipeline.parse.amnesty import parse_amnesty
from pipeline.parse.common import SnapshotError
from pipeline.parse.ibc import parse_ibc
from pipeline.parse.morgue import parse_morgue
from pipeline.parse.official import parse_cjtf_assessments, parse_official_claims
from pipeline.parse.un import parse_un
from schemas.staged import STAGED_MODELS, check_ibc_references

MORGUE_HEADER = "ت,الاسم,الجنس,العمر,تاريخ_الوفاة,تاريخ_الاستلام,المنطقة,سبب_الوفاة,ملاحظات"


def conserved(result):
    rejected = result.rejects.filter(pl.col("action") == "row_rejected").select(pl.struct("file", "row").n_unique()).item() if len(result.rejects) else 0
    return result.rows_in == result.rows_staged + rejected


def all_valid(result):
    for name, table in result.tables.items():
        ok, failures = validate_frame(STAGED_MODELS[name], table)
        assert ok, (name, failures)


def test_morgue_sample_mess(samples_root):
    result = parse_morgue(samples_root / "morgue" / "2017-12-01" / "morgue.csv", "2017-12-01")
    table = result.tables["staged_morgue"]
    all_valid(result)
    assert conserved(result) and len(table) == 11 and result.rejects.is_empty()
    row = {r["serial"]: r for r in table.iter_rows(named=True)}
    assert row[2]["age"] == 29 and row[3]["age"] == 0  # Eastern digits; رضيع
    assert row[6]["date_of_death"] == dt.date(2017, 1, 8) and row[5]["date_of_death"] == dt.date(2017, 1, 8)  # both formats, both digit sets
    assert row[4]["is_unidentified"] and row[9]["is_unidentified"]
    assert row[4]["place_status"] == "bank" and row[4]["bank"] == "west"
    assert row[1]["neighbourhood_id"] == row[2]["neighbourhood_id"] == row[3]["neighbourhood_id"] == "jadida"
    assert row[11]["name_original"] == "مريم, يوسف سالم"
    assert row[10]["cause"] == "execution" and row[1]["cause"] == "crushed"
    assert row[2]["sex"] == "F" and row[7]["sex"] == "F"


def test_other_sources_sample_mess(samples_root):
    airwars = parse_airwars(samples_root / "airwars" / "2017-12-05" / "incidents.json", "2017-12-05")
    ibc = parse_ibc(samples_root / "ibc" / "2017-12-03" / "incidents.csv", samples_root / "ibc" / "2017-12-03" / "victims.csv", "2017-12-03")
    amnesty = parse_amnesty(samples_root / "amnesty" / "2017-07-11" / "incidents.json", "2017-07-11")
    for result in (airwars, ibc, amnesty):
        all_valid(result)
        assert conserved(result)
    assert "airwars:CI0551/2" in airwars.tables["staged_airwars_victims"]["record_key"].to_list()
    incidents = ibc.tables["staged_ibc_incidents"]
    spanning = incidents.filter(pl.col("code") == "a1532").row(0, named=True)
    assert spanning["date_end"] > spanning["date_start"] and (spanning["killed_min"], spanning["killed_max"]) == (3, 5)
    unnamed = ibc.tables["staged_ibc_victims"].filter(pl.col("record_key") == "ibc:k9274/2").row(0, named=True)
    assert unnamed["name_original"] is None and unnamed["sex"] == "F"
    assert check_ibc_references(incidents, ibc.tables["staged_ibc_victims"]).is_empty()
    contested = airwars.tables["staged_airwars_incidents"].filter(pl.col("grading") == "contested")
    assert len(contested) == 1 and len(contested["belligerents"][0]) == 2
    assert amnesty.tables["staged_amnesty_incidents"]["attribution"].to_list() == ["coalition_or_iraqi", "unclear"]
    assert parse_un(samples_root / "un" / "2017-11-02" / "casualties.csv", "s").tables["staged_un_casualties"]["perpetrator"].to_list() == ["islamic_state", "coalition_or_iraqi", "undetermined"]
    claims = parse_official_claims(samples_root / "official" / "2017-12-21" / "claims.csv", "s").tables["staged_official_claims"]
    assert sorted(claims["civilians_killed"].to_list()) == [326, 1260]
    assessments = parse_cjtf_assessments(samples_root / "official" / "2017-12-21" / "cjtf_assessments.csv", "s").tables["staged_cjtf_assessments"]
    assert assessments["assessment"].to_list() == ["credible", "non_credible"]


def write_morgue(tmp_path, rows, header=MORGUE_HEADER, encoding="utf-8-sig"):
    path = tmp_path / "morgue.csv"
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    "header, message",
    [
        (MORGUE_HEADER.replace(",ملاحظات", ""), "missing required column"),
        (MORGUE_HEADER.replace("العمر", "السن"), "missing required column"),
    ],
)
def test_missing_or_renamed_column_fails_the_file(tmp_path, header, message):
    path = write_morgue(tmp_path, ["1,محمد علي,ذكر,30,01/03/2017,02/03/2017,حي الزهور,شظايا,"], header=header)
    with pytest.raises(SnapshotError, match=message) as error:
        parse_morgue(path, "2017-12-01")
    assert str(path) in str(error.value)


def test_latin1_and_empty_files_fail_with_the_file_named(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_bytes("code,start_date\nk1,2017-01-01,Café\n".encode("latin-1"))
    with pytest.raises(SnapshotError, match="not UTF-8") as error:
        parse_ibc(path, path, "s")
    assert str(path) in str(error.value)
    empty = tmp_path / "casualties.csv"
    empty.write_text("")
    with pytest.raises(SnapshotError, match="empty"):
        parse_un(empty, "s")


def test_invalid_json_fails_with_line_and_column(tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text('[{"code": "CI1", "date": "2017-03-01",]')
    with pytest.raises(SnapshotError, match=r"invalid JSON at line 1, column \d+"):
        parse_airwars(path, "s")
    path.write_text('{"code": "CI1"}')
    with pytest.raises(SnapshotError, match="expected a JSON array"):
        parse_amnesty(path, "s")


def test_row_level_problems_go_to_rejects_and_rows_are_conserved(tmp_path):
    rows = [
        "1,محمد علي,ذكر,300,01/03/2017,02/03/2017,حي الزهور,شظايا,",  # age 300: value emptied, row kept
        "1,احمد علي,ذكر,30,01/03/2017,02/03/2017,حي الزهور,شظايا,",  # duplicate key: row rejected
        "2,علي حسن,ذكر,30,01/03/2015,02/03/2017,حي الزهور,شظايا,",  # date of death outside the window
        "3,حسن علي,ذكر,30,01/03/2017,,حي الزهور,شظايا,",  # no registration date: row rejected
        "4,عمر علي,X,30,01/03/2017,02/03/2017,حي الزهور,شظايا,",  # unknown sex
    ]
    result = parse_morgue(write_morgue(tmp_path, rows), "2017-12-01")
    table, rejects = result.tables["staged_morgue"], result.rejects
    assert conserved(result) and len(table) == 3
    reasons = {(r["row"], r["field"], r["action"]) for r in rejects.iter_rows(named=True)}
    assert (1, "العمر", "value_nulled") in reasons
    assert (2, "ت", "row_rejected") in reasons
    assert (3, "تاريخ_الوفاة", "value_nulled") in reasons
    assert (4, "تاريخ_الاستلام", "row_rejected") in reasons
    assert (5, "الجنس", "value_nulled") in reasons
    assert table.filter(pl.col("serial") == 1)["age"][0] is None
    assert all(str(r["file"]).endswith("morgue.csv") for r in rejects.iter_rows(named=True))


def test_dangling_ibc_victim_is_rejected(tmp_path, samples_root):
    shutil.copy(samples_root / "ibc" / "2017-12-03" / "incidents.csv", tmp_path / "incidents.csv")
    (tmp_path / "victims.csv").write_text("code,seq,name,age,sex,notes\nk9274,1,Ali Hassan,30,M,\nk0000,1,Omar Ali,40,M,\nk9274,1,Ali Hassan,30,M,\n")
    result = parse_ibc(tmp_path / "incidents.csv", tmp_path / "victims.csv", "s")
    assert conserved(result)
    reasons = result.rejects["reason"].to_list()
    assert any("dangling" in r for r in reasons) and any("duplicate" in r for r in reasons)
    assert result.tables["staged_ibc_victims"]["record_key"].to_list() == ["ibc:k9274/1"]


def test_airwars_bad_rows_are_rejected_with_reasons(tmp_path):
    good = {"code": "CI1", "date": "2017-03-01", "date_end": None, "location": "Zanjili", "latitude": 36.35, "longitude": 43.11, "belligerents": ["Coalition"], "strike_type": ["Airstrike"], "grading": "Fair", "civilians_killed_min": 2, "civilians_killed_max": 3, "victims": [{"name": "Ali Hassan", "age": 300, "gender": "male"}], "sources": [], "summary": ""}
    records = [good, {**good, "code": "CI1"}, {**good, "code": "CI2", "civilians_killed_min": 5, "civilians_killed_max": 1}, {**good, "code": "CI3", "date": "2019-01-01"}, {**good, "code": "CI4", "grading": "Sure"}]
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(records))
    result = parse_airwars(path, "s")
    assert conserved(result) and result.tables["staged_airwars_incidents"]["code"].to_list() == ["CI1"]
    assert result.tables["staged_airwars_victims"]["age"].to_list() == [None]
    assert {r["field"] for r in result.rejects.iter_rows(named=True)} >= {"code", "civilians_killed_min", "date", "grading", "victims.age"}


def test_a_very_large_field_is_truncated_and_reported(tmp_path):
    result = parse_morgue(write_morgue(tmp_path, ["1,محمد علي,ذكر,30,01/03/2017,02/03/2017,حي الزهور,شظايا," + "x" * 20000]), "s")
    assert len(result.tables["staged_morgue"]["notes"][0]) == 10000
    assert "longer than" in result.rejects["reason"][0]
