"""Name features for linkage: Arabic and Latin names brought into one comparable form.

Two forms per name token, both computable from Arabic script and from any English spelling:

- a *key*: the name itself for the common names in `pipeline/link/lexicon.py` (so Ahmed and
  Hamid, Mahmoud and Mohammed stay apart), otherwise a *skeleton*: the consonants only, in shared classes (Arabic writes no short vowels, and
  English spellings disagree mostly on vowels and doubled letters). محمد, Mohammed, Muhammad,
  Mohamed and Mohammad all become `mhmd`; يونس, Younis, Yunus and Younes become `ns`. Used for
  blocking and as the exact-match level, with term frequencies so a match on a rare family name
  counts for more than one on Mohammed.
- a *romanisation*: a vowel-normalised Latin string for graded similarity (Jaro-Winkler), so
  `fatima` / `fatma` score high but `hasan` / `husin` do not collapse.

Names are split into given, father, grandfather and family parts by the Iraqi convention
(given + father + grandfather, often a tribe or family name, usually a nisba such as الجبوري /
al-Jubouri). Compound names (عبد الله, Abd Allah, Abdullah) are joined into one token first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.link.lexicon import arabic_lookup, latin_lookup
from pipeline.text.arabic import normalise_arabic
from pipeline.text.latin import normalise_latin, strip_accents

# Arabic letter -> skeleton class ("" = not part of the skeleton: long vowels, ayn, hamza).
ARABIC_SKELETON = {
    "ب": "b", "ت": "d", "ث": "d", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "d", "ظ": "z", "ع": "", "غ": "g", "ف": "f", "ق": "k",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "", "ي": "", "ا": "", "ء": "",
}
# Arabic letter -> a plain romanisation (for graded similarity, not for display).
ARABIC_ROMAN = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "dh", "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "و": "u", "ي": "i", "ا": "a", "ء": "",
}
# English digraphs first, then single letters, into the same classes as ARABIC_SKELETON.
LATIN_DIGRAPHS = [("kh", "x"), ("sh", "c"), ("th", "d"), ("dh", "d"), ("gh", "g"), ("ch", "c"), ("ph", "f"), ("ck", "k")]
LATIN_SKELETON = {
    "b": "b", "p": "b", "t": "d", "d": "d", "j": "j", "h": "h", "r": "r", "z": "z", "s": "s", "c": "k", "g": "k",
    "f": "f", "q": "k", "k": "k", "l": "l", "m": "m", "n": "n", "x": "ks", "v": "f",
}
ARABIC_COMPOUND_ARTICLE = re.compile(r"^(عبد|ابو|ام)ال")
LATIN_COMPOUND = re.compile(r"\b(abd|abdul|abdel|abdal|abu|umm|um|abo)\s+(?=\w)")
LATIN_ABD = re.compile(r"^ab[dt](?:ul|el|al|ol|il|u|e)?(?=[a-z])")
RELATION = re.compile(r"\b(wife|husband|son|daughter|mother|father|brother|sister|child|children|son-in-law|relative)s? of\b", re.I)
UNIDENTIFIED_AR = normalise_arabic("مجهول الهوية")


@lru_cache(maxsize=200_000)
def arabic_token_forms(token: str) -> tuple[str, str]:
    """(skeleton, romanisation) of one normalised Arabic token."""
    token = ARABIC_COMPOUND_ARTICLE.sub(r"\1", token)  # عبدالرحمن -> عبدرحمن, as abd + rahman
    if token.startswith("ال") and len(token) > 3:
        token = token[2:]
    if token.endswith("ه") and len(token) > 2:
        token = token[:-1] + "ة"  # taa marbuta at the end is a vowel, not /h/
    skeleton = "".join(ARABIC_SKELETON.get(ch, "") for ch in token)
    # English cannot tell a final ح or ه from a written vowel (Saleh/Salih/صالح, Abdullah/عبدالله,
    # Fatimah/فاطمة), so a final h is dropped in both scripts.
    skeleton = skeleton[:-1] if skeleton.endswith("h") and len(skeleton) > 1 else skeleton
    roman = "".join(ARABIC_ROMAN.get(ch, "a" if ch == "ة" else "") for ch in token)
    return _squeeze(skeleton), _vowels(roman)


@lru_cache(maxsize=200_000)
def latin_token_forms(token: str) -> tuple[str, str]:
    """(skeleton, romanisation) of one normalised Latin token."""
    token = LATIN_ABD.sub("abd", token)
    work = token
    for digraph, cls in LATIN_DIGRAPHS:
        work = work.replace(digraph, cls.upper())
    skeleton = "".join(ch.lower() if ch.isupper() else LATIN_SKELETON.get(ch, "") for ch in work)
    skeleton = skeleton[:-1] if skeleton.endswith("h") and len(skeleton) > 1 else skeleton  # see arabic_token_forms
    return _squeeze(skeleton), _vowels(token)


def _squeeze(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _vowels(text: str) -> str:
    """One spelling for the vowels English writes in many ways: ou/oo/o/u -> u, ee/ei/ie/e/i/y -> i."""
    text = text.replace("'", "")
    text = re.sub(r"ou|oo|o|u|w", "u", text)
    text = re.sub(r"ee|ei|ie|ey|ay|e|y", "i", text)
    text = re.sub(r"aa", "a", text)
    return _squeeze(text)


@dataclass(frozen=True)
class NameParts:
    tokens: tuple[str, ...]
    skeletons: tuple[str, ...]
    romans: tuple[str, ...]
    given: int | None
    father: int | None
    grandfather: int | None
    family: int | None
    relational: bool

    def part(self, which: str, form: str = "skeleton") -> str | None:
        index = getattr(self, which)
        if index is None:
            return None
        return (self.skeletons if form == "skeleton" else self.romans)[index] or None


EMPTY = NameParts((), (), (), None, None, None, None, False)


def _assign(n: int, family_last: bool) -> tuple[int | None, int | None, int | None, int | None]:
    """Indices of given, father, grandfather, family for n tokens."""
    if n == 0:
        return None, None, None, None
    family = n - 1 if family_last and n >= 2 else None
    core = n - (1 if family is not None else 0)
    given = 0
    father = 1 if core >= 2 else None
    grandfather = 2 if core >= 3 else None
    return given, father, grandfather, family


@lru_cache(maxsize=200_000)
def arabic_name_parts(name: str | None) -> NameParts:
    value = normalise_arabic(name)
    if not value or value.startswith(UNIDENTIFIED_AR):
        return EMPTY
    tokens = tuple(t for t in value.split(" ") if t and not t.isdigit())
    forms = [arabic_token_forms(t) for t in tokens]
    keys = tuple(arabic_lookup(t) or f[0] for t, f in zip(tokens, forms))
    family_last = len(tokens) >= 3 and tokens[-1].startswith("ال") and tokens[-1].endswith("ي")
    relational = bool(tokens) and tokens[0].startswith(("ابو", "ام")) and len(tokens) <= 2
    return NameParts(tokens, keys, tuple(f[1] for f in forms), *_assign(len(tokens), family_last), relational)


@lru_cache(maxsize=200_000)
def latin_name_parts(name: str | None) -> NameParts:
    if not name:
        return EMPTY
    relational = bool(RELATION.search(name))
    with_article = normalise_latin(name, drop_article=False) or ""
    had_article_last = bool(re.search(r"\b(al|el|ul)\s+\w+$", with_article))
    value = normalise_latin(name) or ""
    value = LATIN_COMPOUND.sub(r"\1", value)
    tokens = tuple(t for t in value.split(" ") if t)
    if relational:
        return NameParts(tokens, tuple(latin_token_forms(t)[0] for t in tokens), tuple(latin_token_forms(t)[1] for t in tokens), None, None, None, None, True)
    forms = [latin_token_forms(t) for t in tokens]
    keys = tuple(latin_lookup(t, f[0]) or f[0] for t, f in zip(tokens, forms))
    last = tokens[-1] if tokens else ""
    family_last = had_article_last or (len(tokens) >= 3 and len(last) >= 5 and last.endswith(("i", "y")))
    kunya = bool(tokens) and tokens[0].startswith(("abu", "umm", "um")) and len(tokens) <= 2
    return NameParts(tokens, keys, tuple(f[1] for f in forms), *_assign(len(tokens), family_last), kunya)


def romanise_arabic(name: str | None) -> str | None:
    """A readable Latin rendering of an Arabic name (for the victims table's best Latin name)."""
    parts = arabic_name_parts(name)
    if not parts.tokens:
        return None
    return " ".join(roman.capitalize() for roman in parts.romans)


def name_key(parts: NameParts) -> str | None:
    """The whole name's skeleton, parts in order: an exact-name key for the baseline and for blocking."""
    return " ".join(s for s in parts.skeletons if s) or None


def strip_for_display(text: str | None) -> str | None:
    return strip_accents(text) if text else text
