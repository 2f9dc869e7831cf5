"""A corpus of bad snapshots: what real exports get wrong, one case each, with what must happen.

Each case writes one source's snapshot files and says what staging must do with them:
- ("error", text): the whole file is refused with a message naming the file and containing text;
- ("reject", field, text): the row goes to rejects with that field and a reason containing text,
  and rows in = rows staged + rows rejected still holds.
"""

from __future__ import annotations

import json

MORGUE_HEADER = "ت,الاسم,الجنس,العمر,تاريخ_الوفاة,تاريخ_الاستلام,المنطقة,سبب_الوفاة,ملاحظات"
GOOD_MORGUE_ROW = "1,محمد يونس احمد,ذكر,34,17/03/2017,25/03/2017,حي الجديدة,انهيار,"
IBC_INCIDENTS = "code,start_date,end_date,time,location,target,weapons,deaths_min,deaths_max,sources\nk1,2017-03-17,2017-03-17,AM,Mosul: Jadida,,air strike,2,3,AP\n"
IBC_VICTIMS = "code,seq,name,age,sex,notes\nk1,1,Ali Hassan,30,M,\n"
UN_HEADER = "period_start,period_end,area,perpetrator,killed,injured,note"
CLAIMS_HEADER = "claimant,statement_date,scope_start,scope_end,civilians_killed,statement"
CJTF_HEADER = "report_id,report_date,strike_date,location,allegation_source,assessment,civilians_killed"


def airwars(**overrides) -> dict:
    record = {
        "code": "CI1", "date": "2017-03-17", "date_end": None, "location": "al-Jadida, west Mosul", "latitude": 36.34, "longitude": 43.1,
        "belligerents": ["Coalition"], "strike_type": ["Airstrike"], "grading": "Fair", "civilians_killed_min": 2, "civilians_killed_max": 3,
        "civilians_injured_min": None, "civilians_injured_max": None, "victims": [{"name": "Ali Hassan", "age": 30, "gender": "male", "note": None}],
        "sources": ["AP"], "summary": "",
    }
    record.update(overrides)
    return record


def amnesty(**overrides) -> dict:
    record = {"id": "AI-1", "date": "2017-03-17", "location": "al-Jadida", "attributed_to": "Iraqi forces/coalition", "weapon": "mortar", "killed": 2, "victims": [{"name": "Ali Hassan", "age": 30, "gender": "male"}], "summary": ""}
    record.update(overrides)
    return record


def morgue(*rows: str, header: str = MORGUE_HEADER, encoding: str = "utf-8-sig") -> dict:
    return {"morgue.csv": ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)}


def text(name: str, content: str, encoding: str = "utf-8") -> dict:
    return {name: content.encode(encoding)}


CASES = [
    # morgue
    ("morgue-missing-column", "morgue", morgue(GOOD_MORGUE_ROW.rsplit(",", 1)[0], header=MORGUE_HEADER.rsplit(",", 1)[0]), ("error", "missing required column")),
    ("morgue-renamed-header", "morgue", morgue(GOOD_MORGUE_ROW, header=MORGUE_HEADER.replace("الاسم", "Name")), ("error", "missing required column")),
    ("morgue-swapped-columns", "morgue", morgue("1,ذكر,محمد علي,34,17/03/2017,25/03/2017,حي الجديدة,انهيار,"), ("reject", "الجنس", "unknown sex")),
    ("morgue-latin1", "morgue", {"morgue.csv": b"\xef\xbb\xbf" + MORGUE_HEADER.encode() + b"\r\n1,Jos\xe9,,,,25/03/2017,,,\r\n"}, ("error", "not UTF-8")),
    ("morgue-utf16", "morgue", morgue(GOOD_MORGUE_ROW, encoding="utf-16"), ("error", "not UTF-8")),
    ("morgue-empty-file", "morgue", {"morgue.csv": b""}, ("error", "empty")),
    ("morgue-header-only-blank", "morgue", {"morgue.csv": b"   \r\n"}, ("error", "empty")),
    ("morgue-age-300", "morgue", morgue(GOOD_MORGUE_ROW.replace(",34,", ",300,")), ("reject", "العمر", "outside 0..110")),
    ("morgue-negative-age", "morgue", morgue(GOOD_MORGUE_ROW.replace(",34,", ",-4,")), ("reject", "العمر", "outside 0..110")),
    ("morgue-age-words", "morgue", morgue(GOOD_MORGUE_ROW.replace(",34,", ",ثلاثون,")), ("reject", "العمر", "not an integer")),
    ("morgue-duplicate-serial", "morgue", morgue(GOOD_MORGUE_ROW, GOOD_MORGUE_ROW.replace("محمد", "احمد")), ("reject", "ت", "duplicate")),
    ("morgue-death-before-window", "morgue", morgue(GOOD_MORGUE_ROW.replace("17/03/2017", "17/03/2015")), ("reject", "تاريخ_الوفاة", "outside")),
    ("morgue-impossible-date", "morgue", morgue(GOOD_MORGUE_ROW.replace("17/03/2017", "31/02/2017")), ("reject", "تاريخ_الوفاة", "day is out of range")),
    ("morgue-death-after-registration", "morgue", morgue(GOOD_MORGUE_ROW.replace("17/03/2017", "30/03/2017")), ("reject", "تاريخ_الوفاة", "after the registration")),
    ("morgue-no-registration-date", "morgue", morgue(GOOD_MORGUE_ROW.replace("25/03/2017", "")), ("reject", "تاريخ_الاستلام", "missing")),
    ("morgue-no-name", "morgue", morgue(GOOD_MORGUE_ROW.replace("محمد يونس احمد", "")), ("reject", "الاسم", "name missing")),
    ("morgue-serial-not-number", "morgue", morgue(GOOD_MORGUE_ROW.replace("1,", "x1,", 1)), ("reject", "ت", "serial")),
    ("morgue-unknown-cause", "morgue", morgue(GOOD_MORGUE_ROW.replace("انهيار", "سبب غريب")), ("reject", "سبب_الوفاة", "not in the vocabulary")),
    ("morgue-huge-field", "morgue", morgue(GOOD_MORGUE_ROW + "x" * 50_000), ("reject", "ملاحظات", "longer than")),
    ("morgue-unclosed-quote", "morgue", morgue('1,"محمد يونس,ذكر,34,17/03/2017,25/03/2017,حي الجديدة,انهيار,'), ("reject", "تاريخ_الاستلام", "missing")),
    # airwars
    ("airwars-invalid-json", "airwars", text("incidents.json", '[{"code": "CI1",'), ("error", "invalid JSON")),
    ("airwars-truncated", "airwars", text("incidents.json", json.dumps([airwars()])[:-40]), ("error", "invalid JSON")),
    ("airwars-object-not-array", "airwars", text("incidents.json", json.dumps(airwars())), ("error", "expected a JSON array")),
    ("airwars-renamed-field", "airwars", text("incidents.json", json.dumps([{("grade" if k == "grading" else k): v for k, v in airwars().items()}])), ("error", "required field 'grading'")),
    ("airwars-min-above-max", "airwars", text("incidents.json", json.dumps([airwars(civilians_killed_min=9, civilians_killed_max=2)])), ("reject", "civilians_killed_min", "min > max")),
    ("airwars-duplicate-code", "airwars", text("incidents.json", json.dumps([airwars(), airwars()])), ("reject", "code", "duplicate")),
    ("airwars-unknown-grading", "airwars", text("incidents.json", json.dumps([airwars(grading="Likely")])), ("reject", "grading", "grading not one of")),
    ("airwars-victim-age-300", "airwars", text("incidents.json", json.dumps([airwars(victims=[{"name": "Ali", "age": 300, "gender": "male"}])])), ("reject", "victims.age", "outside 0..110")),
    ("airwars-coordinates-elsewhere", "airwars", text("incidents.json", json.dumps([airwars(latitude=51.5, longitude=-0.12)])), ("reject", "latitude", "not near Mosul")),
    ("airwars-date-outside-window", "airwars", text("incidents.json", json.dumps([airwars(date="2019-05-01")])), ("reject", "date", "outside")),
    # ibc
    ("ibc-dangling-victim", "ibc", {**text("incidents.csv", IBC_INCIDENTS), **text("victims.csv", IBC_VICTIMS + "k404,1,Omar Ali,40,M,\n")}, ("reject", "code", "dangling")),
    ("ibc-duplicate-victim", "ibc", {**text("incidents.csv", IBC_INCIDENTS), **text("victims.csv", IBC_VICTIMS + "k1,1,Ali Hassan,30,M,\n")}, ("reject", "seq", "duplicate")),
    ("ibc-missing-victims-column", "ibc", {**text("incidents.csv", IBC_INCIDENTS), **text("victims.csv", "code,seq,name,age,notes\nk1,1,Ali,30,\n")}, ("error", "missing required column")),
    ("ibc-latin1-incidents", "ibc", {**text("incidents.csv", IBC_INCIDENTS.replace("Jadida", "Jadîda"), encoding="latin-1"), **text("victims.csv", IBC_VICTIMS)}, ("error", "not UTF-8")),
    ("ibc-deaths-not-number", "ibc", {**text("incidents.csv", IBC_INCIDENTS.replace(",2,3,", ",two,3,")), **text("victims.csv", IBC_VICTIMS.replace("k1", "k9"))}, ("reject", "deaths_min", "not an integer")),
    # amnesty
    ("amnesty-unknown-attribution", "amnesty", text("incidents.json", json.dumps([amnesty(attributed_to="the wind")])), ("reject", "attributed_to", "missing or unusable")),
    ("amnesty-negative-killed", "amnesty", text("incidents.json", json.dumps([amnesty(killed=-3)])), ("reject", "killed", "negative")),
    ("amnesty-victims-not-list", "amnesty", text("incidents.json", json.dumps([amnesty(victims="Ali Hassan")])), ("reject", "victims", "not a list")),
    # un
    ("un-unknown-perpetrator", "un", text("casualties.csv", UN_HEADER + "\n2016-10-17,2017-07-10,Mosul,aliens,5,,\n"), ("reject", "perpetrator", "not understood")),
    ("un-missing-column", "un", text("casualties.csv", "period_start,period_end,area,killed\n2016-10-17,2017-07-10,Mosul,5\n"), ("error", "missing required column")),
    # official
    ("claims-unknown-claimant", "official_claims", text("claims.csv", CLAIMS_HEADER + "\nSomeone,2017-12-08,2016-10-17,2017-07-10,5,x\n"), ("reject", "claimant", "not understood")),
    ("cjtf-unknown-assessment", "cjtf", text("cjtf_assessments.csv", CJTF_HEADER + "\nR1,2017-05-25,2017-03-17,near Mosul,Airwars,Maybe,3\n"), ("reject", "assessment", "not understood")),
    ("cjtf-duplicate-report", "cjtf", text("cjtf_assessments.csv", CJTF_HEADER + "\nR1,2017-05-25,2017-03-17,near Mosul,Airwars,Credible,3\nR1,2017-05-25,2017-03-17,near Mosul,Airwars,Credible,3\n"), ("reject", "report_id", "duplicated")),
]
