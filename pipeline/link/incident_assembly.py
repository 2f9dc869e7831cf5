"""Incidents built source by source from scored record pairs, each record joining at most one incident.

A source reports an event once (Airwars sometimes twice: those copies are joined first), so at
each step a record of the source being added either describes one of the incidents built so far
or none of them, and each incident takes at most one of its records. The evidence between a
record and an incident is the Bayes factor BF of the record's best-fitting member pair (from the
Fellegi-Sunter model), with how widely the incident is reported weighed in by EM (and, for the
coalition's assessments, whether the source they credit with the allegation carries it). A record's
chance of describing candidate j of its K is

    P(j) = a BF_j / (p_none + a * sum of its candidates' BF),   a = (1 - p_none) / K

with p_none, the share of the step's records describing none, estimated by EM; from the
incident's side each competing record gets its share of the evidence. A pairing is kept when
both exceed ACCEPT (one half, which makes it one-to-one); the incidents taken are then struck
from the other records' candidates and the rest weighed again. Two equally good candidates leave
a record alone rather than joined by a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.link.fellegi_sunter import MAX_ITERATIONS, TOLERANCE

ACCEPT = 0.5
Edges = dict[tuple[int, int], tuple[float, tuple[str, str]]]


def best_member_edges(left: list[list[str]], right: list[list[str]], log_bf: dict[str, dict[str, float]]) -> Edges:
    """Edges between groups of records, each carrying its best-fitting member pair's log-odds.
    With `left is right`, edges between different groups of one list (i < j)."""
    where_right = {key: j for j, unit in enumerate(right) for key in unit}
    edges: Edges = {}
    for i, unit in enumerate(left):
        for a in unit:
            for b, value in log_bf.get(a, {}).items():
                j = where_right.get(b)
                if j is None or (left is right and i == j):
                    continue
                edge = (min(i, j), max(i, j)) if left is right else (i, j)
                if edge not in edges or value > edges[edge][0]:
                    edges[edge] = (value, (min(a, b), max(a, b)))
    return edges


BREADTH_LEVELS = 3  # an incident carried by one source, two, or more
# Whom a record credits with the allegation (the coalition names who raised it), set against the
# incident's sources: the credited source is among them; it is not; the record credits none of
# the lists and the incident carries a source some record of the step credits; it carries none.
ALLEGATION_LEVELS = 4


@dataclass
class Competition:
    """What a step's records share: the chance one describes none of the incidents so far, and
    what each incident-level feature (`incident_features`) weighs: m and u per level, one array
    per feature."""
    p_none: float
    m: list[np.ndarray]
    u: list[np.ndarray]

    def log_bf(self, log_bf: np.ndarray, features: np.ndarray) -> np.ndarray:
        for f in range(features.shape[1]):
            log_bf = log_bf + np.log(self.m[f][features[:, f]]) - np.log(self.u[f][features[:, f]])
        return log_bf


def _per_owner_log_sum(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """log of the sum of e^value per owner (-inf for an owner with none), without overflow."""
    top = np.full(n, -np.inf)
    np.maximum.at(top, owner, values)
    present = np.isfinite(top)
    shift = np.where(present, top, 0.0)
    sums = np.bincount(owner, weights=np.exp(values - shift[owner]), minlength=n)
    return np.where(present, shift + np.log(np.where(present, sums, 1.0)), -np.inf)


def record_side(owner: np.ndarray, log_bf: np.ndarray, k: np.ndarray, competition: Competition) -> np.ndarray:
    """P(edge is its record's true pairing): the record describes none of its K candidates with
    probability p_none, else any one of them a priori alike, so
    P(j) = a BF_j / (p_none + a sum BF), a = (1 - p_none) / K. Candidates already taken by other
    records are left out of the sum but not of K: their prior share is gone, not spread."""
    n = len(k)
    log_a = np.log1p(-competition.p_none) - np.log(np.maximum(k, 1.0))
    log_denominator = np.logaddexp(np.log(competition.p_none), log_a + _per_owner_log_sum(owner, log_bf, n))
    return np.exp(log_a[owner] + log_bf - log_denominator[owner])


def fit_competition(owner: np.ndarray, log_bf: np.ndarray, features: np.ndarray, n_levels: list[int], k: np.ndarray) -> Competition:
    """p_none, and each feature's m and u, by EM over the step's edges (`features`: one column of
    levels per feature, `n_levels` its number of levels; no columns for none).

    Breadth (how many sources carry the candidate incident) is evidence because the coalition
    assessed the allegations monitors and the press had raised, and Amnesty the worst strikes:
    an incident several sources carry is likelier to be the one they describe. So is the source
    the coalition credits with the allegation, against the sources the incident carries."""
    n = len(k)
    # Records with candidates but no edge (every candidate blocked out as too unlike) describe
    # none of them: they count towards p_none.
    has = k > 0
    flat = [np.full(levels, 1.0 / levels) for levels in n_levels]
    competition = Competition(0.5, flat, flat)
    for _ in range(MAX_ITERATIONS):
        chance = record_side(owner, competition.log_bf(log_bf, features), k, competition)
        none = 1.0 - np.bincount(owner, weights=chance, minlength=n)
        p_none = float(np.clip(none[has].mean(), 1e-6, 1 - 1e-6))
        m, u = [], []
        for f, levels in enumerate(n_levels):
            mf = np.bincount(features[:, f], weights=chance, minlength=levels) + 1.0
            uf = np.bincount(features[:, f], weights=1 - chance, minlength=levels) + 1.0
            m.append(mf / mf.sum())
            u.append(uf / uf.sum())
        moved = max([abs(p_none - competition.p_none)] + [float(np.abs(a - b).max()) for a, b in zip(m, competition.m)])
        competition = Competition(p_none, m, u)
        if moved < TOLERANCE:
            break
    return competition


def incident_side(owner: np.ndarray, log_bf: np.ndarray) -> np.ndarray:
    """Among the records that could be an incident's report from this source, each one's share of
    the evidence: two records fitting one incident equally well get a half each."""
    n = int(owner.max()) + 1
    return np.exp(log_bf - _per_owner_log_sum(owner, log_bf, n)[owner])


def at_least_edges(owner: np.ndarray, candidates: np.ndarray | None) -> np.ndarray:
    """K per owner: the count given, never fewer than the owner's edges (a count from dates alone
    misses a candidate sharing a named victim across a wider gap)."""
    if candidates is None:
        return np.bincount(owner).astype(float)
    return np.maximum(np.bincount(owner, minlength=len(candidates)).astype(float), np.asarray(candidates, dtype=float))


def pair_up(edges: Edges, features_of: list[tuple[np.ndarray, int]] | None = None, candidates: np.ndarray | None = None) -> list[tuple[int, int, float]]:
    """The kept (record, incident, confidence) pairings of one step. A pairing is kept when its
    chance from the record's side and its share from the incident's side both exceed ACCEPT
    (which makes it one-to-one); then the incidents taken are struck from the other records'
    candidates and the rest weighed again, until nothing more is kept. `features_of`: per
    incident-level feature, a function of the edge (record, incident) given as a level per edge
    (in the order of the sorted edges) and its number of levels. `candidates[i]`: how many
    incidents record i could describe a priori (K; by default its edges)."""
    if not edges:
        return []
    keys = sorted(edges)
    left = np.array([i for i, _ in keys])
    right = np.array([j for _, j in keys])
    log_bf = np.array([edges[e][0] for e in keys])
    features_of = features_of or []
    features = np.column_stack([levels for levels, _ in features_of]) if features_of else np.zeros((len(keys), 0), dtype=np.int64)
    k = at_least_edges(left, candidates)
    competition = fit_competition(left, log_bf, features, [n for _, n in features_of], k)
    evidence = competition.log_bf(log_bf, features)
    kept: list[tuple[int, int, float]] = []
    placed, taken = np.zeros(len(k), dtype=bool), np.zeros(int(right.max()) + 1, dtype=bool)
    while True:
        open_ = ~placed[left] & ~taken[right]
        if not open_.any():
            break
        chance = np.minimum(record_side(left[open_], evidence[open_], k, competition), incident_side(right[open_], evidence[open_]))
        new = [(int(i), int(j), float(c)) for i, j, c in zip(left[open_], right[open_], chance) if c > ACCEPT]
        if not new:
            break
        for i, j, c in new:
            placed[i], taken[j] = True, True
            kept.append((i, j, c))
    return sorted(kept)


def twins_confidence(edges: Edges, candidates: np.ndarray | None = None) -> dict[tuple[int, int], float]:
    """Within one source both ends of an edge are records: each end's chance, the smaller."""
    if not edges:
        return {}
    keys = sorted(edges)
    owner = np.array([i for i, _ in keys] + [j for _, j in keys])
    log_bf = np.array([edges[e][0] for e in keys] * 2)
    k = at_least_edges(owner, candidates)
    chance = record_side(owner, log_bf, k, fit_competition(owner, log_bf, np.zeros((len(log_bf), 0), dtype=np.int64), [], k))
    n = len(keys)
    return {e: float(min(chance[x], chance[n + x])) for x, e in enumerate(keys)}


def within_reach(groups: list[list[str]], others: list[list[str]], days: dict[str, tuple[int, int]], slack: int) -> np.ndarray:
    """For each group of records, how many of `others` have a date range within `slack` days of
    its own (a group's range spans its members'): counted with two sorted searches, not pairs."""
    if not groups:
        return np.zeros(0)
    def spans(units: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        return np.array([min(days[k][0] for k in u) for u in units], dtype=np.int64), np.array([max(days[k][1] for k in u) for u in units], dtype=np.int64)
    first, last = spans(groups)
    if not others:
        return np.zeros(len(groups))
    other_first, other_last = (np.sort(v) for v in spans(others))
    # Those starting no later than our last day + slack, less those ending before our first - slack.
    return (np.searchsorted(other_first, last + slack, side="right") - np.searchsorted(other_last, first - slack, side="left")).astype(float)


def incident_features(edges: Edges, units: list[list[str]], incidents: list[list[str]], source_of: dict[str, str], credits: dict[str, str | None] | None) -> list[tuple[np.ndarray, int]]:
    """The incident-level feature of a step's edges (sorted) with its number of levels: the
    breadth of the incident's reporting; when the step's records say whom they credit with the
    allegation (`credits`: record key -> a source of the lists, or None for one outside them),
    breadth and that credit against the incident's sources, jointly (the two are far from
    independent: an incident Airwars carries is more often carried by others too, so their
    weights are not added as if they were)."""
    keys = sorted(edges)
    sources = [{source_of[k] for k in incident} for incident in incidents]
    breadth = np.array([min(len(sources[j]), BREADTH_LEVELS) - 1 for _, j in keys], dtype=np.int64)
    credits = credits or {}
    if not any(k in credits for unit in units for k in unit):
        return [(breadth, BREADTH_LEVELS)]
    credited = [next((credits[k] for k in unit if k in credits), None) for unit in units]
    creditable = {c for c in credited if c is not None}

    def allegation(i: int, j: int) -> int:
        if credited[i] is not None:
            return 0 if credited[i] in sources[j] else 1
        return 2 if sources[j] & creditable else 3

    levels = np.array([allegation(i, j) for i, j in keys], dtype=np.int64)
    return [(breadth * ALLEGATION_LEVELS + levels, BREADTH_LEVELS * ALLEGATION_LEVELS)]


def assemble(keys_by_source: dict[str, list[str]], order: list[str], log_bf: dict[str, dict[str, float]], days: dict[str, tuple[int, int]] | None = None, slack: int = 1, credits: dict[str, str | None] | None = None) -> tuple[list[list[str]], list[tuple[str, str, float, float]]]:
    """Incidents (sorted lists of record keys) and the links (pair, log Bayes factor, confidence) that made them.

    `credits`: for the records of a source that says who raised the allegation (the coalition's),
    record key -> the source of the lists it credits, or None: weighed by EM in the step that
    adds that source, as the breadth of the incident's reporting is.

    `days` (record key -> first and last day, as day numbers): a record's a-priori candidates K are
    then every incident within `slack` days, wherever it is, although only the pairs in `log_bf`
    (blocked on place) are weighed: a candidate left out is one whose Bayes factor is too small to
    count, but the prior is still shared among all of them. Without `days`, K is the record's
    edges."""
    source_of = {key: source for source, keys in keys_by_source.items() for key in keys}
    incidents: list[list[str]] = []
    links: list[tuple[str, str, float, float]] = []
    for source in order:
        units = [[k] for k in sorted(keys_by_source.get(source, []))]
        twins = best_member_edges(units, units, log_bf)
        joined: dict[int, int] = {}
        # Each record's own range is among the others: it is not its own candidate.
        twin_candidates = within_reach(units, units, days, slack) - 1 if days is not None else None
        for (i, j), chance in sorted(twins_confidence(twins, twin_candidates).items()):
            if chance > ACCEPT and i not in joined and j not in joined and i not in joined.values() and j not in joined.values():
                joined[j] = i
                links.append((*twins[(i, j)][1], twins[(i, j)][0], chance))
        for j, i in sorted(joined.items()):
            units[i] = sorted(units[i] + units[j])
        units = [u for n, u in enumerate(units) if n not in joined]
        edges = best_member_edges(units, incidents, log_bf)
        taken: set[int] = set()
        candidates = within_reach(units, incidents, days, slack) if days is not None else None
        for i, j, chance in pair_up(edges, incident_features(edges, units, incidents, source_of, credits), candidates):
            incidents[j] = sorted(incidents[j] + units[i])
            taken.add(i)
            links.append((*edges[(i, j)][1], edges[(i, j)][0], chance))
        incidents.extend(u for n, u in enumerate(units) if n not in taken)
    return incidents, links
