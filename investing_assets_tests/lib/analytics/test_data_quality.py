from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from investing_assets.lib.analytics.data_quality import ISSUES, ScreenConfig, nearest_split_ratio, screen_bars
from investing_assets.lib.core import calendar

DAYS = calendar.sessions_between(dt.date(2020, 1, 2), dt.date(2021, 12, 31))


def _bars(symbol: str, n: int = len(DAYS), seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.015, n)))
    open_ = close * np.exp(rng.normal(0, 0.004, n))
    return pl.DataFrame(
        {
            "symbol": symbol,
            "session": DAYS[:n],
            "open": open_,
            "high": np.maximum(open_, close) * 1.01,
            "low": np.minimum(open_, close) * 0.99,
            "close": close,
            "adj_close": close,
            "volume": rng.integers(1_000_000, 2_000_000, n),
        }
    )


def _rows_from(row: int) -> pl.Expr:
    return pl.int_range(pl.len()) >= row


def _split(bars: pl.DataFrame, row: int, ratio: float, volume_factor: float) -> pl.DataFrame:
    """Prices from `row` on divided by `ratio` (2.0: a 2:1 split nobody adjusted), volume scaled."""
    return bars.with_columns(
        *(pl.when(_rows_from(row)).then(pl.col(c) / ratio).otherwise(pl.col(c)).alias(c)
          for c in ("open", "high", "low", "close", "adj_close")),
        pl.when(_rows_from(row)).then((pl.col("volume") * volume_factor).round().cast(pl.Int64))
        .otherwise(pl.col("volume")).alias("volume"),
    )  # fmt: skip


def _issues(issues: pl.DataFrame, symbol: str) -> list[tuple[str, str]]:
    return issues.filter(pl.col("symbol") == symbol).select("issue", "action").rows()


def test_clean_bars_pass_untouched() -> None:
    bars = _bars("OK")
    clean, issues = screen_bars(bars)
    assert issues.schema == pl.Schema(ISSUES) and issues.height == 0
    assert clean.drop("detectable").equals(bars)
    assert clean["detectable"].all()


def test_an_unadjusted_split_with_its_volume_jump_is_back_adjusted() -> None:
    bars = _split(_bars("SPLIT"), 300, 2.0, 2.0)
    clean, issues = screen_bars(bars)
    assert _issues(issues, "SPLIT") == [("split", "back_adjusted")]
    row = issues.row(0, named=True)
    assert (
        row["session"] == DAYS[300] and "2:1 split" in row["reason"] and "multiplied by 0.5" in row["reason"]
    )
    original = _bars("SPLIT")
    np.testing.assert_allclose(clean["close"].to_numpy(), original["close"].to_numpy() / 2.0, rtol=1e-12)
    np.testing.assert_allclose(
        clean["volume"].to_numpy(), original["volume"].to_numpy() * 2.0, rtol=1e-6, atol=1
    )
    assert clean["detectable"].all()


def test_a_reverse_split_is_recognised_too() -> None:
    bars = _split(_bars("REV"), 200, 1 / 3, 1 / 3)  # 1:3 reverse split: price x3, volume / 3
    _, issues = screen_bars(bars)
    assert _issues(issues, "REV") == [("split", "back_adjusted")]
    assert "1:3 reverse" in issues["reason"].item()


def test_a_split_sized_gap_without_the_volume_change_is_not_adjusted_but_fenced_off() -> None:
    bars = _split(_bars("GAP"), 300, 2.0, 1.0)
    clean, issues = screen_bars(bars, ScreenConfig(split_window=50))
    assert _issues(issues, "GAP") == [("split", "excluded_window")]
    np.testing.assert_array_equal(clean["close"].to_numpy(), bars["close"].to_numpy())
    flags = clean["detectable"].to_numpy()
    assert not flags[250:350].any() and flags[:250].all() and flags[350:].all()


def test_missing_sessions_short_gaps_are_kept_a_long_gap_cuts_the_history() -> None:
    short = _bars("SHORTGAP").filter(~pl.col("session").is_in(DAYS[100:103]))
    long = _bars("LONGGAP", seed=1).filter(~pl.col("session").is_in(DAYS[100:110]))
    clean, issues = screen_bars(pl.concat([short, long]))
    assert _issues(issues, "SHORTGAP") == [("missing_sessions", "kept")]
    assert issues.filter(pl.col("symbol") == "SHORTGAP")["sessions"].item() == 3
    assert _issues(issues, "LONGGAP") == [("missing_sessions", "dropped_rows")]
    assert clean.filter(pl.col("symbol") == "LONGGAP")["session"].min() == DAYS[110]
    assert clean.filter(pl.col("symbol") == "SHORTGAP").height == len(DAYS) - 3


def test_off_calendar_rows_are_dropped() -> None:
    bars = _bars("WKND")
    saturday = bars.head(1).with_columns(session=pl.lit(dt.date(2020, 1, 4)))
    clean, issues = screen_bars(pl.concat([bars, saturday]))
    assert _issues(issues, "WKND") == [("off_calendar", "dropped_rows")]
    assert clean.height == bars.height


def test_short_history_is_excluded_with_its_length() -> None:
    clean, issues = screen_bars(pl.concat([_bars("NEW", n=30), _bars("OLD")]))
    assert _issues(issues, "NEW") == [("short_history", "excluded")]
    assert "30 bar(s)" in issues["reason"].item()
    assert set(clean["symbol"]) == {"OLD"}


def test_flat_runs_are_kept_but_not_detectable_a_flat_symbol_is_excluded() -> None:
    stale = _bars("STALE").with_columns(
        *(pl.when(pl.int_range(pl.len()).is_between(100, 119)).then(40.0).otherwise(pl.col(c)).alias(c)
          for c in ("open", "high", "low", "close"))
    )  # fmt: skip
    dead = _bars("DEAD").with_columns(*(pl.lit(12.0).alias(c) for c in ("open", "high", "low", "close")))
    clean, issues = screen_bars(pl.concat([stale, dead]))
    assert _issues(issues, "STALE") == [("flat_prices", "kept")]
    assert _issues(issues, "DEAD") == [("flat_prices", "excluded")]
    flags = clean.filter(pl.col("symbol") == "STALE")["detectable"].to_numpy()
    assert not flags[101:120].any() and flags[:100].all() and flags[120:].all()


def test_zero_volume_is_reported_and_kept() -> None:
    bars = _bars("QUIET").with_columns(
        volume=pl.when(pl.int_range(pl.len()) < 5).then(0).otherwise(pl.col("volume"))
    )
    clean, issues = screen_bars(bars)
    assert _issues(issues, "QUIET") == [("zero_volume", "kept")]
    assert clean.height == bars.height


def test_null_and_non_positive_prices_are_dropped() -> None:
    bars = _bars("BAD").with_columns(
        close=pl.when(pl.int_range(pl.len()) == 7).then(None).otherwise(pl.col("close"))
    )
    clean, issues = screen_bars(bars)
    # The dropped bar leaves a one-session hole, which is then reported like any other.
    assert _issues(issues, "BAD") == [("bad_price", "dropped_rows"), ("missing_sessions", "kept")]
    assert clean.height == bars.height - 1


def test_empty_input_and_missing_columns() -> None:
    clean, issues = screen_bars(_bars("X").clear())
    assert clean.height == 0 and issues.height == 0
    with pytest.raises(ValueError, match="volume"):
        screen_bars(_bars("X").drop("volume"))


def test_split_ratios() -> None:
    got = nearest_split_ratio(np.array([0.5, 0.51, 0.333, 2.02, 0.8, 1.0, 3.0]))
    np.testing.assert_allclose(got[[0, 1, 3, 6]], [0.5, 0.5, 2.0, 3.0])
    assert got[2] == pytest.approx(1 / 3)
    assert np.isnan(got[4]) and np.isnan(got[5])
