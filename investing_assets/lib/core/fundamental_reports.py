"""The fundamentals dataset's unit: one reqFundamentalData report of one symbol, or why it did not come.

In core because the IBKR connector (lib/sources) and the demo (lib/synthetic) both answer in it and neither may
import the other. The XML is kept as text: lib/fundamentals/ibkr_reports.py parses it, the same code for both.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FIN_STATEMENTS", "FIN_SUMMARY", "REPORTS", "SNAPSHOT", "ReportAnswer"]

SNAPSHOT = "ReportSnapshot"  # company profile, ratios, consensus
FIN_SUMMARY = "ReportsFinSummary"  # EPS, revenue and dividends per share by period, declared dividends
FIN_STATEMENTS = "ReportsFinStatements"  # income, balance sheet and cash flow by fiscal period
REPORTS = (SNAPSHOT, FIN_SUMMARY, FIN_STATEMENTS)


@dataclass(frozen=True)
class ReportAnswer:
    """What the source answered for (symbol, report): `xml`, or a refusal with IBKR's error `code` (None when
    there was none, e.g. a timeout) and `reason`. `sent`: a request went out for it (it spent the budget).
    `stopped`: not asked because the source could not go on (no gateway, a pacing violation, a lost connection):
    the symbol keeps its place at the head of the rotation."""

    symbol: str
    report: str
    xml: str | None = None
    code: int | None = None
    reason: str | None = None
    sent: bool = True
    stopped: bool = False

    def __post_init__(self) -> None:
        if (self.xml is None) == (self.reason is None):
            raise ValueError(f"{self.symbol} {self.report}: an answer is either the XML or a reason, not both "
                             "or neither")

    @property
    def ok(self) -> bool:
        return self.xml is not None
