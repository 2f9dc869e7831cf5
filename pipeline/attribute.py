"""The attribution policy: who killed each victim, and the evidence behind every answer.

Rules, in order (configuration: pipeline/config/attribution.toml, or MOSUL_ATTRIBUTION_POLICY):

- R1 credible-assessment: a coalition assessment rated Credible is linked to the incident:
  the coalition itself accepted the deaths -> coalition_or_iraqi.
- R2 evidence-agrees: every attributable piece of evidence on the incident points to one
  side -> that side. Attributable evidence: an Airwars grading in the policy's list with
  belligerents all on one side; Amnesty's own attribution; a perpetrator IBC names in its
  weapon text ("ISIS sniper fire"); an IBC or Amnesty weapon that identifies a side (airstrike;
  execution, IED, car bomb).
- R3 evidence-conflicts: attributable evidence points to both sides -> undetermined.
- R4 no-evidence: an incident without attributable evidence (Weak, Contested or Discounted
  gradings only, crossfire, unknown weapons) -> undetermined.
- V1 incident: a victim linked to an incident takes the incident's party and weapon.
- V1 also: a morgue-only victim is linked to the incident that fits its date, neighbourhood and
  cause when that incident is clearly the likeliest (see link_victims_to_incidents).
- V2 agreeing incidents: a morgue-only victim whom several incidents fit, none clearly, is linked
  to none of them, but takes a side when the incidents of that side are together likely enough.
- V3 cause: a victim linked to no incident takes the party of the morgue cause if the policy
  names one (execution -> islamic_state).
- V4 unattributed: otherwise undetermined ("crushed" with no incident to tie it to stays
  undetermined; the AP left a third there rather than guess).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.kinship import household_links, victim_names
from pipeline.vocab import read_actor

# A link to one incident carries no candidate side (that is for V2 links, see below).
NO_CANDIDATES = (pl.lit(None, pl.String).alias("candidate_party"), pl.lit(None, pl.String).alias("candidates"))
DEFAULT_POLICY = Path(__file__).parent / "config" / "attribution.toml"
SIDE = {"coalition": "coalition_or_iraqi", "iraqi_forces": "coalition_or_iraqi", "islamic_state": "islamic_state"}
CAUSE_WEAPON = {"execution": "execution", "gunshot": "gunfire", "blast": "ied", "shrapnel": None, "crushed": None, "burns": None, "drowning": None, "unknown": None}


@dataclass(frozen=True)
class Policy:
    airwars_attributable_gradings: tuple[str, ...]
    weapon_parties: dict[str, str]
    cause_parties: dict[str, str]
    conflict_resolution: str
    victim_incident_date_window_days: int
    victim_incident_adjacent_day_factor: float
    victim_incident_unreported_shrinkage_days: float
    victim_incident_min_probability: float
    cause_weapon_likelihood: dict
    ibc_named_perpetrator: bool
    household_links: bool
    path: str


def load_policy(path: Path | None = None) -> Policy:
    path = Path(path) if path else DEFAULT_POLICY
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    return Policy(
        tuple(data["airwars_attributable_gradings"]), dict(data["weapon_parties"]), dict(data["cause_parties"]),
        data["conflict_resolution"], int(data["victim_incident_date_window_days"]),
        float(data["victim_incident_adjacent_day_factor"]), float(data["victim_incident_unreported_shrinkage_days"]), float(data["victim_incident_min_probability"]),
        dict(data["cause_weapon_likelihood"]), bool(data.get("ibc_named_perpetrator", True)),
        bool(data.get("household_links", True)), str(path),
    )


def incident_evidence(membership: pl.DataFrame, staged: dict[str, pl.DataFrame], policy: Policy) -> pl.DataFrame:
    """One row per piece of evidence: incident_id, party it points to (or null), weapon, words."""
    rows = []
    member = dict(membership.select("record_key", "incident_id").iter_rows())
    for key, code, grading, belligerents, strikes in staged["staged_airwars_incidents"].select("record_key", "code", "grading", "belligerents", "strike_types").iter_rows():
        sides = {SIDE.get(b) for b in belligerents}
        party = next(iter(sides)) if len(sides) == 1 and None not in sides and grading in policy.airwars_attributable_gradings else None
        words = f"Airwars {code} graded {grading.capitalize()}, belligerents {', '.join(belligerents) or 'none'}"
        rows.append((member.get(key), key, party, strikes[0] if strikes else None, words, grading == "contested"))
    for key, code, weapon, text in staged["staged_ibc_incidents"].select("record_key", "code", "weapon", "weapons_original").iter_rows():
        party = read_actor(text) if policy.ibc_named_perpetrator else None
        rows.append((member.get(key), key, party or policy.weapon_parties.get(weapon), weapon, f"IBC {code} weapon '{text}'", weapon == "unknown" and text and "crossfire" in text.lower()))
    for key, ident, attribution, weapon in staged["staged_amnesty_incidents"].select("record_key", "id", "attribution", "weapon").iter_rows():
        party = attribution if attribution != "unclear" else policy.weapon_parties.get(weapon)
        rows.append((member.get(key), key, party, weapon, f"Amnesty {ident} attributed to {attribution}", False))
    for key, report, assessment, killed in staged["staged_cjtf_assessments"].select("record_key", "report_id", "assessment", "civilians_killed").iter_rows():
        party = "coalition_or_iraqi" if assessment == "credible" else None
        rows.append((member.get(key), key, party, None, f"coalition assessment {report} {assessment.replace('_', '-')} ({killed} killed)", False))
    schema = {"incident_id": pl.String, "record_key": pl.String, "party": pl.String, "weapon": pl.String, "words": pl.String, "contested": pl.Boolean}
    return pl.DataFrame(rows, schema=schema, orient="row").filter(pl.col("incident_id").is_not_null())


def attribute_incidents(incidents: pl.DataFrame, membership: pl.DataFrame, staged: dict[str, pl.DataFrame], policy: Policy) -> pl.DataFrame:
    evidence = incident_evidence(membership, staged, policy)
    credible = evidence.filter(pl.col("record_key").str.starts_with("cjtf:") & (pl.col("party") == "coalition_or_iraqi"))
    summary = evidence.group_by("incident_id").agg(
        pl.col("party").drop_nulls().unique().sort().alias("parties"),
        pl.col("words").sort().str.join("; ").alias("evidence"),
        pl.col("weapon").filter(pl.col("weapon") != "unknown").drop_nulls().mode().sort().first().alias("weapon"),
    )
    out = incidents.join(summary, on="incident_id", how="left").with_columns(pl.col("incident_id").is_in(credible["incident_id"].implode()).alias("credible"))
    n_parties = pl.col("parties").list.len().fill_null(0)
    party = (
        pl.when(pl.col("credible")).then(pl.lit("coalition_or_iraqi"))
        .when(n_parties == 1).then(pl.col("parties").list.first())
        .when(n_parties > 1).then(pl.lit(policy.conflict_resolution))
        .otherwise(pl.lit("undetermined"))
    )
    rule = pl.when(pl.col("credible")).then(pl.lit("R1 credible-assessment")).when(n_parties == 1).then(pl.lit("R2 evidence-agrees")).when(n_parties > 1).then(pl.lit("R3 evidence-conflicts")).otherwise(pl.lit("R4 no-evidence"))
    return out.with_columns(
        party.alias("party"), rule.alias("rule"),
        pl.format("{} ({})", pl.col("evidence").fill_null("no source evidence"), rule).alias("party_basis"),
        pl.col("weapon").fill_null("unknown"),
    ).drop("parties", "credible", "evidence")


def link_victims_to_incidents(victim_clusters: pl.DataFrame, incidents: pl.DataFrame, membership: pl.DataFrame, policy: Policy, person_records: pl.DataFrame | None = None) -> pl.DataFrame:
    """victim_id -> incident_id with probability.

    A list victim inherits its record's incident (probability 1). A morgue-only victim whose close
    relative died the same day in the same place and is named in an incident joins that incident
    (pipeline/kinship.py; needs `person_records` for the name parts). Any other morgue-only victim is weighed
    against the incidents that fit its date (within the window), neighbourhood and cause. Each
    candidate weighs the bodies the morgue can be expected to show from it: its room (what it
    killed less the victims already named in it) times the share of list-named victims the morgue
    registered times the share of morgue-only bodies that are dated and placed, a quarter of that
    for a day's difference, times how likely the morgue's cause is under the incident's weapon
    (the policy's `cause_weapon_likelihood`; nothing when the cause contradicts the weapon).
    Against them weigh the deaths no source reported: the bodies a day the morgue shows in that
    neighbourhood and month on days without a reported incident (`unreported_rate`), plus any
    bodies of that place and day beyond the room of its incidents. The probability of a candidate
    is its weight over the total (on seed 1, links made at p >= 0.8 were to the right incident
    85% of the time, and to the right side 85%); the victim is linked when one incident reaches
    `victim_incident_min_probability`, and otherwise, when incidents of one side together reach
    it, takes that side without an incident (V2)."""
    member = membership.select(pl.col("record_key").alias("incident_key"), "incident_id")
    inherited = victim_clusters.select("victim_id", pl.col("incident_keys").alias("incident_key")).explode("incident_key").drop_nulls().join(member, on="incident_key")
    inherited = inherited.group_by("victim_id").agg(pl.col("incident_id").mode().sort().first(), pl.col("incident_key").sort().first()).with_columns(
        pl.lit(1.0).alias("incident_link_probability"), pl.format("named in {}", pl.col("incident_key")).alias("link_basis"), *NO_CANDIDATES,
    ).drop("incident_key")
    if person_records is not None and policy.household_links:
        names = victim_names(victim_clusters, person_records).join(victim_clusters.select("victim_id", "date_of_death", "neighbourhood_id"), on="victim_id")
        kin = household_links(names, inherited.select("victim_id", "incident_id")).with_columns(*NO_CANDIDATES)
        inherited = pl.concat([inherited.select(kin.columns), kin])
    not_inherited = victim_clusters.filter(~pl.col("victim_id").is_in(inherited["victim_id"].implode()))
    unlinked = not_inherited.filter(pl.col("date_of_death").is_not_null() & pl.col("neighbourhood_id").is_not_null())
    # Of an incident's unnamed dead, how many the morgue can be expected to show here, dated and
    # placed: the share of list-named victims the morgue registered, times the share of
    # morgue-only bodies that carry a date and a neighbourhood. Both are read off this run's data.
    named_on_lists = victim_clusters.filter(pl.col("incident_keys").list.len() > 0)
    in_morgue = named_on_lists["record_keys"].list.eval(pl.element().str.starts_with("morgue:").any()).list.first().mean() if named_on_lists.height else 1.0
    dated_share = unlinked.height / not_inherited.height if not_inherited.height else 1.0
    expected_in_morgue = (in_morgue or 1.0) * dated_share
    window = pl.duration(days=policy.victim_incident_date_window_days)
    # Joined on neighbourhood and day (each incident listed on every day of its window), so the
    # cost grows with the victims and incidents of one place on one day, not of one place.
    incident_days = incidents.select("incident_id", "date_start", "date_end", "neighbourhood_id", "weapon", "party", "killed_min", "killed_max").filter(
        pl.col("neighbourhood_id").is_not_null()
    ).with_columns(pl.date_ranges(pl.col("date_start") - window, pl.col("date_end") + window).alias("date_of_death")).explode("date_of_death")
    candidates = unlinked.select("victim_id", "date_of_death", "neighbourhood_id", pl.col("causes").list.first().alias("cause")).join(
        incident_days, on=["neighbourhood_id", "date_of_death"]
    )
    on_the_day = pl.col("date_of_death").is_between(pl.col("date_start"), pl.col("date_end"))
    killed = pl.max_horizontal(pl.col("killed_max").fill_null(pl.col("killed_min")).fill_null(1), pl.lit(1)).cast(pl.Float64)
    # An incident's room for more victims: what it killed less the victims already named in it.
    named = inherited.group_by("incident_id").agg(pl.len().alias("named"))
    candidates = candidates.join(named, on="incident_id", how="left").with_columns(
        (killed - pl.col("named").fill_null(0)).clip(lower_bound=0).alias("room")
    )
    # Morgue-only bodies from one place and day beyond the room of that day's incidents there
    # came from deaths no source reported; they weigh against every incident of that place and day.
    unlinked_in_cell = unlinked.group_by("neighbourhood_id", "date_of_death").agg(pl.len().alias("bodies"))
    room_in_cell = candidates.filter(on_the_day).unique(["incident_id", "neighbourhood_id", "date_of_death"]).group_by("neighbourhood_id", "date_of_death").agg(pl.col("room").sum().alias("cell_room"))
    candidates = candidates.join(unlinked_in_cell, on=["neighbourhood_id", "date_of_death"], how="left").join(room_in_cell, on=["neighbourhood_id", "date_of_death"], how="left").with_columns(
        (pl.col("bodies") - pl.col("cell_room").fill_null(0)).clip(lower_bound=0).alias("excess")
    )
    rate = unreported_rate(unlinked, incident_days, policy.victim_incident_unreported_shrinkage_days)
    candidates = candidates.with_columns(pl.col("date_of_death").dt.month_start().alias("month")).join(rate, on=["neighbourhood_id", "month"], how="left")
    weighed = candidates.with_columns(
        (pl.col("room") * expected_in_morgue * pl.when(on_the_day).then(1.0).otherwise(policy.victim_incident_adjacent_day_factor) * cause_likelihood(pl.col("cause"), pl.col("weapon"), policy)).alias("weight")
    ).filter(pl.col("weight") > 0).with_columns(
        (pl.col("weight") / (pl.col("weight").sum().over("victim_id") + pl.col("unreported_per_day").fill_null(0.0) + pl.col("excess"))).alias("probability")
    )
    best = weighed.sort("probability", "incident_id", descending=[True, False]).group_by("victim_id", maintain_order=True).agg(
        pl.col("incident_id").first(), pl.col("probability").first(), pl.len().alias("n"),
    )
    single = best.filter(pl.col("probability") >= policy.victim_incident_min_probability).select(
        "victim_id", "incident_id", pl.col("probability").alias("incident_link_probability"),
        pl.format("the likeliest of {} incidents matching date, neighbourhood and cause (p={})", pl.col("n"), pl.col("probability").round(2)).alias("link_basis"),
        *NO_CANDIDATES,
    )
    # No single incident is likely enough, but the incidents of one side together are: the victim
    # takes that side and no incident (which one it was would be a guess).
    sides = weighed.join(single.select("victim_id"), on="victim_id", how="anti").filter(pl.col("party") != "undetermined").group_by("victim_id", "party").agg(
        pl.col("probability").sum(), pl.col("incident_id").sort().str.join(", ").alias("candidates"), pl.len().alias("n"),
    )
    agreeing = sides.filter(pl.col("probability") >= policy.victim_incident_min_probability).select(
        "victim_id", pl.lit(None, pl.String).alias("incident_id"), pl.lit(None, pl.Float64).alias("incident_link_probability"),
        pl.format("{} incidents match date, neighbourhood and cause (together p={})", pl.col("n"), pl.col("probability").round(2)).alias("link_basis"),
        pl.col("party").alias("candidate_party"), "candidates",
    )
    return pl.concat([inherited.select(single.columns), single, agreeing]).unique("victim_id", keep="first")


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


def attribute_victims(victim_clusters: pl.DataFrame, victim_incidents: pl.DataFrame, incidents: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    linked = victim_clusters.join(victim_incidents, on="victim_id", how="left").join(
        incidents.select("incident_id", pl.col("party").alias("incident_party"), pl.col("weapon").alias("incident_weapon"), "party_basis", pl.col("rule").alias("incident_rule")), on="incident_id", how="left"
    )
    cause = pl.col("causes").list.first()
    cause_party = cause.replace_strict(policy.cause_parties, default=None, return_dtype=pl.String)
    cause_weapon = cause.replace_strict(CAUSE_WEAPON, default=None, return_dtype=pl.String)
    has_incident = pl.col("incident_id").is_not_null()
    agreeing = pl.col("candidate_party").is_not_null()
    return linked.with_columns(
        pl.when(has_incident).then(pl.col("incident_party")).when(agreeing).then(pl.col("candidate_party")).when(cause_party.is_not_null()).then(cause_party).otherwise(pl.lit("undetermined")).alias("party"),
        pl.when(has_incident & (pl.col("incident_weapon") != "unknown")).then(pl.col("incident_weapon")).otherwise(cause_weapon).alias("weapon"),
        pl.when(has_incident).then(pl.format("V1 incident: {}; incident {}: {}", pl.col("link_basis"), pl.col("incident_id"), pl.col("party_basis")))
        .when(agreeing).then(pl.format("V2 agreeing incidents: {} ({}), attributed to {}", pl.col("link_basis"), pl.col("candidates"), pl.col("candidate_party")))
        .when(cause_party.is_not_null()).then(pl.format("V3 cause: morgue cause of death '{}' (no incident linked)", cause))
        .otherwise(pl.format("V4 unattributed: no incident linked; morgue cause '{}' names no side", cause.fill_null("none"))).alias("basis"),
        pl.when(has_incident).then(pl.concat_str(pl.lit("V1/"), pl.col("incident_rule").str.split(" ").list.first())).when(agreeing).then(pl.lit("V2")).when(cause_party.is_not_null()).then(pl.lit("V3")).otherwise(pl.lit("V4")).alias("rule"),
    ).drop("incident_party", "incident_weapon", "party_basis", "incident_rule", "link_basis", "candidate_party", "candidates")
