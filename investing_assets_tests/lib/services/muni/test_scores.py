"""Scores per session: idempotent, cached when newest, and each session's book holds the reports published by
then; against real PostgreSQL and Redis."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from investing_assets.lib.services import muni
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.muni._helpers import D1, D2, drop, train


def test_scores_are_written_per_session_idempotently_and_cached(warehouse, cache, folder, sample):
    muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    model = train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    scores = muni.score_issuers(warehouse, cache, [D1, D2], synthetic_issuers=30)
    assert (scores.documents, scores.synthetic, scores.cached) == (1, 30, True)
    for session in (D1, D2):
        assert warehouse.count("muni.risk_scores", {"session": [session]}) == 31
    rows = muni.read_scores(warehouse, D2)
    assert set(rows["bucket"]) <= {"Aaa/Aa", "A", "Baa", "Ba", "B or below"}
    assert all(len(drivers) == 3 for drivers in rows["top_drivers"].to_list())
    [document] = rows.filter(rows["source"] == "document").to_dicts()
    assert document["issuer"] == document["issuer_name"] and document["model_version"] == model.version

    before = snapshot_scores(warehouse)
    muni.score_issuers(warehouse, cache, [D1, D2], synthetic_issuers=30)
    assert snapshot_scores(warehouse) == before

    cached = cache.read(names.MUNI_RISK_LATEST_KEY)
    assert cached["as_of"] == D2.isoformat() and cached["data"]["model_version"] == model.version
    assert len(cached["data"]["issuers"]) == 31
    probabilities = [i["probability"] for i in cached["data"]["issuers"]]
    assert probabilities == sorted(probabilities, reverse=True)

    older = muni.score_issuers(warehouse, cache, dt.date(2026, 11, 18), synthetic_issuers=30)
    assert older.cached is None and cache.read(names.MUNI_RISK_LATEST_KEY)["as_of"] == D2.isoformat()


def snapshot_scores(warehouse: Warehouse) -> list:
    with warehouse.connect() as conn:
        return conn.execute("SELECT * FROM muni.risk_scores ORDER BY session, issuer").fetchall()


def test_redis_down_warns_and_keeps_the_scores(warehouse, dead_redis_url, caplog):
    train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    with caplog.at_level(logging.WARNING):
        scores = muni.score_issuers(warehouse, HotCache(dead_redis_url, timeout_s=0.5), D2, synthetic_issuers=10)
    assert scores.cached is False
    assert warehouse.count("muni.risk_scores") == 10
    assert "cache:muni_risk:latest not refreshed" in caplog.text


def test_an_issuers_latest_year_is_scored_with_growth_from_the_year_before(warehouse):
    with warehouse.connect() as conn:
        for key, year, assessed in (("springfield-2022-aaaaaaaaaa", 2022, 100.0),
                                    ("springfield-2023-bbbbbbbbbb", 2023, 110.0)):
            conn.execute("INSERT INTO muni.documents (document_key, file_name, status) VALUES (%s, %s, 'extracted')",
                         [key, f"{key}.pdf"])
            conn.execute("INSERT INTO muni.issuer_financials (document_key, issuer, fiscal_year_end, assessed_value, "
                         "population) VALUES (%s, 'City of Springfield', %s, %s, 10)",
                         [key, dt.date(year, 6, 30), assessed])
    [row] = muni.document_book(warehouse).to_dicts()
    assert row["document_key"] == "springfield-2023-bbbbbbbbbb" and row["fiscal_year_end"] == dt.date(2023, 6, 30)
    assert row["full_value_growth"] == pytest.approx(0.10) and row["full_value_per_capita"] == 11.0
    assert row["fund_balance_ratio"] is None  # not stated -> missing, never zero


def store_report(warehouse: Warehouse, key: str, year_end: dt.date | None, assessed: float,
                 read_at: dt.datetime | None = None) -> None:
    with warehouse.connect() as conn:
        conn.execute("INSERT INTO muni.documents (document_key, file_name, status, extracted_at) "
                     "VALUES (%s, %s, 'extracted', coalesce(%s, now()))", [key, f"{key}.pdf", read_at])
        conn.execute("INSERT INTO muni.issuer_financials (document_key, issuer, fiscal_year_end, assessed_value, "
                     "population) VALUES (%s, 'City of Springfield', %s, %s, 10)", [key, year_end, assessed])


def test_a_session_is_scored_with_the_reports_published_by_then(warehouse):
    """Reports count six months after their fiscal year ends: a later report never rewrites a past day."""
    train(warehouse, dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    store_report(warehouse, "springfield-2023-aaaaaaaaaa", dt.date(2023, 6, 30), 100.0)
    early, middle, late = dt.date(2023, 12, 1), dt.date(2024, 6, 3), dt.date(2025, 1, 6)
    assert muni.document_book(warehouse, as_of=early).height == 0  # due 2023-12-27
    muni.score_issuers(warehouse, None, [early, middle, late], synthetic_issuers=5)
    before = snapshot_scores(warehouse)
    store_report(warehouse, "springfield-2024-bbbbbbbbbb", dt.date(2024, 6, 30), 110.0)
    scores = muni.score_issuers(warehouse, None, [early, middle, late], synthetic_issuers=5)
    books = warehouse.read_frame("SELECT session, document_key FROM muni.risk_scores WHERE source = 'document' "
                                 "ORDER BY session")
    assert books.rows() == [(middle, "springfield-2023-aaaaaaaaaa"), (late, "springfield-2024-bbbbbbbbbb")]
    assert scores.rows == 5 + 6 + 6 and scores.documents == 1
    after = snapshot_scores(warehouse)
    assert [r for r in after if r[0] < late] == [r for r in before if r[0] < late]  # the past is unchanged


def test_a_report_counts_from_the_day_it_was_read_when_that_comes_first(warehouse):
    """Read 2026-11-20 at 21:30 New York time (02:30 UTC the next day); no fiscal year end: only the read date."""
    read_at = dt.datetime(2026, 11, 21, 2, 30, tzinfo=dt.UTC)
    store_report(warehouse, "springfield-2026-aaaaaaaaaa", dt.date(2026, 9, 30), 100.0, read_at)
    with warehouse.connect() as conn:
        conn.execute("UPDATE muni.issuer_financials SET issuer = 'Town of Shelbyville' "
                     "WHERE document_key = 'springfield-2026-aaaaaaaaaa'")
    store_report(warehouse, "undated-report-bbbbbbbbbb", None, 100.0, read_at)
    assert muni.document_book(warehouse, as_of=dt.date(2026, 11, 19)).height == 0
    book = muni.document_book(warehouse, as_of=dt.date(2026, 11, 20))
    assert sorted(book["document_key"]) == ["springfield-2026-aaaaaaaaaa", "undated-report-bbbbbbbbbb"]


def test_a_report_with_too_few_inputs_is_listed_without_a_probability(warehouse, cache, folder, sample):
    """The sample report gives most inputs and is scored; a report giving only assessed value and population
    is kept in the book with its coverage, but no probability, bucket or drivers are published for it."""
    muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    store_report(warehouse, "springfield-2025-aaaaaaaaaa", dt.date(2025, 6, 30), 100.0)
    train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    muni.score_issuers(warehouse, cache, D2, synthetic_issuers=5)
    rows = {r["issuer"]: r for r in muni.read_scores(warehouse, D2).filter(
        muni.read_scores(warehouse, D2)["source"] == "document").to_dicts()}
    thin = rows.pop("City of Springfield")
    assert (thin["status"], thin["probability"], thin["bucket"], thin["top_drivers"]) == (
        "insufficient_inputs", None, None, [])
    assert thin["inputs_present"] == 2  # full value per capita and population
    [full] = rows.values()
    assert full["status"] == "scored" and 0 < full["probability"] < 1 and len(full["top_drivers"]) == 3
    assert full["inputs_present"] >= 4
    cached = cache.read(names.MUNI_RISK_LATEST_KEY)["data"]["issuers"]
    assert [i["issuer"] for i in cached if i["probability"] is None] == ["City of Springfield"]
    assert cached[-1]["issuer"] == "City of Springfield" and cached[-1]["status"] == "insufficient_inputs"
