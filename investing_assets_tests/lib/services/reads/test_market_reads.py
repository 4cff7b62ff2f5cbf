"""Quotes, the latest scan and a session's discoveries: the stored values, paged, labelled as the demo's."""

import datetime as dt

import pytest

from investing_assets.lib.services.reads import NotFound, Refused, Stores, Window
from investing_assets.lib.services.reads import fundamentals as fundamentals_reads
from investing_assets.lib.services.reads import market as reads
from investing_assets.lib.storage.queries.fundamentals import latest_index_valuations
from investing_assets.lib.storage.queries.market import quotes_of_session
from investing_assets.lib.storage.queries.technicals import latest_discoveries
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST, SCANNED


def test_quotes_are_the_stored_ones_of_each_class_labelled_synthetic(stores: Stores):
    for asset_class in ("index", "etf", "commodity", "crypto"):
        served = reads.quotes(stores, asset_class, Window())
        stored = quotes_of_session(stores.warehouse, asset_class, LAST)
        assert served.as_of == LAST.isoformat() and served.total == stored.height
        assert [(q["symbol"], q["close"], q["source"]) for q in served.data] == \
            stored.select("symbol", "close", "source").rows()
        assert served.label.synthetic and served.label.note.startswith("synthetic:")
    earlier = reads.quotes(stores, "index", Window(), DAYS[0])
    assert earlier.origin == "warehouse" and {q["session"] for q in earlier.data} == {DAYS[0].isoformat()}


def test_quotes_from_a_real_source_are_not_labelled(stores: Stores):
    stores.cache.publish("cache:index_quotes", [{"symbol": "SPX", "close": 6000.0, "source": "yahoo"}], as_of=LAST)
    assert not reads.quotes(stores, "index", Window()).label.synthetic


def test_quotes_refuse_unknown_classes_and_days(stores: Stores):
    with pytest.raises(NotFound, match="unknown asset class 'bond'"):
        reads.quotes(stores, "bond", Window())
    with pytest.raises(Refused, match="2026-11-22 is not an NYSE session"):
        reads.quotes(stores, "etf", Window(), dt.date(2026, 11, 22))
    with pytest.raises(NotFound, match="no etf quotes stored for 2026-11-16"):
        reads.quotes(stores, "etf", Window(), dt.date(2026, 11, 16))


def test_the_latest_scan_is_the_stored_ranking(stores: Stores):
    served = reads.latest_scan(stores, Window(limit=5, offset=5))
    stored = latest_discoveries(stores.warehouse, 20)
    assert served.as_of == SCANNED[-1].isoformat() and served.total == 20
    assert [(d["rank"], d["symbol"], d["pattern"]) for d in served.data] == [
        (k + 1, row["symbol"], row["pattern"]) for k, row in enumerate(stored.iter_rows(named=True))][5:10]


def test_a_sessions_discoveries_page_through_the_scans_ranking(stores: Stores):
    first = reads.discoveries(stores, SCANNED[0], Window(limit=10))
    stored = latest_discoveries(stores.warehouse, 10_000, SCANNED[0])
    assert first.total == stored.height > 10
    rest = reads.discoveries(stores, SCANNED[0], Window(limit=1000, offset=10))
    served = first.data + rest.data
    assert [d["rank"] for d in served] == list(range(1, stored.height + 1))
    assert [(d["symbol"], d["kind"], d["pattern"], d["score"]) for d in served] == \
        stored.select("symbol", "kind", "pattern", "score").rows()


def test_an_unscanned_session_is_not_found_and_a_weekend_refused(stores: Stores):
    with pytest.raises(NotFound, match=f"no scan stored for {DAYS[0].isoformat()}"):
        reads.discoveries(stores, DAYS[0], Window())
    with pytest.raises(Refused, match="2026-11-21 is not an NYSE session"):
        reads.discoveries(stores, dt.date(2026, 11, 21), Window())


def test_industry_and_index_valuations_are_the_stored_ones(stores: Stores):
    valuations = fundamentals_reads.valuations(stores, Window())
    assert [(v["index_code"], v["forward_pe"]) for v in valuations.data] == \
        latest_index_valuations(stores.warehouse).select("index_code", "forward_pe").rows()
    sectors = fundamentals_reads.industry(stores, Window(limit=1000), level="sector")
    assert sectors.as_of == LAST.isoformat() and {row["level"] for row in sectors.data} == {"sector"}
    assert sum(row["members"] for row in sectors.data) == stores.warehouse.count(
        "market.universe", {"session": [LAST]})
    everything = fundamentals_reads.industry(stores, Window(limit=1000), DAYS[0])
    assert everything.total > sectors.total and {row["session"] for row in everything.data} == {
        DAYS[0].isoformat()}
