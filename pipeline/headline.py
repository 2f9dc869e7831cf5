"""`python -m pipeline.headline`: the headline figures from the warehouse, after a build. No names."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipeline.report import headline_sentence
from pipeline.settings import Settings
from pipeline.tallies import party_shares


def headline_lines(warehouse: Path) -> list[str]:
    read = lambda name: pl.read_parquet(warehouse / f"{name}.parquet")  # noqa: E731
    victims, estimates, official = read("victims"), read("estimates"), read("official_comparison")
    records = read("person_records")
    shares = party_shares(victims)
    lines = [
        headline_sentence(victims, estimates, official),
        "",
        f"documented victims     {len(victims):>8,}  (from {len(records):,} person records; {victims.filter(pl.col('n_sources') > 1).height:,} on more than one list)",
        f"incidents              {read('incidents').height:>8,}",
        *[f"  {party:<20} {share:>8.1%}" for party, share in shares.items()],
    ]
    for row in estimates.filter(pl.col("estimate").is_not_null()).iter_rows(named=True):
        lines.append(f"estimate {row['stratum']:<14} {row['estimate']:>8,.0f}  95% interval {row['lower']:,.0f} to {row['upper']:,.0f}")
    for row in official.iter_rows(named=True):
        lines.append(f"vs {row['claimant']:<20} {row['official_figure']:>6,}  -> {row['documented']:,} {row['documented_what']} ({row['multiple']}x)")
    lines += ["", f"report:    {warehouse / 'report.html'}", f"warehouse: {warehouse / 'warehouse.duckdb'}", f"data docs: {warehouse / 'data_docs' / 'index.html'}"]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=None)
    args = parser.parse_args()
    warehouse = args.warehouse or Settings.from_env().warehouse
    print("\n".join(headline_lines(warehouse)))


if __name__ == "__main__":
    main()
