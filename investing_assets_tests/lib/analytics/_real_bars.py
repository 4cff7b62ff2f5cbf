"""Real bar histories around a real split and a real dividend, built from recorded Yahoo data.

The core is yfinance's recorded 4063.T (Shin-Etsu Chemical) daily history, 2023-03-15 .. 2023-04-14
(../shared/data/fixtures/yfinance_tests_data): a 5:1 split that the raw prices show between 2023-03-28 (close
20,710) and 2023-03-29 (open 4,146) (Tokyo's ex-rights date, two sessions before the 2023-03-31 record date) and a
55 JPY dividend Yahoo dates 2023-03-30. Two recordings of it exist: `bad` (Yahoo's raw answer, the split not applied:
raw OHLC and raw volume) and `fixed` (yfinance's repair: split-adjusted OHLC and volume, Yahoo's Adj Close carrying
the dividend).

22 sessions cannot feed a 283-session indicator window, so each history is preceded by EA's recorded 15-minute
bars (EA-15m-no-bad-divs.csv, its 176 rows with volume), one per session, played twice (the second pass scaled to
open where the first closed) and rescaled to 4063.T's first open and median volume: real price paths, not a model. All rows are re-dated onto consecutive NYSE sessions ending SESSION_END (the
project's calendar), keeping their order; the split and the dividend move with their rows.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import CORPORATE_ACTIONS
from investing_assets.lib.sources.csv_folder import parse_bars_csv
from investing_assets_tests.lib.sources._replay import YFINANCE_DATA, recorded

SYMBOL = "SHIN"
SESSION_END = dt.date(2023, 4, 14)
SPLIT_ROW_DATE = dt.date(2023, 3, 29)  # the first raw bar at the post-split level
DIVIDEND_ROW_DATE = dt.date(2023, 3, 30)  # Yahoo's ex-date of the 55 JPY dividend
SPLIT_RATIO = 5.0
DIVIDEND = 55.0


def _csv(name: str) -> pl.DataFrame:
    text = recorded(YFINANCE_DATA / name).read_text()
    return parse_bars_csv(SYMBOL, re.sub(r" \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}", "", text), origin=name)


def _prefix(first_open: float, median_volume: float) -> pl.DataFrame:
    text = recorded(YFINANCE_DATA / "EA-15m-no-bad-divs.csv").read_text()
    once = pl.read_csv(text.encode()).filter(pl.col("Volume") > 0)
    again = once.with_columns(pl.col("Open", "High", "Low", "Close") * (once["Close"][-1] / once["Open"][0]))
    rows = pl.concat([once, again])
    scale = first_open / rows["Close"][-1]
    volume_scale = median_volume / float(rows["Volume"].median())
    return rows.select(
        symbol=pl.lit(SYMBOL), open=pl.col("Open") * scale, high=pl.col("High") * scale,
        low=pl.col("Low") * scale, close=pl.col("Close") * scale, adj_close=pl.col("Close") * scale,
        volume=(pl.col("Volume") * volume_scale).round(0).cast(pl.Int64),
    )


def _history(core: pl.DataFrame, adj_ratio: float) -> tuple[pl.DataFrame, dict[dt.date, dt.date]]:
    """The prefix plus `core`, on NYSE sessions; the prefix's adj_close carries `adj_ratio` like core's first row.
    Returns the bars and the map from a recorded date to its NYSE session."""
    core = core.sort("session")
    prefix = _prefix(core["open"][0], float(core["volume"].head(10).median()))
    prefix = prefix.with_columns(adj_close=pl.col("close") * adj_ratio)
    sessions = calendar.sessions_ending(SESSION_END, prefix.height + core.height)
    moved = dict(zip(core["session"].to_list(), sessions[prefix.height:], strict=True))
    bars = pl.concat([prefix, core.drop("session")], how="vertical_relaxed").with_columns(
        session=pl.Series(sessions, dtype=pl.Date))
    return bars.select("symbol", "session", "open", "high", "low", "close", "adj_close", "volume"), moved


def vendor_adjusted() -> tuple[pl.DataFrame, dict[dt.date, dt.date]]:
    """`fixed`: split-adjusted OHLC and volume, adj_close carrying the dividend (what Yahoo serves)."""
    core = _csv("4063-T-1d-bad-stock-split-fixed.csv")
    return _history(core, core["adj_close"][0] / core["close"][0])


def raw(volume: str = "raw") -> tuple[pl.DataFrame, dict[dt.date, dt.date]]:
    """`bad`: raw OHLC (the split is a 5x gap), no adjusted close. `volume="adjusted"` takes the volume from
    `fixed` instead (split-adjusted volume beside raw prices, as many vendors serve it)."""
    core = _csv("4063-T-1d-bad-stock-split.csv").with_columns(adj_close=pl.lit(None, pl.Float64))
    if volume == "adjusted":
        fixed = _csv("4063-T-1d-bad-stock-split-fixed.csv").select("session", fixed_volume="volume")
        core = core.join(fixed, on="session").with_columns(volume=pl.col("fixed_volume")).drop("fixed_volume")
    bars, moved = _history(core, 1.0)
    return bars.with_columns(adj_close=pl.lit(None, pl.Float64)), moved


def actions(moved: dict[dt.date, dt.date]) -> pl.DataFrame:
    """The split on the row the raw prices show it, the dividend on Yahoo's ex-date, on their NYSE sessions."""
    return pl.DataFrame([
        {"symbol": SYMBOL, "session": moved[SPLIT_ROW_DATE], "kind": "split", "ratio": SPLIT_RATIO, "amount": None},
        {"symbol": SYMBOL, "session": moved[DIVIDEND_ROW_DATE], "kind": "dividend", "ratio": None,
         "amount": DIVIDEND},
    ], schema=CORPORATE_ACTIONS)
