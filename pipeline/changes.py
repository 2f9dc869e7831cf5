"""What a new snapshot changed against the previous one: records added, removed and changed,
and what that did to the headline figures.

Both snapshots go through the same parser, so a change is a change in the source, not in how
it was read. Bookkeeping columns (snapshot, source_row) are not compared. The headline figures
of the previous snapshot set are computed by the same plain functions as the current ones
(pipeline/rebuild.py) with the same reviewer decisions and policy, so a difference is what the
snapshots changed, exactly and reproducibly, not what happened to differ between two runs.
"""

from __future__ import annotations

import polars as pl

from pipeline.codes import PARTIES
from schemas import polars_schema
from schemas.reported import HeadlineChangesModel, SnapshotChangesModel

CHANGE_SCHEMA = polars_schema(SnapshotChangesModel)
HEADLINE_CHANGE_SCHEMA = polars_schema(HeadlineChangesModel)
IGNORED = {"snapshot", "source_row"}


def table_changes(table: str, previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    keys_prev, keys_curr = set(previous["record_key"].to_list()), set(current["record_key"].to_list())
    rows = [{"table": table, "record_key": k, "change": "added", "fields": None} for k in sorted(keys_curr - keys_prev)]
    rows += [{"table": table, "record_key": k, "change": "removed", "fields": None} for k in sorted(keys_prev - keys_curr)]
    compared = [c for c in current.columns if c not in IGNORED and c in previous.columns and c != "record_key"]
    both = current.select("record_key", *compared).join(previous.select("record_key", *compared), on="record_key", suffix="__prev")
    differs = [(c, both[c].cast(pl.String).fill_null("\u2205") != both[f"{c}__prev"].cast(pl.String).fill_null("\u2205")) for c in compared]
    for index, key in enumerate(both["record_key"].to_list()):
        fields = [c for c, mask in differs if mask[index]]
        if fields:
            rows.append({"table": table, "record_key": key, "change": "changed", "fields": ", ".join(fields)})
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA)


def headline_figures(victims: pl.DataFrame, estimates: pl.DataFrame, official: pl.DataFrame) -> dict[str, float | None]:
    """The figures the headline quotes, by name: documented deaths, deaths by party, the
    multiple of each official figure, and the overall estimate with its interval."""
    by_party = dict(victims.group_by("party").len().iter_rows()) if len(victims) else {}
    figures: dict[str, float | None] = {"documented deaths": float(len(victims))}
    figures.update({f"deaths attributed to {party}": float(by_party.get(party, 0)) for party in PARTIES})
    for claimant, figure, multiple in official.select("claimant", "official_figure", "multiple").iter_rows():
        figures[f"{claimant} figure"] = float(figure)
        figures[f"multiple of the {claimant} figure"] = multiple
    overall = estimates.filter(pl.col("stratum") == "all")
    for column in ("estimate", "lower", "upper"):
        value = overall[column][0] if len(overall) else None
        figures[f"estimated deaths ({'central' if column == 'estimate' else column + ' bound'})"] = None if value is None else round(float(value), 1)
    return figures


def headline_changes(previous: dict[str, float | None], current: dict[str, float | None]) -> pl.DataFrame:
    """One row per figure in either set: previous, current and current - previous (null where
    a side has no value, e.g. a claimant that only the newest snapshot names)."""
    figures = list(dict.fromkeys([*current, *previous]))
    rows = [
        {"figure": f, "previous": previous.get(f), "current": current.get(f),
         "difference": None if previous.get(f) is None or current.get(f) is None else round(current[f] - previous[f], 2)}
        for f in figures
    ]
    return pl.DataFrame(rows, schema=HEADLINE_CHANGE_SCHEMA)
