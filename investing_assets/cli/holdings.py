"""`investing etf SYMBOL`: an ETF's largest holdings, from the warehouse when it stores them, else the source."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import polars as pl
import psycopg

from investing_assets import settings
from investing_assets.cli.analysis import user_errors
from investing_assets.cli.arguments import date, positive_int, ticker
from investing_assets.cli.sessions import checked_session
from investing_assets.lib.core import calendar


def register(sub: argparse._SubParsersAction) -> None:
    etf = sub.add_parser("etf", help="an ETF's largest holdings and their weights, as etf_holdings stores them")
    etf.add_argument("symbol", type=ticker)
    etf.add_argument("--top", type=positive_int, default=10, help="holdings to print (default 10)")
    etf.add_argument("--session", type=date, default=None,
                     help="a closed NYSE session, YYYY-MM-DD (default: the newest stored, else the last closed)")
    etf.set_defaults(func=cmd_etf)


def cmd_etf(args: argparse.Namespace) -> int:
    from investing_assets.lib.services.etf_holdings import top_holdings
    from investing_assets.lib.services.sources import synthetic_note

    etf = args.symbol
    with user_errors("etf"):
        asked = checked_session("etf", args.session) if args.session else None
        holdings, session, origin, source = _holdings(etf, asked)
    if holdings.height == 0:  # a source that lists nothing for a fund it knows; unknown ones are refused above
        print(f"investing etf: no holdings of {etf} on {session.isoformat()} in the {origin}", file=sys.stderr)
        return 1
    as_of = sorted({d for d in holdings.get_column("as_of").to_list() if d is not None and d != session})
    listed = f"; the list is of {', '.join(d.isoformat() for d in as_of)}" if as_of else ""
    print(f"{etf} on {session.isoformat()}: {holdings.height} holdings, weights sum to "
          f"{holdings.get_column('weight').sum() * 100:.2f}% (from the {origin}{listed})")
    if note := synthetic_note(source):
        print(f"  {note}")
    for rank, row in enumerate(top_holdings(holdings, etf, args.top).iter_rows(named=True), 1):
        shares = "" if row["shares"] is None else f"{row['shares']:>16,.0f}"
        value = "" if row["market_value"] is None else f"{row['market_value']:>18,.0f}"
        print(f"  {rank:>3}. {row['symbol'] or '-':<7} {(row['name'] or '')[:34]:<34} {row['weight'] * 100:>7.2f}%"
              f"{shares}{value}".rstrip())
    return 0


def _holdings(etf: str, asked: dt.date | None) -> tuple[pl.DataFrame, dt.date, str, str]:
    """(the ETF's holdings, their session, where from, the source that served them): the asked session's (default:
    the newest) stored holdings when a warehouse is configured and holds them, else the source's on the asked or
    the last closed session."""
    stored = _stored(etf, asked)
    if stored is not None:
        holdings, session, source = stored
        return holdings, session, f"warehouse, rows of the {source} source", source
    from investing_assets.cli.common import market_sources

    served = market_sources().etf_holdings()
    session = asked or calendar.last_closed_session()
    return served.etf_holdings(session, [etf]), session, f"source {served.name}", served.name


def _stored(etf: str, asked: dt.date | None) -> tuple[pl.DataFrame, dt.date, str] | None:
    if not settings.pg_url():
        return None
    from investing_assets.lib.storage.queries.holdings import (
        holdings_of_session,
        holdings_source,
        latest_holdings_session,
    )
    from investing_assets.lib.storage.warehouse import Warehouse

    warehouse = Warehouse(settings.pg_url())
    try:
        session = latest_holdings_session(warehouse, etf, asked)
        if session is None or (asked is not None and session != asked):
            return None
        return holdings_of_session(warehouse, session, [etf]), session, holdings_source(warehouse, session, etf)
    except psycopg.Error as exc:
        print(f"warehouse unavailable ({exc.__class__.__name__}); asking the source", file=sys.stderr)
        return None
