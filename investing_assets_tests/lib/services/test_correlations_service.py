"""Correlations against the real PostgreSQL: a session's rows use that session's sectors, never the run's last."""

import datetime as dt

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.services import market
from investing_assets.lib.services.correlations import write_correlations
from investing_assets.lib.synthetic.source import DemoSource

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 2)


def test_a_session_keeps_its_own_sectors_when_a_later_one_reclassifies(warehouse):
    source = DemoSource()
    history = calendar.sessions_ending(DAYS[-1], 63)
    market.write_universe(source, warehouse, history)
    market.write_daily_bars(source, warehouse, history)
    with warehouse.connect() as conn:  # AAPL moves to another sector on the last session only
        conn.execute("UPDATE market.universe SET sector = 'Utilities' WHERE symbol = 'AAPL' AND session = %s",
                     [DAYS[-1]])

    write_correlations(warehouse, DAYS[:1])
    alone = warehouse.read_frame("SELECT * FROM technicals.symbol_correlations WHERE session = %s ORDER BY symbol",
                                 [DAYS[0]])
    write_correlations(warehouse, DAYS)
    in_range = warehouse.read_frame("SELECT * FROM technicals.symbol_correlations ORDER BY session, symbol")

    assert in_range.filter(pl.col("session") == DAYS[0]).equals(alone)
    sector_of_aapl = in_range.filter(pl.col("symbol") == "AAPL").sort("session").get_column("sector").to_list()
    assert sector_of_aapl[1] == "Utilities" and sector_of_aapl[0] != "Utilities"
