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
    victim_side_min_probability: float
    cause_weapon_likelihood: dict
    cause_likelihood_from_data: bool
    cause_likelihood_prior_bodies: float
    cause_likelihood_min_named: int
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
        # A policy written before the side threshold existed decides sides as it decided incidents.
        float(data.get("victim_side_min_probability", data["victim_incident_min_probability"])),
        dict(data["cause_weapon_likelihood"]),
        bool(data.get("cause_likelihood_from_data", False)), float(data.get("cause_likelihood_prior_bodies", 10)), int(data.get("cause_likelihood_min_named", 200)),
        bool(data.get("ibc_named_perpetrator", True)),
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
