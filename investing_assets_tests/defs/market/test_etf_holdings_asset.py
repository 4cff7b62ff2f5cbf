"""The etf_holdings asset on the demo market: per-partition rows and previews, the Redis copy, the check that
each ETF's weights sum to about 1 (passing on the demo's lists, failing on a list that lost lines) and the one that
its lines are stored once."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import redis

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.resources import MarketDataResource
from investing_assets.lib.services.sources import MarketSources, Routes
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

FIRST, LAST = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


def check_outcomes(result) -> dict[str, tuple[bool, dict]]:
    return {e.asset_check_evaluation_data.check_name: (e.asset_check_evaluation_data.passed,
                                                       e.asset_check_evaluation_data.metadata)
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_each_partition_reports_its_own_rows_and_top_holdings(resources, instance, warehouse, redis_url):
    result = materialize_range([market_assets.etf_holdings], FIRST, LAST, resources, instance)
    assert result.success

    for session in (FIRST, LAST):
        lists = DemoSource().etf_holdings(session)
        meta = latest_metadata(instance, "etf_holdings", session.isoformat())
        assert meta["dagster/row_count"] == lists.height
        assert (meta["data_source"], meta["synthetic"]) == ("demo", True) and "synthetic" in meta["data_note"]
        preview = meta["preview"]
        assert preview.startswith("| etf | holdings | weight | top |")
        for etf, rows in lists.group_by("etf"):
            top = rows.sort("weight", descending=True).head(3)
            shown = ", ".join(f"{s} {round(w * 100, 2)}%" for s, w in top.select("symbol", "weight").rows())
            assert f"| {etf[0]} | {rows.height} | 1 | {shown} |" in preview, (session, etf[0])
    assert warehouse.count("market.etf_holdings") == sum(DemoSource().etf_holdings(d).height for d in (FIRST, LAST))

    passed, meta = check_outcomes(result)["weights_sum_to_one"]
    assert passed and meta["etf_sessions"].value == 28 and meta["off_by_more"].value == 0
    assert json.loads(redis.Redis.from_url(redis_url).get("cache:etf_holdings"))["as_of"] == LAST.isoformat()


class LostLines(DemoSource):
    """The demo's lists with SPY's smaller half of lines missing: what a truncated vendor list looks like."""

    def etf_holdings(self, session, etfs=None):
        lists = super().etf_holdings(session, etfs)
        return lists.filter((pl.col("etf") != "SPY") | (pl.col("weight") > 0.002))


def test_a_list_whose_weights_do_not_sum_to_one_fails_the_check_naming_it(resources, instance, monkeypatch):
    lost = LostLines()
    monkeypatch.setattr(MarketDataResource, "get", lambda self: MarketSources(Routes(), lambda name: lost))
    result = materialize_range([market_assets.etf_holdings], LAST, LAST, resources, instance, raise_on_error=False)

    passed, meta = check_outcomes(result)["weights_sum_to_one"]
    spy = lost.etf_holdings(LAST, ["SPY"])["weight"].sum()
    assert not passed and meta["off_by_more"].value == 1
    evaluation = next(e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION")
    assert evaluation.asset_check_evaluation_data.description == (
        f"1 ETF-session(s) whose weights do not sum to 1 within 0.02: SPY 2026-11-20 ({spy:.4f})")


def test_the_line_key_check_sees_lines_written_behind_the_writer(warehouse):
    """market.etf_holdings has no unique index (030): the blocking check is what notices a repeated line, a ticker
    twice in one ETF's list or an untickered line twice by name, and only those."""
    from investing_assets.defs.market.checks import UNIQUE_HOLDING_LINE, holdings_check_results

    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO market.etf_holdings (session, etf, symbol, name, weight, source) VALUES "
            "(%(d)s, 'SPY', 'AAPL', NULL, 0.5, 't'), (%(d)s, 'SPY', 'AAPL', NULL, 0.1, 't'), "  # a ticker twice
            "(%(d)s, 'SPY', NULL, 'Cash', 0.2, 't'), (%(d)s, 'SPY', NULL, 'Other', 0.2, 't'), "  # two names: fine
            "(%(d)s, 'QQQ', NULL, 'Cash', 0.5, 't'), (%(d)s, 'QQQ', NULL, 'Cash', 0.5, 't'), "  # a name twice
            "(%(p)s, 'DIA', 'AAPL', NULL, 1.0, 't')", {"d": LAST, "p": FIRST})
    results = {r.check_name: r for r in holdings_check_results(warehouse, [FIRST, LAST])}
    lines = results[UNIQUE_HOLDING_LINE]
    assert not lines.passed and lines.metadata["etf_sessions"].value == 2
    assert lines.description == "2 (ETF, session)s with a holdings line stored twice: QQQ 2026-11-20, SPY 2026-11-20"
    assert results[UNIQUE_HOLDING_LINE].severity.value == "ERROR"
    assert next(r for r in holdings_check_results(warehouse, [FIRST]) if r.check_name == UNIQUE_HOLDING_LINE).passed
