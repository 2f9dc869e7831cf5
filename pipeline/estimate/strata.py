"""Strata, and what to do with victims whose stratum is not known.

Capture differs by bank and by phase of the battle (who recovered the bodies, which lists were
watching), so the estimate is also made per stratum and summed. A victim whose bank or date is
unknown cannot simply be dropped from its stratum: the morgue leaves the date out far more often
than the incident lists do, so dropping them would empty exactly the morgue-only cells and bias
every stratum down. Instead each such victim is spread over the strata it may belong to, in
proportion to the known victims *with the same capture history* (missing at random within a
capture pattern), as fractional counts in the contingency tables.
"""

from __future__ import annotations

import itertools

import polars as pl

from pipeline.codes import BANKS
from pipeline.estimate.capture import PERIODS

LEVELS = {"bank": BANKS, "period": tuple(p for p in PERIODS if p != "unknown")}


def known_levels(variables: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {variable: LEVELS[variable] for variable in variables}


def normalise(histories: pl.DataFrame, levels: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """Stratum values outside the known levels (null bank, period `unknown`) become null."""
    return histories.with_columns(
        pl.when(pl.col(variable).is_in(list(values))).then(pl.col(variable)).otherwise(None).alias(variable)
        for variable, values in levels.items()
    )


def allocate(histories: pl.DataFrame, flags: list[str], levels: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """Rows: the flags, every stratum variable (never null) and `weight`, the share of a person
    (a `weight` column of the histories, e.g. expected merges of undecided links, is carried)."""
    variables = list(levels)
    histories = normalise(histories, levels)
    if "weight" not in histories.columns:
        histories = histories.with_columns(pl.lit(1.0).alias("weight"))
    is_known = pl.all_horizontal([pl.col(v).is_not_null() for v in variables]) if variables else pl.lit(True)
    known = histories.filter(is_known).select(*flags, *variables, pl.col("weight").cast(pl.Float64))
    unknown = histories.filter(~is_known)
    if unknown.is_empty() or not variables:
        return known
    by_pattern = {tuple(row[:-1]): row[-1] for row in known.group_by(*flags, *variables).agg(pl.col("weight").sum()).iter_rows()}
    by_cell = {tuple(row[:-1]): row[-1] for row in known.group_by(*variables).agg(pl.col("weight").sum()).iter_rows()}
    cells = list(itertools.product(*levels.values()))
    pieces = []
    for row in unknown.group_by(*flags, *variables).agg(pl.col("weight").sum().alias("n")).iter_rows(named=True):
        pattern = tuple(row[f] for f in flags)
        consistent = [cell for cell in cells if all(row[v] is None or row[v] == value for v, value in zip(variables, cell))]
        shares = [by_pattern.get(pattern + cell, 0.0) for cell in consistent]
        if sum(shares) == 0:  # no known victim with this history: fall back on the strata's sizes
            shares = [by_cell.get(cell, 0.0) for cell in consistent]
        if sum(shares) == 0:
            shares = [1.0] * len(consistent)
        total = sum(shares)
        for cell, share in zip(consistent, shares):
            if share > 0:
                pieces.append({**dict(zip(flags, pattern)), **dict(zip(variables, cell)), "weight": row["n"] * share / total})
    spread = pl.DataFrame(pieces, schema=known.schema) if pieces else known.clear()
    return pl.concat([known, spread])
