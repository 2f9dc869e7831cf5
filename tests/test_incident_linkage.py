"""Incident linkage's parts: the Fellegi-Sunter EM, the blocking and its training sample, and the source-by-source assembly, on cases whose answer is known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from pipeline.link.fellegi_sunter import estimate
from pipeline.link.incident_assembly import assemble, within_reach
from pipeline.link.incident_blocking import scoring_pairs, training_pairs
from pipeline.link.incident_comparisons import weapon_level
from pipeline.link.fellegi_sunter import FellegiSunterModel
from pipeline.link.incident_comparisons import COMPARISONS
from pipeline.link.incidents import INCIDENT_RECORD_SCHEMA, allegation_credits, crowding_adjusted, neighbourhood_shares, shared_victims

DAY = dt.date(2017, 3, 17)


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


def test_em_on_level_patterns_weighted_by_their_pairs_is_em_on_the_pairs():
    rng = np.random.default_rng(11)
    n = 6_000
    is_match = rng.random(n) < 0.1
    levels = np.column_stack([np.where(is_match, rng.choice(3, n, p=[0.8, 0.15, 0.05]), rng.choice(3, n, p=[0.2, 0.3, 0.5])) for _ in range(3)])
    groups = (rng.random(n) < 0.5).astype(np.int64)
    most = np.array([400.0, 5_000.0])
    pairs = estimate(levels, groups, [3, 3, 3], ["a", "b", "c"], most)
    patterns, counts = np.unique(np.column_stack([levels, groups]), axis=0, return_counts=True)
    weighted = estimate(patterns[:, :3], patterns[:, 3], [3, 3, 3], ["a", "b", "c"], most, weights=counts.astype(float))
    assert np.allclose(pairs.prior, weighted.prior, atol=1e-6) and pairs.prior[0] <= 400 / (groups == 0).sum() + 1e-9  # the cap counts pairs, not patterns
    for k in range(3):
        assert np.allclose(pairs.m[k], weighted.m[k], atol=1e-6) and np.allclose(pairs.u[k], weighted.u[k], atol=1e-6)


def _records(rows: list[dict]) -> pl.DataFrame:
    base = {"source": "ibc", "date_start": DAY, "date_end": DAY, "neighbourhood_id": "jadida", "bank": "west", "weapon": "airstrike", "killed_min": 5, "killed_max": 5}
    return pl.DataFrame([{**base, **r} for r in rows], schema=INCIDENT_RECORD_SCHEMA)


NO_SHARED = shared_victims(None)


def _pairs(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return set(frame.select("record_key_l", "record_key_r").iter_rows())


def test_small_blocks_give_every_pair_within_a_day_in_one_neighbourhood_or_with_an_unplaced_record():
    records = _records([
        {"record_key": "a:1", "source": "airwars"}, {"record_key": "i:1"},
        {"record_key": "i:2", "date_start": DAY + dt.timedelta(days=1), "date_end": DAY + dt.timedelta(days=1)},  # a day later: still a candidate
        {"record_key": "c:1", "source": "cjtf", "neighbourhood_id": None},  # no neighbourhood: meets its bank's records
        {"record_key": "c:2", "source": "cjtf", "neighbourhood_id": None, "bank": "east"},  # the other bank: meets no one
        {"record_key": "a:2", "source": "airwars", "neighbourhood_id": "zanjili"},  # another neighbourhood: meets only c:1
    ])
    assert _pairs(scoring_pairs(records, NO_SHARED)) == {("a:1", "i:1"), ("a:1", "i:2"), ("a:1", "c:1"), ("c:1", "i:1"), ("c:1", "i:2"), ("a:2", "c:1")}


def test_a_block_over_the_cap_gives_each_record_its_neighbours_in_toll_and_no_more_than_the_cap():
    # Twelve IBC and twelve Airwars reports of one day, place and weapon class: over a cap of 4
    # for every rule, so only the window on the toll pairs them.
    rows = [{"record_key": f"{s}:{n:02d}", "source": "airwars" if s == "a" else "ibc", "killed_min": 10 * n, "killed_max": 10 * n} for s in ("a", "i") for n in range(12)]
    pairs = _pairs(scoring_pairs(_records(rows), NO_SHARED, cap=4))
    assert all(("a:%02d" % n, "i:%02d" % n) in pairs for n in range(12))  # equal tolls meet
    assert ("a:00", "i:11") not in pairs
    per_record = pl.DataFrame(list(pairs), schema=["l", "r"], orient="row").unpivot().group_by("value").len()
    assert per_record["len"].max() <= 4


def test_the_training_sample_takes_pairs_by_bucket_and_stays_within_the_budget(monkeypatch):
    import pipeline.link.incident_blocking as blocking

    rows = [{"record_key": f"{s}:{n:03d}", "source": s} for s in ("airwars", "ibc") for n in range(150)]
    records = _records(rows)
    every, one_bucket = training_pairs(records, NO_SHARED)
    assert one_bucket == 1 and every.height == 150 * 150 + 150 * 149 // 2  # across the sources, and Airwars' own pairs
    monkeypatch.setattr(blocking, "TRAINING_BUDGET", 20_000)
    sample, buckets = training_pairs(records, NO_SHARED)
    assert buckets > 1 and _pairs(sample) <= _pairs(every)
    assert 0.5 < sample.height * buckets / every.height < 1.5  # each pair taken with chance 1 / buckets
    assert _pairs(training_pairs(records.reverse(), NO_SHARED)[0]) == _pairs(sample)  # the same sample whatever the row order


def test_a_record_has_as_many_candidates_as_incidents_within_reach_of_its_dates():
    days = {"x": (10, 10), "y": (12, 14), "p": (8, 8), "q": (13, 13), "r": (20, 20)}
    assert within_reach([["x"], ["y"]], [["p"], ["q"], ["r"]], days, 2).tolist() == [1.0, 1.0]
    assert within_reach([["x", "y"]], [["p"], ["q"], ["r"]], days, 2).tolist() == [2.0]  # a group spans its members' dates


def test_the_source_a_coalition_assessment_credits_settles_an_otherwise_even_choice():
    # Twenty assessments crediting Airwars, each fitting its Airwars incident better than an
    # IBC-only one, teach EM what the credit is worth; the last fits both equally and goes to
    # the incident Airwars reported. Without the credits it stays alone.
    keys = {"airwars": [f"airwars:{n}" for n in range(21)], "ibc": [f"ibc:{n}" for n in range(21)], "cjtf": [f"cjtf:{n}" for n in range(21)]}
    log_bf = {}
    for n in range(20):
        log_bf[(f"airwars:{n}", f"cjtf:{n}")] = 6.0
        log_bf[(f"ibc:{n}", f"cjtf:{n}")] = 2.0
    log_bf[("airwars:20", "cjtf:20")] = log_bf[("ibc:20", "cjtf:20")] = 5.0
    credits = {f"cjtf:{n}": "airwars" for n in range(21)}
    incidents, _ = assemble(keys, ["airwars", "ibc", "cjtf"], _symmetric(log_bf), credits=credits)
    assert ["airwars:20", "cjtf:20"] in incidents
    incidents, _ = assemble(keys, ["airwars", "ibc", "cjtf"], _symmetric(log_bf))
    assert ["cjtf:20"] in incidents


def test_allegation_credits_name_only_sources_of_the_lists():
    staged = {"staged_cjtf_assessments": pl.DataFrame({"record_key": ["cjtf:1", "cjtf:2", "cjtf:3", "cjtf:4"], "allegation_source": ["Airwars", "media", None, " airwars "]})}
    assert allegation_credits(staged) == {"cjtf:1": "airwars", "cjtf:2": None, "cjtf:3": None, "cjtf:4": "airwars"}


def test_a_weapon_known_only_by_its_family_agrees_with_any_weapon_of_that_family():
    pairs = pl.DataFrame({"weapon_l": ["coalition_strike"] * 4 + ["airstrike"], "weapon_r": ["airstrike", "air_or_artillery", "artillery", "execution", "air_or_artillery"]})
    assert pairs.select(weapon_level().alias("level"))["level"].to_list() == [0, 0, 2, 3, 1]


def test_sharing_a_crowded_neighbourhood_counts_for_less_than_sharing_a_quiet_one():
    # One day: eight records in the Old City, two in Zuhur, two naming no neighbourhood.
    rows = [(f"airwars:o{n}", "old_city", "west") for n in range(4)] + [(f"ibc:o{n}", "old_city", "west") for n in range(4)]
    rows += [("airwars:z", "zuhur", "east"), ("ibc:z", "zuhur", "east"), ("airwars:x", None, None), ("ibc:x", None, None)]
    records = _records([{"record_key": k, "source": k.split(":")[0], "neighbourhood_id": n, "bank": b} for k, n, b in rows])
    shares = neighbourhood_shares(records)
    assert shares["airwars:o0"] == pytest.approx(7 / 12) and shares["airwars:z"] == pytest.approx(1 / 12)  # leaving the pair's partner out
    n = len(COMPARISONS)
    model = FellegiSunterModel(list(COMPARISONS), [np.full(5, 0.2)] * n, [np.array([0.25, 0.25, 0.25, 0.25, 0.0])] * n, np.array([0.01]), 1)
    scored = pl.DataFrame({"record_key_l": ["airwars:o0", "airwars:z", "airwars:x"], "record_key_r": ["ibc:o0", "ibc:z", "ibc:o1"], "level_place": [0, 0, -1], "log_bayes_factor": [3.0, 3.0, 3.0]})
    adjusted = crowding_adjusted(scored, records, model)["log_bayes_factor"].to_list()
    assert adjusted[0] < 3.0 < adjusted[1] and adjusted[2] == 3.0
    assert abs(adjusted[1] - adjusted[0] - np.log(7)) < 1e-9
