"""Industry aggregation against the real PostgreSQL, on the demo market stored by the market services."""

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.analytics.adjustment import RAW
from investing_assets.lib.analytics.industry import aggregates
from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.services import estimates, industry, market
from investing_assets.lib.synthetic.source import DemoSource

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 2)


@pytest.fixture
def stored(warehouse):
    source = DemoSource()
    history = calendar.sessions_ending(DAYS[-1], industry.RETURN_SESSIONS + 2)
    market.write_universe(source, warehouse, history)
    market.write_daily_bars(source, warehouse, history)
    market.write_index_constituents(source, warehouse, DAYS)
    estimates.write_analyst_estimates(source, warehouse, DAYS)
    return warehouse


def test_both_tables_per_session_rerun_identically(stored):
    run = industry.write_industry_aggregates(stored, DAYS)
    sectors = run.latest(run.aggregates).filter(pl.col("level") == "sector")
    assert sectors.height == stored.read_frame("SELECT count(DISTINCT sector) FROM market.universe").item()
    assert sectors["members"].sum() == stored.count("market.universe", {"session": [DAYS[-1]]})
    assert sectors["forward_pe"].is_between(3, 200).all() and (sectors["pe_coverage"] > 0.5).all()
    assert run.latest(run.valuations)["index_code"].to_list() == ["DJI", "NDX", "SPX"]
    assert run.notes == ["no indicators stored for 2026-11-19, 2026-11-20: its columns are empty there",
                         "no SEC financials or ticker map stored: the trailing P/E, P/B and dividend yield are "
                         "empty (materialize sec_filing_index, sec_raw_facts and sec_financials)"]
    with stored.connect() as conn:
        first = conn.execute("SELECT * FROM fundamentals.industry_aggregates ORDER BY 1, 2, 3, 4").fetchall()
    industry.write_industry_aggregates(stored, DAYS)
    with stored.connect() as conn:
        assert conn.execute("SELECT * FROM fundamentals.industry_aggregates ORDER BY 1, 2, 3, 4").fetchall() == first


def test_the_stored_sector_row_is_the_aggregate_of_its_members(stored):
    run = industry.write_industry_aggregates(stored, DAYS[-1:])
    members, _ = industry._members(stored, DAYS[-1:])
    expected = aggregates(members.drop("session")).filter((pl.col("level") == "sector") & (pl.col("name") == "Energy"))
    stored_row = stored.read_frame("SELECT forward_pe, return_21d, members FROM fundamentals.industry_aggregates "
                                   "WHERE level = 'sector' AND name = 'Energy'")
    assert stored_row.rows() == expected.select("forward_pe", "return_21d", "members").rows()
    energy = run.latest(run.aggregates).filter((pl.col("level") == "sector") & (pl.col("name") == "Energy"))
    assert energy["revision_breadth"].is_between(-100, 100).all()


def test_missing_bars_fail_and_missing_estimates_are_said(stored):
    later = calendar.sessions_ending(dt.date(2026, 11, 24), 1)
    with pytest.raises(BadMarketData, match="no universe stored for 2026-11-24"):
        industry.write_industry_aggregates(stored, later)
    market.write_universe(DemoSource(), stored, later)
    with pytest.raises(BadMarketData, match="no bars or universe stored for 2026-11-24"):
        industry.write_industry_aggregates(stored, later)
    with stored.connect() as conn:
        conn.execute("DELETE FROM fundamentals.analyst_estimates WHERE session = %s", [DAYS[-1]])
    run = industry.write_industry_aggregates(stored, DAYS)
    assert any("no analyst_estimates stored for 2026-11-20" in n for n in run.notes)
    assert run.latest(run.aggregates)["forward_pe"].null_count() == run.latest(run.aggregates).height


def test_without_constituents_the_aggregates_are_written_and_the_gap_said(stored):
    with stored.connect() as conn:
        conn.execute("DELETE FROM market.index_constituents")
    run = industry.write_industry_aggregates(stored, DAYS)
    assert any("no index constituents stored for 2026-11-19, 2026-11-20" in n for n in run.notes)
    assert stored.count("fundamentals.index_valuations") == 0 and stored.count("fundamentals.industry_aggregates")


def test_the_second_session_of_a_range_compares_with_the_first(stored):
    run = industry.write_industry_aggregates(stored, DAYS)
    bars = stored.read_frame("SELECT u.sector, b.session, sum(u.shares_outstanding * b.close) AS cap "
                             "FROM market.daily_bars b JOIN market.universe u USING (session, symbol) "
                             "WHERE b.session = ANY(%s) GROUP BY 1, 2 ORDER BY 1, 2", [DAYS])
    energy = bars.filter(pl.col("sector") == "Energy")["cap"].to_list()  # one share count: the demo's is fixed
    stored_row = run.latest(run.aggregates).filter((pl.col("level") == "sector") & (pl.col("name") == "Energy"))
    assert stored_row.item(0, "return_1d") == pytest.approx(100 * (energy[1] / energy[0] - 1))


def test_a_split_inside_the_window_is_no_industry_return(stored):
    """CCL alone makes up its industry: an unadjusted 2:1 split 10 sessions back (its earlier raw prices twice
    today's) with the split stored as a corporate action leaves the adjusted returns exactly as without it; on
    raw prices the industry would read about -50 %."""
    victim, session = "CCL", DAYS[-1]
    split_day = calendar.sessions_ending(session, 10)[0]

    def returns(run):
        rows = run.latest(run.aggregates)
        industry_row = rows.filter(pl.col("level") == "industry", pl.col("name") == "Hospitality , tourism")
        assert industry_row.item(0, "members") == 1
        sector = rows.filter(pl.col("level") == "sector", pl.col("name") == industry_row.item(0, "sector"))
        return industry_row.item(0, "return_21d"), sector.item(0, "return_21d"), industry_row.item(0, "return_1d")

    baseline = returns(industry.write_industry_aggregates(stored, [session]))
    with stored.connect() as conn:
        conn.execute("UPDATE market.daily_bars SET open = open * 2, high = high * 2, low = low * 2, "
                     "close = close * 2, adj_close = adj_close * 2 WHERE symbol = %s AND session < %s",
                     [victim, split_day])
    split = pl.DataFrame({"symbol": [victim], "session": [split_day], "kind": ["split"], "ratio": [2.0],
                          "amount": [None], "source": ["test"]}, schema_overrides={"amount": pl.Float64})
    stored.replace_rows("market.corporate_actions", split, {"session": [split_day]})

    adjusted = industry.write_industry_aggregates(stored, [session])
    assert adjusted.basis == "adjusted"
    assert returns(adjusted) == baseline  # the doubling and the 1/2 factor are exact in binary
    assert any(n.startswith("adjusted prices: 1 symbol(s) with a split or dividend") for n in adjusted.notes)
    stored_row = stored.read_frame("SELECT return_21d FROM fundamentals.industry_aggregates "
                                   "WHERE level = 'industry' AND name = 'Hospitality , tourism'")
    assert stored_row.item() == baseline[0]

    raw = returns(industry.write_industry_aggregates(stored, [session], basis=RAW))
    assert raw[0] == pytest.approx(100 * ((1 + baseline[0] / 100) / 2 - 1))  # about -50 %
    assert raw[1] < baseline[1] and raw[2] == baseline[2]  # the split is before yesterday: 1d unchanged


def test_trailing_figures_from_the_filings_known_by_each_session(stored, tmp_path):
    from investing_assets.lib.services.sec_ingest import ingest_facts, ingest_index, standardize
    from investing_assets.lib.synthetic.sec_filings import write_demo_archives

    # an archive fetched months later: it holds the next quarter's filings, which the sessions must not see
    archives = write_demo_archives(tmp_path, dt.date(2027, 2, 12))
    index = ingest_index(stored, archives, dt.date(2027, 2, 6))
    ingest_facts(stored, archives, index.ciks)
    standardize(stored, index.ciks)
    run = industry.write_industry_aggregates(stored, DAYS)
    assert not any("SEC" in n for n in run.notes)
    per_symbol = stored.read_frame("SELECT * FROM fundamentals.trailing_valuations ORDER BY session, symbol")
    assert per_symbol.height == run.trailing.height > 900  # ~every member, both sessions
    assert (per_symbol.get_column("filed") <= per_symbol.get_column("session")).all()
    later = stored.read_frame("SELECT count(*) FROM fundamentals.sec_financials WHERE filed > %s", [DAYS[-1]]).item()
    assert later > 0  # so the check above could fail
    positive = per_symbol.filter(pl.col("trailing_eps") > 0)
    assert (positive["trailing_pe"] - positive["close"] / positive["trailing_eps"]).abs().max() < 1e-9
    assert set(per_symbol.filter(symbol="BRK.B").get_column("session")) == set(DAYS)  # EDGAR's BRK-B

    # the sector's trailing P/E is its total cap over its members' total trailing earnings
    day = per_symbol.filter(session=DAYS[-1]).join(
        stored.read_frame("SELECT symbol, sector, shares_outstanding FROM market.universe WHERE session = %s",
                          [DAYS[-1]]), on="symbol")
    energy = day.filter(pl.col("trailing_eps") > 0, sector="Energy")
    expected = (energy["close"] * energy["shares_outstanding"]).sum() / (
        energy["trailing_eps"] * energy["shares_outstanding"]).sum()
    row = stored.read_frame("SELECT trailing_pe, price_to_book, dividend_yield, trailing_coverage, forward_pe "
                            "FROM fundamentals.industry_aggregates WHERE session = %s AND level = 'sector' "
                            "AND name = 'Energy'", [DAYS[-1]]).row(0, named=True)
    assert row["trailing_pe"] == pytest.approx(expected, rel=1e-9)
    assert 3 < row["trailing_pe"] < 200 and row["price_to_book"] > 0 and row["dividend_yield"] >= 0
    assert 0.5 < row["trailing_coverage"] <= 1
    spx = stored.read_frame("SELECT trailing_pe, forward_pe, dividend_yield FROM fundamentals.index_valuations "
                            "WHERE session = %s AND index_code = 'SPX'", [DAYS[-1]]).row(0, named=True)
    assert 5 < spx["trailing_pe"] < 100 and spx["dividend_yield"] > 0
