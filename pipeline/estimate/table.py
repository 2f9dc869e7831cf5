"""The `estimates` table: the documented count and the estimated total, overall and per stratum.

Unidentified bodies and unnamed list victims are documented but never modelled: no linkage
could ever put them on a second list. They are not added back either. The morgue list the model
sees is the list of *identified* bodies, so a person whose body came in without a name is, for
the model, a person the morgue list missed, and is counted among the unseen the model
estimates; adding unidentified bodies on top would count them twice. They bound the result
from below instead: no estimate or limit is reported under the documented count.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import polars as pl

from pipeline.estimate.config import EstimationConfig
from pipeline.estimate.lcmcr import latent_class_estimate
from pipeline.estimate.loglinear import cell_counts
from pipeline.estimate.strata import allocate, known_levels, normalise
from pipeline.estimate.stratum import StratumEstimate, estimate_stratum, unseen_draws
from pipeline.estimate.undecided import expected_histories

ESTIMATES_SCHEMA = {
    "stratum": pl.String, "documented": pl.Int64, "estimate": pl.Float64, "lower": pl.Float64, "upper": pl.Float64,
    "method": pl.String, "flag": pl.String, "in_model": pl.Float64,
    "chapman": pl.Float64, "chapman_lower": pl.Float64, "chapman_upper": pl.Float64,
    "latent_class": pl.Float64, "latent_class_lower": pl.Float64, "latent_class_upper": pl.Float64, "headline": pl.String,
}


def _with_defaults(histories: pl.DataFrame) -> pl.DataFrame:
    for column in ("is_unidentified", "is_unnamed"):
        if column not in histories.columns:
            histories = histories.with_columns(pl.lit(False).alias(column))
    return histories


def _row(stratum: str, documented: int, result: StratumEstimate | None, method: str | None = None, flag: str | None = None) -> dict:
    row = {key: None for key in ESTIMATES_SCHEMA}
    row.update(stratum=stratum, documented=documented, method=method, flag=flag)
    if result is None:
        return row
    row.update(in_model=result.observed, method=method or result.method, flag=flag or result.flag)
    if result.chapman is not None:
        row.update(chapman=result.chapman[0], chapman_lower=result.chapman[1], chapman_upper=result.chapman[2])
    if result.estimate is not None:
        # The documented count is a floor (see the module's docstring).
        estimate, lower = max(result.estimate, documented), max(result.lower, documented)
        row.update(estimate=estimate, lower=lower, upper=max(result.upper, estimate))
        if result.lower < documented:
            row["method"] += f"; lower limit raised to the {documented:,} documented"
    return row


def _label(variables: tuple[str, ...], cell: tuple[str, ...]) -> str:
    return ",".join(f"{v}={value}" for v, value in zip(variables, cell))


def estimate(capture_histories: pl.DataFrame, config: EstimationConfig | None = None, undecided: pl.DataFrame | None = None) -> pl.DataFrame:
    """Rows: `all` (the headline), `sum_of_strata`, then every stratum of each variable and of
    their combination, then party (documented only: see docs/estimation.md).

    undecided: undecided_links(review_queue, person_records), the victim pairs the linkage could
    not decide; they enter at their probability (undecided.py). None: every victim is one person."""
    config = config or EstimationConfig()
    histories = _with_defaults(capture_histories)
    flags = [f"in_{s}" for s in config.lists]
    modelled = histories.filter(~pl.col("is_unidentified") & ~pl.col("is_unnamed"))
    undecided = undecided if config.undecided_links else None
    people = modelled
    modelled = expected_histories(people, undecided, config.lists)
    overall = estimate_stratum(modelled.select(*flags, "weight"), config)
    merges = modelled.filter(pl.col("victim_id").str.contains("+", literal=True))
    envelope = None
    if config.linkage_envelope and not merges.is_empty() and overall.estimate is not None:
        overall, envelope = linkage_envelope(overall, people, undecided, config)
    rows = [_row("all", histories.height, overall)]
    if not merges.is_empty() and rows[0]["method"]:
        rows[0]["method"] += f"; {merges.height} victim pairs the linkage left undecided counted as one person with their match probability ({merges['weight'].sum():.1f} expected merges)"
        if envelope:
            rows[0]["method"] += f"; the interval widened to cover them all merged ({envelope[0]:,.0f} to {envelope[1]:,.0f}) and all apart ({envelope[2]:,.0f} to {envelope[3]:,.0f})"
    if config.latent_class and overall.estimate is not None and len(overall.lists) >= 3:
        rows[0].update(_second_opinion(modelled, overall.lists, config))

    levels = known_levels(config.strata)
    allocated = allocate(modelled, flags, levels)
    located = normalise(histories, levels)
    results: dict[tuple[tuple[str, ...], tuple[str, ...]], StratumEstimate] = {}
    stratum_rows = []
    for size in range(1, len(levels) + 1):
        for variables in itertools.combinations(levels, size):
            for cell in itertools.product(*(levels[v] for v in variables)):
                match = pl.all_horizontal([pl.col(v) == value for v, value in zip(variables, cell)])
                result = estimate_stratum(allocated.filter(match), config)
                results[(variables, cell)] = result
                documented = located.filter(match).height
                stratum_rows.append(_row(_label(variables, cell), documented, result))
    if levels:
        rows.append(_sum_of_strata(results, levels, histories.height, config))
    rows += stratum_rows
    rows += _party_rows(histories)
    frame = pl.DataFrame(rows, schema=ESTIMATES_SCHEMA)
    return frame.with_columns(pl.when(pl.col("stratum") == "all").then(pl.lit(headline(frame))).otherwise(None).alias("headline"))


def linkage_envelope(overall: StratumEstimate, people: pl.DataFrame, undecided: pl.DataFrame, config: EstimationConfig) -> tuple[StratumEstimate, tuple[float, float, float, float] | None]:
    """The overall estimate with its interval widened to cover the estimates' intervals with every
    undecided pair resolved one way: all merged (each pair one person) and all apart (two).

    The model's interval is sampling error alone, as if the linkage were right; counting undecided
    pairs at their probability moves the estimate but not its spread. Each link the linkage gets
    wrong moves the total by about N over the people on two or more lists (5-8 people here, not
    one), so the way the undecided pairs fall is a source of error the interval must show. Measured
    on the simulator (docs/estimation.md): without it, 80% of 20 seeds' intervals covered the truth,
    every miss an overshoot of 2-3% from missed cross-list links. Returns the widened estimate and
    (merged lower, merged upper, apart lower, apart upper), or the estimate as it was and None when
    either resolution could not be estimated."""
    flags = [f"in_{s}" for s in config.lists]
    resolved = [
        estimate_stratum(expected_histories(people, undecided.with_columns(pl.lit(1.0).alias("probability")), config.lists).select(*flags, "weight"), config),
        estimate_stratum(people.with_columns(pl.lit(1.0).alias("weight")).select(*flags, "weight"), config),
    ]
    if any(r.estimate is None for r in resolved):
        return overall, None
    merged, apart = resolved
    widened = dataclasses.replace(overall, lower=min(overall.lower, merged.lower, apart.lower), upper=max(overall.upper, merged.upper, apart.upper))
    return widened, (merged.lower, merged.upper, apart.lower, apart.upper)


def _second_opinion(modelled: pl.DataFrame, lists: tuple[str, ...], config: EstimationConfig) -> dict:
    """The latent-class estimate over the same people and lists as the log-linear one."""
    counts = cell_counts(modelled.select([f"in_{s}" for s in lists]).to_numpy().astype(bool), modelled["weight"].to_numpy().astype(float))
    result = latent_class_estimate(counts, len(lists), seed=config.seed, level=config.level)
    return {"latent_class": result.estimate, "latent_class_lower": result.lower, "latent_class_upper": result.upper}


def _finest_strata(results: dict, levels: dict[str, tuple[str, ...]]) -> list[tuple[str, StratumEstimate]] | None:
    """The strata summed: the finest cells, pooled up one level where a cell is not estimable.
    With two variables (bank, period), a bank whose period cells are not all estimable is taken
    whole; if a bank itself is not estimable, there is no sum of strata."""
    variables = tuple(levels)
    if not variables:
        return None
    first = variables[:1]
    chosen = []
    for value in levels[variables[0]]:
        coarse = results[(first, (value,))]
        if len(variables) == 2:
            cells = [(cell, results[(variables, (value, cell))]) for cell in levels[variables[1]]]
            if all(r.estimate is not None for _, r in cells):
                chosen += [(_label(variables, (value, cell)), r) for cell, r in cells]
                continue
        if coarse.estimate is None:
            return None
        chosen.append((_label(first, (value,)), coarse))
    return chosen


def _sum_of_strata(results: dict, levels: dict, documented: int, config: EstimationConfig) -> dict:
    chosen = _finest_strata(results, levels)
    if chosen is None:
        return _row("sum_of_strata", documented, None, "not estimable: a stratum is too sparse even when pooled; the unstratified estimate stands", "sparse")
    rng = np.random.default_rng(config.seed)
    totals = sum(unseen_draws(result, config.draws, rng) for _, result in chosen)
    tail = (1 - config.level) / 2
    estimate = sum(result.estimate for _, result in chosen)
    lower, upper = (float(q) for q in np.quantile(totals, [tail, 1 - tail]))
    names = ", ".join(name for name, _ in chosen)
    method = f"sum of {len(chosen)} strata ({names}); victims of unknown bank or date spread over strata by capture history; interval by Monte Carlo over the strata's intervals"
    row = _row("sum_of_strata", documented, None, method)
    row.update(estimate=max(estimate, documented), lower=max(lower, documented), upper=max(upper, estimate, documented), in_model=sum(r.observed for _, r in chosen))
    return row


def _party_rows(histories: pl.DataFrame) -> list[dict]:
    if "party" not in histories.columns or histories["party"].null_count() == histories.height:
        return []
    counts = histories.group_by("party").len().drop_nulls("party").sort("party")
    reason = "documented only: a victim's party is read from the lists that saw it (a morgue-only victim is mostly undetermined), so party strata are defined by capture and multiple systems estimation within them is biased"
    return [_row(f"party={party}", n, None, reason, "not_estimated") for party, n in counts.iter_rows()]


def headline(estimates: pl.DataFrame) -> str:
    """"Between X and Y civilians died; Z are documented by name or record." from the `all` row."""
    row = estimates.filter(pl.col("stratum") == "all").row(0, named=True)
    documented = f"{row['documented']:,} are documented by name or record"
    if row["estimate"] is None:
        return f"At least {row['documented']:,} civilians died: {documented}; the lists overlap too little to estimate how many no list recorded."
    lower, upper = max(_round_down(row["lower"]), row["documented"]), _round_up(row["upper"])
    return f"Between {lower:,} and {upper:,} civilians died; {documented}."


def _round_down(value: float) -> int:
    return int(value // 10 * 10)


def _round_up(value: float) -> int:
    return int(-(-value // 10) * 10)
