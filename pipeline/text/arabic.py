"""Arabic normalisation: one spelling for the variants clerks write for the same name.

The original text is always kept beside the normalised one; normalisation is for comparing.
"""

from __future__ import annotations

import re
import unicodedata

EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Hamza seats and alef forms collapse to bare alef/waw/yaa; taa marbuta to haa; alef maqsura to yaa.
LETTER_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ة": "ه", "ى": "ي", "ـ": None})
DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
# عبد الله / عبدالله, ابو علي / ابوعلي: compounds written with or without the space become one token.
COMPOUND = re.compile(r"\b(عبد|ابو|ام)\s+(?=\S)")
SPACES = re.compile(r"\s+")


def eastern_to_western_digits(text: str | None) -> str | None:
    return None if text is None else text.translate(EASTERN_DIGITS)


def normalise_arabic(text: str | None) -> str | None:
    """Comparable form of an Arabic name or place; None for empty input."""
    if text is None:
        return None
    out = unicodedata.normalize("NFKC", text)
    out = DIACRITICS.sub("", out).translate(LETTER_FOLDS).translate(EASTERN_DIGITS)
    out = re.sub(r"[،,.\-_'\"]", " ", out)
    out = SPACES.sub(" ", out).strip()
    out = COMPOUND.sub(r"\1", out)
    return out or None
