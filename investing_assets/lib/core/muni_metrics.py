"""The municipal credit metrics: what the parser reads, the sample reports print and the model learns from.

Every metric is a dollar amount except `population` (a head count) and the funded ratios in RATIO_METRICS
(a fraction, 0.584 for "58.4 %").
"""

from __future__ import annotations

METRICS: tuple[str, ...] = (
    "total_assets",
    "total_liabilities",
    "net_position_total",
    "net_position_unrestricted",
    "general_fund_revenues",
    "general_fund_expenditures",
    "fund_balance_unassigned",
    "fund_balance_assigned",
    "fund_balance_committed",
    "cash_and_investments",
    "long_term_debt",
    "debt_service",
    "total_pension_liability",
    "plan_fiduciary_net_position",
    "net_opeb_liability",
    "population",
    "assessed_value",
    # statement of net position: GASB 63 deferred elements and GASB 34 long-term liabilities
    "deferred_outflows",
    "deferred_inflows",
    "long_term_liabilities_due_within_one_year",
    "long_term_liabilities_due_after_one_year",
    # governmental funds (Total column): the scope debt service is paid from
    "governmental_funds_expenditures",
    "debt_service_principal",
    "debt_service_interest",
    # pensions and OPEB: GASB 68/75 liabilities, or before them the actuarial funding-progress schedules and
    # the GASB 45 net OPEB obligation
    "net_pension_liability",
    "pension_unfunded_actuarial_liability",
    "pension_actuarial_funded_ratio",
    "opeb_obligation",
    "opeb_unfunded_actuarial_liability",
    # the general fund's balance before GASB 54 (fiscal 2011) split it into classes
    "fund_balance_unreserved",
    # statistical section
    "personal_income",
    "full_value",
    # the debt note's changes in long-term liabilities: the primary government's bonds payable at year end
    "bonds_outstanding",
)

RATIO_METRICS: frozenset[str] = frozenset({"pension_actuarial_funded_ratio"})
COUNT_METRICS: frozenset[str] = frozenset({"population"})
