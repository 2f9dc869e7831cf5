"""The pipeline from staged tables to the estimates, as plain function calls in one process.

The Dagster assets call the same functions one step at a time; this chains them so a set of
staged tables (for example the previous snapshots' ones) can be carried to the figures without
a run, a Dagster instance or the warehouse. Same decisions and policy in, same tables out.
"""

from __future__ import annotations

import polars as pl

from pipeline.attribute import Policy, attribute_incidents, attribute_victims
from pipeline.estimate import capture_histories, estimate, undecided_links
from pipeline.link.incidents import link_incidents
from pipeline.link.person_records import build_person_records
from pipeline.link.persons import link_persons
from pipeline.tallies import build_tallies
from pipeline.victim_incidents import link_victims_to_incidents


def outputs_from_staged(staged: dict[str, pl.DataFrame], decisions: pl.DataFrame | None, policy: Policy) -> dict[str, pl.DataFrame]:
    """victims, incidents, tallies, official_comparison, un_crosscheck, capture_histories and
    estimates, built from `staged` (every staged table, keyed by asset name)."""
    records = build_person_records(staged)
    people = link_persons(records, decisions=decisions)
    linked = link_incidents(staged, people.clusters)
    incidents = attribute_incidents(linked.incidents, linked.membership, staged, policy)
    victim_incidents = link_victims_to_incidents(people.clusters, incidents, linked.membership, policy, records, staged["staged_morgue"])
    victims = attribute_victims(people.clusters, victim_incidents, incidents, policy)
    histories = capture_histories(victims, records)
    return {"victims": victims, "incidents": incidents, **build_tallies(victims, staged), "capture_histories": histories, "estimates": estimate(histories, undecided=undecided_links(people.review_queue, records))}
