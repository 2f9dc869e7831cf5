"""The battle as it happened in one simulated world: incidents, the dead, and who recovered them.

Everything the sources later see is drawn from here; the truth files are written from here too.
Capture is deliberately uneven and dependent: bodies under rubble (airstrikes, the Old City, the
last weeks) are recovered later or never and are more often unidentified; media coverage makes
an incident likelier to appear in both Airwars and IBC at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from pipeline.scenario.names import FAMILY, FEMALE, MALE
from pipeline.scenario.places import NEIGHBOURHOODS

START = dt.date(2016, 10, 17)
EAST_RETAKEN = dt.date(2017, 1, 24)
WEST_START = dt.date(2017, 2, 19)
OLD_CITY_START = dt.date(2017, 6, 1)
END = dt.date(2017, 7, 10)

# (phase, first day, last day, share of deaths, party mix: coalition_or_iraqi, islamic_state, undetermined)
PHASES = [
    ("east", START, EAST_RETAKEN, 0.24, (0.15, 0.47, 0.38)),
    ("west", WEST_START, OLD_CITY_START - dt.timedelta(days=1), 0.46, (0.21, 0.37, 0.42)),
    ("old_city", OLD_CITY_START, END, 0.30, (0.23, 0.35, 0.42)),
]
WEAPONS = {
    "coalition_or_iraqi": (["airstrike", "artillery", "mortar", "air_or_artillery"], [0.56, 0.18, 0.10, 0.16]),
    "islamic_state": (["execution", "ied", "vbied", "mortar", "shelling", "gunfire"], [0.28, 0.16, 0.08, 0.14, 0.10, 0.24]),
    "undetermined": (["unknown", "shelling", "gunfire", "mortar"], [0.50, 0.20, 0.18, 0.12]),
}
# A heavier tail for bombs dropped on buildings than for shootings.
SIZE_ALPHA = {"airstrike": 1.25, "air_or_artillery": 1.4, "artillery": 1.6, "vbied": 1.5, "execution": 1.5, "ied": 1.8}


def _pick(rng, pool):
    weights = np.array([w for *_, w in pool], dtype=float)
    return int(rng.choice(len(pool), p=weights / weights.sum()))


@dataclass
class Person:
    person_id: str
    incident: int
    sex: str
    age: int
    given: int  # index into MALE or FEMALE
    father: int  # index into MALE
    grandfather: int  # index into MALE
    family: int | None  # index into FAMILY
    date_of_death: dt.date
    neighbourhood: int
    recovered: bool = True
    registered: bool = False
    date_received: dt.date | None = None
    unidentified: bool = False
    duplicate_received: dt.date | None = None
    kunya_son: int | None = None  # eldest son's given name, for "Abu X" / "Umm X"


@dataclass
class Incident:
    index: int
    incident_id: str
    phase: str
    party: str
    weapon: str
    date: dt.date
    date_end: dt.date
    neighbourhood: int
    persons: list[int] = field(default_factory=list)
    media: bool = False
    # What witnesses describe of the event itself: where exactly, what was hit, at what time.
    latitude: float = 0.0
    longitude: float = 0.0
    target: str = "unknown"
    time_of_day: str = "unknown"


@dataclass
class World:
    incidents: list[Incident]
    persons: list[Person]


# What was hit, by weapon: bombs fall on houses and buildings, IS shot people fleeing and
# executed them at checkpoints, car bombs hit markets and crowds.
TARGETS = {
    "airstrike": (["home", "building", "street", "vehicle", "mosque"], [0.5, 0.3, 0.08, 0.07, 0.05]),
    "air_or_artillery": (["home", "building", "street"], [0.55, 0.3, 0.15]),
    "artillery": (["home", "street", "building", "market"], [0.5, 0.25, 0.15, 0.1]),
    "mortar": (["home", "street", "market", "shelter"], [0.4, 0.35, 0.15, 0.1]),
    "shelling": (["home", "street", "market", "shelter"], [0.4, 0.35, 0.15, 0.1]),
    "execution": (["checkpoint", "fleeing", "home", "street"], [0.3, 0.3, 0.2, 0.2]),
    "ied": (["street", "home", "vehicle", "fleeing"], [0.4, 0.3, 0.15, 0.15]),
    "vbied": (["market", "street", "checkpoint", "fleeing"], [0.35, 0.35, 0.15, 0.15]),
    "gunfire": (["fleeing", "street", "home"], [0.55, 0.3, 0.15]),
    "unknown": (["home", "street", "fleeing", "building"], [0.35, 0.35, 0.15, 0.15]),
}
TIMES_OF_DAY = ["morning", "afternoon", "evening", "night"]


def describe_incidents(rng: np.random.Generator, world: "World") -> None:
    """Each incident's own detail, drawn from a generator of its own so the world's dead and the
    lists stay what they were without it: a point inside the neighbourhood, a target, a time."""
    for incident in world.incidents:
        _key, _ar, _latin, _bank, lat, lon, _old = NEIGHBOURHOODS[incident.neighbourhood]
        incident.latitude = float(lat + rng.normal(0, 0.003))
        incident.longitude = float(lon + rng.normal(0, 0.003))
        options, weights = TARGETS[incident.weapon]
        incident.target = options[int(rng.choice(len(options), p=np.array(weights) / sum(weights)))]
        incident.time_of_day = TIMES_OF_DAY[int(rng.integers(0, len(TIMES_OF_DAY)))]


def _neighbourhoods_for(phase: str) -> list[int]:
    if phase == "east":
        return [i for i, n in enumerate(NEIGHBOURHOODS) if n[3] == "east"]
    if phase == "old_city":
        return [i for i, n in enumerate(NEIGHBOURHOODS) if n[6]]
    return [i for i, n in enumerate(NEIGHBOURHOODS) if n[3] == "west" and not n[6]]


def _incident_size(rng, weapon: str) -> int:
    alpha = SIZE_ALPHA.get(weapon, 2.2)
    return int(min(1 + np.floor(rng.pareto(alpha)), 150))


def _household(rng, world_persons: list[Person], incident: Incident, size: int, counter: list[int]) -> None:
    """A family dying together: a father, perhaps his wife, their children; or a lone adult."""
    father = _pick(rng, MALE)
    grandfather = _pick(rng, MALE)
    family = _pick(rng, FAMILY) if rng.random() < 0.65 else None
    date = incident.date + dt.timedelta(days=int(rng.integers(0, (incident.date_end - incident.date).days + 1)))
    # (sex, age, given, father, grandfather, family)
    members: list[tuple[str, int, int, int, int, int | None]] = []
    if size == 1:
        sex = "M" if rng.random() < 0.62 else "F"
        given = _pick(rng, MALE if sex == "M" else FEMALE)
        members.append((sex, int(rng.integers(16, 85)), given, father, grandfather, family))
    else:
        head = _pick(rng, MALE)
        head_age = int(rng.integers(25, 70))
        members.append(("M", head_age, head, father, grandfather, family))
        remaining = size - 1
        if remaining and rng.random() < 0.8:
            # A wife keeps her own father's lineage.
            wife_family = _pick(rng, FAMILY) if rng.random() < 0.5 else None
            members.append(("F", max(18, head_age - int(rng.integers(0, 12))), _pick(rng, FEMALE), _pick(rng, MALE), _pick(rng, MALE), wife_family))
            remaining -= 1
        used = set()
        for _ in range(remaining):
            sex = "M" if rng.random() < 0.5 else "F"
            pool = MALE if sex == "M" else FEMALE
            given = _pick(rng, pool)
            tries = 0
            while (sex, given) in used and tries < 8:  # parents do not give two children one name
                given = _pick(rng, pool)
                tries += 1
            used.add((sex, given))
            # A child's name is the father's shifted by one: given + head + head's father.
            members.append((sex, int(rng.integers(0, max(1, head_age - 17))), given, head, father, family))
    eldest_son = next((m[2] for m in members[1:] if m[0] == "M" and m[3] == members[0][2]), None)
    for position, (sex, age, given, father_of, grand, fam) in enumerate(members):
        counter[0] += 1
        world_persons.append(
            Person(
                person_id=f"P{counter[0]:07d}",
                incident=incident.index,
                sex=sex,
                age=age,
                given=given,
                father=father_of,
                grandfather=grand,
                family=fam,
                date_of_death=date,
                neighbourhood=incident.neighbourhood,
                kunya_son=eldest_son if position <= 1 else None,
            )
        )
        incident.persons.append(len(world_persons) - 1)


def _random_date(rng, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def build_world(rng: np.random.Generator, scale: float = 1.0) -> World:
    target = int(round(10_500 * scale))
    incidents: list[Incident] = []
    persons: list[Person] = []
    counter = [0]
    # al-Jadida, 17 March 2017: one guided bomb, explosives in the building, more than a hundred dead.
    jadida = next(i for i, n in enumerate(NEIGHBOURHOODS) if n[0] == "jadida")
    fixed = [("west", "coalition_or_iraqi", "airstrike", dt.date(2017, 3, 17), jadida, 120)]
    for phase, first, last, share, mix in PHASES:
        phase_target = int(target * share)
        places = _neighbourhoods_for(phase)
        deaths = 0
        for fixed_phase, party, weapon, date, place, size in fixed:
            if fixed_phase == phase and scale >= 0.5:
                incidents.append(Incident(len(incidents), f"T{len(incidents) + 1:06d}", phase, party, weapon, date, date, place))
                deaths += _fill(rng, persons, incidents[-1], size, counter)
        while deaths < phase_target:
            party = ["coalition_or_iraqi", "islamic_state", "undetermined"][int(rng.choice(3, p=mix))]
            options, weights = WEAPONS[party]
            weapon = options[int(rng.choice(len(options), p=weights))]
            size = min(_incident_size(rng, weapon), phase_target - deaths + 1)
            date = _random_date(rng, first, last)
            span = int(rng.integers(1, 4)) if rng.random() < 0.06 else 0
            date_end = min(date + dt.timedelta(days=span), END)
            place = places[int(rng.integers(0, len(places)))]
            incidents.append(Incident(len(incidents), f"T{len(incidents) + 1:06d}", phase, party, weapon, date, date_end, place))
            deaths += _fill(rng, persons, incidents[-1], size, counter)
    _recover_and_register(rng, incidents, persons)
    return World(incidents, persons)


def _fill(rng, persons, incident, size, counter) -> int:
    left = size
    while left > 0:
        household = min(left, 1 if rng.random() < 0.35 else int(rng.integers(2, 9)))
        _household(rng, persons, incident, household, counter)
        left -= household
    return size


def _recover_and_register(rng, incidents: list[Incident], persons: list[Person]) -> None:
    """Who was dug out, when they reached the morgue, whether anyone could name them."""
    for person in persons:
        incident = incidents[person.incident]
        rubble = incident.weapon in ("airstrike", "artillery", "air_or_artillery") or incident.phase == "old_city"
        late = incident.phase == "old_city" and person.date_of_death >= dt.date(2017, 6, 20)
        p_recovered = 0.99 - (0.03 if rubble else 0.0) - (0.05 if late else 0.0)
        person.recovered = bool(rng.random() < p_recovered)
        if not person.recovered:
            continue
        p_registered = {"east": 0.95, "west": 0.925, "old_city": 0.89}[incident.phase]
        person.registered = bool(rng.random() < p_registered)
        if not person.registered:
            continue
        lag = int(rng.integers(30, 300)) if rubble and rng.random() < 0.6 else int(rng.integers(0, 12))
        person.date_received = min(person.date_of_death + dt.timedelta(days=lag), dt.date(2017, 11, 30))
        p_unidentified = 0.03 + (0.07 if rubble and lag > 25 else 0.0)
        person.unidentified = bool(rng.random() < p_unidentified)
        if not person.unidentified and rng.random() < 0.03:
            second = person.date_received + dt.timedelta(days=int(rng.integers(20, 200)))
            person.duplicate_received = min(second, dt.date(2017, 11, 30))
