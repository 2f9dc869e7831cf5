"""The sources' own words mapped to the shared codes of pipeline/codes.py.

Unmapped values map to `unknown` and are reported by the parser as a reject-free warning row
in `unresolved_vocabulary`, so a new word in a snapshot is seen rather than silently absorbed.
"""

from __future__ import annotations

import re

from pipeline.text.arabic import normalise_arabic

MORGUE_CAUSES = {
    normalise_arabic(k): v
    for k, v in {
        "انهيار": "crushed", "هدم": "crushed", "انهيار مبنى": "crushed", "انهيار منزل": "crushed", "تحت الانقاض": "crushed",
        "شظايا": "shrapnel", "شظية": "shrapnel",
        "طلق ناري": "gunshot", "اطلاق نار": "gunshot", "رصاص": "gunshot",
        "انفجار": "blast", "عبوة": "blast", "تفجير": "blast",
        "حروق": "burns", "حرق": "burns",
        "غرق": "drowning",
        "اعدام": "execution", "إعدام": "execution",
        "غير معروف": "unknown", "مجهول": "unknown",
    }.items()
}

AIRWARS_BELLIGERENTS = {"coalition": "coalition", "iraqi security forces": "iraqi_forces", "isf": "iraqi_forces", "isis": "islamic_state", "isil": "islamic_state", "islamic state": "islamic_state", "unknown": "unknown"}
AIRWARS_STRIKE_TYPES = {"airstrike": "airstrike", "artillery": "artillery", "mortar": "mortar", "shelling": "shelling", "ied": "ied", "small arms": "gunfire", "execution": "execution", "unknown": "unknown"}
AIRWARS_GRADINGS = {"confirmed": "confirmed", "fair": "fair", "weak": "weak", "contested": "contested", "discounted": "discounted"}
AMNESTY_ATTRIBUTIONS = {"iraqi forces/coalition": "coalition_or_iraqi", "is": "islamic_state", "unclear": "unclear"}

# Free-text weapon descriptions (IBC, Amnesty): first matching pattern wins, most specific first.
WEAPON_PATTERNS = [
    (r"air ?strike or artillery|air or artillery", "air_or_artillery"),
    (r"suicide car bomb|car bomb|vbied|svbied", "vbied"),
    (r"air ?strike|air-delivered|aerial|bomb(ed|ing)? from the air|drone", "airstrike"),
    (r"\biram\b|rocket-assisted", "shelling"),
    (r"artillery", "artillery"),
    (r"mortar", "mortar"),
    (r"shelling|rocket", "shelling"),
    (r"execut", "execution"),
    (r"\bied\b|roadside bomb|explosive device|booby", "ied"),
    (r"gunfire|sniper|shot|small arms|gunmen", "gunfire"),
    (r"crossfire|unknown|gunfire and shelling", "unknown"),
]


def map_weapon(text: str | None) -> tuple[str, bool]:
    """(code, recognised). Unrecognised or empty text is `unknown`, flagged so it can be reported."""
    if not text or not text.strip():
        return "unknown", True
    lowered = text.lower()
    if "crossfire" in lowered or "gunfire and shelling" in lowered:
        return "unknown", True
    code = first_match(lowered, WEAPON_PATTERNS)
    return (code, True) if code else ("unknown", False)


def first_match(text: str, patterns: list[tuple[str, str]]) -> str | None:
    """The code of the first pattern found in `text` (patterns are tried most specific first)."""
    return next((code for pattern, code in patterns if re.search(pattern, text)), None)


def map_cause(text: str | None) -> tuple[str, bool]:
    value = normalise_arabic(text)
    if not value:
        return "unknown", True
    if value in MORGUE_CAUSES:
        return MORGUE_CAUSES[value], True
    for word, code in MORGUE_CAUSES.items():
        if word in value:
            return code, True
    return "unknown", False


# What an incident hit and when, read from free text (IBC's target and time columns, Airwars' and
# Amnesty's narratives). First matching pattern wins; weapon phrases that name a thing ("car bomb")
# are removed first so that a car bomb is not read as a car being hit.
TARGET_PATTERNS = [
    (r"flee|escap", "fleeing"),
    (r"checkpoint", "checkpoint"),
    (r"market|bazaar|souq", "market"),
    (r"mosque", "mosque"),
    (r"shelter|basement", "shelter"),
    (r"\bcar\b|vehicle|minibus|\bbus\b|truck", "vehicle"),
    (r"building|apartment", "building"),
    (r"home|house", "home"),
    (r"street|road", "street"),
]
TIME_PATTERNS = [
    (r"night|overnight", "night"),
    (r"evening|dusk", "evening"),
    (r"afternoon|\bpm\b|midday|noon", "afternoon"),
    (r"morning|\bam\b|dawn", "morning"),
]
NOT_A_TARGET = re.compile(r"car bomb|suicide car|vbied", re.IGNORECASE)


def read_detail(text: str | None, patterns: list[tuple[str, str]]) -> str | None:
    """The first detail code a text names, or None when it names none."""
    if not text:
        return None
    return first_match(NOT_A_TARGET.sub(" ", text.lower()), patterns)


# A perpetrator named in IBC's weapon text ("ISIS sniper fire", "US-led coalition air strike").
ACTOR_PATTERNS = [
    (r"\bisis\b|\bisil\b|\bis\b|daesh|islamic state", "islamic_state"),
    (r"coalition|iraqi (?:forces|army|security)|\bisf\b|us-led", "coalition_or_iraqi"),
]


def read_actor(text: str | None) -> str | None:
    """The one side a text names as perpetrator; None when it names none or both."""
    if not text:
        return None
    named = {code for pattern, code in ACTOR_PATTERNS if re.search(pattern, text.lower())}
    return named.pop() if len(named) == 1 else None
