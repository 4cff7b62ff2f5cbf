"""Confidence from arithmetic: figures of a statement that foots gain, figures of one that does not lose."""

from __future__ import annotations

from investing_assets.lib.muni.extract.crossfoot import derived_debt_service, net_position_identity
from investing_assets.lib.muni.extract.results import ExtractedValue


def _v(metric: str, value: float, confidence: float = 0.9, page: int = 30) -> ExtractedValue:
    return ExtractedValue(metric, value, page, f"{metric} {value:,.0f}", confidence)


def _statement(net: float) -> dict[str, ExtractedValue]:
    return {"total_assets": _v("total_assets", 5_831_508_000), "total_liabilities": _v("total_liabilities", 4_105_837_000),
            "deferred_inflows": _v("deferred_inflows", 26_883_000), "net_position_total": _v("net_position_total", net)}


def test_a_statement_that_foots_raises_every_term_and_one_that_does_not_lowers_them() -> None:
    foots, off = _statement(1_698_788_000), _statement(1_725_671_000)  # the second ignores deferred inflows
    net_position_identity(foots, scale=1_000)
    net_position_identity(off, scale=1_000)
    for metric in foots:
        assert foots[metric].confidence > 0.9 > off[metric].confidence, metric
        assert foots[metric].checks == ("assets + deferred outflows - liabilities - deferred inflows = net position",)
        assert off[metric].checks[0].startswith("does not foot") and "26,883,000" in off[metric].checks[0]


def test_rounding_of_printed_totals_is_tolerated_but_not_more() -> None:
    within, beyond = _statement(1_698_789_000), _statement(1_698_790_000)  # 1 and 2 printed thousands off
    net_position_identity(within, scale=1_000)
    net_position_identity(beyond, scale=1_000)
    assert within["net_position_total"].confidence > 0.9 > beyond["net_position_total"].confidence


def test_debt_service_from_principal_and_interest_is_as_sure_as_the_less_sure_part() -> None:
    found = {"debt_service_principal": _v("debt_service_principal", 176_970_000, 0.95),
             "debt_service_interest": _v("debt_service_interest", 126_852_000, 0.9)}
    total = derived_debt_service(found)
    assert total is not None and total.value == 303_822_000 and total.confidence == 0.9
    assert total.basis == "principal + interest"
    assert derived_debt_service({"debt_service_principal": found["debt_service_principal"]}) is None
