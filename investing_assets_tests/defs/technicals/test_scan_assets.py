import datetime as dt
import hashlib
import json

import dagster as dg
import polars as pl
import pytest
import redis

from investing_assets.defs.demo import assets as demo_assets
from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.technicals import assets as technicals
from investing_assets.lib.analytics.scanner import ScanConfig, scan_day
from investing_assets.lib.core import calendar
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

LAST = dt.date(2026, 11, 20)
# The demo plants a broadening top in UPS completing 2026-11-18 and a double top in JBL completing 2026-11-20.
DAYS = calendar.sessions_ending(LAST, 3)
SCAN_TABLES = ["technicals.candlestick_patterns", "technicals.chart_patterns", "technicals.technical_events",
               "technicals.pattern_discoveries", "technicals.scan_eligibility"]


@pytest.fixture
def history(resources, instance, warehouse):
    """Bars for the scan's fixed window before the first scanned session."""
    first = calendar.sessions_ending(DAYS[0], ScanConfig().history_sessions + 1)[0]
    assert materialize_range([market_assets.universe, market_assets.daily_bars], first, LAST, resources,
                             instance).success
    return warehouse


def fingerprint(warehouse: Warehouse, table: str, where: str = "") -> str:
    with warehouse.connect() as conn:
        rows = conn.execute(f"SELECT * FROM {table} {where} ORDER BY 1, 2, 3, 4").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def run_scan(resources, instance, first, last, batch_size=0, symbols=()):
    config = dg.RunConfig(ops={"daily_scan": technicals.ScanRunConfig(batch_size=batch_size, symbols=list(symbols))})
    return dg.materialize([technicals.daily_scan], resources=resources, instance=instance, run_config=config,
                          tags={"dagster/asset_partition_range_start": first.isoformat(),
                                "dagster/asset_partition_range_end": last.isoformat()})


def test_scan_writes_every_table_caches_the_ranking_and_reruns_identically(history, resources, instance,
                                                                           redis_url):
    warehouse = history
    result = run_scan(resources, instance, DAYS[0], LAST)
    assert result.success
    for table in SCAN_TABLES:
        assert warehouse.count(table) > 0, table
    with warehouse.connect() as conn:
        found = conn.execute("SELECT symbol, family, direction FROM technicals.chart_patterns "
                             "WHERE symbol IN ('UPS', 'JBL') ORDER BY 1").fetchall()
    assert ("UPS", "broadening", "bearish") in found or ("JBL", "double", "bearish") in found, found
    with warehouse.connect() as conn:
        confirmed, total = conn.execute(
            "SELECT count(*) FILTER (WHERE confirmed), count(*) FROM technicals.candlestick_patterns").fetchone()
    assert 0 < confirmed < total / 4  # most bars trigger some candle; the rule surfaces few

    client = redis.Redis.from_url(redis_url)
    cached = json.loads(client.get("cache:scan:latest"))
    assert cached["as_of"] == LAST.isoformat() and cached["data"][0]["rank"] == 1
    ranking = [(-row["score"], -row["day_strength"]) for row in cached["data"]]
    assert ranking == sorted(ranking)  # ties of score by the day's strength, stored with every discovery
    with warehouse.connect() as conn:
        assert conn.execute("SELECT count(*) FROM technicals.pattern_discoveries "
                            "WHERE day_strength IS NULL").fetchone()[0] == 0
    assert client.hlen("memory:scanner:last_scanned") > 400  # the rotation, in model memory

    for day in DAYS:  # each partition shows its own discoveries, chart and counts, read back from the instance
        scan_meta = latest_metadata(instance, "scan_results", day.isoformat())
        stored = warehouse.count("technicals.pattern_discoveries", {"session": [day]})
        assert scan_meta["dagster/row_count"] == stored
        assert scan_meta["chart"].startswith("![chart](data:image/png;base64,")
        events = latest_metadata(instance, "technical_events", day.isoformat())
        assert events["dagster/row_count"] == warehouse.count("technicals.technical_events", {"session": [day]})
        candles = latest_metadata(instance, "candlestick_patterns", day.isoformat())
        assert 0 < candles["confirmed"] <= candles["dagster/row_count"]

    before = {t: fingerprint(warehouse, t) for t in SCAN_TABLES}
    assert run_scan(resources, instance, DAYS[0], LAST).success
    assert {t: fingerprint(warehouse, t) for t in SCAN_TABLES} == before
    # one session alone gives the same rows as inside the range: each session has its own fixed window
    day = f"WHERE session = '{LAST}'"
    alone = {t: fingerprint(warehouse, t, day) for t in SCAN_TABLES}
    with warehouse.connect() as conn:
        for table in SCAN_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM ops.partition_digests")
    assert run_scan(resources, instance, LAST, LAST).success
    assert {t: fingerprint(warehouse, t, day) for t in SCAN_TABLES} == alone


def test_batches_rotate_through_the_least_recently_scanned(history, resources, instance, redis_url):
    assert run_scan(resources, instance, LAST, LAST, batch_size=40).success
    client = redis.Redis.from_url(redis_url)
    first = {m.decode() for m in client.hkeys("memory:scanner:last_scanned")}
    assert len(first) == 40
    assert run_scan(resources, instance, LAST, LAST, batch_size=40).success
    both = {m.decode() for m in client.hkeys("memory:scanner:last_scanned")}
    assert len(both) == 80  # the second batch took 40 never-scanned symbols
    with history.connect() as conn:
        eligible_rows = conn.execute("SELECT count(*) FROM technicals.scan_eligibility").fetchone()[0]
    assert eligible_rows == 80  # each batch replaced only its own symbols' rows


def test_an_unadjusted_split_does_not_make_a_breakdown(history, resources, instance):
    warehouse = history
    victim = "AAPL"  # control: nothing bearish on LAST without the split (MSFT really makes a 52-week low)
    clean = scan_day(DemoSource().daily_bars(calendar.sessions_ending(LAST, ScanConfig().history_sessions),
                                             [victim]), None, LAST)
    assert clean.discoveries.filter(pl.col("direction") == "bearish").height == 0
    split_day = calendar.sessions_ending(LAST, 4)[0]
    with warehouse.connect() as conn:  # a 2:1 split the vendor forgot to adjust: prices halve overnight
        conn.execute("UPDATE market.daily_bars SET open = open / 2, high = high / 2, low = low / 2, "
                     "close = close / 2, adj_close = adj_close / 2, volume = volume * 2 "
                     "WHERE symbol = %s AND session >= %s", [victim, split_day])
    result = run_scan(resources, instance, LAST, LAST)
    assert result.success
    with warehouse.connect() as conn:
        bearish = conn.execute(
            "SELECT pattern FROM technicals.pattern_discoveries WHERE symbol = %s AND direction = 'bearish'",
            [victim]).fetchall()
    assert bearish == []
    assert "split" in latest_metadata(instance, "scan_results", LAST.isoformat())["data_issues"]


def test_correlations_store_pairs_and_a_sector_heatmap(history, resources, instance):
    result = materialize_range([technicals.correlations], LAST, LAST, resources, instance)
    assert result.success
    warehouse = history
    assert warehouse.count("technicals.symbol_correlations") > 400
    assert warehouse.count("technicals.correlation_pairs", {"kind": ["most"]}) == 10
    assert warehouse.count("technicals.sector_correlations") == 11 * 11
    meta = latest_metadata(instance, "correlations", LAST.isoformat())
    assert meta["heatmap"].startswith("![heatmap](data:image/png;base64,")
    assert meta["dagster/row_count"] == warehouse.count("technicals.symbol_correlations")


def test_technical_report_charts_one_symbol(history, resources, instance, tmp_path, monkeypatch):
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    instance.add_dynamic_partitions("symbol", ["AAPL"])
    result = dg.materialize([technicals.technical_report], partition_key="AAPL", resources=resources,
                            instance=instance)
    assert result.success
    png = (tmp_path / "charts" / "symbols" / "AAPL.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    meta = result.asset_materializations_for_node("technical_report")[0].metadata
    assert meta["as_of"].value == LAST.isoformat()


def test_watchlist_grid_runs_a_days_symbols_as_one_run(history, resources, instance, tmp_path, monkeypatch):
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    instance.add_dynamic_partitions("watchlist", ["AAPL", "MSFT", "NVDA"])
    key = LAST.isoformat()
    result = dg.materialize([technicals.watchlist_report], resources=resources, instance=instance,
                            tags={"dagster/asset_partition_range_start": f"{key}|AAPL",
                                  "dagster/asset_partition_range_end": f"{key}|NVDA"})
    assert result.success
    assert sorted(p.name for p in (tmp_path / "charts" / "watchlist" / key).iterdir()) == [
        "AAPL.png", "MSFT.png", "NVDA.png"]
    assert len(instance.get_materialized_partitions(dg.AssetKey("watchlist_report"))) == 3
    for symbol in ("AAPL", "MSFT", "NVDA"):  # every cell shows its own chart, not the run's last symbol's
        meta = latest_metadata(instance, "watchlist_report", f"{key}|{symbol}")
        assert meta["chart_path"].endswith(f"watchlist/{key}/{symbol}.png")
        assert meta["as_of"] == key and meta["chart"].startswith("![chart](data:image/png;base64,")


def test_planted_patterns_are_stored_as_ground_truth(resources, instance, warehouse):
    assert dg.materialize([demo_assets.demo_planted_patterns], resources=resources, instance=instance).success
    count = warehouse.count("market.demo_planted_patterns")
    assert count > 500
    assert dg.materialize([demo_assets.demo_planted_patterns], resources=resources, instance=instance).success
    assert warehouse.count("market.demo_planted_patterns") == count


def test_a_rescan_of_named_symbols_replaces_only_their_rows(history, resources, instance, redis_url):
    """What the chat's "rescan AAPL and MSFT for yesterday" launches (the scan's `symbols` config)."""
    assert run_scan(resources, instance, LAST, LAST, batch_size=40).success
    with history.connect() as conn:
        others = conn.execute("SELECT count(*) FROM technicals.scan_eligibility WHERE symbol NOT IN ('AAPL', 'MSFT')"
                              ).fetchone()[0]
    assert run_scan(resources, instance, LAST, LAST, symbols=["AAPL", "MSFT"]).success
    with history.connect() as conn:
        rows = dict(conn.execute("SELECT symbol, count(*) FROM technicals.scan_eligibility GROUP BY symbol"
                                 ).fetchall())
    assert rows["AAPL"] == rows["MSFT"] == 1
    assert sum(rows.values()) - rows["AAPL"] - rows["MSFT"] == others  # the batch's rows untouched
    with pytest.raises(dg.Failure, match="refused symbol"):
        run_scan(resources, instance, LAST, LAST, symbols=["B@D"])
