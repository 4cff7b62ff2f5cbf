from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

from investing_assets.lib.muni import risk_model
from investing_assets.lib.muni.issuer_panel import FEATURES, features_from_metrics, generate_panel
from investing_assets.lib.muni.risk_model import (
    BUCKET_LABELS,
    TrainedModel,
    brier_score,
    bucket_for,
    describe_driver,
    driver_feature,
    explain,
    feature_importance_chart,
    load_booster,
    roc_auc,
    score,
    split_issuers,
    train,
    version_for,
)

TRAINED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SEED = 1


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return generate_panel(3_000, 8, seed=SEED)


@pytest.fixture(scope="module")
def model(panel) -> TrainedModel:
    # One thread: the CI box is shared, and OpenMP barriers stall badly when a core is busy.
    return train(panel, seed=SEED, num_threads=1, trained_at=TRAINED_AT)


@pytest.fixture(scope="module")
def latest(panel) -> pl.DataFrame:
    return panel.sort("fiscal_year").group_by("issuer_id", maintain_order=True).last()


def test_held_out_auc_and_brier_beat_requirements(model):
    assert model.auc >= 0.85
    assert model.brier < model.base_rate_brier


def test_split_is_by_issuer(panel, model):
    test_issuers = split_issuers(panel["issuer_id"], test_fraction=0.25, seed=SEED)
    all_issuers = set(panel["issuer_id"].unique())
    train_issuers = all_issuers - test_issuers
    assert test_issuers and train_issuers and test_issuers < all_issuers
    assert panel.filter(pl.col("issuer_id").is_in(list(test_issuers))).height == model.n_test
    assert model.n_train + model.n_test == panel.height
    assert 0.2 < len(test_issuers) / len(all_issuers) < 0.3


def test_model_record(model):
    assert model.features == list(FEATURES)
    assert set(model.feature_importance) == set(FEATURES)
    assert sum(model.feature_importance.values()) > 0
    assert model.parameters["objective"] == "binary" and model.parameters["seed"] == SEED
    assert model.trained_at == TRAINED_AT
    assert model.version.startswith("20260102T030405Z-")
    assert load_booster(model).num_trees() == model.parameters["num_boost_round"]


def test_calibration_bins_cover_every_test_row(model):
    bins = model.calibration
    assert len(bins) == 10
    assert sum(b["count"] for b in bins) == model.n_test
    means = [b["mean_predicted"] for b in bins]
    assert means == sorted(means)
    assert all(0.0 <= b["observed_rate"] <= 1.0 for b in bins)
    # Calibrated enough that the riskiest decile holds the most distress.
    assert bins[-1]["observed_rate"] == max(b["observed_rate"] for b in bins)


def test_training_is_deterministic():
    small = generate_panel(400, 6, seed=5)
    params = {"num_boost_round": 40}
    first = train(small, seed=3, params=params, num_threads=1, trained_at=TRAINED_AT)
    second = train(small, seed=3, params=params, num_threads=1, trained_at=TRAINED_AT)
    assert first.auc == second.auc
    assert first.booster_bytes == second.booster_bytes
    assert first.version == second.version
    other = train(small, seed=4, params=params, num_threads=1, trained_at=TRAINED_AT)
    assert other.version != first.version


def test_default_threads_follow_cpu_count():
    import os

    small = generate_panel(300, 3, seed=2)
    trained = train(small, params={"num_boost_round": 2})
    assert trained.parameters["num_threads"] == os.cpu_count()


def test_score_every_issuer(model, latest):
    scored = score(model, latest)
    assert scored.columns == ["issuer_id", "probability", "bucket", "top_drivers"]
    assert scored["issuer_id"].to_list() == latest["issuer_id"].to_list()
    assert scored["probability"].is_between(0.0, 1.0).all()
    assert scored["bucket"].is_in(list(BUCKET_LABELS)).all()
    for drivers in scored["top_drivers"].to_list():
        named = [driver_feature(d) for d in drivers]
        assert len(named) == 3 and len(set(named)) == 3 and set(named) <= set(FEATURES)
        assert all(d.endswith(("(raises risk)", "(lowers risk)")) for d in drivers), drivers
    expected = load_booster(model).predict(latest.select(FEATURES).to_numpy())
    np.testing.assert_allclose(scored["probability"].to_numpy(), expected)


def test_buckets_are_monotone_in_probability(model, latest):
    scored = score(model, latest)
    ranges = {
        row["bucket"]: (row["low"], row["high"])
        for row in scored.group_by("bucket")
        .agg(pl.col("probability").min().alias("low"), pl.col("probability").max().alias("high"))
        .iter_rows(named=True)
    }
    present = [label for label in BUCKET_LABELS if label in ranges]
    assert len(present) >= 3
    for safer, riskier in zip(present, present[1:], strict=False):
        assert ranges[safer][1] < ranges[riskier][0]


def test_bucket_bounds():
    labels = bucket_for(np.array([0.0, 0.004, 0.005, 0.019, 0.05, 0.1, 0.2, 1.0]))
    assert labels.tolist() == ["Aaa/Aa", "Aaa/Aa", "A", "A", "Baa", "Ba", "B or below", "B or below"]


def test_drivers_name_the_weak_spot(model):
    healthy = {
        "fund_balance_ratio": 0.35,
        "liability_burden_ratio": 1.5,
        "pension_funded_ratio": 0.9,
        "debt_service_ratio": 0.05,
        "full_value_per_capita": 150_000.0,
        "full_value_growth": 0.05,
        "income_ratio": 1.2,
        "log_population": 11.0,
    }
    frame = pl.DataFrame(
        [{"issuer_id": "OK"} | healthy, {"issuer_id": "BROKE"} | healthy | {"fund_balance_ratio": -0.15}]
    )
    scored = score(model, frame)
    ok, broke = scored.iter_rows(named=True)
    assert broke["probability"] > 3 * ok["probability"]
    assert broke["top_drivers"][0] == "fund_balance_ratio -0.15 (raises risk)"


def test_score_handles_document_features_with_gaps(model):
    metrics = {"general_fund_revenues": 80e6, "fund_balance_unassigned": 4e6, "population": 30_000}
    frame = pl.DataFrame(
        [{"issuer_id": "DOC1"} | features_from_metrics(metrics)],
        schema_overrides=dict.fromkeys(FEATURES, pl.Float64),
    )
    scored = score(model, frame.drop("income_ratio"))
    assert scored.height == 1 and 0.0 <= scored["probability"].item() <= 1.0
    assert len(scored["top_drivers"].item()) == 3


def test_feature_importance_chart_is_png(model):
    png = feature_importance_chart(model)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1_000


def test_version_is_stable_and_sensitive():
    params = {"learning_rate": 0.03, "seed": 0}
    version = version_for(TRAINED_AT, params, "abc")
    assert version == version_for(TRAINED_AT, dict(reversed(params.items())), "abc")
    assert version == version_for(TRAINED_AT.replace(tzinfo=None), params, "abc")
    assert version != version_for(TRAINED_AT, params | {"seed": 1}, "abc")
    assert version != version_for(TRAINED_AT, params, "abd")


def test_panel_fingerprint_tracks_content():
    small = generate_panel(50, 3, seed=0)
    assert risk_model.panel_fingerprint(small) == risk_model.panel_fingerprint(small.clone())
    changed = small.with_columns(pl.col("distress_3y").reverse())
    assert risk_model.panel_fingerprint(small) != risk_model.panel_fingerprint(changed)


def test_metric_formulas():
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert roc_auc(np.array([0, 0, 1, 1]), np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert roc_auc(np.array([0, 1, 0, 1]), np.full(4, 0.5)) == 0.5
    assert roc_auc(np.array([0, 1, 1, 0]), np.array([0.1, 0.4, 0.35, 0.8])) == 0.5
    assert brier_score(np.array([0, 1]), np.array([0.0, 0.5])) == pytest.approx(0.125)


def test_explain_gives_each_driver_its_value_and_direction(model):
    features = {
        "fund_balance_ratio": -0.15, "liability_burden_ratio": 1.5, "pension_funded_ratio": 0.9,
        "debt_service_ratio": 0.05, "full_value_per_capita": None, "full_value_growth": 0.05,
        "income_ratio": 1.2, "log_population": 11.0,
    }
    drivers = explain(model, features)
    assert len(drivers) == 3
    first = drivers[0]
    assert first == {"feature": "fund_balance_ratio", "value": -0.15, "contribution": first["contribution"],
                     "direction": "raises risk"} and first["contribution"] > 0
    contributions = [abs(d["contribution"]) for d in drivers]
    assert contributions == sorted(contributions, reverse=True)
    for d in drivers:
        assert d["value"] == features[d["feature"]]
        assert (d["direction"] == "raises risk") == (d["contribution"] > 0)


def test_held_out_auc_and_brier_per_coverage_level(model):
    from investing_assets.lib.muni.coverage import BELOW_MINIMUM, LEVEL_LABELS

    assert [row["level"] for row in model.by_coverage] == list(LEVEL_LABELS)
    assert sum(row["rows"] for row in model.by_coverage) == model.n_test
    for row in model.by_coverage:
        assert row["rows"] > 300 and row["positives"] > 5, row
        assert 0.75 < row["auc"] <= 1 and 0 < row["brier"], row
        if row["level"] != BELOW_MINIMUM:
            assert row["brier"] < row["base_rate_brier"], row
    assert model.at_level(LEVEL_LABELS[0]) is model.by_coverage[0] and model.at_level("nonsense") is None


def test_nulls_reach_lightgbm_as_missing_not_zero(model):
    """A missing fund balance takes the learned missing branch; a zero balance (the cliff) is another score."""
    base = {name: None for name in FEATURES} | {"liability_burden_ratio": 2.2, "debt_service_ratio": 0.08}
    frame = pl.DataFrame({"issuer_id": ["a", "b"], **{
        name: pl.Series([base[name], base[name]], dtype=pl.Float64) for name in FEATURES}}).with_columns(
        fund_balance_ratio=pl.Series([None, 0.0], dtype=pl.Float64))
    missing, zero = score(model, frame)["probability"].to_list()
    assert zero > 1.5 * missing


def test_a_driver_reads_its_input_value_and_direction():
    assert describe_driver("fund_balance_ratio", -0.1534, 0.8) == "fund_balance_ratio -0.153 (raises risk)"
    assert describe_driver("full_value_per_capita", 152_345.6, -0.2) == "full_value_per_capita 152,346 (lowers risk)"
    assert describe_driver("pension_funded_ratio", float("nan"), 0.1) == "pension_funded_ratio missing (raises risk)"
    assert driver_feature("pension_funded_ratio missing (raises risk)") == "pension_funded_ratio"
