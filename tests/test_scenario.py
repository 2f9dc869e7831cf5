"""The simulator writes the contract's formats, its truth resolves both ways, and it is calibrated."""

import csv
import datetime as dt
import json
import re

import pytest

from pipeline.scenario import simulate

DATE = re.compile(r"^(\d{4}-\d{2}-\d{2}|[\d٠-٩]{2}/[\d٠-٩]{2}/[\d٠-٩]{4})$")


@pytest.fixture(scope="module")
def default_scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    return out, simulate(7, out)


def newest(root, source):
    return sorted((root / "sources" / source).iterdir())[-1]


def read_csv(path, bom=False):
    with open(path, encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_files_follow_the_contract(default_scenario):
    out, _ = default_scenario
    morgue = newest(out, "morgue") / "morgue.csv"
    assert morgue.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in morgue.read_bytes()[:500]
    rows = read_csv(morgue, bom=True)
    assert list(rows[0]) == ["ت", "الاسم", "الجنس", "العمر", "تاريخ_الوفاة", "تاريخ_الاستلام", "المنطقة", "سبب_الوفاة", "ملاحظات"]
    assert all(DATE.match(r["تاريخ_الاستلام"]) for r in rows)
    assert any(re.search("[٠-٩]", r["العمر"]) for r in rows) and any(r["العمر"] == "رضيع" for r in rows)
    assert any(r["الاسم"].startswith("مجهول الهوية") for r in rows)
    airwars = json.loads((newest(out, "airwars") / "incidents.json").read_text(encoding="utf-8"))
    assert {"code", "date", "date_end", "location", "latitude", "longitude", "belligerents", "strike_type", "grading", "civilians_killed_min", "civilians_killed_max", "victims", "sources", "summary"} <= set(airwars[0])
    assert all(a["civilians_killed_min"] <= a["civilians_killed_max"] for a in airwars)
    assert {a["grading"] for a in airwars} <= {"Confirmed", "Fair", "Weak", "Contested", "Discounted"}
    ibc_codes = {r["code"] for r in read_csv(newest(out, "ibc") / "incidents.csv")}
    assert all(r["code"] in ibc_codes for r in read_csv(newest(out, "ibc") / "victims.csv"))
    assert list(read_csv(newest(out, "un") / "casualties.csv")[0]) == ["period_start", "period_end", "area", "perpetrator", "killed", "injured", "note"]


def test_truth_resolves_both_ways(default_scenario):
    out, _ = default_scenario
    truth = read_csv(out / "truth" / "records.csv")
    keys = {r["record_key"] for r in truth}
    written = {f"morgue:{r['ت']}" for r in read_csv(newest(out, "morgue") / "morgue.csv", bom=True)}
    for incident in json.loads((newest(out, "airwars") / "incidents.json").read_text(encoding="utf-8")):
        written.add(f"airwars:{incident['code']}")
        written.update(f"airwars:{incident['code']}/{n}" for n in range(1, len(incident["victims"]) + 1))
    written.update(f"ibc:{r['code']}" for r in read_csv(newest(out, "ibc") / "incidents.csv"))
    written.update(f"ibc:{r['code']}/{r['seq']}" for r in read_csv(newest(out, "ibc") / "victims.csv"))
    for incident in json.loads((newest(out, "amnesty") / "incidents.json").read_text(encoding="utf-8")):
        written.add(f"amnesty:{incident['id']}")
        written.update(f"amnesty:{incident['id']}/{n}" for n in range(1, len(incident["victims"]) + 1))
    written.update(f"cjtf:{r['report_id']}" for r in read_csv(newest(out, "official") / "cjtf_assessments.csv"))
    assert keys == written
    persons = {r["person_id"] for r in read_csv(out / "truth" / "persons.csv")}
    assert {r["person_id"] for r in truth if r["person_id"]} <= persons


def test_calibrated_to_the_published_figures(default_scenario):
    out, summary = default_scenario
    morgue_rows = len(read_csv(newest(out, "morgue") / "morgue.csv", bom=True))
    assert 9_300 <= morgue_rows <= 9_900
    assert 10_000 <= summary["true_dead"] <= 11_000
    assert 200 <= summary["never_recovered"] <= 600
    assert all(0.25 <= share <= 0.42 for share in summary["party_share"].values())
    credible = [int(r["civilians_killed"]) for r in read_csv(newest(out, "official") / "cjtf_assessments.csv") if r["assessment"] == "Credible"]
    assert sum(credible) == 326
    assert sorted(int(r["civilians_killed"]) for r in read_csv(newest(out, "official") / "claims.csv")) == [326, 1260]
    assert 35 <= len(json.loads((newest(out, "amnesty") / "incidents.json").read_text(encoding="utf-8"))) <= 55
    assert len(list((out / "sources" / "morgue").iterdir())) >= 2
    deaths = [dt.date.fromisoformat(r["date_of_death"]) for r in read_csv(out / "truth" / "persons.csv")]
    assert min(deaths) >= dt.date(2016, 10, 17) and max(deaths) <= dt.date(2017, 7, 10)


def test_deterministic_for_a_seed(tmp_path):
    simulate(3, tmp_path / "a", scale=0.1)
    simulate(3, tmp_path / "b", scale=0.1)
    simulate(4, tmp_path / "c", scale=0.1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert any((tmp_path / "a" / f).read_bytes() != (tmp_path / "c" / f).read_bytes() for f in files)


def test_coalition_credits_airwars_only_for_strikes_airwars_reported(default_scenario):
    out, _ = default_scenario
    truth = read_csv(out / "truth" / "records.csv")
    incident_of = {r["record_key"]: r["incident_id"] for r in truth if not r["person_id"]}
    in_airwars = {incident for key, incident in incident_of.items() if key.startswith("airwars:")}
    credited = [incident_of[f"cjtf:{r['report_id']}"] in in_airwars for r in read_csv(newest(out, "official") / "cjtf_assessments.csv") if r["allegation_source"] == "Airwars"]
    others = [incident_of[f"cjtf:{r['report_id']}"] in in_airwars for r in read_csv(newest(out, "official") / "cjtf_assessments.csv") if r["allegation_source"] != "Airwars"]
    assert credited and all(credited)
    # Most strikes the coalition assessed were on Airwars' list, and most of those it credits to Airwars.
    assert len(credited) > 2 * sum(others)
