"""Label variants are read by rule (patterns over normalised labels), not by one document's spellings; look-alike
lines of another figure are not read."""

from __future__ import annotations

import pytest

from investing_assets.lib.muni.extract.layout import norm_label
from investing_assets.lib.muni.extract.rules import RULES

STATES = {
    "net_position_unrestricted": (
        "Unrestricted", "Unrestricted (deficit)", "Unrestricted (Deficits)", "Unrestricted net position",
        "Unrestricted net position (deficit)", "Unrestricted Net Assets (Deficit)", "Unrestricted deficit",
        "Unrestricted (deficit) net position", "Total unrestricted net position", "Unrestricted (deficiency)",
        "Unrestricted (Note 12)",
    ),
    "deferred_outflows": ("Deferred outflows of resources", "DEFERRED OUTFLOWS OF RESOURCES",
                          "Total deferred outflows of resources", "Deferred Outflows"),
    "deferred_inflows": ("Deferred inflows of resources", "Total deferred inflows of resources"),
    "long_term_liabilities_due_within_one_year": (
        "Due within one year", "Due Within One Year", "Current portion of long-term obligations",
        "Current portion of long-term debt", "Long-term liabilities due within one year",
        "Noncurrent liabilities - due within one year", "Amounts due within one year", "Portion due or payable "
        "within one year", "Current maturities of long-term debt",
    ),
    "long_term_liabilities_due_after_one_year": (
        "Due in more than one year", "Due In More Than One Year", "Due after one year",
        "Long-term liabilities due in more than one year", "Portion due or payable after one year",
        "Noncurrent portion of long-term obligations", "Total noncurrent liabilities",
    ),
    "debt_service_principal": ("Principal", "Principal retirement", "Bond and commercial paper retirement",
                               "Debt Service - Principal Retirement", "Debt service: principal",
                               "Retirement of long-term debt", "Redemption of bonds"),
    "debt_service_interest": ("Interest and fiscal charges", "Interest and other charges", "Interest",
                              "Debt Service - Interest and Other Charges", "Bond interest"),
    "net_pension_liability": ("Net pension liability", "Net pension liabilities (Note 9)"),
    "opeb_obligation": ("Net OPEB obligation", "Net other postemployment benefits obligation",
                        "Net other post-employment benefit obligations", "Other postemployment benefits"),
    "net_opeb_liability": ("Net OPEB liability", "Net other postemployment benefits (OPEB) liability"),
    "fund_balance_unreserved": ("Unreserved", "Unreserved, reported in:", "Unreserved, undesignated",
                                "Unreserved, designated for capital projects", "Total unreserved fund balance",
                                "Unreserved fund balance (deficit)"),
    "fund_balance_assigned": ("Assigned", "Assigned for:", "Assigned to"),
    "net_position_total": ("Total net position", "Total net assets (deficit)", "TOTAL NET ASSETS",
                           "Total net position (deficit)"),
}

NOT_THESE = {
    "net_position_unrestricted": ("Restricted", "Unrestricted grants and contributions", "Restricted for: debt"),
    "net_pension_liability": ("Net pension obligation", "Pension contributions payable"),
    "opeb_obligation": ("Net OPEB liability", "Net pension obligation"),
    "long_term_liabilities_due_within_one_year": ("Total current liabilities", "Due to other governments"),
    "long_term_liabilities_due_after_one_year": ("Total current liabilities", "Noncurrent assets"),
    "debt_service_principal": ("Principal payments receivable interest",),
    "debt_service_interest": ("Interest payable", "Investment and interest", "Interest and investment earnings"),
    "fund_balance_unreserved": ("Reserved for encumbrances", "Unassigned"),
    "fund_balance_assigned": ("Unassigned",),
    "deferred_outflows": ("Total assets and deferred outflows of resources",),
}


def _matches(metric: str, label: str) -> bool:
    rule = next(r for r in RULES if r.metric == metric)
    return any(p.fullmatch(norm_label(label)) for p in rule.patterns)


@pytest.mark.parametrize(("metric", "label"), [(m, label) for m, labels in STATES.items() for label in labels])
def test_rule_reads_label_variant(metric: str, label: str) -> None:
    assert _matches(metric, label)


@pytest.mark.parametrize(("metric", "label"), [(m, label) for m, labels in NOT_THESE.items() for label in labels])
def test_rule_leaves_look_alike_lines(metric: str, label: str) -> None:
    assert not _matches(metric, label)
