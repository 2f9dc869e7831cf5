"""Amnesty International's documented incidents ("At any cost", west Mosul), with named victims."""

from __future__ import annotations

from pathlib import Path

from pipeline.parse.airwars import _number
from pipeline.parse.common import ParseResult, Rejects, checked_date, checked_text, empty_to_none, frame, read_json_array, require_fields
from pipeline.parse.incidents_common import nested_victims
from pipeline.places import resolve_latin
from pipeline.vocab import AMNESTY_ATTRIBUTIONS, map_weapon
from schemas import polars_schema
from schemas.staged import StagedAmnestyIncidents, StagedAmnestyVictims

REQUIRED = ["id", "date", "location", "attributed_to", "killed"]


def parse_amnesty(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    records = read_json_array(path)
    require_fields(path, records, REQUIRED)
    rejects = Rejects("amnesty", snapshot, str(path))
    incidents, victims, seen = [], [], set()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rejects.reject_row(number, None, "(record)", record, "not a JSON object")
            continue
        ident = empty_to_none(record.get("id"))
        key = f"amnesty:{ident}" if ident else None
        if ident is None or ident in seen:
            rejects.reject_row(number, key, "id", ident, "incident id missing or duplicated")
            continue
        date = checked_date(rejects, number, key, "date", record.get("date"))
        attribution = AMNESTY_ATTRIBUTIONS.get(str(record.get("attributed_to") or "").strip().lower())
        killed = _number(rejects, number, key, "killed", record.get("killed"))
        if date is None or attribution is None or killed is None:
            field = "date" if date is None else "attributed_to" if attribution is None else "killed"
            rejects.reject_row(number, key, field, record.get(field), f"{field} missing or unusable")
            continue
        seen.add(ident)
        location = checked_text(rejects, number, key, "location", record.get("location"))
        place = resolve_latin(location)
        weapon_text = empty_to_none(record.get("weapon"))
        weapon, known = map_weapon(weapon_text)
        if not known:
            rejects.add(number, key, "weapon", weapon_text, "weapon not in the vocabulary; mapped to unknown")
        named = nested_victims(rejects, number, key, record.get("victims"), with_arabic=False)
        for victim in named:
            victim.update({"snapshot": snapshot, "source_row": number})
        victims.extend(named)
        incidents.append({
            "record_key": key, "snapshot": snapshot, "source_row": number, "id": ident, "date": date,
            "location_original": location, "neighbourhood_id": place.neighbourhood_id, "bank": place.bank, "place_status": place.status,
            "attribution": attribution, "weapon_original": weapon_text, "weapon": weapon, "killed": killed,
            "n_named_victims": len(named), "summary": checked_text(rejects, number, key, "summary", record.get("summary")),
        })
    table = frame(incidents, polars_schema(StagedAmnestyIncidents))
    return ParseResult({"staged_amnesty_incidents": table, "staged_amnesty_victims": frame(victims, polars_schema(StagedAmnestyVictims))}, rejects.frame(), rows_in=len(records), rows_staged=len(table))
