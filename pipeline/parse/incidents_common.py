"""Pieces the incident-list parsers (Airwars, Amnesty) share: victims nested in JSON records."""

from __future__ import annotations

from pipeline.parse.common import Rejects, checked_age, empty_to_none
from pipeline.text.arabic import normalise_arabic
from pipeline.text.latin import normalise_latin

GENDER = {"male": "M", "female": "F", "m": "M", "f": "F"}


def nested_victims(rejects: Rejects, number: int, incident_key: str, source_victims, with_arabic: bool) -> list[dict]:
    """Named victims inside one incident record: key `<incident>/<n>`, n = 1-based position."""
    if source_victims is None:
        return []
    if not isinstance(source_victims, list):
        rejects.add(number, incident_key, "victims", source_victims, "victims is not a list; no victims read")
        return []
    out = []
    for position, victim in enumerate(source_victims, start=1):
        key = f"{incident_key}/{position}"
        if not isinstance(victim, dict) or not empty_to_none(victim.get("name")):
            rejects.add(number, key, "victims.name", victim if not isinstance(victim, dict) else victim.get("name"), "victim without a name; not staged as a person record")
            continue
        gender = empty_to_none(victim.get("gender"))
        sex = GENDER.get(gender.lower()) if gender else None
        if gender and sex is None:
            rejects.add(number, key, "victims.gender", gender, "unknown gender value")
        entry = {
            "record_key": key, "incident_key": incident_key, "position": position,
            "name_original": victim["name"].strip(), "name_latin": normalise_latin(victim["name"]),
            "sex": sex, "age": checked_age(rejects, number, key, "victims.age", victim.get("age")),
        }
        if with_arabic:
            arabic = empty_to_none(victim.get("name_ar"))
            entry.update({"name_ar_original": arabic, "name_ar": normalise_arabic(arabic), "note": empty_to_none(victim.get("note"))})
        out.append(entry)
    return out
