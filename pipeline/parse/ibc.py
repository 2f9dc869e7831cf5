"""Iraq Body Count: incidents.csv and victims.csv, read together for referential integrity."""

from __future__ import annotations

from pathlib import Path

from pipeline.parse.airwars import _number
from pipeline.parse.common import ParseResult, Rejects, checked_age, checked_date, checked_text, empty_to_none, frame, parse_int, read_csv
from pipeline.places import resolve_latin
from pipeline.text.latin import normalise_latin
from pipeline.vocab import map_weapon
from schemas import polars_schema
from schemas.staged import StagedIbcIncidents, StagedIbcVictims

INCIDENT_COLUMNS = ["code", "start_date", "end_date", "time", "location", "target", "weapons", "deaths_min", "deaths_max", "sources"]
VICTIM_COLUMNS = ["code", "seq", "name", "age", "sex", "notes"]


def parse_ibc(incidents_path: Path, victims_path: Path, snapshot: str) -> ParseResult:
    incidents_path, victims_path = Path(incidents_path), Path(victims_path)
    incident_rows = read_csv(incidents_path, INCIDENT_COLUMNS)
    victim_rows = read_csv(victims_path, VICTIM_COLUMNS)
    rejects = Rejects("ibc", snapshot, str(incidents_path))
    incidents, seen = [], set()
    for number, row in enumerate(incident_rows, start=1):
        code = empty_to_none(row.get("code"))
        key = f"ibc:{code}" if code else None
        if code is None or code in seen:
            rejects.reject_row(number, key, "code", code, "incident code missing or duplicated; the first row with it is kept")
            continue
        start = checked_date(rejects, number, key, "start_date", row.get("start_date"))
        if start is None:
            rejects.reject_row(number, key, "start_date", row.get("start_date"), "start date missing or unusable")
            continue
        end = checked_date(rejects, number, key, "end_date", row.get("end_date")) or start
        if end < start:
            rejects.add(number, key, "end_date", row.get("end_date"), "ends before it starts; taken as one day")
            end = start
        low = _number(rejects, number, key, "deaths_min", row.get("deaths_min"))
        high = _number(rejects, number, key, "deaths_max", row.get("deaths_max"))
        if low is None or high is None or low > high:
            rejects.reject_row(number, key, "deaths_min", f"{row.get('deaths_min')}..{row.get('deaths_max')}", "deaths range missing, negative or min > max")
            continue
        seen.add(code)
        location = checked_text(rejects, number, key, "location", row.get("location"))
        place = resolve_latin(location)
        weapons_text = empty_to_none(row.get("weapons"))
        weapon, known = map_weapon(weapons_text)
        if not known:
            rejects.add(number, key, "weapons", weapons_text, "weapon not in the vocabulary; mapped to unknown")
        incidents.append({
            "record_key": key, "snapshot": snapshot, "source_row": number, "code": code, "date_start": start, "date_end": end,
            "time_of_day": empty_to_none(row.get("time")), "location_original": location,
            "neighbourhood_id": place.neighbourhood_id, "bank": place.bank, "place_status": place.status,
            "target": empty_to_none(row.get("target")), "weapons_original": weapons_text, "weapon": weapon,
            "killed_min": low, "killed_max": high,
            "outlets": [s.strip() for s in (row.get("sources") or "").split(";") if s.strip()],
        })
    victim_rejects = Rejects("ibc", snapshot, str(victims_path))
    victims, seen_victims = [], set()
    for number, row in enumerate(victim_rows, start=1):
        code = empty_to_none(row.get("code"))
        try:
            seq = parse_int(row.get("seq"))
        except ValueError:
            seq = None
        key = f"ibc:{code}/{seq}" if code and seq else None
        if code is None or seq is None or seq < 1:
            victim_rejects.reject_row(number, key, "seq", row.get("seq"), "incident code or sequence number missing or not a positive integer")
            continue
        if code not in seen:
            victim_rejects.reject_row(number, key, "code", code, "incident code not found in incidents.csv (dangling reference)")
            continue
        if key in seen_victims:
            victim_rejects.reject_row(number, key, "seq", seq, "duplicate victim key; the first row with it is kept")
            continue
        seen_victims.add(key)
        sex_text = empty_to_none(row.get("sex"))
        sex = {"M": "M", "F": "F"}.get(sex_text.upper()) if sex_text else None
        if sex_text and sex is None:
            victim_rejects.add(number, key, "sex", sex_text, "unknown sex value")
        name = checked_text(victim_rejects, number, key, "name", row.get("name"))
        victims.append({
            "record_key": key, "snapshot": snapshot, "source_row": number, "incident_key": f"ibc:{code}", "seq": seq,
            "name_original": name, "name_latin": normalise_latin(name), "sex": sex,
            "age": checked_age(victim_rejects, number, key, "age", row.get("age")), "notes": empty_to_none(row.get("notes")),
        })
    incident_table = frame(incidents, polars_schema(StagedIbcIncidents))
    victim_table = frame(victims, polars_schema(StagedIbcVictims))
    all_rejects = rejects.frame().vstack(victim_rejects.frame())
    return ParseResult(
        {"staged_ibc_incidents": incident_table, "staged_ibc_victims": victim_table},
        all_rejects,
        rows_in=len(incident_rows) + len(victim_rows),
        rows_staged=len(incident_table) + len(victim_table),
    )
