"""The screener's read: every symbol of a session's universe with its bar, change, indicators and what was
detected on it that day, in one statement (one round trip for the whole universe)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

INDICATOR_COLUMNS = ("rsi_14", "sma_20", "sma_50", "sma_200", "macd_hist", "adx_14", "atr_14", "stoch_k")
# the tables a session's screen is made of: their partition digests say whether a cached screen is still current
SCREEN_TABLES = (names.UNIVERSE, names.DAILY_BARS, names.INDICATORS, names.CHART_PATTERNS,
                 names.CANDLESTICK_PATTERNS, names.TECHNICAL_EVENTS, names.PATTERN_DISCOVERIES)


def screen_rows(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """One row per symbol listed on `session` (the newest universe on or before it) that has a bar that day."""
    previous = calendar.sessions_ending(session - dt.timedelta(days=1), 1)[0]
    indicators = ", ".join(f"i.{c}" for c in INDICATOR_COLUMNS)
    return warehouse.read_frame(
        f"""WITH u AS (SELECT symbol, name, sector, industry, shares_outstanding, source FROM {names.UNIVERSE}
                       WHERE session = (SELECT max(session) FROM {names.UNIVERSE} WHERE session <= %s)),
                 b AS (SELECT symbol, close, volume FROM {names.DAILY_BARS} WHERE session = %s),
                 p AS (SELECT symbol, close FROM {names.DAILY_BARS} WHERE session = %s),
                 i AS (SELECT * FROM {names.INDICATORS} WHERE session = %s),
                 cp AS (SELECT symbol, array_agg(DISTINCT pattern ORDER BY pattern) AS chart_patterns
                        FROM {names.CHART_PATTERNS} WHERE session = %s GROUP BY symbol),
                 cs AS (SELECT symbol, array_agg(pattern ORDER BY pattern) AS candlestick_patterns
                        FROM {names.CANDLESTICK_PATTERNS} WHERE session = %s AND confirmed GROUP BY symbol),
                 ev AS (SELECT symbol, array_agg(event ORDER BY event) AS events
                        FROM {names.TECHNICAL_EVENTS} WHERE session = %s GROUP BY symbol),
                 d AS (SELECT symbol, max(score) AS best_score, count(*) AS discoveries
                       FROM {names.PATTERN_DISCOVERIES} WHERE session = %s GROUP BY symbol)
            SELECT u.symbol, u.name, u.sector, u.industry, b.close, b.volume,
                   (b.close / p.close - 1) * 100 AS change_pct, b.close * u.shares_outstanding AS market_cap,
                   {indicators}, coalesce(cp.chart_patterns, '{{}}') AS chart_patterns,
                   coalesce(cs.candlestick_patterns, '{{}}') AS candlestick_patterns,
                   coalesce(ev.events, '{{}}') AS events, coalesce(d.discoveries, 0) AS discoveries,
                   d.best_score, u.source
            FROM u JOIN b USING (symbol) LEFT JOIN p USING (symbol) LEFT JOIN i USING (symbol)
                 LEFT JOIN cp USING (symbol) LEFT JOIN cs USING (symbol) LEFT JOIN ev USING (symbol)
                 LEFT JOIN d USING (symbol)
            ORDER BY u.symbol""",
        [session, session, previous, *([session] * 5)])


def screen_fingerprint(warehouse: Warehouse, session: dt.date | None) -> tuple[dt.date | None, str]:
    """The session (default: the newest stored universe's) and the partition digests of everything its screen
    reads: the session's unit of each table, and any unit written by session and symbol (a batch scan). Equal
    fingerprints, equal screens, so a cached screen is served only while its inputs are unchanged. One round
    trip: this runs on every screener request."""
    row = warehouse.read_frame(
        f"""WITH d AS (SELECT coalesce(%s::date, (SELECT max(session) FROM {names.UNIVERSE})) AS s),
                 u AS (SELECT s, '["' || to_char(s, 'YYYY-MM-DD') || '"' AS day FROM d)
            SELECT u.s, (SELECT coalesce(string_agg(table_name || unit || digest, ',' ORDER BY table_name, unit), '')
                         FROM {names.PARTITION_DIGESTS} WHERE table_name = ANY(%s)
                         AND (unit = 'session:' || u.day || ']' OR starts_with(unit, 'session,symbol:' || u.day || ',')))
            FROM u""", [session, list(SCREEN_TABLES)]).row(0)
    return row[0], row[1]
