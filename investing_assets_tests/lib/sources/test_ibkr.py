"""The IBKR source through a fake at the ib_async boundary (_ibkr_fake.FakeIB): no test needs a live TWS or IB
Gateway. The bar shapes follow ib_async's BarData / BarDataList (dates parsed by ib_async's own parser), not a live
recording: the values are made for the test (see _ibkr_fake). One test connects the real ib_async client to a port
where nothing listens, for the missing-gateway error as ib_async raises it.
"""

from __future__ import annotations

import datetime as dt
import socket

import polars as pl
import pytest

from investing_assets.lib.core.schemas import DAILY_BARS
from investing_assets.lib.sources.http import PayloadError, SourceError
from investing_assets.lib.sources.ibkr import IbkrSource, IbkrUnavailable, bars_frame, duration_for
from investing_assets.lib.sources.pacing import HistoricalPacer, PacingRules
from investing_assets_tests.lib.sources._ibkr_fake import (
    AAPL_DIVIDEND,
    AAPL_TRADES,
    FakeClock,
    FakeIB,
    bar,
)

SESSIONS = [dt.date(2023, 2, 8), dt.date(2023, 2, 9), dt.date(2023, 2, 10), dt.date(2023, 2, 13)]
TODAY = dt.date(2023, 2, 14)


def source_with(fake: FakeIB, **kwargs) -> tuple[IbkrSource, FakeClock]:
    clock = FakeClock()
    kwargs.setdefault("pacer", HistoricalPacer(clock=clock, sleep=clock.sleep))
    return IbkrSource("127.0.0.1", 7497, 17, client=lambda: fake, today=lambda: TODAY, **kwargs), clock


def test_bars_are_trades_ohlcv_with_the_adjusted_last_close_as_adj_close():
    fake = FakeIB()
    source, _ = source_with(fake)
    bars = source.daily_bars(SESSIONS, ["AAPL"])

    assert dict(bars.schema) == DAILY_BARS
    assert bars.rows() == [
        ("AAPL", dt.date(2023, 2, 8), 153.88, 154.58, 151.17, 151.92, 145.80, 64120079),
        ("AAPL", dt.date(2023, 2, 9), 153.78, 154.33, 150.42, 150.87, 144.80, 56007143),
        ("AAPL", dt.date(2023, 2, 10), 149.46, 151.34, 149.22, 151.01, 145.15, 57450708),
        ("AAPL", dt.date(2023, 2, 13), 150.95, 154.26, 150.92, 153.85, 147.88, 62199013),
    ]
    # what analytics read from adj_close (lib/analytics/adjustment): the dividend's step on its ex-date
    ratio = (bars["adj_close"] / bars["close"]).to_list()
    assert ratio[1] / ratio[2] == pytest.approx(1 - AAPL_DIVIDEND / 150.87, abs=1e-4)
    assert ratio[0] / ratio[1] == pytest.approx(1.0, abs=1e-4) and ratio[2] / ratio[3] == pytest.approx(1.0, abs=1e-4)


def test_each_symbol_asks_trades_then_adjusted_last_ending_now_over_the_span_from_the_first_session():
    fake = FakeIB()
    source, _ = source_with(fake)
    source.daily_bars(SESSIONS, ["AAPL", "MSFT"])

    assert fake.calls[0] == ("connect", ("127.0.0.1", 7497, 17, True))
    assert fake.calls[1] == ("qualifyContracts", ("AAPL", "MSFT"))
    assert fake.calls[-1] == ("disconnect", None) and not fake.connected
    asked = [(r["symbol"], r["what"], r["end"], r["duration"], r["bar"], r["rth"], r["format"]) for r in fake.requests]
    assert asked == [(symbol, what, "", "7 D", "1 day", True, 1)
                     for symbol in ("AAPL", "MSFT") for what in ("TRADES", "ADJUSTED_LAST")]
    assert {r["conId"] for r in fake.requests} == {265598, 272093}  # the qualified contracts are what is asked


def test_raw_bars_skip_adjusted_last_and_leave_adj_close_null():
    fake = FakeIB()
    source, _ = source_with(fake, adjusted=False)
    bars = source.daily_bars(SESSIONS, ["AAPL"])

    assert [r["what"] for r in fake.requests] == ["TRADES"]
    assert bars["adj_close"].null_count() == 4
    assert bars["close"].to_list() == [row[4] for row in AAPL_TRADES]


def test_only_the_asked_sessions_are_kept_and_symbols_sorted():
    source, _ = source_with(FakeIB())
    bars = source.daily_bars([dt.date(2023, 2, 10), dt.date(2023, 2, 9)], ["MSFT", "AAPL"])

    assert bars.select("symbol", "session").rows() == [
        ("AAPL", dt.date(2023, 2, 9)), ("AAPL", dt.date(2023, 2, 10)),
        ("MSFT", dt.date(2023, 2, 9)), ("MSFT", dt.date(2023, 2, 10))]
    assert bars.filter(pl.col("symbol") == "MSFT")["adj_close"].to_list() == [round(263.62 * 0.9701, 2),
                                                                               round(263.10 * 0.9701, 2)]


def test_share_classes_go_out_with_a_space_and_come_back_in_our_spelling():
    fake = FakeIB()
    source, _ = source_with(fake)
    bars = source.daily_bars([dt.date(2023, 2, 10)], ["BRK.B"])

    assert fake.calls[1] == ("qualifyContracts", ("BRK B",))
    assert bars.select("symbol", "close").rows() == [("BRK.B", 308.98)]


def test_a_missing_gateway_is_one_error_naming_host_port_and_what_to_start():
    fake = FakeIB(refuse=ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 7497)"))
    source, _ = source_with(fake)
    with pytest.raises(IbkrUnavailable) as refused:
        source.daily_bars(SESSIONS, ["AAPL"])

    message = str(refused.value)
    assert message.startswith("ibkr 127.0.0.1:7497: no TWS or IB Gateway answered (ConnectionRefusedError: ")
    assert "start TWS or IB Gateway with the API enabled" in message
    assert 'route bars to another source, e.g. INVESTING_SOURCES="bars=yahoo"' in message
    assert "client id 17 (INVESTING_IBKR_CLIENT_ID)" in message and "\n" not in message
    assert fake.requests == [] and ("disconnect", None) not in fake.calls

    with pytest.raises(IbkrUnavailable, match=r"ibkr 127.0.0.1:7497: no TWS or IB Gateway answered \(TimeoutError\)"):
        source_with(FakeIB(refuse=TimeoutError()))[0].daily_bars(SESSIONS, ["AAPL"])


def test_the_real_ib_async_client_against_a_closed_port_gives_the_same_error():
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = IbkrSource("127.0.0.1", port, 17, connect_timeout=2.0, today=lambda: TODAY)
    with pytest.raises(IbkrUnavailable, match=rf"ibkr 127.0.0.1:{port}: no TWS or IB Gateway answered "
                                              r"\((ConnectionRefusedError|TimeoutError)"):
        source.daily_bars(SESSIONS, ["AAPL"])


def test_a_symbol_ibkr_cannot_resolve_is_named_before_any_history_is_asked():
    fake = FakeIB()
    source, _ = source_with(fake)
    with pytest.raises(SourceError, match=r"ibkr 127.0.0.1:7497: no single US stock contract for ZZZZ \('ZZZZ' on "
                                          r"SMART in USD\): unknown to IBKR or ambiguous"):
        source.daily_bars(SESSIONS, ["AAPL", "ZZZZ"])
    assert fake.requests == [] and fake.calls[-1] == ("disconnect", None)


def test_an_empty_answer_names_the_symbol_and_what_ibkr_said():
    fake = FakeIB(errors={("MSFT", "ADJUSTED_LAST"): (162, "Historical Market Data Service error message:HMDS "
                                                           "query returned no data: MSFT@SMART Adjusted_last")})
    source, _ = source_with(fake)
    with pytest.raises(SourceError) as refused:
        source.daily_bars(SESSIONS, ["AAPL", "MSFT"])
    assert str(refused.value) == ("ibkr 127.0.0.1:7497: no ADJUSTED_LAST daily bars for MSFT over 7 D ending now: "
                                  "error 162: Historical Market Data Service error message:HMDS query returned no "
                                  "data: MSFT@SMART Adjusted_last")

    silent = FakeIB(series={})  # ib_async returns an empty list when the request times out
    with pytest.raises(SourceError, match="no TRADES daily bars for AAPL over 7 D ending now: no answer within 60 s"):
        source_with(silent)[0].daily_bars(SESSIONS, ["AAPL"])


def test_symbols_are_required_and_checked():
    source, _ = source_with(FakeIB())
    with pytest.raises(ValueError, match="ibkr lists no universe: pass the symbols"):
        source.daily_bars(SESSIONS)
    with pytest.raises(ValueError, match="ibkr: refusing symbol 'A;B'"):
        source.daily_bars(SESSIONS, ["A;B"])
    assert source.daily_bars([], ["AAPL"]).height == 0


def test_a_bar_with_a_time_is_not_a_daily_bar():
    intraday = bar(("20230210 15:30:00", 150.0, 151.0, 149.0, 150.5, 1000.0, 150.2, 10))
    with pytest.raises(PayloadError, match=r"TRADES bar dated datetime.datetime\(2023, 2, 10, 15, 30\) is not a daily"):
        bars_frame("AAPL", [intraday])
    no_volume = bar(("20230210", 150.0, 151.0, 149.0, 150.5, -1.0, -1.0, -1))
    with pytest.raises(PayloadError, match="TRADES bar of 2023-02-10 has volume -1.0"):
        bars_frame("AAPL", [no_volume])
    with pytest.raises(PayloadError, match="two TRADES bars for 2023-02-10"):
        bars_frame("AAPL", [bar(AAPL_TRADES[2]), bar(AAPL_TRADES[2])])


@pytest.mark.parametrize("first, today, expected", [
    (dt.date(2023, 2, 8), dt.date(2023, 2, 14), "7 D"),
    (dt.date(2022, 2, 14), dt.date(2023, 2, 13), "365 D"),
    (dt.date(2022, 2, 13), dt.date(2023, 2, 13), "2 Y"),  # 366 days: IBKR takes no more than 365 in days
    (dt.date(2016, 1, 4), dt.date(2026, 11, 20), "11 Y"),
])
def test_the_duration_reaches_back_to_the_first_session(first, today, expected):
    assert duration_for(first, today) == expected


def test_requests_wait_for_the_pacer_and_identical_ones_for_15_seconds():
    fake = FakeIB()
    clock = FakeClock()
    rules = PacingRules(requests_per_window=3, window_seconds=600.0)
    source, _ = source_with(fake, pacer=HistoricalPacer(rules, clock=clock, sleep=clock.sleep))

    source.daily_bars(SESSIONS, ["AAPL", "MSFT"])  # four requests: the fourth waits for the first to leave the window
    assert clock.slept == [600.0] and source.pacer.waited == 600.0
    fresh = FakeClock()
    again, _ = source_with(FakeIB(), pacer=HistoricalPacer(clock=fresh, sleep=fresh.sleep))
    again.daily_bars(SESSIONS, ["AAPL"])
    again.daily_bars(SESSIONS, ["AAPL"])  # the same two requests again at once: each waits out the 15 s
    assert fresh.slept == [15.0]  # the second's wait covers the third too (sent 15 s after its twin)


def test_registered_ibkr_builds_without_connecting():
    from investing_assets.lib.services.sources import REGISTRY, SourceSettings, build_source

    source = build_source("ibkr", SourceSettings(ibkr_host="10.0.0.5", ibkr_port=4002, ibkr_client_id=3))
    assert (source.host, source.port, source.client_id, source.datasets) == ("10.0.0.5", 4002, 3,
                                                                             REGISTRY["ibkr"].datasets)
    assert REGISTRY["ibkr"].pool == "ibkr"
