"""What each witness saw of the world, written in its own format (../shared/sources.md), with its mess.

Each writer returns the truth rows for the records it wrote (record_key, person_id, incident_id).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np

from pipeline.scenario.names import FAMILY, FEMALE, MALE, arabic_spelling_variant
from pipeline.scenario.places import BANK_AR, BANK_LATIN, NEIGHBOURHOODS
from pipeline.scenario.world import Incident, Person, World

EASTERN = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
MORGUE_HEADER = ["ت", "الاسم", "الجنس", "العمر", "تاريخ_الوفاة", "تاريخ_الاستلام", "المنطقة", "سبب_الوفاة", "ملاحظات"]
CAUSES = {
    "airstrike": (["انهيار", "هدم", "انهيار مبنى", "شظايا", "غير معروف"], [0.35, 0.15, 0.2, 0.1, 0.2]),
    "artillery": (["شظايا", "انهيار", "هدم", "غير معروف"], [0.4, 0.25, 0.1, 0.25]),
    "air_or_artillery": (["انهيار", "انهيار مبنى", "شظايا", "غير معروف"], [0.35, 0.2, 0.2, 0.25]),
    "mortar": (["شظايا", "انفجار", "غير معروف"], [0.6, 0.15, 0.25]),
    "shelling": (["شظايا", "انفجار", "غير معروف"], [0.55, 0.15, 0.3]),
    "execution": (["اعدام", "إعدام", "طلق ناري", "غير معروف"], [0.45, 0.2, 0.25, 0.1]),
    "ied": (["انفجار", "حروق", "شظايا", "غير معروف"], [0.55, 0.15, 0.1, 0.2]),
    "vbied": (["انفجار", "حروق", "غير معروف"], [0.6, 0.2, 0.2]),
    "gunfire": (["طلق ناري", "غير معروف", "غرق"], [0.75, 0.17, 0.08]),
    "unknown": (["غير معروف", "شظايا", "انهيار", "طلق ناري", ""], [0.5, 0.15, 0.15, 0.1, 0.1]),
}
IBC_WEAPONS = {
    "airstrike": ["air strike", "airstrike", "air strike on house"],
    "artillery": ["artillery", "shelling by artillery"],
    "air_or_artillery": ["air strike or artillery"],
    "mortar": ["mortars", "mortar fire"],
    "shelling": ["shelling", "rocket fire"],
    "execution": ["executed", "shot dead by ISIS", "executed by ISIS"],
    "ied": ["IED", "roadside bomb", "explosive device"],
    "vbied": ["suicide car bomb", "car bomb"],
    "gunfire": ["gunfire", "sniper fire", "shot while fleeing"],
    "unknown": ["crossfire", "gunfire and shelling"],
}
STRIKE_TYPES = {
    "airstrike": ["Airstrike"], "artillery": ["Artillery"], "air_or_artillery": ["Airstrike", "Artillery"], "mortar": ["Mortar"],
    "shelling": ["Shelling"], "execution": ["Execution"], "ied": ["IED"], "vbied": ["IED"], "gunfire": ["Small arms"], "unknown": ["Unknown"],
}
# How the sources word an incident's target and time (the pipeline's vocabulary is its own).
TARGET_WORDS = {
    "home": ["family home", "a house", "residential house", "home"],
    "building": ["residential building", "apartment building", "a building"],
    "street": ["street", "a road", "civilians in the street"],
    "vehicle": ["a car", "civilian vehicle", "a minibus"],
    "mosque": ["mosque", "a mosque"],
    "market": ["market", "crowded market", "marketplace"],
    "shelter": ["basement shelter", "a shelter"],
    "fleeing": ["civilians fleeing", "families fleeing", "people fleeing"],
    "checkpoint": ["checkpoint", "an IS checkpoint"],
}
SUMMARY_WEAPON = {
    "airstrike": "an air strike", "artillery": "artillery fire", "air_or_artillery": "an air strike or artillery", "mortar": "mortar fire",
    "shelling": "shelling", "execution": "IS fighters", "ied": "an IED", "vbied": "a car bomb", "gunfire": "gunfire", "unknown": "an attack",
}
TIME_WORDS = {"morning": ["morning", "AM", "dawn"], "afternoon": ["afternoon", "PM", "midday"], "evening": ["evening", "dusk"], "night": ["night", "overnight"]}
AMNESTY_WEAPON = {"airstrike": "air-delivered munition", "artillery": "artillery", "air_or_artillery": "air-delivered munition", "mortar": "mortar", "shelling": "IRAM", "gunfire": "sniper fire", "execution": "execution", "ied": "IED", "vbied": "VBIED", "unknown": "unknown"}


def choose(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(0, len(options)))]


class Writer:
    def __init__(self, rng: np.random.Generator, world: World, difficulty: str):
        self.rng = rng
        self.world = world
        self.hard = difficulty == "hard"

    # --- names -------------------------------------------------------------------------
    def arabic_name(self, person: Person, with_family: bool = True) -> str:
        pool = MALE if person.sex == "M" else FEMALE
        parts = [pool[person.given][0], MALE[person.father][0], MALE[person.grandfather][0]]
        if person.family is not None and with_family:
            parts.append(FAMILY[person.family][0])
        return arabic_spelling_variant(" ".join(parts), self.rng)

    def latin_token(self, entry) -> str:
        variants = entry[1]
        weights = np.array([3.0] + [1.0] * (len(variants) - 1))
        token = variants[int(self.rng.choice(len(variants), p=weights / weights.sum()))]
        if self.hard and self.rng.random() < 0.15:
            token = self._drift(token)
        return token

    def _drift(self, token: str) -> str:
        """A transliterator's slip: a doubled or dropped letter, a vowel swapped."""
        if len(token) < 4:
            return token
        i = int(self.rng.integers(1, len(token) - 1))
        kind = self.rng.random()
        if kind < 0.4:
            return token[:i] + token[i] + token[i:]
        if kind < 0.7:
            return token[:i] + token[i + 1:]
        vowels = "aeiou"
        return token[:i] + (vowels[int(self.rng.integers(0, 5))] if token[i] in vowels else token[i]) + token[i + 1:]

    def latin_name(self, person: Person) -> str:
        if person.kunya_son is not None and self.rng.random() < 0.03:
            prefix = "Abu" if person.sex == "M" else "Umm"
            return f"{prefix} {self.latin_token(MALE[person.kunya_son])}"
        pool = MALE if person.sex == "M" else FEMALE
        parts = [self.latin_token(pool[person.given]), self.latin_token(MALE[person.father])]
        if self.rng.random() < 0.45:
            parts.append(self.latin_token(MALE[person.grandfather]))
        if person.family is not None and self.rng.random() < 0.6:
            parts.append(self.latin_token(FAMILY[person.family]))
        return " ".join(parts)

    # --- dates and numbers ---------------------------------------------------------------
    def morgue_date(self, day: dt.date) -> str:
        text = day.strftime("%d/%m/%Y") if self.rng.random() < 0.6 else day.isoformat()
        return text.translate(EASTERN) if self.rng.random() < 0.2 else text

    def morgue_age(self, age: int) -> str:
        if age == 0:
            return "رضيع" if self.rng.random() < 0.7 else "0"
        text = str(age)
        return text.translate(EASTERN) if self.rng.random() < 0.25 else text

    def noisy_age(self, age: int, p_missing: float) -> int | None:
        if self.rng.random() < p_missing:
            return None
        if self.rng.random() < 0.1:
            return max(0, age + int(self.rng.choice([-1, 1])))
        return age

    def morgue_place(self, person: Person, incident: Incident) -> str:
        key, ar, latin, bank, *_rest, old_city = NEIGHBOURHOODS[person.neighbourhood]
        draw = self.rng.random()
        p_empty = 0.2 if self.hard else 0.1
        if draw < p_empty:
            return ""
        if draw < p_empty + 0.1:
            return BANK_AR[bank]
        if old_city and draw < p_empty + 0.2:
            return "المدينة القديمة"
        name = arabic_spelling_variant(ar, self.rng)
        return f"حي {name}" if self.rng.random() < 0.6 else name

    def latin_place(self, person_or_place: int) -> str:
        _key, _ar, latin, bank, *_ = NEIGHBOURHOODS[person_or_place]
        return choose(self.rng, latin)


def write_csv(path: Path, header: list[str], rows: list[list], bom: bool = False, crlf: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
