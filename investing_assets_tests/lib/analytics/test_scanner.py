from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from investing_assets.lib.analytics.chart_patterns import detect_chart_patterns
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.analytics.scanner import (
    DISCOVERIES,
    ELIGIBILITY,
    EVENT_CONFIDENCE,
    ScanConfig,
    day_strength,
    eligible_symbols,
    pick_batch,
    scan_day,
    summary,
)
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource

# ------------------------------------------------------------------------------------------- pick_batch


def test_pick_batch_never_scanned_first_then_oldest_ties_by_symbol() -> None:
    last = {"AAA": 300.0, "BBB": 100.0, "CCC": 100.0, "DDD": 200.0}
    universe = ["DDD", "CCC", "BBB", "AAA", "ZZZ", "EEE", "EEE"]
    assert pick_batch(last, universe, 3) == ["EEE", "ZZZ", "BBB"]
    assert pick_batch(last, universe, 10) == ["EEE", "ZZZ", "BBB", "CCC", "DDD", "AAA"]
    assert pick_batch(last, universe, 0) == []
    assert pick_batch({}, ["B", "A"], 5) == ["A", "B"]
    assert pick_batch(last, [], 3) == []


def test_pick_batch_rotates_through_the_universe() -> None:
    universe = [f"S{k:02d}" for k in range(10)]
    last: dict[str, float] = {}
    seen = []
    for clock in range(5):
        batch = pick_batch(last, universe, 4)
        seen.extend(batch)
        last.update({s: float(clock) for s in batch})
    assert set(seen[:10]) == set(universe)  # everyone once before anyone twice


# -------------------------------------------------------------------------------------------- eligibility

DAYS = calendar.sessions_between(dt.date(2019, 1, 2), dt.date(2020, 6, 30))


def _bars(symbol: str, price: float, volume: int, n: int, end: int | None = None) -> pl.DataFrame:
    rng = np.random.default_rng(len(symbol))
    stop = len(DAYS) if end is None else end
    close = price * np.exp(np.cumsum(rng.normal(0, 0.01, n)) - np.cumsum(rng.normal(0, 0.01, n)).mean() * 0)
    close = close / close[-1] * price
    return pl.DataFrame(
        {
            "symbol": symbol, "session": DAYS[stop - n : stop], "open": close, "high": close * 1.01,
            "low": close * 0.99, "close": close, "adj_close": close, "volume": np.full(n, volume),
        }
    )  # fmt: skip


def test_eligibility_names_every_reason() -> None:
    bars = pl.concat(
        [
            _bars("OK", 50.0, 1_000_000, 300),
            _bars("CHEAP", 3.0, 5_000_000, 300),
            _bars("THIN", 50.0, 10_000, 300),
            _bars("YOUNG", 50.0, 1_000_000, 100),
            _bars("STALE", 50.0, 1_000_000, 300, end=len(DAYS) - 5),
            _bars("ALLBAD", 2.0, 1_000, 50),
        ]
    )
    out = eligible_symbols(bars, ScanConfig(), DAYS[-1])
    assert out.schema == pl.Schema(ELIGIBILITY)
    reasons = dict(out.select("symbol", "reason").iter_rows())
    assert reasons["OK"] == "eligible"
    assert reasons["CHEAP"].startswith("price 3.0 < 5.0")
    assert reasons["THIN"].startswith("20-day dollar volume 0.48M < 5.0M")
    assert reasons["YOUNG"] == "100 sessions of history < 252"
    assert reasons["STALE"].startswith("no bar on 2020-06-30")
    assert reasons["ALLBAD"].count(";") == 2  # price, dollar volume and history at once
    assert dict(out.select("symbol", "eligible").iter_rows()) == {
        "ALLBAD": False, "CHEAP": False, "OK": True, "STALE": False, "THIN": False, "YOUNG": False,
    }  # fmt: skip
    relaxed = eligible_symbols(bars, ScanConfig(min_price=1, min_dollar_volume=0, min_history=50), DAYS[-1])
    assert set(relaxed.filter(pl.col("eligible"))["symbol"]) == {"OK", "CHEAP", "THIN", "YOUNG", "ALLBAD"}


# ------------------------------------------------------------------------------------------------ the scan


@pytest.fixture(scope="module")
def market() -> tuple[pl.DataFrame, dt.date]:
    """Forty symbols (the planted ones first) and a session on which a chart pattern breaks out."""
    source = DemoSource()
    planted = sorted(source.planted_patterns()["symbol"].unique())
    others = [s for s in source.universe(dt.date(2020, 1, 2))["symbol"].to_list() if s not in planted]
    symbols = planted[:25] + others[:15]
    bars = source.daily_bars(calendar.sessions_between(dt.date(2018, 1, 2), dt.date(2020, 12, 31)), symbols)
    found = detect_chart_patterns(bars.filter(pl.col("session") >= dt.date(2019, 6, 1)))
    return bars, found["end_session"].sort()[len(found) // 2]


def test_a_scan_ranks_the_days_discoveries(market: tuple[pl.DataFrame, dt.date]) -> None:
    bars, session = market
    result = scan_day(bars, compute_indicators(bars), session)
    found = result.discoveries
    assert found.schema == pl.Schema(DISCOVERIES)
    assert found.height > 0 and (found["session"] == session).all()
    assert found["score"].to_list() == sorted(found["score"].to_list(), reverse=True)
    assert set(found["kind"]) <= {"chart", "candle", "event"} and "chart" in set(found["kind"])
    assert set(found["symbol"]) <= set(result.eligibility.filter(pl.col("eligible"))["symbol"])
    assert result.scanned == 40 and result.issues.height == 0
    assert found.select(pl.col("confidence").is_between(0, 1).all()).item()
    chart = found.filter(pl.col("kind") == "chart")
    expected = detect_chart_patterns(bars, as_of=session)
    assert set(chart.select("symbol", "pattern").rows()) == set(expected.select("symbol", "pattern").rows())
    # Without stored indicators the scan computes them (from a shorter history: last-digit differences).
    assert_frame_equal(scan_day(bars, None, session).discoveries, found, check_exact=False, rel_tol=1e-6)


def test_day_strength_grows_with_the_move_and_the_volume() -> None:
    days = calendar.sessions_between(dt.date(2021, 1, 4), dt.date(2021, 3, 31))
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
    volume = np.full(len(days), 1_000_000)
    quiet = pl.DataFrame({"symbol": "QUIET", "session": days, "close": close, "volume": volume})
    close_loud, volume_loud = close.copy(), volume.copy()
    close_loud[-1] = close_loud[-2] * np.exp(-0.06)  # about a 6-sigma drop
    volume_loud[-1] = 3_000_000
    loud = pl.DataFrame({"symbol": "LOUD", "session": days, "close": close_loud, "volume": volume_loud})
    last = day_strength(pl.concat([quiet, loud])).filter(pl.col("session") == days[-1])
    strength = dict(last.select("symbol", "day_strength").iter_rows())
    assert strength["LOUD"] == pytest.approx(1.0)
    assert strength["QUIET"] < 0.4


def test_equal_events_rank_by_strength_not_by_name(market: tuple[pl.DataFrame, dt.date]) -> None:
    """The same event on many symbols (58 tied low_52w hits once filled a top 20 with A-B tickers)."""
    bars, _ = market
    sessions = sorted(bars["session"].unique())[-15:]
    strength = day_strength(bars)
    checked = 0
    for session in sessions:
        events = scan_day(bars, None, session).discoveries.filter(
            pl.col("kind") == "event", pl.col("pattern").is_in(list(EVENT_CONFIDENCE))
        )
        events = events.join(strength, on=["symbol", "session"], maintain_order="left").with_columns(
            expected=(pl.col("pattern").replace_strict(EVENT_CONFIDENCE, return_dtype=pl.Float64)
                      * (0.75 + 0.5 * pl.col("day_strength"))).clip(0, 1))  # fmt: skip
        np.testing.assert_allclose(events["confidence"], events["expected"], rtol=1e-9)
        for _, group in events.group_by("pattern", maintain_order=True):
            if group.height > 1:
                ranked = group["day_strength"].to_list()  # in the scan's order
                assert ranked == sorted(ranked, reverse=True)
                checked += 1
    assert checked > 0


def test_summary_is_json_ready(market: tuple[pl.DataFrame, dt.date]) -> None:
    bars, session = market
    result = scan_day(bars, None, session)
    top = summary(result, top=5)
    assert [r["rank"] for r in top] == list(range(1, min(5, result.discoveries.height) + 1))
    decoded = json.loads(json.dumps(top))
    assert decoded[0]["session"] == session.isoformat()
    assert set(decoded[0]) == {"rank", *DISCOVERIES}
    chart = next(r for r in summary(result, top=100) if r["kind"] == "chart")
    assert chart["key_points"] and isinstance(chart["key_points"][0]["session"], str)


def _split_copy(bars: pl.DataFrame, symbol: str, new: str, at: dt.date) -> pl.DataFrame:
    """`symbol` renamed, with an unadjusted 2:1 split on `at` (prices halve, volume doubles)."""
    after = pl.col("session") >= at
    return bars.filter(pl.col("symbol") == symbol).with_columns(
        symbol=pl.lit(new),
        **{c: pl.when(after).then(pl.col(c) / 2).otherwise(pl.col(c)) for c in ("open", "high", "low", "close", "adj_close")},
        volume=pl.when(after).then(pl.col("volume") * 2).otherwise(pl.col("volume")),
    )  # fmt: skip


def test_bad_input_never_crashes_and_never_reads_as_a_breakdown(market: tuple[pl.DataFrame, dt.date]) -> None:
    bars, session = market
    base = bars.filter(pl.col("symbol").is_in(bars["symbol"].unique().sort().head(4).implode()))
    first = base["symbol"].unique().sort()[0]
    one = base.filter(pl.col("symbol") == first)
    split_day = calendar.sessions_ending(session, 3)[0]
    bad = pl.concat(
        [
            base,
            _split_copy(bars, first, "SPLT", split_day),
            one.with_columns(symbol=pl.lit("FLAT"), **{c: pl.lit(20.0) for c in ("open", "high", "low", "close", "adj_close")}),
            one.filter(pl.col("session") <= split_day).tail(40).with_columns(symbol=pl.lit("TINY")),
            one.with_columns(symbol=pl.lit("HOLE")).filter(~pl.col("session").is_in(calendar.sessions_ending(session, 30)[:3])),
            one.with_columns(symbol=pl.lit("MUTE"), volume=pl.lit(0, dtype=pl.Int64)),
        ],
        how="vertical_relaxed",
    )  # fmt: skip
    for day in (split_day, session):
        result = scan_day(bad, None, day)
        issues = {(s, i) for s, i in result.issues.select("symbol", "issue").iter_rows()}
        assert {("SPLT", "split"), ("FLAT", "flat_prices"), ("TINY", "short_history"), ("HOLE", "missing_sessions"),
                ("MUTE", "zero_volume")} <= issues  # fmt: skip
        assert result.issues["reason"].null_count() == 0
        reasons = dict(result.eligibility.select("symbol", "reason").iter_rows())
        assert (
            reasons["FLAT"] == "excluded by data screening"
            and reasons["TINY"] == "excluded by data screening"
        )
        assert reasons["MUTE"].startswith("20-day dollar volume 0.0M")
        # Back-adjusted, SPLT is the same stock as its source, so it finds exactly what the source finds:
        # no breakdown, 52-week low or volume record out of the halved price and doubled volume.
        split = result.discoveries.filter(pl.col("symbol") == "SPLT")
        twin = result.discoveries.filter(pl.col("symbol") == first).drop("symbol")
        assert split.drop("symbol", "level", "target", "key_points", "detail", "score", "confidence").equals(
            twin.drop("level", "target", "key_points", "detail", "score", "confidence")
        )


def test_an_empty_scan_is_well_formed() -> None:
    bars = _bars("CHEAP", 3.0, 5_000_000, 300)
    result = scan_day(bars, None, DAYS[-1])
    assert result.discoveries.height == 0 and result.scanned == 0
    assert summary(result) == []
