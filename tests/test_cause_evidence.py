"""Morgue causes of death as evidence: shares learned from named bodies and from unreported deaths."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.cause_evidence import apply_cause_likelihoods, learned_cause_likelihoods


def _causes(pairs: list[tuple[str, int]], weapon: str | None = None) -> pl.DataFrame:
    rows = [{"cause": cause, **({"weapon": weapon} if weapon else {})} for cause, count in pairs for _ in range(count)]
    return pl.DataFrame(rows)


def test_shares_are_learned_per_weapon_and_for_the_unreported_and_smoothed_towards_the_overall_mix():
    named = pl.concat([_causes([("crushed", 80), ("shrapnel", 20)], "airstrike"), _causes([("gunshot", 90), ("crushed", 10)], "gunfire")])
    unreported = _causes([("shrapnel", 50), ("gunshot", 40), ("crushed", 10)])
    bodies = pl.concat([named.select("cause"), unreported])
    by_weapon, overall, background = learned_cause_likelihoods(named, unreported, bodies, prior_bodies=10, min_named=50)
    share = {(r["weapon"], r["cause"]): r["cause_likelihood"] for r in by_weapon.iter_rows(named=True)}
    overall_crushed = 100 / 300
    assert share[("airstrike", "crushed")] == pytest.approx((80 + 10 * overall_crushed) / 110)
    assert share[("gunfire", "crushed")] == pytest.approx((10 + 10 * overall_crushed) / 110)
    assert dict(overall.iter_rows())["crushed"] == pytest.approx(overall_crushed)  # for a weapon no named body died of
    # Per weapon, the shares of all causes add up to one.
    assert by_weapon.filter(pl.col("weapon") == "airstrike")["cause_likelihood"].sum() == pytest.approx(1.0)
    unreported_share = dict(background.iter_rows())
    assert unreported_share["crushed"] == pytest.approx((10 + 10 * overall_crushed) / 110)


def test_too_few_named_bodies_leave_the_policy_table_alone():
    named = _causes([("crushed", 5)], "airstrike")
    assert learned_cause_likelihoods(named, _causes([("crushed", 5)]), named.select("cause"), prior_bodies=10, min_named=200) is None


def test_a_crushed_body_weighs_the_strike_over_the_unreported_and_a_forbidden_weapon_stays_out():
    named = pl.concat([_causes([("crushed", 90), ("shrapnel", 10)], "airstrike"), _causes([("gunshot", 100)], "gunfire")])
    unreported = _causes([("shrapnel", 60), ("gunshot", 30), ("crushed", 10)])
    learned = learned_cause_likelihoods(named, unreported, pl.concat([named.select("cause"), unreported]), prior_bodies=10, min_named=50)
    weighed = pl.DataFrame({
        "victim_id": ["v", "v", "w"], "incident_id": ["strike", "shooting", "strike"], "weapon": ["airstrike", "gunfire", "airstrike"],
        "cause": ["crushed", "crushed", None], "weight": [1.0, 1.0, 1.0], "unreported": [1.0, 1.0, 1.0],
    })
    allowed = pl.col("incident_id") != "shooting"  # as the policy's table would say of crushing by gunfire
    out = {(r["victim_id"], r["incident_id"]): r for r in apply_cause_likelihoods(weighed, learned, allowed).iter_rows(named=True)}
    strike = out[("v", "strike")]
    # Crushing is several times likelier among the strike's bodies than among the unreported deaths.
    assert strike["weight"] > 4 * strike["unreported"]
    assert out[("v", "shooting")]["weight"] == 0.0
    # A body without a cause keeps its weights: nothing to learn from.
    assert out[("w", "strike")]["weight"] == 1.0 and out[("w", "strike")]["unreported"] == 1.0
