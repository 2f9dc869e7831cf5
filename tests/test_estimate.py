"""The estimator on synthetic lists with a known total, and its guards."""

import numpy as np
import polars as pl

from pipeline.estimate import estimate
from pipeline.estimate.loglinear import chapman


def synthetic(n: int, probabilities: dict[str, float], seed: int, bank: str = "west") -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    seen = {name: rng.random(n) < p for name, p in probabilities.items()}
    captured = np.any(np.column_stack(list(seen.values())), axis=1)
    frame = pl.DataFrame({f"in_{name}": flags[captured] for name, flags in seen.items()})
    for name in ("morgue", "airwars", "ibc", "amnesty"):
        if f"in_{name}" not in frame.columns:
            frame = frame.with_columns(pl.lit(False).alias(f"in_{name}"))
    return frame.with_columns(
        pl.int_range(pl.len()).cast(pl.String).alias("victim_id"), pl.lit(bank).alias("bank"), pl.lit("west_phase").alias("period"),
        pl.lit(None, pl.String).alias("party"), pl.lit(False).alias("is_unidentified"), pl.lit(False).alias("is_unnamed"),
    )


def test_independent_lists_recover_the_total():
    covered = 0
    for seed in range(10):
        histories = synthetic(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, seed)
        row = estimate(histories).filter(pl.col("stratum") == "all").row(0, named=True)
        assert abs(row["estimate"] - 3000) / 3000 < 0.06
        covered += row["lower"] <= 3000 <= row["upper"]
    assert covered >= 8


def test_interval_contains_estimate_and_floor_is_documented():
    histories = synthetic(2000, {"morgue": 0.6, "airwars": 0.4, "ibc": 0.3, "amnesty": 0.2}, 3)
    row = estimate(histories).filter(pl.col("stratum") == "all").row(0, named=True)
    assert histories.height <= row["lower"] <= row["estimate"] <= row["upper"]


def test_sparse_stratum_is_pooled_not_reported():
    big = synthetic(3000, {"morgue": 0.7, "airwars": 0.3, "ibc": 0.25}, 1, bank="west")
    small = synthetic(40, {"morgue": 0.7, "airwars": 0.1, "ibc": 0.1}, 2, bank="east").with_columns(pl.concat_str(pl.lit("e"), "victim_id").alias("victim_id"))
    result = estimate(pl.concat([big, small]))
    east = result.filter(pl.col("stratum") == "bank=east").row(0, named=True)
    assert east["estimate"] is None and "pooled" in east["method"]
    assert result.filter(pl.col("stratum") == "bank=west")["estimate"][0] is not None


def test_chapman_textbook_example():
    # 100 marked, 80 caught, 20 recaptured: (101 * 81 / 21) - 1 = 388.57
    estimate_, variance = chapman(100, 80, 20)
    assert round(estimate_, 2) == 388.57 and variance > 0
