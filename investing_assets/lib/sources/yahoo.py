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
and indicator computed downstream.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl
import requests

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.schemas import (
    CORPORATE_ACTIONS,
    DAILY_BARS,
    QUOTES,
    UNIVERSE,
    conform,
    keep_sessions,
    quotes_from_bars,
)
from investing_assets.lib.sources.http import (
    HttpClient,
    PayloadError,
    RetryPolicy,
    SourceError,
    new_session,
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

PROVIDER = "yahoo"
CHART_URL = "https://query2.finance.yahoo.com/v8/finance/chart/"

SYMBOLS = VendorSymbols(PROVIDER)  # our symbol <-> Yahoo's ticker (BRK.B <-> BRK-B, SPX <-> ^GSPC)


# --------------------------------------------------------------------------- parse functions (pure)


def parse_chart(payload: Any, symbol: str | None = None) -> pl.DataFrame:
    """Yahoo v8 chart JSON (interval=1d) -> DAILY_BARS.

    Sessions are exchange-local dates (via meta.exchangeTimezoneName, DST-aware), so a 09:30 New York
    bar and a 00:00 UTC crypto bar both land on their own trading day. No timestamps (a weekend or
    holiday range) is an empty frame, not an error.
    """
    result = _chart_result(payload, symbol)
    meta = result.get("meta") if isinstance(result.get("meta"), Mapping) else {}
    symbol = symbol or meta.get("symbol") or "chart"

    stamps = result.get("timestamp") or []
    if not stamps:
        return pl.DataFrame(schema=DAILY_BARS)
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
    return _bars(symbol, sessions, columns, splits)


def parse_chart_actions(payload: Any, symbol: str | None = None) -> pl.DataFrame:
    """The `events` of a v8 chart JSON (events=div|split) -> CORPORATE_ACTIONS, on exchange-local ex-dates.

    A split's ratio is numerator / denominator (4:1 -> 4.0); a dividend's amount is Yahoo's `amount` (per share,
    in the split-adjusted units Yahoo serves its prices in). No events is an empty frame."""
    result = _chart_result(payload, symbol)
    symbol = symbol or result.get("meta", {}).get("symbol") or "chart"
    tz = _chart_timezone(result.get("meta") if isinstance(result.get("meta"), Mapping) else {})
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


def parse_history_frame(symbol: str, df: Any) -> pl.DataFrame:
    """`Ticker.history(interval="1d", auto_adjust=False)` / `yf.download` frame -> DAILY_BARS.

    Needs the 'Adj Close' column: with auto_adjust=True Yahoo's OHLC are already dividend-adjusted
    and there is no separate adjusted close to keep, so we refuse instead of mislabelling prices.
    """
    import pandas as pd

    if df is None or len(df) == 0:
        return pl.DataFrame(schema=DAILY_BARS)
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
    return _bars(symbol, sessions, columns, splits)


def parse_info(symbol: str, info: Any) -> pl.DataFrame:
    """`Ticker.info` (or a v7 quote result) -> one UNIVERSE row; missing sector/industry stay null."""
    if not isinstance(info, Mapping):
        raise PayloadError(PROVIDER, symbol, f"info is {type(info).__name__}, not a mapping")
    name = info.get("longName") or info.get("shortName")
    if not name:
        raise PayloadError(PROVIDER, symbol, "info has no longName/shortName (unknown or delisted symbol?)")
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
    """Daily bars and their splits and dividends for one Yahoo ticker over [start, end], symbol = the ticker."""

    def fetch(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame: ...

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame: ...


class ProfileFetcher(Protocol):
    """A ticker's company profile (`Ticker.info`): what a universe of given symbols is built from."""

    def info(self, ticker: str) -> Mapping[str, Any]: ...


class YfinanceFetcher:
    """Default transport. `ticker_factory` replaces `yfinance.Ticker` (tests pass recorded frames)."""

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
        return parse_history_frame(ticker, self._history(ticker, start, end))

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """Splits and dividends from the same `history(actions=True)` call the bars come from."""
        return parse_history_actions(ticker, self._history(ticker, start, end))

    def _history(self, ticker: str, start: dt.date, end: dt.date) -> Any:
        from yfinance import exceptions as yfe

        endpoint = f"yfinance Ticker({ticker!r}).history({start.isoformat()}..{end.isoformat()})"

        def call() -> Any:
            try:
                # yfinance's `end` is exclusive.
                return self._ticker(ticker).history(
                    start=start.isoformat(), end=(end + dt.timedelta(days=1)).isoformat(), interval="1d",
                    auto_adjust=False, actions=True, repair=self.repair)
            except yfe.YFPricesMissingError:
                return None  # no bars in the range (weekend, holiday): not a failure

        try:
            return retrying_call(call, provider=PROVIDER, endpoint=endpoint, policy=self.policy,
                                 transient=_yfinance_transient)
        except yfe.YFException as exc:
            raise SourceError(PROVIDER, endpoint, f"{type(exc).__name__}: {exc}") from exc

    def info(self, ticker: str) -> Mapping[str, Any]:
        from yfinance import exceptions as yfe

        endpoint = f"yfinance Ticker({ticker!r}).info"
        try:
            return retrying_call(lambda: self._ticker(ticker).info, provider=PROVIDER, endpoint=endpoint,
                                 policy=self.policy, transient=_yfinance_transient)
        except yfe.YFException as exc:
            raise SourceError(PROVIDER, endpoint, f"{type(exc).__name__}: {exc}") from exc


class ChartApiFetcher:
    """Direct v8 chart GETs through `HttpClient`: no yfinance, no crumb, so no company profile (quoteSummary
    needs Yahoo's cookie and crumb): it is a BarFetcher only."""

    def __init__(self, *, session: requests.Session | None = None, policy: RetryPolicy | None = None,
                 base_url: str = CHART_URL) -> None:
        self.client = HttpClient(PROVIDER, session=session if session is not None else new_session(),
                                 policy=policy)
        self._base = base_url if base_url.endswith("/") else base_url + "/"

    def fetch(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        return parse_chart(self._chart(ticker, start, end), symbol=ticker)

    def fetch_actions(self, ticker: str, start: dt.date, end: dt.date) -> pl.DataFrame:
        """The chart's `events` (splits, dividends) over the range."""
        return parse_chart_actions(self._chart(ticker, start, end), symbol=ticker)

    def _chart(self, ticker: str, start: dt.date, end: dt.date) -> Any:
        params = {
            "interval": "1d",
            "period1": _utc_midnight(start),
            "period2": _utc_midnight(end + dt.timedelta(days=1)),
            "events": "div|split",
            "includePrePost": "false",
        }
        return self.client.get_json(self._base + quote(ticker, safe="=-."), params)


class YahooSource:
    """Yahoo prices for the symbols you are asked for (or give it); `fetcher` defaults to yfinance.

    A universe is served only of the `symbols` it is built with, from company profiles (`profiles`, yfinance's by
    default; pass one with a custom `fetcher`): Yahoo has no listing of one."""

    name = "yahoo"
    datasets = frozenset({Dataset.UNIVERSE, Dataset.BARS, Dataset.CORPORATE_ACTIONS, Dataset.INDEX_QUOTES,
                          Dataset.ETF_QUOTES, Dataset.COMMODITY_QUOTES, Dataset.CRYPTO_QUOTES})
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
        """Each symbol's bars fetched under Yahoo's spelling (BRK-B) and filed under ours (BRK.B)."""
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=DAILY_BARS)
        frames = [
            self.fetcher.fetch(SYMBOLS.to_vendor(s), wanted[0], wanted[-1]).with_columns(symbol=pl.lit(s, pl.String))
            for s in self._chosen(symbols)
        ]
        return keep_sessions(frames, wanted, DAILY_BARS)

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
        """QUOTES for one asset class; fetches `lookback_days` more so the first change_pct is known."""
        chosen = SYMBOLS.instruments(asset_class, symbols)
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=QUOTES)
        frames = []
        for ours, ticker, name in chosen:
            bars = self.fetcher.fetch(ticker, wanted[0] - self._lookback, wanted[-1])
            frames.append(quotes_from_bars(bars.with_columns(symbol=pl.lit(ours, pl.String)), asset_class, name))
        return keep_sessions(frames, wanted, QUOTES)


# --------------------------------------------------------------------------- helpers


def _bars(symbol: str, sessions: list[dt.date], columns: dict[str, list],
          splits: list[tuple[dt.date, float]]) -> pl.DataFrame:
    """Shared tail of both parsers: drop empty rows, refuse intraday data and unapplied splits."""
    keep = [i for i in range(len(sessions)) if columns["close"][i] is not None]
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
    return pl.DataFrame(out, schema=DAILY_BARS)


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
        raise PayloadError(PROVIDER, label, f"Yahoo error {code}: {desc}")
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


def _yfinance_transient(exc: BaseException) -> bool:
    """Rate limits and network drops are worth another try; a missing ticker is not."""
    from yfinance import exceptions as yfe

    if isinstance(exc, yfe.YFRateLimitError | requests.ConnectionError | requests.Timeout):
        return True
    if isinstance(exc, yfe.YFDataException) and "CURRENTLY DOWN" in str(exc):
        return True
    try:  # yfinance's default backend raises curl_cffi's own exception classes
        from curl_cffi.requests import exceptions as cce
    except ImportError:
        return False
    return isinstance(exc, cce.ConnectionError | cce.Timeout)
