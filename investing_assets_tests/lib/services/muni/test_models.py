"""Model versions: every one kept, the newest used, a past session scored with the model of its time."""

from __future__ import annotations

import datetime as dt

import pytest

from investing_assets.lib.services import muni
from investing_assets_tests.lib.services.muni._helpers import D1, train


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
