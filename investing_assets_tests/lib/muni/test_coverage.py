"""The documented minimum of inputs below which no probability is published."""

from __future__ import annotations

from investing_assets.lib.muni.coverage import INSUFFICIENT, MIN_FEATURES, SCORED, coverage
from investing_assets.lib.muni.issuer_panel import FEATURES


def test_fund_balance_and_enough_features_are_scored() -> None:
    features = dict.fromkeys(FEATURES) | {"fund_balance_ratio": 0.2, "debt_service_ratio": 0.07,
                                           "log_population": 10.0, "pension_funded_ratio": 0.7}
    assert MIN_FEATURES == 4
    got = coverage(features)
    assert got.status == SCORED and got.present == ("fund_balance_ratio", "pension_funded_ratio",
                                                    "debt_service_ratio", "log_population")
    assert coverage(features | {"pension_funded_ratio": None}).status == INSUFFICIENT  # three are too few


def test_without_the_fund_balance_nothing_is_published_however_much_else_is_known() -> None:
    features = dict.fromkeys(FEATURES, 1.0) | {"fund_balance_ratio": None}
    got = coverage(features)
    assert got.status == INSUFFICIENT and got.missing == ("fund_balance_ratio",)
    assert "fund balance" in got.to_dict()["missing"]["fund_balance_ratio"]


def test_coverage_levels():
    from investing_assets.lib.muni.coverage import BELOW_MINIMUM, LEVEL_LABELS, level_for

    assert level_for(FEATURES) == level_for(FEATURES[:-1]) == LEVEL_LABELS[0]
    assert level_for(FEATURES[:5]) == LEVEL_LABELS[1]
    assert level_for(FEATURES[:4]) == LEVEL_LABELS[2]
    assert level_for(FEATURES[:3]) == level_for(FEATURES[1:]) == BELOW_MINIMUM  # no fund balance ratio
    assert coverage(dict.fromkeys(FEATURES[:5], 1.0)).to_dict()["level"] == LEVEL_LABELS[1]
