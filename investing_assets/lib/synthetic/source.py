"""The demo market source: offline, deterministic market data for the whole asset graph and every test.

Why it exists: the asset graph must run without a network or a data vendor, and a rerun of any partition
must give identical rows. DemoSource slices one simulated history (market.py) per process and seed, and
serves the analyst coverage and press written about it (coverage.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

import numpy as np
import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.fundamental_reports import REPORTS, ReportAnswer
from investing_assets.lib.core.schemas import (
    CORPORATE_ACTIONS,
    DAILY_BARS,
    ETF_HOLDINGS_BY_SESSION,
    INDEX_CONSTITUENTS,
    LISTINGS,
    QUOTES,
    UNIVERSE,
    conform,
)
from investing_assets.lib.synthetic import coverage, reference, tail
from investing_assets.lib.synthetic.ibkr_reports import DemoReports
from investing_assets.lib.synthetic.market import INDEX_TRACKERS, Market, simulated_market, stock_parameters
from investing_assets.lib.synthetic.planted import planted_frame
from investing_assets.lib.synthetic.universe import INDEX_CODES, SECTOR_ETFS


def _session_rows(sessions: Iterable[dt.date] | dt.date) -> np.ndarray:
    """Sorted, de-duplicated calendar rows; every bad date is named in one error."""
    if isinstance(sessions, dt.date):
        sessions = [sessions]
    rows, bad, last = set(), [], calendar.all_sessions()[-1]
    for day in sessions:
        if isinstance(day, dt.datetime):
            day = day.date()
        if not isinstance(day, dt.date):
            raise TypeError(f"sessions must be datetime.date values, got {day!r}")
        if day < calendar.CALENDAR_START:
            bad.append(
                f"{day.isoformat()} (before the demo history starts on {calendar.CALENDAR_START.isoformat()})"
            )
        elif day > last:
            bad.append(
                f"{day.isoformat()} (not an NYSE session the calendar knows; it ends {last.isoformat()})"
            )
        elif not calendar.is_session(day):
            bad.append(f"{day.isoformat()} (not an NYSE session)")
        else:
            rows.add(calendar.session_index(day))
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        raise ValueError(f"not a demo session: {shown}")
    return np.array(sorted(rows), dtype=np.int64)


def _frame(
    symbols: Sequence[str],
    sessions: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    arrays: dict[str, np.ndarray],
) -> pl.DataFrame:
    """Symbol-major rows of (session, symbol) arrays, i.e. already sorted by (symbol, session)."""
    n_rows = rows.shape[0]
    picked = np.ix_(rows, columns)
    data: dict[str, object] = {
        "symbol": pl.Series("symbol", [symbols[c] for c in columns], dtype=pl.String).gather(
            np.repeat(np.arange(columns.shape[0]), n_rows)
        ),
        "session": np.tile(sessions[rows], columns.shape[0]),
    }
    for name, array in arrays.items():
        data[name] = array[picked].T.ravel()
    return pl.DataFrame(data)


class DemoSource:
    """Synthetic but plausible US market data that never touches the network and never changes.

    Universe and index membership are the real current S&P 500, NASDAQ-100 and Dow members from
    pytickersymbols (`universe_size` grows it with synthetic small and mid caps, or keeps a subset: tail.py); membership is the same on every session (the demo has no index changes and no
    corporate actions, so adj_close equals close). About 10% of the stocks carry planted chart patterns
    (planted_patterns() lists them); plant_patterns=False gives the same market without them, the
    pure-noise control for measuring false detections.
    """

    name = "demo"
    datasets = frozenset({Dataset.UNIVERSE, Dataset.LISTINGS, Dataset.CONSTITUENTS, Dataset.BARS,
                          Dataset.PLANTED_PATTERNS, Dataset.INDEX_QUOTES, Dataset.ETF_QUOTES,
                          Dataset.COMMODITY_QUOTES, Dataset.CRYPTO_QUOTES, Dataset.FX_QUOTES, Dataset.CORPORATE_ACTIONS,
                          Dataset.ESTIMATES, Dataset.NEWS, Dataset.ETF_HOLDINGS, Dataset.FUNDAMENTALS})
    point_in_time_estimates = True  # the consensus of any past session can be rebuilt
    # Said wherever a user sees its rows (asset metadata, `investing summary`, chart titles).
    synthetic = True
    disclaimer = (
        "synthetic: simulated demo market anchored on approximate real closes of "
        f"{reference.REFERENCE_SESSION.isoformat()}, not market data"
    )

    def __init__(self, seed: int = 20161104, plant_patterns: bool = True,
                 listings: Mapping[str, tuple[dt.date | None, dt.date | None]] | None = None,
                 estimate_years: int = 3, universe_size: int | None = None) -> None:
        """`listings`: symbol -> (first, last) session it trades (None: open-ended); everyone else is listed on
        every session. The simulated prices are the same either way: a listing only hides bars.
        `estimate_years`: how many coming fiscal years the consensus covers. `universe_size`: how many stocks
        (None: the index members; `INVESTING_DEMO_SYMBOLS`)."""
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        if estimate_years < 1:
            raise ValueError(f"estimate_years must be at least 1, got {estimate_years!r}")
        self.estimate_years = estimate_years
        self.seed = seed
        self.plant_patterns = bool(plant_patterns)
        self.universe_size = universe_size
        tail.demo_stocks(seed, universe_size)  # refuses a size out of range here, not at the first read
        self._listings = dict(listings or {})

    def listings(self) -> pl.DataFrame:
        """LISTINGS of the symbols given a listing; the rest trade on every session of the calendar."""
        return pl.DataFrame([(s, first, last) for s, (first, last) in sorted(self._listings.items())],
                            schema=LISTINGS, orient="row")

    @property
    def _market(self) -> Market:
        return simulated_market(self.seed, self.plant_patterns, self.universe_size)

    def planted_patterns(self) -> pl.DataFrame:
        """Ground truth for the chart-pattern detectors (PLANTED_PATTERNS schema), one row per template
        planted in the simulated history, sorted by (symbol, completion_session). Empty without planting.

        key_points are the formation's turning points at the realised closes; amplitude is the template's
        height in dollars at the formation start and amplitude_atr that height over the realised ATR 14
        there, so recall can be measured against what a detector actually sees."""
        market = self._market
        symbols = [s.symbol for s in market.stocks]
        return planted_frame(market.plants, symbols, market.sessions, market.high, market.low, market.close)

    def universe(self, session: dt.date) -> pl.DataFrame:
        """The same members every session; shares_outstanding is synthetic, bigger for mega caps."""
        _session_rows(session)
        return _universe_frame(self.seed, self.universe_size).clone()  # callers may mutate; the cache must not change

    def index_constituents(self, session: dt.date) -> pl.DataFrame:
        """SPX and NDX cap-weighted (shares x that session's close), DJI price-weighted; sorted by
        (index_code, symbol). Membership is fixed; only the weights move with prices."""
        row = int(_session_rows(session)[0])
        market = self._market
        frames = []
        for code in sorted(INDEX_CODES):
            cols = market.members[code]
            close = market.close[row, cols]
            raw = close if code == "DJI" else close * market.shares[cols].astype(float)
            frames.append(
                pl.DataFrame(
                    {
                        "index_code": [code] * cols.shape[0],
                        "symbol": [market.stocks[i].symbol for i in cols],
                        "weight": raw / raw.sum(),
                    }
                )
            )
        return conform(pl.concat(frames), INDEX_CONSTITUENTS)

    def etf_holdings(self, session: dt.date, etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """What each demo ETF is made of on the session, the baskets its quotes are built from: SPY, QQQ and DIA
        hold their index's constituents at that session's weights (as index_constituents gives them), each sector
        SPDR its sector's S&P 500 members cap-weighted. IWM and TLT follow the market factor, not demo stocks, so
        the demo has no list for them. Shares and market value are null: the demo models no fund assets."""
        return self._holdings(_session_rows(session), etfs).drop("session")

    def etf_holdings_range(self, sessions: Sequence[dt.date], etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """The lists of etf_holdings for every session in one array pass (a frame per ETF per session cost a ten-year
        backfill 45 s). A subclass that changes etf_holdings (a test's altered lists) is asked session by session,
        so its change holds here too."""
        rows = _session_rows(sessions)
        if type(self).etf_holdings is not DemoSource.etf_holdings:
            lists = [self.etf_holdings(day, etfs).with_columns(session=pl.lit(day, pl.Date))
                     for day in self._market.sessions[rows].tolist()]
            return conform(pl.concat(lists), ETF_HOLDINGS_BY_SESSION) if lists else \
                pl.DataFrame(schema=ETF_HOLDINGS_BY_SESSION)
        return self._holdings(rows, etfs)

    def _holdings(self, rows: np.ndarray, etfs: Sequence[str] | None) -> pl.DataFrame:
        """ETF_HOLDINGS_BY_SESSION of the calendar rows, sorted by (session, etf, weight descending, symbol)."""
        market = self._market
        baskets = _etf_baskets(market)
        chosen = sorted(baskets) if etfs is None else list(dict.fromkeys(etfs))
        unknown = [etf for etf in chosen if etf not in baskets]
        if unknown:
            why = "; the demo's IWM and TLT are not made of demo stocks" if {"IWM", "TLT"} & set(unknown) else ""
            raise ValueError(f"demo: no holdings of {', '.join(unknown)}: the demo holds lists of "
                             f"{', '.join(sorted(baskets))}{why}")
        chosen = sorted(chosen)
        if not chosen or rows.size == 0:
            return pl.DataFrame(schema=ETF_HOLDINGS_BY_SESSION)
        symbol_rank = _symbol_ranks(market)
        held, weights = [], []
        for etf in chosen:
            columns, price_weighted = baskets[etf]
            close = market.close[np.ix_(rows, columns)]
            raw = close if price_weighted else close * market.shares[columns].astype(float)
            weight = raw / raw.sum(axis=1, keepdims=True)  # per row the same sum as one session's vector gives
            order = np.lexsort((np.broadcast_to(symbol_rank[columns], weight.shape), -weight), axis=1)
            held.append(columns[order])
            weights.append(np.take_along_axis(weight, order, axis=1))
        stock = np.hstack(held).ravel()  # session-major: each session's lines, ETF by ETF
        lines = stock.shape[0] // rows.shape[0]
        etf_of_line = np.repeat(np.arange(len(chosen)), [baskets[etf][0].shape[0] for etf in chosen])
        day = pl.Series("session", market.sessions[rows], dtype=pl.Date).gather(
            np.repeat(np.arange(rows.shape[0]), lines))
        symbols = pl.Series([s.symbol for s in market.stocks], dtype=pl.String)
        names = pl.Series([s.name for s in market.stocks], dtype=pl.String)
        return pl.DataFrame({
            "etf": pl.Series(chosen, dtype=pl.String).gather(np.tile(etf_of_line, rows.shape[0])),
            "symbol": symbols.gather(stock), "name": names.gather(stock), "weight": np.hstack(weights).ravel(),
            "as_of": day, "session": day,
        }).with_columns(shares=pl.lit(None, pl.Float64), market_value=pl.lit(None, pl.Float64)).select(
            list(ETF_HOLDINGS_BY_SESSION))

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Bars sorted by (symbol, session); symbols=None means the whole universe. Each bar is a pure
        function of (seed, symbol, session), whatever else is asked for in the same call."""
        rows = _session_rows(sessions)
        market = self._market
        if symbols is None:
            columns = np.arange(len(market.stocks), dtype=np.int64)
        else:
            if isinstance(symbols, str):
                symbols = [symbols]
            wanted = set(symbols)
            unknown = sorted(str(s) for s in wanted if s not in market.column)
            if unknown:
                raise ValueError(f"unknown symbol(s) for the demo universe: {unknown}")
            columns = np.array(sorted(market.column[s] for s in wanted), dtype=np.int64)
        names = [s.symbol for s in market.stocks]
        frame = _frame(
            names,
            market.sessions,
            rows,
            columns,
            {
                "open": market.open,
                "high": market.high,
                "low": market.low,
                "close": market.close,
                "volume": market.volume,
            },
        )
        return conform(self._while_listed(frame).with_columns(adj_close=pl.col("close")), DAILY_BARS)

    def _while_listed(self, bars: pl.DataFrame) -> pl.DataFrame:
        if not self._listings:
            return bars
        bounds = self.listings()
        return bars.join(bounds, on="symbol", how="left").filter(
            pl.col("first_session").is_null() | (pl.col("session") >= pl.col("first_session")),
            pl.col("last_session").is_null() | (pl.col("session") <= pl.col("last_session")),
        ).drop("first_session", "last_session")

    def quotes(self, asset_class: str, sessions: Sequence[dt.date],
               symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """QUOTES of one asset class, sorted by (symbol, session):

        - index: SPX, NDX, DJI levels computed from the demo constituents; volume is the constituents' total;
        - etf: SPY/QQQ/DIA track their index (/10, /41, /100), sector SPDRs are their sector's cap-weighted SPX
          members, IWM is high-beta market, TLT is low-vol and negatively correlated with it;
        - commodity: front-month futures, one daily close per NYSE session; mean-reverting around a drifting level;
        - crypto: a snapshot per NYSE session (crypto trades every day; the demo only samples sessions), levels
          pinned on 2024-01-02 so recent prices look familiar; earlier years are the model's backfill;
        - fx: EUR/USD, GBP/USD, USD/JPY the same way, in their quote currency (USD/JPY in yen), to the pip, with no
          volume (currencies trade over the counter).
        Every row carries its currency (USD but for USD/JPY)."""
        return self._quotes(asset_class, sessions, symbols)

    def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """The consensus as of the session for each stock's next `estimate_years` fiscal years (coverage.py):
        it converges on the year's figure as the year end nears, drifts slowly and leans with the price."""
        _session_rows(session)
        return coverage.estimates(self.seed, self.plant_patterns, session, symbols, self.estimate_years,
                                  self.universe_size)

    def news(self, start: dt.datetime, end: dt.datetime, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Articles published in [start, end): big moves of the demo tape and quarterly results."""
        return coverage.news(self.seed, self.plant_patterns, start, end, symbols, self.universe_size)

    def fundamental_reports(self, symbols: Sequence[str], reports: Sequence[str]) -> Iterator[ReportAnswer]:
        """IBKR's report shapes from the demo's fundamentals (ibkr_reports.py) as of today's session (the last the
        calendar holds, if today is past it); a symbol outside the demo universe is refused as IBKR refuses an
        unknown contract (200)."""
        today = min(calendar.in_new_york().date(), calendar.all_sessions()[-1])
        session = calendar.last_session_on_or_before(today)
        demo = DemoReports(coverage.coverage(self.seed, self.plant_patterns, self.universe_size))
        for symbol in dict.fromkeys(symbols):
            for report in reports:
                if report not in REPORTS:
                    yield ReportAnswer(symbol, report, code=430, reason=f"the demo serves {', '.join(REPORTS)}")
                elif symbol not in self._market.column:
                    yield ReportAnswer(symbol, report, code=200, sent=False,
                                       reason="no security definition: not in the demo universe")
                else:
                    yield ReportAnswer(symbol, report, xml=demo.report(symbol, report, session))

    def corporate_actions(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """None: the demo market has no splits or dividends (adj_close equals close), so its bars need no
        adjustment; the table stays empty rather than inventing events the prices do not show."""
        _session_rows(sessions)
        return pl.DataFrame(schema=CORPORATE_ACTIONS)

    def _quotes(self, asset_class: str, sessions: Sequence[dt.date], symbols: Sequence[str] | None) -> pl.DataFrame:
        rows = _session_rows(sessions)
        market = self._market
        if asset_class not in market.quotes:
            raise ValueError(f"demo: no asset class {asset_class!r}; known: {', '.join(market.quotes)}")
        q = market.quotes[asset_class]
        if symbols is None:
            columns = np.arange(len(q.symbols), dtype=np.int64)
        else:
            unknown = sorted(set(symbols) - set(q.symbols))
            if unknown:
                raise ValueError(f"demo: no {asset_class} instrument {unknown}; known: {sorted(q.symbols)}")
            columns = np.array(sorted(q.symbols.index(s) for s in set(symbols)), dtype=np.int64)
        frame = _frame(
            q.symbols,
            market.sessions,
            rows,
            columns,
            {
                "open": q.open,
                "high": q.high,
                "low": q.low,
                "close": q.close,
                "volume": q.volume,
                "change_pct": q.change_pct,
            },
        )
        name_of = dict(zip(q.symbols, q.names, strict=True))
        currency_of = dict(zip(q.symbols, q.currencies, strict=True))
        frame = frame.with_columns(
            asset_class=pl.lit(asset_class),
            name=pl.col("symbol").replace_strict(name_of, return_dtype=pl.String),
            change_pct=pl.col("change_pct").fill_nan(None),
            currency=pl.col("symbol").replace_strict(currency_of, return_dtype=pl.String),
        )
        if asset_class == "fx":
            frame = frame.with_columns(volume=pl.lit(None, pl.Int64))
        return conform(frame, QUOTES)


def _etf_baskets(market: Market) -> dict[str, tuple[np.ndarray, bool]]:
    """ETF -> (the stock columns it holds, whether it is price-weighted), as market.py builds the ETF quotes."""
    baskets = {etf: (market.members[code], code == "DJI") for etf, code in INDEX_TRACKERS.items()}
    spx = market.members["SPX"]
    for sector, etf in SECTOR_ETFS.items():
        baskets[etf] = (np.array([i for i in spx if market.stocks[i].sector == sector], dtype=np.int64), False)
    return baskets


def _symbol_ranks(market: Market) -> np.ndarray:
    """Each stock column's place in the symbols' sort order: a holdings list's tie-break."""
    symbols = [s.symbol for s in market.stocks]
    ranks = np.empty(len(symbols), dtype=np.int64)
    ranks[np.argsort(np.array(symbols, dtype=object), kind="stable")] = np.arange(len(symbols))
    return ranks


@lru_cache(maxsize=2)
def _universe_frame(seed: int, size: int | None) -> pl.DataFrame:
    stocks = tail.demo_stocks(seed, size)
    shares = [int(stock_parameters(seed, s)["shares"]) for s in stocks]
    frame = pl.DataFrame(
        {
            "symbol": [s.symbol for s in stocks],
            "name": [s.name for s in stocks],
            "sector": [s.sector for s in stocks],
            "industry": [s.industry for s in stocks],
            "shares_outstanding": shares,
        }
    )
    return conform(frame, UNIVERSE)
