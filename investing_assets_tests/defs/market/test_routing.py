"""A source per dataset, end to end through the Dagster resource: the demo universe with the user's csv bars, and
a dataset the routed source does not serve failing with the names of those that do.

The csv files are exports of the demo market's own bars for every demo symbol, without an adjusted-close column (so
the stored bars show they came from the files: adj_close null), and AAPL's carries a stray row on Thanksgiving."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.resources import MarketDataResource
from investing_assets.lib.core import calendar
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

FIRST, LAST = dt.date(2026, 11, 25), dt.date(2026, 11, 27)
THANKSGIVING = dt.date(2026, 11, 26)


def write_exports(folder: Path, symbols: list[str]) -> None:
    bars = DemoSource().daily_bars(calendar.sessions_between(dt.date(2026, 11, 20), LAST), symbols)
    for symbol, rows in bars.group_by("symbol", maintain_order=True):
        lines = ["Date,Open,High,Low,Close,Volume"]
        for r in rows.iter_rows(named=True):
            lines.append(f"{r['session']},{r['open']},{r['high']},{r['low']},{r['close']},{r['volume']}")
            if symbol[0] == "AAPL" and r["session"] == FIRST:
                lines.append(f"{THANKSGIVING},{r['open']},{r['high']},{r['low']},{r['close']},0")
        (folder / f"{symbol[0]}.csv").write_text("\n".join(lines) + "\n")


@pytest.fixture
def demo_symbols() -> list[str]:
    return DemoSource().universe(LAST).get_column("symbol").to_list()


def test_demo_universe_with_csv_bars(resources, instance, tmp_path, demo_symbols):
    write_exports(tmp_path, demo_symbols)
    routed = {**resources, "market_data": MarketDataResource(source="demo", sources="bars=csv",
                                                             csv_folder=str(tmp_path))}
    assets = [market_assets.universe, market_assets.daily_bars, market_assets.corporate_actions,
              market_assets.crypto_quotes]
    assert materialize_range(assets, FIRST, LAST, routed, instance).success

    with Warehouse(resources["warehouse"].url).connect() as conn:
        stored = dict(conn.execute(
            "SELECT 'universe', string_agg(DISTINCT source, ',') FROM market.universe UNION ALL "
            "SELECT 'bars', string_agg(DISTINCT source, ',') FROM market.daily_bars UNION ALL "
            "SELECT 'quotes', string_agg(DISTINCT source, ',') FROM market.quotes").fetchall())
        bars, adjusted = conn.execute("SELECT count(*), count(adj_close) FROM market.daily_bars").fetchone()
    assert stored == {"universe": "demo", "bars": "csv", "quotes": "demo"}
    assert (bars, adjusted) == (2 * len(demo_symbols), 0)  # the files' bars: no adjusted close in them

    # each partition names the source of its own dataset; corporate actions follow the bars
    for asset, source, synthetic in (("universe", "demo", True), ("daily_bars", "csv", False),
                                     ("corporate_actions", "csv", False), ("crypto_quotes", "demo", True)):
        meta = latest_metadata(instance, asset, LAST.isoformat())
        assert (meta["data_source"], meta["synthetic"]) == (source, synthetic), asset
        assert ("data_note" in meta) is synthetic, asset
    # the bar files' own facts come with the bars (the stray holiday row is reported, not stored)
    assert "| 2026-11-26 | AAPL |" in latest_metadata(instance, "daily_bars", LAST.isoformat())["off_calendar_rows"]


def test_a_dataset_the_routed_source_does_not_serve_fails_naming_those_that_do(resources, instance, tmp_path):
    write_exports(tmp_path, ["AAPL", "MSFT"])
    routed = {**resources, "market_data": MarketDataResource(source="demo", sources="universe=csv",
                                                             csv_folder=str(tmp_path))}
    assets = [market_assets.universe, market_assets.daily_bars, market_assets.index_constituents]
    result = materialize_range(assets, LAST, LAST, routed, instance, raise_on_error=False)

    assert not result.success
    failures = {e.step_key: e.event_specific_data.error.to_string() for e in result.all_events
                if e.event_type_value == "STEP_FAILURE"}
    assert list(failures) == ["index_constituents"]  # the universe from the files and the demo's bars went in
    assert ("no configured source serves constituents: constituents follows universe, and INVESTING_SOURCES routes "
            "universe to csv, which serves universe, bars, corporate_actions; constituents is served by demo, fmp"
            ) in failures["index_constituents"]
    assert latest_metadata(instance, "universe", LAST.isoformat())["data_source"] == "csv"
    assert latest_metadata(instance, "daily_bars", LAST.isoformat())["data_source"] == "demo"
