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

from investing_assets.lib.core.datasets import Dataset
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
    for bad in ("../aapl", "..", "AAPL\n"):
        with pytest.raises(ValueError, match="refusing symbol"):
            source.daily_bars([dt.date(2023, 1, 3)], [bad])
    assert source.daily_bars([], ["AAPL"]).is_empty()


def test_edits_are_picked_up(folder):
    source = CsvFolderSource(folder)
    day = dt.date(2023, 1, 10)
    assert source.daily_bars([day], ["AAPL"])["close"].item() == 130.73
    path = folder / "aapl.csv"
    path.write_text(path.read_text().replace(",130.73,", ",130.74,"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert source.daily_bars([day], ["AAPL"])["close"].item() == 130.74


def test_the_folder_declares_what_it_serves_and_stubs_nothing_else(folder):
    """A folder of bar files serves a universe and bars (with listings and file facts) and their actions; the other
    datasets are neither declared nor stubbed (the router's refusal names who serves them:
    lib/services/test_sources.py)."""
    source = CsvFolderSource(folder)
    assert source.datasets == {Dataset.UNIVERSE, Dataset.LISTINGS, Dataset.BARS, Dataset.BAR_FILES,
                               Dataset.CORPORATE_ACTIONS}
    for method in ("index_constituents", "quotes", "index_quotes", "analyst_estimates", "news", "planted_patterns"):
        assert not hasattr(source, method), method


HEADER = "Date,Open,High,Low,Close,Volume\n"
SECRET = "Zq7-private"  # what a file holds that no message may repeat


@pytest.mark.parametrize("text, message", [
    (f"Date,Open,High,{SECRET},Low,Volume\n2023-01-03,1,2,x,0.5,10\n",
     r"missing column\(s\) \['close'\] among its 6 header\(s\)"),
    (HEADER + f"2023-01-03,1,2,0.5,1.5,10\n2023-01-04,1,2,0.5,{SECRET},10\n", "row 2: column close is not a number"),
    (HEADER + f"03.01.{SECRET},1,2,0.5,1.5,10\n", "row 1: cannot read the date; use YYYY-MM-DD"),
    (HEADER + "2023-01-03,1,2,0.5,1.5,10\n2023-01-03,1,2,0.5,1.5,10\n", "more than one row for 2023-01-03"),
    (HEADER + "2023-01-03,1,2,0.5,,10\n", r"empty close on 2023-01-03 \(row 1\)"),
    ("", "an empty file"),
    (HEADER, "a header but no rows"),
    (HEADER + "\n\n", "a header but no rows"),
    (HEADER + f"2023-01-03,1,2,0.5,1.5,10,{SECRET}\n", r"a row has more fields than the header \(ComputeError\)"),
    (f'Date,Open\n"{SECRET},1\n', "not a readable CSV"),
])
def test_bad_files_name_the_file_and_row_never_their_text(text, message):
    with pytest.raises(ValueError, match=message) as refused:
        parse_bars_csv("XYZ", text, origin="XYZ.csv")
    assert str(refused.value).startswith("XYZ.csv: ")
    assert SECRET not in str(refused.value)


def test_bad_file_names_are_refused(folder):
    (folder / "my notes.csv").write_text("Date,Open,High,Low,Close,Volume\n")
    with pytest.raises(ValueError, match="'my notes.csv' is not a ticker"):
        CsvFolderSource(folder).universe(dt.date(2023, 1, 3))


def test_missing_folder_and_universe_without_symbol():
    with pytest.raises(ValueError, match="is not a folder"):
        CsvFolderSource("/nonexistent/prices")
    with pytest.raises(ValueError, match="no symbol column among its 2 header") as refused:
        parse_universe_csv(f"Name,{SECRET}\nApple,Technology\n")
    assert SECRET not in str(refused.value)


@pytest.fixture
def outside(tmp_path_factory):
    """A file outside the source's folder whose first line is the kind a run error must never show."""
    secret = tmp_path_factory.mktemp("elsewhere") / "passwd"
    secret.write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\n")
    return secret


@pytest.mark.parametrize("name", ["AAPL.csv", "universe.csv"])
def test_a_link_out_of_the_folder_is_refused_by_name_without_reading_it(folder, outside, name):
    os.symlink(outside, folder / name)
    source = CsvFolderSource(folder)
    for call in (lambda: source.universe(dt.date(2023, 1, 3)), source.listings,
                 lambda: source.daily_bars([dt.date(2023, 1, 3)])):
        with pytest.raises(ValueError, match=f"csv source: {name} in .* links outside the folder") as refused:
            call()
        assert SECRET not in str(refused.value) and "passwd" not in str(refused.value)


def test_a_link_inside_the_folder_reads_its_target(folder):
    (folder / "APPLE.csv").symlink_to("aapl.csv")  # relative, to a file in the folder
    bars = CsvFolderSource(folder).daily_bars([dt.date(2023, 1, 3)], ["AAPL", "APPLE"])
    assert bars["symbol"].to_list() == ["AAPL", "APPLE"]
    assert bars["close"].n_unique() == 1


def test_a_relative_link_climbing_out_is_refused(folder, outside):
    (folder / "MSFT.csv").symlink_to(os.path.relpath(outside, folder))
    with pytest.raises(ValueError, match="MSFT.csv in .* links outside the folder"):
        CsvFolderSource(folder).universe(dt.date(2023, 1, 3))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_something_that_is_not_a_regular_file_is_refused_without_blocking(folder):
    os.mkfifo(folder / "PIPE.csv")  # reading a pipe would wait for a writer forever
    with pytest.raises(ValueError, match="PIPE.csv in .* is not a regular file"):
        CsvFolderSource(folder).universe(dt.date(2023, 1, 3))


def test_a_file_that_is_not_utf8_is_named_without_its_bytes(folder):
    (folder / "BIN.csv").write_bytes(b"Date,Open,High,Low,Close,Volume\n2023-01-03,\xff\xfe,2,0.5,1.5,10\n")
    with pytest.raises(ValueError, match=r"BIN.csv: not UTF-8 text \(byte 43\)") as refused:
        CsvFolderSource(folder).daily_bars([dt.date(2023, 1, 3)], ["BIN"])
    assert "xff" not in str(refused.value)


def test_hidden_files_are_not_symbols_and_dots_are_not_tickers(folder):
    """`..csv` once became the symbol `.`; hidden files (macOS `._AAPL.csv`) are skipped; `-.csv` is refused."""
    for hidden in ("..csv", "._aapl.csv", ".hidden.csv"):
        (folder / hidden).write_text(aapl_lowercase_csv())
    source = CsvFolderSource(folder)
    assert source.universe(dt.date(2023, 1, 3))["symbol"].to_list() == ["4063.T", "AAPL", "BTC-USD"]
    (folder / "-.csv").write_text(aapl_lowercase_csv())
    with pytest.raises(ValueError, match="file name '-.csv' is not a ticker"):
        source.universe(dt.date(2023, 1, 3))


@pytest.mark.parametrize("text, message", [("", "an empty file"), (HEADER, "a header but no rows")])
def test_a_file_without_rows_is_refused_by_name_not_listed_forever(folder, text, message):
    """Without a row it has no first or last session, so it would be listed on every session and never have a
    bar: the universe refuses it instead, before anything is written."""
    (folder / "EMPTY.csv").write_text(text)
    with pytest.raises(ValueError, match=f"EMPTY.csv: {message}"):
        CsvFolderSource(folder).listings()


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
