"""Interactive Brokers as a source of daily bars, through ib_async and a running TWS or IB Gateway.

What it serves and how, in one place:
- Daily bars are two `reqHistoricalData` series per symbol: TRADES (OHLCV, split-adjusted as IBKR serves it: the
  bars stored) and ADJUSTED_LAST (adjusted for splits and dividends: its close is `adj_close`). `adjusted=False`
  skips the second request and leaves adj_close null. IBKR serves ADJUSTED_LAST only up to now (endDateTime must be
  empty), so both series end now and reach back to the first asked session; the asked sessions are kept.
- Fundamentals: `reqFundamentalData` reports (ReportSnapshot, ReportsFinSummary, ReportsFinStatements) as XML, one
  ReportAnswer per symbol and report over one connection (see `fundamental_reports`). IBKR marks the call
  deprecated and some report types fail for weeks, so a refusal (e.g. 430 "fundamentals data is not available",
  10358 "fundamentals data is not allowed") is an answer naming IBKR's code and words, and the other reports go on;
  a pacing violation (162 "... pacing violation"; a 162 about anything else is a refusal), a lost connection to
  IBKR (1100, 2110) or a gateway that drops stops the asking, and every report not asked says why. Its own pacer
  (the same sliding-window rules as history: about 60 requests in ten minutes) waits before each request.
- Nothing else. IBKR lists no index membership (no universe: the symbols are passed in, the stored universe's when
  the daily_bars asset asks), and corporate actions are not derived from the two series: their ratio moves on an
  ex-date but does not tell a split from a dividend nor give the declared amount, so deriving them would invent
  events.
- Contracts are US stocks on SMART in USD, qualified before any history is asked; IBKR writes share classes with
  a space (BRK.B is `BRK B`). A symbol IBKR cannot resolve to one contract, or answers no bars for, is an error
  naming it and the reason IBKR gave (error events are collected per request).
- Pacing: every historical request first waits on a `HistoricalPacer` with IBKR's documented limits (60 in any ten
  minutes, none identical within 15 s, at most 5 of one contract in 2 s). Requests go one at a time, so IBKR's cap
  of 50 simultaneous open requests is never approached; ib_async's client throttles the 50 messages a second
  itself. At 60 requests per ten minutes a universe of 500 symbols costs about 2.6 hours (two series each).
- Connection: one per call, read-only, with none of the account sync ib_async does by default, closed after. No
  TWS or IB Gateway at host:port is one `IbkrUnavailable` naming it and what to start.

Dagster runs the assets that call this source in the concurrency pool `ibkr` (the registry's pool of the source
the bars are routed to, lib/services/sources.py); the pacer counts one process's requests, so that pool has a limit
of 1, which the project sets when it prepares its Dagster instance (defs/shared/pools.py): two processes would each
spend the whole budget and share one client id.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.fundamental_reports import ReportAnswer
from investing_assets.lib.core.schemas import DAILY_BARS, keep_sessions
from investing_assets.lib.sources.http import PayloadError, SourceError, validate_symbols
from investing_assets.lib.sources.pacing import HistoricalPacer, PacingRules

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "IbClient",
    "IbkrSource",
    "IbkrUnavailable",
    "bars_frame",
    "duration_for",
    "ibkr_symbol",
]

PROVIDER = "ibkr"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7497  # TWS paper trading; live TWS listens on 7496, IB Gateway on 4002 (paper) and 4001 (live)
DEFAULT_CLIENT_ID = 17  # any id no other API client of the same TWS uses

# ib_async logs a failed connect at ERROR itself; with no handler configured Python would print those lines beside
# the IbkrUnavailable that says it all (an application's own logging still receives them)
logging.getLogger("ib_async").addHandler(logging.NullHandler())

TRADES = "TRADES"
ADJUSTED_LAST = "ADJUSTED_LAST"
BAR_SIZE = "1 day"
EXCHANGE, CURRENCY = "SMART", "USD"
# reqFundamentalData: about 60 requests in ten minutes (the same windows as history, its own count)
FUNDAMENTALS_PACING = PacingRules()
CONNECTIVITY_LOST = frozenset({1100, 1300, 2110})  # TWS <-> IBKR lost; socket port reset; TWS <-> server broken
NO_CONTRACT = 200  # "No security definition has been found for the request"


class IbClient(Protocol):
    """The part of `ib_async.IB` this source calls: what the test fake implements."""

    errorEvent: Any  # eventkit Event: (reqId, errorCode, errorString, contract)
    RequestTimeout: float  # seconds a blocking request may take; 0 waits for ever (ib_async raises TimeoutError)

    def connect(self, host: str, port: int, clientId: int, timeout: float, readonly: bool, **kwargs: Any) -> Any: ...

    def disconnect(self) -> Any: ...

    def isConnected(self) -> bool: ...

    def qualifyContracts(self, *contracts: Any) -> list[Any]: ...

    def reqHistoricalData(self, contract: Any, endDateTime: Any, durationStr: str, barSizeSetting: str,
                          whatToShow: str, useRTH: bool, formatDate: int = 1, keepUpToDate: bool = False,
                          chartOptions: list | None = None, timeout: float = 60) -> list[Any]: ...

    def reqFundamentalData(self, contract: Any, reportType: str) -> str | None: ...


class IbkrUnavailable(SourceError):
    """No TWS or IB Gateway answered at the configured host and port."""


def ibkr_symbol(symbol: str) -> str:
    """IBKR's spelling of our ticker: a share class after a space (BRK.B -> BRK B, BF.B -> BF B)."""
    return symbol.replace(".", " ")


def duration_for(first: dt.date, today: dt.date) -> str:
    """The `durationStr` reaching from `today` back to `first`: days up to 365, whole years beyond (IBKR refuses
    more than 365 days in days), a year more than needed so no session at the far end is cut."""
    days = (today - first).days + 1
    if days < 1:
        raise ValueError(f"ibkr: {first.isoformat()} is after today ({today.isoformat()}): no bars yet")
    return f"{days} D" if days <= 365 else f"{days // 365 + 1} Y"


def bars_frame(symbol: str, trades: Sequence[Any], adjusted: Sequence[Any] | None = None) -> pl.DataFrame:
    """ib_async `BarData` of one symbol -> DAILY_BARS: OHLCV from the TRADES bars, adj_close the ADJUSTED_LAST close
    of the same day (null without that series or that day). A bar dated with a time is not a daily bar."""
    adj_close = {_day(symbol, bar, ADJUSTED_LAST): float(bar.close) for bar in adjusted or ()}
    out: dict[str, list] = {c: [] for c in DAILY_BARS}
    seen: set[dt.date] = set()
    for bar in trades:
        day = _day(symbol, bar, TRADES)
        if day in seen:
            raise PayloadError(PROVIDER, symbol, f"two TRADES bars for {day.isoformat()}")
        seen.add(day)
        prices = [float(getattr(bar, field)) for field in ("open", "high", "low", "close")]
        if not all(math.isfinite(p) for p in prices):
            raise PayloadError(PROVIDER, symbol, f"TRADES bar of {day.isoformat()} has prices {prices}")
        volume = float(bar.volume)
        if not math.isfinite(volume) or volume < 0:  # -1: the exchange asked reports no volume
            raise PayloadError(PROVIDER, symbol, f"TRADES bar of {day.isoformat()} has volume {bar.volume!r}")
        out["symbol"].append(symbol)
        out["session"].append(day)
        for field, price in zip(("open", "high", "low", "close"), prices, strict=True):
            out[field].append(price)
        out["adj_close"].append(adj_close.get(day))
        out["volume"].append(round(volume))
    return pl.DataFrame(out, schema=DAILY_BARS).sort("session")


def _day(symbol: str, bar: Any, what: str) -> dt.date:
    day = bar.date
    if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
        raise PayloadError(PROVIDER, symbol, f"{what} bar dated {day!r} is not a daily bar")
    return day


class IbkrSource:
    """Daily bars from TWS or IB Gateway at host:port under `client_id` (see the module docstring)."""

    name = "ibkr"
    datasets = frozenset({Dataset.BARS, Dataset.FUNDAMENTALS})
    synthetic = False
    disclaimer = None

    def __init__(self, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, client_id: int = DEFAULT_CLIENT_ID, *,
                 adjusted: bool = True, connect_timeout: float = 4.0, request_timeout: float = 60.0,
                 pacer: HistoricalPacer | None = None, client: Callable[[], IbClient] | None = None,
                 today: Callable[[], dt.date] | None = None,
                 fundamentals_pacer: HistoricalPacer | None = None) -> None:
        self.host, self.port, self.client_id = host, int(port), int(client_id)
        self.adjusted = adjusted
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout
        self.pacer = pacer or HistoricalPacer()
        self.fundamentals_pacer = fundamentals_pacer or HistoricalPacer(FUNDAMENTALS_PACING)
        self._client = client
        self._today = today or (lambda: calendar.in_new_york().date())
        self._errors: dict[int, list[str]] = {}
        self._said: list[tuple[int, int, str]] = []  # every error event of the connection, in order

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """TRADES bars with the ADJUSTED_LAST close as adj_close, for `symbols` on `sessions`."""
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=DAILY_BARS)
        if symbols is None:
            raise ValueError("ibkr lists no universe: pass the symbols (daily_bars asks for the stored universe's)")
        chosen = list(dict.fromkeys(validate_symbols(symbols, PROVIDER)))
        duration = duration_for(wanted[0], self._today())
        frames = []
        with self._connected() as ib:
            for symbol, contract in self._qualified(ib, chosen):
                trades = self._history(ib, symbol, contract, TRADES, duration)
                adjusted = self._history(ib, symbol, contract, ADJUSTED_LAST, duration) if self.adjusted else None
                frames.append(bars_frame(symbol, trades, adjusted))
        return keep_sessions(frames, wanted, DAILY_BARS)

    def fundamental_reports(self, symbols: Sequence[str], reports: Sequence[str]) -> Iterator[ReportAnswer]:
        """Each symbol's `reports` through reqFundamentalData over one connection (see the module docstring):
        XML, or a refusal naming IBKR's code and words; once the asking must stop (no gateway, pacing violation,
        connectivity lost) every remaining report is answered `stopped` with the reason, never asked."""
        chosen = list(dict.fromkeys(validate_symbols(symbols, PROVIDER)))
        wanted = [(symbol, report) for symbol in chosen for report in reports]
        if not wanted:
            return
        try:
            connection = self._connected('route fundamentals to the demo, INVESTING_SOURCES="fundamentals=demo"')
            ib = connection.__enter__()
        except IbkrUnavailable as exc:
            yield from (ReportAnswer(s, r, reason=str(exc), sent=False, stopped=True) for s, r in wanted)
            return
        try:
            ib.RequestTimeout = self.request_timeout
            contracts = self._each_qualified(ib, chosen)
            stop: str | None = None
            for symbol, report in wanted:
                contract = contracts[symbol]
                if stop is not None:
                    yield ReportAnswer(symbol, report, reason=f"not asked: {stop}", sent=False, stopped=True)
                elif contract is None:
                    yield ReportAnswer(symbol, report, code=NO_CONTRACT, sent=False,
                                       reason=f"no single US stock contract for {ibkr_symbol(symbol)!r} on "
                                              f"{EXCHANGE} in {CURRENCY}: unknown to IBKR or ambiguous")
                else:
                    answer, stop = self._fundamental(ib, symbol, contract, report)
                    yield answer
        finally:
            connection.__exit__(None, None, None)

    def _fundamental(self, ib: IbClient, symbol: str, contract: Any, report: str
                     ) -> tuple[ReportAnswer, str | None]:
        """One report, and why the asking must stop after it (None: go on)."""
        self.fundamentals_pacer.wait(request=(contract.conId, report), contract=(contract.conId, "fundamentals"))
        before = len(self._said)
        try:
            xml = ib.reqFundamentalData(contract, report)
        except TimeoutError:
            xml = None
        except ConnectionError as exc:  # the socket closed under the request
            reason = f"the gateway at {self.endpoint} closed the connection ({type(exc).__name__}: {exc})"
            return ReportAnswer(symbol, report, reason=reason), reason
        said = [(code, text) for _, code, text in self._said[before:] if not 2100 <= code < 2200 or code == 2110]
        if xml:
            return ReportAnswer(symbol, report, xml=xml), None
        lost = next(((c, t) for c, t in said if c in CONNECTIVITY_LOST), None)
        if lost is not None:
            reason = f"connectivity to IBKR lost (error {lost[0]}: {lost[1]})"
            return ReportAnswer(symbol, report, code=lost[0], reason=reason), reason
        # 162 is also "query returned no data": only IBKR's word "pacing" makes it a reason to stop asking
        paced = next(((c, t) for c, t in said if "pacing" in t.lower()), None)
        if paced is not None:
            reason = f"pacing violation (error {paced[0]}: {paced[1]})"
            return ReportAnswer(symbol, report, code=paced[0], reason=reason), reason
        if said:
            code, text = said[-1]
            return ReportAnswer(symbol, report, code=code, reason=f"error {code}: {text}"), None
        if not ib.isConnected():
            reason = f"the gateway at {self.endpoint} closed the connection"
            return ReportAnswer(symbol, report, reason=reason), reason
        return ReportAnswer(symbol, report, reason=f"no answer within {self.request_timeout:g} s"), None

    def _each_qualified(self, ib: IbClient, symbols: list[str]) -> dict[str, Any]:
        """symbol -> its qualified contract, or None when IBKR resolves it to no single contract."""
        contracts = [_stock(ibkr_symbol(s)) for s in symbols]
        ib.qualifyContracts(*contracts)
        return {s: (c if c.conId else None) for s, c in zip(symbols, contracts, strict=True)}

    # -- the ib_async boundary ----------------------------------------------------------------------------------

    @contextmanager
    def _connected(self, instead: str = 'route bars to another source, e.g. INVESTING_SOURCES="bars=yahoo"'
                   ) -> Iterator[IbClient]:
        ib = (self._client or _ib_async_client)()
        ib.errorEvent += self._on_error
        try:
            try:
                ib.connect(self.host, self.port, clientId=self.client_id, timeout=self.connect_timeout,
                           readonly=True, **_no_startup_fetch())
            except OSError as exc:  # refused, timed out (TimeoutError is an OSError), dropped while connecting
                raise IbkrUnavailable(PROVIDER, self.endpoint, self._unavailable(exc, instead)) from None
            yield ib
        finally:
            ib.errorEvent -= self._on_error
            if ib.isConnected():
                ib.disconnect()
            self._errors.clear()
            self._said.clear()

    def _unavailable(self, exc: BaseException, instead: str) -> str:
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return (f"no TWS or IB Gateway answered ({reason}): start TWS or IB Gateway with the API enabled (API "
                f"settings: Enable ActiveX and Socket Clients, socket port {self.port}) and check "
                f"INVESTING_IBKR_HOST/INVESTING_IBKR_PORT, and that no other API client uses client id "
                f"{self.client_id} (INVESTING_IBKR_CLIENT_ID); or {instead}")

    def _on_error(self, req_id: int, code: int, text: str, contract: Any = None) -> None:
        self._errors.setdefault(req_id, []).append(f"error {code}: {text}")
        self._said.append((req_id, code, text))

    def _qualified(self, ib: IbClient, symbols: list[str]) -> list[tuple[str, Any]]:
        """(our symbol, its qualified contract); every symbol IBKR cannot resolve to one contract fails together."""
        contracts = [_stock(ibkr_symbol(s)) for s in symbols]
        ib.qualifyContracts(*contracts)  # fills conId in place; an unknown or ambiguous one keeps conId 0
        unresolved = [f"{s} ({c.symbol!r} on {EXCHANGE} in {CURRENCY})"
                      for s, c in zip(symbols, contracts, strict=True) if not c.conId]
        if unresolved:
            raise SourceError(PROVIDER, self.endpoint, f"no single US stock contract for {', '.join(unresolved)}: "
                                                       "unknown to IBKR or ambiguous")
        return list(zip(symbols, contracts, strict=True))

    def _history(self, ib: IbClient, symbol: str, contract: Any, what: str, duration: str) -> list[Any]:
        self.pacer.wait(request=(contract.conId, what, duration, BAR_SIZE), contract=(contract.conId, EXCHANGE, what))
        bars = ib.reqHistoricalData(contract, endDateTime="", durationStr=duration, barSizeSetting=BAR_SIZE,
                                    whatToShow=what, useRTH=True, formatDate=1, timeout=self.request_timeout)
        if not bars:
            said = self._errors.get(getattr(bars, "reqId", None), [])
            reason = "; ".join(said) if said else f"no answer within {self.request_timeout:g} s"
            raise SourceError(PROVIDER, self.endpoint, f"no {what} daily bars for {symbol} over {duration} ending "
                                                       f"now: {reason}")
        return list(bars)


def _ib_async_client() -> IbClient:
    from ib_async import IB  # imported when a gateway is first asked: ib_async is slow to import

    return IB()


def _stock(symbol: str) -> Any:
    from ib_async import Stock

    return Stock(symbol, EXCHANGE, CURRENCY)


def _no_startup_fetch() -> dict[str, Any]:
    """Connect without ib_async's start-up sync of orders, executions and accounts: a bar source needs none."""
    from ib_async import StartupFetchNONE

    return {"fetchFields": StartupFetchNONE}
