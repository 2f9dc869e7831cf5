"""The report: one self-contained HTML file with the headline and the charts, no names.

Plotly's JavaScript is embedded once, so the file opens offline and without a server.
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go
import polars as pl

from pipeline.tallies import party_shares

PARTY_COLOURS = {"coalition_or_iraqi": "#3b6ea5", "islamic_state": "#b5473a", "undetermined": "#9a9a9a"}
PARTY_LABELS = {"coalition_or_iraqi": "Coalition or Iraqi forces", "islamic_state": "Islamic State", "undetermined": "Undetermined"}


def _stacked(tallies: pl.DataFrame, dimension: str, title: str, top: int | None = None) -> go.Figure:
    data = tallies.filter(pl.col("dimension") == dimension)
    if top:  # a ranking of places leaves out the deaths whose place is unknown
        data = data.filter(pl.col("value") != "unknown")
    order = data.group_by("value").agg(pl.col("deaths").sum()).sort("deaths" if top else "value", descending=bool(top))
    if top:
        order = order.head(top)
    values = order["value"].to_list()
    figure = go.Figure()
    for party, colour in PARTY_COLOURS.items():
        counts = dict(data.filter(pl.col("party") == party).select("value", "deaths").iter_rows())
        figure.add_bar(name=PARTY_LABELS[party], x=values, y=[counts.get(v, 0) for v in values], marker_color=colour)
    figure.update_layout(barmode="stack", title=title, height=380, margin=dict(l=40, r=20, t=50, b=80), legend=dict(orientation="h"))
    return figure


def _estimate_figure(estimates: pl.DataFrame) -> go.Figure:
    rows = estimates.filter(pl.col("estimate").is_not_null())
    figure = go.Figure()
    figure.add_bar(name="documented", x=rows["stratum"].to_list(), y=rows["documented"].to_list(), marker_color="#555")
    figure.add_scatter(
        name="estimated (95% interval)", x=rows["stratum"].to_list(), y=rows["estimate"].to_list(), mode="markers", marker=dict(size=12, color="#d08c2b"),
        error_y=dict(type="data", symmetric=False, array=(rows["upper"] - rows["estimate"]).to_list(), arrayminus=(rows["estimate"] - rows["lower"]).to_list()),
    )
    figure.update_layout(title="Documented deaths and the estimated total, with 95% intervals", height=380, margin=dict(l=40, r=20, t=50, b=60))
    return figure


def _official_figure(official: pl.DataFrame, un: pl.DataFrame, documented: int) -> go.Figure:
    labels = ["documented by the records"] + [f"{c} ({d})" for c, d in official.select("claimant", "statement_date").iter_rows()] + ["UN aggregates (sum)"]
    values = [documented] + official["official_figure"].to_list() + [int(un.filter(pl.col("area") != "all")["un_killed"].sum()) if len(un) else 0]
    figure = go.Figure(go.Bar(x=labels, y=values, marker_color=["#555"] + ["#3b6ea5"] * len(official) + ["#6a8f5a"]))
    figure.update_layout(title="The records against the official acknowledgements and the UN", height=380, margin=dict(l=40, r=20, t=50, b=80))
    return figure


def headline_sentence(victims: pl.DataFrame, estimates: pl.DataFrame, official: pl.DataFrame) -> str:
    shares = party_shares(victims)
    overall = estimates.filter(pl.col("stratum") == "all")
    estimate = overall["headline"][0] if len(overall) and overall["headline"][0] else f"{len(victims):,} civilians are documented by name or record."
    multiples = "; ".join(f"{m:.1f} times the {c} figure of {f:,}" for c, f, m in official.select("claimant", "official_figure", "multiple").iter_rows() if m is not None)
    return (
        f"{estimate} Of the documented dead, {shares['coalition_or_iraqi']:.0%} were killed by coalition or Iraqi forces, "
        f"{shares['islamic_state']:.0%} by the Islamic State, and for {shares['undetermined']:.0%} no side can be determined. "
        f"The records document {multiples}."
    )


def _number(value: float | None) -> str:
    if value is None:
        return "&ndash;"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def changes_section(changes: pl.DataFrame | None) -> str:
    """What the newest snapshots did to the headline figures (headline_changes); nothing when no
    source has a previous snapshot to compare with."""
    if changes is None or changes.is_empty():
        return ""
    rows = "".join(
        f"<tr><td>{html.escape(r['figure'])}</td><td>{_number(r['previous'])}</td><td>{_number(r['current'])}</td><td>{'&ndash;' if r['difference'] is None else ('+' if r['difference'] > 0 else '') + _number(r['difference'])}</td></tr>"
        for r in changes.iter_rows(named=True)
    )
    return f"""<h2>What the newest snapshots changed</h2>
<p>The same figures computed on each source's previous snapshot and on its newest one, with the same reviewer decisions and policy (table <code>headline_changes</code>; record by record in <code>snapshot_changes</code>).</p>
<table><tr><th>figure</th><th>previous snapshots</th><th>newest snapshots</th><th>difference</th></tr>{rows}</table>"""


def build_report(victims: pl.DataFrame, incidents: pl.DataFrame, tallies: pl.DataFrame, estimates: pl.DataFrame, official: pl.DataFrame, un: pl.DataFrame, generated_at: str | None = None, changes: pl.DataFrame | None = None) -> str:
    figures = [
        _stacked(tallies, "month", "Documented deaths per month, by party"),
        _stacked(tallies, "bank", "Documented deaths by bank of the Tigris, by party"),
        _stacked(tallies, "neighbourhood", "Documented deaths in the 25 hardest-hit neighbourhoods", top=25),
        _estimate_figure(estimates),
        _official_figure(official, un, len(victims)),
    ]
    charts = [f.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, f in enumerate(figures)]
    un_rows = "".join(
        f"<tr><td>{html.escape(str(r['period_start']))} to {html.escape(str(r['period_end']))}</td><td>{r['area']}</td><td>{PARTY_LABELS[r['perpetrator']]}</td><td>{r['un_killed']:,}</td><td>{r['documented']:,}</td><td>{r['difference']:+,}</td></tr>"
        for r in un.iter_rows(named=True)
    )
    stamp = generated_at or dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Civilian deaths in the battle for Mosul</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}} .headline{{font-size:1.25em;line-height:1.5;border-left:4px solid #d08c2b;padding-left:1em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px 8px}}</style>
</head><body>
<h1>Civilian deaths in the battle for Mosul, October 2016 to July 2017</h1>
<p class="headline">{html.escape(headline_sentence(victims, estimates, official))}</p>
<p>{len(victims):,} distinct victims from the morgue list, Airwars, Iraq Body Count and Amnesty International; {len(incidents):,} distinct incidents. Generated {stamp}.</p>
{changes_section(changes)}
{''.join(f'<div>{c}</div>' for c in charts)}
<h2>Against the UN's aggregates</h2>
<table><tr><th>period</th><th>area</th><th>perpetrator</th><th>UN</th><th>documented here</th><th>difference</th></tr>{un_rows}</table>
<h2>Method</h2>
<p>Records are linked into victims with a probabilistic model (Splink); each victim's party follows the attribution policy and carries its basis; the estimated total comes from log-linear multiple systems estimation over the named lists. Every figure traces back to the records in the warehouse tables <code>victims</code>, <code>incidents</code> and <code>estimates</code>.</p>
</body></html>"""
