"""The standardized financials and the XBRL tags each is read from, best first (us-gaap, ifrs-full, dei).

A filer uses one tag of a concept's list for a given period; the first one present wins, so a company that
switched tags keeps a continuous series. `measure` says which units a fact may carry: money in one currency
(USD, EUR ...), money per share (USD/shares ...) or a share count; `additive` says a quarter may be derived by
subtracting year-to-date figures (not for per-share figures and weighted share counts, except dividends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

UNIT_PATTERNS = {"money": r"^[A-Z]{3}$", "per_share": r"^[A-Z]{3}/shares$", "shares": r"^shares$"}


@dataclass(frozen=True)
class Concept:
    name: str
    kind: Literal["duration", "instant"]
    measure: Literal["money", "per_share", "shares"]
    additive: bool
    tags: tuple[tuple[str, str], ...]  # (taxonomy, tag), best first


CONCEPTS: tuple[Concept, ...] = (
    Concept("revenue", "duration", "money", True, (
        ("us-gaap", "Revenues"),
        ("us-gaap", "RevenueFromContractWithCustomerExcludingAssessedTax"),
        ("us-gaap", "RevenueFromContractWithCustomerIncludingAssessedTax"),
        ("us-gaap", "SalesRevenueNet"),
        ("ifrs-full", "Revenue"),
        ("ifrs-full", "RevenueFromContractsWithCustomers"))),
    Concept("net_income", "duration", "money", True, (  # attributable to the parent: what EPS divides
        ("us-gaap", "NetIncomeLoss"),
        ("us-gaap", "ProfitLoss"),
        ("ifrs-full", "ProfitLossAttributableToOwnersOfParent"),
        ("ifrs-full", "ProfitLoss"))),
    Concept("eps_diluted", "duration", "per_share", False, (
        ("us-gaap", "EarningsPerShareDiluted"),
        ("us-gaap", "EarningsPerShareBasicAndDiluted"),
        ("ifrs-full", "DilutedEarningsLossPerShare"))),
    Concept("diluted_shares", "duration", "shares", False, (
        ("us-gaap", "WeightedAverageNumberOfDilutedSharesOutstanding"),
        ("ifrs-full", "AdjustedWeightedAverageShares"))),
    Concept("total_assets", "instant", "money", False, (
        ("us-gaap", "Assets"),
        ("ifrs-full", "Assets"))),
    Concept("total_liabilities", "instant", "money", False, (
        ("us-gaap", "Liabilities"),
        ("ifrs-full", "Liabilities"))),
    Concept("equity", "instant", "money", False, (  # the parent's share first, as book value per share needs
        ("us-gaap", "StockholdersEquity"),
        ("us-gaap", "StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest"),
        ("ifrs-full", "EquityAttributableToOwnersOfParent"),
        ("ifrs-full", "Equity"))),
    Concept("operating_cash_flow", "duration", "money", True, (
        ("us-gaap", "NetCashProvidedByUsedInOperatingActivities"),
        ("us-gaap", "NetCashProvidedByUsedInOperatingActivitiesContinuingOperations"),
        ("ifrs-full", "CashFlowsFromUsedInOperatingActivities"),
        ("ifrs-full", "CashFlowsFromUsedInOperations"))),
    Concept("capex", "duration", "money", True, (
        ("us-gaap", "PaymentsToAcquirePropertyPlantAndEquipment"),
        ("us-gaap", "PaymentsToAcquireProductiveAssets"),
        ("ifrs-full", "PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities"))),
    Concept("dividends_per_share", "duration", "per_share", True, (
        ("us-gaap", "CommonStockDividendsPerShareDeclared"),
        ("us-gaap", "CommonStockDividendsPerShareCashPaid"),
        ("ifrs-full", "DividendsRecognisedAsDistributionsToOwnersPerShare"))),
    Concept("shares_outstanding", "instant", "shares", False, (  # the cover page's count first
        ("dei", "EntityCommonStockSharesOutstanding"),
        ("us-gaap", "CommonStockSharesOutstanding"),
        ("ifrs-full", "NumberOfSharesOutstanding"))),
)


def tag_map() -> pl.DataFrame:
    """taxonomy, tag -> concept, rank (0 = best), kind, measure, additive: one row per mapped tag."""
    rows = [(taxonomy, tag, c.name, rank, c.kind, c.measure, c.additive)
            for c in CONCEPTS for rank, (taxonomy, tag) in enumerate(c.tags)]
    return pl.DataFrame(rows, schema={"taxonomy": pl.String, "tag": pl.String, "concept": pl.String,
                                      "rank": pl.Int32, "kind": pl.String, "measure": pl.String,
                                      "additive": pl.Boolean}, orient="row")
