"""The Nineveh forensic medicine directorate's list: Arabic headers, Arabic names, two digit sets."""

from __future__ import annotations

from pathlib import Path

from pipeline.parse.common import ParseResult, Rejects, checked_age, checked_date, checked_text, empty_to_none, frame, parse_int, read_csv
from pipeline.places import resolve_arabic
from pipeline.text.arabic import normalise_arabic
from pipeline.vocab import map_cause
from schemas import polars_schema
from schemas.staged import StagedMorgue

COLUMNS = ["ت", "الاسم", "الجنس", "العمر", "تاريخ_الوفاة", "تاريخ_الاستلام", "المنطقة", "سبب_الوفاة", "ملاحظات"]
SEX = {"ذكر": "M", "انثى": "F", "أنثى": "F"}
UNIDENTIFIED = normalise_arabic("مجهول الهوية")


def parse_morgue(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    rows = read_csv(path, COLUMNS)
    rejects = Rejects("morgue", snapshot, str(path))
    staged, seen = [], set()
    for number, row in enumerate(rows, start=1):
        serial_text = row.get("ت")
        try:
            serial = parse_int(serial_text)
        except ValueError:
            serial = None
        if serial is None or serial < 1:
            rejects.reject_row(number, None, "ت", serial_text, "serial number missing or not a positive integer")
            continue
        key = f"morgue:{serial}"
        if serial in seen:
            rejects.reject_row(number, key, "ت", serial_text, "duplicate serial number; the first row with it is kept")
            continue
        name = empty_to_none(row.get("الاسم"))
        if name is None:
            rejects.reject_row(number, key, "الاسم", None, "name missing (an unidentified body is written مجهول الهوية)")
            continue
        received = checked_date(rejects, number, key, "تاريخ_الاستلام", row.get("تاريخ_الاستلام"))
        if received is None:
            rejects.reject_row(number, key, "تاريخ_الاستلام", row.get("تاريخ_الاستلام"), "registration date missing or unusable")
            continue
        seen.add(serial)
        sex_text = empty_to_none(row.get("الجنس"))
        sex = SEX.get(sex_text) if sex_text else None
        if sex_text and sex is None:
            rejects.add(number, key, "الجنس", sex_text, "unknown sex value")
        normalised = normalise_arabic(name)
        place_text = empty_to_none(row.get("المنطقة"))
        place = resolve_arabic(place_text)
        cause_text = empty_to_none(row.get("سبب_الوفاة"))
        cause, known = map_cause(cause_text)
        if not known:
            rejects.add(number, key, "سبب_الوفاة", cause_text, "cause not in the vocabulary; mapped to unknown")
        death = checked_date(rejects, number, key, "تاريخ_الوفاة", row.get("تاريخ_الوفاة"))
        if death is not None and death > received:
            rejects.add(number, key, "تاريخ_الوفاة", row.get("تاريخ_الوفاة"), "date of death after the registration date")
            death = None
        staged.append({
            "record_key": key, "snapshot": snapshot, "source_row": number, "serial": serial,
            "name_original": checked_text(rejects, number, key, "الاسم", name), "name_ar": normalised,
            "is_unidentified": bool(normalised and normalised.startswith(UNIDENTIFIED)),
            "sex": sex, "age": checked_age(rejects, number, key, "العمر", row.get("العمر")),
            "date_of_death": death, "date_received": received,
            "place_original": place_text, "neighbourhood_id": place.neighbourhood_id, "bank": place.bank, "place_status": place.status,
            "cause_original": cause_text, "cause": cause, "notes": checked_text(rejects, number, key, "ملاحظات", row.get("ملاحظات")),
        })
    table = frame(staged, polars_schema(StagedMorgue))
    return ParseResult({"staged_morgue": table}, rejects.frame(), rows_in=len(rows), rows_staged=len(table))
