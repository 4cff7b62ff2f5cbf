from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from investing_assets.lib.analytics.chart_patterns import FAMILIES, detect_chart_patterns
from investing_assets.lib.analytics.pattern_evaluation import (
    EVALUATION,
    FAMILY_ORDER,
    NOISE_TARGET,
    PRECISION_TARGET,
    RECALL_TARGET,
    FamilyRecall,
    NoiseRate,
    evaluate,
    false_detections_per_symbol_year,
    noise_bars,
    planted_quality,
    random_walk_quality,
)
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.planted import PLANTED_PATTERNS
from investing_assets.lib.synthetic.source import DemoSource

# Four years of every planted symbol: ~150 formations of >= 3 ATR, 200 symbol-years of noise.
YEARS = calendar.sessions_between(dt.date(2014, 1, 1), dt.date(2017, 12, 31))


@pytest.fixture(scope="module")
def planted() -> pl.DataFrame:
    return DemoSource().planted_patterns()


@pytest.fixture(scope="module")
def symbols(planted: pl.DataFrame) -> list[str]:
    return sorted(planted["symbol"].unique())


# --------------------------------------------------------------------------------------- ground truth


def test_planted_patterns_cover_every_family_in_a_tenth_of_the_universe(planted: pl.DataFrame) -> None:
    assert planted.schema == pl.Schema(PLANTED_PATTERNS)
    universe = DemoSource().universe(dt.date(2025, 6, 2)).height
    assert 0.05 * universe <= planted["symbol"].n_unique() <= 0.15 * universe
    assert set(planted["pattern"]) == set(FAMILIES)
    assert planted["amplitude_atr"].min() < 1.5 and planted["amplitude_atr"].max() > 5.5
    assert (planted["start_session"] < planted["completion_session"]).all()
    assert planted.select((pl.col("key_points").list.len() >= 3).all()).item()
    same = planted.join(planted, on="symbol").filter(
        pl.col("start_session_right") > pl.col("start_session"),
        pl.col("start_session_right") <= pl.col("completion_session"),
    )
    assert same.height == 0  # formations of one symbol never overlap


def test_planting_is_deterministic_and_leaves_other_symbols_alone(
    planted: pl.DataFrame, symbols: list[str]
) -> None:
    assert DemoSource().planted_patterns().equals(planted)
    assert DemoSource(plant_patterns=False).planted_patterns().height == 0
    days = calendar.sessions_between(dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    with_plants, without = DemoSource().daily_bars(days), DemoSource(plant_patterns=False).daily_bars(days)
    others = ~pl.col("symbol").is_in(symbols)
    assert with_plants.filter(others).equals(without.filter(others))
    assert not with_plants.filter(~others).equals(without.filter(~others))
    checks = with_plants.filter(~others).select(
        low_ok=(pl.col("low") <= pl.min_horizontal("open", "close")).all(),
        high_ok=(pl.col("high") >= pl.max_horizontal("open", "close")).all(),
        positive=(pl.col("low") > 0).all(),
    )
    assert checks.row(0) == (True, True, True)


def test_key_points_are_the_realised_closes(planted: pl.DataFrame) -> None:
    row = planted.row(0, named=True)
    sessions = [p["session"] for p in row["key_points"]]
    bars = DemoSource().daily_bars(sessions, [row["symbol"]])
    assert bars["close"].to_list() == [p["price"] for p in row["key_points"]]


# ------------------------------------------------------------------------------------------ evaluate


def _planted_row(symbol: str, pattern: str, direction: str, completion: dt.date, atr: float) -> dict:
    return {
        "symbol": symbol, "pattern": pattern, "direction": direction,
        "start_session": calendar.sessions_ending(completion, 40)[0], "completion_session": completion,
        "amplitude": atr, "amplitude_atr": atr, "key_points": [],
    }  # fmt: skip


def _detection(symbol: str, pattern: str, direction: str, end: dt.date) -> dict:
    return {"symbol": symbol, "pattern": pattern, "family": FAMILIES[pattern], "direction": direction,
            "end_session": end}  # fmt: skip


def test_evaluate_matches_on_family_direction_and_tolerance() -> None:
    day = dt.date(2020, 6, 1)
    later = calendar.sessions_between(day, dt.date(2020, 7, 31))
    truth = pl.DataFrame(
        [
            _planted_row("A", "ascending_triangle", "bullish", day, 4.0),  # found as another triangle
            _planted_row("B", "double_top", "bearish", day, 3.5),  # found 11 sessions late: missed
            _planted_row("C", "head_and_shoulders", "bearish", day, 2.0),  # found, but small
            _planted_row("D", "rising_wedge", "bearish", day, 5.0),  # found with the wrong direction
        ],
        schema=PLANTED_PATTERNS,
    )
    found = pl.DataFrame(
        [
            _detection("A", "symmetric_triangle", "bullish", later[10]),
            _detection("B", "double_top", "bearish", later[11]),
            _detection("C", "head_and_shoulders", "bearish", calendar.sessions_ending(day, 4)[0]),
            _detection("D", "falling_wedge", "bullish", day),
            _detection("Z", "rectangle", "bullish", day),  # not a planted symbol: ignored here
        ]
    )
    result = evaluate(found, truth, tolerance_sessions=10)
    assert result.schema == pl.Schema(EVALUATION)
    assert result["family"].to_list() == [*FAMILY_ORDER, "all"]
    total = result.filter(pl.col("family") == "all").row(0, named=True)
    assert (total["planted"], total["recalled"], total["planted_large"], total["recalled_large"]) == (
        4,
        2,
        3,
        1,
    )
    assert (total["detections"], total["matched_detections"]) == (4, 2)
    assert total["precision"] == pytest.approx(0.5)
    triangle = result.filter(pl.col("family") == "triangle").row(0, named=True)
    assert (triangle["recall_large"], triangle["precision"]) == (1.0, 1.0)
    assert result.filter(pl.col("family") == "double")["recall_large"].item() == 0.0
    assert result.filter(pl.col("family") == "rectangle")["recall"].item() is None  # nothing planted


def test_false_detections_per_symbol_year() -> None:
    found = pl.DataFrame([_detection("N", "double_top", "bearish", dt.date(2020, 6, 1))] * 3)
    rates = false_detections_per_symbol_year(found, 10.0)
    assert dict(rates.select("family", "per_symbol_year").iter_rows())["double"] == pytest.approx(0.3)
    assert rates.filter(pl.col("family") == "all")["detections"].item() == 3
    bars = noise_bars(2, 252, seed=1)
    assert false_detections_per_symbol_year(found.clear(), bars)["per_symbol_year"].sum() == 0.0


def test_noise_bars_are_valid_deterministic_random_walks() -> None:
    bars = noise_bars(3, 500, seed=5)
    assert bars.height == 1500 and bars["symbol"].n_unique() == 3
    assert bars.equals(noise_bars(3, 500, seed=5)) and not bars.equals(noise_bars(3, 500, seed=6))
    assert all(calendar.is_session(d) for d in bars["session"].unique().to_list())
    assert bars.select(
        low_ok=(pl.col("low") <= pl.min_horizontal("open", "close")).all(),
        high_ok=(pl.col("high") >= pl.max_horizontal("open", "close")).all(),
        positive=(pl.col("low") > 0).all(),
    ).row(0) == (True, True, True)
    close = bars.filter(pl.col("symbol") == "NOISE0000")["close"].to_numpy()
    vol = np.diff(np.log(close)).std() * np.sqrt(252)
    assert 0.1 < vol < 0.7


# ----------------------------------------------------------------------------------- quality figures


def test_planted_quality_is_evaluate_and_the_noise_rate_on_the_bars_it_is_given(planted: pl.DataFrame) -> None:
    through = dt.date(2011, 12, 30)
    asked: list[tuple[int, list[str]]] = []

    def bars_for(source: DemoSource):
        def daily_bars(sessions, symbols):
            asked.append((len(sessions), list(symbols)))
            return source.daily_bars(sessions, symbols)

        return daily_bars

    result = planted_quality(planted, bars_for(DemoSource()), bars_for(DemoSource(plant_patterns=False)),
                             through=through)  # fmt: skip
    truth = planted.filter(pl.col("completion_session") <= through)
    symbols = sorted(truth["symbol"].unique())
    sessions = calendar.sessions_between(calendar.CALENDAR_START, through)
    assert asked == [(len(sessions), symbols)] * 2  # planted symbols, whole history, both markets
    assert (result.symbols, result.sessions) == (len(symbols), len(sessions))

    expected = evaluate(detect_chart_patterns(DemoSource().daily_bars(sessions, symbols)), truth)
    assert [r.family for r in result.recall] == [*FAMILY_ORDER, "all"]
    assert result.recall == tuple(FamilyRecall(*row) for row in expected.select(
        "family", "planted_large", "recalled_large", "recall_large", "recall", "precision", "precision_in_windows"
    ).iter_rows())  # fmt: skip

    control = DemoSource(plant_patterns=False).daily_bars(sessions, symbols)
    rates = false_detections_per_symbol_year(detect_chart_patterns(control), control)
    per_family = rates.filter(pl.col("family") != "all")
    assert result.noise == tuple(NoiseRate(*row) for row in per_family.iter_rows())
    assert result.worst_noise.per_symbol_year == per_family["per_symbol_year"].max()


def test_quality_figures_meet_their_target_at_the_threshold() -> None:
    assert FamilyRecall("double", 10, 8, RECALL_TARGET, 0.5, PRECISION_TARGET, None).meets_target
    assert not FamilyRecall("double", 0, 0, None, None, None, None).meets_target  # nothing planted
    # Recall alone is not enough: a family whose detections are mostly false misses its target.
    imprecise = FamilyRecall("double", 10, 9, 0.9, 0.9, PRECISION_TARGET - 0.01, 0.9)
    assert imprecise.meets_recall_target and not imprecise.meets_precision_target and not imprecise.meets_target
    assert not FamilyRecall("double", 10, 8, RECALL_TARGET, 0.5, None, None).meets_target  # no detections
    assert NoiseRate("wedge", 3, NOISE_TARGET).meets_target
    assert not NoiseRate("wedge", 3, NOISE_TARGET + 0.01).meets_target


def test_random_walk_quality_counts_every_detection_as_false() -> None:
    result = random_walk_quality(walks=20, sessions=600, seed=3)
    bars = noise_bars(20, 600, seed=3)
    rates = false_detections_per_symbol_year(detect_chart_patterns(bars), bars)
    assert (result.walks, result.sessions) == (20, 600)
    assert [r.family for r in result.noise] == list(FAMILY_ORDER)
    assert result.all_families == rates.filter(pl.col("family") == "all")["per_symbol_year"].item()
    assert sum(r.detections for r in result.noise) == rates.filter(pl.col("family") == "all")["detections"].item()
    assert result.worst_noise.per_symbol_year == max(r.per_symbol_year for r in result.noise)


# ---------------------------------------------------------------------------------------- the targets


def test_recall_on_planted_and_false_rate_on_noise_meet_the_targets(
    symbols: list[str], planted: pl.DataFrame
) -> None:
    """Targets: recall >= 0.8 on formations of >= 3 ATR, <= 0.2 false detections per symbol-year per
    family on noise (the same symbols without plants, and independent random walks). Per family this
    sample holds only 8-28 large formations, so a family may sit a few points under 0.8 by chance; the
    test asks 0.7 per family and 0.8 overall, and the bench measures every family on the full history."""
    truth = planted.filter(pl.col("start_session") >= YEARS[130], pl.col("completion_session") <= YEARS[-1])
    found = detect_chart_patterns(DemoSource().daily_bars(YEARS, symbols))
    result = evaluate(found, truth)
    total = result.filter(pl.col("family") == "all").row(0, named=True)
    assert total["planted_large"] >= 100
    assert total["recall_large"] >= 0.8, result
    assert result.filter(pl.col("family") != "all")["recall_large"].min() >= 0.7, result

    control = DemoSource(plant_patterns=False).daily_bars(YEARS, symbols)
    rates = false_detections_per_symbol_year(detect_chart_patterns(control), control)
    assert rates.filter(pl.col("family") != "all")["per_symbol_year"].max() <= 0.2, rates

    walks = noise_bars(40, 2_520, seed=11)  # 400 symbol-years
    rates = false_detections_per_symbol_year(detect_chart_patterns(walks), walks)
    assert rates.filter(pl.col("family") != "all")["per_symbol_year"].max() <= 0.2, rates


def test_every_family_meets_its_targets_on_the_whole_planted_demo(planted: pl.DataFrame) -> None:
    """The figures `investing scan evaluate` prints, to a fixed session (they move as the calendar
    advances): recall on formations of >= 3 ATR, precision over every detection on the planted symbols and
    noise rates, per family."""
    result = planted_quality(planted, DemoSource().daily_bars, DemoSource(plant_patterns=False).daily_bars,
                             through=dt.date(2026, 11, 30))  # fmt: skip
    assert all(row.meets_recall_target for row in result.recall), result.recall
    assert all(row.meets_precision_target for row in result.recall), result.recall
    assert all(rate.meets_target for rate in result.noise), result.noise
