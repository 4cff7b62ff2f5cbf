"""One symbol's snapshot over a window of sessions: bars, stored indicators, patterns and events, discoveries,
the consensus, news, and the fundamentals the warehouse holds for it (classification, shares, market cap and
forward P/E where their inputs are stored)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from investing_assets.lib.core import calendar
from investing_assets.lib.core.symbols import is_ticker, ticker_refusal
from investing_assets.lib.services.reads.results import (
    Label,
    NotFound,
    Refused,
    Result,
    Stores,
    Window,
    label_of,
    page,
    plain,
    plain_rows,
)
from investing_assets.lib.services.reads.sessions import check_session
from investing_assets.lib.storage.queries.fundamentals import symbol_estimates
from investing_assets.lib.storage.queries.market import (
    history_span,
    newest_universe_session,
    read_bars,
    universe_row,
)
from investing_assets.lib.storage.queries.news import symbol_news
from investing_assets.lib.storage.queries.technicals import SYMBOL_TABLES, symbol_rows

DEFAULT_DAYS = 60
MAX_DAYS = 600
# Time series run oldest first; what happened on a day (patterns, events, discoveries, news) newest first.
PARTS = ("bars", "indicators", *(p for p in SYMBOL_TABLES if p != "indicators"), "estimates", "news")


@dataclass(frozen=True)
class SymbolWindow:
    symbol: str
    sessions: list[dt.date]  # the window, oldest first; its last is the snapshot's session
    profile: dict[str, Any] | None  # the newest universe row on or before the session

    @property
    def session(self) -> dt.date:
        return self.sessions[-1]


def symbol_window(stores: Stores, symbol: str, session: dt.date | None = None,
                  days: int = DEFAULT_DAYS) -> SymbolWindow:
    """The `days` sessions ending at `session` (default: the symbol's newest listed session, or the end of its own
    history); refuses a malformed ticker or day, and a symbol no universe or history holds."""
    if not is_ticker(symbol):
        raise Refused(ticker_refusal(symbol))
    if not 1 <= days <= MAX_DAYS:
        raise Refused(f"days must be from 1 to {MAX_DAYS} (got {days})")
    if session is not None:
        check_session(session)
    as_of = session or newest_universe_session(stores.warehouse) or calendar.last_closed_session()
    profile = universe_row(stores.warehouse, symbol, as_of)
    end = session or (profile["session"] if profile else None)
    if profile is None:
        history = history_span(stores.warehouse, symbol)
        listed_later = session is not None and universe_row(stores.warehouse, symbol, calendar.last_session())
        if history is None and not listed_later:
            raise NotFound(f"unknown symbol {symbol}: no stored universe lists it and it has no price history")
        end = end or min(history[1], as_of)
    return SymbolWindow(symbol, calendar.sessions_ending(end, days), profile)


def part(stores: Stores, symbol: str, name: str, window: Window, session: dt.date | None = None,
         days: int = DEFAULT_DAYS) -> Result:
    """One part of the snapshot (PARTS) as a paged list."""
    if name not in PARTS:
        raise NotFound(f"unknown part {name!r}: one of {', '.join(PARTS)}")
    span = symbol_window(stores, symbol, session, days)
    rows, label = _part_rows(stores, span, name)
    if name == "bars" and not rows:
        raise _no_bars(span)
    return page(rows, window, as_of=span.session.isoformat(), origin="warehouse", label=label)


def snapshot(stores: Stores, symbol: str, session: dt.date | None = None, days: int = DEFAULT_DAYS) -> Result:
    """Every part over the window, with the profile and fundamentals (one document)."""
    span = symbol_window(stores, symbol, session, days)
    parts, labels = {}, []
    for name in PARTS:
        parts[name], label = _part_rows(stores, span, name)
        labels.append(label)
    if not parts["bars"]:
        raise _no_bars(span)
    label = next((x for x in labels if x.synthetic), labels[0])
    document = {"symbol": span.symbol, "session": span.session.isoformat(),
                "first_session": span.sessions[0].isoformat(), "profile": plain(_profile(span.profile)),
                "fundamentals": _fundamentals(span, parts["bars"], parts["estimates"]), **parts}
    return Result(document, span.session.isoformat(), "warehouse", label)


def _part_rows(stores: Stores, span: SymbolWindow, name: str) -> tuple[list[dict[str, Any]], Label]:
    first, last = span.sessions[0], span.session
    warehouse = stores.warehouse
    if name == "bars":
        frame = read_bars(warehouse, first, last, [span.symbol]).drop("symbol")  # the universe row names the source
        return plain_rows(frame), label_of([(span.profile or {}).get("source")], stores.market_source)
    if name == "estimates":
        frame = symbol_estimates(warehouse, span.symbol, last).drop("symbol")
        return plain_rows(frame), label_of(frame.get_column("source").to_list() if frame.height else (),
                                           stores.market_source)
    if name == "news":
        frame = symbol_news(warehouse, span.symbol, first, last)
        return plain_rows(frame), label_of(frame.get_column("source").to_list() if frame.height else (),
                                           stores.market_source)
    frame = symbol_rows(warehouse, name, span.symbol, first, last)
    return plain_rows(frame.drop("symbol", strict=False)), label_of((), stores.market_source)


def _no_bars(span: SymbolWindow) -> NotFound:
    return NotFound(f"no bars stored for {span.symbol} in the {len(span.sessions)} session(s) ending "
                    f"{span.session.isoformat()}")


def _profile(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"listed_in_universe_of": row["session"], **{k: v for k, v in row.items() if k not in ("symbol", "session")}}


def _fundamentals(span: SymbolWindow, bars: list[dict], estimates: list[dict]) -> dict[str, Any]:
    """What the stored rows give: shares (universe), the last close, the nearest fiscal year's EPS consensus, and
    from them market cap and forward P/E; null where an input is not stored."""
    close = bars[-1]["close"]
    shares = (span.profile or {}).get("shares_outstanding")
    annual = [row for row in estimates if row["period"] == "annual" and row["eps_avg"] is not None]
    nearest = min(annual, key=lambda row: row["period_end"], default=None)  # ISO dates sort as dates
    eps = nearest["eps_avg"] if nearest else None
    return {
        "close": close,
        "close_session": bars[-1]["session"],
        "shares_outstanding": shares,
        "market_cap": close * shares if shares else None,
        "forward_eps": eps,
        "forward_eps_period_end": nearest["period_end"] if nearest else None,
        "forward_pe": round(close / eps, 4) if eps and eps > 0 else None,
    }
