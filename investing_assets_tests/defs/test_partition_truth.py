"""What the UI shows for a partition describes that partition only, however it was run: after one range run,
each partition's latest materialization carries the rows stored for that session, read back from the instance."""

import datetime as dt

import dagster as dg

from investing_assets.defs.fundamentals import assets as fundamentals
from investing_assets.defs.fundamentals import sec
from investing_assets.defs.market import assets as market
from investing_assets.defs.news import assets as news
from investing_assets.defs.technicals import assets as technicals
from investing_assets.lib.core import calendar
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

LAST = dt.date(2026, 11, 20)
DAYS = calendar.sessions_ending(LAST, 5)
ASSETS = [market.universe, market.index_constituents, market.daily_bars, market.index_quotes, market.etf_quotes,
          market.commodity_quotes, market.crypto_quotes, market.fx_quotes, technicals.indicators,
          fundamentals.analyst_estimates, fundamentals.industry_aggregation, news.news_articles]
QUOTES = {"index_quotes": "index", "etf_quotes": "etf", "commodity_quotes": "commodity", "crypto_quotes": "crypto",
          "fx_quotes": "fx"}


def _stored(warehouse, table: str, asset: str, day: dt.date) -> int:
    where = {"session": [day]}
    if asset in QUOTES:
        where["asset_class"] = [QUOTES[asset]]
    return warehouse.count(table, where)


def test_a_range_run_gives_every_partition_its_own_figures(resources, instance, warehouse):
    history = calendar.sessions_ending(DAYS[0], 25)[:-1]
    assert materialize_range([market.universe, market.daily_bars], history[0], history[-1], resources,
                             instance).success
    # the SEC week before the sessions' (filed through 2026-11-13), whose filings the trailing valuations read
    assert dg.materialize([sec.sec_filing_index, sec.sec_raw_facts, sec.sec_financials], partition_key="2026-11-07",
                          resources=resources, instance=instance).success
    assert materialize_range(ASSETS, DAYS[0], DAYS[-1], resources, instance).success
    assert len(instance.get_runs()) == 3  # the range is still one run

    from investing_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    checked = 0
    for key in sorted({k for asset in ASSETS for k in asset.keys}):
        table = graph.get(key).metadata["dagster/table_name"]
        asset = key.to_user_string()
        counts = {day: _stored(warehouse, table, asset, day) for day in DAYS}
        for day in DAYS:
            meta = latest_metadata(instance, asset, day.isoformat())
            assert meta["dagster/row_count"] == counts[day], (asset, day)
            assert "run_rows" not in meta and "run_range" in meta  # range figures are named, and not here
            checked += 1
        assert sum(counts.values()) > 0, asset
    assert checked == len(DAYS) * 14  # 11 single assets, the aggregation's three

    # previews are the partition's own: a past session's movers are that session's, not the last one's
    bars = latest_metadata(instance, "daily_bars", DAYS[1].isoformat())["preview"]
    last = latest_metadata(instance, "daily_bars", DAYS[-1].isoformat())["preview"]
    assert bars != last
    sectors = latest_metadata(instance, "industry_aggregates", DAYS[0].isoformat())
    assert "sectors_table" in sectors and sectors["sectors"] == 11


def test_a_single_session_reports_once_with_its_own_figures(resources, instance, warehouse):
    result = materialize_range([market.universe], LAST, LAST, resources, instance)
    assert result.success
    [materialization] = result.asset_materializations_for_node("universe")
    meta = {k: v.value for k, v in materialization.metadata.items()}
    assert meta["dagster/row_count"] == warehouse.count("market.universe", {"session": [LAST]})
    assert "run_range" not in meta
