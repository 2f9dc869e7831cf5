"""A scenario simulator: the battle for Mosul as one seeded world, written as the six sources' snapshots.

`simulate(seed, out, scale, difficulty)` writes `out/sources/...` in the formats of
../shared/sources.md and `out/truth/{persons,incidents,records}.csv` as in ../shared/outputs.md.
It shares no code with the parsers, so a parser bug cannot hide behind a matching simulator bug.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import numpy as np

from pipeline.scenario.lists import write_airwars, write_amnesty, write_ibc, write_morgue, write_official, write_un
from pipeline.scenario.names import FAMILY, FEMALE, MALE
from pipeline.scenario.places import NEIGHBOURHOODS
from pipeline.scenario.sources import Writer
from pipeline.scenario.world import build_world, describe_incidents


def simulate(seed: int, out: Path, scale: float = 1.0, difficulty: str = "default") -> dict:
    if difficulty not in ("default", "hard"):
        raise ValueError(f"difficulty must be 'default' or 'hard', not {difficulty!r}")
    out = Path(out)
    for folder in ("sources", "truth"):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    rng = np.random.default_rng(seed)
    world = build_world(rng, scale)
    describe_incidents(np.random.default_rng([seed, 1]), world)
    writer = Writer(rng, world, difficulty)
    sources = out / "sources"
    from pipeline.scenario.lists import media_covered

    media_covered(writer)
    truth = []
    truth += write_morgue(writer, sources)
    truth += write_airwars(writer, sources)
    truth += write_ibc(writer, sources)
    truth += write_amnesty(writer, sources)
    write_un(writer, sources)
    # The coalition credits an allegation to Airwars when Airwars reported the strike.
    reported_by_airwars = frozenset(incident for key, person, incident in truth if key.startswith("airwars:") and not person)
    truth += write_official(writer, sources, airwars_incidents=reported_by_airwars)
    write_truth(world, truth, out / "truth")
    return summarise(world, truth)


def write_truth(world, truth, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "persons.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_id", "party", "weapon", "date_of_death", "neighbourhood", "bank", "sex", "age", "incident_id", "recovered", "registered", "unidentified", "name_ar", "name_latin"])
        for p in world.persons:
            incident = world.incidents[p.incident]
            pool = MALE if p.sex == "M" else FEMALE
            name_ar = " ".join([pool[p.given][0], MALE[p.father][0], MALE[p.grandfather][0]] + ([FAMILY[p.family][0]] if p.family is not None else []))
            name_latin = " ".join([pool[p.given][1][0], MALE[p.father][1][0], MALE[p.grandfather][1][0]] + ([FAMILY[p.family][1][0]] if p.family is not None else []))
            place = NEIGHBOURHOODS[p.neighbourhood]
            writer.writerow([p.person_id, incident.party, incident.weapon, p.date_of_death.isoformat(), place[0], place[3], p.sex, p.age, incident.incident_id, p.recovered, p.registered, p.unidentified, name_ar, name_latin])
    with open(folder / "incidents.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["incident_id", "party", "date", "neighbourhood", "date_end", "bank", "weapon", "killed", "media", "latitude", "longitude", "target", "time_of_day"])
        for i in world.incidents:
            place = NEIGHBOURHOODS[i.neighbourhood]
            writer.writerow([i.incident_id, i.party, i.date.isoformat(), place[0], i.date_end.isoformat(), place[3], i.weapon, len(i.persons), i.media, round(i.latitude, 5), round(i.longitude, 5), i.target, i.time_of_day])
    with open(folder / "records.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_key", "person_id", "incident_id"])
        writer.writerows(truth)


def summarise(world, truth) -> dict:
    parties = Counter(world.incidents[p.incident].party for p in world.persons)
    by_source = Counter(key.split(":")[0] + ("_victim" if person else "_incident") for key, person, _ in truth)
    return {
        "true_dead": len(world.persons),
        "never_recovered": sum(not p.recovered for p in world.persons),
        "registered_in_morgue": sum(p.registered for p in world.persons),
        "unidentified": sum(p.unidentified for p in world.persons),
        "incidents": len(world.incidents),
        "party_share": {k: round(v / len(world.persons), 3) for k, v in sorted(parties.items())},
        "records": dict(sorted(by_source.items())),
    }
