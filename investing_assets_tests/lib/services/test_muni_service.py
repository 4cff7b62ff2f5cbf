"""The muni services against real PostgreSQL and Redis: documents in, figures or quarantine out; models; scores."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from pathlib import Path

import pymupdf
import pytest

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.drop_folder import DropFolder, document_key
from investing_assets.lib.muni.pdf_extract import Extraction
from investing_assets.lib.services import muni
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.muni_reports import generate_issuer, write_document

SMALL_PANEL = muni.PanelSpec(issuers=600, years=6)
FAST = {"num_boost_round": 40, "min_data_in_leaf": 50}
D1, D2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


# -- files ------------------------------------------------------------------------------------------------------
def sample_report(folder: Path) -> tuple[bytes, dict[str, float | None]]:
    """A classic-layout report (with a pension schedule) and the truth it was written from."""
    issuer = next(i for i in (generate_issuer(11, n) for n in range(0, 300, 3)) if i.pension)
    path = folder / "classic.pdf"
    truth = write_document(issuer, path, "classic")
    return path.read_bytes(), truth


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[bytes, dict[str, float | None]]:
    return sample_report(tmp_path_factory.mktemp("muni_sample"))


def encrypted(data: bytes) -> bytes:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


def image_only(_: bytes) -> bytes:
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page()
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 260), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
    return doc.tobytes()


def hang(path: str, **kw) -> Extraction:
    """A parser stuck in a loop on a malicious PDF (runs in the guard's child process)."""
    time.sleep(600)
    raise AssertionError("not reached")


# reason -> (bytes from the good sample, keyword arguments for the run)
BAD_INPUT = {
    "empty": (lambda data: b"", {}),
    "truncated": (lambda data: data[: len(data) // 2], {}),
    "encrypted": (encrypted, {}),
    "not_pdf": (lambda data: b"<html><body>Access denied</body></html>", {}),
    "no_text_layer": (image_only, {}),
    "too_large": (lambda data: data, {"max_bytes": 10_000}),
    "too_many_pages": (lambda data: data, {"max_pages": 3}),
    "timeout": (lambda data: data, {"timeout_s": 2, "extract_target": hang}),
}


@pytest.fixture
def folder(tmp_path: Path) -> DropFolder:
    return DropFolder(tmp_path / "drop").ensure()


def drop(folder: DropFolder, name: str, data: bytes) -> Path:
    path = folder.root / name
    path.write_bytes(data)
    return path


def snapshot(warehouse: Warehouse) -> dict[str, list]:
    with warehouse.connect() as conn:
        return {table: conn.execute(f"SELECT * FROM muni.{table} ORDER BY 1, 2").fetchall()
                for table in ("documents", "document_metrics", "issuer_financials", "quarantine")}


# -- documents --------------------------------------------------------------------------------------------------
def test_a_report_is_read_archived_and_stored_in_one_shape(warehouse, folder, sample):
    data, truth = sample
    path = drop(folder, "Springfield ACFR 2016.pdf", data)
    outcome = muni.process_document(path, warehouse, folder=folder)
    key = document_key(path.name, hashlib.sha256(data).hexdigest())
    assert outcome.extracted and outcome.key == key
    assert not path.exists() and outcome.stored_path == folder.archive / f"{key}.pdf"
    assert outcome.stored_path.read_bytes() == data

    [doc] = warehouse.read_frame("SELECT * FROM muni.documents").to_dicts()
    assert (doc["status"], doc["file_name"], doc["scale"], doc["pages"]) == (
        "extracted", path.name, outcome.extraction.scale, outcome.extraction.pages)
    assert doc["issuer"] and doc["fiscal_year_end"] and doc["sha256"] == hashlib.sha256(data).hexdigest()

    metrics = muni.document_metrics(warehouse, key)
    assert metrics["metric"].to_list() == list(METRICS)
    for row in metrics.iter_rows(named=True):
        assert row["value"] == truth[row["metric"]], row["metric"]  # unstated -> NULL, never guessed
        if row["value"] is not None:
            assert row["page"] >= 1 and row["line"] and 0 < row["confidence"] <= 1
    [wide] = warehouse.read_frame("SELECT * FROM muni.issuer_financials").to_dicts()
    assert {m: wide[m] for m in METRICS} == truth
    assert wide["funded_ratio"] == pytest.approx(
        truth["plan_fiduciary_net_position"] / truth["total_pension_liability"])


def test_rerunning_a_document_leaves_the_same_rows(warehouse, folder, sample):
    path = drop(folder, "report.pdf", sample[0])
    first = muni.process_document(path, warehouse, folder=folder)
    before = snapshot(warehouse)
    again = muni.process_partition(first.key, warehouse, folder, path_hint="report.pdf")  # reads the archive
    assert again.extracted and again.stored_path == first.stored_path
    assert snapshot(warehouse) == before  # extracted_at included: nothing changed, nothing rewritten


@pytest.mark.parametrize("reason", sorted(BAD_INPUT))
def test_bad_input_is_quarantined_unchanged_with_its_reason(warehouse, folder, sample, reason):
    make, kwargs = BAD_INPUT[reason]
    data = make(sample[0])
    path = drop(folder, f"bad {reason}.pdf", data)
    outcome = muni.process_document(path, warehouse, folder=folder, **kwargs)
    assert (outcome.status, outcome.reason) == ("quarantined", reason)
    assert outcome.message
    held = folder.quarantine / path.name
    assert not path.exists() and held.read_bytes() == data
    note = json.loads((folder.quarantine / f"{path.name}.reason.json").read_text())
    assert note["reason"] == reason and note["sha256"] == hashlib.sha256(data).hexdigest()
    assert note["size"] == len(data) and note["original_path"] == str(path)
    [doc] = warehouse.read_frame("SELECT status, reason, message FROM muni.documents").to_dicts()
    assert doc == {"status": "quarantined", "reason": reason, "message": outcome.message}
    assert warehouse.count("muni.quarantine", {"reason": [reason]}) == 1
    assert warehouse.count("muni.document_metrics") == 0


def test_a_file_that_vanished_before_its_run_is_recorded_as_missing(warehouse, folder):
    key = "gone-0123456789"
    outcome = muni.process_partition(key, warehouse, folder, path_hint="gone.pdf")
    assert (outcome.status, outcome.reason) == ("quarantined", "missing")
    note = json.loads((folder.quarantine / "gone.pdf.reason.json").read_text())
    assert note["reason"] == "missing" and note["document_key"] == key
    assert not (folder.quarantine / "gone.pdf").exists()
    assert warehouse.count("muni.quarantine", {"document_key": [key]}) == 1


def test_a_file_replaced_after_the_tick_is_not_read_as_the_old_document(warehouse, folder, sample):
    old_key = document_key("report.pdf", "a" * 64)
    path = drop(folder, "report.pdf", sample[0])
    outcome = muni.process_partition(old_key, warehouse, folder, path_hint="report.pdf")
    assert (outcome.status, outcome.reason) == ("quarantined", "changed")
    assert path.read_bytes() == sample[0]  # the new content stays for its own document


def test_links_and_foreign_paths_are_refused(warehouse, folder, sample, tmp_path):
    target = tmp_path / "elsewhere.pdf"
    target.write_bytes(sample[0])
    link = folder.root / "link.pdf"
    link.symlink_to(target)
    for path in (link, target):
        with pytest.raises(muni.RefusedPath):
            muni.process_document(path, warehouse, folder=folder)
    assert target.read_bytes() == sample[0] and link.is_symlink()
    assert warehouse.count("muni.documents") == 0


def test_a_quarantined_file_is_released_when_a_rerun_can_read_it(warehouse, folder, sample):
    path = drop(folder, "big.pdf", sample[0])
    refused = muni.process_document(path, warehouse, folder=folder, max_bytes=10_000)
    assert refused.reason == "too_large"
    released = muni.process_partition(refused.key, warehouse, folder)  # limit raised: default 200 MB
    assert released.extracted and released.stored_path.read_bytes() == sample[0]
    assert not (folder.quarantine / "big.pdf").exists()
    assert not (folder.quarantine / "big.pdf.reason.json").exists()
    assert warehouse.count("muni.document_metrics") == len(METRICS)


def test_rerun_without_any_copy_keeps_the_stored_result(warehouse, folder, sample):
    first = muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    before = snapshot(warehouse)
    first.stored_path.unlink()
    again = muni.process_partition(first.key, warehouse, folder)
    assert again.extracted and again.notes
    assert snapshot(warehouse) == before


# -- models -----------------------------------------------------------------------------------------------------
def train(warehouse: Warehouse, when: dt.datetime, seed: int = 0):
    return muni.train_model(warehouse, SMALL_PANEL, params=FAST, seed=seed, trained_at=when,
                            partition_key=f"{when:%Y-%m}-01")


def test_every_model_version_is_kept_and_the_newest_is_used(warehouse):
    assert muni.latest_model(warehouse) is None
    older = train(warehouse, dt.datetime(2026, 10, 10, tzinfo=dt.UTC))
    newer = train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC), seed=1)
    stored = warehouse.read_frame("SELECT version, partition_key, auc, brier, base_rate_brier, n_train, "
                                  "jsonb_array_length(features) AS n_features, octet_length(booster) AS bytes, "
                                  "training_data ->> 'source' AS source FROM muni.models ORDER BY trained_at")
    assert stored["version"].to_list() == [older.version, newer.version]
    assert stored["partition_key"].to_list() == ["2026-10-01", "2026-11-01"]
    assert stored["source"].to_list() == ["synthetic issuer panel"] * 2
    assert (stored["bytes"] > 1000).all() and (stored["n_features"] == len(newer.features)).all()
    latest = muni.latest_model(warehouse)
    assert latest.version == newer.version and latest.booster_bytes == newer.booster_bytes
    assert latest.calibration == newer.calibration and latest.feature_importance == newer.feature_importance
    scores = muni.score_issuers(warehouse, None, D1, synthetic_issuers=20)
    assert scores.model_version == newer.version
    assert warehouse.read_frame("SELECT DISTINCT model_version FROM muni.risk_scores")["model_version"].to_list() \
        == [newer.version]


def test_a_past_session_is_scored_with_the_model_of_its_time(warehouse):
    october = train(warehouse, dt.datetime(2026, 10, 10, tzinfo=dt.UTC))
    november = train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC), seed=1)
    assert muni.latest_model(warehouse, as_of=dt.date(2026, 10, 20)).version == october.version
    assert muni.latest_model(warehouse, as_of=dt.date(2026, 11, 20)).version == november.version
    assert muni.latest_model(warehouse, as_of=dt.date(2026, 6, 1)).version == october.version  # oldest there is
    backfill = muni.score_issuers(warehouse, None, dt.date(2026, 10, 20), synthetic_issuers=20)
    assert backfill.model_version == october.version


def test_scoring_without_a_model_says_what_to_do(warehouse):
    with pytest.raises(muni.NoModel, match="muni_risk_model"):
        muni.score_issuers(warehouse, None, D1)


# -- scores -----------------------------------------------------------------------------------------------------
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

    cached = cache.read(muni.RISK_CACHE_KEY)
    assert cached["as_of"] == D2.isoformat() and cached["data"]["model_version"] == model.version
    assert len(cached["data"]["issuers"]) == 31
    probabilities = [i["probability"] for i in cached["data"]["issuers"]]
    assert probabilities == sorted(probabilities, reverse=True)

    older = muni.score_issuers(warehouse, cache, dt.date(2026, 11, 18), synthetic_issuers=30)
    assert older.cached is None and cache.read(muni.RISK_CACHE_KEY)["as_of"] == D2.isoformat()


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


def test_a_vanished_copy_never_overwrites_a_document_already_read(warehouse, folder, sample):
    first = muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    before = snapshot(warehouse)
    late = muni.process_document(folder.root / "report.pdf", warehouse, folder=folder, key=first.key)
    assert late.extracted  # the inbox copy is gone because the archive holds it: read from there
    first.stored_path.unlink()
    gone = muni.process_partition(first.key, warehouse, folder, path_hint="report.pdf")
    assert gone.extracted and snapshot(warehouse) == before
