"""Incident linkage's parts: the Fellegi-Sunter EM and the source-by-source assembly, on cases whose answer is known."""

from __future__ import annotations

import numpy as np

from pipeline.link.fellegi_sunter import estimate
from pipeline.link.incident_assembly import assemble


def test_em_recovers_the_weights_the_pairs_were_drawn_with():
    rng = np.random.default_rng(7)
    n, prior = 40_000, 0.06
    m_true = [np.array([0.9, 0.08, 0.02]), np.array([0.85, 0.15]), np.array([0.7, 0.25, 0.05])]
    u_true = [np.array([0.15, 0.35, 0.5]), np.array([0.3, 0.7]), np.array([0.1, 0.3, 0.6])]
    is_match = rng.random(n) < prior
    levels = np.column_stack([np.where(is_match, rng.choice(len(m), n, p=m), rng.choice(len(u), n, p=u)) for m, u in zip(m_true, u_true)])
    levels[rng.random(n) < 0.2, 1] = -1  # a comparison one side did not give is no evidence
    model = estimate(levels, np.zeros(n, dtype=np.int64), [3, 2, 3], ["a", "b", "c"], np.array([float(n)]))
    assert abs(model.prior[0] - prior) < 0.01
    for k in range(3):
        assert np.abs(model.m[k] - m_true[k]).max() < 0.04, (k, model.m[k])
        assert np.abs(model.u[k] - u_true[k]).max() < 0.02, (k, model.u[k])


def test_a_group_of_uninformative_pairs_cannot_be_explained_as_all_matches():
    rng = np.random.default_rng(3)
    n = 5_000
    levels = rng.choice(2, size=(n, 1))  # pairs that agree half the time whatever they are
    model = estimate(levels, np.zeros(n, dtype=np.int64), [2], ["a"], np.array([50.0]))
    assert model.prior[0] <= 50 / n + 1e-9


def _symmetric(pairs: dict[tuple[str, str], float]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for (a, b), value in pairs.items():
        table.setdefault(a, {})[b] = value
        table.setdefault(b, {})[a] = value
    return table


def test_a_record_fitting_two_incidents_equally_stays_alone():
    keys = {"airwars": ["airwars:1", "airwars:2"], "cjtf": ["cjtf:1"]}
    incidents, links = assemble(keys, ["airwars", "cjtf"], _symmetric({("airwars:1", "cjtf:1"): 5.0, ("airwars:2", "cjtf:1"): 5.0}))
    assert sorted(incidents) == [["airwars:1"], ["airwars:2"], ["cjtf:1"]] and links == []


def test_an_incident_taken_by_a_better_fitting_record_settles_the_tie():
    keys = {"airwars": ["airwars:1", "airwars:2"], "cjtf": ["cjtf:1", "cjtf:2"]}
    log_bf = {("airwars:1", "cjtf:1"): 5.0, ("airwars:2", "cjtf:1"): 5.0, ("airwars:2", "cjtf:2"): 7.0}
    incidents, links = assemble(keys, ["airwars", "cjtf"], _symmetric(log_bf))
    assert sorted(incidents) == [["airwars:1", "cjtf:1"], ["airwars:2", "cjtf:2"]]
    assert all(0.5 < confidence <= 1 for *_, confidence in links)


def test_a_source_that_double_reports_has_its_copies_joined_before_the_others_come():
    keys = {"airwars": ["airwars:1", "airwars:2", "airwars:3"], "ibc": ["ibc:1"]}
    log_bf = {("airwars:1", "airwars:2"): 9.0, ("airwars:2", "ibc:1"): 6.0, ("airwars:3", "ibc:1"): -4.0}
    incidents, _ = assemble(keys, ["airwars", "ibc"], _symmetric(log_bf))
    assert sorted(incidents) == [["airwars:1", "airwars:2", "ibc:1"], ["airwars:3"]]
