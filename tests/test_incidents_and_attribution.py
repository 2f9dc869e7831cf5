"""Incident linkage and attribution: the rules on small hand-made cases, and the accuracy floor on a simulated scenario."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import polars as pl
import pytest

import pipeline.attribute as attribute_module
import pipeline.victim_incidents as victim_incidents_module
from pipeline.attribute import attribute_incidents, attribute_victims, load_policy
from pipeline.victim_incidents import link_victims_to_incidents
from pipeline.link.evaluate import pairwise_scores
from pipeline.link.incidents import link_incidents
from pipeline.vocab import TARGET_PATTERNS, TIME_PATTERNS, read_actor, read_detail

DAY = dt.date(2017, 3, 17)


def test_incident_detail_is_read_from_free_text():
    assert read_detail("In the dusk, shelling hit basement shelter in al-Muthanna", TARGET_PATTERNS) == "shelter"
    assert read_detail("a car bomb hit a crowded market", TARGET_PATTERNS) == "market"  # the car bomb is the weapon, not the target
    assert read_detail("civilian vehicle", TARGET_PATTERNS) == "vehicle"
    assert read_detail("AM", TIME_PATTERNS) == "morning" and read_detail("overnight", TIME_PATTERNS) == "night"
    assert read_detail("", TARGET_PATTERNS) is None and read_detail(None, TIME_PATTERNS) is None


def test_a_perpetrator_is_read_only_when_one_side_is_named():
    assert read_actor("ISIS sniper fire") == "islamic_state"
    assert read_actor("US-led coalition air strike") == "coalition_or_iraqi"
    assert read_actor("air strike") is None
    assert read_actor("crossfire between ISIS and Iraqi forces") is None  # both sides: no evidence for either


def _victims(rows: list[dict]) -> pl.DataFrame:
    base = {"incident_keys": [], "record_keys": [], "date_of_death": DAY, "neighbourhood_id": "jadida", "bank": "west", "causes": ["crushed"]}
    return pl.DataFrame([{**base, **r} for r in rows], schema={"victim_id": pl.String, "incident_keys": pl.List(pl.String), "record_keys": pl.List(pl.String), "date_of_death": pl.Date, "neighbourhood_id": pl.String, "bank": pl.String, "causes": pl.List(pl.String)})


def _incidents(rows: list[dict]) -> pl.DataFrame:
    base = {"date_start": DAY, "date_end": DAY, "neighbourhood_id": "jadida", "killed_min": 1, "killed_max": 1, "weapon": "airstrike", "party": "coalition_or_iraqi"}
    return pl.DataFrame([{**base, **r} for r in rows], schema={"incident_id": pl.String, "date_start": pl.Date, "date_end": pl.Date, "neighbourhood_id": pl.String, "killed_min": pl.Int64, "killed_max": pl.Int64, "weapon": pl.String, "party": pl.String})


NO_MEMBERS = pl.DataFrame(schema={"record_key": pl.String, "incident_id": pl.String})


def test_a_morgue_only_victim_joins_the_incident_that_clearly_fits_and_keeps_the_probability():
    policy = load_policy()
    incidents = _incidents([{"incident_id": "big", "killed_min": 90, "killed_max": 120}, {"incident_id": "small", "weapon": "mortar", "killed_max": 2}])
    links = link_victims_to_incidents(_victims([{"victim_id": "v1"}]), incidents, NO_MEMBERS, policy)
    row = links.row(0, named=True)
    assert row["incident_id"] == "big"
    assert 0.97 < row["incident_link_probability"] < 1.0  # the small incident and the unreported dead keep a little
    assert "likeliest of 2 incidents" in row["link_basis"]


def test_a_small_incident_claims_its_body_in_a_quiet_place_but_not_where_the_morgue_saw_many_unreported_deaths():
    import datetime as dt

    policy = load_policy()
    incidents = _incidents([{"incident_id": "quiet", "neighbourhood_id": "shifa", "killed_max": 2}, {"incident_id": "busy", "neighbourhood_id": "jadida", "killed_max": 2}])
    # In al-Jadida the morgue received bodies on twelve days of the month when no source reported an incident there.
    other_days = [{"victim_id": f"u{i}", "date_of_death": DAY + dt.timedelta(days=i), "neighbourhood_id": "jadida"} for i in range(2, 14)]
    victims = _victims([{"victim_id": "q", "neighbourhood_id": "shifa"}, {"victim_id": "b"}, *other_days])
    links = {row["victim_id"]: row for row in link_victims_to_incidents(victims, incidents, NO_MEMBERS, policy).iter_rows(named=True)}
    assert links["q"]["incident_id"] == "quiet" and links["q"]["incident_link_probability"] >= 0.8
    assert "b" not in links  # one unreported body a day there: the two-death strike is not clearly where this one came from


def test_a_body_the_morgue_places_only_in_the_old_city_or_a_bank_is_weighed_against_every_neighbourhood_in_it():
    policy = load_policy()
    # A strike in Bab Sinjar, a quarter of the Old City, and nothing else reported on the west bank that day.
    incidents = _incidents([{"incident_id": "strike", "neighbourhood_id": "bab_sinjar", "killed_max": 30}])
    # Two bodies elsewhere on other days: the morgue's background of unreported deaths.
    elsewhere = [{"victim_id": f"u{i}", "date_of_death": DAY + dt.timedelta(days=i)} for i in (5, 6)]
    victims = _victims([{"victim_id": "old", "neighbourhood_id": "old_city"}, {"victim_id": "west", "neighbourhood_id": None}, {"victim_id": "east", "neighbourhood_id": None, "bank": "east"}, *elsewhere])
    links = {row["victim_id"]: row for row in link_victims_to_incidents(victims, incidents, NO_MEMBERS, policy).iter_rows(named=True)}
    assert links["old"]["incident_id"] == "strike" and "the Old City" in links["old"]["link_basis"]
    assert links["west"]["incident_id"] == "strike" and "the west bank" in links["west"]["link_basis"]
    assert "east" not in links  # nothing was reported across the river


def test_a_cause_that_contradicts_the_weapon_rules_the_incident_out():
    policy = load_policy()
    incidents = _incidents([{"incident_id": "strike", "killed_max": 40}, {"incident_id": "shooting", "weapon": "execution", "party": "islamic_state", "killed_max": 10}])
    links = link_victims_to_incidents(_victims([{"victim_id": "v1", "causes": ["execution"]}]), incidents, NO_MEMBERS, policy)
    assert links.row(0, named=True)["incident_id"] == "shooting"


def test_equally_likely_incidents_of_two_sides_leave_the_victim_unattributed_and_of_one_side_give_the_side():
    policy = load_policy()
    two_sides = _incidents([{"incident_id": "a", "killed_max": 10}, {"incident_id": "b", "weapon": "artillery", "party": "islamic_state", "killed_max": 20}])
    victims = _victims([{"victim_id": "v1", "causes": ["unknown"]}])
    links = link_victims_to_incidents(victims, two_sides, NO_MEMBERS, policy)
    attributed = attribute_victims(victims, links, two_sides.with_columns(pl.lit("x").alias("party_basis"), pl.lit("R2 evidence-agrees").alias("rule")), policy)
    assert attributed.row(0, named=True)["party"] == "undetermined"
    one_side = _incidents([{"incident_id": "a", "killed_max": 10}, {"incident_id": "b", "killed_max": 10}])
    links = link_victims_to_incidents(victims, one_side, NO_MEMBERS, policy)
    attributed = attribute_victims(victims, links, one_side.with_columns(pl.lit("x").alias("party_basis"), pl.lit("R2 evidence-agrees").alias("rule")), policy)
    row = attributed.row(0, named=True)
    assert row["party"] == "coalition_or_iraqi" and row["rule"] == "V2" and row["incident_id"] is None
    assert "a, b" in row["basis"]


def test_the_side_threshold_is_the_policys_own_and_a_lower_one_gives_the_likelier_side():
    import dataclasses

    policy = load_policy()
    # 30 coalition dead against 10 of the Islamic State: the coalition side holds three quarters of
    # the weight, short of the default 0.8 but more likely than not.
    incidents = _incidents([{"incident_id": "a", "killed_max": 15}, {"incident_id": "b", "killed_max": 15}, {"incident_id": "c", "weapon": "artillery", "party": "islamic_state", "killed_max": 10}])
    victims = _victims([{"victim_id": "v1", "causes": ["unknown"]}])
    strict = link_victims_to_incidents(victims, incidents, NO_MEMBERS, policy)
    assert strict.filter(pl.col("victim_id") == "v1").is_empty()
    balance = link_victims_to_incidents(victims, incidents, NO_MEMBERS, dataclasses.replace(policy, victim_side_min_probability=0.5))
    row = balance.row(0, named=True)
    assert row["candidate_party"] == "coalition_or_iraqi" and row["incident_id"] is None and "0.75" in row["link_basis"]


def test_attribution_never_reads_the_truth():
    for module in (attribute_module, victim_incidents_module):
        assert "truth" not in inspect.getsource(module).lower()


@pytest.fixture(scope="module")
def scenario_result(tmp_path_factory):
    from benchmarks.linkage import load_staged
    from benchmarks.pipeline import newest
    from pipeline.link.person_records import build_person_records
    from pipeline.link.persons import link_persons
    from pipeline.parse.official import parse_cjtf_assessments
    from pipeline.scenario import simulate

    out = tmp_path_factory.mktemp("scenario")
    simulate(3, out, 1.0)
    sources = out / "sources"
    staged = load_staged(sources)
    staged.update(parse_cjtf_assessments(newest(sources, "official") / "cjtf_assessments.csv", "s").tables)
    records = build_person_records(staged)
    people = link_persons(records)
    incidents = link_incidents(staged, people.clusters)
    policy = load_policy()
    attributed = attribute_incidents(incidents.incidents, incidents.membership, staged, policy)
    victims = attribute_victims(people.clusters, link_victims_to_incidents(people.clusters, attributed, incidents.membership, policy, records, staged["staged_morgue"]), attributed, policy)
    return out, incidents, victims, staged, people.clusters


def test_incident_linkage_on_a_scenario_meets_its_floor(scenario_result):
    out, incidents, *_ = scenario_result
    truth = pl.read_csv(Path(out) / "truth" / "records.csv", infer_schema=False).filter(pl.col("person_id").fill_null("") == "")
    scores = pairwise_scores(incidents.membership.select("record_key", pl.col("incident_id").alias("victim_id")), truth.select("record_key", pl.col("incident_id").alias("person_id")))
    # Measured P 0.925-0.947, R 0.869-0.891, F1 0.896-0.918 on seeds 1-5 (0.936 / 0.886 / 0.911 on
    # this seed); the target is 0.90 over at least five seeds.
    assert scores["precision"] >= 0.91 and scores["f1"] >= 0.89, scores


def test_incident_linkage_does_not_depend_on_the_order_of_the_rows(scenario_result):
    _, incidents, _, staged, clusters = scenario_result
    shuffled = {name: table.sample(fraction=1.0, shuffle=True, seed=11) for name, table in staged.items()}
    again = link_incidents(shuffled, clusters.sample(fraction=1.0, shuffle=True, seed=12))
    assert again.membership.equals(incidents.membership)
    assert again.incidents.equals(incidents.incidents)
    assert again.incident_links.equals(incidents.incident_links)


def test_attributed_victims_are_right_where_the_policy_decides(scenario_result):
    out, _, victims, *_ = scenario_result
    truth = pl.read_csv(Path(out) / "truth" / "records.csv", infer_schema=False).filter(pl.col("person_id").fill_null("") != "")
    persons = pl.read_csv(Path(out) / "truth" / "persons.csv", infer_schema=False)
    joined = victims.select("party", "basis", pl.col("record_keys").list.first().alias("record_key")).join(truth, on="record_key").join(persons.select("person_id", pl.col("party").alias("true_party")), on="person_id")
    decided = joined.filter(pl.col("party") != "undetermined")
    assert decided.height > 0.3 * joined.height
    assert (decided["party"] == decided["true_party"]).mean() >= 0.93  # measured 0.96-0.97
    assert victims["basis"].null_count() == 0 and victims["party"].is_in(["coalition_or_iraqi", "islamic_state", "undetermined"]).all()


def test_a_morgue_only_child_joins_the_incident_its_named_father_died_in_and_a_stranger_does_not():
    from pipeline.kinship import household_links

    def person(victim_id, given, father, grandfather, family=None, day=DAY, place="zanjili"):
        return {"victim_id": victim_id, "given_key": given, "father_key": father, "grandfather_key": grandfather, "family_key": family, "date_of_death": day, "neighbourhood_id": place}

    victims = pl.DataFrame([
        person("father", "يونس", "احمد", "محمد", "الجبوري"),  # named in Airwars CI1
        person("son", "علي", "يونس", "احمد", "الجبوري"),  # morgue only: his father is Younis, grandfather Ahmed
        person("daughter", "فاطمة", "يونس", "احمد", None, day=None),  # morgue only, date not recorded
        person("stranger", "عمر", "يونس", "احمد", "الطائي"),  # same father and grandfather names, another family
        person("elsewhere", "حسن", "يونس", "احمد", "الجبوري", day=dt.date(2017, 4, 2), place="najjar"),  # same names, another day and place
    ])
    linked = pl.DataFrame({"victim_id": ["father"], "incident_id": ["i-1"]})
    links = {row["victim_id"]: row for row in household_links(victims, linked).iter_rows(named=True)}
    assert links["son"]["incident_id"] == "i-1" and links["son"]["incident_link_probability"] == 0.95
    assert "same day in the same place" in links["son"]["link_basis"]
    assert links["daughter"]["incident_link_probability"] == 0.75  # a sibling of the son, the day unknown: a weaker link
    assert "stranger" not in links and "elsewhere" not in links


def test_a_body_without_a_date_joins_the_one_incident_of_its_place_in_the_days_before_it_was_registered():
    import datetime as dt

    policy = load_policy()
    incidents = _incidents([{"incident_id": "strike", "neighbourhood_id": "shifa", "killed_max": 30}])
    # The morgue's usual delay, from its dated records: the same day or the next.
    dated = [{"record_key": f"morgue:{i}", "date_of_death": DAY, "date_received": DAY + dt.timedelta(days=i % 2)} for i in range(10)]
    undated = [{"record_key": "morgue:u", "date_of_death": None, "date_received": DAY + dt.timedelta(days=1)}, {"record_key": "morgue:late", "date_of_death": None, "date_received": DAY + dt.timedelta(days=9)}]
    morgue = pl.DataFrame(dated + undated, schema={"record_key": pl.String, "date_of_death": pl.Date, "date_received": pl.Date})
    victims = _victims([
        {"victim_id": "u", "date_of_death": None, "neighbourhood_id": "shifa", "record_keys": ["morgue:u"]},
        {"victim_id": "late", "date_of_death": None, "neighbourhood_id": "shifa", "record_keys": ["morgue:late"]},
    ])
    links = {row["victim_id"]: row for row in link_victims_to_incidents(victims, incidents, NO_MEMBERS, policy, morgue=morgue).iter_rows(named=True)}
    assert links["u"]["incident_id"] == "strike" and "date received" in links["u"]["link_basis"]
    assert "late" not in links  # registered nine days on, later than the morgue ever registers a body: not from this strike
