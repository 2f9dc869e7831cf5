"""From scored pairs to victims: clustering with guards and reviewer decisions.

Links are added strongest first into a union-find. A link that would put into one victim two
records that cannot be one person is refused, whatever its score (the guards):

- `same_incident`: two named victims of one Airwars incident are two people by construction; two
  victims of one IBC or Amnesty incident are the same person only if their names agree strongly
  (every part both give is the same name, and at least given and father);
- `given_name` (and `father_name`, `grandfather_name`, `family_name`): one person has one given
  name, one father, one grandfather, one family name. Relatives share father, grandfather and
  family names and differ in the given name; a victim whose records name two clearly different
  given names (not the same name, no spelling that fits both, not a slip of the pen) is two
  people. A family name dropped in one record is no conflict; a different one is;
- `sex`: one person has one sex; `age`: ages within AGE_SPREAD years of each other;
- `reviewer`: a pair a reviewer marked `no-match` never ends in one victim, directly or through
  other records;
- `nameless`: a record without a usable name (an unidentified body, an unnamed list victim, a
  kunya) is never linked to another such record, and joins at most one named victim: it never
  bridges two.

A reviewer's `match` is applied first and always (a reviewer overrides the guards; conflicting
decisions are counted in the summary). An unidentified body is never compared on its name
(مجهول الهوية is not a name: its name parts are empty).

`victim_id` = "v-" + the first 12 hex digits of sha256 of the cluster's smallest record key: stable
while the records behind a victim do not change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import jellyfish
import polars as pl

CLUSTER_SCHEMA = {
    "victim_id": pl.String, "record_keys": pl.List(pl.String), "n_records": pl.Int64, "sources": pl.List(pl.String), "n_sources": pl.Int64,
    "name_ar": pl.String, "name_latin": pl.String, "sex": pl.String, "age": pl.Int64, "date_of_death": pl.Date, "neighbourhood_id": pl.String,
    "bank": pl.String, "causes": pl.List(pl.String), "incident_keys": pl.List(pl.String), "is_unidentified": pl.Boolean,
    "weakest_link_probability": pl.Float64, "is_linkable": pl.Boolean,
}
NEAR_SPELLING = 0.9  # Jaro-Winkler of the display spellings, as in the model's "near spelling" level
# Ages move between registrations and lists by a year or two (an estimate, a birthday); a victim
# whose records are further apart than this is two people.
AGE_SPREAD = 5
# Airwars lists each named victim of an incident once: two of them are two people (and are never
# even paired by the model). IBC and Amnesty victims of one incident are, unless their names agree.
DISTINCT_BY_CONSTRUCTION = ("airwars",)


def victim_id(smallest_key: str) -> str:
    return "v-" + hashlib.sha256(smallest_key.encode("utf-8")).hexdigest()[:12]


PARTS = ("given", "father", "grandfather", "family")


# slots: the clustering holds one Member per record a link touches, hundreds of thousands at scale.
@dataclass(frozen=True, slots=True)
class NamePart:
    canonical: str
    alternatives: tuple[str, ...]
    skeleton: str | None
    spelling: str | None


@dataclass(frozen=True, slots=True)
class Member:
    key: str
    source: str
    incident_key: str | None
    sex: str | None
    age: int | None
    parts: dict  # part -> NamePart, for the parts the record gives

    @property
    def named(self) -> bool:
        return "given" in self.parts


def names_conflict(a: NamePart, b: NamePart) -> bool:
    """Clearly different names: not the same name, no English spelling that fits both, not a
    slip of the pen (the model's "different names" level)."""
    if a.canonical == b.canonical or set(a.alternatives) & set(b.alternatives):
        return False
    near = (
        a.skeleton is not None and b.skeleton is not None and a.spelling is not None and b.spelling is not None
        and jellyfish.damerau_levenshtein_distance(a.skeleton, b.skeleton) <= 1
        and jellyfish.jaro_winkler_similarity(a.spelling.lower(), b.spelling.lower()) >= NEAR_SPELLING
    )
    return not near


def conflicting_part(a: Member, b: Member) -> str | None:
    """The first name part both records give and name differently, or None."""
    for part in PARTS:
        if part in a.parts and part in b.parts and names_conflict(a.parts[part], b.parts[part]):
            return part
    return None


def names_agree_strongly(a: Member, b: Member) -> bool:
    shared = [p for p in PARTS if p in a.parts and p in b.parts]
    return "given" in shared and "father" in shared and all(a.parts[p].canonical == b.parts[p].canonical for p in shared)


@dataclass(slots=True)
class Component:
    members: list[Member]
    forbidden: frozenset[str] = frozenset()  # record keys a reviewer split from a member
    weakest: float | None = None


class Clustering:
    def __init__(self, members: list[Member]):
        self.member = {m.key: m for m in members}
        self.parent = {m.key: m.key for m in members}
        self.components = {m.key: Component([m]) for m in members}
        self.refused: Counter[str] = Counter()

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def guard(self, a: Component, b: Component, left: Member | None = None, right: Member | None = None) -> str | None:
        """The first guard the merge of a and b (through the link left-right) would break, or None."""
        if any(m.key in b.forbidden for m in a.members) or any(m.key in a.forbidden for m in b.members):
            return "reviewer"
        if left is not None and right is not None and not (left.named and right.named):
            if not left.named and not right.named:
                return "nameless"  # two records without names: nothing says they are one person
            if any(m.named for m in a.members) and any(m.named for m in b.members):
                return "nameless"  # a record without a name joins one named victim, never bridges two
        sexes = {m.sex for m in a.members if m.sex} | {m.sex for m in b.members if m.sex}
        if len(sexes) > 1:
            return "sex"
        incidents_a = {m.incident_key for m in a.members if m.incident_key}
        for y in b.members:
            if y.incident_key and y.incident_key in incidents_a:
                for x in a.members:
                    if x.incident_key == y.incident_key and (x.source in DISTINCT_BY_CONSTRUCTION or not names_agree_strongly(x, y)):
                        return "same_incident"
        ages = [m.age for m in a.members + b.members if m.age is not None]
        if ages and max(ages) - min(ages) > AGE_SPREAD:
            return "age"
        for x in a.members:
            for y in b.members:
                part = conflicting_part(x, y)
                if part:
                    return f"{part}_name"
        return None

    def union(self, left: str, right: str, probability: float, forced: bool = False) -> bool:
        ra, rb = self.find(left), self.find(right)
        if ra == rb:
            return True
        a, b = self.components[ra], self.components[rb]
        if not forced:
            reason = self.guard(a, b, self.member[left], self.member[right])
            if reason:
                self.refused[reason] += 1
                return False
        if len(a.members) < len(b.members):
            ra, rb, a, b = rb, ra, b, a
        self.parent[rb] = ra
        a.members.extend(b.members)
        if b.forbidden:
            a.forbidden = a.forbidden | b.forbidden
        a.weakest = min(p for p in (a.weakest, b.weakest, probability) if p is not None)
        del self.components[rb]
        return True


def _members(person_records: pl.DataFrame) -> list[Member]:
    """One Member per record. Names repeat (a few dozen common given names), so each distinct
    name part is one NamePart object shared by every record that gives it: the distinct parts
    are found by polars and numbered, and each record carries its parts' numbers (reading every
    record's list of alternative spellings into Python was half the clustering time at 10x)."""
    frame = person_records.select("record_key", "source", "incident_key", "sex", "age")
    shared: dict[str, list[NamePart]] = {}
    for part in PARTS:
        columns = [f"{part}_{c}" for c in ("key", "alts", "sk", "rom")]
        types = {f"{part}_key": pl.String, f"{part}_alts": pl.List(pl.String), f"{part}_sk": pl.String, f"{part}_rom": pl.String}
        given = person_records.select(columns).cast(types).with_row_index("_row").filter(pl.col(f"{part}_key").is_not_null())
        # Numbered by first appearance; a list column cannot be a join or group key everywhere,
        # so the alternatives are joined into one string for the numbering.
        text = given.with_columns(pl.col(f"{part}_alts").list.join("\t").alias("_alts_text"))
        numbered = text.with_columns(pl.struct(f"{part}_key", "_alts_text", f"{part}_sk", f"{part}_rom").rank("dense").cast(pl.Int64).sub(1).alias("_code"))
        distinct = numbered.unique("_code", keep="first").sort("_code")
        shared[part] = [
            NamePart(canonical, tuple(alternatives or (canonical,)), skeleton, spelling)
            for canonical, alternatives, skeleton, spelling in distinct.select(columns).iter_rows()
        ]
        codes = numbered.select("_row", pl.col("_code").alias(part))
        frame = frame.with_row_index("_row").join(codes, on="_row", how="left").sort("_row").drop("_row")
    members = []
    for key, source, incident, sex, age, *codes in frame.iter_rows():
        parts = {part: shared[part][code] for part, code in zip(PARTS, codes) if code is not None}
        members.append(Member(key, source, incident, sex, age, parts))
    return members


def cluster_records(
    person_records: pl.DataFrame,
    links: pl.DataFrame,
    threshold: float,
    nameless_threshold: float | None = None,
    candidate_floor: float | None = None,
) -> tuple[pl.DataFrame, dict]:
    """links: person_links rows (record_key_l, record_key_r, match_probability, decided_by).
    Reviewer matches first; then model links between named records at or above `threshold`,
    strongest first; then records without a name, each attached to the one named victim it
    points to, if its link is at or above `nameless_threshold` (default: threshold) and it
    points to only one: a nameless record with links of probability `candidate_floor` or more
    (default: threshold) into two or more victims is ambiguous (two people of its age and sex
    died that day in that place) and is left for review."""
    nameless_threshold = threshold if nameless_threshold is None else nameless_threshold
    candidate_floor = threshold if candidate_floor is None else candidate_floor
    named = person_records.select("record_key", "has_name")
    links = links.join(named.rename({"record_key": "record_key_l", "has_name": "_named_l"}), on="record_key_l", how="inner").join(
        named.rename({"record_key": "record_key_r", "has_name": "_named_r"}), on="record_key_r", how="inner"
    )
    # The links that can change a victim: a reviewer's; one between two named records at or above
    # the threshold; one between a named record and a record without a name at or above the
    # lower of the thresholds (it can attach the nameless record, or show it ambiguous). A link
    # between two nameless records never joins them.
    both_named = pl.col("_named_l") & pl.col("_named_r")
    one_named = pl.col("_named_l") ^ pl.col("_named_r")
    links = links.filter(
        (pl.col("decided_by") == "reviewer")
        | (both_named & (pl.col("match_probability") >= threshold))
        | (one_named & (pl.col("match_probability") >= min(threshold, candidate_floor)))
    ).drop("_named_l", "_named_r")
    # Only the records such a link touches go into the union-find (a Python structure); every
    # other record is a victim of its own. At scale most records are alone, and building a
    # Python object per record was most of the clustering time.
    touched = pl.concat([links["record_key_l"], links["record_key_r"]]).unique()
    clustering = Clustering(_members(person_records.filter(pl.col("record_key").is_in(touched.implode()))))
    reviewer = links.filter(pl.col("decided_by") == "reviewer")
    for left, right in reviewer.filter(pl.col("match_probability") == 0.0).select("record_key_l", "record_key_r").iter_rows():
        clustering.components[left].forbidden |= {right}
        clustering.components[right].forbidden |= {left}
    conflicting = 0
    for left, right in reviewer.filter(pl.col("match_probability") == 1.0).select("record_key_l", "record_key_r").iter_rows():
        a, b = clustering.components[clustering.find(left)], clustering.components[clustering.find(right)]
        if clustering.guard(a, b) == "reviewer":
            conflicting += 1
        clustering.union(left, right, 1.0, forced=True)
    model = links.filter((pl.col("decided_by") == "model") & (pl.col("match_probability") >= min(threshold, candidate_floor)))
    model = model.sort(["match_probability", "record_key_l", "record_key_r"], descending=[True, False, False])
    nameless_links: dict[str, list[tuple[str, float]]] = {}
    for left, right, probability in model.select("record_key_l", "record_key_r", "match_probability").iter_rows():
        named_left, named_right = clustering.member[left].named, clustering.member[right].named
        if named_left and named_right:
            if probability >= threshold:
                clustering.union(left, right, probability)
        elif named_left or named_right:
            nameless, named = (right, left) if named_left else (left, right)
            nameless_links.setdefault(nameless, []).append((named, probability))
    ambiguous = 0
    for nameless, candidates in nameless_links.items():
        victims = {clustering.find(named) for named, probability in candidates if probability >= candidate_floor}
        if len(victims) > 1:
            ambiguous += 1
            continue
        named, probability = max(candidates, key=lambda c: c[1])
        if probability >= nameless_threshold:
            clustering.union(nameless, named, probability)
    refused = dict(clustering.refused)
    roots = {key: clustering.find(key) for key in clustering.parent}
    linked = pl.DataFrame({"record_key": list(roots), "root": list(roots.values())}, schema={"record_key": pl.String, "root": pl.String})
    weakest = pl.DataFrame(
        {"root": list(clustering.components), "weakest_link_probability": [c.weakest for c in clustering.components.values()]},
        schema={"root": pl.String, "weakest_link_probability": pl.Float64},
    )
    del clustering, roots
    # Only the columns a victim is described by (not the name parts): a million records' worth.
    described = person_records.select(SUMMARY_INPUTS).join(linked, on="record_key", how="left").with_columns(pl.coalesce("root", "record_key").alias("root"))
    clusters = summarise_clusters(described, weakest)
    summary = {
        "victims": len(clusters),
        "links_refused_by_guard": refused,
        "nameless_records_left_ambiguous": ambiguous,
        "conflicting_reviewer_decisions": conflicting,
    }
    return clusters, summary


SUMMARY_INPUTS = [
    "record_key", "source", "name_original", "name_ar", "name_latin", "has_name", "n_name_tokens", "sex", "age", "date_of_death",
    "neighbourhood_id", "bank", "cause", "incident_key", "is_unidentified",
]


def summarise_clusters(records: pl.DataFrame, weakest: pl.DataFrame) -> pl.DataFrame:
    """One row per victim. The Arabic name is the morgue's fullest; the Latin name a list's own
    spelling where one exists (the fullest), else the transliteration; the date of death the
    morgue's where it has one (a list victim carries its incident's first day); the rest the
    most common value among the records."""
    # Most victims have one record (at 100x about four in five): they are described row by row,
    # and only the others go through the group-by.
    alone = pl.len().over("root") == 1
    single = describe_single_records(records.filter(alone))
    records = records.filter(~alone)
    morgue_first = pl.when(pl.col("source") == "morgue").then(0).otherwise(1)
    ordered = records.with_columns(morgue_first.alias("_morgue_first"), pl.col("n_name_tokens").alias("_tokens")).sort(
        ["root", "_morgue_first", "_tokens", "record_key"], descending=[False, False, True, False]
    )
    latin_source = (pl.col("source") != "morgue") & pl.col("name_original").is_not_null() & pl.col("has_name")
    grouped = ordered.group_by("root", maintain_order=True).agg(
        pl.col("record_key").sort().alias("record_keys"),
        pl.len().cast(pl.Int64).alias("n_records"),
        pl.col("source").unique().sort().alias("sources"),
        pl.col("name_original").filter(pl.col("source") == "morgue").first().alias("_morgue_name"),
        pl.col("name_ar").drop_nulls().first().alias("_any_ar"),
        pl.col("name_original").filter(latin_source).sort_by(pl.col("_tokens").filter(latin_source), descending=True).first().alias("_latin_original"),
        pl.col("name_latin").drop_nulls().first().alias("_latin_any"),
        pl.col("sex").drop_nulls().mode().sort().first().alias("sex"),
        pl.col("age").drop_nulls().median().round(0).cast(pl.Int64).alias("age"),
        pl.col("date_of_death").drop_nulls().first().alias("date_of_death"),
        pl.col("neighbourhood_id").drop_nulls().mode().sort().first().alias("neighbourhood_id"),
        pl.col("bank").drop_nulls().mode().sort().first().alias("bank"),
        pl.col("cause").drop_nulls().unique().sort().alias("causes"),
        pl.col("incident_key").drop_nulls().unique().sort().alias("incident_keys"),
        pl.col("is_unidentified").all().alias("is_unidentified"),
        # Whether any record carries a name the linker compares (not an unidentified body, an
        # unnamed victim or a name given only by relation or kunya). A victim without one could
        # not have been found on a second list, whichever lists saw it: capture-recapture must
        # leave it out (pipeline/estimate/capture.py), or it counts as a person no other list saw.
        pl.col("has_name").any().alias("is_linkable"),
    )
    grouped = pl.concat([grouped.select(single.columns), single], how="vertical_relaxed")
    out = grouped.join(weakest, on="root", how="left").with_columns(
        pl.Series("victim_id", [victim_id(key) for key in grouped["record_keys"].list.first().to_list()], pl.String),
        pl.col("sources").list.len().cast(pl.Int64).alias("n_sources"),
        pl.coalesce("_morgue_name", "_any_ar").alias("name_ar"),
        pl.coalesce("_latin_original", "_latin_any").alias("name_latin"),
        pl.when(pl.col("n_records") > 1).then(pl.col("weakest_link_probability")).otherwise(None).alias("weakest_link_probability"),
    )
    return out.select([pl.col(c).cast(t) for c, t in CLUSTER_SCHEMA.items()]).sort("victim_id")


def describe_single_records(records: pl.DataFrame) -> pl.DataFrame:
    """summarise_clusters' aggregation for victims of one record, row by row: each aggregate of
    one value is that value (a list of it, or an empty list where it is null)."""

    def as_list(column: str) -> pl.Expr:
        return pl.when(pl.col(column).is_null()).then(pl.lit([], pl.List(pl.String))).otherwise(pl.concat_list(column)).alias(f"{column}s")

    latin_source = (pl.col("source") != "morgue") & pl.col("name_original").is_not_null() & pl.col("has_name")
    return records.select(
        "root",
        pl.concat_list("record_key").alias("record_keys"),
        pl.lit(1, pl.Int64).alias("n_records"),
        pl.concat_list("source").alias("sources"),
        pl.when(pl.col("source") == "morgue").then(pl.col("name_original")).alias("_morgue_name"),
        pl.col("name_ar").alias("_any_ar"),
        pl.when(latin_source).then(pl.col("name_original")).alias("_latin_original"),
        pl.col("name_latin").alias("_latin_any"),
        "sex", "age", "date_of_death", "neighbourhood_id", "bank",
        as_list("cause"), as_list("incident_key"),
        # all() and any() of one value, nulls ignored as polars ignores them
        pl.col("is_unidentified").fill_null(True),
        pl.col("has_name").fill_null(False).alias("is_linkable"),
    )
