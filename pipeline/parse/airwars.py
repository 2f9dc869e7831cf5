"""Airwars' incident export: a JSON array of incidents with belligerents, gradings and named victims."""

from __future__ import annotations

from pathlib import Path

from pipeline.parse.common import ParseResult, Rejects, checked_date, checked_text, empty_to_none, frame, parse_int, read_json_array, require_fields
from pipeline.parse.incidents_common import nested_victims
from pipeline.places import resolve_latin
from pipeline.vocab import AIRWARS_BELLIGERENTS, AIRWARS_GRADINGS, AIRWARS_STRIKE_TYPES
from schemas import polars_schema
from schemas.staged import StagedAirwarsIncidents, StagedAirwarsVictims

REQUIRED = ["code", "date", "location", "belligerents", "strike_type", "grading", "civilians_killed_min", "civilians_killed_max"]


def _codes(rejects, number, key, field, values, mapping) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        rejects.add(number, key, field, values, "expected a list")
        return []
    out = []
    for value in values:
        code = mapping.get(str(value).strip().lower())
        if code is None:
            rejects.add(number, key, field, value, "value not in the vocabulary; mapped to unknown")
            code = "unknown"
        out.append(code)
    return out


def _number(rejects, number, key, field, value) -> int | None:
    try:
        result = parse_int(value)
    except ValueError as error:
        rejects.add(number, key, field, value, str(error))
        return None
    if result is not None and result < 0:
        rejects.add(number, key, field, value, "negative count")
        return None
    return result


def _coordinate(rejects, number, key, field, value, low, high) -> float | None:
    if value is None:
        return None
    try:
        coordinate = float(value)
    except (TypeError, ValueError):
        rejects.add(number, key, field, value, "not a number")
        return None
    if not low <= coordinate <= high:
        rejects.add(number, key, field, value, f"outside {low}..{high} (not near Mosul)")
        return None
    return coordinate


def parse_airwars(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    records = read_json_array(path)
    require_fields(path, records, REQUIRED)
    rejects = Rejects("airwars", snapshot, str(path))
    incidents, victims, seen = [], [], set()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rejects.reject_row(number, None, "(record)", record, "not a JSON object")
            continue
        code = empty_to_none(record.get("code"))
        if code is None:
            rejects.reject_row(number, None, "code", None, "incident code missing")
            continue
        key = f"airwars:{code}"
        if code in seen:
            rejects.reject_row(number, key, "code", code, "duplicate incident code; the first record with it is kept")
            continue
        start = checked_date(rejects, number, key, "date", record.get("date"))
        if start is None:
            rejects.reject_row(number, key, "date", record.get("date"), "incident date missing or unusable")
            continue
        end = checked_date(rejects, number, key, "date_end", record.get("date_end")) or start
        if end < start:
            rejects.add(number, key, "date_end", record.get("date_end"), "ends before it starts; taken as one day")
            end = start
        low = _number(rejects, number, key, "civilians_killed_min", record.get("civilians_killed_min"))
        high = _number(rejects, number, key, "civilians_killed_max", record.get("civilians_killed_max"))
        if low is None or high is None or low > high:
            rejects.reject_row(number, key, "civilians_killed_min", f"{record.get('civilians_killed_min')}..{record.get('civilians_killed_max')}", "killed range missing, negative or min > max")
            continue
        grading = AIRWARS_GRADINGS.get(str(record.get("grading") or "").strip().lower())
        if grading is None:
            rejects.reject_row(number, key, "grading", record.get("grading"), "grading not one of Confirmed, Fair, Weak, Contested, Discounted")
            continue
        seen.add(code)
        location = checked_text(rejects, number, key, "location", record.get("location"))
        place = resolve_latin(location)
        named = nested_victims(rejects, number, key, record.get("victims"), with_arabic=True)
        for victim in named:
            victim.update({"snapshot": snapshot, "source_row": number})
        victims.extend(named)
        outlets = record.get("sources") or []
        incidents.append({
            "record_key": key, "snapshot": snapshot, "source_row": number, "code": code,
            "date_start": start, "date_end": end, "location_original": location,
            "neighbourhood_id": place.neighbourhood_id, "bank": place.bank, "place_status": place.status,
            "latitude": _coordinate(rejects, number, key, "latitude", record.get("latitude"), 35.5, 37.0),
            "longitude": _coordinate(rejects, number, key, "longitude", record.get("longitude"), 42.5, 44.0),
            "belligerents": _codes(rejects, number, key, "belligerents", record.get("belligerents"), AIRWARS_BELLIGERENTS),
            "strike_types": _codes(rejects, number, key, "strike_type", record.get("strike_type"), AIRWARS_STRIKE_TYPES),
            "grading": grading, "killed_min": low, "killed_max": high,
            "injured_min": _number(rejects, number, key, "civilians_injured_min", record.get("civilians_injured_min")),
            "injured_max": _number(rejects, number, key, "civilians_injured_max", record.get("civilians_injured_max")),
            "n_named_victims": len(named),
            "outlets": [str(o) for o in outlets] if isinstance(outlets, list) else [str(outlets)],
            "summary": checked_text(rejects, number, key, "summary", record.get("summary")),
        })
    table = frame(incidents, polars_schema(StagedAirwarsIncidents))
    victim_table = frame(victims, polars_schema(StagedAirwarsVictims))
    return ParseResult({"staged_airwars_incidents": table, "staged_airwars_victims": victim_table}, rejects.frame(), rows_in=len(records), rows_staged=len(table))
