"""Yahoo Finance as a market-data source: yfinance by default, Yahoo's v8 chart JSON as a fallback.

Two layers, so parsing can be tested on recorded data without a network:
- fetchers talk to Yahoo: `YfinanceFetcher` (yfinance handles Yahoo's cookie/crumb and TLS
  fingerprinting, which plain requests cannot) and `ChartApiFetcher` (one GET of
  `query2.finance.yahoo.com/v8/finance/chart/<ticker>`, useful when a yfinance release breaks);
- pure parsers: `parse_history_frame` (the pandas frame of `Ticker.history(auto_adjust=False)`),
  `parse_chart` (the v8 chart JSON that frame is built from) and `parse_info` (`Ticker.info`).

Yahoo cannot list a universe or index members, and yfinance's analyst-estimate and news shapes are
not mapped yet, so the source does not declare those datasets (a universe only of symbols it is given). Symbols
go out in Yahoo's spelling (BRK-B, ^GSPC) through vendor_symbols for every dataset. Both parsers refuse
history where a stock split was not applied to earlier prices (Yahoo serves that now and then;
yfinance's `repair=True` usually fixes it), because a silent 5x price cliff would poison every return
and indicator computed downstream. They also refuse any interval but one bar a day, and carry Yahoo's currency
(VENDOR_BARS): quotes keep it, bars in another currency than the stored ones are refused. Nothing for a requested
symbol is NoData, with Yahoo's reason (unknown or delisted, or no data in the asked range) rather than yfinance's
catch-all "possibly delisted"; whatever yfinance lets out is one of lib/sources/http's errors.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import requests

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.instruments import pair_quote_currency
from investing_assets.lib.core.schemas import (
    CORPORATE_ACTIONS,
    DAILY_BARS,
    QUOTES,
    UNIVERSE,
    VENDOR_BARS,
    conform,
    keep_sessions,
    quotes_from_bars,
)
from investing_assets.lib.sources.http import (
    NO_DATA,
    NO_DATA_IN_RANGE,
    TRANSPORT_ERRORS,
    UNKNOWN_OR_DELISTED,
    HttpClient,
    NoData,
    PayloadError,
    RetryPolicy,
    SourceError,
    TransientError,
    new_session,
    redact,
    retrying_call,
    validate_symbols,
)
from investing_assets.lib.sources.vendor_symbols import VendorSymbols

__all__ = [
    "CHART_URL",
    "SYMBOLS",
    "BarFetcher",
    "ChartApiFetcher",
    "ProfileFetcher",
    "YahooSource",
    "YfinanceFetcher",
    "parse_chart",
    "parse_chart_actions",
    "parse_history_actions",
    "parse_history_frame",
    "parse_info",
]

T = TypeVar("T")

PROVIDER = "yahoo"
CHART_URL = "https://query2.finance.yahoo.com/v8/finance/chart/"
DAILY = "1d"  # the one interval the bars are stored at
# Yahoo has no API key: a 401/403 is it refusing a client without its cookie and crumb (or one it rate-limits).
REFUSED_HINT = ("Yahoo has no API key to check: it refused this client (cookie and crumb, or a block); retry later, "
                "or use the yfinance fetcher, which handles Yahoo's cookie and crumb")

SYMBOLS = VendorSymbols(PROVIDER)  # our symbol <-> Yahoo's ticker (BRK.B <-> BRK-B, SPX <-> ^GSPC)


# --------------------------------------------------------------------------- parse functions (pure)


def parse_chart(payload: Any, symbol: str | None = None, *, asked: tuple[dt.date, dt.date] | None = None
                ) -> pl.DataFrame:
    """Yahoo v8 chart JSON (interval=1d) -> VENDOR_BARS (DAILY_BARS with meta.currency).

    Sessions are exchange-local dates (via meta.exchangeTimezoneName, DST-aware), so a 09:30 New York
    bar and a 00:00 UTC crypto bar both land on their own trading day. A chart of another interval (meta.
    dataGranularity) is refused; Yahoo's error object is NoData when it says the symbol is unknown or delisted or
    the range holds no data, and so is a chart with meta but no timestamps (Yahoo knows the symbol, it has no bar
    in the range). `asked` (first and last day asked) only goes into that message.
    """
    result = _chart_result(payload, symbol)
    meta = result.get("meta") if isinstance(result.get("meta"), Mapping) else {}
    symbol = symbol or meta.get("symbol") or "chart"
    _check_daily(symbol, meta)
    stamps = _timestamps(symbol, result, asked)
    n = len(stamps)
    indicators = result.get("indicators")
    if not isinstance(indicators, Mapping):
        raise PayloadError(PROVIDER, symbol, "no 'indicators'")
    quotes = indicators.get("quote")
    if not isinstance(quotes, list) or not quotes or not isinstance(quotes[0], Mapping):
        raise PayloadError(PROVIDER, symbol, "no 'indicators.quote'")
    columns: dict[str, list] = {}
    for field in ("open", "high", "low", "close", "volume"):
        columns[field] = _series(symbol, quotes[0].get(field), f"indicators.quote[0].{field}", n)
    adj = indicators.get("adjclose")
    adj0 = adj[0] if isinstance(adj, list) and adj and isinstance(adj[0], Mapping) else {}
    columns["adj_close"] = _series(symbol, adj0.get("adjclose"), "indicators.adjclose[0].adjclose", n)

    tz = _chart_timezone(meta)
    sessions = []
    for i, ts in enumerate(stamps):
        if not _is_number(ts):
            raise PayloadError(PROVIDER, symbol, f"timestamp {i} is {ts!r}")
        sessions.append(dt.datetime.fromtimestamp(ts, tz).date())

    splits = []
    events = result.get("events")
    split_events = events.get("splits") if isinstance(events, Mapping) else None
    for event in split_events.values() if isinstance(split_events, Mapping) else ():
        if not isinstance(event, Mapping):
            continue
        num, den, when = event.get("numerator"), event.get("denominator"), event.get("date")
        if _is_number(num) and _is_number(den) and den and _is_number(when):
            splits.append((dt.datetime.fromtimestamp(when, tz).date(), num / den))
    return _bars(symbol, sessions, columns, splits, _currency(symbol, meta))


def parse_chart_actions(payload: Any, symbol: str | None = None, *,
                        asked: tuple[dt.date, dt.date] | None = None) -> pl.DataFrame:
    """The `events` of a v8 chart JSON (events=div|split) -> CORPORATE_ACTIONS, on exchange-local ex-dates.

    A split's ratio is numerator / denominator (4:1 -> 4.0); a dividend's amount is Yahoo's `amount` (per share,
    in the split-adjusted units Yahoo serves its prices in). No events is an empty frame; a chart Yahoo has no data
    in (its error object, or no timestamps) is NoData, as for the bars."""
    result = _chart_result(payload, symbol)
    meta = result.get("meta") if isinstance(result.get("meta"), Mapping) else {}
    symbol = symbol or meta.get("symbol") or "chart"
    _check_daily(symbol, meta)
    _timestamps(symbol, result, asked)
    tz = _chart_timezone(meta)
    events = result.get("events") if isinstance(result.get("events"), Mapping) else {}
    rows = []
    for kind, key in (("split", "splits"), ("dividend", "dividends")):
        entries = events.get(key)
        for stamp, event in (entries.items() if isinstance(entries, Mapping) else ()):
            if not isinstance(event, Mapping):
                raise PayloadError(PROVIDER, symbol, f"events.{key}[{stamp}] is {event!r}")
            when = event.get("date")
            if not _is_number(when):
                raise PayloadError(PROVIDER, symbol, f"events.{key}[{stamp}] has no date")
            day = dt.datetime.fromtimestamp(when, tz).date()
            if kind == "split":
                num, den = event.get("numerator"), event.get("denominator")
                if not (_is_number(num) and _is_number(den) and num > 0 and den > 0):
                    raise PayloadError(PROVIDER, symbol, f"split on {day.isoformat()} has ratio {num!r}/{den!r}")
                rows.append({"symbol": symbol, "session": day, "kind": kind, "ratio": num / den, "amount": None})
            else:
                amount = event.get("amount")
                if not (_is_number(amount) and amount > 0):
                    raise PayloadError(PROVIDER, symbol, f"dividend on {day.isoformat()} has amount {amount!r}")
                rows.append({"symbol": symbol, "session": day, "kind": kind, "ratio": None, "amount": float(amount)})
    return pl.DataFrame(rows, schema=CORPORATE_ACTIONS).sort("session", "kind")


def parse_history_actions(symbol: str, df: Any) -> pl.DataFrame:
    """The `Dividends` and `Stock Splits` columns of `Ticker.history(actions=True)` -> CORPORATE_ACTIONS
    (0 means none; a split of 5 is 5:1). A frame without those columns has no actions."""
    if df is None or len(df) == 0:
        return pl.DataFrame(schema=CORPORATE_ACTIONS)
    by_name = {_norm(c): c for c in df.columns}
    date_col = next((by_name[k] for k in ("date", "datetime") if k in by_name), None)
    stamps = df[date_col].tolist() if date_col is not None else list(df.index)
    sessions = [_to_session(symbol, v) for v in stamps]
    rows = []
    for kind, key, field in (("split", "stocksplits", "ratio"), ("dividend", "dividends", "amount")):
        if key not in by_name:
            continue
        for day, value in zip(sessions, df[by_name[key]].tolist(), strict=True):
            if _is_number(value) and value > 0 and not (kind == "split" and value == 1):
                rows.append({"symbol": symbol, "session": day, "kind": kind, "ratio": None, "amount": None,
                             field: float(value)})
    return pl.DataFrame(rows, schema=CORPORATE_ACTIONS).sort("session", "kind")


def parse_history_frame(symbol: str, df: Any, metadata: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """`Ticker.history(interval="1d", auto_adjust=False)` / `yf.download` frame -> VENDOR_BARS.

    Needs the 'Adj Close' column: with auto_adjust=True Yahoo's OHLC are already dividend-adjusted
    and there is no separate adjusted close to keep, so we refuse instead of mislabelling prices.
    `metadata` is `Ticker.history_metadata` (the chart's meta): its interval is checked and its currency carried
    (null without it). An empty frame is an empty frame: whether that is an error is the fetcher's to say.
    """
    import pandas as pd

    metadata = metadata or {}
    _check_daily(symbol, metadata)
    if df is None or len(df) == 0:
        return pl.DataFrame(schema=VENDOR_BARS)
    if isinstance(df.columns, pd.MultiIndex):  # yf.download(..., multi_level_index=True)
        for level in range(df.columns.nlevels):
            if symbol in df.columns.get_level_values(level):
                df = df.xs(symbol, axis=1, level=level)
                break
        else:
            raise PayloadError(PROVIDER, symbol, "multi-ticker frame has no columns for this symbol")
    by_name = {_norm(c): c for c in df.columns}
    date_col = next((by_name[k] for k in ("date", "datetime") if k in by_name), None)
    stamps = df[date_col].tolist() if date_col is not None else list(df.index)
    missing = [name for key, name in (("open", "Open"), ("high", "High"), ("low", "Low"), ("close", "Close"),
                                      ("adjclose", "Adj Close"), ("volume", "Volume")) if key not in by_name]
    if missing:
        hint = " (call history with auto_adjust=False)" if "Adj Close" in missing else ""
        raise PayloadError(PROVIDER, symbol, f"frame lacks column(s) {missing}{hint}")

    sessions = [_to_session(symbol, v) for v in stamps]
    columns = {
        field: [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
                for v in df[by_name[key]].tolist()]
        for field, key in (("open", "open"), ("high", "high"), ("low", "low"), ("close", "close"),
                           ("adj_close", "adjclose"), ("volume", "volume"))
    }
    splits = []
    if "stocksplits" in by_name:
        for day, ratio in zip(sessions, df[by_name["stocksplits"]].tolist(), strict=True):
            if _is_number(ratio) and ratio not in (0, 1):
                splits.append((day, float(ratio)))
    return _bars(symbol, sessions, columns, splits, _currency(symbol, metadata))


def parse_info(symbol: str, info: Any) -> pl.DataFrame:
    """`Ticker.info` (or a v7 quote result) -> one UNIVERSE row; missing sector/industry stay null."""
    if not isinstance(info, Mapping):
        raise PayloadError(PROVIDER, symbol, f"info is {type(info).__name__}, not a mapping")
    name = info.get("longName") or info.get("shortName")
    if not name:  # what yfinance returns for a ticker Yahoo has no profile of; it does not say why
        raise NoData(PROVIDER, symbol, NO_DATA, "Ticker.info has no longName or shortName")
    shares = info.get("sharesOutstanding")
    return pl.DataFrame([{
        "symbol": symbol,
        "name": name,
        "sector": info.get("sector") or None,
        "industry": info.get("industry") or None,
        "shares_outstanding": int(shares) if _is_number(shares) else None,
    }], schema=UNIVERSE)


# --------------------------------------------------------------------------- network layer


class BarFetcher(Protocol):
    """Daily bars (VENDOR_BARS) and their splits and dividends for one Yahoo ticker over [start, end], symbol = the
    ticker; NoData when Yahoo has none for it."""

    def fetch(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame: ...

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame: ...


class ProfileFetcher(Protocol):
    """A ticker's company profile (`Ticker.info`): what a universe of given symbols is built from."""

    def info(self, ticker: str) -> Mapping[str, Any]: ...


class YfinanceFetcher:
    """Default transport. `ticker_factory` replaces `yfinance.Ticker` (tests pass recorded frames).

    yfinance lets through whatever its HTTP backend and JSON decoder raise; here every failure becomes one of
    lib/sources/http's errors: rate limits, dropped connections, timeouts and bodies that are not JSON (an HTML page,
    a body cut short) are retried and end as TransportError; Yahoo's "possibly delisted" answers are NoData."""

    def __init__(self, *, policy: RetryPolicy | None = None, repair: bool = True,
                 ticker_factory: Callable[[str], Any] | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self.repair = repair  # yfinance's price repair (bad splits, 100x units); needs scipy
        self._ticker_factory = ticker_factory

    def _ticker(self, ticker: str) -> Any:
        if self._ticker_factory is not None:
            return self._ticker_factory(ticker)
        import yfinance as yf

        # By default yfinance logs errors and returns an empty frame, which makes "rate limited" or
        # "connection reset" look like "no trading that day"; we want the exception so we can retry.
        yf.config.debug.hide_exceptions = False
        return yf.Ticker(ticker)

    def fetch(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        frame, metadata = self._history(ticker, start, end)
        return parse_history_frame(ticker, frame, metadata)

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """Splits and dividends from the same `history(actions=True)` call the bars come from."""
        frame, metadata = self._history(ticker, start, end)
        _check_daily(ticker, metadata)
        return parse_history_actions(ticker, frame)

    def _history(self, ticker: str, start: dt.date, end: dt.date) -> tuple[Any, Mapping[str, Any]]:
        """The history frame and the chart meta it came with; NoData when Yahoo has no bar for the ticker."""
        endpoint = f"yfinance Ticker({ticker!r}).history({start.isoformat()}..{end.isoformat()})"

        def call() -> tuple[Any, Mapping[str, Any]]:
            handle = self._ticker(ticker)
            # yfinance's `end` is exclusive.
            frame = handle.history(start=start.isoformat(), end=(end + dt.timedelta(days=1)).isoformat(),
                                   interval="1d", auto_adjust=False, actions=True, repair=self.repair)
            metadata = getattr(handle, "history_metadata", None)
            return frame, _as_asked(metadata if isinstance(metadata, Mapping) else {})

        frame, metadata = self._call(call, ticker, endpoint)
        if frame is None or len(frame) == 0:
            raise NoData(PROVIDER, ticker, NO_DATA_IN_RANGE, f"yfinance returned no bars for "
                         f"{start.isoformat()}..{end.isoformat()}", endpoint=endpoint)
        return frame, metadata

    def info(self, ticker: str) -> Mapping[str, Any]:
        endpoint = f"yfinance Ticker({ticker!r}).info"
        return self._call(lambda: self._ticker(ticker).info, ticker, endpoint)

    def _call(self, call: Callable[[], T], ticker: str, endpoint: str) -> T:
        """`call` through the retry policy, with whatever yfinance raises turned into a SourceError."""
        from yfinance import exceptions as yfe

        try:
            return retrying_call(lambda: _through_yfinance(call, ticker, endpoint), provider=PROVIDER,
                                 endpoint=endpoint, policy=self.policy, symbol=ticker)
        except yfe.YFTickerMissingError as exc:
            raise _missing(ticker, exc, endpoint) from None
        except SourceError:
            raise
        except Exception as exc:  # yfinance's own bugs and the backend's oddities: still named, still ours
            raise SourceError(PROVIDER, endpoint, redact(f"{type(exc).__name__}: {exc}"), symbol=ticker) from exc


class ChartApiFetcher:
    """Direct v8 chart GETs through `HttpClient`: no yfinance, no crumb, so no company profile (quoteSummary
    needs Yahoo's cookie and crumb): it is a BarFetcher only. Yahoo explains an unknown symbol or an empty range in
    the JSON body of a 404 or 400, which the parser reads."""

    def __init__(self, *, session: requests.Session | None = None, policy: RetryPolicy | None = None,
                 base_url: str = CHART_URL) -> None:
        self.client = HttpClient(PROVIDER, session=session if session is not None else new_session(),
                                 policy=policy, error_bodies=(400, 404), refused_hint=REFUSED_HINT)
        self._base = base_url if base_url.endswith("/") else base_url + "/"

    def fetch(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        return parse_chart(self._chart(ticker, start, end), symbol=ticker, asked=(start, end))

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """The chart's `events` (splits, dividends) over the range."""
        return parse_chart_actions(self._chart(ticker, start, end), symbol=ticker, asked=(start, end))

    def _chart(self, ticker: str, start: dt.date, end: dt.date) -> Any:
        params = {
            "interval": "1d",
            "period1": _utc_midnight(start),
            "period2": _utc_midnight(end + dt.timedelta(days=1)),
            "events": "div|split",
            "includePrePost": "false",
        }
        return self.client.get_json(self._base + quote(ticker, safe="=-."), params, symbol=ticker)


class YahooSource:
    """Yahoo prices for the symbols you are asked for (or give it); `fetcher` defaults to yfinance.

    A universe is served only of the `symbols` it is built with, from company profiles (`profiles`, yfinance's by
    default; pass one with a custom `fetcher`): Yahoo has no listing of one. Bars in
    the currency Yahoo states are carried (VENDOR_BARS), a chart without one refused; quotes carry it too."""

    name = "yahoo"
    datasets = frozenset({Dataset.UNIVERSE, Dataset.BARS, Dataset.CORPORATE_ACTIONS, Dataset.INDEX_QUOTES,
                          Dataset.ETF_QUOTES, Dataset.COMMODITY_QUOTES, Dataset.CRYPTO_QUOTES, Dataset.FX_QUOTES})
    synthetic = False
    disclaimer = None

    def __init__(self, symbols: Sequence[str] | None = None, *, fetcher: BarFetcher | None = None,
                 profiles: ProfileFetcher | None = None, lookback_days: int = 10) -> None:
        self._symbols = list(dict.fromkeys(validate_symbols(symbols, PROVIDER))) if symbols else None
        if fetcher is None:
            default = YfinanceFetcher()
            fetcher, profiles = default, profiles or default
        self.fetcher: BarFetcher = fetcher
        self.profiles = profiles
        self._lookback = dt.timedelta(days=lookback_days)
        if not (self._symbols and self.profiles is not None):
            self.datasets = type(self).datasets - {Dataset.UNIVERSE}

    def universe(self, session: dt.date) -> pl.DataFrame:
        """Profiles of the configured symbols (today's, whatever `session` says)."""
        if not self._symbols or self.profiles is None:
            raise ValueError("yahoo: no universe without symbols and a profile fetcher: Yahoo cannot list one; "
                             "build YahooSource(symbols=[...]) or take the universe from the fmp, csv or demo source")
        frames = [parse_info(s, self.profiles.info(SYMBOLS.to_vendor(s))) for s in self._symbols]
        return conform(pl.concat(frames), UNIVERSE).sort("symbol")

    def _chosen(self, symbols: Sequence[str] | None) -> list[str]:
        if symbols is None:
            if not self._symbols:
                raise ValueError("yahoo: no symbols given and none configured; Yahoo cannot list a universe")
            symbols = self._symbols
        return list(dict.fromkeys(validate_symbols(symbols, PROVIDER)))

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Each symbol's bars fetched under Yahoo's spelling (BRK-B) and filed under ours (BRK.B), in VENDOR_BARS:
        with the currency Yahoo prices them in (GBp for a London listing), which must be stated."""
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=DAILY_BARS)
        frames = []
        for s in self._chosen(symbols):
            bars = self.fetcher.fetch(SYMBOLS.to_vendor(s), wanted[0], wanted[-1])
            _require_currency(s, bars)
            frames.append(bars.with_columns(symbol=pl.lit(s, pl.String)))
        return keep_sessions(frames, wanted, VENDOR_BARS)

    def corporate_actions(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Splits and dividends with ex-dates among `sessions` (the chart's `events`, yfinance's actions)."""
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=CORPORATE_ACTIONS)
        frames = [
            self.fetcher.fetch_actions(SYMBOLS.to_vendor(s), wanted[0], wanted[-1])
            .with_columns(symbol=pl.lit(s, pl.String))
            for s in self._chosen(symbols)
        ]
        return keep_sessions(frames, wanted, CORPORATE_ACTIONS).sort("symbol", "session", "kind")

    def quotes(self, asset_class: str, sessions: Sequence[dt.date],
               symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """QUOTES for one asset class, in Yahoo's currency; fetches `lookback_days` more so the first change_pct
        is known."""
        chosen = SYMBOLS.instruments(asset_class, symbols)
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=QUOTES)
        frames = []
        for ours, ticker, name in chosen:
            bars = self.fetcher.fetch(ticker, wanted[0] - self._lookback, wanted[-1])
            if asset_class == "fx":
                bars = _in_pair_currency(ours, ticker, bars)
            frames.append(quotes_from_bars(bars.with_columns(symbol=pl.lit(ours, pl.String)), asset_class, name))
        return keep_sessions(frames, wanted, QUOTES)


# --------------------------------------------------------------------------- helpers


def _bars(symbol: str, sessions: list[dt.date], columns: dict[str, list],
          splits: list[tuple[dt.date, float]], currency: str | None) -> pl.DataFrame:
    """Shared tail of both parsers: drop empty rows, refuse intraday data and unapplied splits."""
    keep = [i for i in range(len(sessions)) if columns["close"][i] is not None]
    if sessions and not keep:
        raise NoData(PROVIDER, symbol, NO_DATA_IN_RANGE, f"all {len(sessions)} bars Yahoo served have no close")
    order = sorted(keep, key=lambda i: sessions[i])
    days = [sessions[i] for i in order]
    for a, b in zip(days, days[1:], strict=False):
        if a == b:
            raise PayloadError(PROVIDER, symbol, f"more than one bar on {a.isoformat()}: intraday data, "
                                                 "expected interval=1d")
    closes = [columns["close"][i] for i in order]
    _check_splits_applied(symbol, days, closes, splits)
    out = {"symbol": [symbol] * len(order), "session": days}
    for field in ("open", "high", "low", "close", "adj_close"):
        out[field] = [columns[field][i] for i in order]
    out["volume"] = [None if columns["volume"][i] is None else round(columns["volume"][i]) for i in order]
    out["currency"] = [currency] * len(order)
    return pl.DataFrame(out, schema=VENDOR_BARS)


def _check_daily(symbol: str, meta: Mapping[str, Any]) -> None:
    """Refuse a chart of another interval than one bar a day (meta.dataGranularity: 1wk, 1mo, 1m, 1h...): weekly
    bars would otherwise pass as daily ones, each filed under its first day."""
    interval = meta.get("dataGranularity")
    if interval is not None and interval != DAILY:
        raise PayloadError(PROVIDER, symbol, f"chart interval is {interval!r}, expected daily bars ({DAILY!r})")


def _timestamps(symbol: str, result: Mapping[str, Any], asked: tuple[dt.date, dt.date] | None) -> list:
    """The chart's timestamps; none is Yahoo's way of saying it knows the symbol but has no bar in the range."""
    stamps = result.get("timestamp")
    if stamps is None or stamps == []:
        span = f" {asked[0].isoformat()}..{asked[1].isoformat()}" if asked else ""
        raise NoData(PROVIDER, symbol, NO_DATA_IN_RANGE,
                     f"the chart has the symbol's meta but no timestamps: no bar in the range{span}")
    if not isinstance(stamps, list):
        raise PayloadError(PROVIDER, symbol, f"'timestamp' is {type(stamps).__name__}, not a list")
    return stamps


def _currency(symbol: str, meta: Mapping[str, Any]) -> str | None:
    """meta.currency as Yahoo spells it (USD, GBp for pence, JPY), null when the chart does not say."""
    currency = meta.get("currency")
    if currency is None:
        return None
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency):
        raise PayloadError(PROVIDER, symbol, f"meta.currency is {currency!r}, not a currency code")
    return currency


def _as_asked(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """yfinance's history_metadata, less an intraday interval: its price repair refetches finer bars on the same
    Ticker and leaves their meta behind. Intraday rows would still fail the one-bar-a-day check; a coarser interval
    (1wk, 1mo) cannot come from the repair and is checked."""
    interval = metadata.get("dataGranularity")
    if isinstance(interval, str) and interval[-1:] in ("m", "h") and not interval.endswith("mo"):
        return {k: v for k, v in metadata.items() if k != "dataGranularity"}
    return metadata


def _require_currency(symbol: str, bars: pl.DataFrame) -> None:
    """Bars whose currency Yahoo did not state are refused: stored without one they would pass for dollars."""
    if bars.height and ("currency" not in bars.columns or bars.get_column("currency").null_count()):
        raise PayloadError(PROVIDER, symbol, "the chart states no currency (meta.currency): refused rather than "
                                             "stored as if in dollars")


def _in_pair_currency(pair: str, ticker: str, bars: pl.DataFrame) -> pl.DataFrame:
    """A currency pair's rates, priced in the pair's quote currency (EURUSD=X in USD): Yahoo's meta.currency is
    checked against it (another one means another rate), and stated where Yahoo leaves it out."""
    expected = pair_quote_currency(pair)
    said = sorted(set(bars.get_column("currency").drop_nulls().to_list())) if "currency" in bars.columns else []
    if any(c != expected for c in said):
        raise PayloadError(PROVIDER, ticker, f"{pair} rates priced in {', '.join(said)}, not the pair's quote "
                                             f"currency {expected}")
    return bars.with_columns(currency=pl.lit(expected, pl.String))


def _check_splits_applied(symbol: str, days: list[dt.date], closes: list[float],
                          splits: list[tuple[dt.date, float]]) -> None:
    """A split of ratio r left unapplied shows as a close-to-close jump of about r near the split date.

    Yahoo sometimes dates the split a day or two after the price change (4063.T, March 2023), so the
    jump is searched from three sessions before the split row to one after it. Ratios near 1 are
    skipped: there an ordinary daily move could look like an unapplied split.
    """
    for when, ratio in splits:
        if ratio <= 0 or abs(math.log(ratio)) < math.log(1.5):
            continue
        lo, hi = sorted((ratio ** 0.75, ratio ** 1.25))
        at = next((i for i, d in enumerate(days) if d >= when), len(days))
        for j in range(max(1, at - 3), min(len(days), at + 2)):
            prev, cur = closes[j - 1], closes[j]
            if prev and cur and lo <= prev / cur <= hi:
                raise PayloadError(
                    PROVIDER, symbol,
                    f"split of ratio {ratio:g} on {when.isoformat()} is not applied to earlier prices: close "
                    f"{prev:g} on {days[j - 1].isoformat()} -> {cur:g} on {days[j].isoformat()} "
                    f"(x{prev / cur:.2f}); refetch with yfinance repair=True")


def _chart_result(payload: Any, symbol: str | None) -> Mapping[str, Any]:
    """`chart.result[0]` of a v8 chart JSON, refusing Yahoo's error object and an answer for another symbol."""
    label = symbol or "chart"
    chart = payload.get("chart") if isinstance(payload, Mapping) else None
    if not isinstance(chart, Mapping):
        raise PayloadError(PROVIDER, label, "no 'chart' object")
    error = chart.get("error")
    if error:
        desc = error.get("description") if isinstance(error, Mapping) else error
        code = error.get("code") if isinstance(error, Mapping) else None
        said = f"Yahoo error {code}: {desc}"
        reason = _no_data_reason(str(desc))
        if reason is not None:
            raise NoData(PROVIDER, label, reason, said)
        raise PayloadError(PROVIDER, label, said)
    results = chart.get("result")
    if not isinstance(results, list) or not results or not isinstance(results[0], Mapping):
        raise PayloadError(PROVIDER, label, "empty 'chart.result'")
    result = results[0]
    meta = result.get("meta") if isinstance(result.get("meta"), Mapping) else {}
    served = meta.get("symbol")
    if symbol and served and served != symbol:
        raise PayloadError(PROVIDER, symbol, f"Yahoo answered for {served!r}")
    return result


def _series(symbol: str, values: Any, path: str, n: int) -> list:
    if not isinstance(values, list):
        raise PayloadError(PROVIDER, symbol, f"no '{path}'")
    if len(values) != n:
        raise PayloadError(PROVIDER, symbol, f"'{path}' has {len(values)} values for {n} timestamps")
    out = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
        elif _is_number(v):
            out.append(float(v))
        else:
            raise PayloadError(PROVIDER, symbol, f"'{path}'[{i}] is {v!r}")
    return out


def _chart_timezone(meta: Mapping[str, Any]) -> dt.tzinfo:
    name = meta.get("exchangeTimezoneName")
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    offset = meta.get("gmtoffset")
    return dt.timezone(dt.timedelta(seconds=offset)) if _is_number(offset) else dt.UTC


def _to_session(symbol: str, value: Any) -> dt.date:
    import pandas as pd

    if isinstance(value, dt.datetime):  # pd.Timestamp too; tz-aware stamps are already exchange-local
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return pd.Timestamp(value).date()
        except ValueError:
            pass
    raise PayloadError(PROVIDER, symbol, f"cannot read a date from index value {value!r}")


def _norm(name: Any) -> str:
    return "".join(ch for ch in str(name).lower() if ch.isalnum())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _utc_midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _no_data_reason(said: str) -> str | None:
    """Why Yahoo has nothing, from its words (the chart error's description, yfinance's Yahoo reason): "No data
    found, symbol may be delisted" for a symbol it does not know or no longer lists; "Data doesn't exist for
    startDate = ..., endDate = ..." for a range outside a known symbol's history."""
    text = said.lower()
    if "delisted" in text or "no data found" in text:
        return UNKNOWN_OR_DELISTED
    if "data doesn't exist" in text or "data does not exist" in text:
        return NO_DATA_IN_RANGE
    return None


def _missing(ticker: str, exc: Any, endpoint: str) -> NoData:
    """yfinance's "ticker missing" errors as NoData: no timezone means Yahoo has no meta for the ticker at all
    (unknown or delisted); missing prices are an empty range unless Yahoo's own reason says otherwise."""
    from yfinance import exceptions as yfe

    said = f"yfinance {type(exc).__name__}: {exc}"
    if isinstance(exc, yfe.YFTzMissingError):
        return NoData(PROVIDER, ticker, UNKNOWN_OR_DELISTED, said, endpoint=endpoint)
    yahoo_reason = getattr(exc, "yahoo_reason", None)
    reason = _no_data_reason(yahoo_reason) if yahoo_reason else None
    return NoData(PROVIDER, ticker, reason or NO_DATA_IN_RANGE, said, endpoint=endpoint)


def _through_yfinance(call: Callable[[], T], ticker: str, endpoint: str) -> T:
    """Run a yfinance call, turning what is worth another try into TransientError: rate limits, Yahoo's "down"
    page, dropped connections and timeouts of either HTTP backend, a body that is not JSON (yfinance decodes an HTML
    page or a truncated body and lets the JSONDecodeError out), HTTP 429 and 5xx. An HTTP error of another status is
    a SourceError at once (404: NoData), with Yahoo's 401/403 explained: it has no API key to check."""
    from yfinance import exceptions as yfe

    try:
        return call()
    except yfe.YFRateLimitError as exc:
        raise TransientError(f"YFRateLimitError: {exc}", 429) from None
    except yfe.YFDataException as exc:
        if "CURRENTLY DOWN" in str(exc):
            raise TransientError(f"YFDataException: {exc}") from None
        raise
    except json.JSONDecodeError as exc:
        raise TransientError(f"Yahoo's answer is not JSON (an HTML page or a truncated body): "
                             f"{type(exc).__name__}: {exc}") from None
    except _http_errors() as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status is None or status == 429 or status >= 500:  # curl's IncompleteRead has no response
            raise TransientError(f"{type(exc).__name__}: {exc}", status) from None
        said = redact(f"HTTP {status}: {type(exc).__name__}: {exc}")
        if status == 404:
            raise NoData(PROVIDER, ticker, UNKNOWN_OR_DELISTED, said, endpoint=endpoint, status=status) from None
        hint = f" ({REFUSED_HINT})" if status in (401, 403) else ""
        raise SourceError(PROVIDER, endpoint, f"{said}{hint}", status=status, symbol=ticker) from None
    except _transport_errors() as exc:
        raise TransientError(f"{type(exc).__name__}: {exc}") from None


def _http_errors() -> tuple[type[BaseException], ...]:
    """HTTPError of both of yfinance's backends (curl_cffi by default, requests as its fallback)."""
    errors: tuple[type[BaseException], ...] = (requests.HTTPError,)
    try:
        from curl_cffi.requests import exceptions as cce
    except ImportError:
        return errors
    return (*errors, cce.HTTPError)


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Dropped connections, timeouts and bodies cut short, of both of yfinance's backends."""
    try:
        from curl_cffi.requests import exceptions as cce
    except ImportError:
        return TRANSPORT_ERRORS
    return (*TRANSPORT_ERRORS, cce.ConnectionError, cce.Timeout, cce.ChunkedEncodingError, cce.ContentDecodingError)
