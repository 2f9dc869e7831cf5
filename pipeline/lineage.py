"""Column-level lineage of the linked, attributed and estimated tables, one declared mapping per
table: each column -> the (upstream asset, column) pairs its values are computed from.

The assets attach it as `dagster/column_lineage` and, because the open-source web UI stores
column lineage without drawing it, as a markdown table in their description. A test checks every
mapping against the tables' column schemas and the asset graph, so it cannot drift silently.
"""

from __future__ import annotations

import dagster as dg

Deps = dict[str, list[tuple[str, str]]]

PERSON_LISTS = ("staged_morgue", "staged_airwars_victims", "staged_ibc_victims", "staged_amnesty_victims")
INCIDENT_LISTS = ("staged_airwars_incidents", "staged_ibc_incidents", "staged_amnesty_incidents", "staged_cjtf_assessments")
# Where a list victim's date and place come from: its incident (a morgue record has its own).
VICTIM_INCIDENT = {"staged_airwars_victims": "staged_airwars_incidents", "staged_ibc_victims": "staged_ibc_incidents", "staged_amnesty_victims": "staged_amnesty_incidents"}
INCIDENT_DATE = {"staged_airwars_incidents": "date_start", "staged_ibc_incidents": "date_start", "staged_amnesty_incidents": "date", "staged_cjtf_assessments": "strike_date"}
INCIDENT_KILLED = {"staged_airwars_incidents": "killed_min", "staged_ibc_incidents": "killed_min", "staged_amnesty_incidents": "killed", "staged_cjtf_assessments": "civilians_killed"}
NAME_SOURCES = [("staged_morgue", "name_ar"), ("staged_morgue", "name_original"), ("staged_morgue", "is_unidentified"), ("staged_airwars_victims", "name_ar"), *[(t, "name_original") for t in PERSON_LISTS[1:]]]
NAME_PARTS = ("given", "father", "grandfather", "family")
LISTS = ("morgue", "airwars", "ibc", "amnesty")


def _each(tables, column: str) -> list[tuple[str, str]]:
    return [(table, column) for table in tables]


def _place(column: str) -> list[tuple[str, str]]:
    return [("staged_morgue", column), *[(incident, column) for incident in VICTIM_INCIDENT.values()]]


PERSON_RECORDS: Deps = {
    "record_key": _each(PERSON_LISTS, "record_key"),
    "source": _each(PERSON_LISTS, "record_key"),
    "incident_key": _each(PERSON_LISTS[1:], "incident_key"),
    "name_original": _each(PERSON_LISTS, "name_original"),
    "name_ar": [("staged_morgue", "name_ar"), ("staged_airwars_victims", "name_ar")],
    "name_latin": [*_each(PERSON_LISTS[1:], "name_latin"), ("staged_morgue", "name_ar")],
    "is_unidentified": [("staged_morgue", "is_unidentified")],
    "sex": _each(PERSON_LISTS, "sex"),
    "age": _each(PERSON_LISTS, "age"),
    "date_of_death": [("staged_morgue", "date_of_death"), *[(incident, INCIDENT_DATE[incident]) for incident in VICTIM_INCIDENT.values()]],
    "neighbourhood_id": _place("neighbourhood_id"),
    "bank": _place("bank"),
    "cause": [("staged_morgue", "cause")],
    **{f"{part}_{kind}": NAME_SOURCES for part in NAME_PARTS for kind in ("key", "sk", "rom", "alts")},
    **{column: NAME_SOURCES for column in ("name_key", "has_name", "is_relational", "n_name_tokens")},
}

# Splink compares these to score a pair; a cluster's weakest link is the lowest such score.
MATCH_FIELDS = [("person_records", c) for c in (*(f"{p}_key" for p in NAME_PARTS), "sex", "age", "date_of_death", "neighbourhood_id")]

KIN_NAME_PARTS = [("person_records", f"{p}_key") for p in NAME_PARTS]

VICTIM_CLUSTERS: Deps = {
    "victim_id": [("person_records", "record_key")],
    "record_keys": [("person_records", "record_key")],
    "n_records": [("person_records", "record_key")],
    "sources": [("person_records", "source")],
    "n_sources": [("person_records", "source")],
    **{column: [("person_records", column)] for column in ("name_ar", "name_latin", "sex", "age", "date_of_death", "neighbourhood_id", "bank", "is_unidentified")},
    "causes": [("person_records", "cause")],
    "incident_keys": [("person_records", "incident_key")],
    "weakest_link_probability": MATCH_FIELDS,
    "is_linkable": [("person_records", "has_name")],
}

# The evidence an incident's party, rule and basis are decided from (pipeline/attribute.py).
PARTY_EVIDENCE = [
    ("staged_airwars_incidents", "belligerents"), ("staged_airwars_incidents", "grading"), ("staged_ibc_incidents", "weapon"),
    ("staged_amnesty_incidents", "attribution"), ("staged_amnesty_incidents", "weapon"), ("staged_cjtf_assessments", "assessment"),
]

INCIDENTS: Deps = {
    "incident_id": _each(INCIDENT_LISTS, "record_key"),
    "record_keys": _each(INCIDENT_LISTS, "record_key"),
    "sources": _each(INCIDENT_LISTS, "record_key"),
    "date_start": [(t, INCIDENT_DATE[t]) for t in INCIDENT_LISTS[2:]] + _each(INCIDENT_LISTS[:2], "date_start"),
    "date_end": [(t, INCIDENT_DATE[t]) for t in INCIDENT_LISTS[2:]] + _each(INCIDENT_LISTS[:2], "date_end"),
    "neighbourhood_id": _each(INCIDENT_LISTS, "neighbourhood_id"),
    "bank": _each(INCIDENT_LISTS, "bank"),
    "killed_min": [(t, INCIDENT_KILLED[t]) for t in INCIDENT_LISTS],
    "killed_max": [(t, INCIDENT_KILLED[t].replace("killed_min", "killed_max")) for t in INCIDENT_LISTS],
    "link_confidence": [*[(t, INCIDENT_DATE[t]) for t in INCIDENT_LISTS], *_each(INCIDENT_LISTS, "neighbourhood_id"), ("victim_clusters", "incident_keys")],
    "weapon": [("staged_airwars_incidents", "strike_types"), ("staged_ibc_incidents", "weapon"), ("staged_amnesty_incidents", "weapon")],
    "party": PARTY_EVIDENCE,
    "rule": PARTY_EVIDENCE,
    "party_basis": [*PARTY_EVIDENCE, ("staged_airwars_incidents", "code"), ("staged_ibc_incidents", "code"), ("staged_ibc_incidents", "weapons_original"),
                    ("staged_amnesty_incidents", "id"), ("staged_cjtf_assessments", "report_id"), ("staged_cjtf_assessments", "civilians_killed")],
}

VICTIMS: Deps = {
    **{column: [("victim_clusters", column)] for column in VICTIM_CLUSTERS},
    # A morgue-only victim's incident may come from a relative's (pipeline/kinship.py: the name parts).
    "incident_id": [("incident_membership", "incident_id"), ("victim_clusters", "incident_keys"), ("victim_clusters", "date_of_death"), ("victim_clusters", "neighbourhood_id"), *KIN_NAME_PARTS],
    "incident_link_probability": [("incident_membership", "incident_id"), ("victim_clusters", "incident_keys"), ("victim_clusters", "date_of_death"), ("victim_clusters", "neighbourhood_id"), *KIN_NAME_PARTS],
    "party": [("incidents", "party"), ("victim_clusters", "causes")],
    "weapon": [("incidents", "weapon"), ("victim_clusters", "causes")],
    "basis": [("incidents", "party_basis"), ("victim_clusters", "causes")],
    "rule": [("incidents", "rule"), ("victim_clusters", "causes")],
}

TALLIES: Deps = {
    "dimension": [],  # the tally's own label: all, weapon, month, bank, neighbourhood
    "value": [("victims", "weapon"), ("victims", "date_of_death"), ("victims", "bank"), ("victims", "neighbourhood_id")],
    "party": [("victims", "party")],
    "deaths": [("victims", "victim_id")],
}

OFFICIAL_COMPARISON: Deps = {
    "claimant": [("staged_official_claims", "claimant")],
    "statement_date": [("staged_official_claims", "statement_date")],
    "official_figure": [("staged_official_claims", "civilians_killed")],
    "documented": [("victims", "victim_id"), ("victims", "party")],
    "documented_what": [("staged_official_claims", "claimant")],
    "multiple": [("staged_official_claims", "civilians_killed"), ("victims", "victim_id"), ("victims", "party")],
}

UN_CROSSCHECK: Deps = {
    "un_record": [("staged_un_casualties", "record_key")],
    "period_start": [("staged_un_casualties", "period_start")],
    "period_end": [("staged_un_casualties", "period_end")],
    "area": [("staged_un_casualties", "area")],
    "perpetrator": [("staged_un_casualties", "perpetrator")],
    "un_killed": [("staged_un_casualties", "killed")],
    "documented": [("victims", "party"), ("victims", "date_of_death"), ("victims", "bank")],
    "difference": [("staged_un_casualties", "killed"), ("victims", "party"), ("victims", "date_of_death"), ("victims", "bank")],
    "note": [("staged_un_casualties", "note")],
}

CAPTURE_HISTORIES: Deps = {
    "victim_id": [("victims", "victim_id")],
    **{f"in_{name}": [("victims", "sources"), ("victims", "record_keys"), ("person_records", "source"), ("person_records", "has_name")] for name in LISTS},
    "bank": [("victims", "bank")],
    "period": [("victims", "date_of_death")],
    "party": [("victims", "party")],
    "is_unidentified": [("victims", "is_unidentified")],
    "is_unnamed": [("victims", "name_ar"), ("victims", "name_latin"), ("victims", "is_unidentified")],
}

# Every estimate is a model of who was seen by which list, within a stratum; the victim pairs the
# linkage left undecided (the review queue's) enter at their probability.
MODELLED = [
    *[("capture_histories", f"in_{name}") for name in LISTS], ("capture_histories", "bank"), ("capture_histories", "period"), ("capture_histories", "is_unidentified"), ("capture_histories", "is_unnamed"),
    ("review_queue", "victim_id_l"), ("review_queue", "victim_id_r"), ("review_queue", "match_probability"), ("review_queue", "reason"), ("person_records", "has_name"),
]

ESTIMATES: Deps = {
    "stratum": [("capture_histories", "bank"), ("capture_histories", "period"), ("capture_histories", "party")],
    "documented": [("capture_histories", "victim_id"), ("capture_histories", "bank"), ("capture_histories", "period"), ("capture_histories", "party")],
    **{column: MODELLED for column in ("estimate", "lower", "upper", "method", "flag", "in_model", "chapman", "chapman_lower", "chapman_upper", "latent_class", "latent_class_lower", "latent_class_upper")},
    "headline": [*MODELLED, ("capture_histories", "victim_id")],
}

LINEAGE: dict[str, Deps] = {
    "person_records": PERSON_RECORDS,
    "victim_clusters": VICTIM_CLUSTERS,
    "incidents": INCIDENTS,
    "victims": VICTIMS,
    "tallies": TALLIES,
    "official_comparison": OFFICIAL_COMPARISON,
    "un_crosscheck": UN_CROSSCHECK,
    "capture_histories": CAPTURE_HISTORIES,
    "estimates": ESTIMATES,
}


def column_lineage(table: str) -> dg.TableColumnLineage:
    """The table's mapping as Dagster's column lineage (columns computed from no upstream column,
    such as a constant label, are left out: Dagster needs at least one dependency)."""
    return dg.TableColumnLineage(
        deps_by_column={
            column: [dg.TableColumnDep(asset_key=dg.AssetKey(asset), column_name=name) for asset, name in sources]
            for column, sources in LINEAGE[table].items() if sources
        }
    )


def lineage_markdown(table: str) -> str:
    rows = [f"| `{column}` | " + (", ".join(f"`{asset}.{name}`" for asset, name in sources) or "(computed here)") + " |" for column, sources in LINEAGE[table].items()]
    return "\n".join(["| column | comes from |", "| --- | --- |", *rows])


def lineage_metadata(table: str) -> dict:
    return {"dagster/column_lineage": column_lineage(table)}


def with_lineage(description: str, table: str) -> str:
    return f"{description}\n\n{lineage_markdown(table)}"
