"""Shared codes every stage speaks: parties, weapons, causes, gradings, banks, the study window.

Source vocabularies are mapped onto these in `pipeline/vocab.py`; schemas check against them.
"""

from __future__ import annotations

import datetime as dt

PARTIES = ("coalition_or_iraqi", "islamic_state", "undetermined")
WEAPONS = (
    "airstrike",
    "artillery",
    "mortar",
    "shelling",
    "ied",
    "vbied",
    "execution",
    "gunfire",
    "air_or_artillery",
    "unknown",
)
CAUSES = ("crushed", "shrapnel", "gunshot", "blast", "burns", "drowning", "execution", "unknown")
BELLIGERENTS = ("coalition", "iraqi_forces", "islamic_state", "unknown")
GRADINGS = ("confirmed", "fair", "weak", "contested", "discounted")
AMNESTY_ATTRIBUTIONS = ("coalition_or_iraqi", "islamic_state", "unclear")
BANKS = ("east", "west")
PLACE_STATUSES = ("neighbourhood", "bank", "unknown", "unresolved")
SEXES = ("M", "F")
SOURCES = ("morgue", "airwars", "ibc", "amnesty", "un", "official")
NAMED_LISTS = ("morgue", "airwars", "ibc", "amnesty")

STUDY_START = dt.date(2016, 10, 17)
STUDY_END = dt.date(2017, 7, 10)
# Bodies were recovered from rubble and registered for months after the battle.
REGISTRATION_END = dt.date(2018, 6, 30)
# A little slack before the start: some lists date deaths from the eve of the offensive.
EARLIEST_DEATH = STUDY_START - dt.timedelta(days=14)

AGE_MIN, AGE_MAX = 0, 110
