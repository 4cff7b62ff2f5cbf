import math

import polars as pl
import pytest

from investing_assets.lib.muni.issuer_panel import (
    FEATURES,
    ISSUER_TYPES,
    TARGET_DISTRESS_RATE_3Y,
    features_from_metrics,
    generate_panel,
)


@pytest.fixture(scope="module")
def panel() -> pl.DataFrame:
    return generate_panel(2_000, 8, seed=7)


def test_panel_schema(panel):
    assert panel.columns == [
        "issuer_id",
        "issuer_name",
        "issuer_type",
        "fiscal_year",
        *FEATURES,
        "distress_3y",
    ]
    assert all(panel[name].dtype == pl.Float64 for name in FEATURES)
    assert set(panel["distress_3y"].unique()) == {0, 1}
    assert set(panel["issuer_type"].unique()) == set(ISSUER_TYPES)
    assert panel["fiscal_year"].min() == 2010 and panel["fiscal_year"].max() == 2017
    assert panel.select(pl.struct("issuer_id", "fiscal_year").is_unique().all()).item()


def test_rows_missing_only_for_distress_spells(panel):
    assert 0.85 * 2_000 * 8 < panel.height < 2_000 * 8
    assert panel["issuer_id"].n_unique() > 1_900


def test_same_seed_same_panel_and_different_seed_differs():
    first = generate_panel(200, 4, seed=3)
    assert first.equals(generate_panel(200, 4, seed=3))
    assert not first.equals(generate_panel(200, 4, seed=4))


def test_base_rate_is_calibrated(panel):
    assert panel["distress_3y"].mean() == pytest.approx(TARGET_DISTRESS_RATE_3Y, abs=0.003)


def test_type_medians_follow_documented_profiles(panel):
    medians = {
        row["issuer_type"]: row
        for row in panel.group_by("issuer_type").agg(pl.col(FEATURES).median()).iter_rows(named=True)
    }
    assert medians["school_district"]["fund_balance_ratio"] < medians["city"]["fund_balance_ratio"]
    assert medians["county"]["liability_burden_ratio"] < medians["city"]["liability_burden_ratio"]
    assert 0.65 < medians["city"]["pension_funded_ratio"] < 0.85
    assert 0.2 < medians["county"]["fund_balance_ratio"] < 0.45


def test_label_responds_to_scorecard_drivers(panel):
    quintile = panel.drop_nulls("fund_balance_ratio").with_columns(
        pl.col("fund_balance_ratio").qcut(5, labels=[str(i) for i in range(5)]).alias("quintile")
    )
    rate = dict(quintile.group_by("quintile").agg(pl.col("distress_3y").mean()).iter_rows())
    assert rate["0"] > 4 * rate["4"]


def _null_share(frame: pl.DataFrame, name: str) -> float:
    return frame[name].null_count() / frame.height


def test_missingness_follows_report_eras(panel):
    """Before GASB 68 (fiscal 2015) the pension liability comes from the actuarial schedule only sponsors print;
    from 2015 every employer states one. Before GASB 54 (fiscal 2011) the fund balance is missed more often."""
    before, after = panel.filter(pl.col("fiscal_year") < 2015), panel.filter(pl.col("fiscal_year") >= 2015)
    assert _null_share(before, "liability_burden_ratio") > 0.4 > 0.12 > _null_share(after, "liability_burden_ratio")
    first, later = panel.filter(pl.col("fiscal_year") == 2010), panel.filter(pl.col("fiscal_year") > 2010)
    assert _null_share(first, "fund_balance_ratio") > 2 * _null_share(later, "fund_balance_ratio") > 0
    assert _null_share(panel, "fund_balance_ratio") < 0.05  # the statement's figure: nearly always read
    # growth needs the prior year's report: none for the first one
    assert _null_share(first, "full_value_growth") == 1.0 and _null_share(later, "full_value_growth") < 0.6


def test_missingness_is_persistent_by_issuer_and_type(panel):
    """An issuer without a statistical section or its own plan lacks those inputs every year; school districts
    (cost-sharing members, often no population table) lack them most."""
    by_type = {t: panel.filter(pl.col("issuer_type") == t) for t in ISSUER_TYPES}
    for name in ("pension_funded_ratio", "log_population", "full_value_per_capita"):
        assert _null_share(by_type["school_district"], name) > _null_share(by_type["city"], name) + 0.1, name
    income = panel.group_by("issuer_id").agg(pl.col("income_ratio").is_null().mean().alias("share"))
    assert set(income["share"].unique()) <= {0.0, 1.0}  # a census join exists for an issuer, or not
    assert 0.5 < _null_share(panel, "income_ratio") < 0.7


def test_every_coverage_level_occurs(panel):
    present = panel.select(pl.sum_horizontal(pl.col(f).is_not_null() for f in FEATURES).alias("n"))["n"]
    counts = present.value_counts().sort("n")
    assert present.min() <= 3 and present.max() == len(FEATURES)
    assert counts.filter(pl.col("n") >= 7)["count"].sum() > 0.1 * panel.height
    assert counts.filter(pl.col("n") < 4)["count"].sum() > 0.05 * panel.height


def test_rejects_empty_panel():
    with pytest.raises(ValueError):
        generate_panel(0, 5, seed=0)


FULL_METRICS = {
    "total_assets": 900e6,
    "total_liabilities": 600e6,
    "net_position_total": 300e6,
    "net_position_unrestricted": -20e6,
    "general_fund_revenues": 100e6,
    "general_fund_expenditures": 95e6,
    "fund_balance_unassigned": 15e6,
    "fund_balance_assigned": 5e6,
    "fund_balance_committed": 2e6,
    "cash_and_investments": 40e6,
    "long_term_debt": 120e6,
    "debt_service": 9.5e6,
    "total_pension_liability": 400e6,
    "plan_fiduciary_net_position": 300e6,
    "net_opeb_liability": 30e6,
    "population": 50_000,
    "assessed_value": 5e9,
}


def test_features_from_complete_metrics():
    features = features_from_metrics(FULL_METRICS, prior={"assessed_value": 4.8e9})
    assert list(features) == list(FEATURES)
    assert features["fund_balance_ratio"] == pytest.approx(0.22)
    assert features["liability_burden_ratio"] == pytest.approx((120 + 100 + 30) / 100)
    assert features["pension_funded_ratio"] == pytest.approx(0.75)
    assert features["debt_service_ratio"] == pytest.approx(0.1)
    assert features["full_value_per_capita"] == pytest.approx(100_000)
    assert features["full_value_growth"] == pytest.approx(5 / 4.8 - 1)
    assert features["income_ratio"] is None
    assert features["log_population"] == pytest.approx(math.log(50_000))


def test_features_from_empty_metrics_are_all_missing():
    assert features_from_metrics({}) == {name: None for name in FEATURES}
    assert features_from_metrics({key: None for key in FULL_METRICS}) == {name: None for name in FEATURES}


def test_features_from_partial_metrics():
    metrics = FULL_METRICS | {
        "general_fund_revenues": 0.0,  # unusable denominator
        "fund_balance_assigned": None,
        "plan_fiduciary_net_position": float("nan"),  # extraction gap
        "net_opeb_liability": None,
    }
    features = features_from_metrics(metrics)
    assert features["fund_balance_ratio"] is None
    assert features["liability_burden_ratio"] is None
    assert features["pension_funded_ratio"] is None
    assert features["full_value_growth"] is None
    assert features["debt_service_ratio"] == pytest.approx(0.1)

    no_opeb = features_from_metrics(
        FULL_METRICS | {"net_opeb_liability": None, "fund_balance_committed": None}
    )
    assert no_opeb["liability_burden_ratio"] == pytest.approx(2.2)
    assert no_opeb["fund_balance_ratio"] == pytest.approx(0.20)


def test_features_from_what_pre_gasb_reports_state_instead():
    """Before GASB 54/68/75 and without a debt schedule: the unreserved balance, the statement's long-term
    liabilities, the actuarial funding progress and the OPEB obligation stand in; debt service is principal +
    interest over the same funds' expenditures; full value over assessed value."""
    older = {
        "general_fund_revenues": 100e6, "general_fund_expenditures": 95e6, "fund_balance_unreserved": 12e6,
        "long_term_liabilities_due_within_one_year": 10e6, "long_term_liabilities_due_after_one_year": 110e6,
        "pension_unfunded_actuarial_liability": 80e6, "pension_actuarial_funded_ratio": 0.6,
        "opeb_obligation": 5e6, "debt_service": 12e6, "governmental_funds_expenditures": 150e6,
        "population": 50_000, "assessed_value": 4e9, "full_value": 6e9,
    }
    features = features_from_metrics(older, prior={"assessed_value": 3.9e9, "full_value": 5.5e9})
    assert features["fund_balance_ratio"] == pytest.approx(0.12)
    assert features["liability_burden_ratio"] == pytest.approx((10 + 110 + 80 + 5) / 100)
    assert features["pension_funded_ratio"] == pytest.approx(0.6)
    assert features["debt_service_ratio"] == pytest.approx(12 / 150)
    assert features["full_value_per_capita"] == pytest.approx(120_000)
    assert features["full_value_growth"] == pytest.approx(6 / 5.5 - 1)
    # GASB 68 figures win over the actuarial ones, the debt notes over the statement, OPEB liability over
    # its obligation
    newer = older | {"total_pension_liability": 400e6, "plan_fiduciary_net_position": 300e6,
                     "long_term_debt": 150e6, "net_opeb_liability": 20e6, "fund_balance_unassigned": 9e6}
    features = features_from_metrics(newer)
    assert features["liability_burden_ratio"] == pytest.approx((150 + 100 + 20) / 100)
    assert features["pension_funded_ratio"] == pytest.approx(0.75)
    assert features["fund_balance_ratio"] == pytest.approx(0.09)
