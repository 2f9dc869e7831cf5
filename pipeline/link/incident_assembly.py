"""Incidents built source by source from scored record pairs, each record joining at most one incident.

A source reports an event once (Airwars sometimes twice: those copies are joined first), so at
each step a record of the source being added either describes one of the incidents built so far
or none of them, and each incident takes at most one of its records. The evidence between a
record and an incident is the posterior log-odds o of the record's best-fitting member pair (from
the Fellegi-Sunter model, its source pair's prior included). The record's chance of describing
incident j rather than another candidate or none is

    P(j) = e^o_j / (1 + sum over its candidate incidents of e^o)

and likewise from the incident's side (the source's records that could be its report competing);
the smaller of the two is the pairing's confidence. A pairing is kept at confidence >= ACCEPT
(so a kept pairing beats all others on both sides together, and is one-to-one): two equally good
candidates leave a record alone rather than joined by a guess.
"""

from __future__ import annotations

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


def record_side(owner: np.ndarray, log_bf: np.ndarray, breadth: np.ndarray | None = None) -> np.ndarray:
    """P(edge is its record's true pairing): the record describes none of its K candidates with
    probability p_none, else any one of them a priori alike, so
    P(j) = a BF_j / (p_none + a sum BF), a = (1 - p_none) / K, with p_none estimated by EM over the step.

    With `breadth` (how many sources carry the candidate incident: 0 for one, 1 for two, 2 for
    more), its m and u are estimated in the same EM and its weight joins the Bayes factor: the
    coalition assessed the allegations monitors and the press had raised, and Amnesty the worst
    strikes, so an incident several sources carry is likelier to be the one they describe."""
    base = log_bf
    levels = 3
    m = u = np.full(levels, 1.0 / levels)
    n = int(owner.max()) + 1
    k = np.bincount(owner, minlength=n).astype(float)
    has = k > 0
    top = np.full(n, 0.0)
    np.maximum.at(top, owner, log_bf)
    log_total = top + np.log(np.bincount(owner, weights=np.exp(log_bf - top[owner]), minlength=n) + np.where(has, 0.0, 1.0))
    log_k = np.log(np.where(has, k, 1.0))
    p_none = 0.5
    for _ in range(MAX_ITERATIONS):
        log_a = np.log1p(-p_none) - log_k
        log_denominator = np.logaddexp(np.log(p_none), log_a + log_total)
        none = np.exp(np.log(p_none) - log_denominator)
        updated = float(np.clip(none[has].mean(), 1e-6, 1 - 1e-6))
        converged = abs(updated - p_none) < TOLERANCE
        p_none = updated
        if breadth is not None:
            chance = np.exp(log_a[owner] + log_bf - log_denominator[owner])
            new_m = np.bincount(breadth, weights=chance, minlength=levels) + 1.0
            new_u = np.bincount(breadth, weights=1 - chance, minlength=levels) + 1.0
            new_m, new_u = new_m / new_m.sum(), new_u / new_u.sum()
            converged = converged and np.abs(new_m - m).max() < TOLERANCE
            m, u = new_m, new_u
            log_bf = base + np.log(m[breadth]) - np.log(u[breadth])
            top = np.full(n, 0.0)
            np.maximum.at(top, owner, log_bf)
            log_total = top + np.log(np.bincount(owner, weights=np.exp(log_bf - top[owner]), minlength=n) + np.where(has, 0.0, 1.0))
        if converged:
            break
    log_a = np.log1p(-p_none) - log_k
    log_denominator = np.logaddexp(np.log(p_none), log_a + log_total)
    return np.exp(log_a[owner] + log_bf - log_denominator[owner])


def incident_side(owner: np.ndarray, log_bf: np.ndarray) -> np.ndarray:
    """Among the records that could be an incident's report from this source, each one's share of
    the evidence: two records fitting one incident equally well get a half each."""
    n = int(owner.max()) + 1
    top = np.full(n, -np.inf)
    np.maximum.at(top, owner, log_bf)
    total = np.bincount(owner, weights=np.exp(log_bf - top[owner]), minlength=n)
    return np.exp(log_bf - top[owner]) / total[owner]


def confidence(edges: Edges, breadth_of: list[int] | None = None) -> dict[tuple[int, int], float]:
    """Each record-to-incident edge's confidence: the smaller of its chance from the record's side and its share from the incident's side."""
    if not edges:
        return {}
    keys = sorted(edges)
    left = np.array([i for i, _ in keys])
    right = np.array([j for _, j in keys])
    log_bf = np.array([edges[e][0] for e in keys])
    breadth = None if breadth_of is None else np.array([min(breadth_of[j], 3) - 1 for j in right])
    both = np.minimum(record_side(left, log_bf, breadth), incident_side(right, log_bf))
    return {e: float(p) for e, p in zip(keys, both)}


def twins_confidence(edges: Edges) -> dict[tuple[int, int], float]:
    """Within one source both ends of an edge are records: each end's chance, the smaller."""
    if not edges:
        return {}
    keys = sorted(edges)
    owner = np.array([i for i, _ in keys] + [j for _, j in keys])
    log_bf = np.array([edges[e][0] for e in keys] * 2)
    chance = record_side(owner, log_bf)
    n = len(keys)
    return {e: float(min(chance[x], chance[n + x])) for x, e in enumerate(keys)}


def assemble(keys_by_source: dict[str, list[str]], order: list[str], log_bf: dict[str, dict[str, float]]) -> tuple[list[list[str]], list[tuple[str, str, float, float]]]:
    """Incidents (sorted lists of record keys) and the links (pair, log-odds, confidence) that made them."""
    source_of = {key: source for source, keys in keys_by_source.items() for key in keys}
    incidents: list[list[str]] = []
    links: list[tuple[str, str, float, float]] = []
    for source in order:
        units = [[k] for k in sorted(keys_by_source.get(source, []))]
        twins = best_member_edges(units, units, log_bf)
        joined: dict[int, int] = {}
        for (i, j), chance in sorted(twins_confidence(twins).items()):
            if chance > ACCEPT and i not in joined and j not in joined and i not in joined.values() and j not in joined.values():
                joined[j] = i
                links.append((*twins[(i, j)][1], twins[(i, j)][0], chance))
        for j, i in sorted(joined.items()):
            units[i] = sorted(units[i] + units[j])
        units = [u for n, u in enumerate(units) if n not in joined]
        edges = best_member_edges(units, incidents, log_bf)
        taken: set[int] = set()
        breadth = [len({source_of[k] for k in incident}) for incident in incidents]
        for (i, j), chance in sorted(confidence(edges, breadth).items()):
            if chance > ACCEPT:
                incidents[j] = sorted(incidents[j] + units[i])
                taken.add(i)
                links.append((*edges[(i, j)][1], edges[(i, j)][0], chance))
        incidents.extend(u for n, u in enumerate(units) if n not in taken)
    return incidents, links
