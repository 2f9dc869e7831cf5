"""What a new snapshot changed against the previous one: records added, removed and changed.

Both snapshots go through the same parser, so a change is a change in the source, not in how
it was read. Bookkeeping columns (snapshot, source_row) are not compared.
"""

from __future__ import annotations

import polars as pl

CHANGE_SCHEMA = {"table": pl.String, "record_key": pl.String, "change": pl.String, "fields": pl.String}
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
