"""ETF holdings into PostgreSQL and Redis: what is written, what is refused before a write, what the cache holds,
and the weight totals the asset's check reads back."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import redis

from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.services.etf_holdings import (
    holdings_preview,
    stored_weight_problems,
    top_holdings,
    validate_holdings,
    write_etf_holdings,
)
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.holdings import holdings_of_session, holdings_source
from investing_assets.lib.synthetic.source import DemoSource

FIRST, LAST = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


class ChangedSource(DemoSource):
    """The demo's lists with one stated change applied to each."""

    def __init__(self, change):
        super().__init__()
        self.change = change

    def etf_holdings(self, session, etfs=None):
        return self.change(super().etf_holdings(session, etfs))


def test_each_sessions_lists_are_stored_and_the_newest_cached(warehouse, cache, redis_url):
    source = DemoSource()
    written = write_etf_holdings(source, warehouse, cache, [FIRST, LAST])

    lists = source.etf_holdings(LAST)
    assert written.rows == lists.height * 2 and written.sessions == 2 and written.cached is True
    stored = holdings_of_session(warehouse, LAST)
    assert stored.equals(lists)
    assert holdings_source(warehouse, LAST, "SPY") == "demo"
    cached = json.loads(redis.Redis.from_url(redis_url).get("cache:etf_holdings"))
    assert cached["as_of"] == LAST.isoformat() and sorted(cached["data"]) == sorted(lists["etf"].unique())
    spy = lists.filter(pl.col("etf") == "SPY")
    assert cached["data"]["SPY"][0] == {"symbol": spy.item(0, "symbol"), "name": spy.item(0, "name"),
                                        "weight": spy.item(0, "weight"), "shares": None, "market_value": None,
                                        "as_of": LAST.isoformat()}
    # a backfill of an older session leaves the cache on the newest stored one
    write_etf_holdings(source, warehouse, cache, [dt.date(2026, 11, 18)])
    assert json.loads(redis.Redis.from_url(redis_url).get("cache:etf_holdings"))["as_of"] == LAST.isoformat()


def test_the_preview_names_each_etfs_largest_holdings(warehouse):
    written = write_etf_holdings(DemoSource(), warehouse, None, [LAST])
    preview = written.preview_of(LAST)
    lists = DemoSource().etf_holdings(LAST)
    dia = lists.filter(pl.col("etf") == "DIA")
    row = preview.filter(pl.col("etf") == "DIA").row(0, named=True)
    assert row["holdings"] == 30 and row["weight"] == pytest.approx(1.0)
    assert row["top"] == ", ".join(f"{s} {round(w * 100, 2)}%" for s, w in dia.head(3).select("symbol", "weight").rows())
    assert written.cached is None and written.notes == []


def test_a_cash_line_is_named_in_the_preview_and_top_holdings():
    frame = pl.DataFrame({"etf": ["DIA"] * 3, "symbol": ["GS", None, "MSFT"], "name": ["GS", "US DOLLAR", "MSFT"],
                          "weight": [0.5, 0.3, 0.2], "shares": [1.0, 2.0, 3.0], "market_value": [1.0, 2.0, 3.0],
                          "as_of": [LAST] * 3})
    assert holdings_preview(frame).row(0) == ("DIA", 3, pytest.approx(1.0), "GS 50.0%, US DOLLAR 30.0%, MSFT 20.0%")
    assert top_holdings(frame, "DIA", 2)["name"].to_list() == ["GS", "US DOLLAR"]


@pytest.mark.parametrize("change, message", [
    (lambda f: pl.concat([f, f.filter(pl.col("symbol") == "MSFT").head(1)]), "holding MSFT of DIA is listed twice"),
    (lambda f: f.with_columns(weight=pl.when(pl.col("symbol") == "AAPL").then(-0.1).otherwise("weight")),
     "holding AAPL of DIA has weight -0.1"),
    (lambda f: f.with_columns(symbol=pl.when(pl.col("symbol") == "AAPL").then(pl.lit("AA PL")).otherwise("symbol")),
     "refused symbol 'AA PL'"),
    (lambda f: f.with_columns(symbol=pl.lit(None, pl.String), name=pl.lit(None, pl.String)),
     "holding line.* of DIA have neither a symbol nor a name"),
    (lambda f: f.clear(), "source demo returned no ETF holdings for 2026-11-20"),
])
def test_bad_lists_are_refused_before_anything_is_written(warehouse, change, message):
    write_etf_holdings(DemoSource(), warehouse, None, [LAST])
    before = holdings_of_session(warehouse, LAST)
    with pytest.raises(BadMarketData, match=message):
        write_etf_holdings(ChangedSource(change), warehouse, None, [LAST])
    assert holdings_of_session(warehouse, LAST).equals(before)


def test_weight_totals_off_by_more_than_the_tolerance_are_found(warehouse):
    half_spy = ChangedSource(lambda f: f.filter((pl.col("etf") != "SPY") | (pl.col("weight") > 0.002)))
    write_etf_holdings(half_spy, warehouse, None, [FIRST, LAST])
    sums, off = stored_weight_problems(warehouse, [FIRST, LAST])
    assert sums.height == 2 * 14 and off["etf"].unique().to_list() == ["SPY"]
    assert off["session"].to_list() == [FIRST, LAST] and all(w < 0.98 for w in off["weight"])


def test_a_list_dated_another_day_is_noted(warehouse):
    dated = ChangedSource(lambda f: f.with_columns(as_of=pl.lit(dt.date(2026, 11, 24))))
    written = write_etf_holdings(dated, warehouse, None, [FIRST, LAST])
    assert written.notes == ["demo lists holdings as of 2026-11-24, stored for session(s) 2026-11-19 .. 2026-11-20: "
                             "the source keeps no older lists"]


def test_validate_keeps_a_good_list_unchanged():
    lists = DemoSource().etf_holdings(LAST, ["DIA"])
    assert validate_holdings(lists).equals(lists)


class PerSession(DemoSource):
    """The demo's lists asked session by session (its etf_holdings_range falls back to etf_holdings for a
    subclass that overrides it): what the writer stored before it asked for a range."""

    def etf_holdings(self, session, etfs=None):
        return super().etf_holdings(session, etfs)


def test_a_range_stores_the_rows_and_previews_that_session_by_session_calls_give(warehouse):
    days = [dt.date(2026, 11, 16), FIRST, dt.date(2016, 3, 1), LAST]

    def stored() -> pl.DataFrame:
        return warehouse.read_frame(f"SELECT * FROM {names.ETF_HOLDINGS} ORDER BY session, etf, symbol", [])

    ranged = write_etf_holdings(DemoSource(), warehouse, None, days)
    rows = stored()
    warehouse.replace_rows(names.ETF_HOLDINGS, rows.clear(), {"session": days})  # the second write copies its own
    assert warehouse.count(names.ETF_HOLDINGS) == 0
    single = write_etf_holdings(PerSession(), warehouse, None, days)
    assert stored().equals(rows) and rows.height == ranged.rows == single.rows
    assert ranged.previews.keys() == single.previews.keys() == set(days)
    for day in days:
        same_preview(ranged.preview_of(day), holdings_preview(DemoSource().etf_holdings(day)))
        same_preview(ranged.preview_of(day), single.preview_of(day))
    same_preview(ranged.preview, single.preview_of(LAST))


def same_preview(got: pl.DataFrame, expected: pl.DataFrame) -> None:
    """Equal but for the weight totals' last bits: one group_by over every session sums in another order."""
    assert got.drop("weight").equals(expected.drop("weight"))
    assert got["weight"].to_list() == pytest.approx(expected["weight"].to_list(), abs=1e-12)


class ChangedRange(DemoSource):
    """The demo's ranged lists with one stated change applied to the whole range."""

    def __init__(self, change):
        super().__init__()
        self.change = change

    def etf_holdings_range(self, sessions, etfs=None):
        return self.change(super().etf_holdings_range(sessions, etfs))


def on(session: dt.date) -> pl.Expr:
    return pl.col("session") == session


@pytest.mark.parametrize("change, message", [
    (lambda f: pl.concat([f, f.filter(on(LAST) & (pl.col("symbol") == "MSFT")).head(1)]),
     "holding MSFT of DIA is listed twice on 2026-11-20"),
    (lambda f: f.with_columns(weight=pl.when(on(LAST) & (pl.col("symbol") == "AAPL")).then(-0.1).otherwise("weight")),
     "holding AAPL of DIA has weight -0.1 on 2026-11-20"),
    (lambda f: f.with_columns(symbol=pl.when(on(LAST) & (pl.col("symbol") == "AAPL") & (pl.col("etf") == "XLK"))
                              .then(pl.lit("AA PL")).otherwise("symbol")),
     r"refused symbol 'AA PL': .* \(a holding of XLK on 2026-11-20\)"),
    (lambda f: f.with_columns(etf=pl.when(on(LAST) & (pl.col("etf") == "XLK")).then(pl.lit("xlk")).otherwise("etf")),
     r"refused symbol 'xlk': .* \(an ETF on 2026-11-20\)"),
    (lambda f: f.with_columns(name=pl.when(on(LAST)).then(None).otherwise("name"),
                              symbol=pl.when(on(LAST)).then(None).otherwise("symbol")),
     r"\d+ holding line.* of DIA have neither a symbol nor a name on 2026-11-20"),
    (lambda f: f.with_columns(etf=pl.when(on(LAST) & (pl.col("etf") == "XLK")).then(None).otherwise("etf")),
     r"\d+ holding line\(s\) name no ETF \(first: .* on 2026-11-20\)"),
    (lambda f: f.filter(~on(LAST)), "source demo returned no ETF holdings for 2026-11-20$"),
])
def test_a_bad_line_in_a_range_is_refused_naming_its_etf_and_session(warehouse, change, message):
    with pytest.raises(BadMarketData, match=message):
        write_etf_holdings(ChangedRange(change), warehouse, None, [FIRST, LAST])
    assert warehouse.count(names.ETF_HOLDINGS) == 0
