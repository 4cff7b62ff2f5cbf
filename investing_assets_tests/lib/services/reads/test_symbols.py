"""A symbol's snapshot holds what the warehouse stores for it over the window, and says why it cannot be served."""

import datetime as dt

import pytest

from investing_assets.lib.services.reads import NotFound, Refused, Stores, Window
from investing_assets.lib.services.reads import symbols as reads
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import read_bars
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST, SCANNED


def test_the_snapshot_holds_the_stored_rows_of_its_window(stores: Stores):
    snapshot = reads.snapshot(stores, "AAPL", days=5)
    data = snapshot.data
    assert data["session"] == LAST.isoformat() and snapshot.label.synthetic
    bars = read_bars(stores.warehouse, dt.date.fromisoformat(data["first_session"]), LAST, ["AAPL"])
    assert [(b["session"], b["close"]) for b in data["bars"]] == [
        (d.isoformat(), c) for d, c in bars.select("session", "close").rows()]
    assert len(data["bars"]) == 5
    assert [i["session"] for i in data["indicators"]] == [d.isoformat() for d in DAYS]  # stored for three only
    with stores.warehouse.connect() as conn:
        rsi = conn.execute(f"SELECT rsi_14 FROM {names.INDICATORS} WHERE symbol = 'AAPL' AND session = %s",
                           [LAST]).fetchone()[0]
        events = conn.execute(f"SELECT count(*) FROM {names.TECHNICAL_EVENTS} WHERE symbol = 'AAPL' AND session = ANY(%s)",
                              [SCANNED]).fetchone()[0]
    assert data["indicators"][-1]["rsi_14"] == rsi
    assert len(data["events"]) == events
    assert {e["session"] for e in data["events"]} <= {d.isoformat() for d in SCANNED}
    assert data["estimates"] and {e["session"] for e in data["estimates"]} == {LAST.isoformat()}
    assert all(n["session"] in {d.isoformat() for d in DAYS} for n in data["news"])
    assert data["profile"]["name"] == "Apple Inc." and data["profile"]["source"] == "demo"


def test_fundamentals_come_from_the_stored_inputs(stores: Stores):
    data = reads.snapshot(stores, "MSFT").data
    fundamentals, close = data["fundamentals"], data["bars"][-1]["close"]
    assert fundamentals["close"] == close and fundamentals["close_session"] == LAST.isoformat()
    assert fundamentals["market_cap"] == pytest.approx(close * data["profile"]["shares_outstanding"])
    nearest = min((e for e in data["estimates"] if e["period"] == "annual"), key=lambda e: e["period_end"])
    assert fundamentals["forward_eps"] == nearest["eps_avg"]
    assert fundamentals["forward_pe"] == pytest.approx(close / nearest["eps_avg"], rel=1e-4)


def test_parts_page_like_any_list(stores: Stores):
    bars = reads.part(stores, "NVDA", "bars", Window(limit=4, offset=2), days=10)
    assert bars.total == 10 and len(bars.data) == 4
    assert bars.data[0]["session"] < bars.data[-1]["session"]  # a series runs oldest first
    news = reads.part(stores, "NVDA", "news", Window(limit=1000), days=3)
    times = [n["published_at"] for n in news.data]
    assert times == sorted(times, reverse=True)  # what happened runs newest first


def test_an_earlier_session_moves_the_window(stores: Stores):
    snapshot = reads.snapshot(stores, "AAPL", DAYS[0], days=2)
    assert [b["session"] for b in snapshot.data["bars"]] == [d.isoformat() for d in
                                                              [dt.date(2026, 11, 17), DAYS[0]]]
    assert [i["session"] for i in snapshot.data["indicators"]] == [DAYS[0].isoformat()]


@pytest.mark.parametrize("symbol, session, error, message", [
    ("ZZZZ", None, NotFound, "unknown symbol ZZZZ: no stored universe lists it and it has no price history"),
    ("ZZZZ", dt.date(2026, 11, 19), NotFound, "unknown symbol ZZZZ"),
    ("A/B", None, Refused, "refused symbol 'A/B': a ticker is 1-10 of A-Z"),
    ("AAPL", dt.date(2026, 11, 26), Refused, "2026-11-26 is not an NYSE session"),
    ("AAPL", dt.date(2016, 1, 4), NotFound, "no bars stored for AAPL in the 60 session.s. ending 2016-01-04"),
])
def test_what_cannot_be_served_is_named(stores: Stores, symbol, session, error, message):
    with pytest.raises(error, match=message):
        reads.snapshot(stores, symbol, session)


def test_days_are_bounded(stores: Stores):
    with pytest.raises(Refused, match=f"days must be from 1 to {reads.MAX_DAYS}"):
        reads.snapshot(stores, "AAPL", days=reads.MAX_DAYS + 1)
