"""Every value stored for a session is the same however the session was run: alone, as the first day of a range,
as the last day of another, in that order, each after the previous loads (issue 9).

The inputs every computation reads from earlier sessions (universe, constituents and bars over the longest
lookback, estimates of the session before) are loaded first, in one range run; then each scenario
re-materializes every trading_day asset of market, technicals, fundamentals and news for its range, and the
rows of the session under test are digested table by table.
"""

import datetime as dt
import hashlib

import polars as pl

from investing_assets.defs.fundamentals import assets as fundamentals
from investing_assets.defs.market import assets as market
from investing_assets.defs.news import assets as news
from investing_assets.defs.shared.metadata import markdown_table
from investing_assets.defs.technicals import assets as technicals
from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.core import calendar
from investing_assets.lib.services.market import top_movers
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import read_bars_with_previous
from investing_assets_tests.defs._helpers import materialize_range

SESSION = dt.date(2026, 11, 11)  # a session with news and chart-pattern breakouts in the demo
BEFORE = calendar.sessions_ending(SESSION, 3)  # SESSION is the last of these
AFTER = calendar.sessions_between(SESSION, dt.date(2026, 11, 13))  # and the first of these

MARKET = [market.universe, market.index_constituents, market.daily_bars, market.index_quotes, market.etf_quotes,
          market.commodity_quotes, market.crypto_quotes, market.fx_quotes, market.corporate_actions]
DERIVED = [technicals.indicators, technicals.daily_scan, technicals.correlations, fundamentals.analyst_estimates,
           fundamentals.industry_aggregation, news.news_articles]
TABLES = [names.UNIVERSE, names.INDEX_CONSTITUENTS, names.DAILY_BARS, names.QUOTES, names.INDICATORS,
          names.CANDLESTICK_PATTERNS, names.CHART_PATTERNS, names.TECHNICAL_EVENTS, names.PATTERN_DISCOVERIES,
          names.SCAN_ELIGIBILITY, names.SYMBOL_CORRELATIONS, names.CORRELATION_PAIRS, names.SECTOR_CORRELATIONS,
          names.ANALYST_ESTIMATES, names.INDUSTRY_AGGREGATES, names.INDEX_VALUATIONS, names.NEWS_ARTICLES]


def _digests(warehouse, session: dt.date) -> dict[str, tuple[int, str]]:
    """Per table: the session's row count and a digest of its rows (every column, in a canonical order)."""
    out = {}
    for table in TABLES:
        # row_to_json prints float8 exactly (shortest round-trip text) and handles the JSON columns
        rows = warehouse.read_frame(f"SELECT row_to_json(t)::text AS row FROM {table} t WHERE session = %s "
                                    "ORDER BY 1", [session]).get_column("row").to_list()
        out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def _movers_preview(result) -> str:
    return result.asset_materializations_for_node("daily_bars")[-1].metadata["preview"].value


def test_a_session_stores_the_same_rows_alone_first_and_last_in_a_range(resources, instance, warehouse):
    history = calendar.sessions_ending(BEFORE[0], ScanConfig().history_sessions + 2)
    assert materialize_range([market.universe, market.index_constituents, market.daily_bars], history[0],
                             AFTER[-1], resources, instance).success
    assert materialize_range([fundamentals.analyst_estimates], BEFORE[0], AFTER[-1], resources, instance).success

    seen, previews = {}, {}
    for name, (first, last) in {"alone": (SESSION, SESSION), "first of a range": (AFTER[0], AFTER[-1]),
                                "last of a range": (BEFORE[0], BEFORE[-1])}.items():
        result = materialize_range(MARKET + DERIVED, first, last, resources, instance)
        assert result.success, name
        seen[name] = _digests(warehouse, SESSION)
        if last == SESSION:
            previews[name] = _movers_preview(result)

    alone = seen["alone"]
    empty = [table for table, (count, _) in alone.items() if count == 0]
    assert not empty, f"no rows of {SESSION} to compare in {empty}"
    for name, digests in seen.items():
        changed = [table for table in TABLES if digests[table] != alone[table]]
        assert not changed, f"{name}: rows of {SESSION} differ from the session run alone in {changed}"

    # the movers preview is close over the previous session's close in both, as `investing summary` shows it
    summary = markdown_table(top_movers(read_bars_with_previous(warehouse, SESSION), SESSION))
    assert previews["alone"] == previews["last of a range"] == summary


def test_a_single_session_has_no_change_without_the_previous_close(resources, instance, warehouse):
    """Nothing stored before the session: no mover can be computed, and none is made up from the open."""
    assert materialize_range([market.universe, market.daily_bars], SESSION, SESSION, resources, instance).success
    bars = read_bars_with_previous(warehouse, SESSION)
    assert bars.get_column("session").unique().to_list() == [SESSION]
    assert top_movers(bars, SESSION).height == 0
    assert bars.filter(pl.col("session") == SESSION).height > 0
