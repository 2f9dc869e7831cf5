"""What a morgue cause of death says about where a body came from, learned from the build's own data.

The morgue writes a cause for most bodies ("crushed", "shrapnel", "gunshot", ...). How often each
cause appears among the bodies of each weapon's incidents is read off the victims whom a list names
in an incident and whom the morgue also registered; how often it appears among the deaths no source
reported is read off the morgue's bodies from places and days with no reported incident. A
morgue-only body then weighs each candidate incident by P(cause | the incident's weapon) and the
unreported deaths by P(cause | unreported), both smoothed towards the morgue's overall mix of causes
by `cause_likelihood_prior_bodies` bodies (pipeline/config/attribution.toml).

Why learned rather than only the policy's hand table: the table says how likely a cause is under
each weapon relative to the likeliest, but says nothing of the deaths no source reported, so a
"crushed" body in a place with an unreported background weighed the strike and the background as if
crushing were as common among both. The table still rules an incident out where it calls a cause
impossible under a weapon, and is the whole of it when the data holds too few named bodies.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl

LIKELIHOODS = {"weapon": pl.String, "cause": pl.String, "cause_likelihood": pl.Float64}
OVERALL = {"cause": pl.String, "overall_likelihood": pl.Float64}
UNREPORTED = {"cause": pl.String, "unreported_cause_likelihood": pl.Float64}


def smoothed_shares(counts: pl.DataFrame, overall: pl.DataFrame, by: list[str], prior_bodies: float, name: str) -> pl.DataFrame:
    """P(cause | group): (bodies of the cause in the group + prior * overall share) / (bodies in the
    group + prior), for every cause the morgue uses. `counts`: *by, cause, len; `overall`: cause, share."""
    groups = counts.select(by).unique() if by else pl.DataFrame({"_": [0]})
    grid = groups.join(overall, how="cross").join(counts, on=[*by, "cause"], how="left").with_columns(pl.col("len").fill_null(0))
    total = pl.col("len").sum().over(by) if by else pl.col("len").sum()
    return grid.select(*by, "cause", ((pl.col("len") + prior_bodies * pl.col("share")) / (total + prior_bodies)).alias(name))


class LearnedCauses(NamedTuple):
    by_weapon: pl.DataFrame  # weapon, cause, cause_likelihood
    overall: pl.DataFrame  # cause, overall_likelihood: the morgue's mix, for a weapon no named body died of
    unreported: pl.DataFrame  # cause, unreported_cause_likelihood


def learned_cause_likelihoods(named: pl.DataFrame, unreported: pl.DataFrame, bodies: pl.DataFrame, prior_bodies: float, min_named: int) -> LearnedCauses | None:
    """P(cause | weapon), the morgue's overall mix of causes and P(cause | unreported), or None when
    fewer than `min_named` named bodies carry both a cause and an incident weapon (too few to learn from).

    `named`: cause, weapon (a named morgue body and its incident's weapon); `unreported`: cause (bodies
    from places and days without a reported incident); `bodies`: cause (every morgue body, for the
    overall mix). Bodies without a cause are left out: a body without one weighs every candidate alike."""
    named = named.drop_nulls(["cause", "weapon"])
    if named.height < min_named:
        return None
    overall = bodies.drop_nulls("cause").group_by("cause").len().with_columns((pl.col("len") / pl.col("len").sum()).alias("share")).drop("len")
    by_weapon = smoothed_shares(named.group_by("weapon", "cause").len(), overall, ["weapon"], prior_bodies, "cause_likelihood")
    background = smoothed_shares(unreported.drop_nulls("cause").group_by("cause").len(), overall, [], prior_bodies, "unreported_cause_likelihood")
    return LearnedCauses(by_weapon.cast(LIKELIHOODS), overall.select("cause", pl.col("share").alias("overall_likelihood")).cast(OVERALL), background.cast(UNREPORTED))


def apply_cause_likelihoods(weighed: pl.DataFrame, learned: LearnedCauses, allowed: pl.Expr) -> pl.DataFrame:
    """Scale each candidate's weight by P(cause | weapon) and its unreported weight by P(cause |
    unreported); `allowed` is false where the policy's table calls the cause impossible under the
    weapon. A weapon without a learned row takes the overall mix; a body without a cause is left as is."""
    return weighed.join(learned.by_weapon, on=["weapon", "cause"], how="left").join(learned.overall, on="cause", how="left").join(learned.unreported, on="cause", how="left").with_columns(
        (pl.col("weight") * pl.when(allowed).then(pl.coalesce("cause_likelihood", "overall_likelihood", pl.lit(1.0))).otherwise(0.0)).alias("weight"),
        (pl.col("unreported") * pl.col("unreported_cause_likelihood").fill_null(1.0)).alias("unreported"),
    ).drop("cause_likelihood", "overall_likelihood", "unreported_cause_likelihood")
