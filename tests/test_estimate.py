"""The estimator on synthetic lists with a known total, and its guards.

Every population here is drawn in the test with a known N; the checks are that the interval
covers N and the estimate is close, and that the guards (pooling, unbounded cells, unidentified
bodies) do what docs/estimation.md says.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from pipeline.estimate import EstimationConfig, capture_histories, estimate, headline
from pipeline.estimate.chapman import chapman, chapman_interval
from pipeline.estimate.lcmcr import latent_class_estimate
from pipeline.estimate.loglinear import cell_counts, model_averaged
from pipeline.estimate.strata import LEVELS, allocate
from pipeline.estimate.undecided import expected_histories, undecided_links
from schemas.estimated import CaptureHistoriesModel, EstimatesModel

LISTS = ("morgue", "airwars", "ibc", "amnesty")


def population(n: int, probabilities: dict[str, float], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Independent captures of n people: one boolean column per list."""
    return {name: rng.random(n) < p for name, p in probabilities.items()}


def histories(seen: dict[str, np.ndarray], bank: str = "west", period: str = "west_phase", prefix: str = "") -> pl.DataFrame:
    """Capture histories of the people seen by at least one list (the others are the unseen)."""
    n = len(next(iter(seen.values())))
    flags = {f"in_{name}": seen.get(name, np.zeros(n, bool)) for name in LISTS}
    captured = np.any(np.column_stack(list(flags.values())), axis=1)
    frame = pl.DataFrame({column: values[captured] for column, values in flags.items()})
    return frame.with_columns(
        (pl.lit(prefix) + pl.int_range(pl.len()).cast(pl.String)).alias("victim_id"),
        pl.lit(bank).alias("bank"), pl.lit(period).alias("period"), pl.lit(None, pl.String).alias("party"),
        pl.lit(False).alias("is_unidentified"), pl.lit(False).alias("is_unnamed"),
    )


def counts_of(frame: pl.DataFrame, lists: tuple[str, ...]) -> np.ndarray:
    return cell_counts(frame.select([f"in_{s}" for s in lists]).to_numpy())


def overall(table: pl.DataFrame) -> dict:
    return table.filter(pl.col("stratum") == "all").row(0, named=True)


def test_independent_lists_interval_covers_the_known_total():
    rng = np.random.default_rng(11)
    covered, errors = 0, []
    for _ in range(12):
        frame = histories(population(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, rng))
        result = model_averaged(counts_of(frame, LISTS[:3]), 3)
        errors.append(abs(result.estimate - 3000) / 3000)
        covered += result.lower <= 3000 <= result.upper
    assert max(errors) < 0.05
    assert covered >= 10  # a 95% interval: 10 of 12 or better, else it is too narrow


def test_dependent_lists_are_modelled_where_two_lists_alone_fail():
    # Airwars and IBC read the same news: a person in a covered incident is likely on both.
    # The morgue is independent of both. Two-list Chapman on Airwars x IBC is biased far down;
    # the log-linear models with an airwars x ibc interaction are not.
    rng = np.random.default_rng(5)
    n = 6000
    covered = rng.random(n) < 0.3
    seen = {
        "morgue": rng.random(n) < 0.6,
        "airwars": rng.random(n) < np.where(covered, 0.7, 0.05),
        "ibc": rng.random(n) < np.where(covered, 0.6, 0.03),
    }
    frame = histories(seen)
    both = int((frame["in_airwars"] & frame["in_ibc"]).sum())
    naive, _ = chapman(int(frame["in_airwars"].sum()), int(frame["in_ibc"].sum()), both)
    assert naive < 0.75 * n
    row = overall(estimate(frame))
    assert abs(row["estimate"] - n) / n < 0.04
    assert row["lower"] <= n <= row["upper"]
    assert "airwarsxibc" in row["method"]


def test_full_estimate_table_on_four_lists():
    rng = np.random.default_rng(3)
    frame = histories(population(4000, {"morgue": 0.75, "airwars": 0.3, "ibc": 0.2, "amnesty": 0.1}, rng))
    table = estimate(frame)
    EstimatesModel.validate(table)
    row = overall(table)
    assert frame.height <= row["lower"] <= row["estimate"] <= row["upper"]
    assert row["lower"] <= 4000 <= row["upper"]
    assert row["chapman_lower"] <= 4000 <= row["chapman_upper"]
    assert row["headline"].startswith("Between ") and f"{frame.height:,} are documented" in row["headline"]


def test_strata_with_different_capture_are_summed():
    # The east bank's morgue saw 90%, the west's 50%; Airwars watched the west more. Pooled, the
    # heterogeneity biases the total; per bank it does not.
    rng = np.random.default_rng(8)
    east = histories(population(3000, {"morgue": 0.9, "airwars": 0.1, "ibc": 0.15}, rng), bank="east", period="east_phase", prefix="e")
    west = histories(population(5000, {"morgue": 0.5, "airwars": 0.4, "ibc": 0.15}, rng), bank="west", period="west_phase", prefix="w")
    table = estimate(pl.concat([east, west]))
    rows = {r["stratum"]: r for r in table.iter_rows(named=True)}
    assert rows["bank=east"]["lower"] <= 3000 <= rows["bank=east"]["upper"]
    assert rows["bank=west"]["lower"] <= 5000 <= rows["bank=west"]["upper"]
    summed = rows["sum_of_strata"]
    assert summed["lower"] <= 8000 <= summed["upper"] and abs(summed["estimate"] - 8000) / 8000 < 0.04
    assert rows["bank=east,period=west_phase"]["flag"] == "sparse"  # an empty cell is flagged, not estimated


def test_sparse_stratum_is_flagged_not_reported():
    rng = np.random.default_rng(1)
    big = histories(population(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, rng), bank="west")
    small = histories(population(40, {"morgue": 0.7, "airwars": 0.1, "ibc": 0.1}, rng), bank="east", prefix="e")
    table = estimate(pl.concat([big, small]))
    rows = {r["stratum"]: r for r in table.iter_rows(named=True)}
    assert rows["bank=east"]["estimate"] is None and rows["bank=east"]["flag"] == "sparse"
    assert "two or more lists" in rows["bank=east"]["method"]
    assert rows["bank=west"]["estimate"] is not None
    # With one bank not estimable even whole, the strata are not summed: the overall estimate stands.
    assert rows["sum_of_strata"]["estimate"] is None and rows["all"]["estimate"] is not None


def test_a_list_that_overlaps_nobody_is_left_out_not_trusted():
    # Amnesty's 50 victims share nobody with the other lists: kept in, independence would make
    # the total unbounded. It is left out of the model and said so.
    rng = np.random.default_rng(4)
    frame = histories(population(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, rng))
    loners = pl.DataFrame({"victim_id": [f"a{i}" for i in range(50)]}).with_columns(
        pl.lit(False).alias("in_morgue"), pl.lit(False).alias("in_airwars"), pl.lit(False).alias("in_ibc"), pl.lit(True).alias("in_amnesty"),
        pl.lit("west").alias("bank"), pl.lit("west_phase").alias("period"), pl.lit(None, pl.String).alias("party"),
        pl.lit(False).alias("is_unidentified"), pl.lit(False).alias("is_unnamed"),
    )
    row = overall(estimate(pl.concat([frame, loners.select(frame.columns)])))
    assert "left out for too little overlap: amnesty" in row["method"]
    assert row["upper"] < 2 * 3050


def test_near_empty_overlap_gives_no_estimate_rather_than_a_huge_one():
    # Two lists sharing one person: Chapman would say ~ 200 * 200 / 2; that is no estimate.
    frame = pl.DataFrame({
        "in_morgue": [True] * 200 + [False] * 199,
        "in_airwars": [False] * 199 + [True] * 200,
    }).with_columns(
        pl.lit(False).alias("in_ibc"), pl.lit(False).alias("in_amnesty"), pl.int_range(pl.len()).cast(pl.String).alias("victim_id"),
        pl.lit("west").alias("bank"), pl.lit("west_phase").alias("period"), pl.lit(None, pl.String).alias("party"),
        pl.lit(False).alias("is_unidentified"), pl.lit(False).alias("is_unnamed"),
    )
    table = estimate(frame)
    EstimatesModel.validate(table)
    row = overall(table)
    assert row["estimate"] is None and row["flag"] in ("sparse", "unstable")
    assert headline(table).startswith(f"At least {frame.height:,} civilians died")


def test_unidentified_bodies_are_counted_once():
    # 10% of the morgue's bodies come in without a name. Such a body is a victim of its own that
    # no list can match, and its person looks, to the model, like someone the morgue missed: the
    # model already counts them among the unseen. Adding them again would overshoot N by ~7.5%.
    n, estimates, covered = 5000, [], 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        seen = population(n, {"morgue": 0.75, "airwars": 0.3, "ibc": 0.2}, rng)
        unidentified = seen["morgue"] & (rng.random(n) < 0.1)
        seen["morgue"] = seen["morgue"] & ~unidentified
        named = histories(seen)
        bodies = histories({"morgue": np.ones(int(unidentified.sum()), bool)}, prefix="u").with_columns(pl.lit(True).alias("is_unidentified"))
        row = overall(estimate(pl.concat([named, bodies]), EstimationConfig(strata=())))
        assert row["documented"] == named.height + bodies.height
        assert row["in_model"] == named.height
        estimates.append(row["estimate"])
        covered += row["lower"] <= n <= row["upper"]
    assert abs(np.mean(estimates) - n) / n < 0.025
    assert covered >= 4


def linked_population(n: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Victims and person records as a perfect linker would make them, where 30% of IBC's records
    carry no usable name. Such a record can be attached to its person only through another
    list's named record of that person (day, place, age and sex), so it is attached exactly
    when the morgue or Airwars saw the person, and left alone (an unnamed victim) otherwise."""
    seen = population(n, {"morgue": 0.75, "airwars": 0.3, "ibc": 0.2}, rng)
    ibc_unnamed = seen["ibc"] & (rng.random(n) < 0.3)
    named_elsewhere = seen["morgue"] | seen["airwars"]
    records, victims = [], []
    for person in range(n):
        keys = [(f"{source}:{person}", source, not (source == "ibc" and ibc_unnamed[person])) for source in ("morgue", "airwars", "ibc") if seen[source][person]]
        if not keys:
            continue
        records += keys
        alone = [k for k in keys if not k[2] and not named_elsewhere[person]]
        together = [k for k in keys if k not in alone]
        for group in (together, alone):
            if group:
                victims.append({
                    "victim_id": group[0][0], "record_keys": [k[0] for k in group], "sources": sorted({k[1] for k in group}),
                    "is_unidentified": False, "is_linkable": any(k[2] for k in group), "bank": "west", "date_of_death": dt.date(2017, 3, 1),
                })
    person_records = pl.DataFrame(records, schema=["record_key", "source", "has_name"], orient="row")
    return pl.DataFrame(victims), person_records


def test_only_named_records_count_as_captures():
    # Counting the attached nameless IBC records as captures adds IBC captures only where another
    # list saw the person: IBC looks dependent on the others and the estimate falls ~5% short.
    n, with_names, every_record = 5000, [], []
    for seed in range(3):
        victims, person_records = linked_population(n, np.random.default_rng(100 + seed))
        config = EstimationConfig(strata=(), latent_class=False)
        named = overall(estimate(capture_histories(victims, person_records), config))
        assert named["lower"] <= n <= named["upper"]
        with_names.append(named["estimate"])
        every_record.append(overall(estimate(capture_histories(victims), config))["estimate"])
    assert abs(np.mean(with_names) - n) / n < 0.02
    assert np.mean(every_record) < 0.97 * n


def test_capture_histories_count_named_records_only():
    victims = pl.DataFrame({
        "victim_id": ["v1", "v2"], "record_keys": [["morgue:1", "ibc:7"], ["ibc:8"]], "sources": [["ibc", "morgue"], ["ibc"]],
        "is_unidentified": [False, False], "is_linkable": [True, False], "bank": ["west", "west"], "date_of_death": [None, None],
    }, schema_overrides={"date_of_death": pl.Date})
    records = pl.DataFrame({"record_key": ["morgue:1", "ibc:7", "ibc:8"], "source": ["morgue", "ibc", "ibc"], "has_name": [True, False, False]})
    frame = capture_histories(victims, records)
    CaptureHistoriesModel.validate(frame)
    assert frame["in_ibc"].to_list() == [False, True]  # v1's IBC record has no name; v2 is documented, not modelled
    assert frame["in_morgue"].to_list() == [True, False]
    assert frame["is_unnamed"].to_list() == [False, True]


def test_undecided_pairs_enter_as_expected_merges():
    frame = histories({"morgue": np.array([True, False, True, False]), "airwars": np.array([False, True, True, True])})
    # v0 morgue only, v1 airwars only, v2 both, v3 airwars only
    undecided = pl.DataFrame({"victim_id_l": ["0", "0", "1"], "victim_id_r": ["1", "2", "3"], "probability": [0.6, 0.9, 0.5]})
    rows = expected_histories(frame, undecided, LISTS)
    weights = dict(zip(rows["victim_id"], rows["weight"]))
    # 0-2 share the morgue: not a merge that changes the table; 1-3 share Airwars likewise.
    assert weights == {"0": pytest.approx(0.4), "1": pytest.approx(0.4), "2": 1.0, "3": 1.0, "0+1": pytest.approx(0.6)}
    union = rows.filter(pl.col("victim_id") == "0+1").row(0, named=True)
    assert union["in_morgue"] and union["in_airwars"] and union["bank"] == "west"
    assert rows["weight"].sum() == pytest.approx(4 - 0.6)
    # A victim in two undecided pairs never loses more than itself.
    crowded = pl.DataFrame({"victim_id_l": ["0", "0"], "victim_id_r": ["1", "3"], "probability": [0.8, 0.8]})
    weights = dict(zip(*expected_histories(frame, crowded, LISTS).select("victim_id", "weight")))
    assert weights["0"] == pytest.approx(0.0) and weights["0+1"] == pytest.approx(0.5)


def test_undecided_links_come_from_the_review_queue():
    queue = pl.DataFrame({
        "record_key_l": ["m:1", "m:1", "m:2", "m:3", "m:4"], "record_key_r": ["a:1", "a:9", "a:2", "i:3", "a:4"],
        "victim_id_l": ["v1", "v1", "v2", "v3", "v4"], "victim_id_r": ["w1", "w1", "w2", "v3", "w4"],
        "match_probability": [0.4, 0.55, 0.5, 0.6, 0.7], "reason": ["uncertain", "uncertain", "uncertain", "uncertain", "refused_by_guard"],
    })
    records = pl.DataFrame({"record_key": ["m:1", "a:1", "a:9", "m:2", "a:2", "m:3", "i:3", "m:4", "a:4"], "has_name": [True, True, True, True, False, True, True, True, True]})
    links = undecided_links(queue, records)
    # v1-w1 once, at its best pair; v2-w2 has a record without a name; v3 is one victim already;
    # v4-w4 was refused by a guard (decided), not undecided.
    assert links.rows() == [("v1", "w1", 0.55)]


def test_calibrated_undecided_links_remove_the_bias_of_missed_ones():
    # The linker misses 8% of the links between the morgue and Airwars and leaves each of them
    # undecided at probability 0.5, beside as many pairs of two different people on those lists,
    # also at 0.5 (calibrated: half the undecided pairs are true). Missed links split people
    # and push the estimate up; counted at their probability they no longer do.
    n, ignored, counted = 6000, [], []
    for seed in range(3):
        rng = np.random.default_rng(300 + seed)
        seen = population(n, {"morgue": 0.75, "airwars": 0.3, "ibc": 0.2}, rng)
        frame = histories(seen)
        both = frame.filter(pl.col("in_morgue") & pl.col("in_airwars") & ~pl.col("in_ibc"))
        missed = both.sample(fraction=0.08, seed=seed)["victim_id"]
        halves = frame.filter(~pl.col("victim_id").is_in(missed.implode())).vstack(
            frame.filter(pl.col("victim_id").is_in(missed.implode())).with_columns(pl.lit(False).alias("in_airwars")).vstack(
                frame.filter(pl.col("victim_id").is_in(missed.implode())).with_columns(pl.lit(False).alias("in_morgue"), (pl.col("victim_id") + "a").alias("victim_id"))
            )
        )
        morgue_only = frame.filter(pl.col("in_morgue") & ~pl.col("in_airwars") & ~pl.col("in_ibc"))["victim_id"].head(len(missed))
        airwars_only = frame.filter(~pl.col("in_morgue") & pl.col("in_airwars") & ~pl.col("in_ibc"))["victim_id"].head(len(missed))
        undecided = pl.DataFrame({
            "victim_id_l": [*missed, *morgue_only], "victim_id_r": [*(missed + "a"), *airwars_only], "probability": [0.5] * (len(missed) + len(morgue_only)),
        })
        config = EstimationConfig(strata=(), latent_class=False)
        ignored.append(overall(estimate(halves, config))["estimate"])
        counted.append(overall(estimate(halves, config, undecided))["estimate"])
    assert np.mean(ignored) > 1.04 * n  # the split people inflate the estimate
    assert abs(np.mean(counted) - n) / n < 0.02


def test_the_interval_covers_the_undecided_links_resolved_either_way():
    # As above: 8% of the morgue-Airwars links missed and left undecided at 0.5, beside as many
    # pairs of different people. The estimate stays where the probabilities put it; the interval
    # reaches the estimates' intervals with every undecided pair merged and every one apart.
    rng = np.random.default_rng(300)
    frame = histories(population(6000, {"morgue": 0.75, "airwars": 0.3, "ibc": 0.2}, rng))
    both = frame.filter(pl.col("in_morgue") & pl.col("in_airwars") & ~pl.col("in_ibc"))
    missed = both.sample(fraction=0.08, seed=0)["victim_id"]
    split = frame.filter(~pl.col("victim_id").is_in(missed.implode())).vstack(
        frame.filter(pl.col("victim_id").is_in(missed.implode())).with_columns(pl.lit(False).alias("in_airwars")).vstack(
            frame.filter(pl.col("victim_id").is_in(missed.implode())).with_columns(pl.lit(False).alias("in_morgue"), (pl.col("victim_id") + "a").alias("victim_id"))
        )
    )
    others_l = frame.filter(pl.col("in_morgue") & ~pl.col("in_airwars") & ~pl.col("in_ibc"))["victim_id"].head(len(missed))
    others_r = frame.filter(~pl.col("in_morgue") & pl.col("in_airwars") & ~pl.col("in_ibc"))["victim_id"].head(len(missed))
    undecided = pl.DataFrame({"victim_id_l": [*missed, *others_l], "victim_id_r": [*(missed + "a"), *others_r], "probability": [0.5] * (2 * len(missed))})
    plain = EstimationConfig(strata=(), latent_class=False, linkage_envelope=False)
    widened = overall(estimate(split, EstimationConfig(strata=(), latent_class=False), undecided))
    model_only = overall(estimate(split, plain, undecided))
    merged = overall(estimate(split, plain, undecided.with_columns(pl.lit(1.0).alias("probability"))))
    apart = overall(estimate(split, plain))
    assert widened["estimate"] == pytest.approx(model_only["estimate"])
    assert merged["estimate"] < model_only["estimate"] < apart["estimate"]
    assert widened["lower"] == pytest.approx(min(model_only["lower"], merged["lower"], apart["lower"]))
    assert widened["upper"] == pytest.approx(max(model_only["upper"], merged["upper"], apart["upper"]))
    assert widened["lower"] < model_only["lower"] and widened["upper"] > model_only["upper"]
    assert "all merged" in widened["method"] and "all apart" in widened["method"]


def test_two_lists_fall_back_to_chapman():
    rng = np.random.default_rng(2)
    frame = histories(population(2000, {"morgue": 0.6, "airwars": 0.4}, rng))
    row = overall(estimate(frame))
    assert row["method"].startswith("Chapman two-list estimate")
    n1, n2 = int(frame["in_morgue"].sum()), int(frame["in_airwars"].sum())
    m = int((frame["in_morgue"] & frame["in_airwars"]).sum())
    assert row["estimate"] == pytest.approx(chapman(n1, n2, m)[0])
    assert row["lower"] <= 2000 <= row["upper"]


def test_chapman_textbook_example():
    # 100 marked, 80 caught, 20 of them marked: (101 * 81 / 21) - 1 = 388.57; Seber's variance
    # 101 * 81 * 80 * 60 / (21^2 * 22) = 4047.5.
    estimate_, variance = chapman(100, 80, 20)
    assert estimate_ == pytest.approx(388.571, abs=1e-3)
    assert variance == pytest.approx(4047.5, abs=0.1)
    total, lower, upper = chapman_interval(100, 80, 20)
    assert 160 < lower < total < upper and lower > 100 + 80 - 20


def test_independence_model_on_two_lists_is_lincoln_petersen():
    counts = np.array([60.0, 80.0, 20.0])  # only the second list, only the first, both
    result = model_averaged(counts, 2)
    assert result.estimate == pytest.approx(100 * 80 / 20)  # n1 * n2 / m
    assert result.lower < 400 < result.upper


def test_unknown_strata_are_spread_by_capture_history():
    known = pl.DataFrame({
        "in_morgue": [True] * 40 + [True] * 10,
        "in_airwars": [False] * 40 + [True] * 10,
        "bank": ["east"] * 30 + ["west"] * 10 + ["west"] * 10,
        "period": ["east_phase"] * 30 + ["west_phase"] * 20,
    })
    unknown = pl.DataFrame({"in_morgue": [True] * 8, "in_airwars": [False] * 8, "bank": [None] * 8, "period": ["unknown"] * 8}, schema=known.schema)
    spread = allocate(pl.concat([known, unknown]), ["in_morgue", "in_airwars"], {"bank": LEVELS["bank"], "period": LEVELS["period"]})
    assert spread["weight"].sum() == pytest.approx(58)
    morgue_only = spread.filter(~pl.col("in_airwars")).group_by("bank", "period").agg(pl.col("weight").sum())
    shares = {(b, p): w for b, p, w in morgue_only.iter_rows()}
    # Morgue-only victims are 30 east / 10 west among the known: the 8 unknown go 6 / 2.
    assert shares[("east", "east_phase")] == pytest.approx(36)
    assert shares[("west", "west_phase")] == pytest.approx(12)


def test_capture_histories_from_victims():
    victims = pl.DataFrame({
        "victim_id": ["v1", "v2", "v3", "v4"],
        "sources": [["morgue", "airwars"], ["ibc"], ["morgue"], ["amnesty", "ibc"]],
        "is_unidentified": [False, False, True, False],
        "name_ar": ["محمد", None, None, None],
        "name_latin": ["Mohammed", None, None, "Ali"],
        "bank": ["west", "east", None, "west"],
        "date_of_death": [dt.date(2017, 3, 17), dt.date(2016, 11, 2), None, dt.date(2017, 2, 19)],
    })
    frame = capture_histories(victims)
    CaptureHistoriesModel.validate(frame)
    assert frame["in_morgue"].to_list() == [True, False, True, False]
    assert frame["in_amnesty"].to_list() == [False, False, False, True]
    assert frame["period"].to_list() == ["west_phase", "east_phase", "unknown", "west_phase"]
    assert frame["party"].null_count() == 4  # called before attribution
    assert frame["is_unnamed"].to_list() == [False, True, False, False]
    with_party = capture_histories(victims.with_columns(pl.lit("undetermined").alias("party")))
    assert with_party["party"].to_list() == ["undetermined"] * 4


def test_party_strata_are_documented_but_not_estimated():
    rng = np.random.default_rng(6)
    frame = histories(population(2000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, rng))
    frame = frame.with_columns(pl.when(pl.col("in_airwars")).then(pl.lit("coalition_or_iraqi")).otherwise(pl.lit("undetermined")).alias("party"))
    rows = {r["stratum"]: r for r in estimate(frame).iter_rows(named=True)}
    assert rows["party=coalition_or_iraqi"]["estimate"] is None
    assert rows["party=coalition_or_iraqi"]["flag"] == "not_estimated"
    assert rows["party=coalition_or_iraqi"]["documented"] + rows["party=undetermined"]["documented"] == frame.height


def test_config_bic_weights_still_cover():
    rng = np.random.default_rng(12)
    frame = histories(population(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25, "amnesty": 0.15}, rng))
    row = overall(estimate(frame, EstimationConfig(criterion="bic", strata=("bank",))))
    assert row["lower"] <= 3000 <= row["upper"] and "BIC-weighted" in row["method"]


def test_latent_classes_cover_a_total_with_heterogeneous_capture():
    # Half the people are easier to see on every list than the other half: every pair of lists is
    # positively dependent through the classes, which the latent-class model is built for.
    rng = np.random.default_rng(22)
    n = 4000
    easy = rng.random(n) < 0.5
    probabilities = {"morgue": (0.85, 0.6), "airwars": (0.4, 0.2), "ibc": (0.3, 0.15), "amnesty": (0.2, 0.1)}
    seen = {name: rng.random(n) < np.where(easy, hi, lo) for name, (hi, lo) in probabilities.items()}
    frame = histories(seen)
    result = latent_class_estimate(counts_of(frame, LISTS), 4)
    assert frame.height < result.lower <= n <= result.upper
    assert abs(result.estimate - n) / n < 0.06
