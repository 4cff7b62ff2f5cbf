import datetime as dt
import hashlib
import json
import logging

import dagster as dg
import polars as pl
import pytest
import redis

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.partitions import FIRST_SESSION
from investing_assets.defs.shared.partitions import symbol as symbol_partitions
from investing_assets.defs.shared.resources import HotCacheResource, MarketDataResource
from investing_assets.lib.core import calendar
from investing_assets.lib.services.sources import MarketSources, Routes
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.defs._helpers import materialize_range

DAY_ASSETS = [market_assets.universe, market_assets.index_constituents, market_assets.daily_bars,
              market_assets.index_quotes, market_assets.etf_quotes, market_assets.commodity_quotes,
              market_assets.crypto_quotes, market_assets.fx_quotes]
TABLES = ["market.universe", "market.index_constituents", "market.daily_bars", "market.quotes"]
FIRST, LAST = dt.date(2026, 11, 17), dt.date(2026, 11, 20)


def fingerprint(warehouse: Warehouse, table: str) -> str:
    with warehouse.connect() as conn:
        rows = conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_range_run_writes_every_asset_and_reruns_identically(resources, instance, warehouse, redis_url):
    result = materialize_range(DAY_ASSETS, FIRST, LAST, resources, instance)
    assert result.success
    sessions = calendar.sessions_between(FIRST, LAST)
    n_symbols = DemoSource().universe(LAST).height
    assert warehouse.count("market.universe") == n_symbols * len(sessions)
    assert warehouse.count("market.daily_bars") == n_symbols * len(sessions)
    for asset_class in ("index", "etf", "commodity", "crypto", "fx"):
        assert warehouse.count("market.quotes", {"asset_class": [asset_class]}) > 0
    with warehouse.connect() as conn:  # each quote stored with its currency (018_fx.sql)
        currencies = dict(conn.execute("SELECT symbol, currency FROM market.quotes WHERE asset_class = 'fx' "
                                       "GROUP BY 1, 2 ORDER BY 1").fetchall())
    assert currencies == {"EURUSD": "USD", "GBPUSD": "USD", "USDJPY": "JPY"}

    # every partition's materialization of demo rows, and the run's own figures, say they are synthetic
    for node in ("universe", "index_constituents", "daily_bars", "index_quotes", "etf_quotes",
                 "commodity_quotes", "crypto_quotes", "fx_quotes"):
        materializations = result.asset_materializations_for_node(node)
        assert sorted(m.partition for m in materializations) == [d.isoformat() for d in sessions], node  # one each
        for materialization in [*materializations, *result.asset_observations_for_node(node)]:
            meta = materialization.metadata
            assert meta["data_source"].value == "demo" and meta["synthetic"].value is True, node
            assert "synthetic" in meta["data_note"].value, node

    # one run materialized every partition of the range
    assert len(instance.get_runs()) == 1
    assert instance.get_materialized_partitions(dg.AssetKey("daily_bars")) == {d.isoformat() for d in sessions}

    # the hot cache holds the newest session
    cached = json.loads(redis.Redis.from_url(redis_url).get("cache:index_quotes"))
    assert cached["as_of"] == LAST.isoformat()
    assert {q["symbol"] for q in cached["data"]} == {"SPX", "NDX", "DJI"}
    cached = json.loads(redis.Redis.from_url(redis_url).get("cache:fx_quotes"))
    assert {(q["symbol"], q["currency"]) for q in cached["data"]} == {("EURUSD", "USD"), ("GBPUSD", "USD"),
                                                                      ("USDJPY", "JPY")}

    before = {t: fingerprint(warehouse, t) for t in TABLES}
    assert materialize_range(DAY_ASSETS, FIRST, LAST, resources, instance).success
    assert {t: fingerprint(warehouse, t) for t in TABLES} == before
    # a single day inside the range, re-run alone, changes nothing either
    assert materialize_range(DAY_ASSETS, LAST, LAST, resources, instance).success
    assert {t: fingerprint(warehouse, t) for t in TABLES} == before


def test_blocking_checks_pass_on_good_data(resources, instance):
    result = materialize_range(DAY_ASSETS[:3], LAST, LAST, resources, instance)
    checks = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks == {"ohlc_sanity": True, "positive_prices": True, "unique_symbol_session": True,
                      "universe_coverage": True}


def test_symbol_partitions_follow_the_universe(resources, instance):
    materialize_range([market_assets.universe], LAST, LAST, resources, instance)
    keys = set(instance.get_dynamic_partitions(symbol_partitions.name))
    assert keys == set(DemoSource().universe(LAST).get_column("symbol").to_list())


class BrokenSource(DemoSource):
    """The demo market with one bad bar: what a flaky vendor feed does."""

    def __init__(self, mutate):
        super().__init__()
        self.mutate = mutate

    def daily_bars(self, sessions, symbols=None):
        return self.mutate(super().daily_bars(sessions, symbols))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f.with_columns(close=pl.when(pl.col("symbol") == "MSFT").then(-5.0).otherwise("close")),
         "non-positive price in bar: MSFT on 2026-11-20"),
        (lambda f: f.with_columns(high=pl.when(pl.col("symbol") == "AAPL").then(1.0).otherwise("high")),
         "high below low in bar: AAPL on 2026-11-20"),
        (lambda f: pl.concat([f, f.filter(pl.col("symbol") == "NVDA")]), "duplicate bar rows: NVDA on 2026-11-20"),
        (lambda f: f.drop("volume"), "missing column"),
        (lambda f: pl.concat([f, f.head(1).with_columns(symbol=pl.lit("NOTREAL"))]),
         "outside the universe: NOTREAL on 2026-11-20"),
        # a vendor that skips a listed symbol: the universe_coverage check, refused before the write
        (lambda f: f.filter(pl.col("symbol") != "MSFT"),
         "no bar from the demo source for a symbol listed that session: MSFT on 2026-11-20"),
        (lambda f: f.with_columns(session=pl.when(pl.col("symbol") == "AAPL").then(None).otherwise("session")),
         "bar without a symbol or session: AAPL on None"),
        (lambda f: f.with_columns(symbol=pl.when(pl.col("symbol") == "AAPL").then(pl.lit("..")).otherwise("symbol")),
         "refused bar symbol '..'"),
    ],
)
def test_bad_source_fails_the_asset_and_writes_nothing(resources, instance, warehouse, monkeypatch, mutate, message):
    assert materialize_range(DAY_ASSETS[:3], LAST, LAST, resources, instance).success
    before = fingerprint(warehouse, "market.daily_bars")

    broken = BrokenSource(mutate)
    monkeypatch.setattr(MarketDataResource, "get", lambda self: MarketSources(Routes(), lambda name: broken))
    result = materialize_range(DAY_ASSETS[:3], LAST, LAST, resources, instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert failure.step_key == "daily_bars"
    assert message in failure.event_specific_data.error.to_string()
    assert fingerprint(warehouse, "market.daily_bars") == before


def test_redis_outage_warns_and_the_next_run_refills(resources, instance, warehouse, redis_url, dead_redis_url,
                                                     caplog):
    down = {**resources, "cache": HotCacheResource(url=dead_redis_url)}
    with caplog.at_level(logging.WARNING):
        result = materialize_range([market_assets.index_quotes], LAST, LAST, down, instance)
    assert result.success
    assert warehouse.count("market.quotes", {"asset_class": ["index"]}) == 3
    meta = result.asset_materializations_for_node("index_quotes")[0].metadata
    assert meta["cache_refreshed"].value is False
    assert redis.Redis.from_url(redis_url).get("cache:index_quotes") is None

    assert materialize_range([market_assets.index_quotes], LAST, LAST, resources, instance).success
    assert json.loads(redis.Redis.from_url(redis_url).get("cache:index_quotes"))["as_of"] == LAST.isoformat()


def test_backfill_of_an_old_day_keeps_the_newest_in_cache(resources, instance, redis_url):
    materialize_range([market_assets.etf_quotes], LAST, LAST, resources, instance)
    materialize_range([market_assets.etf_quotes], FIRST, FIRST, resources, instance)
    assert json.loads(redis.Redis.from_url(redis_url).get("cache:etf_quotes"))["as_of"] == LAST.isoformat()


def test_price_history_owns_its_table_and_never_touches_daily_bars(resources, instance, warehouse):
    """One owner per table: the symbol's history goes to market.symbol_history; daily_bars' rows stay its own."""
    assert materialize_range(DAY_ASSETS[:3], LAST, LAST, resources, instance).success
    with warehouse.connect() as conn:  # stored bars the source's history disagrees with: a rewrite would show
        conn.execute("UPDATE market.daily_bars SET volume = volume + 1 WHERE symbol = 'AAPL'")
    before = fingerprint(warehouse, "market.daily_bars")
    result = dg.materialize([market_assets.price_history], partition_key="AAPL", resources=resources,
                            instance=instance)
    assert result.success
    assert fingerprint(warehouse, "market.daily_bars") == before
    stored = warehouse.count("market.symbol_history", {"symbol": ["AAPL"]})
    assert stored > 2500 and warehouse.count("market.symbol_history") == stored  # nothing but AAPL
    first = warehouse.read_frame("SELECT min(session) FROM market.symbol_history").item()
    assert first >= FIRST_SESSION
    dg.materialize([market_assets.price_history], partition_key="AAPL", resources=resources, instance=instance)
    assert warehouse.count("market.symbol_history", {"symbol": ["AAPL"]}) == stored
    assert fingerprint(warehouse, "market.daily_bars") == before
    assert market_assets.price_history.metadata_by_key[dg.AssetKey("price_history")]["dagster/table_name"] == \
        "market.symbol_history"


def test_a_session_before_its_close_is_refused_by_name(resources, instance, warehouse, monkeypatch):
    """02:47 in New York on the 20th: the 20th has not traded yet, so no asset may write it."""
    early = dt.datetime(2026, 11, 20, 2, 47, tzinfo=calendar.NEW_YORK)
    monkeypatch.setattr(calendar, "in_new_york", lambda when=None: (when or early).astimezone(calendar.NEW_YORK))
    result = dg.materialize([market_assets.universe], partition_key=LAST.isoformat(), resources=resources,
                            instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "session 2026-11-20 has not closed yet" in failure.step_failure_data.error.message
    assert warehouse.count("market.universe") == 0
    assert instance.get_materialized_partitions(dg.AssetKey("universe")) == set()


def test_corporate_actions_are_stored_per_partition_from_a_recorded_history(pg_url, instance, warehouse, tmp_path):
    """yfinance's recorded 4063.T dump (its 55 JPY dividend and 5:1 split on 2023-03-30) through the csv source:
    each partition reports its own rows; a session without any says so."""
    import shutil

    from investing_assets.defs.shared.resources import WarehouseResource
    from investing_assets_tests.defs._helpers import latest_metadata
    from investing_assets_tests.lib.sources._replay import YFINANCE_DATA, recorded

    shutil.copy(recorded(YFINANCE_DATA / "4063-T-1d-bad-stock-split-fixed.csv"), tmp_path / "4063.T.csv")
    resources = {"warehouse": WarehouseResource(url=pg_url),
                 "market_data": MarketDataResource(source="csv", csv_folder=str(tmp_path))}
    first, last = dt.date(2023, 3, 29), dt.date(2023, 3, 31)
    assert materialize_range([market_assets.universe, market_assets.corporate_actions], first, last, resources,
                             instance).success
    stored = warehouse.read_frame("SELECT session, symbol, kind, ratio, amount, source FROM market.corporate_actions "
                                  "ORDER BY 1, 2, 3")
    assert stored.rows() == [(dt.date(2023, 3, 30), "4063.T", "dividend", None, 55.0, "csv"),
                             (dt.date(2023, 3, 30), "4063.T", "split", 5.0, None, "csv")]
    assert latest_metadata(instance, "corporate_actions", "2023-03-30")["dagster/row_count"] == 2
    assert latest_metadata(instance, "corporate_actions", "2023-03-31")["dagster/row_count"] == 0
