"""Analyst consensus snapshots against the real PostgreSQL: validation, idempotent writes, revisions."""

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.services import estimates, market
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries import fundamentals
from investing_assets.lib.synthetic.source import DemoSource

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 2)


class Doctored(DemoSource):
    """The demo source with one row spoiled, as a vendor might send it."""

    def __init__(self, spoil) -> None:
        super().__init__()
        self.spoil = spoil

    def analyst_estimates(self, session, symbols=None):
        return self.spoil(super().analyst_estimates(session, symbols))


class TodayOnly(DemoSource):
    name = "vendor"
    point_in_time_estimates = False


@pytest.fixture
def universe(warehouse):
    market.write_universe(DemoSource(), warehouse, DAYS)
    return warehouse


def snapshot(warehouse):
    with warehouse.connect() as conn:
        return conn.execute("SELECT * FROM fundamentals.analyst_estimates ORDER BY 1, 2, 3, 4").fetchall()


def test_snapshots_are_written_per_session_and_reruns_change_nothing(universe):
    written = estimates.write_analyst_estimates(DemoSource(), universe, DAYS)
    symbols = universe.count("market.universe", {"session": [DAYS[-1]]})
    assert written.rows == 2 * 3 * symbols and universe.count(names.ANALYST_ESTIMATES) == written.rows
    before = snapshot(universe)
    estimates.write_analyst_estimates(DemoSource(), universe, DAYS)
    assert snapshot(universe) == before
    revisions = written.preview
    assert revisions.height == 10 and revisions.columns == ["symbol", "period_end", "eps_before", "eps_now",
                                                           "revision_pct"]
    biggest = revisions.row(0, named=True)
    assert biggest["revision_pct"] == pytest.approx(100 * (biggest["eps_now"] / biggest["eps_before"] - 1), abs=0.01)
    assert revisions["revision_pct"].abs().to_list() == sorted(revisions["revision_pct"].abs().to_list(), reverse=True)


@pytest.mark.parametrize("spoil, message", [
    (lambda f: f.with_columns(eps_low=pl.when(pl.col("symbol") == "AAPL").then(999.0).otherwise("eps_low")),
     "AAPL annual .*average estimate is outside its low-high range"),
    (lambda f: f.with_columns(eps_avg=pl.when(pl.col("symbol") == "AMD").then(pl.col("eps_high") * 1.01)
                              .otherwise("eps_avg")), "AMD annual .*average estimate is outside its low-high range"),
    (lambda f: f.with_columns(revenue_avg=pl.when(pl.col("symbol") == "TSLA").then(float("nan"))
                              .otherwise("revenue_avg")), "TSLA annual .*NaN estimate"),
    (lambda f: pl.concat([f, f.filter(pl.col("symbol") == "MSFT").head(1)]), "MSFT annual .*the same period twice"),
    (lambda f: f.with_columns(symbol=pl.when(pl.col("symbol") == "AAPL").then(pl.lit("ZZZZ")).otherwise("symbol")),
     "ZZZZ annual .*outside the session's universe"),
    (lambda f: f.with_columns(analysts_eps=pl.when(pl.col("symbol") == "NVDA").then(-1).otherwise("analysts_eps")),
     "NVDA annual .*negative analyst count"),
])
def test_a_spoiled_row_fails_with_its_symbol_and_writes_nothing(universe, spoil, message):
    estimates.write_analyst_estimates(DemoSource(), universe, DAYS[:1])
    before = snapshot(universe)
    with pytest.raises(BadMarketData, match=message):
        estimates.write_analyst_estimates(Doctored(spoil), universe, DAYS)
    assert snapshot(universe) == before


def test_a_source_without_history_is_refused_for_past_sessions(universe):
    with pytest.raises(BadMarketData, match=r"vendor source serves the current consensus only.*2026-11-19"):
        estimates.write_analyst_estimates(TodayOnly(), universe, DAYS)
    assert universe.count(names.ANALYST_ESTIMATES) == 0
    current = last_closed_session()  # what the 02:00 run asks for
    market.write_universe(DemoSource(), universe, [current])
    assert estimates.write_analyst_estimates(TodayOnly(), universe, [current]).rows > 0


def test_a_consensus_with_no_eps_is_kept_out_of_the_revisions(universe):
    estimates.write_analyst_estimates(DemoSource(), universe, DAYS)
    first = fundamentals.revisions(universe, DAYS[-1], top=1).item(0, "symbol")
    with universe.connect() as conn:  # e.g. FMP's 0/0/0 placeholder, stored as null
        conn.execute("UPDATE fundamentals.analyst_estimates SET eps_low = NULL, eps_avg = NULL, eps_high = NULL "
                     "WHERE symbol = %s AND session = %s", [first, DAYS[-1]])
    after = fundamentals.revisions(universe, DAYS[-1])
    assert first not in after["symbol"].to_list() and after["eps_now"].null_count() == 0
