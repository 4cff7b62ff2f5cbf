"""Group valuations the index providers' way, and the closes their returns compare, checked by hand on small frames."""

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.analytics.adjustment import RAW
from investing_assets.lib.analytics.industry import (
    AGGREGATES,
    CLOSES,
    INDEX_VALUATIONS,
    MEMBERS,
    aggregates,
    index_valuations,
    member_closes,
)
from investing_assets.lib.core import calendar


def members(rows: list[tuple]) -> pl.DataFrame:
    columns = ["symbol", "sector", "industry", "shares_outstanding", "close", "close_1d", "close_21d", "sma_50",
               "forward_eps", "forward_eps_before"]
    return pl.DataFrame(rows, schema=columns, orient="row").cast(MEMBERS)


FRAME = members([
    # symbol, sector, industry, shares, close, close_1d, close_21d, sma_50, eps, eps_before
    ("AAA", "Tech", "Chips", 100, 50.0, 49.0, 40.0, 45.0, 5.0, 4.0),     # cap 5,000, earnings 500
    ("BBB", "Tech", "Chips", 10, 200.0, 210.0, 200.0, 210.0, 1.0, 1.0),  # cap 2,000, earnings 10 (P/E 200)
    ("CCC", "Tech", "Software", 20, 100.0, 100.0, None, None, -2.0, -1.0),  # loss: no P/E, still size
    ("DDD", "Energy", "Oil", 50, 20.0, 20.0, 25.0, 19.0, 2.0, 2.5),      # cap 1,000, earnings 100
])


def test_group_pe_is_total_cap_over_total_earnings_not_a_mean_of_ratios():
    out = aggregates(FRAME)
    assert out.schema == pl.Schema(AGGREGATES)
    tech = out.filter((pl.col("level") == "sector") & (pl.col("name") == "Tech")).row(0, named=True)
    assert tech["members"] == 3 and tech["market_cap"] == 9_000.0
    assert tech["forward_pe"] == pytest.approx(7_000 / 510)  # the mean of 10x and 200x would say 105x
    assert tech["pe_coverage"] == pytest.approx(7_000 / 9_000)
    assert tech["return_1d"] == pytest.approx(100 * (9_000 / (4_900 + 2_100 + 2_000) - 1))
    assert tech["return_21d"] == pytest.approx(100 * (7_000 / (4_000 + 2_000) - 1))  # CCC has no 21d close
    assert tech["pct_above_sma50"] == pytest.approx(50.0)  # AAA above, BBB below, CCC unknown
    assert tech["revision_breadth"] == pytest.approx(100 * (1 + 0 - 1) / 3)
    chips = out.filter((pl.col("level") == "industry") & (pl.col("name") == "Chips")).row(0, named=True)
    assert (chips["sector"], chips["members"]) == ("Tech", 2)
    software = out.filter(pl.col("name") == "Software").row(0, named=True)
    assert software["forward_pe"] is None and software["pe_coverage"] == 0.0


def test_index_pe_weights_earnings_yields_and_renormalises_over_earners():
    weights = pl.DataFrame({"index_code": ["SPX", "SPX", "SPX", "DJI", "DJI"],
                            "symbol": ["AAA", "BBB", "CCC", "AAA", "DDD"],
                            "weight": [0.5, 0.3, 0.2, 0.6, 0.4]})
    out = index_valuations(weights, FRAME)
    assert out.schema == pl.Schema(INDEX_VALUATIONS)
    spx = out.filter(pl.col("index_code") == "SPX").row(0, named=True)
    assert spx["forward_pe"] == pytest.approx(0.8 / (0.5 * 5 / 50 + 0.3 * 1 / 200))
    assert spx["pe_coverage"] == pytest.approx(0.8) and spx["members"] == 3
    assert spx["earnings_yield"] == pytest.approx(100 / spx["forward_pe"])
    dji = out.filter(pl.col("index_code") == "DJI").row(0, named=True)
    assert dji["forward_pe"] == pytest.approx(1 / (0.6 * 0.1 + 0.4 * 0.1))


def test_members_missing_a_price_or_a_sector_never_bias_the_ratios():
    frame = members([
        ("AAA", "Tech", "Chips", 100, 50.0, 50.0, 50.0, None, 5.0, None),
        ("BBB", "Tech", "Chips", 100, None, 80.0, 80.0, None, 5.0, None),  # no close today (halted, late bar)
        ("CCC", None, None, 10, 10.0, 10.0, 10.0, None, 1.0, None),  # a source without sectors
    ])
    out = aggregates(frame)
    tech = out.filter((pl.col("level") == "sector") & (pl.col("name") == "Tech")).row(0, named=True)
    assert tech["return_1d"] == pytest.approx(0.0) and tech["forward_pe"] == pytest.approx(10.0)
    assert tech["pe_coverage"] == pytest.approx(1.0) and tech["market_cap"] == 5_000.0
    assert out.filter(pl.col("name") == "Unclassified")["members"].to_list() == [1, 1]  # sector and industry
    weights = pl.DataFrame({"index_code": ["SPX", "SPX"], "symbol": ["AAA", "BBB"], "weight": [0.5, 0.5]})
    assert index_valuations(weights, frame).item(0, "forward_pe") == pytest.approx(10.0)


def test_no_earners_or_no_caps_give_null_never_nan():
    frame = members([("AAA", "Tech", "Chips", None, 50.0, 49.0, 40.0, 45.0, -1.0, None)])
    row = aggregates(frame).row(0, named=True)
    assert (row["market_cap"], row["return_1d"], row["forward_pe"], row["pe_coverage"]) == (None, None, None, None)
    weights = pl.DataFrame({"index_code": ["SPX"], "symbol": ["AAA"], "weight": [1.0]})
    index = index_valuations(weights, frame).row(0, named=True)
    assert (index["forward_pe"], index["earnings_yield"], index["pe_coverage"]) == (None, None, 0.0)


DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 23)


def two_symbols(split_at: int) -> pl.DataFrame:
    """FLAT drifts up a cent a session; SPLT trades at 200 then at 100 from DAYS[split_at] on (a raw 2:1 split)."""
    flat = [100 + k / 100 for k in range(len(DAYS))]
    split = [200.0 if k < split_at else 100.0 for k in range(len(DAYS))]
    rows = [(symbol, day, price, 1000) for symbol, prices in (("FLAT", flat), ("SPLT", split))
            for day, price in zip(DAYS, prices, strict=True)]
    frame = pl.DataFrame(rows, schema=["symbol", "session", "close", "volume"], orient="row")
    return frame.with_columns(open=pl.col("close"), high=pl.col("close"), low=pl.col("close"),
                              adj_close=pl.lit(None, pl.Float64))


SPLIT = pl.DataFrame({"symbol": ["SPLT"], "session": [DAYS[12]], "kind": ["split"], "ratio": [2.0],
                      "amount": [None]}, schema_overrides={"amount": pl.Float64})


def test_closes_compare_with_one_and_21_sessions_back_in_the_sessions_units():
    bars = two_symbols(split_at=12)
    out = member_closes(bars, SPLIT, DAYS[-2:], 21)
    assert out.schema == pl.Schema(CLOSES) and out.height == 4
    flat = out.filter(pl.col("symbol") == "FLAT", pl.col("session") == DAYS[-1]).row(0, named=True)
    assert (flat["close"], flat["close_1d"], flat["close_21d"]) == (100.22, 100.21, 100.01)  # no step: raw bits
    split = out.filter(pl.col("symbol") == "SPLT").sort("session")
    assert split["close_21d"].to_list() == [100.0, 100.0]  # 200 in pre-split units, halved
    assert split["close_1d"].to_list() == [100.0, 100.0]
    late = member_closes(bars.filter(pl.col("session") > DAYS[0]), SPLIT, DAYS[-2:], 21)
    assert late.filter(pl.col("symbol") == "SPLT")["close_21d"].to_list() == [None, 100.0]  # no bar that far back
    raw = member_closes(bars, SPLIT, DAYS[-1:], 21, basis=RAW).filter(pl.col("symbol") == "SPLT")
    assert raw.item(0, "close_21d") == 200.0  # the -50 % the adjusted basis removes


def test_a_split_the_bars_do_not_show_is_not_applied():
    """Split-adjusted bars (Yahoo, FMP) with the action stored: no gap, so no factor (lib.analytics.adjustment)."""
    bars = two_symbols(split_at=0)
    out = member_closes(bars, SPLIT, DAYS[-1:], 21).filter(pl.col("symbol") == "SPLT")
    assert out.item(0, "close_21d") == 100.0


def test_trailing_valuations_are_cap_weighted_totals_over_the_members_that_have_them():
    import polars as pl

    from investing_assets.lib.analytics.industry import aggregates, index_valuations

    members = pl.DataFrame({
        "symbol": ["A", "B", "C"], "sector": ["Tech"] * 3, "industry": ["Soft"] * 3,
        "shares_outstanding": [100, 200, 50], "close": [10.0, 5.0, 20.0], "close_1d": [10.0, 5.0, 20.0],
        "close_21d": [10.0, 5.0, 20.0], "sma_50": [9.0, 6.0, 19.0], "forward_eps": [1.0, 0.5, 2.0],
        "forward_eps_before": [1.0, 0.5, 2.0],
        "trailing_eps": [0.5, -0.1, None], "book_per_share": [4.0, 2.0, 10.0], "dividends_per_share": [0.2, 0.0, None]})
    sector = aggregates(members).filter(pl.col("level") == "sector").row(0, named=True)
    # caps 1000, 1000, 1000; only A earns: 1000 / (100 * 0.5)
    assert sector["trailing_pe"] == pytest.approx(20.0)
    assert sector["trailing_coverage"] == pytest.approx(1 / 3)
    assert sector["price_to_book"] == pytest.approx(3000 / (400 + 400 + 500))
    assert sector["dividend_yield"] == pytest.approx(100 * 20 / 2000)  # C's dividend is unknown, not zero
    weights = pl.DataFrame({"index_code": ["X", "X", "X"], "symbol": ["A", "B", "C"], "weight": [0.5, 0.3, 0.2]})
    index = index_valuations(weights, members).row(0, named=True)
    assert index["trailing_pe"] == pytest.approx(0.5 / (0.5 * 0.5 / 10.0))
    assert index["dividend_yield"] == pytest.approx(100 * (0.5 * 0.2 / 10.0) / 0.8)
    assert index["trailing_coverage"] == pytest.approx(0.5)
    without = aggregates(members.drop("trailing_eps", "book_per_share", "dividends_per_share"))
    assert without.get_column("trailing_pe").null_count() == without.height  # no filings: unknown
