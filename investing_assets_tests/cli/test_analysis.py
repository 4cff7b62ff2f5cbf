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
    from investing_assets.lib.analytics.indicators import window_sessions
    from investing_assets.lib.core.schemas import INDICATORS
    from investing_assets.lib.storage.warehouse import Warehouse
    from investing_assets_tests.defs._helpers import materialize_range

    end = dt.date(2026, 11, 20)
    days = calendar.sessions_ending(end, window_sessions() + 2)
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
    assert f"AAPL on 2026-11-20 ({window_sessions()} of {window_sessions()} sessions in its window, from the " \
           "warehouse; adjusted prices)" in out
    printed = dict(line.split(maxsplit=1) for line in out.splitlines()[1:])
    assert printed == {name: f"{value:,.4f}" for name, value in row.items() if name not in {"symbol", "session"}}


def test_ta_refuses_a_non_ticker(env):
    with pytest.raises(Exception, match="refused symbol"):
        cli.main(["ta", "AAPL;DROP"])


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
