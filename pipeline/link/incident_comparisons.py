"""What two incident records are compared on, each as a ladder of levels (0 = closest agreement).

A level of -1 means one side did not say (a CJTF assessment gives no target; only Airwars gives
coordinates), and that comparison is then no evidence either way. How much each level counts is
not set here: the Fellegi-Sunter model (`fellegi_sunter.py`) estimates it from the data.
"""

from __future__ import annotations

import polars as pl

# Weapons that can describe the same event, by family.
WEAPON_FAMILY = {
    "airstrike": "air", "air_or_artillery": "air", "coalition_strike": "air", "artillery": "indirect", "mortar": "indirect", "shelling": "indirect",
    "ied": "explosive", "vbied": "explosive", "execution": "execution", "gunfire": "gunfire", "unknown": "unknown",
}
# A shooting is how one source words what another calls an execution.
COMPATIBLE = {("air", "indirect"), ("explosive", "indirect"), ("execution", "gunfire")}
COMPATIBLE |= {(b, a) for a, b in COMPATIBLE}
# Weapons that name only a family.
FAMILY_ONLY = ["coalition_strike"]
NEAR_KM, FAR_KM = 0.25, 0.6
# A death toll this small is shared by many unrelated incidents, so agreement on it says less.
SMALL_TOLL = 3

LEVELS: dict[str, list[str]] = {
    "date": ["same first and last day", "same first day, another last day (or one side gives only a day)", "date ranges overlap", "within a day", "further apart"],
    "place": ["same neighbourhood", "same bank, one neighbourhood unknown", "other neighbourhood on the same bank", "other bank"],
    "weapon": ["same weapon", "same weapon family", "compatible families (air or indirect fire; indirect fire or explosive; execution or gunfire)", "incompatible"],
    "toll": [f"tolls overlap above {SMALL_TOLL}", f"tolls overlap at {SMALL_TOLL} or fewer", "within 25% of each other", "further apart"],
    "target": ["same target", "different target"],
    "time_of_day": ["same time of day", "different time of day"],
    "coordinates": [f"within {NEAR_KM * 1000:.0f} m", f"within {FAR_KM * 1000:.0f} m", f"more than {FAR_KM * 1000:.0f} m apart"],
    "named_victim": ["a named victim in both", "both name victims, none shared"],
}
UNKNOWN = -1


def _both(column: str) -> pl.Expr:
    return pl.col(f"{column}_l").is_not_null() & pl.col(f"{column}_r").is_not_null()


def date_level() -> pl.Expr:
    overlap = (pl.col("date_start_l") <= pl.col("date_end_r")) & (pl.col("date_start_r") <= pl.col("date_end_l"))
    same = (pl.col("date_start_l") == pl.col("date_start_r")) & (pl.col("date_end_l") == pl.col("date_end_r"))
    gap = pl.min_horizontal((pl.col("date_start_l") - pl.col("date_end_r")).dt.total_days().abs(), (pl.col("date_start_r") - pl.col("date_end_l")).dt.total_days().abs())
    # Amnesty and the coalition give one date, the first day of a strike others report over days.
    same_first = pl.col("date_start_l") == pl.col("date_start_r")
    return pl.when(same).then(0).when(same_first).then(1).when(overlap).then(2).when(gap <= 1).then(3).otherwise(4)


def place_level() -> pl.Expr:
    same_bank = pl.col("bank_l") == pl.col("bank_r")
    return (
        pl.when(_both("neighbourhood_id") & (pl.col("neighbourhood_id_l") == pl.col("neighbourhood_id_r"))).then(0)
        .when(_both("neighbourhood_id") & same_bank).then(2)
        .when(_both("bank") & ~same_bank).then(3)
        .when(_both("bank")).then(1)
        .otherwise(UNKNOWN)
    )


def weapon_level() -> pl.Expr:
    family_l, family_r = pl.col("weapon_l").replace_strict(WEAPON_FAMILY, default="unknown"), pl.col("weapon_r").replace_strict(WEAPON_FAMILY, default="unknown")
    compatible = pl.concat_str(family_l, family_r, separator="|").is_in([f"{a}|{b}" for a, b in COMPATIBLE])
    return (
        pl.when((family_l == "unknown") | (family_r == "unknown")).then(UNKNOWN)
        .when(pl.col("weapon_l") == pl.col("weapon_r")).then(0)
        # A source that names only the family (the coalition) agrees as far as it can say.
        .when(pl.col("weapon_l").is_in(FAMILY_ONLY) | pl.col("weapon_r").is_in(FAMILY_ONLY)).then(pl.when(family_l == family_r).then(0).when(compatible).then(2).otherwise(3))
        .when(family_l == family_r).then(1)
        .when(compatible).then(2)
        .otherwise(3)
    )


def toll_level() -> pl.Expr:
    """Each source's toll is a range (a single count is a range of one); ranges of one event's
    dead should meet. 'Within 25%' allows for a source that counted late or early."""
    high_l, high_r = pl.col("killed_max_l").fill_null(pl.col("killed_min_l")), pl.col("killed_max_r").fill_null(pl.col("killed_min_r"))
    meet = pl.max_horizontal("killed_min_l", "killed_min_r") <= pl.min_horizontal(high_l, high_r)
    near = (pl.col("killed_min_l") * 0.75 <= high_r * 1.25 + 1) & (pl.col("killed_min_r") * 0.75 <= high_l * 1.25 + 1)
    return (
        pl.when(pl.col("killed_min_l").is_null() | pl.col("killed_min_r").is_null()).then(UNKNOWN)
        .when(meet & (pl.min_horizontal(high_l, high_r) > SMALL_TOLL)).then(0)
        .when(meet).then(1)
        .when(near).then(2)
        .otherwise(3)
    )


def detail_level(column: str) -> pl.Expr:
    return pl.when(~_both(column)).then(UNKNOWN).when(pl.col(f"{column}_l") == pl.col(f"{column}_r")).then(0).otherwise(1)


def coordinates_level() -> pl.Expr:
    # Equirectangular distance (0.806 = cos of Mosul's latitude): exact enough over a city, vectorised.
    km = ((pl.col("latitude_l") - pl.col("latitude_r")) * 111.0).pow(2).add(((pl.col("longitude_l") - pl.col("longitude_r")) * 111.0 * 0.806).pow(2)).sqrt()
    return pl.when(km.is_null()).then(UNKNOWN).when(km <= NEAR_KM).then(0).when(km <= FAR_KM).then(1).otherwise(2)


def named_victim_level() -> pl.Expr:
    return pl.when(pl.col("shared")).then(0).when(pl.col("names_victims_l") & pl.col("names_victims_r")).then(1).otherwise(UNKNOWN)


COMPARISONS = {
    "date": date_level, "place": place_level, "weapon": weapon_level, "toll": toll_level,
    "target": lambda: detail_level("target"), "time_of_day": lambda: detail_level("time_of_day"),
    "coordinates": coordinates_level, "named_victim": named_victim_level,
}


def comparison_levels(pairs: pl.DataFrame) -> pl.DataFrame:
    """One integer column per comparison, named after it."""
    return pairs.with_columns(*(make().cast(pl.Int64).alias(f"level_{name}") for name, make in COMPARISONS.items()))
