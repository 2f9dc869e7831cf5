"""Latin-name normalisation: case, the article, hyphens, apostrophes and accents."""

from __future__ import annotations

import re
import unicodedata

APOSTROPHES = re.compile("[\u02bf\u02bc\u2018\u2019'`\u00b4]")
ARTICLE = re.compile(r"\b(?:al|el|ul)[\s-]+(?=\w)")
NON_LETTERS = re.compile(r"[^a-z0-9 ]+")
SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_latin(text: str | None, drop_article: bool = True) -> str | None:
    """Comparable form of a transliterated name or place: `Al-Jubouri` -> `jubouri`,
    `Sa'ad` -> `saad`. The article is dropped because sources add and omit it freely."""
    if text is None:
        return None
    out = strip_accents(text).lower()
    out = APOSTROPHES.sub("", out)
    out = out.replace("-", " ")
    if drop_article:
        out = ARTICLE.sub("", out)
    out = NON_LETTERS.sub(" ", out)
    out = SPACES.sub(" ", out).strip()
    return out or None
