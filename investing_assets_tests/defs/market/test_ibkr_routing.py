"""Bars routed to IBKR through the Dagster resource: the fake at the ib_async boundary (lib/sources/_ibkr_fake; bar
shapes of ib_async's BarData, values made for the test, not a live recording) behind a csv universe, the one error
of a missing gateway, and the `ibkr` concurrency pool the bar assets join when the code location loads so routed."""

from __future__ import annotations

import datetime as dt
import importlib
import socket

import pytest

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.resources import MarketDataResource
from investing_assets.lib.sources import ibkr
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range
from investing_assets_tests.lib.sources._ibkr_fake import AAPL_ADJUSTED, AAPL_TRADES, MSFT_TRADES, FakeIB

FIRST, LAST = dt.date(2023, 2, 8), dt.date(2023, 2, 13)


@pytest.fixture
def csv_universe(tmp_path):
    """AAPL and MSFT files over the fake's sessions: the universe (and its listings) comes from them."""
    for symbol, rows in (("AAPL", AAPL_TRADES), ("MSFT", MSFT_TRADES)):
        lines = ["Date,Open,High,Low,Close,Volume"] + [
            f"{d[:4]}-{d[4:6]}-{d[6:]},{o},{h},{lo},{c},{int(v)}" for d, o, h, lo, c, v, _, _ in rows]
        (tmp_path / f"{symbol}.csv").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_daily_bars_from_ibkr_behind_a_csv_universe(resources, instance, warehouse, csv_universe, monkeypatch):
    fake = FakeIB()
    monkeypatch.setattr(ibkr, "_ib_async_client", lambda: fake)
    routed = {**resources, "market_data": MarketDataResource(source="csv", sources="bars=ibkr",
                                                             csv_folder=str(csv_universe), ibkr_port=4002,
                                                             ibkr_client_id=5)}
    assert materialize_range([market_assets.universe, market_assets.daily_bars], FIRST, LAST, routed,
                             instance).success

    assert fake.calls[0] == ("connect", ("127.0.0.1", 4002, 5, True))
    stored = warehouse.read_frame("SELECT session, close, adj_close, volume, source FROM market.daily_bars "
                                  "WHERE symbol = 'AAPL' ORDER BY session")
    assert stored.rows() == [(dt.date(2023, 2, 8) + dt.timedelta(days=k), t[4], a[4], int(t[5]), "ibkr")
                             for k, t, a in zip((0, 1, 2, 5), AAPL_TRADES, AAPL_ADJUSTED, strict=True)]
    assert warehouse.count("market.daily_bars") == 8
    meta = latest_metadata(instance, "daily_bars", LAST.isoformat())
    assert (meta["data_source"], meta["synthetic"], meta["dagster/row_count"]) == ("ibkr", False, 2)


def test_a_missing_gateway_fails_daily_bars_with_the_one_message(resources, instance, warehouse, csv_universe):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    routed = {**resources, "market_data": MarketDataResource(source="csv", sources="bars=ibkr",
                                                             csv_folder=str(csv_universe), ibkr_port=port)}
    result = materialize_range([market_assets.universe, market_assets.daily_bars], LAST, LAST, routed, instance,
                               raise_on_error=False)
    failures = {e.step_key: e.event_specific_data.error.to_string() for e in result.all_events
                if e.event_type_value == "STEP_FAILURE"}
    assert list(failures) == ["daily_bars"]
    assert f"IbkrUnavailable: ibkr 127.0.0.1:{port}: no TWS or IB Gateway answered (" in failures["daily_bars"]
    assert 'or route bars to another source, e.g. INVESTING_SOURCES="bars=yahoo"' in failures["daily_bars"]
    assert warehouse.count("market.daily_bars") == 0


def test_assets_reading_bars_join_the_ibkr_pool_when_bars_are_routed_there(monkeypatch):
    monkeypatch.delenv("INVESTING_SOURCE", raising=False)
    monkeypatch.setenv("INVESTING_SOURCES", "bars=ibkr")
    try:
        routed = importlib.reload(market_assets)
        assert (routed.daily_bars.op.pool, routed.price_history.op.pool) == ("ibkr", "ibkr")
        assert routed.universe.op.pool is None and routed.etf_holdings.op.pool is None
    finally:
        monkeypatch.delenv("INVESTING_SOURCES")
        importlib.reload(market_assets)
    assert market_assets.daily_bars.op.pool is None  # the demo's bars: no pool
