"""Muni scores (the cache first, refilled as the scoring publishes it) and each document's metrics with their pages."""

import datetime as dt

import pytest

from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.services import muni
from investing_assets.lib.services.muni.scores import latest_scores_document
from investing_assets.lib.services.reads import NotFound, Refused, Stores, Window
from investing_assets.lib.services.reads import muni as reads
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries import muni as queries
from investing_assets.lib.storage.queries.muni import read_risk_scores
from investing_assets_tests.lib.services.muni._helpers import D2, drop, sample_report, train
from investing_assets_tests.lib.services.reads._seed import MUNI_SESSIONS, SYNTHETIC_ISSUERS


def test_the_refilled_scores_are_what_the_scoring_published(warehouse, cache, tmp_path):
    folder = DropFolder(tmp_path / "drop").ensure()
    report, _ = sample_report(tmp_path)
    muni.process_document(drop(folder, "report.pdf", report), warehouse, folder=folder)
    train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    assert muni.score_issuers(warehouse, cache, [D2], synthetic_issuers=20).cached
    published = cache.read_text(names.MUNI_RISK_LATEST_KEY)
    payload, session = latest_scores_document(warehouse)
    assert session == D2
    cache._client.delete(names.MUNI_RISK_LATEST_KEY)
    cache.publish(names.MUNI_RISK_LATEST_KEY, payload, as_of=session)
    assert cache.read_text(names.MUNI_RISK_LATEST_KEY) == published  # the same bytes: the same ETag either way


def test_scores_are_the_stored_ones_riskiest_first_and_labelled(stores: Stores):
    latest = reads.risk_scores(stores, Window(limit=500))
    assert latest.origin == "warehouse" and latest.as_of == MUNI_SESSIONS[-1].isoformat()
    stored = read_risk_scores(stores.warehouse, MUNI_SESSIONS[-1])
    assert [r["issuer"] for r in latest.data] == stored.get_column("issuer").to_list()
    assert [r["probability"] for r in latest.data] == stored.get_column("probability").to_list()
    assert latest.extra["model_version"] == stored.item(0, "model_version")
    assert sum(r["source"] == "synthetic" for r in latest.data) == SYNTHETIC_ISSUERS
    assert latest.label.synthetic and "made-up issuers" in latest.label.note
    assert reads.risk_scores(stores, Window(limit=500)).origin == "cache"

    earlier = reads.risk_scores(stores, Window(limit=2, offset=1), MUNI_SESSIONS[0])
    assert earlier.as_of == MUNI_SESSIONS[0].isoformat() and earlier.total == latest.total
    assert [r["issuer"] for r in earlier.data] == read_risk_scores(stores.warehouse, MUNI_SESSIONS[0]) \
        .get_column("issuer").to_list()[1:3]
    with pytest.raises(NotFound, match="no muni risk scores stored for 2026-11-17"):
        reads.risk_scores(stores, Window(), dt.date(2026, 11, 17))


def test_a_document_shows_each_metric_with_its_page_and_line(stores: Stores):
    listed = reads.documents(stores, Window())
    [document] = [d for d in listed.data if d["status"] == "extracted"]
    found = reads.document(stores, document["document_key"])
    assert "stored_path" not in found.data and found.data["file_name"] == "report.pdf"
    stored = queries.read_document_metrics(stores.warehouse, document["document_key"]).sort("metric")
    assert [(m["metric"], m["value"], m["page"], m["line"]) for m in found.data["metrics"]] == \
        stored.select("metric", "value", "page", "line").rows()
    stated = [m for m in found.data["metrics"] if m["value"] is not None]
    assert stated and all(m["page"] >= 1 and m["line"] for m in stated)


def test_documents_refuse_a_bad_key_and_name_an_unknown_one(stores: Stores):
    with pytest.raises(Refused, match="refused document key '../etc'"):
        reads.document(stores, "../etc")
    with pytest.raises(NotFound, match="unknown document nothing-here"):
        reads.document(stores, "nothing-here")
    assert reads.documents(stores, Window(), "quarantined").total == 0
