"""The municipal credit metrics: what the parser reads, the sample reports print and the model learns from."""

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
)
