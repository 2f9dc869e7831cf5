"""The Mosul gazetteer: a place name in any spelling to one neighbourhood, a bank, or unknown.

Unknown names are reported (status `unresolved`), never guessed: a wrong neighbourhood would
move a death to another part of the city and into another incident.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.text.arabic import normalise_arabic
from pipeline.text.latin import normalise_latin

GAZETTEER = Path(__file__).parent / "data" / "gazetteer.csv"

BANKS_AR = {"الساحل الايمن": "west", "الساحل الايسر": "east", "الجانب الايمن": "west", "الجانب الايسر": "east"}
BANKS_LATIN = {"west mosul": "west", "east mosul": "east", "western mosul": "west", "eastern mosul": "east", "right bank": "west", "left bank": "east"}
# Words around the place name that say nothing about which place it is.
LATIN_NOISE = re.compile(r"\b(mosul|iraq|near|in|district|neighbourhood|neighborhood|quarter|hay|hai|city of|the)\b")
ARABIC_PREFIX = re.compile(r"^(حي|منطقه|محله)\s+")


@dataclass(frozen=True)
class PlaceResolution:
    neighbourhood_id: str | None
    bank: str | None
    status: str  # neighbourhood | bank | unknown | unresolved


UNKNOWN = PlaceResolution(None, None, "unknown")


@lru_cache(maxsize=1)
def load_gazetteer() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]], list[dict]]:
    arabic, latin, rows = {}, {}, []
    with open(GAZETTEER, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            entry = (row["neighbourhood_id"], row["bank"])
            rows.append(row)
            name_ar = normalise_arabic(row["name_ar"])
            arabic[name_ar] = entry
            if name_ar.startswith("ال"):
                arabic[name_ar[2:]] = entry
            for spelling in row["latin"].split(";"):
                latin[normalise_latin(spelling)] = entry
                latin[_latin_key(spelling)] = entry
    return arabic, latin, rows


def _latin_key(text: str) -> str:
    """A looser key: no spaces, doubled letters single (Zanjili/Zinjili stay apart, Najjar/Najar meet)."""
    value = normalise_latin(text) or ""
    value = value.replace(" ", "")
    return re.sub(r"(.)\1+", r"\1", value)


@lru_cache(maxsize=20_000)
def resolve_arabic(text: str | None) -> PlaceResolution:
    value = normalise_arabic(text)
    if not value:
        return UNKNOWN
    arabic, _, _ = load_gazetteer()
    for bank_name, bank in BANKS_AR.items():
        if value == normalise_arabic(bank_name):
            return PlaceResolution(None, bank, "bank")
    value = ARABIC_PREFIX.sub("", value)
    for candidate in (value, value[2:] if value.startswith("ال") else "ال" + value):
        if candidate in arabic:
            neighbourhood, bank = arabic[candidate]
            return PlaceResolution(neighbourhood, bank, "neighbourhood")
    if value in ("الموصل",):
        return UNKNOWN
    return PlaceResolution(None, None, "unresolved")


@lru_cache(maxsize=20_000)
def resolve_latin(text: str | None) -> PlaceResolution:
    value = normalise_latin(text)
    if not value:
        return UNKNOWN
    _, latin, _ = load_gazetteer()
    bank = None
    for phrase, side in BANKS_LATIN.items():
        if phrase in value:
            bank = side
            value = value.replace(phrase, " ")
    # "Mosul: Zanjili", "al-Jadida, Mosul, Iraq", "Zanjili, west Mosul": try each comma/colon part.
    parts = [p for p in re.split(r"[,:;/]", (text or "").lower()) if p.strip()]
    candidates = []
    for part in parts:
        cleaned = normalise_latin(part) or ""
        for phrase in BANKS_LATIN:
            cleaned = cleaned.replace(phrase, " ")
        cleaned = re.sub(r"\s+", " ", LATIN_NOISE.sub(" ", cleaned)).strip()
        if cleaned:
            candidates.append(cleaned)
    for candidate in candidates:
        for key in (candidate, _latin_key(candidate)):
            if key in latin:
                neighbourhood, side = latin[key]
                return PlaceResolution(neighbourhood, side, "neighbourhood")
    if bank:
        return PlaceResolution(None, bank, "bank")
    if not candidates:
        return UNKNOWN
    return PlaceResolution(None, None, "unresolved")


def resolve_place(text: str | None, script: str) -> PlaceResolution:
    return resolve_arabic(text) if script == "ar" else resolve_latin(text)


def area_members() -> list[tuple[str, str]]:
    """(area, neighbourhood_id) for every place a record can name without naming one neighbourhood:
    each bank ("bank:east", "bank:west") holds its neighbourhoods, and the Old City ("old_city", which
    the morgue writes for a body from any of its quarters) holds itself and the quarters the
    gazetteer's `area` column puts in it. A body placed only that far could have died in any of them."""
    rows = load_gazetteer()[2]
    banks = [(f"bank:{row['bank']}", row["neighbourhood_id"]) for row in rows if row.get("bank")]
    areas = [(row["area"], row["neighbourhood_id"]) for row in rows if row.get("area")]
    return banks + areas


def neighbourhood_centroids() -> dict[str, tuple[float, float]]:
    """neighbourhood_id -> (latitude, longitude) of its centre, from the gazetteer. Lets the
    linker tell a neighbouring place (the Old City and its quarters, Mosul al-Jadida and
    al-Jadida) from one across the city."""
    return {row["neighbourhood_id"]: (float(row["lat"]), float(row["lon"])) for row in load_gazetteer()[2] if row.get("lat") and row.get("lon")}
