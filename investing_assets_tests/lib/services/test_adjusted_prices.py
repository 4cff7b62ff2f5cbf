"""Corporate actions through the warehouse: stored from a source, then read by every analytics face.

The real 4063.T history (see investing_assets_tests/lib/analytics/_real_bars.py) is stored raw in
market.daily_bars with its split and dividend in market.corporate_actions; the indicators asset, `investing ta`'s
function and the chart then all see adjusted prices, and the raw bars stay as stored.
"""

from __future__ import annotations

import datetime as dt
import shutil

import polars as pl
import pytest

from investing_assets.lib.analytics.adjustment import RAW
from investing_assets.lib.analytics.indicators import indicators_on_windows, window_start
from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.schemas import INDICATORS
from investing_assets.lib.services.indicators import session_indicators, write_indicators
from investing_assets.lib.services.market import write_corporate_actions, write_universe
from investing_assets.lib.services.reports import stored_report
from investing_assets.lib.sources.csv_folder import CsvFolderSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import read_bars_window, read_corporate_actions
from investing_assets_tests.lib.analytics import _real_bars as rb
from investing_assets_tests.lib.sources._replay import YFINANCE_DATA, recorded

SPLIT_FIXED = YFINANCE_DATA / "4063-T-1d-bad-stock-split-fixed.csv"
WEEK = [dt.date(2023, 3, 27), dt.date(2023, 3, 28), dt.date(2023, 3, 29), dt.date(2023, 3, 30), dt.date(2023, 3, 31)]


def test_corporate_actions_are_stored_per_session_from_a_recorded_csv(warehouse, tmp_path) -> None:
    shutil.copy(recorded(SPLIT_FIXED), tmp_path / "4063.T.csv")
    source = CsvFolderSource(tmp_path)
    write_universe(source, warehouse, WEEK)
    written = write_corporate_actions(source, warehouse, WEEK)
    assert written.rows == 2 and written.sessions == 5
    assert written.preview_of(dt.date(2023, 3, 30)).rows() == [("4063.T", "dividend", None, 55.0),
                                                               ("4063.T", "split", 5.0, None)]
    stored = read_corporate_actions(warehouse, WEEK[0], WEEK[-1])
    assert stored.rows() == [("4063.T", dt.date(2023, 3, 30), "dividend", None, 55.0),
                             ("4063.T", dt.date(2023, 3, 30), "split", 5.0, None)]
    # a re-run leaves the same rows; a session without any says so
    assert write_corporate_actions(source, warehouse, WEEK).rows == 2
    quiet = write_corporate_actions(source, warehouse, WEEK[:1])
    assert quiet.rows == 0 and quiet.notes == ["source csv reported no split or dividend on these sessions"]


def test_a_bad_action_names_symbol_and_session_and_writes_nothing(warehouse, tmp_path) -> None:
    text = recorded(SPLIT_FIXED).read_text().replace(",4161,4161,5535200,55,5", ",4161,4161,5535200,-55,5")
    (tmp_path / "4063.T.csv").write_text(text)
    source = CsvFolderSource(tmp_path)
    write_universe(source, warehouse, WEEK)
    with pytest.raises(BadMarketData, match=r"dividend without a positive amount.*4063\.T on 2023-03-30"):
        write_corporate_actions(source, warehouse, WEEK)
    assert read_corporate_actions(warehouse, WEEK[0], WEEK[-1]).height == 0


@pytest.fixture
def stored_history(warehouse):
    """The raw 4063.T history (raw prices and volume) in daily_bars and its two actions in corporate_actions."""
    bars, moved = rb.raw()
    sessions = bars["session"].to_list()
    warehouse.replace_rows(names.DAILY_BARS, bars.with_columns(source=pl.lit("csv"), currency=pl.lit("JPY")),
                           {"session": sessions})
    actions = rb.actions(moved)
    warehouse.replace_rows(names.CORPORATE_ACTIONS, actions.with_columns(source=pl.lit("csv")),
                           {"session": actions["session"].to_list()})
    return bars, actions, moved


def test_the_indicators_asset_and_investing_ta_store_adjusted_values(warehouse, stored_history) -> None:
    bars, actions, moved = stored_history
    sessions = [moved[rb.SPLIT_ROW_DATE], moved[rb.DIVIDEND_ROW_DATE]]
    written, _ = write_indicators(warehouse, sessions)
    assert written.basis == "adjusted"
    assert any(note.startswith("adjusted prices: 1 symbol(s) with a split or dividend") for note in written.notes)
    stored = warehouse.read_table(names.INDICATORS, between=("session", sessions[0], sessions[-1]),
                                  schema=INDICATORS, order_by=("symbol", "session"))
    assert stored.equals(indicators_on_windows(bars, sessions, actions))
    raw = indicators_on_windows(bars, sessions, actions, basis=RAW)
    assert stored["sma_20"][0] < raw["sma_20"][0] / 3  # the 5x cliff is gone
    # `investing ta` reads the same window and the same actions: the same figures
    lookback = len(calendar.sessions_between(window_start(sessions[0]), sessions[0])) - 1
    window, _ = read_bars_window(warehouse, sessions[0], sessions[0], lookback, [rb.SYMBOL])
    assert session_indicators(window, sessions[0], actions) == stored.row(0, named=True)
    # the raw bars stay as the source served them
    assert warehouse.read_table(names.DAILY_BARS, where={"symbol": [rb.SYMBOL]}, order_by=("session",))[
        "close"].to_list() == bars.sort("session")["close"].to_list()


def test_the_chart_names_its_basis_and_draws_adjusted_prices(warehouse, stored_history) -> None:
    _, _, moved = stored_history
    report = stored_report(warehouse, rb.SYMBOL, moved[rb.DIVIDEND_ROW_DATE])
    assert report.basis == "adjusted" and report.chart.legend[0] == "adjusted prices"
    assert report.last["close"] == 4161.0  # the session keeps its own raw price
    assert report.issues.filter(pl.col("issue") == "split").height == 0  # no gap left for the guard
    raw = stored_report(warehouse, rb.SYMBOL, moved[rb.DIVIDEND_ROW_DATE], basis=RAW)
    assert raw.chart.legend[0] == "raw prices" and raw.png != report.png
    assert raw.issues.filter(pl.col("issue") == "split").height == 1  # the fallback guard sees the raw gap
