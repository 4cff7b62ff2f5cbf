import datetime as dt
import hashlib

import dagster as dg
import polars as pl
from polars.testing import assert_frame_equal

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.checks import unique_key_result
from investing_assets.defs.technicals.assets import indicators
from investing_assets.lib.analytics.indicators import indicators_on_windows, longest_lookback, window_start
from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import DAILY_BARS, INDICATORS
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

LAST = dt.date(2026, 11, 20)


def load_bars(resources, instance, first, last):
    assert materialize_range([market_assets.universe, market_assets.daily_bars], first, last, resources,
                             instance).success


def test_lookback_is_declared_to_dagster():
    from investing_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    mapping = graph.get_partition_mapping(indicators.key, market_assets.daily_bars.key)
    assert isinstance(mapping, dg.TimeWindowPartitionMapping)
    assert mapping.start_offset == -longest_lookback() and mapping.end_offset == 0


def test_indicators_match_talib_on_the_stored_window_and_rerun_identically(resources, instance, warehouse):
    days = calendar.sessions_ending(LAST, 2)
    load_bars(resources, instance, window_start(days[0]), LAST)

    result = materialize_range([indicators], days[0], LAST, resources, instance)
    assert result.success
    run_meta = result.asset_observations_for_node("indicators")[0].metadata  # the run's own figures
    assert run_meta["lookback_complete"].value is True and run_meta["run_sessions"].value == 2
    assert [(c.check_name, c.passed) for c in result.get_asset_check_evaluations()] == [
        ("unique_symbol_session", True)]

    stored = warehouse.read_table("technicals.indicators", schema=INDICATORS, order_by=("symbol", "session"))
    bars = warehouse.read_table("market.daily_bars", schema=DAILY_BARS, order_by=("symbol", "session"))
    expected = indicators_on_windows(bars, days)
    assert stored.height == expected.height == bars.get_column("symbol").n_unique() * 2
    assert_frame_equal(stored, expected, check_exact=True)
    assert stored.null_count().sum_horizontal().item() == 0  # the window is long enough for every indicator
    assert run_meta["null_for_lack_of_history"].value == {}
    assert run_meta["price_basis"].value == "adjusted"
    assert latest_metadata(instance, "indicators", days[0].isoformat())["price_basis"] == "adjusted"

    digest = hashlib.sha256(stored.write_csv().encode()).hexdigest()
    assert materialize_range([indicators], days[0], LAST, resources, instance).success
    again = warehouse.read_table("technicals.indicators", schema=INDICATORS, order_by=("symbol", "session"))
    assert hashlib.sha256(again.write_csv().encode()).hexdigest() == digest


def test_incomplete_window_is_reported_not_hidden(resources, instance, warehouse):
    load_bars(resources, instance, calendar.sessions_ending(LAST, 30)[0], LAST)
    result = materialize_range([indicators], LAST, LAST, resources, instance)
    assert result.success
    meta = result.asset_materializations_for_node("indicators")[-1].metadata
    assert meta["lookback_complete"].value is False
    assert "lookback window incomplete" in meta["notes"].value
    stored = warehouse.read_table("technicals.indicators", schema=INDICATORS)
    assert stored.get_column("sma_200").null_count() == stored.height  # nulls, never guesses
    assert stored.get_column("ema_12").null_count() == stored.height  # 30 bars cannot forget an EMA's seed
    assert stored.get_column("sma_20").null_count() == 0
    nulls = meta["null_for_lack_of_history"].value
    assert nulls == {c: n for c, n in stored.null_count().row(0, named=True).items() if n}
    assert nulls["sma_200"] == stored.height and "sma_20" not in nulls


def test_the_key_check_sees_a_row_written_behind_the_writer(warehouse):
    """The table has no unique index (sql/006_history_keys.sql): the check is what would notice a raw INSERT."""
    warehouse.ensure_year_partitions("technicals.indicators", pl.DataFrame({"session": [LAST]}))
    with warehouse.connect() as conn:
        conn.execute("INSERT INTO technicals.indicators (symbol, session, rsi_14) VALUES ('AAPL', %s, 50), "
                     "('AAPL', %s, 51), ('MSFT', %s, 50)", [LAST, LAST, LAST])
    result = unique_key_result(warehouse, "technicals.indicators", "indicators", [LAST])
    assert (result.passed, result.metadata["repeated_keys"].value) == (False, 1)
