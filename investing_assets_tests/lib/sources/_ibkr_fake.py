"""A stand-in for `ib_async.IB` at the boundary IbkrSource calls: connect, disconnect, isConnected,
qualifyContracts, reqHistoricalData, reqFundamentalData and errorEvent, answering as ib_async does.

reqFundamentalData answers as ib_async's blocking call does: the report's XML text, or None after an error event
for the request (ib_async ends the request with no result when RaiseRequestErrors is off, its default); a system
message (1100, connectivity lost) arrives with reqId -1. The XML replayed is the real recorded AAPL reports in
../shared/data/fixtures/ibkr_fundamentals_finflock (see `recorded_reports`).

What it hands back has ib_async's own shapes: `BarDataList` (a list carrying the request's reqId) of `BarData`
(date, open, high, low, close, volume, average, barCount), each date parsed from IBKR's "yyyyMMdd" text by
ib_async's `util.parseIBDatetime`, as its wrapper does with what TWS sends; errors arrive on an eventkit
`errorEvent` as (reqId, errorCode, errorString, contract). The bar VALUES are not a live recording (no TWS session
was recorded for this project): they are AAPL-like daily bars made for the test around an ex-dividend date, with
ADJUSTED_LAST scaled the way a dividend adjustment scales history (see AAPL_DIVIDEND).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from ib_async import BarData, BarDataList, Event, util

from investing_assets.lib.core.fundamental_reports import REPORTS
from investing_assets_tests.lib.sources._replay import SHARED_FIXTURES, recorded

FINFLOCK = SHARED_FIXTURES / "ibkr_fundamentals_finflock"
# IBKR's words for the errors the fundamentals tests replay (TWS API message codes)
NOT_AVAILABLE = (430, "We are sorry, but fundamentals data for the security specified is not available.")
NOT_ALLOWED = (10358, "Fundamentals data is not allowed.")
PACING = (162, "Historical Market Data Service error message:Historical data request pacing violation")
CONNECTIVITY = (1100, "Connectivity between IB and Trader Workstation has been lost.")


def recorded_reports(symbol: str = "AAPL") -> dict[tuple[str, str], str]:
    """(IBKR symbol, report type) -> the recorded XML, byte for byte (its mixed CR/CRLF line ends included)."""
    return {(symbol, report): recorded(FINFLOCK / f"AAPL_{report}.xml").read_bytes().decode("utf-8")
            for report in REPORTS}

# (IBKR date text, open, high, low, close, volume, average, barCount): one daily bar as TWS sends it.
Row = tuple[str, float, float, float, float, float, float, int]

AAPL_TRADES: list[Row] = [
    ("20230208", 153.88, 154.58, 151.17, 151.92, 64120079.0, 152.69, 512345),
    ("20230209", 153.78, 154.33, 150.42, 150.87, 56007143.0, 152.17, 478934),
    ("20230210", 149.46, 151.34, 149.22, 151.01, 57450708.0, 150.45, 455120),  # ex-dividend 0.23
    ("20230213", 150.95, 154.26, 150.92, 153.85, 62199013.0, 152.98, 497881),
]
AAPL_DIVIDEND = 0.23  # ex 2023-02-10: earlier closes scaled by 1 - 0.23 / 150.87 on top of the later factor 0.9612
AAPL_ADJUSTED: list[Row] = [
    ("20230208", 147.68, 148.36, 145.08, 145.80, 64120079.0, 146.54, 512345),
    ("20230209", 147.59, 148.12, 144.36, 144.80, 56007143.0, 146.04, 478934),
    ("20230210", 143.66, 145.47, 143.43, 145.15, 57450708.0, 144.61, 455120),
    ("20230213", 145.09, 148.27, 145.06, 147.88, 62199013.0, 147.04, 497881),
]
MSFT_TRADES: list[Row] = [
    ("20230208", 273.20, 276.76, 266.21, 266.73, 54686000.0, 270.11, 401233),
    ("20230209", 273.80, 273.98, 262.80, 263.62, 42375100.0, 267.90, 377812),
    ("20230210", 261.53, 264.09, 260.66, 263.10, 25818500.0, 262.54, 251876),
    ("20230213", 267.64, 274.60, 267.15, 271.32, 44630900.0, 271.01, 389004),
]
MSFT_ADJUSTED: list[Row] = [(d, round(o * 0.9701, 2), round(h * 0.9701, 2), round(lo * 0.9701, 2),
                             round(c * 0.9701, 2), v, round(a * 0.9701, 2), n)
                            for d, o, h, lo, c, v, a, n in MSFT_TRADES]
BRKB_TRADES: list[Row] = [("20230210", 306.01, 309.56, 305.62, 308.98, 3025100.0, 307.80, 61234)]

SERIES: dict[tuple[str, str], list[Row]] = {
    ("AAPL", "TRADES"): AAPL_TRADES, ("AAPL", "ADJUSTED_LAST"): AAPL_ADJUSTED,
    ("MSFT", "TRADES"): MSFT_TRADES, ("MSFT", "ADJUSTED_LAST"): MSFT_ADJUSTED,
    ("BRK B", "TRADES"): BRKB_TRADES, ("BRK B", "ADJUSTED_LAST"): BRKB_TRADES,
}
CON_IDS = {"AAPL": 265598, "MSFT": 272093, "BRK B": 72063691}  # IBKR's contract ids of the three


def bar(row: Row) -> BarData:
    date, o, h, lo, c, v, average, count = row
    return BarData(date=util.parseIBDatetime(date), open=o, high=h, low=lo, close=c, volume=v, average=average,
                   barCount=count)


class FakeIB:
    """Answers like a connected TWS holding `series` (keyed by IBKR symbol and whatToShow); `refuse` is what
    connect raises instead (a gateway that is not there), `errors` the error events sent instead of bars."""

    def __init__(self, series: Mapping[tuple[str, str], list[Row]] = SERIES, *, con_ids: Mapping[str, int] = CON_IDS,
                 refuse: BaseException | None = None, errors: Mapping[tuple[str, str], tuple[int, str]] = {},
                 reports: Mapping[tuple[str, str], str] = {},
                 system: Mapping[tuple[str, str], tuple[int, str]] = {},
                 slow: frozenset[tuple[str, str]] = frozenset()) -> None:
        """`reports`: (IBKR symbol, report type) -> XML; a fundamentals request in `errors` gets that error for its
        reqId, one in `system` that message with reqId -1 (and no answer), one in `slow` raises TimeoutError as
        ib_async does past its RequestTimeout; any other unknown one gets 430."""
        self.series, self.con_ids, self.refuse, self.errors = dict(series), dict(con_ids), refuse, dict(errors)
        self.reports, self.system, self.slow = dict(reports), dict(system), slow
        self.RequestTimeout = 0.0
        self.errorEvent = Event("errorEvent")
        self.connected = False
        self.calls: list[tuple[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def connect(self, host: str, port: int, clientId: int, timeout: float, readonly: bool, **kwargs: Any) -> FakeIB:
        self.calls.append(("connect", (host, port, clientId, readonly)))
        if self.refuse is not None:
            raise self.refuse
        self.connected = True
        return self

    def disconnect(self) -> None:
        self.calls.append(("disconnect", None))
        self.connected = False

    def isConnected(self) -> bool:
        return self.connected

    def qualifyContracts(self, *contracts: Any) -> list[Any]:
        self.calls.append(("qualifyContracts", tuple(c.symbol for c in contracts)))
        qualified = []
        for contract in contracts:
            if contract.symbol in self.con_ids and contract.exchange == "SMART" and contract.currency == "USD":
                contract.conId, contract.primaryExchange = self.con_ids[contract.symbol], "NASDAQ"
                qualified.append(contract)
            else:
                self.errorEvent.emit(next(self._ids), 200, "No security definition has been found for the request",
                                     contract)
        return qualified

    def reqHistoricalData(self, contract: Any, endDateTime: Any, durationStr: str, barSizeSetting: str,
                          whatToShow: str, useRTH: bool, formatDate: int = 1, keepUpToDate: bool = False,
                          chartOptions: list | None = None, timeout: float = 60) -> BarDataList:
        assert self.connected, "reqHistoricalData before connect"
        bars = BarDataList()
        bars.reqId = next(self._ids)
        bars.contract, bars.endDateTime, bars.durationStr = contract, endDateTime, durationStr
        bars.barSizeSetting, bars.whatToShow, bars.useRTH, bars.formatDate = barSizeSetting, whatToShow, useRTH, \
            formatDate
        self.requests.append({"symbol": contract.symbol, "conId": contract.conId, "end": endDateTime,
                              "duration": durationStr, "bar": barSizeSetting, "what": whatToShow, "rth": useRTH,
                              "format": formatDate, "timeout": timeout})
        key = (contract.symbol, whatToShow)
        if key in self.errors:
            self.errorEvent.emit(bars.reqId, *self.errors[key], contract)
            return bars
        bars.extend(bar(row) for row in self.series.get(key, ()))
        return bars


    def reqFundamentalData(self, contract: Any, reportType: str) -> str | None:
        assert self.connected, "reqFundamentalData before connect"
        assert contract.conId, "reqFundamentalData of an unqualified contract"
        req_id = next(self._ids)
        key = (contract.symbol, reportType)
        self.requests.append({"symbol": contract.symbol, "conId": contract.conId, "report": reportType,
                              "timeout": self.RequestTimeout})
        if key in self.slow:
            raise TimeoutError()
        if key in self.system:
            self.errorEvent.emit(-1, *self.system[key], None)
            return None
        if key in self.errors or key not in self.reports:
            self.errorEvent.emit(req_id, *self.errors.get(key, NOT_AVAILABLE), contract)
            return None
        return self.reports[key]


class FakeClock:
    """Time that moves only when the code under test sleeps: pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
