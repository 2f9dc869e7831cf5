"""What a new snapshot does to the headline figures: the previous snapshot set and the current
one carried through the same plain functions, on a simulated scenario whose morgue list has
three snapshots."""

import shutil

import polars as pl
import pytest

from assets.raw import manifest
from assets.staged import STAGED_SOURCES, parse_current, parse_previous
from pipeline.attribute import load_policy
from pipeline.changes import headline_changes, headline_figures
from pipeline.rebuild import outputs_from_staged
from pipeline.scenario import simulate
from pipeline.snapshots import RAW_FILES, current_file, list_snapshots


def manifests(root):
    return {raw.asset: manifest(current_file(root, raw), list_snapshots(root, raw.source)) for raw in RAW_FILES}


def stage_newest(root) -> dict[str, pl.DataFrame]:
    """Every staged table of the newest snapshot of each source under `root`."""
    found, staged = manifests(root), {}
    for source in STAGED_SOURCES:
        staged.update(parse_current(source, [found[raw] for raw in source.raw_assets]).tables)
    return staged


def figures(staged):
    outputs = outputs_from_staged(staged, None, load_policy())
    return headline_figures(outputs["victims"], outputs["estimates"], outputs["official_comparison"])


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """The scenario, and a copy of it as it stood before the newest morgue snapshot arrived."""
    root = tmp_path_factory.mktemp("changes")
    simulate(3, root / "now", scale=0.1)
    shutil.copytree(root / "now" / "sources", root / "before")
    morgue = list_snapshots(root / "now" / "sources", "morgue")
    assert len(morgue) >= 2, "the simulator writes several morgue snapshots"
    shutil.rmtree(root / "before" / "morgue" / morgue[-1])
    return root / "now" / "sources", root / "before"


def test_headline_changes_are_the_figures_of_the_previous_set_against_the_current(scenario):
    now, before = scenario
    current_staged = stage_newest(now)
    # The previous set as the asset builds it: the newest tables, with each source that has an
    # older snapshot re-parsed from it.
    found, previous_staged = manifests(now), dict(current_staged)
    for source in STAGED_SOURCES:
        parsed = parse_previous(source, [found[raw] for raw in source.raw_assets])
        if parsed is not None:
            previous_staged.update(parsed.tables)
    previous, current = figures(previous_staged), figures(current_staged)

    # Exact: the previous figures are what a build on the tree without the newest snapshot gives,
    # and a second computation of the current ones gives the same numbers.
    assert previous == figures(stage_newest(before))
    assert current == figures(current_staged)

    table = headline_changes(previous, current).to_dicts()
    by_figure = {row["figure"]: row for row in table}
    assert all(row["difference"] == pytest.approx(row["current"] - row["previous"]) for row in table)
    documented = by_figure["documented deaths"]
    added = current_staged["staged_morgue"].height - previous_staged["staged_morgue"].height
    assert 0 < documented["difference"] <= added, "new morgue records add victims, at most one each"
    by_party = [row for name, row in by_figure.items() if name.startswith("deaths attributed to")]
    assert len(by_party) == 3 and sum(row["difference"] for row in by_party) == documented["difference"]
    government = by_figure["multiple of the Government of Iraq figure"]
    assert government["current"] == round(documented["current"] / by_figure["Government of Iraq figure"]["current"], 2)
    assert by_figure["estimated deaths (central)"]["previous"] is not None


def test_a_figure_only_one_side_has_gets_no_difference():
    table = headline_changes({"documented deaths": 10.0}, {"documented deaths": 12.0, "multiple of the X figure": 1.5})
    assert table.to_dicts() == [
        {"figure": "documented deaths", "previous": 10.0, "current": 12.0, "difference": 2.0},
        {"figure": "multiple of the X figure", "previous": None, "current": 1.5, "difference": None},
    ]


def test_an_aggregate_keeps_its_key_across_snapshots_so_a_changed_figure_shows_as_changed(tmp_path):
    from pipeline.changes import table_changes
    from pipeline.parse.un import parse_un

    header = "period_start,period_end,area,perpetrator,killed,injured,note\n"
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(header + "2016-11-01,2016-11-30,east Mosul,ISIL,120,40,\n2016-11-01,2016-11-30,east Mosul,ISF and coalition,30,10,\n")
    second.write_text(header + "2016-11-01,2016-11-30,East Mosul,ISIL,131,40,revised\n2016-11-01,2016-11-30,east Mosul,ISF and coalition,30,10,\n")
    previous = parse_un(first, "2017-11-02").tables["staged_un_casualties"]
    current = parse_un(second, "2017-12-15").tables["staged_un_casualties"]
    changes = table_changes("staged_un_casualties", previous, current)
    assert changes["change"].to_list() == ["changed"]
    assert "killed" in changes["fields"][0] and changes["record_key"][0].startswith("un:2016-11-01/2016-11-30/east mosul/isil")
