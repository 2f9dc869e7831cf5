"""Incidents built source by source from scored record pairs, each record joining at most one incident.

A source reports an event once (Airwars sometimes twice: those copies are joined first), so at
each step a record of the source being added either describes one of the incidents built so far
or none of them, and each incident takes at most one of its records. The evidence between a
record and an incident is the Bayes factor BF of the record's best-fitting member pair (from the
Fellegi-Sunter model), with how widely the incident is reported weighed in by EM. A record's
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


@dataclass
class Competition:
    """What a step's records share: the chance one describes none of the incidents so far, and
    how much the breadth of an incident's reporting weighs (m and u per breadth level)."""
    p_none: float
    breadth_m: np.ndarray
    breadth_u: np.ndarray

    def log_bf(self, log_bf: np.ndarray, breadth: np.ndarray) -> np.ndarray:
        return log_bf + np.log(self.breadth_m[breadth]) - np.log(self.breadth_u[breadth])


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


def fit_competition(owner: np.ndarray, log_bf: np.ndarray, breadth: np.ndarray | None, k: np.ndarray) -> Competition:
    """p_none, and breadth's m and u when given, by EM over the step's edges.

    Breadth (how many sources carry the candidate incident) is evidence because the coalition
    assessed the allegations monitors and the press had raised, and Amnesty the worst strikes:
    an incident several sources carry is likelier to be the one they describe."""
    n = len(k)
    # Records with candidates but no edge (every candidate blocked out as too unlike) describe
    # none of them: they count towards p_none.
    has = k > 0
    flat = np.full(BREADTH_LEVELS, 1.0 / BREADTH_LEVELS)
    competition = Competition(0.5, flat, flat)
    for _ in range(MAX_ITERATIONS):
        evidence = competition.log_bf(log_bf, breadth) if breadth is not None else log_bf
        chance = record_side(owner, evidence, k, competition)
        none = 1.0 - np.bincount(owner, weights=chance, minlength=n)
        p_none = float(np.clip(none[has].mean(), 1e-6, 1 - 1e-6))
        m, u = competition.breadth_m, competition.breadth_u
        if breadth is not None:
            m = np.bincount(breadth, weights=chance, minlength=BREADTH_LEVELS) + 1.0
            u = np.bincount(breadth, weights=1 - chance, minlength=BREADTH_LEVELS) + 1.0
            m, u = m / m.sum(), u / u.sum()
        converged = abs(p_none - competition.p_none) < TOLERANCE and np.abs(m - competition.breadth_m).max() < TOLERANCE
        competition = Competition(p_none, m, u)
        if converged:
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


def pair_up(edges: Edges, breadth_of: list[int] | None = None, candidates: np.ndarray | None = None) -> list[tuple[int, int, float]]:
    """The kept (record, incident, confidence) pairings of one step. A pairing is kept when its
    chance from the record's side and its share from the incident's side both exceed ACCEPT
    (which makes it one-to-one); then the incidents taken are struck from the other records'
    candidates and the rest weighed again, until nothing more is kept. `candidates[i]`: how many
    incidents record i could describe a priori (K; by default its edges)."""
    if not edges:
        return []
    keys = sorted(edges)
    left = np.array([i for i, _ in keys])
    right = np.array([j for _, j in keys])
    log_bf = np.array([edges[e][0] for e in keys])
    breadth = None if breadth_of is None else np.array([min(breadth_of[j], BREADTH_LEVELS) - 1 for j in right])
    k = at_least_edges(left, candidates)
    competition = fit_competition(left, log_bf, breadth, k)
    evidence = competition.log_bf(log_bf, breadth) if breadth is not None else log_bf
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
    chance = record_side(owner, log_bf, k, fit_competition(owner, log_bf, None, k))
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


def assemble(keys_by_source: dict[str, list[str]], order: list[str], log_bf: dict[str, dict[str, float]], days: dict[str, tuple[int, int]] | None = None, slack: int = 1) -> tuple[list[list[str]], list[tuple[str, str, float, float]]]:
    """Incidents (sorted lists of record keys) and the links (pair, log Bayes factor, confidence) that made them.

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
        breadth = [len({source_of[k] for k in incident}) for incident in incidents]
        taken: set[int] = set()
        candidates = within_reach(units, incidents, days, slack) if days is not None else None
        for i, j, chance in pair_up(edges, breadth, candidates):
            incidents[j] = sorted(incidents[j] + units[i])
            taken.add(i)
            links.append((*edges[(i, j)][1], edges[(i, j)][0], chance))
        incidents.extend(u for n, u in enumerate(units) if n not in taken)
    return incidents, links
