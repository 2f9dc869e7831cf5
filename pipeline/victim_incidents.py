"""Victim to incident: which incident each victim died in, with the link's probability.

A list victim inherits its record's incident. A morgue-only victim (most of the dead: the morgue
names people the incident databases do not) joins an incident through a named relative
(pipeline/kinship.py) or when its date, neighbourhood and cause make one incident clearly the
likeliest. The weights are expected bodies, read off the build's own data: what each incident
can still account for, against the deaths no source reported in that place. Policy values come
from pipeline/config/attribution.toml (`victim_incident_*`, `victim_side_*`, `cause_*`).
"""

from __future__ import annotations

import math

import polars as pl

from pipeline.attribute import NO_CANDIDATES, Policy
from pipeline.cause_evidence import apply_cause_likelihoods, learned_cause_likelihoods
from pipeline.kinship import household_links, victim_names
from pipeline.places import area_members


def link_victims_to_incidents(victim_clusters: pl.DataFrame, incidents: pl.DataFrame, membership: pl.DataFrame, policy: Policy, person_records: pl.DataFrame | None = None, morgue: pl.DataFrame | None = None) -> pl.DataFrame:
    """victim_id -> incident_id with probability.

    A list victim inherits its record's incident (probability 1). A morgue-only victim whose close
    relative died the same day in the same place and is named in an incident joins that incident
    (pipeline/kinship.py; needs `person_records` for the name parts). Any other morgue-only victim is weighed
    against the incidents that fit its date (within the window), neighbourhood and cause. Each
    candidate weighs the bodies the morgue can be expected to show from it: its room (what it
    killed less the victims already named in it) times the share of list-named victims the morgue
    registered times the share of morgue-only bodies that are dated and placed, a quarter of that
    for a day's difference, times how likely the morgue's cause is under the incident's weapon
    (learned from the bodies of named victims, pipeline/cause_evidence.py, or the policy's
    `cause_weapon_likelihood` table; nothing when the table says the cause contradicts the weapon).
    Against them weigh the deaths no source reported: the bodies a day the morgue shows in that
    neighbourhood and month on days without a reported incident (`unreported_rate`), plus any
    bodies of that place and day beyond the room of its incidents, times how likely the cause is
    among such deaths when causes are learned. The probability of a candidate
    is its weight over the total (on seed 1, links made at p >= 0.8 were to the right incident
    85% of the time, and to the right side 85%); the victim is linked when one incident reaches
    `victim_incident_min_probability`, and otherwise, when incidents of one side together reach
    it, takes that side without an incident (V2). A morgue-only body with a neighbourhood but no
    date of death is weighed the same way against the incidents of its place in the days before
    it was registered, by the morgue's own registration delays (needs `morgue`, the staged
    morgue list; see weigh_by_date_received)."""
    member = membership.select(pl.col("record_key").alias("incident_key"), "incident_id")
    inherited = victim_clusters.select("victim_id", pl.col("incident_keys").alias("incident_key")).explode("incident_key").drop_nulls().join(member, on="incident_key")
    inherited = inherited.group_by("victim_id").agg(pl.col("incident_id").mode().sort().first(), pl.col("incident_key").sort().first()).with_columns(
        pl.lit(1.0).alias("incident_link_probability"), pl.format("named in {}", pl.col("incident_key")).alias("link_basis"), *NO_CANDIDATES,
    ).drop("incident_key")
    named_in = inherited.select("victim_id", "incident_id")  # by a list, not through a relative
    if person_records is not None and policy.household_links:
        names = victim_names(victim_clusters, person_records).join(victim_clusters.select("victim_id", "date_of_death", "neighbourhood_id"), on="victim_id")
        kin = household_links(names, inherited.select("victim_id", "incident_id")).with_columns(*NO_CANDIDATES)
        inherited = pl.concat([inherited.select(kin.columns), kin])
    not_inherited = victim_clusters.filter(~pl.col("victim_id").is_in(inherited["victim_id"].implode()))
    members = pl.DataFrame(area_members(), schema={"area": pl.String, "neighbourhood_id": pl.String}, orient="row")
    is_area = pl.col("neighbourhood_id").is_in(members["area"].unique().implode())
    dated = not_inherited.filter(pl.col("date_of_death").is_not_null() & pl.col("neighbourhood_id").is_not_null() & ~is_area)
    # Bodies the morgue placed only in a bank or the Old City: weighed against every neighbourhood in it.
    area_dated = not_inherited.filter(pl.col("date_of_death").is_not_null() & (is_area | (pl.col("neighbourhood_id").is_null() & pl.col("bank").is_not_null()))).with_columns(
        pl.when(is_area).then(pl.col("neighbourhood_id")).otherwise(pl.format("bank:{}", pl.col("bank"))).alias("area")
    )
    # Of an incident's unnamed dead, how many the morgue can be expected to show here, dated and
    # placed: the share of list-named victims the morgue registered, times the share of
    # morgue-only bodies that carry a date and a neighbourhood. Both are read off this run's data.
    named_on_lists = victim_clusters.filter(pl.col("incident_keys").list.len() > 0)
    in_morgue = (named_on_lists["record_keys"].list.eval(pl.element().str.starts_with("morgue:").any()).list.first().mean() if named_on_lists.height else None) or 1.0
    dated_share = dated.height / not_inherited.height if not_inherited.height else 1.0
    placed = incidents.select("incident_id", "date_start", "date_end", "neighbourhood_id", "weapon", "party", "killed_min", "killed_max").filter(pl.col("neighbourhood_id").is_not_null())
    # An incident's room for more victims: what it killed less the victims already named in it.
    killed = pl.max_horizontal(pl.col("killed_max").fill_null(pl.col("killed_min")).fill_null(1), pl.lit(1)).cast(pl.Float64)
    placed = placed.join(inherited.group_by("incident_id").agg(pl.len().alias("named")), on="incident_id", how="left").with_columns(
        (killed - pl.col("named").fill_null(0)).clip(lower_bound=0).alias("room")
    ).drop("named", "killed_min", "killed_max")
    window = pl.duration(days=policy.victim_incident_date_window_days)
    # Each incident listed on every day of its window and joined on neighbourhood and day, so the
    # cost grows with the victims and incidents of one place on one day, not of one place.
    incident_days = placed.with_columns(pl.date_ranges(pl.col("date_start") - window, pl.col("date_end") + window).alias("date_of_death")).explode("date_of_death")
    rate = unreported_rate(dated, incident_days, policy.victim_incident_unreported_shrinkage_days)
    weighed = [weigh_dated(dated, incident_days, rate, in_morgue * dated_share, policy), weigh_area_dated(area_dated, members, incident_days, rate, in_morgue * dated_share, policy)]
    if morgue is not None:
        undated = not_inherited.filter(pl.col("date_of_death").is_null() & pl.col("neighbourhood_id").is_not_null())
        weighed.append(weigh_by_date_received(undated, morgue, placed, rate, in_morgue, dated_share))
    weighed = pl.concat(weighed)
    learned = None
    if policy.cause_likelihood_from_data:
        named_bodies = named_in.join(victim_clusters.select("victim_id", FIRST_CAUSE), on="victim_id").join(incidents.select("incident_id", "weapon"), on="incident_id")
        quiet_bodies = dated.join(incident_days.select("neighbourhood_id", "date_of_death").unique(), on=["neighbourhood_id", "date_of_death"], how="anti").select(FIRST_CAUSE)
        learned = learned_cause_likelihoods(named_bodies, quiet_bodies, victim_clusters.select(FIRST_CAUSE), policy.cause_likelihood_prior_bodies, policy.cause_likelihood_min_named)
    table = cause_likelihood(pl.col("cause"), pl.col("weapon"), policy)
    weighed = (apply_cause_likelihoods(weighed, learned, table > 0) if learned is not None else weighed.with_columns(pl.col("weight") * table)).filter(pl.col("weight") > 0).with_columns(
        (pl.col("weight") / (pl.col("weight").sum().over("victim_id") + pl.col("unreported"))).alias("probability")
    )
    best = weighed.sort("probability", "incident_id", descending=[True, False]).group_by("victim_id", maintain_order=True).agg(
        pl.col("incident_id").first(), pl.col("probability").first(), pl.col("matched").first(), pl.len().alias("n"),
    )
    single = best.filter(pl.col("probability") >= policy.victim_incident_min_probability).select(
        "victim_id", "incident_id", pl.col("probability").alias("incident_link_probability"),
        pl.format("the likeliest of {} incidents matching {} and cause (p={})", pl.col("n"), pl.col("matched"), pl.col("probability").round(2)).alias("link_basis"),
        *NO_CANDIDATES,
    )
    # No single incident is likely enough, but the incidents of one side together are: the victim
    # takes that side and no incident (which one it was would be a guess).
    sides = weighed.join(single.select("victim_id"), on="victim_id", how="anti").filter(pl.col("party") != "undetermined").group_by("victim_id", "party").agg(
        pl.col("probability").sum(), pl.col("incident_id").sort().str.join(", ").alias("candidates"), pl.col("matched").first(), pl.len().alias("n"),
    )
    agreeing = sides.filter(pl.col("probability") >= policy.victim_side_min_probability).select(
        "victim_id", pl.lit(None, pl.String).alias("incident_id"), pl.lit(None, pl.Float64).alias("incident_link_probability"),
        pl.format("{} incidents match {} and cause (together p={})", pl.col("n"), pl.col("matched"), pl.col("probability").round(2)).alias("link_basis"),
        pl.col("party").alias("candidate_party"), "candidates",
    )
    return pl.concat([inherited.select(single.columns), single, agreeing]).unique("victim_id", keep="first")


# A body from a place and day with more candidate incidents than this cannot be tied to one of
# them (none would reach a few percent), so such cells are not weighed: it bounds the candidate
# rows by the victims times this, at any scale (at 100x the simulator's one city holds a hundred
# times the incidents a day). At 1x no place-and-day cell of dated bodies comes near it (at most
# 18 on seeds 1-2), but a place's registration window of up to 60 days can hold 141 incidents, so
# for bodies without a date the cap drops candidates (7 links of 4,321 on seed 1); weighing them by
# delay instead of counting them would be the better bound.
MOST_CANDIDATES = 40


def uncrowded(listed: pl.DataFrame, cell: list[str]) -> pl.DataFrame:
    """The rows of `listed` (incidents listed per place and day) in cells of at most MOST_CANDIDATES incidents."""
    counts = listed.group_by(cell).agg(pl.col("incident_id").n_unique().alias("listed"))
    return listed.join(counts.filter(pl.col("listed") <= MOST_CANDIDATES).select(cell), on=cell, how="semi")


# A victim's morgue cause of death (its first record's), the evidence every weighing reads.
FIRST_CAUSE = pl.col("causes").list.first().alias("cause")
# A candidate row's day of death within the incident's own dates (not only within the window).
ON_THE_DAY = pl.col("date_of_death").is_between(pl.col("date_start"), pl.col("date_end"))


def expected_bodies(expected_in_morgue: float, policy: Policy) -> pl.Expr:
    """A dated candidate's weight: the bodies the morgue can be expected to show from it (its room
    times `expected_in_morgue`), a quarter of that (the policy's factor) when the dates differ by a day."""
    return (pl.col("room") * expected_in_morgue * pl.when(ON_THE_DAY).then(1.0).otherwise(policy.victim_incident_adjacent_day_factor)).alias("weight")


WEIGHED = {"victim_id": pl.String, "incident_id": pl.String, "party": pl.String, "weapon": pl.String, "cause": pl.String, "weight": pl.Float64, "unreported": pl.Float64, "matched": pl.String}


def weigh_dated(dated: pl.DataFrame, incident_days: pl.DataFrame, rate: pl.DataFrame, expected_in_morgue: float, policy: Policy) -> pl.DataFrame:
    """Candidates of victims with a date of death and a neighbourhood: the incidents of that place
    within the date window, each weighing its expected bodies (a quarter a day off), against the
    place's unreported deaths a day plus the bodies of that place and day beyond its incidents' room."""
    candidates = dated.select("victim_id", "date_of_death", "neighbourhood_id", FIRST_CAUSE).join(
        uncrowded(incident_days, ["neighbourhood_id", "date_of_death"]), on=["neighbourhood_id", "date_of_death"]
    )
    # Morgue-only bodies from one place and day beyond the room of that day's incidents there
    # came from deaths no source reported; they weigh against every incident of that place and day.
    bodies = dated.group_by("neighbourhood_id", "date_of_death").agg(pl.len().alias("bodies"))
    room = candidates.filter(ON_THE_DAY).unique(["incident_id", "neighbourhood_id", "date_of_death"]).group_by("neighbourhood_id", "date_of_death").agg(pl.col("room").sum().alias("cell_room"))
    candidates = candidates.join(bodies, on=["neighbourhood_id", "date_of_death"], how="left").join(room, on=["neighbourhood_id", "date_of_death"], how="left").with_columns(
        pl.col("date_of_death").dt.month_start().alias("month")
    ).join(rate, on=["neighbourhood_id", "month"], how="left")
    return candidates.select(
        "victim_id", "incident_id", "party", "weapon", "cause",
        expected_bodies(expected_in_morgue, policy),
        (pl.col("unreported_per_day").fill_null(0.0) + (pl.col("bodies") - pl.col("cell_room").fill_null(0)).clip(lower_bound=0)).alias("unreported"),
        pl.lit("date, neighbourhood").alias("matched"),
    ).cast(WEIGHED)


def weigh_area_dated(area_dated: pl.DataFrame, members: pl.DataFrame, incident_days: pl.DataFrame, rate: pl.DataFrame, expected_in_morgue: float, policy: Policy) -> pl.DataFrame:
    """Candidates of dated victims placed only in an area (a bank, the Old City): the incidents of
    every neighbourhood in it within the date window, weighed as weigh_dated weighs them, against
    the unreported deaths a day of all its neighbourhoods together. Both sides of the ratio count
    bodies placed this loosely in the same proportion, so the weights of weigh_dated carry over.
    An area and day with more than MOST_CANDIDATES incidents is not weighed (none could reach a
    few percent), which bounds the rows by the victims times that cap."""
    if area_dated.is_empty():
        return pl.DataFrame(schema=WEIGHED)
    listed = incident_days.join(members, on="neighbourhood_id")
    listed = uncrowded(listed, ["area", "date_of_death"])
    candidates = area_dated.select("victim_id", "area", "date_of_death", FIRST_CAUSE).join(listed, on=["area", "date_of_death"])
    month = pl.col("date_of_death").dt.month_start().alias("month")
    background = members.join(rate, on="neighbourhood_id").group_by("area", "month").agg(pl.col("unreported_per_day").sum())
    return candidates.with_columns(month).join(background, on=["area", "month"], how="left").select(
        "victim_id", "incident_id", "party", "weapon", "cause",
        expected_bodies(expected_in_morgue, policy),
        pl.col("unreported_per_day").fill_null(0.0).alias("unreported"),
        pl.format("date and place ({}, where the morgue names no neighbourhood)", pl.col("area").replace({"bank:east": "the east bank", "bank:west": "the west bank", "old_city": "the Old City"})).alias("matched"),
    ).cast(WEIGHED)


def registration_delays(morgue: pl.DataFrame, longest: int = 60) -> pl.DataFrame:
    """How many days after death the morgue registers a body: the share of dated morgue records
    at each delay (0 .. the 95th percentile, at most `longest`), read off the morgue list itself."""
    delay = (pl.col("date_received") - pl.col("date_of_death")).dt.total_days()
    delays = morgue.filter(pl.col("date_of_death").is_not_null() & pl.col("date_received").is_not_null()).select(delay.alias("delay")).filter(pl.col("delay") >= 0)
    if delays.is_empty():
        return pl.DataFrame(schema={"delay": pl.Int64, "share": pl.Float64})
    top = min(int(delays["delay"].quantile(0.95)), longest)
    return delays.group_by("delay").agg((pl.len() / delays.height).alias("share")).filter(pl.col("delay") <= top).sort("delay")


def weigh_by_date_received(undated: pl.DataFrame, morgue: pl.DataFrame, placed: pl.DataFrame, rate: pl.DataFrame, in_morgue: float, dated_share: float) -> pl.DataFrame:
    """Candidates of victims with a neighbourhood but no date of death: the incidents of that
    place in the days before the body was registered, each weighing its expected bodies times
    how often the morgue registers a body that many days after death; against them, the place's
    unreported deaths a day over the same days. Weaker evidence than a date, so it decides only
    where the place was quiet or one side's incidents fill the days. `rate` counts dated bodies,
    so over `dated_share` it is the place's unreported dead a day as the morgue registers them."""
    delays = registration_delays(morgue)
    if undated.is_empty() or delays.is_empty():
        return pl.DataFrame(schema=WEIGHED)
    received = undated.select("victim_id", "neighbourhood_id", FIRST_CAUSE, pl.col("record_keys").alias("record_key")).explode("record_key").join(
        morgue.select("record_key", "date_received"), on="record_key"
    ).group_by("victim_id", "neighbourhood_id", "cause").agg(pl.col("date_received").min())
    longest = int(delays["delay"].max())
    # Every join below is on the neighbourhood, so the places can be taken a group at a time: the
    # exploded incidents (a row per incident and day for up to `longest` days, 24 million rows at
    # 100x) are then never all held at once. One group at Mosul's size.
    places = received["neighbourhood_id"].unique().sort()
    groups = max(1, math.ceil(placed.height * (longest + 1) / EXPLODED_ROWS))
    matched = pl.concat([
        registered_candidates(received.filter(pl.col("neighbourhood_id").is_in(part.implode())), placed.filter(pl.col("neighbourhood_id").is_in(part.implode())), delays, longest)
        for part in (places.gather(range(g, places.len(), groups)) for g in range(groups))
    ])
    within = float(delays["share"].sum())
    return matched.join(placed.select("incident_id", "party", "weapon", "room"), on="incident_id").with_columns(
        pl.col("date_received").dt.month_start().alias("month")
    ).join(rate, on=["neighbourhood_id", "month"], how="left").select(
        "victim_id", "incident_id", "party", "weapon", "cause",
        (pl.col("room") * in_morgue * pl.col("share")).alias("weight"),
        (pl.col("unreported_per_day").fill_null(0.0) / max(dated_share, 1e-9) * within).alias("unreported"),
        pl.lit("date received, neighbourhood").alias("matched"),
    ).cast(WEIGHED)


# Rows of exploded incident-days held at once by weigh_by_date_received (about 0.4 GB).
EXPLODED_ROWS = 4_000_000


def registered_candidates(received: pl.DataFrame, placed: pl.DataFrame, delays: pl.DataFrame, longest: int) -> pl.DataFrame:
    """victim_id, incident_id, neighbourhood_id, cause, date_received, share: each incident listed on
    every day a body of it could be registered (the share of bodies the morgue registers that many
    days after death), joined to the bodies registered there that day, in uncrowded cells only; a
    victim has one date received, so one row per victim and incident."""
    # Narrow while exploded; the rest joins back after.
    registrable = placed.select("incident_id", "neighbourhood_id", "date_end", pl.date_ranges(pl.col("date_start"), pl.col("date_end") + pl.duration(days=longest)).alias("date_received")).explode("date_received").with_columns(
        (pl.col("date_received") - pl.col("date_end")).dt.total_days().clip(lower_bound=0).alias("delay")
    ).join(delays, on="delay").drop("date_end", "delay")
    registrable = uncrowded(registrable, ["neighbourhood_id", "date_received"])
    return received.join(registrable, on=["neighbourhood_id", "date_received"])


def unreported_rate(bodies: pl.DataFrame, incident_days: pl.DataFrame, shrinkage_days: float) -> pl.DataFrame:
    """Bodies a day that no source's incident accounts for, per neighbourhood and month.

    Counted where no incident was reported (neither on the day nor within the window): the morgue
    bodies there over the days there. It is what a body in a place and day that also had a
    reported incident weighs against that incident, so that a strike reported in a quiet place
    claims its bodies and one in a place where the morgue saw many unreported deaths does not.
    Each neighbourhood-month is shrunk towards the city's rate by `shrinkage_days` of it, so a
    month with few days free of incidents does not give a rate from a handful of bodies.
    `bodies`: neighbourhood_id, date_of_death; `incident_days`: neighbourhood_id, date_of_death."""
    dated = bodies.select("neighbourhood_id", "date_of_death").drop_nulls()
    if dated.is_empty():
        return pl.DataFrame(schema={"neighbourhood_id": bodies.schema["neighbourhood_id"], "month": pl.Date, "unreported_per_day": pl.Float64})
    busy = incident_days.select("neighbourhood_id", "date_of_death").unique()
    days = pl.DataFrame({"date_of_death": pl.date_range(dated["date_of_death"].min(), dated["date_of_death"].max(), eager=True)})
    places = dated.select("neighbourhood_id").unique()
    month = pl.col("date_of_death").dt.month_start().alias("month")
    # Every place and month of the battle, so one where every day had an incident still gets a rate (the city's).
    grid = places.join(days, how="cross").join(busy.with_columns(pl.lit(True).alias("busy")), on=["neighbourhood_id", "date_of_death"], how="left")
    free_days = grid.group_by("neighbourhood_id", month).agg(pl.col("busy").is_null().sum().alias("free_days"))
    unaccounted = dated.join(busy, on=["neighbourhood_id", "date_of_death"], how="anti").group_by("neighbourhood_id", month).agg(pl.len().alias("bodies"))
    city = unaccounted["bodies"].sum() / max(free_days["free_days"].sum(), 1)
    return free_days.join(unaccounted, on=["neighbourhood_id", "month"], how="left").select(
        "neighbourhood_id", "month",
        ((pl.col("bodies").fill_null(0) + shrinkage_days * city) / (pl.col("free_days") + shrinkage_days)).alias("unreported_per_day"),
    )


def cause_likelihood(cause: pl.Expr, weapon: pl.Expr, policy: Policy) -> pl.Expr:
    """How likely a morgue cause is under an incident's weapon (policy table; 0 = contradicts)."""
    table = {key: value for key, value in policy.cause_weapon_likelihood.items() if isinstance(value, dict)}
    pairs = {f"{c}|{w}": float(p) for c, weapons in table.items() for w, p in weapons.items()}
    listed = cause.is_in(list(table))
    value = pl.concat_str(cause, weapon, separator="|").replace_strict(pairs, default=0.0, return_dtype=pl.Float64)
    return (
        pl.when(weapon == "unknown").then(pl.lit(float(policy.cause_weapon_likelihood.get("unknown_weapon", 0.5))))
        .when(cause.is_null() | ~listed).then(pl.lit(1.0))
        .otherwise(value)
    )
