"""The six sources, each a different and partial view of the same world."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from pipeline.scenario.places import BANK_LATIN, NEIGHBOURHOODS
from pipeline.scenario.sources import (
    AMNESTY_WEAPON,
    CAUSES,
    IBC_WEAPONS,
    MORGUE_HEADER,
    STRIKE_TYPES,
    SUMMARY_WEAPON,
    TARGET_WORDS,
    TIME_WORDS,
    Writer,
    choose,
    write_csv,
    write_json,
)
from pipeline.scenario.world import World

MORGUE_SNAPSHOTS = [dt.date(2017, 8, 15), dt.date(2017, 10, 20), dt.date(2017, 12, 1)]
UNIDENTIFIED = "مجهول الهوية"


def write_morgue(w: Writer, root: Path) -> list[tuple]:
    rng, world = w.rng, w.world
    registrations = []  # (date_received, person index, is_duplicate)
    for index, person in enumerate(world.persons):
        if person.registered:
            registrations.append((person.date_received, index, False))
            if person.duplicate_received is not None:
                registrations.append((person.duplicate_received, index, True))
    registrations.sort(key=lambda r: (r[0], r[1], r[2]))
    rows, truth, first_names = [], [], {}
    unidentified_number = 0
    for serial, (received, index, duplicate) in enumerate(registrations, start=1):
        person = world.persons[index]
        incident = world.incidents[person.incident]
        if person.unidentified:
            unidentified_number += 1
            name = UNIDENTIFIED if rng.random() < 0.6 else f"{UNIDENTIFIED} {w.morgue_age(unidentified_number)}"
        elif duplicate:
            # Re-registered after exhumation: the tribe name dropped or kept, compound names re-spaced.
            name = w.arabic_name(person, with_family=rng.random() < 0.5)
        else:
            name = w.arabic_name(person)
        first_names[serial] = name
        p_no_date = 0.25 if w.hard else 0.14
        death = "" if (person.unidentified and rng.random() < 0.6) or rng.random() < p_no_date else w.morgue_date(person.date_of_death)
        age = person.age if not duplicate else max(0, person.age + int(rng.choice([0, 1, -1], p=[0.6, 0.3, 0.1])))
        age_text = "" if (person.unidentified and rng.random() < 0.5) or rng.random() < (0.12 if w.hard else 0.04) else w.morgue_age(age)
        sex = {"M": "ذكر", "F": "أنثى" if rng.random() < 0.6 else "انثى"}[person.sex] if rng.random() > 0.03 else ""
        causes, weights = CAUSES[incident.weapon]
        cause = causes[int(rng.choice(len(causes), p=weights))]
        notes = ""
        if duplicate:
            notes = "اعيد تسجيله بعد استخراج الجثة"
        elif person.unidentified and rng.random() < 0.4:
            notes = "عثر عليه تحت الانقاض"
        rows.append([serial, name, sex, age_text, death, w.morgue_date(received), w.morgue_place(person, incident), cause, notes, received])
        truth.append((f"morgue:{serial}", person.person_id, incident.incident_id))
    for snapshot in MORGUE_SNAPSHOTS:
        visible = [row for row in rows if row[9] <= snapshot]
        out = []
        for row in visible:
            values = list(row[:9])
            # A name corrected between snapshots: the earlier snapshot had a slip.
            if snapshot != MORGUE_SNAPSHOTS[-1] and rng.random() < 0.004 and not values[1].startswith(UNIDENTIFIED):
                values[1] = values[1].replace("ا", "", 1)
            out.append(values)
        write_csv(root / "morgue" / snapshot.isoformat() / "morgue.csv", MORGUE_HEADER, out, bom=True, crlf=True)
    return truth


def media_covered(w: Writer) -> None:
    """Airwars and IBC both read the news: one coverage flag per incident drives both (dependence)."""
    for incident in w.world.incidents:
        size = len(incident.persons)
        base = 1 - np.exp(-size / 6.0)
        # Coalition strikes and IS atrocities (executions, families shot while fleeing) were what
        # local and international media reported most; crossfire deaths of unknown origin least.
        # Calibration (0.3.1): the AP attributed about two thirds of the morgue list to a side, so
        # its sources covered most one-sided deaths; at the earlier boosts (0.25, 0.3) only 62% of
        # the simulated dead died in an incident any source reported and the pipeline could
        # attribute 37%. These coverage rates (with IBC's and Airwars' below) put it at 74-76%.
        boost = {"coalition_or_iraqi": 0.45, "islamic_state": 0.55}.get(incident.party, 0.0)
        incident.media = bool(w.rng.random() < min(0.95, 0.12 + base * 0.7 + boost))


def write_airwars(w: Writer, root: Path, snapshot: str = "2017-12-05") -> list[tuple]:
    rng, world = w.rng, w.world
    records, truth = [], []
    code = 400
    for incident in world.incidents:
        if incident.party == "coalition_or_iraqi":
            p = 0.9 if incident.media else 0.25
        else:
            p = 0.5 if incident.media else 0.03  # Airwars logged IS attacks it read of, less than strikes
        if rng.random() >= p:
            continue
        copies = 2 if rng.random() < 0.04 else 1  # one event reported as two incidents
        for copy in range(copies):
            code += int(rng.integers(1, 4))
            key = f"CI{code:04d}"
            size = len(incident.persons)
            if incident.party == "coalition_or_iraqi":
                belligerents = ["Coalition"] if rng.random() < 0.6 else (["Iraqi Security Forces"] if rng.random() < 0.6 else ["Coalition", "Iraqi Security Forces"])
                grading = str(rng.choice(["Confirmed", "Fair", "Weak", "Contested"], p=[0.05, 0.67, 0.2, 0.08]))
                if grading == "Contested":
                    belligerents = belligerents + ["ISIS"]
            elif incident.party == "islamic_state":
                belligerents = ["ISIS"]
                grading = str(rng.choice(["Fair", "Weak", "Discounted"], p=[0.6, 0.3, 0.1]))
            else:
                belligerents = ["Unknown"] if rng.random() < 0.5 else ["Coalition", "ISIS"]
                grading = str(rng.choice(["Contested", "Weak"], p=[0.6, 0.4]))
            low = max(0, int(round(size * rng.uniform(0.6, 1.0))))
            high = max(low, int(round(size * rng.uniform(1.0, 1.5))))
            victims = []
            if copy == 0:
                p_named = 0.45 if size <= 8 else 0.2
                for person_index in incident.persons:
                    if rng.random() < p_named:
                        person = world.persons[person_index]
                        victim = {
                            "name": w.latin_name(person),
                            "age": w.noisy_age(person.age, 0.35 if not w.hard else 0.6),
                            "gender": {"M": "male", "F": "female"}[person.sex] if rng.random() < 0.85 else None,
                            "note": None,
                        }
                        if rng.random() < 0.12:
                            victim["name_ar"] = w.arabic_name(person)
                        victims.append(victim)
                        truth.append((f"airwars:{key}/{len(victims)}", person.person_id, incident.incident_id))
            place = NEIGHBOURHOODS[incident.neighbourhood]
            location = w.latin_place(incident.neighbourhood)
            if rng.random() < 0.6:
                location = f"{location}, {BANK_LATIN[place[3]]}"
            has_coords = rng.random() < 0.7
            # Airwars geolocates to the street where it can: near the true point, not the centroid.
            when = f"In the {choose(rng, [t for t in TIME_WORDS[incident.time_of_day] if t not in ('AM', 'PM')])}, " if rng.random() < 0.6 else ""
            if rng.random() < 0.85:
                what = f"{SUMMARY_WEAPON[incident.weapon]} hit {choose(rng, TARGET_WORDS[incident.target])} in {location}, killing civilians."
            else:
                what = f"civilians were reported killed in {location}."
            summary = (when + what)[0].upper() + (when + what)[1:]
            records.append({
                "code": key,
                "date": incident.date.isoformat(),
                "date_end": incident.date_end.isoformat() if incident.date_end != incident.date else None,
                "location": location,
                "latitude": round(incident.latitude + rng.normal(0, 0.0008), 4) if has_coords else None,
                "longitude": round(incident.longitude + rng.normal(0, 0.0008), 4) if has_coords else None,
                "belligerents": belligerents,
                "strike_type": STRIKE_TYPES[incident.weapon],
                "grading": grading,
                "civilians_killed_min": low,
                "civilians_killed_max": high,
                "civilians_injured_min": None,
                "civilians_injured_max": None,
                "victims": victims,
                "sources": ["Mosul Eye", "Shafaq News"][: int(rng.integers(1, 3))],
                "summary": summary,
            })
            truth.append((f"airwars:{key}", "", incident.incident_id))
    write_json(root / "airwars" / snapshot / "incidents.json", records)
    return truth


IBC_ACTORS = {"coalition_or_iraqi": ["US-led coalition", "Iraqi forces", "coalition"], "islamic_state": ["ISIS", "IS", "Daesh"]}


def ibc_weapon_words(rng, incident, words: str) -> str:
    """IBC names the perpetrator when its press sources did (most of the time), before the weapon."""
    actors = IBC_ACTORS.get(incident.party)
    if not actors or "ISIS" in words or rng.random() >= 0.85:
        return words
    return f"{choose(rng, actors)} {words}"


def write_ibc(w: Writer, root: Path, snapshot: str = "2017-12-03") -> list[tuple]:
    rng, world = w.rng, w.world
    incident_rows, victim_rows, truth = [], [], []
    code = 9000
    for incident in world.incidents:
        p = 0.85 if incident.media else 0.12
        if rng.random() >= p:
            continue
        code += int(rng.integers(1, 5))
        key = f"k{code}" if rng.random() < 0.8 else f"a{code}"
        size = len(incident.persons)
        low = max(1, int(round(size * rng.uniform(0.7, 1.0))))
        high = max(low, int(round(size * rng.uniform(1.0, 1.3))))
        place = NEIGHBOURHOODS[incident.neighbourhood]
        location = f"Mosul: {w.latin_place(incident.neighbourhood)}" if rng.random() < 0.6 else f"{BANK_LATIN[place[3]]}, {w.latin_place(incident.neighbourhood)}"
        weapons = IBC_WEAPONS[incident.weapon]
        incident_rows.append([key, incident.date.isoformat(), incident.date_end.isoformat(), choose(rng, TIME_WORDS[incident.time_of_day]) if rng.random() < 0.7 else "", location, choose(rng, TARGET_WORDS[incident.target]) if rng.random() < 0.85 else "", ibc_weapon_words(rng, incident, choose(rng, weapons)), low, high, "Reuters;AFP" if rng.random() < 0.5 else "Shafaq News"])
        truth.append((f"ibc:{key}", "", incident.incident_id))
        seq = 0
        for person_index in incident.persons:
            if rng.random() >= 0.14:
                continue
            person = world.persons[person_index]
            seq += 1
            named = rng.random() < 0.8
            age = w.noisy_age(person.age, 0.4)
            victim_rows.append([key, seq, w.latin_name(person) if named else "", "" if age is None else age, person.sex if rng.random() < 0.9 else "", "" if named else "child" if person.age < 15 else ""])
            truth.append((f"ibc:{key}/{seq}", person.person_id, incident.incident_id))
    write_csv(root / "ibc" / snapshot / "incidents.csv", ["code", "start_date", "end_date", "time", "location", "target", "weapons", "deaths_min", "deaths_max", "sources"], incident_rows)
    write_csv(root / "ibc" / snapshot / "victims.csv", ["code", "seq", "name", "age", "sex", "notes"], victim_rows)
    return truth


def write_amnesty(w: Writer, root: Path, snapshot: str = "2017-07-11") -> list[tuple]:
    rng, world = w.rng, w.world
    candidates = [i for i in world.incidents if NEIGHBOURHOODS[i.neighbourhood][3] == "west" and dt.date(2017, 1, 1) <= i.date <= dt.date(2017, 5, 15) and len(i.persons) >= 3]
    weights = np.array([len(i.persons) * (3.0 if i.party == "coalition_or_iraqi" else 1.0) for i in candidates], dtype=float)
    count = min(len(candidates), max(1, int(round(45 * min(1.0, len(world.persons) / 10_500) ** 0.5 * (len(world.persons) / 10_500) ** 0.5))))
    chosen = sorted(rng.choice(len(candidates), size=count, replace=False, p=weights / weights.sum())) if candidates else []
    records, truth = [], []
    for number, pick in enumerate(chosen, start=1):
        incident = candidates[pick]
        key = f"AI-WM-{number:02d}"
        victims = []
        for person_index in incident.persons:
            if rng.random() < 0.7:
                person = world.persons[person_index]
                victims.append({"name": w.latin_name(person), "age": w.noisy_age(person.age, 0.25), "gender": {"M": "male", "F": "female"}[person.sex]})
                truth.append((f"amnesty:{key}/{len(victims)}", person.person_id, incident.incident_id))
        attributed = {"coalition_or_iraqi": "Iraqi forces/coalition", "islamic_state": "IS", "undetermined": "unclear"}[incident.party]
        records.append({"id": key, "date": incident.date.isoformat(), "location": w.latin_place(incident.neighbourhood), "attributed_to": attributed, "weapon": AMNESTY_WEAPON[incident.weapon], "killed": len(incident.persons), "victims": victims, "summary": f"Residents describe how {choose(rng, TARGET_WORDS[incident.target])} was hit in the {incident.time_of_day}."})
        truth.append((f"amnesty:{key}", "", incident.incident_id))
    write_json(root / "amnesty" / snapshot / "incidents.json", records)
    return truth


def write_un(w: Writer, root: Path, snapshot: str = "2017-11-02") -> None:
    """Aggregates that undercount: verified only where access allowed (about a quarter of the dead)."""
    world = w.world
    rows = []
    periods = [("2016-10-17", "2017-02-18", "east Mosul", "east"), ("2017-02-19", "2017-07-10", "west Mosul", "west")]
    for start, end, area, phase_bank in periods:
        for party, label in (("islamic_state", "ISIL"), ("coalition_or_iraqi", "ISF and coalition"), ("undetermined", "unattributed")):
            deaths = sum(1 for p in world.persons if world.incidents[p.incident].party == party and NEIGHBOURHOODS[p.neighbourhood][3] == phase_bank)
            factor = {"islamic_state": 0.3, "coalition_or_iraqi": 0.2, "undetermined": 0.2}[party]
            rows.append([start, end, area, label, int(round(deaths * factor * w.rng.uniform(0.9, 1.1))), "", ""])
    executions = sum(1 for p in world.persons if world.incidents[p.incident].weapon == "execution")
    rows.append(["2016-10-17", "2017-07-10", "Mosul", "ISIL", int(round(executions * 0.55)), "", "executions (subset of the ISIL rows)"])
    write_csv(root / "un" / snapshot / "casualties.csv", ["period_start", "period_end", "area", "perpetrator", "killed", "injured", "note"], rows)


def cjtf_location(w: Writer, incident) -> str:
    """The coalition names the allegation's neighbourhood more often than not, in its own words."""
    if w.rng.random() < 0.2:
        return "near Mosul, Iraq"
    return f"{w.latin_place(incident.neighbourhood)}, {'near ' if w.rng.random() < 0.5 else ''}Mosul, Iraq"


def allegation_source(rng: np.random.Generator, in_airwars: bool, credible: bool) -> str:
    """Whom the coalition names as having raised the allegation: Airwars when Airwars reported the
    strike (now and then the press report it relayed), otherwise the media or, for a credible
    assessment, the coalition itself; a non-credible one sometimes names nobody."""
    if in_airwars and rng.random() < 0.9:
        return "Airwars"
    return str(rng.choice(["media", "self-reported"] if credible else ["media", ""]))


def write_official(w: Writer, root: Path, snapshot: str = "2017-12-21", airwars_incidents: frozenset[str] = frozenset()) -> list[tuple]:
    """The coalition's credible assessments add up to 326; Iraq's prime minister said 1,260.
    `airwars_incidents`: the incident ids Airwars reported, whose allegations the coalition credits to it."""
    rng, world = w.rng, w.world
    # The allegation sources are drawn from a child generator, and the draw they once took from
    # `rng` is still taken, so every other column and file of the scenario is as it was.
    sources_rng = rng.spawn(1)[0]
    scale = len(world.persons) / 10_500
    credible_total = int(round(326 * scale))
    coalition = [i for i in world.incidents if i.party == "coalition_or_iraqi" and i.media and i.weapon in ("airstrike", "air_or_artillery")]
    order = rng.permutation(len(coalition))
    rows, truth, total = [], [], 0
    number = 0
    for pick in order:
        incident = coalition[pick]
        if total >= credible_total:
            break
        killed = min(len(incident.persons), credible_total - total)
        number += 1
        report_id = f"CJTF-{incident.date.year}-{incident.date.month:02d}-{number:03d}"
        rows.append([report_id, (incident.date + dt.timedelta(days=int(rng.integers(30, 120)))).isoformat(), incident.date.isoformat(), cjtf_location(w, incident), allegation_source(sources_rng, incident.incident_id in airwars_incidents, True), "Credible", killed])
        rng.choice(3)
        truth.append((f"cjtf:{report_id}", "", incident.incident_id))
        total += killed
    for pick in order[number: number + number * 3]:
        incident = coalition[pick]
        number += 1
        report_id = f"CJTF-{incident.date.year}-{incident.date.month:02d}-{number:03d}"
        rows.append([report_id, (incident.date + dt.timedelta(days=int(rng.integers(30, 120)))).isoformat(), incident.date.isoformat(), cjtf_location(w, incident), allegation_source(sources_rng, incident.incident_id in airwars_incidents, False), "Non-credible", 0])
        rng.choice(3)
        truth.append((f"cjtf:{report_id}", "", incident.incident_id))
    write_csv(root / "official" / snapshot / "cjtf_assessments.csv", ["report_id", "report_date", "strike_date", "location", "allegation_source", "assessment", "civilians_killed"], rows)
    claims = [
        ["CJTF-OIR", "2017-12-08", "2016-10-17", "2017-07-10", credible_total, "Civilian deaths assessed as credible in the Mosul operation."],
        ["Government of Iraq", "2017-12-20", "2016-10-17", "2017-07-10", int(round(1260 * scale)), "1,260 civilians were killed in the fighting."],
    ]
    write_csv(root / "official" / snapshot / "claims.csv", ["claimant", "statement_date", "scope_start", "scope_end", "civilians_killed", "statement"], claims)
    return truth
