"""Counts of stored rows that break a data check, read back from PostgreSQL rather than from a written frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

# Each check's offending (symbol, session) rows among the run's sessions.
_BAR_VIOLATIONS = {
    "ohlc_sanity": f"SELECT symbol, session FROM {names.DAILY_BARS} WHERE session = ANY(%(sessions)s) "
                   "AND (low > least(open, close) OR high < greatest(open, close))",
    "positive_prices": f"SELECT symbol, session FROM {names.DAILY_BARS} WHERE session = ANY(%(sessions)s) "
                       "AND (least(open, high, low, close) <= 0 OR adj_close <= 0 "
                       "OR 'NaN'::float8 IN (open, high, low, close, adj_close))",
    # the universe of a session lists only the symbols trading on it (sql/009_listing.sql), so a bar is
    # expected exactly while a symbol is listed. A set difference, not NOT EXISTS: the anti-join probed the bars'
    # index once per listed row (5.3 s against 1.5 s for a ten-year range, sql/031)
    "universe_coverage": f"SELECT symbol, session FROM {names.UNIVERSE} WHERE session = ANY(%(sessions)s) EXCEPT "
                         f"SELECT symbol, session FROM {names.DAILY_BARS} WHERE session = ANY(%(sessions)s)",
}
EXAMPLES = 20  # offending rows a failed check names


def count_bar_violations(warehouse: Warehouse, sessions: Sequence[dt.date]) -> dict[str, int]:
    """Per bar check (ohlc_sanity, positive_prices, universe_coverage): the offending rows in the sessions."""
    return {name: found.count for name, found in bar_violations(warehouse, sessions).items()}


@dataclass(frozen=True)
class Violations:
    """How many rows offend a check, and the first EXAMPLES of them by (session, symbol)."""

    count: int
    examples: list[tuple[str, dt.date]]

    def describe(self) -> str:
        """'AAPL 2026-11-20, MSFT 2026-11-20 and 3 more': what a failed check names."""
        shown = ", ".join(f"{symbol} {session.isoformat()}" for symbol, session in self.examples)
        more = self.count - len(self.examples)
        return shown + (f" and {more} more" if more > 0 else "")


def bar_violations(warehouse: Warehouse, sessions: Sequence[dt.date]) -> dict[str, Violations]:
    """Per bar check: the offending rows in the sessions, counted and named."""
    days = list(sessions)
    out = {}
    with warehouse.connect() as conn:
        for name, query in _BAR_VIOLATIONS.items():
            rows = conn.execute(f"SELECT symbol, session, count(*) OVER () FROM ({query}) v "
                                f"ORDER BY session, symbol LIMIT {EXAMPLES}", {"sessions": days}).fetchall()
            out[name] = Violations(rows[0][2] if rows else 0, [(r[0], r[1]) for r in rows])
    return out


def count_repeated_keys(warehouse: Warehouse, table: str, sessions: Sequence[dt.date]) -> int:
    """(session, symbol) keys stored more than once in the sessions: the key the writer keeps without a unique
    index (sql/006_history_keys.sql)."""
    return repeated_keys(warehouse, table, sessions).count


def repeated_keys(warehouse: Warehouse, table: str, sessions: Sequence[dt.date]) -> Violations:
    """The (session, symbol) keys stored more than once in the sessions, counted and named."""
    query = sql.SQL("SELECT symbol, session, count(*) OVER () FROM (SELECT session, symbol FROM {} "
                    "WHERE session = ANY(%s) GROUP BY session, symbol HAVING count(*) > 1) d "
                    "ORDER BY session, symbol LIMIT {}").format(warehouse.table(table), sql.Literal(EXAMPLES))
    with warehouse.connect() as conn:
        rows = conn.execute(query, [list(sessions)]).fetchall()
    return Violations(rows[0][2] if rows else 0, [(r[0], r[1]) for r in rows])


def repeated_holding_lines(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Violations:
    """ETF holdings lines stored more than once in the sessions (a ticker twice in an ETF's list, or a line without
    one twice by name): the key market.etf_holdings keeps in its writer, without a unique index (030). Named as
    (ETF, session)."""
    query = (f"SELECT etf, session, count(*) OVER () FROM (SELECT DISTINCT session, etf FROM {names.ETF_HOLDINGS} "
             "WHERE session = ANY(%s) GROUP BY session, etf, symbol, CASE WHEN symbol IS NULL THEN name END "
             f"HAVING count(*) > 1) d ORDER BY session, etf LIMIT {EXAMPLES}")
    with warehouse.connect() as conn:
        rows = conn.execute(query, [list(sessions)]).fetchall()
    return Violations(rows[0][2] if rows else 0, [(r[0], r[1]) for r in rows])
