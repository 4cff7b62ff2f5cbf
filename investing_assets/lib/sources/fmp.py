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
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
import requests

from investing_assets.lib.sources.http import (
    HttpClient,
    PayloadError,
    RetryPolicy,
    validate_symbols,
)
from investing_assets.lib.sources.instruments import QuotesByAssetClass, pick, vendor_table
from investing_assets.lib.sources.schemas import (
    DAILY_BARS,
    INDEX_CONSTITUENTS,
    QUOTES,
    UNIVERSE,
    conform,
    keep_sessions,
    quotes_from_bars,
)

__all__ = [
    "BASE_URL",
    "CONSTITUENT_ENDPOINTS",
    "FMP_QUOTE_SYMBOLS",
    "INDEX_TRACKING_ETF",
    "FmpSource",
    "fmp_error_message",
    "parse_constituents",
    "parse_historical_eod",
    "parse_quotes",
    "parse_universe",
]

PROVIDER = "fmp"
BASE_URL = "https://financialmodelingprep.com/stable"

CONSTITUENT_ENDPOINTS = {"SPX": "sp500-constituent", "NDX": "nasdaq-constituent", "DJI": "dowjones-constituent"}
INDEX_TRACKING_ETF = {"SPX": "SPY", "NDX": "QQQ", "DJI": "DIA"}

# Our symbol -> (FMP symbol, display name), per asset class. These are internal mappings, not user
# input, so they skip the equity-symbol check ('^GSPC' would fail it).
FMP_QUOTE_SYMBOLS = vendor_table({
    "SPX": "^GSPC", "NDX": "^NDX", "DJI": "^DJI",
    "GC=F": "GCUSD", "SI=F": "SIUSD", "CL=F": "CLUSD", "NG=F": "NGUSD", "HG=F": "HGUSD",
    "BTC-USD": "BTCUSD", "ETH-USD": "ETHUSD", "SOL-USD": "SOLUSD",
})


def fmp_error_message(payload: Any) -> str | None:
    """FMP sometimes answers 200 with {"Error Message": ...}; every endpoint we call returns a list."""
    if isinstance(payload, dict):
        for key in ("Error Message", "error", "message"):
            if payload.get(key):
                return str(payload[key])
    return None


# --------------------------------------------------------------------------- parse functions (pure)


def parse_historical_eod(symbol: str, payload: Any, *, adjusted: Any = None,
                         provider_symbol: str | None = None) -> pl.DataFrame:
    """`historical-price-eod/full` rows (+ optional `dividend-adjusted` rows) -> DAILY_BARS for `symbol`.

    `provider_symbol` is what FMP echoes in each row (BTCUSD for our BTC-USD); a row for another
    symbol means we were served someone else's data, which is an error, not a filter.
    """
    expected = provider_symbol or symbol
    rows = _list_of_dicts(symbol, payload, "historical-price-eod/full")
    adj_close: dict[dt.date, float] = {}
    if adjusted is not None:
        for i, row in enumerate(_list_of_dicts(symbol, adjusted, "historical-price-eod/dividend-adjusted")):
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


def parse_quotes(asset_class: str, symbol: str, name: str, payload: Any, *,
                 provider_symbol: str | None = None) -> pl.DataFrame:
    """EOD rows -> QUOTES; change_pct is close over the previous row's close (first row: null)."""
    bars = parse_historical_eod(symbol, payload, provider_symbol=provider_symbol)
    return quotes_from_bars(bars, asset_class, name)


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


# --------------------------------------------------------------------------- network layer


class FmpSource(QuotesByAssetClass):
    """FMP stable API; the caller passes the API key (read from the environment elsewhere)."""

    name = "fmp"

    def __init__(self, api_key: str, *, session: requests.Session | None = None,
                 policy: RetryPolicy | None = None, indexes: Sequence[str] = ("SPX", "NDX", "DJI"),
                 adjusted: bool = True, lookback_days: int = 10, base_url: str = BASE_URL) -> None:
        if not api_key:
            raise ValueError("FmpSource needs an FMP API key (pass it in; e.g. from FMP_API_KEY)")
        unknown = [i for i in indexes if i not in CONSTITUENT_ENDPOINTS]
        if unknown:
            raise ValueError(f"unknown index code(s) {unknown}; known: {sorted(CONSTITUENT_ENDPOINTS)}")
        self._api_key = api_key
        self._base = base_url.rstrip("/")
        self._indexes = tuple(indexes)
        self._adjusted = adjusted
        self._lookback = dt.timedelta(days=lookback_days)
        self.client = HttpClient(PROVIDER, session=session, policy=policy, secrets=(api_key,),
                                 error_in_payload=fmp_error_message)

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.client.get_json(f"{self._base}/{path}", {**(params or {}), "apikey": self._api_key})

    def _members(self, index_code: str) -> Any:
        return self._get(CONSTITUENT_ENDPOINTS[index_code])

    def universe(self, session: dt.date) -> pl.DataFrame:
        """Union of today's index members (FMP has no point-in-time lists; `session` is not used)."""
        return conform(parse_universe({i: self._members(i) for i in self._indexes}), UNIVERSE)

    def index_constituents(self, session: dt.date) -> pl.DataFrame:
        """Today's members, weighted by the tracking ETF's holdings (see module docstring)."""
        frames = [
            parse_constituents(i, self._members(i),
                               self._get("etf/holdings", {"symbol": INDEX_TRACKING_ETF[i]}))
            for i in self._indexes
        ]
        return conform(pl.concat(frames), INDEX_CONSTITUENTS).sort("index_code", "symbol")

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=DAILY_BARS)
        if symbols is None:
            symbols = self.universe(wanted[-1])["symbol"].to_list()
        frames = []
        for symbol in dict.fromkeys(validate_symbols(symbols, PROVIDER)):
            params = {"symbol": symbol, "from": wanted[0].isoformat(), "to": wanted[-1].isoformat()}
            full = self._get("historical-price-eod/full", params)
            adjusted = self._get("historical-price-eod/dividend-adjusted", params) if self._adjusted else None
            frames.append(parse_historical_eod(symbol, full, adjusted=adjusted))
        return keep_sessions(frames, wanted, DAILY_BARS)

    def quotes(self, asset_class: str, sessions: Sequence[dt.date],
               symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """QUOTES for one asset class; `symbols` (our names, e.g. 'BTC-USD') narrows the default list."""
        chosen = pick(FMP_QUOTE_SYMBOLS, asset_class, symbols, PROVIDER)
        wanted = sorted(set(sessions))
        if not wanted:
            return pl.DataFrame(schema=QUOTES)
        frames = []
        for ours, theirs, name in chosen:
            payload = self._get("historical-price-eod/full", {
                "symbol": theirs,
                "from": (wanted[0] - self._lookback).isoformat(),
                "to": wanted[-1].isoformat(),
            })
            frames.append(parse_quotes(asset_class, ours, name, payload, provider_symbol=theirs))
        return keep_sessions(frames, wanted, QUOTES)


# --------------------------------------------------------------------------- helpers


def _list_of_dicts(symbol: str, payload: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, list):
        raise PayloadError(PROVIDER, symbol, f"expected a JSON list from {what}, got {type(payload).__name__}")
    for i, row in enumerate(payload):
        if not isinstance(row, dict):
            raise PayloadError(PROVIDER, symbol, f"{what} row {i} is {type(row).__name__}, not an object")
    return payload


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _date(symbol: str, row: Mapping[str, Any], i: int) -> dt.date:
    value = row.get("date")
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        raise PayloadError(PROVIDER, symbol, f"row {i} has no ISO 'date' (got {value!r})")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise PayloadError(PROVIDER, symbol, f"row {i} has an impossible date {value!r}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(symbol: str, row: Mapping[str, Any], field: str, i: int, day: dt.date) -> float:
    value = row.get(field)
    if not _is_number(value):
        what = "lacks" if field not in row else f"has non-numeric {value!r} for"
        raise PayloadError(PROVIDER, symbol, f"row {i} ({day.isoformat()}) {what} '{field}'")
    return float(value)


def _member_symbol(index_code: str, row: Mapping[str, Any], i: int) -> str:
    sym = row.get("symbol")
    if not isinstance(sym, str) or not sym.strip():
        raise PayloadError(PROVIDER, f"{index_code} constituents", f"member {i} has no 'symbol'")
    return sym.strip().upper()


def _join_key(symbol: str) -> str:
    """Index lists and ETF holdings spell share classes differently (BRK.B, BRK-B, BRK/B)."""
    return re.sub(r"[./ ]", "-", symbol.strip().upper())
