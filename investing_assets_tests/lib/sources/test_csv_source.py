"""CSV folder source: the user's own OHLCV files, in the spellings real exports use.

Folders are built in tmp_path from recorded data: yfinance's 4063.T Ticker.history() dump as-is, and the
recorded FMP AAPL / Yahoo BTC-USD bars rewritten with other headers and date formats (same values).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import polars as pl
import pytest

from investing_assets.lib.core.schemas import CORPORATE_ACTIONS, DAILY_BARS, UNIVERSE
from investing_assets.lib.sources.csv_folder import CsvFolderSource, parse_bars_csv, parse_universe_csv
from investing_assets_tests.lib.sources._replay import (  # noqa: F401
    FMP_CASSETTES,
    YAHOO_NODE,
    YFINANCE_DATA,
    no_network,
    node_body,
    recorded,
    vcr_body,
)

pytestmark = pytest.mark.usefixtures("no_network")

SPLIT_FIXED = YFINANCE_DATA / "4063-T-1d-bad-stock-split-fixed.csv"
AAPL_EOD = FMP_CASSETTES / "test_fmp_equity_historical_fetcher_urllib3_v2.yaml"
BTC_CHART = YAHOO_NODE / "chart-BTC-USD-2020-01-01-to-2020-01-03.json"


def aapl_lowercase_csv() -> str:
    """FMP's recorded AAPL bars as a lower-case export with a 'timestamp' column and no adjusted close."""
    lines = ["timestamp,OPEN,High,low,Close,VOLUME"]
    for r in vcr_body(AAPL_EOD):  # newest first, as recorded
        lines.append(f"{r['date']}T00:00:00,{r['open']},{r['high']},{r['low']},{r['close']},{r['volume']}")
    return "\n".join(lines) + "\n"


def btc_spreadsheet_csv() -> str:
    """Yahoo's recorded BTC-USD bars as a US spreadsheet export: m/d/Y dates, thousands separators."""
    result = node_body(BTC_CHART)["chart"]["result"][0]
    q, adj = result["indicators"]["quote"][0], result["indicators"]["adjclose"][0]["adjclose"]
    lines = ["Date,Open,High,Low,Close,Adj_Close,Vol"]
    for i, ts in enumerate(result["timestamp"]):
        day = dt.datetime.fromtimestamp(ts, dt.UTC).date()
        lines.append(f'{day.month}/{day.day}/{day.year},{q["open"][i]},{q["high"][i]},{q["low"][i]},'
                     f'"{q["close"][i]:,}",{adj[i]},"{q["volume"][i]:,}"')
    return "\n".join(lines) + "\n"


@pytest.fixture
def folder(tmp_path):
    shutil.copy(recorded(SPLIT_FIXED), tmp_path / "4063.T.csv")
    (tmp_path / "aapl.csv").write_text(aapl_lowercase_csv())
    (tmp_path / "BTC-USD.CSV").write_text(btc_spreadsheet_csv())
    (tmp_path / "notes.txt").write_text("not a csv, ignored")
    return tmp_path


def test_universe_is_the_files_present(folder):
    universe = CsvFolderSource(folder).universe(dt.date(2023, 1, 3))
    assert dict(universe.schema) == UNIVERSE
    assert universe["symbol"].to_list() == ["4063.T", "AAPL", "BTC-USD"]
    assert universe.select(pl.exclude("symbol")).null_count().row(0) == (3, 3, 3, 3)


def test_universe_csv_adds_metadata(folder):
    (folder / "Universe.csv").write_text(
        "Ticker,Company Name,Sector,Industry,Shares Outstanding\n"
        'aapl,Apple Inc.,Technology,Consumer Electronics,"15,022,100,480"\n'
        "MSFT,Microsoft,Technology,Software,7430000000\n")  # MSFT has no file: not in the universe
    universe = CsvFolderSource(folder).universe(dt.date(2023, 1, 3))
    assert universe["symbol"].to_list() == ["4063.T", "AAPL", "BTC-USD"]
    assert universe.filter(pl.col("symbol") == "AAPL").row(0) == (
        "AAPL", "Apple Inc.", "Technology", "Consumer Electronics", 15022100480)
    assert universe.filter(pl.col("symbol") == "4063.T")["sector"].item() is None


def test_daily_bars_across_header_variants(folder):
    source = CsvFolderSource(folder)
    sessions = [dt.date(2020, 1, 2), dt.date(2023, 1, 3), dt.date(2023, 1, 10), dt.date(2023, 3, 30)]
    bars = source.daily_bars(sessions)
    assert dict(bars.schema) == DAILY_BARS
    assert bars.select("symbol", "session").rows() == [
        ("4063.T", dt.date(2023, 3, 30)), ("AAPL", dt.date(2023, 1, 3)), ("AAPL", dt.date(2023, 1, 10)),
        ("BTC-USD", dt.date(2020, 1, 2))]
    rows = {(r["symbol"], r["session"]): r for r in bars.to_dicts()}
    # yfinance dump, dates with +09:00 kept as the Tokyo date; Adj Close read.
    assert rows[("4063.T", dt.date(2023, 3, 30))] == {
        "symbol": "4063.T", "session": dt.date(2023, 3, 30), "open": 4257.0, "high": 4268.0, "low": 4119.0,
        "close": 4161.0, "adj_close": 4161.0, "volume": 5535200}
    # lower-case headers, no adjusted close column -> null, not a copy of close.
    aapl = rows[("AAPL", dt.date(2023, 1, 3))]
    assert (aapl["open"], aapl["close"], aapl["adj_close"], aapl["volume"]) == (130.28, 125.07, None, 112117500)
    # m/d/Y dates, "6,985.47021484375" and "20,802,083,465" with separators.
    btc = rows[("BTC-USD", dt.date(2020, 1, 2))]
    assert (btc["close"], btc["adj_close"], btc["volume"]) == (6985.47021484375, 6985.47021484375, 20802083465)


def test_daily_bars_for_chosen_symbols(folder):
    source = CsvFolderSource(folder)
    bars = source.daily_bars([dt.date(2023, 1, d) for d in range(1, 11)], ["AAPL"])
    assert bars["session"].to_list() == [dt.date(2023, 1, d) for d in (3, 4, 5, 6, 9, 10)]
    with pytest.raises(ValueError, match=r"no file for \['MSFT'\].*MSFT\.csv"):
        source.daily_bars([dt.date(2023, 1, 3)], ["MSFT"])
    with pytest.raises(ValueError, match="refusing symbol"):
        source.daily_bars([dt.date(2023, 1, 3)], ["../aapl"])
    assert source.daily_bars([], ["AAPL"]).is_empty()


def test_edits_are_picked_up(folder):
    source = CsvFolderSource(folder)
    day = dt.date(2023, 1, 10)
    assert source.daily_bars([day], ["AAPL"])["close"].item() == 130.73
    path = folder / "aapl.csv"
    path.write_text(path.read_text().replace(",130.73,", ",130.74,"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert source.daily_bars([day], ["AAPL"])["close"].item() == 130.74


def test_quotes_and_constituents_are_not_served(folder):
    source = CsvFolderSource(folder)
    for method in (source.index_quotes, source.etf_quotes, source.commodity_quotes, source.crypto_quotes):
        with pytest.raises(NotImplementedError, match="yahoo or fmp"):
            method([dt.date(2023, 1, 3)])
    with pytest.raises(NotImplementedError, match="fmp source or the demo"):
        source.index_constituents(dt.date(2023, 1, 3))


def test_estimates_and_news_say_which_sources_serve_them(folder):
    source = CsvFolderSource(folder)
    with pytest.raises(NotImplementedError, match="not analyst estimates: use the fmp or demo source"):
        source.analyst_estimates(dt.date(2023, 1, 3), ["AAPL"], period="annual", limit=4)
    with pytest.raises(NotImplementedError, match="not news: use the fmp or demo source"):
        source.news(dt.datetime(2023, 1, 3, tzinfo=dt.UTC), dt.datetime(2023, 1, 4, tzinfo=dt.UTC), ["AAPL"])


@pytest.mark.parametrize("text, message", [
    ("Date,Open,High,Low,Volume\n2023-01-03,1,2,0.5,10\n", r"missing column\(s\) \['close'\]"),
    ("Date,Open,High,Low,Close,Volume\n2023-01-03,1,2,0.5,abc,10\n", "column close has non-numeric value 'abc'"),
    ("Date,Open,High,Low,Close,Volume\n03.01.2023,1,2,0.5,1.5,10\n", "cannot read date '03.01.2023'"),
    ("Date,Open,High,Low,Close,Volume\n2023-01-03,1,2,0.5,1.5,10\n2023-01-03,1,2,0.5,1.5,10\n",
     "more than one row for 2023-01-03"),
    ("Date,Open,High,Low,Close,Volume\n2023-01-03,1,2,0.5,,10\n", "empty close on 2023-01-03"),
])
def test_bad_files_fail_with_the_file_and_value(text, message):
    with pytest.raises(ValueError, match=message):
        parse_bars_csv("XYZ", text, origin="XYZ.csv")


def test_bad_file_names_are_refused(folder):
    (folder / "my notes.csv").write_text("Date,Open,High,Low,Close,Volume\n")
    with pytest.raises(ValueError, match="'my notes.csv' is not a ticker"):
        CsvFolderSource(folder).universe(dt.date(2023, 1, 3))


def test_missing_folder_and_universe_without_symbol():
    with pytest.raises(ValueError, match="is not a folder"):
        CsvFolderSource("/nonexistent/prices")
    with pytest.raises(ValueError, match="no symbol column"):
        parse_universe_csv("Name,Sector\nApple,Technology\n")


def test_listings_and_off_calendar_rows_come_from_the_files(folder):
    """Yahoo's recorded BTC-USD days include New Year's Day 2020: not a session, so the symbol's first session is
    the day after, and the row is reported rather than read."""
    source = CsvFolderSource(folder)
    listings = {row["symbol"]: row for row in source.listings().iter_rows(named=True)}
    assert listings["BTC-USD"]["first_session"] == dt.date(2020, 1, 2)
    assert listings["BTC-USD"]["last_session"] == dt.date(2020, 1, 3)
    assert set(listings) == {"4063.T", "AAPL", "BTC-USD"}
    off = source.off_calendar_rows(dt.date(2019, 12, 1), dt.date(2020, 1, 31))
    assert ("BTC-USD", dt.date(2020, 1, 1)) in off.rows()
    assert source.daily_bars([dt.date(2020, 1, 2)], ["BTC-USD"]).height == 1
    assert source.off_calendar_rows(dt.date(2019, 12, 1), dt.date(2019, 12, 31), ["BTC-USD"]).height == 0


def test_a_yfinance_dump_serves_its_dividend_and_split_columns_as_corporate_actions(folder):
    source = CsvFolderSource(folder)
    actions = source.corporate_actions(calendar_days(dt.date(2023, 3, 27), dt.date(2023, 3, 31)))
    assert dict(actions.schema) == CORPORATE_ACTIONS
    # the recorded 4063.T file carries Yahoo's 55 JPY dividend and 5:1 split; the other files have no such columns
    assert actions.rows() == [("4063.T", dt.date(2023, 3, 30), "dividend", None, 55.0),
                              ("4063.T", dt.date(2023, 3, 30), "split", 5.0, None)]
    assert source.corporate_actions([dt.date(2023, 3, 31)], ["4063.T", "AAPL"]).height == 0


def calendar_days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
