"""Financial Modeling Prep (stable API) as a market-data source.

Two layers, so parsing can be tested on recorded responses without a network:
- `FmpSource` builds `https://financialmodelingprep.com/stable/...` URLs and GETs them through
  `HttpClient` (retries, redaction, FMP's "200 with an error body" detection);
- the `parse_*` functions turn FMP's JSON into the frames of `schemas.py` and refuse malformed rows.

FMP-specific choices, in one place:
- Index membership comes from `sp500-constituent`, `nasdaq-constituent` and `dowjones-constituent`.
  Those lists carry no weights, so weights are the tracking ETF's holdings (SPY, QQQ, DIA from
  `etf/holdings`) renormalised over the members. Both are today's lists, not point-in-time: the
  `session` argument cannot select a historical membership on this API.
- `historical-price-eod/full` is split-adjusted OHLCV without an adjusted close; `adj_close` comes from
  `historical-price-eod/dividend-adjusted` (one extra call per symbol, `adjusted=False` skips it and
  leaves `adj_close` null rather than copying `close`).
- FMP's `changePercent` on EOD rows is close over *open*; our `change_pct` is close over the previous
  close, so quotes fetch a few days of lookback and compute it.
- `etf/holdings` is today's list too, dated by its `updatedAt` (kept as `as_of`); `weightPercentage` is in percent
  and becomes a fraction; cash and other lines without a ticker (a blank `asset`) are kept with a null symbol,
  since they are part of what the fund holds and of what its weights sum to.
- `analyst-estimates` serves only today's consensus, not what analysts expected on an earlier day:
  `analyst_estimates` takes `session` for symmetry with the other sources and cannot honour it.
  A range whose low, average and high are all exactly 0 is FMP's placeholder for "no estimate"
  (recorded for MSFT's 2030 EPS, with six analysts counted) and becomes null, not a forecast of zero.
- FMP answers `[]` for an unknown or delisted symbol and for a range without trading alike: bars and quotes turn it
  into NoData for the symbol, the reason left open. "Limit Reach" (the plan's quota, in a 429 or a 200 error body)
  is QuotaExhausted at once, never retried; a 429 without it is a rate limit, retried after its Retry-After. The EOD
  rows name no currency: a currency pair's quotes are in its quote currency (EURUSD: USD), other quotes carry none,
  and bars are the dollars of FMP's US index members. `analyst-estimates` answering `[]` is NoData too.
- The legacy v3 shape of the EOD rows, {"symbol": ..., "historical": [...]} (with its own adjClose), is read as the
  stable list is, and its `{}` for an unknown symbol is NoData.
- `news/stock`'s `publishedDate` is New York wall-clock time without an offset; `published_at` is
  that moment in UTC. Symbols go 50 to a request, and pages are read until a short one (or
  `max_pages`, which logs a warning because older articles of the window may then be missing).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import polars as pl
import requests

from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.instruments import INSTRUMENTS, pair_quote_currency
from investing_assets.lib.core.schemas import (
    ANALYST_ESTIMATES,
    CORPORATE_ACTIONS,
    DAILY_BARS,
    ETF_HOLDINGS,
    ETF_HOLDINGS_BY_SESSION,
    INDEX_CONSTITUENTS,
    NEWS_ARTICLES,
    QUOTES,
    UNIVERSE,
    conform,
    keep_sessions,
    quotes_from_bars,
)
from investing_assets.lib.core.symbols import is_ticker
from investing_assets.lib.sources.http import (
    NO_DATA,
    HttpClient,
    NoData,
    PayloadError,
    RetryPolicy,
    validate_symbols,
)
from investing_assets.lib.sources.vendor_symbols import VendorSymbols

__all__ = [
    "BASE_URL",
    "CONSTITUENT_ENDPOINTS",
    "ESTIMATE_PERIODS",
    "INDEX_TRACKING_ETF",
    "NEWS_SYMBOLS_PER_REQUEST",
    "NEWS_TIMEZONE",
    "SYMBOLS",
    "FmpSource",
    "fmp_error_message",
    "fmp_quota_exhausted",
    "parse_analyst_estimates",
    "parse_constituents",
    "parse_dividends",
    "parse_etf_holdings",
    "parse_historical_eod",
    "parse_news",
    "parse_quotes",
    "parse_splits",
    "parse_universe",
]

log = logging.getLogger(__name__)

PROVIDER = "fmp"
BASE_URL = "https://financialmodelingprep.com/stable"

CONSTITUENT_ENDPOINTS = {"SPX": "sp500-constituent", "NDX": "nasdaq-constituent", "DJI": "dowjones-constituent"}
INDEX_TRACKING_ETF = {"SPX": "SPY", "NDX": "QQQ", "DJI": "DIA"}

ESTIMATE_PERIODS = ("annual", "quarter")
NEWS_SYMBOLS_PER_REQUEST = 50
NEWS_TIMEZONE = calendar.NEW_YORK  # FMP's publishedDate carries no offset

# Our ANALYST_ESTIMATES column -> FMP field.
_ESTIMATE_FIELDS = {
    "revenue_low": "revenueLow", "revenue_avg": "revenueAvg", "revenue_high": "revenueHigh",
    "ebitda_avg": "ebitdaAvg", "net_income_avg": "netIncomeAvg",
    "eps_low": "epsLow", "eps_avg": "epsAvg", "eps_high": "epsHigh",
}
_ANALYST_COUNTS = {"analysts_revenue": "numAnalystsRevenue", "analysts_eps": "numAnalystsEps"}
# FMP field stem (stemLow/stemAvg/stemHigh) -> our column prefix.
_ESTIMATE_RANGES = {"revenue": "revenue", "ebitda": "ebitda", "netIncome": "net_income", "eps": "eps"}

SYMBOLS = VendorSymbols(PROVIDER)  # our symbol <-> FMP's (BRK.B <-> BRK-B, SPX <-> ^GSPC, BTC-USD <-> BTCUSD)


def fmp_error_message(payload: Any) -> str | None:
    """FMP sometimes answers 200 with {"Error Message": ...}; every endpoint we call returns a list."""
    if isinstance(payload, dict):
        for key in ("Error Message", "error", "message"):
            if payload.get(key):
                return str(payload[key])
    return None


def fmp_quota_exhausted(text: str) -> bool:
    """FMP's words for a used-up plan quota ("Limit Reach . Please upgrade your plan ..."), in a 429 or a 200
    error body: retrying cannot help before the quota resets."""
    return "limit reach" in text.lower()


# --------------------------------------------------------------------------- parse functions (pure)


def parse_historical_eod(symbol: str, payload: Any, *, adjusted: Any = None,
                         provider_symbol: str | None = None) -> pl.DataFrame:
    """`historical-price-eod/full` rows (+ optional `dividend-adjusted` rows) -> DAILY_BARS for `symbol`.

    `provider_symbol` is what FMP echoes in each row (BTCUSD for our BTC-USD); a row for another
    symbol means we were served someone else's data, which is an error, not a filter.
    """
    expected = provider_symbol or symbol
    rows = _list_of_dicts(symbol, _unwrap_legacy(symbol, expected, payload), "historical-price-eod/full")
    adj_close: dict[dt.date, float] = {}
    if adjusted is not None:
        for i, row in enumerate(_list_of_dicts(symbol, _unwrap_legacy(symbol, expected, adjusted),
                                               "historical-price-eod/dividend-adjusted")):
            day = _date(symbol, row, i)
            adj_close[day] = _number(symbol, row, "adjClose", i, day)
    elif isinstance(payload, Mapping):  # the legacy rows carry their own adjusted close
        for i, row in enumerate(rows):
            if "adjClose" in row:
                day = _date(symbol, row, i)
                adj_close[day] = _number(symbol, row, "adjClose", i, day)

    out: dict[str, list] = {c: [] for c in DAILY_BARS}
    seen: set[dt.date] = set()
    for i, row in enumerate(rows):
        if "symbol" in row and row["symbol"] != expected:
            raise PayloadError(PROVIDER, symbol, f"row {i} is for {row['symbol']!r}, expected {expected!r}")
        day = _date(symbol, row, i)
        if day in seen:
            raise PayloadError(PROVIDER, symbol, f"two rows for {day.isoformat()}")
        seen.add(day)
        out["symbol"].append(symbol)
        out["session"].append(day)
        for field in ("open", "high", "low", "close"):
            out[field].append(_number(symbol, row, field, i, day))
        out["adj_close"].append(adj_close.get(day))
        out["volume"].append(round(_number(symbol, row, "volume", i, day)))
    return pl.DataFrame(out, schema=DAILY_BARS).sort("session")


def _unwrap_legacy(symbol: str, expected: str, payload: Any) -> Any:
    """The rows of the legacy v3 shape {"symbol": ..., "historical": [...]} (what `api/v3/historical-price-full`
    served, and what a proxy in front of the legacy API still serves); the stable list passes as it is. A wrapper
    for another symbol is someone else's prices."""
    if not (isinstance(payload, Mapping) and "historical" in payload):
        return payload
    served = payload.get("symbol")
    if served is not None and served != expected:
        raise PayloadError(PROVIDER, symbol, f"legacy body is for {served!r}, expected {expected!r}")
    return payload["historical"]


def _is_empty_answer(payload: Any) -> bool:
    """FMP's answers for a symbol it has nothing for: the stable `[]`, the legacy `{}` or a legacy wrapper with no
    rows."""
    return payload == [] or payload == {} or (isinstance(payload, Mapping) and set(payload) <= {"symbol", "historical"}
                                             and payload.get("historical") == [])


def parse_splits(symbol: str, payload: Any, *, provider_symbol: str | None = None) -> pl.DataFrame:
    """`splits?symbol=` rows ({date, numerator, denominator}) -> CORPORATE_ACTIONS; ratio = numerator /
    denominator (4:1 -> 4.0). `provider_symbol`: what FMP echoes in each row (BRK-B for our BRK.B)."""
    rows = []
    for i, row in enumerate(_list_of_dicts(symbol, payload, "splits")):
        if "symbol" in row and row["symbol"] != (provider_symbol or symbol):
            raise PayloadError(PROVIDER, symbol, f"split {i} is for {row['symbol']!r}")
        day = _date(symbol, row, i, "split")
        num, den = _number(symbol, row, "numerator", i, day), _number(symbol, row, "denominator", i, day)
        if num <= 0 or den <= 0:
            raise PayloadError(PROVIDER, symbol, f"split {i} ({day.isoformat()}) has ratio {num:g}/{den:g}")
        rows.append({"symbol": symbol, "session": day, "kind": "split", "ratio": num / den, "amount": None})
    return pl.DataFrame(rows, schema=CORPORATE_ACTIONS).sort("session")


def parse_dividends(symbol: str, payload: Any, *, provider_symbol: str | None = None) -> pl.DataFrame:
    """`dividends?symbol=` rows ({date (the ex-date), adjDividend, dividend, ...}) -> CORPORATE_ACTIONS.

    The amount is `adjDividend` (split-adjusted, in the units FMP's split-adjusted OHLC are in), else `dividend`."""
    rows = []
    for i, row in enumerate(_list_of_dicts(symbol, payload, "dividends")):
        if "symbol" in row and row["symbol"] != (provider_symbol or symbol):
            raise PayloadError(PROVIDER, symbol, f"dividend {i} is for {row['symbol']!r}")
        day = _date(symbol, row, i, "dividend")
        field = "adjDividend" if _is_number(row.get("adjDividend")) else "dividend"
        amount = _number(symbol, row, field, i, day)
        if amount > 0:  # FMP lists declared-but-zero rows now and then: no cash, no action
            rows.append({"symbol": symbol, "session": day, "kind": "dividend", "ratio": None, "amount": amount})
    return pl.DataFrame(rows, schema=CORPORATE_ACTIONS).sort("session")


def parse_quotes(asset_class: str, symbol: str, name: str, payload: Any, *,
                 provider_symbol: str | None = None) -> pl.DataFrame:
    """EOD rows -> QUOTES; change_pct is close over the previous row's close (first row: null). FMP's rows name no
    currency: a currency pair's is its quote currency (EURUSD: USD), the other classes' stays null (not said)."""
    bars = parse_historical_eod(symbol, payload, provider_symbol=provider_symbol)
    currency = pair_quote_currency(symbol) if asset_class == "fx" else None
    return quotes_from_bars(bars.with_columns(currency=pl.lit(currency, pl.String)), asset_class, name)


def parse_universe(member_lists: Mapping[str, Any]) -> pl.DataFrame:
    """Constituent lists keyed by index code -> UNIVERSE (first listing of a symbol wins).

    FMP's lists carry name, sector and subSector but no share count, so shares_outstanding is null.
    """
    seen: dict[str, dict[str, Any]] = {}
    for index_code, payload in member_lists.items():
        for i, row in enumerate(_list_of_dicts(f"{index_code} constituents", payload, "constituent list")):
            sym = _member_symbol(index_code, row, i)
            seen.setdefault(sym, {
                "symbol": sym,
                "name": row.get("name") or None,
                "sector": row.get("sector") or None,
                "industry": row.get("subSector") or None,
                "shares_outstanding": None,
            })
    rows = sorted(seen.values(), key=lambda r: r["symbol"])
    return pl.DataFrame(rows, schema=UNIVERSE) if rows else pl.DataFrame(schema=UNIVERSE)


def parse_constituents(index_code: str, members: Any, holdings: Any) -> pl.DataFrame:
    """Constituent list + tracking-ETF holdings -> INDEX_CONSTITUENTS with weights summing to 1.

    Members the ETF does not hold are an error: inventing a weight for them (or silently dropping
    them) would misstate the index, and a mismatch usually means one of the two lists is stale.
    """
    label = f"{index_code} constituents"
    member_syms: list[str] = []
    for i, row in enumerate(_list_of_dicts(label, members, "constituent list")):
        sym = _member_symbol(index_code, row, i)
        if sym not in member_syms:
            member_syms.append(sym)
    if not member_syms:
        raise PayloadError(PROVIDER, label, "constituent list is empty")

    weights: dict[str, float] = {}
    for i, row in enumerate(_list_of_dicts(label, holdings, "etf/holdings")):
        asset = row.get("asset")
        if not isinstance(asset, str) or not asset.strip():
            continue  # cash and other non-security lines have a blank asset
        if "weightPercentage" not in row:
            raise PayloadError(PROVIDER, label, f"holding {i} ({asset.strip()}) lacks 'weightPercentage'")
        weight = row["weightPercentage"]
        if not _is_number(weight) or weight < 0:
            raise PayloadError(PROVIDER, label, f"holding {i} ({asset.strip()}) has weightPercentage {weight!r}")
        key = _join_key(asset)
        weights[key] = weights.get(key, 0.0) + float(weight)

    missing = [s for s in member_syms if _join_key(s) not in weights]
    if missing:
        etf = INDEX_TRACKING_ETF.get(index_code, "the ETF")
        raise PayloadError(PROVIDER, label, f"{len(missing)} member(s) not in {etf} holdings, cannot weight "
                                            f"them: {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}")
    total = sum(weights[_join_key(s)] for s in member_syms)
    if total <= 0:
        raise PayloadError(PROVIDER, label, "holdings weights of the members sum to zero")
    return pl.DataFrame(
        {"index_code": [index_code] * len(member_syms), "symbol": member_syms,
         "weight": [weights[_join_key(s)] / total for s in member_syms]},
        schema=INDEX_CONSTITUENTS,
    ).sort("symbol")


def parse_etf_holdings(etf: str, payload: Any, *, provider_symbol: str | None = None) -> pl.DataFrame:
    """`etf/holdings` rows -> ETF_HOLDINGS of `etf`, weights as fractions, by weight descending.

    A line is a ticker (in our spelling) or, with a blank `asset`, a line without one (cash) known by its name; a
    line listed twice is summed. An empty list is an error: FMP answers `[]` for a symbol it has no fund for."""
    label = f"{etf} holdings"
    lines: dict[tuple[str | None, str | None], dict[str, Any]] = {}
    for i, row in enumerate(_list_of_dicts(label, payload, "etf/holdings")):
        if "symbol" in row and row["symbol"] != (provider_symbol or etf):
            raise PayloadError(PROVIDER, label, f"holding {i} is of fund {row['symbol']!r}")
        asset, name = row.get("asset"), row.get("name")
        if not isinstance(asset, str | None) or not isinstance(name, str | None):
            raise PayloadError(PROVIDER, label, f"holding {i} has asset {asset!r} and name {name!r}, not text")
        asset, name = (asset or "").strip() or None, (name or "").strip() or None
        if asset is not None and not is_ticker(SYMBOLS.to_ours(asset)):
            raise PayloadError(PROVIDER, label, f"holding {i} has asset {asset!r}, not a ticker")
        if asset is None and name is None:
            raise PayloadError(PROVIDER, label, f"holding {i} has neither an asset nor a name")
        what = f"holding {i} ({asset or name})"
        weight = row.get("weightPercentage")
        if not _is_number(weight) or weight < 0:
            raise PayloadError(PROVIDER, label, f"{what} has weightPercentage {weight!r}")
        amounts = {}
        for column, field in (("shares", "sharesNumber"), ("market_value", "marketValue")):
            value = row.get(field)
            if value is not None and (not _is_number(value) or value < 0):
                raise PayloadError(PROVIDER, label, f"{what} has {field} {value!r}")
            amounts[column] = None if value is None else float(value)
        line = {"name": name, "weight": weight / 100.0, **amounts,
                "as_of": _updated_on(label, what, row.get("updatedAt"))}
        key = (SYMBOLS.to_ours(asset) if asset else None, None if asset else name)
        lines[key] = _merged_holding(lines[key], line) if key in lines else line
    if not lines:
        raise PayloadError(PROVIDER, label, "etf/holdings answered no holdings: not a fund FMP covers, or an "
                                            "unknown symbol")
    rows = [{"etf": etf, "symbol": symbol, **line} for (symbol, _), line in lines.items()]
    return pl.DataFrame(rows, schema=ETF_HOLDINGS).sort(["weight", "symbol"], descending=[True, False],
                                                         nulls_last=True)


def _updated_on(label: str, what: str, value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        if isinstance(value, str) and _ISO_DAY.match(value):
            return dt.date.fromisoformat(value[:10])
    except ValueError:
        pass
    raise PayloadError(PROVIDER, label, f"{what} has updatedAt {value!r}, not a date")


def _merged_holding(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """One holding listed twice: weights and amounts add up (an amount unknown on either line stays unknown)."""
    dates = [d for d in (first["as_of"], second["as_of"]) if d is not None]
    return {"name": first["name"], "weight": first["weight"] + second["weight"],
            **{c: None if first[c] is None or second[c] is None else first[c] + second[c]
               for c in ("shares", "market_value")},
            "as_of": max(dates) if dates else None}


def parse_analyst_estimates(payload: Any, period: str = "annual", *, symbol: str | None = None) -> pl.DataFrame:
    """`analyst-estimates` rows -> ANALYST_ESTIMATES; FMP does not echo the period, so it is the one asked.

    With `symbol`, rows for another symbol are refused: they would be someone else's forecasts.
    """
    label = symbol or "analyst estimates"
    out: dict[str, list] = {c: [] for c in ANALYST_ESTIMATES}
    seen: set[tuple[str, dt.date]] = set()
    for i, row in enumerate(_list_of_dicts(label, payload, "analyst-estimates")):
        row_symbol = row.get("symbol")
        if not isinstance(row_symbol, str) or not row_symbol.strip():
            raise PayloadError(PROVIDER, label, f"{period} estimate row {i} has no 'symbol'")
        row_symbol = row_symbol.strip().upper()
        if symbol is not None and row_symbol != symbol:
            raise PayloadError(PROVIDER, label, f"{period} estimate row {i} is for {row_symbol!r}, expected {symbol!r}")
        period_end = _date(row_symbol, row, i, what=f"{period} estimate row")
        if (row_symbol, period_end) in seen:
            raise PayloadError(PROVIDER, row_symbol, f"two {period} estimates for {period_end.isoformat()}")
        seen.add((row_symbol, period_end))
        where = f"{period} estimate for {period_end.isoformat()}"
        values: dict[str, Any] = {col: _optional_number(row_symbol, row, field, where)
                                  for col, field in _ESTIMATE_FIELDS.items()}
        for stem, prefix in _ESTIMATE_RANGES.items():
            if all(row.get(f"{stem}{part}") == 0 for part in ("Low", "Avg", "High")):
                values.update({c: None for c in values if c.startswith(f"{prefix}_")})
        for prefix in ("revenue", "eps"):
            low, high = values[f"{prefix}_low"], values[f"{prefix}_high"]
            if low is not None and high is not None and low > high:
                raise PayloadError(PROVIDER, row_symbol, f"{where} has {prefix}Low {row[f'{prefix}Low']!r} "
                                                         f"above {prefix}High {row[f'{prefix}High']!r}")
        for col, field in _ANALYST_COUNTS.items():
            count = _optional_number(row_symbol, row, field, where)
            if count is not None and (count < 0 or not count.is_integer()):
                raise PayloadError(PROVIDER, row_symbol, f"{where} has {field} {row[field]!r}, not a count of analysts")
            values[col] = None if count is None else int(count)
        out["symbol"].append(row_symbol)
        out["period"].append(period)
        out["period_end"].append(period_end)
        for col, value in values.items():
            out[col].append(value)
    return pl.DataFrame(out, schema=ANALYST_ESTIMATES).sort("symbol", "period_end")


def parse_news(payload: Any, *, symbols: Collection[str] | None = None) -> pl.DataFrame:
    """`news/stock` rows -> NEWS_ARTICLES (published_at in UTC), first of each (symbol, url) kept.

    With `symbols`, an article about a symbol that was not asked for is refused rather than filed under it.
    """
    out: dict[str, list] = {c: [] for c in NEWS_ARTICLES}
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(_list_of_dicts("news", payload, "news/stock")):
        symbol = row.get("symbol")
        if not isinstance(symbol, str) or not symbol.strip():
            raise PayloadError(PROVIDER, "news", f"article {i} has no 'symbol'")
        symbol = symbol.strip().upper()
        if symbols is not None and symbol not in symbols:
            raise PayloadError(PROVIDER, symbol, f"article {i} is about {symbol!r}, which was not asked for "
                                                 f"({', '.join(sorted(symbols))})")
        published_at = _eastern_time(symbol, row, i)
        url = row.get("url")
        if not isinstance(url, str) or not url.strip():
            raise PayloadError(PROVIDER, symbol, f"article {i} ({row['publishedDate']}) has no 'url'")
        if (symbol, url.strip()) in seen:
            continue
        seen.add((symbol, url.strip()))
        out["symbol"].append(symbol)
        out["published_at"].append(published_at)
        out["url"].append(url.strip())
        for field in ("title", "publisher", "site", "text"):
            out[field].append(_optional_text(symbol, row, field, i))
    return pl.DataFrame(out, schema=NEWS_ARTICLES)


# --------------------------------------------------------------------------- network layer


class FmpSource:
    """FMP stable API; the caller passes the API key (read from the environment elsewhere).

    Every symbol goes out in FMP's spelling and comes back in ours (`SYMBOLS`). The consensus asked of
    `analyst-estimates` is `estimate_period` ("annual" or "quarter") for the next `estimate_periods` periods ending
    on or after the session; FMP lists the furthest periods first and includes past ones, so a page of
    `estimate_page` rows is asked for (default `estimate_periods` + 8 years, or + 12 quarters) and the nearest coming
    ones kept: a page of 1 would return the year after next, not the coming one. News is read `news_page_size`
    articles a page, at most `news_max_pages` pages per 50 symbols."""

    name = "fmp"
    datasets = frozenset({Dataset.UNIVERSE, Dataset.CONSTITUENTS, Dataset.BARS, Dataset.CORPORATE_ACTIONS,
                          Dataset.INDEX_QUOTES, Dataset.ETF_QUOTES, Dataset.COMMODITY_QUOTES, Dataset.CRYPTO_QUOTES,
                          Dataset.FX_QUOTES, Dataset.ESTIMATES, Dataset.NEWS, Dataset.ETF_HOLDINGS})
    synthetic = False
    disclaimer = None
    point_in_time_estimates = False  # analyst-estimates is today's consensus only

    def __init__(self, api_key: str, *, session: requests.Session | None = None,
                 policy: RetryPolicy | None = None, indexes: Sequence[str] = ("SPX", "NDX", "DJI"),
                 adjusted: bool = True, lookback_days: int = 10, base_url: str = BASE_URL,
                 estimate_period: str = "annual", estimate_periods: int = 3, estimate_page: int | None = None,
                 news_page_size: int = 250, news_max_pages: int = 20) -> None:
        if not api_key:
            raise ValueError("FmpSource needs an FMP API key (pass it in; e.g. from FMP_API_KEY)")
        unknown = [i for i in indexes if i not in CONSTITUENT_ENDPOINTS]
        if unknown:
            raise ValueError(f"unknown index code(s) {unknown}; known: {sorted(CONSTITUENT_ENDPOINTS)}")
        if estimate_period not in ESTIMATE_PERIODS:
            raise ValueError(f"fmp: unknown estimate period {estimate_period!r}; choose one of "
                             f"{', '.join(ESTIMATE_PERIODS)}")
        if estimate_periods < 1 or (estimate_page is not None and estimate_page < 1):
            raise ValueError(f"fmp: estimate_periods and estimate_page must be at least 1, got {estimate_periods}, "
                             f"{estimate_page}")
        if news_page_size < 1 or news_max_pages < 1:
            raise ValueError(f"fmp news: page_size and max_pages must be at least 1, got {news_page_size}, "
                             f"{news_max_pages}")
        self._api_key = api_key
        self._base = base_url.rstrip("/")
        self._indexes = tuple(indexes)
        self._adjusted = adjusted
        self._lookback = dt.timedelta(days=lookback_days)
        self._estimate_period = estimate_period
        self._estimate_periods = estimate_periods
        self._estimate_page = estimate_page or estimate_periods + (12 if estimate_period == "quarter" else 8)
        self._news_page_size = news_page_size
        self._news_max_pages = news_max_pages
        self.client = HttpClient(PROVIDER, session=session, policy=policy, secrets=(api_key,),
                                 error_in_payload=fmp_error_message, quota_message=fmp_quota_exhausted)

    def _get(self, path: str, params: Mapping[str, Any] | None = None, *, symbol: str | None = None) -> Any:
        """GET one endpoint; `symbol` (ours) is named in any error."""
        return self.client.get_json(f"{self._base}/{path}", {**(params or {}), "apikey": self._api_key},
                                    symbol=symbol)

    def _eod(self, symbol: str, theirs: str, start: dt.date, end: dt.date,
             path: str = "historical-price-eod/full") -> Any:
        """EOD rows of [start, end]; FMP's `[]` (its answer for an unknown or delisted symbol and for a range
        without trading alike) is NoData, never an empty frame."""
        params = {"symbol": theirs, "from": start.isoformat(), "to": end.isoformat()}
        payload = self._get(path, params, symbol=symbol)
        if _is_empty_answer(payload):
            raise NoData(PROVIDER, symbol, NO_DATA, f"FMP answered [] for {theirs}",
                         endpoint=self.client.endpoint(f"{self._base}/{path}", params), status=200)
        return payload

    def _members(self, index_code: str) -> Any:
        return self._get(CONSTITUENT_ENDPOINTS[index_code])

    def _chosen(self, symbols: Sequence[str] | None, session: dt.date) -> list[str]:
        """Our symbols asked for (default: the universe), checked, once each."""
        if symbols is None:
            symbols = self.universe(session)["symbol"].to_list()
        return list(dict.fromkeys(validate_symbols(symbols, PROVIDER)))

    def universe(self, session: dt.date) -> pl.DataFrame:
        """Union of today's index members (FMP has no point-in-time lists; `session` is not used)."""
        return conform(SYMBOLS.file_under_ours(parse_universe({i: self._members(i) for i in self._indexes})),
                       UNIVERSE).sort("symbol")

    def index_constituents(self, session: dt.date) -> pl.DataFrame:
        """Today's members, weighted by the tracking ETF's holdings (see module docstring)."""
        frames = [
            parse_constituents(i, self._members(i),
                               self._get("etf/holdings", {"symbol": INDEX_TRACKING_ETF[i]}))
            for i in self._indexes
        ]
        return conform(SYMBOLS.file_under_ours(pl.concat(frames)), INDEX_CONSTITUENTS).sort("index_code", "symbol")

    def etf_holdings(self, session: dt.date, etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """Today's holdings of each ETF (default: those the project quotes); `etf/holdings` keeps no history, so
        `session` cannot select an older list (each row's as_of says which day it is)."""
        chosen = list(INSTRUMENTS["etf"]) if etfs is None else list(dict.fromkeys(validate_symbols(etfs, PROVIDER)))
        frames = [parse_etf_holdings(etf, self._get("etf/holdings", {"symbol": SYMBOLS.to_vendor(etf)}),
                                     provider_symbol=SYMBOLS.to_vendor(etf)) for etf in chosen]
        if not frames:
            return pl.DataFrame(schema=ETF_HOLDINGS)
        return pl.concat(frames).sort(["etf", "weight", "symbol"], descending=[False, True, False], nulls_last=True)

    def etf_holdings_range(self, sessions: Sequence[dt.date], etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """Today's lists, asked once, for each of the sessions: FMP keeps no older list, so per session it would
        answer the same one again (a call per ETF per session); each row's as_of says which day it is."""
        days = pl.DataFrame({"session": sorted(set(sessions))}, schema={"session": pl.Date})
        if days.height == 0:
            return pl.DataFrame(schema=ETF_HOLDINGS_BY_SESSION)
        return days.join(self.etf_holdings(days.item(-1, "session"), etfs), how="cross").select(
            list(ETF_HOLDINGS_BY_SESSION))

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=DAILY_BARS)
        frames = []
        for symbol in self._chosen(symbols, wanted[-1]):
            theirs = SYMBOLS.to_vendor(symbol)
            full = self._eod(symbol, theirs, wanted[0], wanted[-1])
            adjusted = self._eod(symbol, theirs, wanted[0], wanted[-1], "historical-price-eod/dividend-adjusted") \
                if self._adjusted else None
            frames.append(parse_historical_eod(symbol, full, adjusted=adjusted, provider_symbol=theirs))
        return keep_sessions(frames, wanted, DAILY_BARS)

    def corporate_actions(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Splits and dividends with ex-dates among `sessions` (FMP's `splits` and `dividends` endpoints)."""
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=CORPORATE_ACTIONS)
        frames = []
        for symbol in self._chosen(symbols, wanted[-1]):
            theirs = SYMBOLS.to_vendor(symbol)
            splits = self._get("splits", {"symbol": theirs}, symbol=symbol)
            dividends = self._get("dividends", {"symbol": theirs}, symbol=symbol)
            frames.append(parse_splits(symbol, splits, provider_symbol=theirs))
            frames.append(parse_dividends(symbol, dividends, provider_symbol=theirs))
        return keep_sessions(frames, wanted, CORPORATE_ACTIONS).sort("symbol", "session", "kind")

    def quotes(self, asset_class: str, sessions: Sequence[dt.date],
               symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """QUOTES for one asset class; `symbols` (our names, e.g. 'BTC-USD') narrows the default list."""
        chosen = SYMBOLS.instruments(asset_class, symbols)
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=QUOTES)
        frames = []
        for ours, theirs, name in chosen:
            payload = self._eod(ours, theirs, wanted[0] - self._lookback, wanted[-1])
            frames.append(parse_quotes(asset_class, ours, name, payload, provider_symbol=theirs))
        return keep_sessions(frames, wanted, QUOTES)

    def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Today's consensus for each symbol's next `estimate_periods` periods ending on or after `session` (FMP
        has no history of it; see the module docstring)."""
        frames = []
        for symbol in self._chosen(symbols, session):
            theirs = SYMBOLS.to_vendor(symbol)
            payload = self._get("analyst-estimates", {"symbol": theirs, "period": self._estimate_period,
                                                      "limit": self._estimate_page, "page": 0}, symbol=symbol)
            if payload == []:  # FMP's answer for a symbol it has no consensus of (unknown, delisted, uncovered)
                raise NoData(PROVIDER, symbol, NO_DATA, f"FMP answered [] for {theirs}",
                             endpoint=self.client.endpoint(f"{self._base}/analyst-estimates", {"symbol": theirs}),
                             status=200)
            frames.append(parse_analyst_estimates(payload, self._estimate_period, symbol=theirs)
                          .with_columns(symbol=pl.lit(symbol, pl.String)))
        if not frames:
            return pl.DataFrame(schema=ANALYST_ESTIMATES)
        coming = pl.concat(frames).filter(pl.col("period_end") >= session).sort("symbol", "period_end")
        return conform(coming.group_by("symbol", maintain_order=True).head(self._estimate_periods),
                       ANALYST_ESTIMATES)

    def news(self, start: dt.datetime, end: dt.datetime, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Articles about `symbols` published in [start, end); both bounds must be timezone-aware."""
        for bound, moment in (("start", start), ("end", end)):
            if moment.utcoffset() is None:
                raise ValueError(f"fmp news: {bound} {moment.isoformat()} has no time zone; pass an aware datetime")
        if end <= start:
            raise ValueError(f"fmp news: empty window, end {end.isoformat()} is not after start {start.isoformat()}")
        wanted = [SYMBOLS.to_vendor(s) for s in self._chosen(symbols, start.astimezone(NEWS_TIMEZONE).date())]
        # Whether FMP reads from/to as New York or UTC days is not documented: ask for the wider span
        # (New York's day of start, UTC's day of end) and cut the exact window here.
        days = {"from": start.astimezone(NEWS_TIMEZONE).date().isoformat(),
                "to": end.astimezone(dt.UTC).date().isoformat()}
        frames = [
            frame
            for i in range(0, len(wanted), NEWS_SYMBOLS_PER_REQUEST)
            for frame in self._news_pages(wanted[i:i + NEWS_SYMBOLS_PER_REQUEST], days)
        ]
        if not frames:
            return pl.DataFrame(schema=NEWS_ARTICLES)
        articles = SYMBOLS.file_under_ours(pl.concat(frames)).unique(["symbol", "url"], keep="first",
                                                                      maintain_order=True)
        in_window = pl.col("published_at").is_between(start.astimezone(dt.UTC), end.astimezone(dt.UTC), closed="left")
        return conform(articles.filter(in_window), NEWS_ARTICLES).sort("symbol", "published_at", "url")

    def _news_pages(self, symbols: list[str], days: Mapping[str, str]) -> list[pl.DataFrame]:
        frames = []
        page_size, max_pages = self._news_page_size, self._news_max_pages
        for page in range(max_pages):
            payload = self._get("news/stock", {"symbols": ",".join(symbols), **days, "limit": page_size, "page": page})
            frames.append(parse_news(payload, symbols=symbols))
            if len(payload) < page_size:
                return frames
        log.warning("fmp news for %s: stopped at max_pages=%d full pages of %d; older articles from %s on may be "
                    "missing", ",".join(symbols[:5]) + (",..." if len(symbols) > 5 else ""), max_pages, page_size,
                    days["from"])
        return frames


# --------------------------------------------------------------------------- helpers


def _list_of_dicts(symbol: str, payload: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, list):
        raise PayloadError(PROVIDER, symbol, f"expected a JSON list from {what}, got {type(payload).__name__}")
    for i, row in enumerate(payload):
        if not isinstance(row, dict):
            raise PayloadError(PROVIDER, symbol, f"{what} row {i} is {type(row).__name__}, not an object")
    return payload


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(symbol: str, row: Mapping[str, Any], i: int, what: str = "row") -> dt.date:
    value = row.get("date")
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise PayloadError(PROVIDER, symbol, f"{what} {i} has no ISO 'date' (got {value!r})")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise PayloadError(PROVIDER, symbol, f"{what} {i} has an impossible date {value!r}") from None


_ISO_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")


def _eastern_time(symbol: str, row: Mapping[str, Any], i: int) -> dt.datetime:
    """`publishedDate` as UTC; FMP writes New York wall-clock time ("2025-09-22 21:31:48")."""
    value = row.get("publishedDate")
    if not isinstance(value, str) or not _ISO_MINUTE.match(value):
        raise PayloadError(PROVIDER, symbol, f"article {i} has no 'publishedDate' date and time (got {value!r})")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(PROVIDER, symbol, f"article {i} has an impossible publishedDate {value!r}") from None
    if moment.tzinfo is None:  # the usual case; in the autumn's repeated hour this reads the earlier (EDT) one
        moment = moment.replace(tzinfo=NEWS_TIMEZONE)
    return moment.astimezone(dt.UTC)


def _optional_text(symbol: str, row: Mapping[str, Any], field: str, i: int) -> str | None:
    value = row.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(PROVIDER, symbol, f"article {i} has non-text {value!r} for '{field}'")
    return value.strip() or None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(symbol: str, row: Mapping[str, Any], field: str, i: int, day: dt.date) -> float:
    value = row.get(field)
    if not _is_number(value):
        what = "lacks" if field not in row else f"has non-numeric {value!r} for"
        raise PayloadError(PROVIDER, symbol, f"row {i} ({day.isoformat()}) {what} '{field}'")
    return float(value)


def _optional_number(symbol: str, row: Mapping[str, Any], field: str, where: str) -> float | None:
    """A field that must be present but may be null (no estimate), never text."""
    if field not in row:
        raise PayloadError(PROVIDER, symbol, f"{where} lacks '{field}'")
    value = row[field]
    if value is None:
        return None
    if not _is_number(value):
        raise PayloadError(PROVIDER, symbol, f"{where} has non-numeric {value!r} for '{field}'")
    return float(value)


def _member_symbol(index_code: str, row: Mapping[str, Any], i: int) -> str:
    sym = row.get("symbol")
    if not isinstance(sym, str) or not sym.strip():
        raise PayloadError(PROVIDER, f"{index_code} constituents", f"member {i} has no 'symbol'")
    return sym.strip().upper()


def _join_key(symbol: str) -> str:
    """Index lists and ETF holdings spell share classes differently (BRK.B, BRK-B, BRK/B)."""
    return re.sub(r"[./ ]", "-", symbol.strip().upper())
