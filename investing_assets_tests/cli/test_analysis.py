import datetime as dt

import dagster as dg
import polars as pl
import pytest

from investing_assets import cli
from investing_assets.lib.analytics.scanner import ScanConfig, scan_day
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource


def test_scan_prints_the_same_discoveries_as_the_library(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    session = dt.date(2026, 11, 20)
    assert cli.main(["scan", "--symbols", "JBL", "UPS", "AAPL", "--session", session.isoformat()]) == 0
    out = capsys.readouterr().out
    bars = DemoSource().daily_bars(calendar.sessions_ending(session, ScanConfig().history_sessions),
                                   ["JBL", "UPS", "AAPL"])
    expected = scan_day(bars, None, session)
    assert f"{expected.discoveries.height} discoveries" in out
    for row in expected.discoveries.iter_rows(named=True):
        assert f"{row['symbol']:<7} {row['kind']:<6} {row['pattern']:<28}" in out


def test_chart_writes_a_png(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    out = tmp_path / "aapl.png"
    assert cli.main(["chart", "AAPL", "--session", "2026-11-20", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "AAPL to 2026-11-20, adjusted prices, bars from the source demo" in capsys.readouterr().out


def test_ta_prints_the_stored_indicators_of_the_session(env, capsys):
    from investing_assets.defs.market import assets as market_assets
    from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
    from investing_assets.defs.technicals.assets import indicators
    from investing_assets.lib.analytics.indicators import window_start
    from investing_assets.lib.core.schemas import INDICATORS
    from investing_assets.lib.storage.warehouse import Warehouse
    from investing_assets_tests.defs._helpers import materialize_range

    end = dt.date(2026, 11, 20)
    first = window_start(end)
    days = calendar.sessions_between(calendar.sessions_ending(first, 3)[0], end)
    resources = {"warehouse": WarehouseResource(url=env), "market_data": MarketDataResource(source="demo")}
    with dg.DagsterInstance.ephemeral() as instance:
        assert materialize_range([market_assets.universe, market_assets.daily_bars], days[0], end, resources,
                                 instance).success
        # stored by a range run that starts two sessions before: ta must still print these values
        assert materialize_range([indicators], days[-3], end, resources, instance).success
    stored = Warehouse(env).read_table("technicals.indicators", {"symbol": ["AAPL"]}, schema=INDICATORS)
    row = stored.filter(pl.col("session") == end).row(0, named=True)

    assert cli.main(["ta", "AAPL", "--session", end.isoformat()]) == 0
    out = capsys.readouterr().out
    sessions = len(calendar.sessions_between(first, end))
    assert f"AAPL on 2026-11-20 ({sessions} of {sessions} sessions in its window from {first.isoformat()}, from the " \
           "warehouse; adjusted prices)" in out
    printed = dict(line.split(maxsplit=1) for line in out.splitlines()[1:])
    assert printed == {name: f"{value:,.4f}" for name, value in row.items() if name not in {"symbol", "session"}}


def test_ta_refuses_a_non_ticker(env, capsys):
    with pytest.raises(SystemExit) as refused:
        cli.main(["ta", "AAPL;DROP"])
    assert refused.value.code == 2
    assert "refused symbol 'AAPL;DROP'" in capsys.readouterr().err


# What a user types that the calendar refuses: one line naming the reason and the sessions to use instead
# (the clock is real: every date below is well past, or far ahead).


@pytest.mark.parametrize(("argv", "message"), [
    (["ta", "AAPL", "--session", "2026-11-26"],
     "investing ta: 2026-11-26 is not an NYSE session (an NYSE holiday (Thursday)); the nearest sessions are "
     "2026-11-25 (Wed) and 2026-11-27 (Fri)"),
    (["chart", "AAPL", "--session", "2026-11-28"],
     "investing chart: 2026-11-28 is not an NYSE session (a Saturday); the nearest sessions are 2026-11-27 (Fri) "
     "and 2026-11-30 (Mon)"),
    (["scan", "--symbols", "AAPL", "--session", "2026-07-03"],
     "investing scan: 2026-07-03 is not an NYSE session (an NYSE holiday (Friday)); the nearest sessions are "
     "2026-07-02 (Thu) and 2026-07-06 (Mon)"),
    (["ta", "AAPL", "--session", "2099-01-05"], "investing ta: 2099-01-05 is in the future or still trading: "),
    (["chart", "AAPL", "--session", "2099-01-05"], "investing chart: 2099-01-05 is in the future or still "),
    (["ta", "AAPL", "--session", "2005-03-01"],
     "investing ta: 2005-03-01 is before the calendar's first session 2016-01-04 (set INVESTING_START earlier"),
    (["ta", "AAPL", "--session", "2019-03-01", "--days", "3000"],
     "investing ta: --days 3000 reaches before the calendar's first session 2016-01-04: at most 795 sessions end "
     "on 2019-03-01"),
])
def test_the_cli_refuses_a_session_outside_the_calendar_in_one_line(monkeypatch, tmp_path, argv, message):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.delenv("INVESTING_START", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as refused:
        cli.main(argv)
    assert str(refused.value.code).startswith(message)
    assert "\n" not in str(refused.value.code)
    assert not (tmp_path / "charts").exists()  # nothing invented for a refused day


@pytest.mark.parametrize(("argv", "message"), [
    (["ta", "AAPL", "--days", "0"], "argument --days: must be at least 1 (got 0)"),
    (["ta", "AAPL", "--days", "many"], "argument --days: not a whole number: 'many'"),
    (["chart", "AAPL", "--session", "2026-13-01"], "argument --session: not a date: '2026-13-01'"),
])
def test_malformed_arguments_are_argparse_errors(monkeypatch, tmp_path, capsys, argv, message):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    with pytest.raises(SystemExit) as refused:
        cli.main(argv)
    assert refused.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]


def test_an_earlier_investing_start_reaches_older_sessions(monkeypatch, tmp_path, capsys):
    """The calendar follows INVESTING_START: with it in 2000, a 2005 session is a session (here the demo, which
    starts in 2010, says it has no bars rather than the calendar refusing the day)."""
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_START", "2000-01-03")
    with pytest.raises(SystemExit) as refused:
        cli.main(["ta", "AAPL", "--session", "2005-03-01"])
    assert "before the demo history starts on 2010-01-04" in str(refused.value.code)
    assert "first session" not in str(refused.value.code)


def test_the_default_session_is_the_last_closed_one_with_data_and_said(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    assert cli.main(["chart", "AAPL"]) == 0
    captured = capsys.readouterr()
    last = calendar.last_closed_session()
    assert f"session {last.isoformat()}: the last closed session with data in the source demo" in captured.err
    assert f"AAPL to {last.isoformat()}" in captured.out


@pytest.fixture
def csv_folder(monkeypatch, tmp_path):
    """A user's exports ending 2026-11-20: KO delisted after 2026-11-13, MSFT re-listed as NEWCO on 2026-11-18."""
    bars = DemoSource().daily_bars(calendar.sessions_between(dt.date(2024, 6, 3), dt.date(2026, 11, 20)),
                                   ["KO", "MSFT"])
    folder = tmp_path / "csv"
    folder.mkdir()
    for symbol, rows in (("OLDCO", bars.filter(pl.col("symbol") == "KO", pl.col("session") <= dt.date(2026, 11, 13))),
                         ("NEWCO", bars.filter(pl.col("symbol") == "MSFT", pl.col("session") >= dt.date(2026, 11, 18)))):
        lines = ["Date,Open,High,Low,Close,Adj Close,Volume"] + [
            f"{r['session']},{r['open']},{r['high']},{r['low']},{r['close']},{r['close']},{r['volume']}"
            for r in rows.iter_rows(named=True)]
        (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    monkeypatch.setenv("INVESTING_SOURCE", "csv")
    monkeypatch.setenv("INVESTING_CSV_FOLDER", str(folder))
    return folder


def test_the_default_is_the_last_session_the_files_hold(csv_folder, capsys):
    assert cli.main(["ta", "OLDCO"]) == 0
    captured = capsys.readouterr()
    assert "session 2026-11-13: the last closed session with data in the source csv (the last closed session " \
           in captured.err
    assert captured.out.startswith("OLDCO on 2026-11-13 (")


def test_a_session_outside_a_symbols_listing_says_where_its_bars_are(csv_folder, capsys):
    assert cli.main(["ta", "OLDCO", "--session", "2026-11-20"]) == 1
    assert capsys.readouterr().err.strip() == ("no bar for OLDCO on 2026-11-20 in the source csv (its last bar up "
                                               "to then is on 2026-11-13)")
    assert cli.main(["chart", "NEWCO", "--session", "2026-11-17"]) == 1
    assert capsys.readouterr().err.strip() == "no bar for NEWCO on 2026-11-17 in the source csv"


def test_a_symbol_without_a_file_is_one_line(csv_folder):
    with pytest.raises(SystemExit) as refused:
        cli.main(["ta", "ZZZ", "--session", "2026-11-20"])
    assert str(refused.value.code).startswith("investing ta: csv source: no file for ['ZZZ'] in ")


@pytest.mark.parametrize("content, reason", [
    (b"", "an empty file"),
    (b"Date,Open,High,Low,Close,Volume\n", "a header but no rows"),
    (b"Date,Open,High,Low,Close,Volume\n2026-11-20,1,2,0.5,1.5,10,extra\n", "a row has more fields than the header"),
    (b"Date,Open,High,Low,Close,Volume\n2026-11-20,\xff,2,0.5,1.5,10\n", "not UTF-8 text (byte 43)"),
])
def test_an_unreadable_file_is_one_line_naming_it(csv_folder, capsys, content, reason):
    """These once ended without the file's name (polars' `empty CSV`, a codec error) or in a traceback."""
    (csv_folder / "BAD.csv").write_bytes(content)
    for argv in (["ta", "BAD", "--session", "2026-11-20"], ["chart", "BAD", "--session", "2026-11-20"],
                 ["scan", "--symbols", "BAD", "--session", "2026-11-20"]):
        with pytest.raises(SystemExit) as refused:
            cli.main(argv)
        line = str(refused.value.code)
        assert line.startswith(f"investing {argv[0]}: {csv_folder / 'BAD.csv'}: {reason}") and "\n" not in line


def test_a_malformed_investing_start_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_START", "2000-13-01")
    with pytest.raises(SystemExit) as refused:
        cli.main(["ta", "AAPL", "--session", "2026-11-20"])
    assert refused.value.code == "investing ta: INVESTING_START='2000-13-01' is not a date: use YYYY-MM-DD"


def test_ta_on_a_real_split_from_a_csv_folder_prints_the_adjusted_values(monkeypatch, capsys, tmp_path):
    """4063.T's recorded raw history with its 5:1 split and 55 JPY dividend as a user's csv file (Dividends and
    Stock Splits columns, as yfinance writes them): `investing ta` prints what the indicators asset stores."""
    from investing_assets.lib.analytics.indicators import indicators_on_windows
    from investing_assets_tests.lib.analytics import _real_bars as rb

    bars, moved = rb.raw()
    actions = rb.actions(moved)
    split = actions.filter(pl.col("kind") == "split")["session"].item()
    dividend = actions.filter(pl.col("kind") == "dividend")["session"].item()
    csv = bars.drop("adj_close").with_columns(
        Dividends=pl.when(pl.col("session") == dividend).then(rb.DIVIDEND).otherwise(0.0),
        **{"Stock Splits": pl.when(pl.col("session") == split).then(rb.SPLIT_RATIO).otherwise(0.0)})
    folder = tmp_path / "bars"
    folder.mkdir()
    csv.drop("symbol").write_csv(folder / f"{rb.SYMBOL}.csv")
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_SOURCE", "csv")
    monkeypatch.setenv("INVESTING_CSV_FOLDER", str(folder))

    assert cli.main(["ta", rb.SYMBOL, "--session", split.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "from the source csv; adjusted prices" in out
    printed = dict(line.split(maxsplit=1) for line in out.splitlines()[1:])
    stored = indicators_on_windows(bars, [split], actions).row(0, named=True)
    assert printed == {name: f"{value:,.4f}" for name, value in stored.items() if name not in {"symbol", "session"}}
    monkeypatch.setenv("INVESTING_PRICE_BASIS", "raw")
    assert cli.main(["ta", rb.SYMBOL, "--session", split.isoformat()]) == 0
    assert "raw prices" in capsys.readouterr().out
