"""Name features for linkage: Arabic and Latin names brought into one comparable form.

The same name reaches the lists as محمد in the morgue and as Mohammed, Muhammad, Mohamed or
Mohammad in the English lists. Three things make them comparable:

1. A *token shape*, computable from either script: the consonant skeleton (consonants in shared
   classes: English spellings disagree mostly on vowels, doubled letters and dentals) and, between
   consecutive consonants, the vowel *slots*. Arabic writes only long vowels (ا و ي), English
   writes every vowel, so a slot can confirm a match (محمود's long u against "ou" or "u" in
   Mahmoud, Mahmud) or refute it (محمود against the "e" of Mohammed; حسين's long i against the
   "a" of Hassan). The skeleton alone would make Mohammed and Mahmoud, Hassan and Hussein meet.
2. A *lexicon* built from the data itself: every Latin token is resolved to the Arabic token
   (from the morgue and any Arabic names the lists carry) with the same skeleton whose slots it
   fits best, ties going to the name most often seen in the same role (a woman's given name, a
   man's name). That Arabic token is the token's *canonical form*: Mohammed, Muhammad and محمد all
   become محمد. Latin tokens with no Arabic counterpart are grouped among themselves the same way.
   Nothing here is a hand-written list of names: the lists supply the vocabulary.
3. *Name parts* by the Iraqi convention: given name, father's, grandfather's, then often a family
   or tribe name (a nisba, usually with the article: الجبوري, al-Jubouri, Jubouri). Compound names
   (عبد الله, Abd Allah, Abdullah) are one token. Names given only by relation or kunya ("Wife of
   Ali Yasser", "Umm Raed", "Abu Omar") have no parts: they name someone else.

Term frequencies of the canonical parts are left to the linker (a match on Mohammed is worth
little, one on a rare family name much).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.arabic import normalise_arabic
from pipeline.text.latin import normalise_latin

# ----------------------------------------------------------------------------------------------
# Token shapes
# ----------------------------------------------------------------------------------------------

# Arabic consonant -> class. Dentals and interdentals share one class (ت ث د ذ ض ط ظ all reach
# English as t, th, d, dh or z); ق and ك share one (Qasim, Kassim). ع and ء are not written in
# most English spellings (Omar, Saad), so they are not part of the skeleton.
ARABIC_CONSONANT = {
    "ب": "b", "ت": "d", "ث": "d", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "d", "ظ": "d", "غ": "g", "ف": "f", "ق": "k", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h",
}
ARABIC_VOWEL = {"ا": "a", "و": "u", "ي": "i", "ى": "a"}
ARABIC_SILENT = set("عءئؤ")
# English digraphs, then single letters, each with the Arabic consonant classes it can write, the
# usual reading first. A digraph may also be two letters (th: ث or ت+ح as in Fathi; dh: ذ or
# د+ه as in Adham, Abd+Hamid; sh: ش or س+ح as in Ishaq); s may write ث (Osman, Haris); z may
# write ذ or ظ (Zanoon for ذنون); g may write غ, ج (Egyptian spelling) or ق (Iraqi speech); k may
# write خ (Kalid); a final t may be a taa marbuta (Najat, Hayat for نجاة, حياة), written as nothing.
# sh may also be ش followed by ه with the h written once (Mashadani for المشهداني, beside the
# Mashhadani that writes both).
LATIN_DIGRAPHS = {"kh": ("x",), "sh": ("c", "sh", "ch"), "th": ("d", "dh"), "dh": ("d", "dh"), "gh": ("g",), "ch": ("c",), "ph": ("f",), "ck": ("k",)}
LATIN_CONSONANT = {
    "b": ("b",), "p": ("b",), "t": ("d",), "d": ("d",), "j": ("j",), "h": ("h",), "r": ("r",), "z": ("z", "d"),
    "s": ("s", "d"), "c": ("k",), "g": ("g", "j", "k"), "f": ("f",), "v": ("f",), "q": ("k",), "k": ("k", "x"), "l": ("l",),
    "m": ("m",), "n": ("n",), "x": ("x",),
}
FINAL_T = ("d", "")
FIT_WEIGHT = 16  # one point of vowel fit counts as much as a sixteenfold difference in frequency
MAX_READINGS = 32
# What each English vowel letter can write: e is an i or (by imala) an a; y and w are glides.
LATIN_VOWEL = {"a": "a", "e": "ai", "i": "i", "y": "i", "o": "u", "u": "u", "w": "u"}

ARTICLE_AR = "ال"
# عبد الرحمن -> عبدالرحمن -> abd + rahman: the article inside a compound is not written in every
# English spelling (Abd al-Rahman, Abdulrahman, Abdelrahman, Abdurrahman), so it is dropped.
ARABIC_ABD_ARTICLE = re.compile(r"^عبدال")
LATIN_ABD = re.compile(r"^ab+[dt](?:ul|el|al|ol|il|ur|u|e)?(?=[a-z])")
# A doubled letter is one consonant (Hissham, Abdullah), except an h after a letter that makes a
# digraph with it: the hh of Mashhadani is the h of sh and then ه (مشهداني), two consonants.
DOUBLED_CONSONANT = re.compile(r"([bcdfgjklmnpqrstvxz])\1+|(?<![cdgkpst])(h)h+")
LATIN_COMPOUND = re.compile(r"\b(abd|abdul|abdel|abdal|abu|abo|umm)\s+(?=[a-z])")
KUNYA_LATIN = ("abu", "abo", "umm", "um", "om", "oum")
# A kunya is its own word before normalisation joins it to the name (ام علي, not امل or امنة).
KUNYA_ARABIC = re.compile(r"^\s*(ابو|أبو|ابو|ام|أم|إم)\s+\S")
RELATION = re.compile(
    r"\b(wife|husband|widow|son|daughter|mother|father|brother|sister|child|children|baby|infant|relative|nephew|niece|grandson|granddaughter|grandmother|grandfather|uncle|aunt|cousin)s?\s+of\b",
    re.IGNORECASE,
)
UNIDENTIFIED_AR = normalise_arabic("مجهول الهوية")
# "X al-Din" compounds (صلاح الدين, Salah al-Din, Salaheddin, Nuruddin) are written with and
# without their second half; the name is compared on its first.
DIN_AR = normalise_arabic("الدين")
DIN_LATIN_WORD = re.compile(r"(?<=[a-z])\s+(?:(?:al|el|ad|ed|ud|ul|ed)[\s-]*)?(?:din|deen|dine)\b")
DIN_LATIN_SUFFIX = re.compile(r"(?<=[a-z]{3})(?:ud|ed|ad|al|el|ul|u|e)d+(?:i|ee)ne?$")


@dataclass(frozen=True)
class TokenShape:
    """skeleton: consonant classes; slots: len(skeleton)+1 vowel slots, what is written between
    consonants ('' = nothing): for Arabic the long vowels in order (a, u, i; y = a final ي), for
    English the vowel letters themselves. optional: Arabic slots whose vowel the other side may
    leave unwritten (an initial alef, a final taa marbuta)."""

    skeleton: str
    slots: tuple[str, ...]
    optional: frozenset[int] = frozenset()
    glottal: frozenset[int] = frozenset()  # Arabic slots holding ع or ء, which English may write as a long vowel (Sa'ad, Saad)
    alternative: int = 0  # English letters read in a less usual way (z as ذ, g as ج or ق)
    initial_vowel: bool = False  # an Arabic word starting with alef: the English starts with a vowel


def _squeeze_shape(consonants: list[str], slots: list[str]) -> tuple[str, tuple[str, ...]]:
    """Doubled consonants with no vowel between are one (Arabic writes no shadda, English doubles)."""
    out_c, out_s = [], [slots[0]]
    for consonant, after in zip(consonants, slots[1:]):
        if out_c and out_c[-1] == consonant and out_s[-1] == "":
            out_s[-1] = after
            continue
        out_c.append(consonant)
        out_s.append(after)
    return "".join(out_c), tuple(out_s)


def strip_arabic_article(token: str) -> str:
    token = ARABIC_ABD_ARTICLE.sub("عبد", token)
    if token.startswith(ARTICLE_AR) and len(token) > 3:
        token = token[2:]
    return token


@lru_cache(maxsize=100_000)
def arabic_shape(token: str) -> TokenShape:
    """Shape of one normalised Arabic token (the article is not part of it: الجبوري = جبوري)."""
    token = strip_arabic_article(token)
    consonants: list[str] = []
    slots: list[str] = [""]  # long vowels in the order written; "y" = a final ي, which may be -i or -a
    initial_alef = final_taa = False
    glottal_after: set[int] = set()  # consonant count before each ع / ء
    for position, letter in enumerate(token):
        last = position == len(token) - 1
        if letter in ("ه", "ح", "ة") and last and consonants and (letter == "ة" or len(token) >= 3):
            # A final h is a taa marbuta (فاطمه) or a final ح/ه that English often writes as a
            # bare vowel (Fatima, Saleh/Salih, Abdulla): not part of the skeleton on either side.
            # (Not in a two-letter name: the ه of طه is Taha's h.)
            final_taa = True
            continue
        if position == 0 and letter in ("و", "ي"):
            consonants.append("w" if letter == "و" else "y")  # word-initial و and ي are consonants (Walid, Younis)
            slots.append("")
        elif letter in ARABIC_CONSONANT:
            consonants.append(ARABIC_CONSONANT[letter])
            slots.append("")
        elif letter in ARABIC_VOWEL:
            if position == 0 and letter == "ا":
                initial_alef = True  # an initial alef carries whatever short vowel follows it
                continue
            # ى is folded to ي by normalisation, so a final ي may be -i or -a (مصطفى): "y"
            vowel = "y" if last and letter == "ي" else ARABIC_VOWEL[letter]
            if not slots[-1].endswith(vowel):
                slots[-1] += vowel
        elif letter in ARABIC_SILENT:
            glottal_after.add(len(consonants))
    skeleton, squeezed = _squeeze_shape(consonants, slots)
    # A taa marbuta's vowel is written or not (Fatima, Fatimah, Fatim): the last slot is open,
    # unless a long vowel is written before the taa (ناديه: Nadia, never Nada).
    # An initial alef carries any vowel, so an empty first slot is open, but a long vowel written
    # after it must be matched (ايمان: Iman, never Amena).
    optional = ({0} if initial_alef and not squeezed[0] else set()) | ({len(squeezed) - 1} if final_taa and not squeezed[-1] else set())
    # Squeezing only merges a doubled consonant, so slot indices move only after one; glottal
    # positions are approximate there, which costs at most a -1 on a rare name.
    glottal = {min(i, len(squeezed) - 1) for i in glottal_after}
    return TokenShape(skeleton, squeezed, frozenset(optional), glottal=frozenset(glottal), initial_vowel=initial_alef)


def _latin_base(token: str) -> str:
    token = DIN_LATIN_SUFFIX.sub("", token)
    token = LATIN_ABD.sub("abd", token)
    # One letter for a doubled consonant before digraphs are read: Hissham is Hisham, not h-s-sh-m.
    token = DOUBLED_CONSONANT.sub(lambda doubled: doubled.group(1) or doubled.group(2), token)
    if len(token) > 2 and token.endswith("h") and token[-2] in LATIN_VOWEL:
        token = token[:-1]  # Fatimah, Hamzah, Abdullah, Saleh: see arabic_shape
    return token


@lru_cache(maxsize=100_000)
def latin_shapes(token: str) -> tuple[TokenShape, ...]:
    """Every shape a normalised Latin token can stand for (one per reading of its ambiguous letters)."""
    token = _latin_base(token)
    units: list[tuple[str, tuple[str, ...]]] = []  # ("c", readings: class strings) or ("v", (letter,))
    i = 0
    while i < len(token):
        pair = token[i : i + 2]
        if pair in LATIN_DIGRAPHS:
            units.append(("c", LATIN_DIGRAPHS[pair]))
            i += 2
            continue
        letter = token[i]
        if i == 0 and letter in ("y", "w") and len(token) > 1 and token[1] in "aeiou":
            units.append(("c", (letter,)))
        elif letter in LATIN_VOWEL:
            units.append(("v", (letter,)))
        elif letter == "t" and i == len(token) - 1 and i >= 3:
            units.append(("c", FINAL_T))
        elif letter in LATIN_CONSONANT:
            units.append(("c", LATIN_CONSONANT[letter]))
        i += 1
    readings: list[tuple[list[str], int]] = [([], 0)]
    for kind, options in units:
        if kind == "c":
            readings = [(r + [o], alt + (i > 0)) for r, alt in readings for i, o in enumerate(options)]
            readings = sorted(readings, key=lambda reading: reading[1])[:MAX_READINGS]
    shapes = []
    for reading, alternative in readings:
        consonants, slots = [], [""]
        it = iter(reading)
        for kind, options in units:
            if kind == "c":
                for consonant in next(it):  # "" adds none, "dh" adds two
                    consonants.append(consonant)
                    slots.append("")
            else:
                slots[-1] += options[0]
        skeleton, squeezed = _squeeze_shape(consonants, slots)
        shapes.append(TokenShape(skeleton, squeezed, alternative=alternative))
    unique: dict = {}
    for shape in sorted(shapes, key=lambda s: s.alternative):
        unique.setdefault((shape.skeleton, shape.slots), shape)
    return tuple(unique.values())


def latin_skeleton(token: str) -> str:
    """The first reading's skeleton: the token's key for blocking and fuzzy comparison."""
    shapes = latin_shapes(token)
    return shapes[0].skeleton if shapes else ""


def _vowel_classes(letters: str) -> set[str]:
    return {c for letter in letters for c in LATIN_VOWEL.get(letter, "")}


def _matched_long_vowels(arabic: str, english: str) -> int:
    """Length of the longest common subsequence of the Arabic long vowels and the English vowel
    letters (an English letter matches the classes it can write; a final ي matches -i or -a)."""
    table = [[0] * (len(english) + 1) for _ in range(len(arabic) + 1)]
    for i, vowel in enumerate(arabic, 1):
        allowed = {"a", "i"} if vowel == "y" else {vowel}
        for j, letter in enumerate(english, 1):
            if allowed & set(LATIN_VOWEL.get(letter, "")):
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table[-1][-1]


def fit(latin: TokenShape, arabic: TokenShape) -> float | None:
    """How well an English spelling fits an Arabic token of the same skeleton. None when a
    vowel slot contradicts: a long vowel the English does not write or writes as another vowel
    (Mohammed is not محمود, Hassan not حسين), a vowel before an Arabic initial consonant (Amina is
    not منى), no vowel where Arabic has ع, ء or an initial alef (Muayad is not عماد, Hamid not
    احمد). Otherwise the score: +1 per
    long vowel confirmed, a point off for a long vowel left unwritten where others are written
    (Zaid fits زيد better than زياد), -1 per long English vowel where Arabic writes none. A lone e (a short i,
    or an imala a: Salem for سالم) neither confirms nor refutes."""
    if latin.skeleton != arabic.skeleton:
        return None
    score = 0.0
    last = len(arabic.slots) - 1
    for index, (written, long_vowels) in enumerate(zip(latin.slots, arabic.slots)):
        if index == 0 and arabic.initial_vowel and not written:
            return None  # an Arabic initial alef is a vowel the English must write: Hamid is not احمد
        if index in arabic.optional:
            continue
        if index in arabic.glottal and not written and index < last:
            return None
        if index == 0 and written and not long_vowels and 0 not in arabic.glottal:
            return None
        is_long = len(written) >= 2
        if long_vowels:
            matched = _matched_long_vowels(long_vowels, written)
            if matched == 0:
                return None
            if written == "e":
                continue
            score += matched if matched == len(long_vowels) else matched - 1
            if is_long and index in arabic.glottal:
                score += 1  # a vowel cluster where Arabic writes ع or ء (Alaa for علاء, not علي)
        elif is_long:
            # Two vowels where Arabic writes ع or ء confirm it (Raad, Sa'ad for رعد, سعد);
            # elsewhere a long English vowel contradicts an Arabic short one, a little.
            score += 1 if index in arabic.glottal else -1
    return score


def latin_fit(a: TokenShape, b: TokenShape) -> bool:
    """Two English spellings of one name: same skeleton, no slot where both write disjoint vowels."""
    if a.skeleton != b.skeleton:
        return False
    for x, y in zip(a.slots, b.slots):
        if x and y and not _vowel_classes(x) & _vowel_classes(y):
            return False
    return True


# ----------------------------------------------------------------------------------------------
# Tokens and parts of whole names
# ----------------------------------------------------------------------------------------------

PARTS = ("given", "father", "grandfather", "family")


@dataclass(frozen=True)
class ParsedName:
    """A name split into tokens. script: 'ar' or 'la'. family_flags: tokens that look like a
    family name on their own (Arabic ال prefix, an English article). relational: named by a
    relation or kunya only."""

    script: str
    tokens: tuple[str, ...]
    family_flags: tuple[bool, ...]
    relational: bool


EMPTY_NAME = ParsedName("la", (), (), False)


@lru_cache(maxsize=500_000)
def parse_arabic(name: str | None) -> ParsedName:
    value = normalise_arabic(name)
    if not value or value.startswith(UNIDENTIFIED_AR):
        return ParsedName("ar", (), (), False)
    words = [t for t in value.split(" ") if t and not t.isdigit()]
    tokens = tuple(t for i, t in enumerate(words) if not (i > 0 and t == DIN_AR))
    relational = bool(KUNYA_ARABIC.match(name or "")) and len(tokens) <= 2
    if relational:
        return ParsedName("ar", tokens, tuple(False for _ in tokens), True)
    flags = tuple(t.startswith(ARTICLE_AR) for t in tokens)
    return ParsedName("ar", tokens, flags, False)


@lru_cache(maxsize=500_000)
def parse_latin(name: str | None) -> ParsedName:
    if not name or not name.strip():
        return EMPTY_NAME
    if RELATION.search(name):
        tokens = tuple((normalise_latin(name) or "").split())
        return ParsedName("la", tokens, tuple(False for _ in tokens), True)
    with_article = normalise_latin(name, drop_article=False) or ""
    words = with_article.split(" ")
    if words and words[0] in KUNYA_LATIN and len(words) <= 3:
        return ParsedName("la", tuple(words), tuple(False for _ in words), True)
    # Join compounds first (abd allah -> abdallah, abdul rahman -> abdulrahman), then read the
    # article off each word: "al jubouri" is one family token flagged as such.
    joined = DIN_LATIN_WORD.sub("", with_article)
    joined = LATIN_COMPOUND.sub(r"\1", joined)
    joined = re.sub(r"\babd(ul|el|al)?\s*(?:al|el|ul)\s+(?=[a-z])", "abd", joined)
    tokens, flags, pending_article = [], [], False
    for word in joined.split(" "):
        if word in ("al", "el", "ul", "all", "ell"):
            pending_article = True
            continue
        tokens.append(word)
        flags.append(pending_article)
        pending_article = False
    return ParsedName("la", tuple(tokens), tuple(flags), False)


# ----------------------------------------------------------------------------------------------
# The lexicon: canonical forms learned from the names in the data
# ----------------------------------------------------------------------------------------------

ROLE_FEMALE, ROLE_MALE = "F", "M"


@dataclass
class NameLexicon:
    """Canonical form, skeleton and display spelling of every token seen in the data."""

    canonical: dict[tuple[str, str], str]  # (script, token) -> canonical id
    alternatives: dict[tuple[str, str], tuple[str, ...]]  # (script, token) -> every canonical id it fits
    skeleton: dict[tuple[str, str], str]
    display: dict[str, str]  # canonical id -> a readable Latin spelling
    family_names: frozenset[str]  # canonical ids used as family names

    def canonical_of(self, script: str, token: str) -> str:
        return self.canonical.get((script, token)) or _fallback_canonical(script, token)

    def alternatives_of(self, script: str, token: str) -> tuple[str, ...]:
        return self.alternatives.get((script, token)) or (self.canonical_of(script, token),)

    def skeleton_of(self, script: str, token: str) -> str:
        found = self.skeleton.get((script, token))
        if found is not None:
            return found
        return arabic_shape(token).skeleton if script == "ar" else latin_skeleton(_latin_base(token))

    def display_of(self, script: str, token: str) -> str:
        canonical = self.canonical_of(script, token)
        if script == "la":
            return token
        return self.display.get(canonical) or romanise_arabic_token(token)


def _fallback_canonical(script: str, token: str) -> str:
    if script == "ar":
        return token
    return "~" + _latin_base(token)


def _fitting_candidates(token, role, by_skeleton, arabic_roles, arabic_counts, strict: bool = True) -> list[tuple]:
    """(rank, Arabic token, skeleton) for every Arabic token the Latin token fits, best first.
    strict=False ignores the vowels (skeleton and role only)."""
    fitting = []
    for shape in latin_shapes(token):
        for candidate in by_skeleton.get(shape.skeleton, ()):
            score = fit(shape, arabic_shape(candidate)) if strict else 0.0
            if score is None:
                continue
            in_role = arabic_roles[candidate][role]
            # The usual reading of the letters first, then a name seen in the same role (a woman's
            # given name for Suad, a man's for Saad), then the likelier name: the vowel fit as
            # log-odds plus the name's frequency as a prior, each point of fit worth a factor of
            # FIT_WEIGHT in frequency. A single English vowel cannot tell a long Arabic vowel from
            # a short one, so Omar (عمر, common) is not taken for عمار (rare) on its "a" alone,
            # while Mahmud still goes to محمود, which Mohammed's spellings never fit.
            likelihood = score + math.log2(1 + in_role) / math.log2(FIT_WEIGHT)
            rank = (-shape.alternative, in_role >= 0.1 * arabic_counts[candidate], likelihood, arabic_counts[candidate], candidate)
            fitting.append((rank, candidate, shape.skeleton))
    fitting.sort(reverse=True)
    return fitting


def build_lexicon(names: Iterable[tuple]) -> NameLexicon:
    """names: (parsed name, sex) or (parsed name, sex, number of records) for the records. Arabic
    tokens anchor; Latin tokens resolve to the Arabic token they fit best, else to the most
    frequent Latin spelling they fit."""
    arabic_counts: Counter[str] = Counter()
    arabic_roles: dict[str, Counter[str]] = defaultdict(Counter)
    latin_counts: Counter[str] = Counter()
    latin_roles: dict[str, Counter[str]] = defaultdict(Counter)
    latin_family_flag: Counter[str] = Counter()
    arabic_family: set[str] = set()
    for entry in names:
        parsed, sex = entry[0], entry[1]
        weight = entry[2] if len(entry) > 2 else 1
        if parsed.relational or not parsed.tokens:
            continue
        family_index = family_position(parsed)
        for index, token in enumerate(parsed.tokens):
            # A father's and grandfather's names are men's names; a given name is a man's or a
            # woman's by the record's sex (unknown sex: no role).
            role = {"F": ROLE_FEMALE, "M": ROLE_MALE}.get(sex or "", "unknown") if index == 0 else ROLE_MALE
            if index == family_index:
                role = "family"
            if parsed.script == "ar":
                arabic_counts[token] += weight
                arabic_roles[token][role] += weight
                if role == "family":
                    arabic_family.add(token)
            else:
                latin_counts[token] += weight
                latin_roles[token][role] += weight
                if parsed.family_flags[index]:
                    latin_family_flag[token] += weight
    by_skeleton: dict[str, list[str]] = defaultdict(list)
    for token in arabic_counts:
        by_skeleton[arabic_shape(token).skeleton].append(token)
    canonical: dict[tuple[str, str], str] = {}
    alternatives: dict[tuple[str, str], tuple[str, ...]] = {}
    skeleton: dict[tuple[str, str], str] = {}
    for token in arabic_counts:
        canonical[("ar", token)] = token
        skeleton[("ar", token)] = arabic_shape(token).skeleton
    latin_anchors: dict[str, list[tuple[TokenShape, str]]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for token, count in sorted(latin_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        role = latin_roles[token].most_common(1)[0][0]
        fitting = _fitting_candidates(token, role, by_skeleton, arabic_roles, arabic_counts)
        if not fitting and token[:2] in ("al", "el") and len(token) > 4:
            # An article run into the name (alDabbagh): try the name without it, as a family name.
            fitting = _fitting_candidates(token[2:], "family", by_skeleton, arabic_roles, arabic_counts)
        if not fitting:
            # A slip of the pen that breaks the vowels (al-Qasi for al-Qaisi): the most frequent
            # name with the same skeleton seen in the same role, if there is one.
            fitting = _fitting_candidates(token, role, by_skeleton, arabic_roles, arabic_counts, strict=False)
            fitting = [f for f in fitting if f[0][1]][:1]
        shapes = latin_shapes(token)
        if fitting:
            best_rank, best, best_skeleton = fitting[0]
            canonical[("la", token)] = best
            skeleton[("la", token)] = best_skeleton
            alternatives[("la", token)] = tuple(sorted({c for r, c, _ in fitting if r[0] == best_rank[0] and r[1] == best_rank[1]}))
            spellings[best][token] += count
            continue
        # No Arabic counterpart: join the most frequent English spelling this one fits.
        primary = shapes[0] if shapes else TokenShape("", ("",))
        anchor = next((name for shape, name in latin_anchors[primary.skeleton] if latin_fit(primary, shape)), None)
        if anchor is None:
            anchor = "~" + token
            latin_anchors[primary.skeleton].append((primary, anchor))
        canonical[("la", token)] = anchor
        skeleton[("la", token)] = primary.skeleton
        spellings[anchor][token] += count
    display = {name: max(counter.items(), key=lambda kv: (kv[1], kv[0]))[0] for name, counter in spellings.items()}
    family = set(arabic_family)
    for token, flagged in latin_family_flag.items():
        if flagged * 2 >= latin_counts[token]:
            family.add(canonical[("la", token)])
    return NameLexicon(canonical, alternatives, skeleton, display, frozenset(family))


def family_position(parsed: ParsedName, lexicon: NameLexicon | None = None) -> int | None:
    """Index of the family name, if the last token is one: Arabic ال prefix or an English article
    (al-Jubouri, Al Jubouri); or, without an article (Jubouri), a token the lexicon knows as a
    family name. Only the last token of a name of two or more tokens can be the family name."""
    n = len(parsed.tokens)
    if parsed.relational or n < 2:
        return None
    last = n - 1
    if parsed.family_flags[last]:
        return last
    if lexicon is not None and lexicon.canonical_of(parsed.script, parsed.tokens[last]) in lexicon.family_names:
        return last if n >= 3 or parsed.script == "la" else None
    return None


@dataclass(frozen=True)
class NameParts:
    """Canonical id, skeleton and display spelling of each part (None when absent)."""

    canonical: dict
    alternatives: dict
    skeleton: dict
    display: dict
    relational: bool
    n_tokens: int


def name_parts(parsed: ParsedName, lexicon: NameLexicon) -> NameParts:
    """given, father, grandfather by position; family when the last token is one. Tokens past
    the grandfather that are not a family name (a great-grandfather, a second family name) are
    left out: lists rarely agree on them."""
    empty = {p: None for p in PARTS}
    if parsed.relational or not parsed.tokens:
        return NameParts(empty, dict(empty), dict(empty), dict(empty), parsed.relational, len(parsed.tokens))
    family_index = family_position(parsed, lexicon)
    lineage = [i for i in range(len(parsed.tokens)) if i != family_index][:3]
    positions = dict(zip(PARTS[:3], lineage))
    if family_index is not None:
        positions["family"] = family_index
    canonical, alternatives, skeleton, display = dict(empty), dict(empty), dict(empty), dict(empty)
    for part, index in positions.items():
        token = parsed.tokens[index]
        canonical[part] = lexicon.canonical_of(parsed.script, token)
        alternatives[part] = list(lexicon.alternatives_of(parsed.script, token))
        skeleton[part] = lexicon.skeleton_of(parsed.script, token) or None
        display[part] = lexicon.display_of(parsed.script, token)
    return NameParts(canonical, alternatives, skeleton, display, False, len(parsed.tokens))


# ----------------------------------------------------------------------------------------------
# Arabic -> Latin transliteration (for display: a Latin name for every morgue record)
# ----------------------------------------------------------------------------------------------

ROMAN = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r", "ز": "z",
    "س": "s", "ش": "sh", "ص": "s", "ض": "dh", "ط": "t", "ظ": "dh", "ع": "'", "غ": "gh", "ف": "f", "ق": "q",
    "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ء": "'", "ئ": "'", "ؤ": "'",
}


@lru_cache(maxsize=100_000)
def romanise_arabic_token(token: str) -> str:
    """A plain letter-by-letter romanisation: long vowels as written, an 'a' where two consonants
    meet at the start of the word (Arabic writes no short vowels: a reading aid, not a
    reconstruction). Compounds and family names keep their shape: عبدالله -> Abdulla,
    الجبوري -> al-Jbwri. Used only where no list spells the name (see NameLexicon.display)."""
    article = token.startswith(ARTICLE_AR) and len(token) > 3
    body = token[2:] if article else token
    prefix = ""
    if body.startswith("عبدال") and len(body) > 5:
        prefix, body = "Abdul", body[5:]
    elif body.startswith("عبد") and len(body) > 3:
        prefix, body = "Abd", body[3:]
    out: list[str] = []
    for position, letter in enumerate(body):
        last = position == len(body) - 1
        if letter == "ة" or (letter == "ه" and last and position > 1):
            out.append("a")
        elif letter == "ا":
            out.append("a")
        elif letter == "و":
            out.append("w" if position == 0 or (out and out[-1] in "aiu") else "u")
        elif letter in ("ي", "ى"):
            out.append("y" if position == 0 else ("a" if letter == "ى" else "i"))
        elif letter == "ع":
            out.append("a" if position == 0 else "'")
        elif letter in ROMAN:
            if position == 1 and out and out[-1] not in "aiu'":
                out.append("a")
            out.append(ROMAN[letter])
    text = "".join(out).strip("'") or token
    text = (prefix + text) if prefix else text[0].upper() + text[1:]
    return f"al-{text}" if article else text


def romanise_arabic(name: str | None) -> str | None:
    """A Latin rendering of an Arabic name, token by token (rule-based; see romanise_arabic_token)."""
    value = normalise_arabic(name)
    if not value:
        return None
    return " ".join(romanise_arabic_token(t) for t in value.split(" ") if t)
