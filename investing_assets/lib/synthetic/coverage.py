"""The demo market's analyst coverage and press: consensus estimates and news consistent with its prices.

Each stock gets a seeded set of fundamentals (fiscal year end, a price-to-earnings ratio on REFERENCE_DAY
around its sector's typical one, revenue growth, margins; price-to-sales follows from P/E and margin). The consensus for a fiscal year is that year's "true" figure plus an error that
shrinks as the year end approaches, wobbles slowly (revisions) and leans with the last quarter's price move
(analysts chase momentum). News is what a wire would write about the demo tape: big moves (a return beyond
2.5 of the stock's own daily volatility and at least 3%) and quarterly results against the consensus.
Everything is a pure function of (seed, symbol, session), like the bars.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import ANALYST_ESTIMATES, NEWS_ARTICLES, conform
from investing_assets.lib.synthetic import reference, streams
from investing_assets.lib.synthetic.market import Market, simulated_market

# Fundamentals are pinned to prices on the day the prices are pinned to real levels (reference.py), so
# valuations there look like a real market's whatever the simulated prices did in the decade before.
REFERENCE_DAY = reference.REFERENCE_SESSION
# Typical P/E on REFERENCE_DAY's fiscal-year earnings by sector (roughly the real end-2024 sector medians);
# each name scatters by a factor of up to about 1.65 either way.
SECTOR_PE = {
    "Information Technology": 28.0, "Communication Services": 20.0, "Consumer Discretionary": 24.0,
    "Consumer Staples": 21.0, "Health Care": 19.0, "Financials": 15.0, "Industrials": 22.0, "Energy": 13.0,
    "Utilities": 17.0, "Materials": 19.0, "Real Estate": 30.0,
}  # fmt: skip
_PE_SCATTER = 0.5
MOMENTUM_SESSIONS = 63  # a quarter of sessions: the price move analysts lean on
VOL_SESSIONS = 60
MOVE_Z, MOVE_MIN = 2.5, 0.03
PUBLISHER, SITE = "Demo Wire", "demo.invalid"


class Coverage:
    """Seeded per-stock fundamentals over a demo market."""

    def __init__(self, seed: int, market: Market) -> None:
        self.seed, self.market = seed, market
        self.symbols = [s.symbol for s in market.stocks]
        self.names = [s.name for s in market.stocks]
        n = len(self.symbols)
        draws = np.array(
            [streams.rng(seed, "coverage", s).random(8) for s in self.symbols]
        )  # (n, 8) in [0, 1)
        self.fy_month = np.select([draws[:, 0] < 0.7, draws[:, 0] < 0.8, draws[:, 0] < 0.9], [12, 9, 6], 3)
        shares = market.shares.astype(float)
        self.net_margin = 0.06 + 0.24 * draws[:, 3]
        sector_pe = np.array([SECTOR_PE[s.sector] for s in market.stocks])
        price_to_earnings = sector_pe * np.exp(_PE_SCATTER * (2 * draws[:, 1] - 1))
        price_to_sales = price_to_earnings * self.net_margin
        anchor = calendar.session_index(calendar.last_session_on_or_before(REFERENCE_DAY))
        self.revenue_reference = shares * market.close[anchor] / price_to_sales  # REFERENCE_DAY's fiscal year
        self.growth = -0.02 + 0.20 * draws[:, 2]
        self.ebitda_margin = self.net_margin + 0.06 + 0.14 * draws[:, 4]
        self.error_scale = 0.03 + 0.05 * draws[:, 5]
        self.report_lag = (21 + 19 * draws[:, 6]).astype(int)  # days from quarter end to results
        self.before_open = draws[:, 7] < 0.5
        size_rank = np.argsort(np.argsort(shares * market.close[0])) / max(n - 1, 1)
        self.analysts = (4 + 34 * size_rank**1.5).round().astype(int)
        self.shares = shares
        self._period_ends: dict[int, np.ndarray] = {}

    # -- estimates ------------------------------------------------------------------------------------------
    def period_end(self, year: int) -> np.ndarray:
        """Each stock's fiscal year end falling in calendar `year` (last day of its fiscal month)."""
        ends = self._period_ends.get(year)
        if ends is None:  # asked once per session and year: the per-stock dates are worth keeping
            ends = self._period_ends[year] = np.array(
                [dt.date(year, m, months.monthrange(year, m)[1]) for m in self.fy_month])
        return ends

    def true_eps(self, year: int) -> np.ndarray:
        return self._revenue(year) * self.net_margin / self.shares

    def _revenue(self, year: int) -> np.ndarray:
        return self.revenue_reference * (1 + self.growth) ** (year - REFERENCE_DAY.year)

    def consensus(self, row: int, year: int) -> dict[str, np.ndarray]:
        """The consensus for fiscal `year` as of session `row`, every stock at once."""
        session = calendar.all_sessions()[row]
        ends = self.period_end(year)
        horizon = np.array([max((end - session).days, 0) for end in ends]) / 365.0
        wobble = _wobble(self.seed, year, len(self.symbols), session.toordinal())
        close = self.market.close
        momentum = np.log(close[row] / close[max(row - MOMENTUM_SESSIONS, 0)])
        error = self.error_scale * np.minimum(horizon, 2.0) * wobble + 0.15 * momentum * np.minimum(
            horizon, 1.0
        )
        revenue = self._revenue(year) * (1 + 0.5 * error)
        eps = self.true_eps(year) * (1 + error)
        spread = 0.02 + 0.05 * np.minimum(horizon, 3.0)
        analysts = np.maximum(self.analysts - (np.floor(horizon) * self.analysts // 4).astype(int), 1)
        return {
            "period_end": ends,
            "revenue_avg": revenue,
            "revenue_low": revenue * (1 - spread),
            "revenue_high": revenue * (1 + spread),
            "ebitda_avg": revenue * self.ebitda_margin,
            "net_income_avg": eps * self.shares,
            "eps_avg": eps,
            "eps_low": eps * (1 - 1.5 * spread),
            "eps_high": eps * (1 + 1.5 * spread),
            "analysts_revenue": analysts,
            "analysts_eps": np.maximum(analysts - 1, 1),
        }

    def estimates(self, row: int, columns: np.ndarray, periods: int) -> pl.DataFrame:
        """The next `periods` fiscal years whose year end is on or after the session."""
        session = calendar.all_sessions()[row]
        frames = []
        for year in range(session.year, session.year + periods + 1):
            figures = self.consensus(row, year)
            ends = figures.pop("period_end")
            frame = pl.DataFrame(
                {
                    "symbol": [self.symbols[c] for c in columns],
                    "period_end": pl.Series([ends[c] for c in columns], dtype=pl.Date),
                    **{k: v[columns] for k, v in figures.items()},
                }
            )
            frames.append(frame.filter(pl.col("period_end") >= session))
        out = (
            pl.concat(frames)
            .sort("symbol", "period_end")
            .group_by("symbol", maintain_order=True)
            .head(periods)
        )
        return conform(out.with_columns(period=pl.lit("annual")), ANALYST_ESTIMATES)

    # -- news -----------------------------------------------------------------------------------------------
    def news(self, row: int, columns: np.ndarray) -> list[dict]:
        """Articles published on session `row` (big moves after the close, results before or after it)."""
        return self._moves(row, columns) + self._results(row, columns)

    def _moves(self, row: int, columns: np.ndarray) -> list[dict]:
        if row < VOL_SESSIONS + 1:
            return []
        close = self.market.close[row - VOL_SESSIONS - 1 : row + 1, columns]
        returns = np.diff(np.log(close), axis=0)
        today, vol = np.expm1(returns[-1]), returns[:-1].std(axis=0, ddof=1)
        big = (np.abs(returns[-1]) >= MOVE_Z * vol) & (np.abs(today) >= MOVE_MIN)
        session = calendar.all_sessions()[row]
        articles = []
        for j in np.flatnonzero(big):
            c = int(columns[j])
            move, sigma = float(today[j]), float(abs(returns[-1, j]) / vol[j])
            verb = ("jump" if move > 0.06 else "climb") if move > 0 else ("sink" if move < -0.06 else "slide")
            symbol, name = self.symbols[c], self.names[c]
            minute = 5 + (_minutes(self.seed, symbol, session) % 85)
            articles.append(
                _article(
                    symbol,
                    session,
                    dt.time(16, 0),
                    minute,
                    "move",
                    f"{name} shares {verb} {abs(move) * 100:.1f}%",
                    f"{name} ({symbol}) closed {'up' if move > 0 else 'down'} {abs(move) * 100:.1f}% at "
                    f"${self.market.close[row, c]:,.2f}, a {sigma:.1f}-sigma move for the stock, on volume of "
                    f"{int(self.market.volume[row, c]):,} shares.",
                )
            )
        return articles

    def _results(self, row: int, columns: np.ndarray) -> list[dict]:
        sessions = calendar.all_sessions()
        session = sessions[row]
        after = sessions[row - 1] if row > 0 else session - dt.timedelta(days=1)
        articles, eps_by_year = [], {}  # one consensus per fiscal year serves every stock reporting today
        for c in columns:
            c = int(c)
            for quarter_end in _quarter_ends(int(self.fy_month[c]), session):
                due = quarter_end + dt.timedelta(days=int(self.report_lag[c]))
                if not after < due <= session:
                    continue
                year = quarter_end.year + (1 if quarter_end.month > self.fy_month[c] else 0)
                if year not in eps_by_year:
                    eps_by_year[year] = self.consensus(row, year)["eps_avg"]
                expected = float(eps_by_year[year][c]) / 4
                surprise = _surprise(self.seed, self.symbols[c], quarter_end)
                actual = expected * (1 + surprise)
                beat = "beats" if actual >= expected else "misses"
                symbol, name = self.symbols[c], self.names[c]
                at, minute = (dt.time(7, 0), 0) if self.before_open[c] else (dt.time(16, 0), 5)
                articles.append(
                    _article(
                        symbol,
                        session,
                        at,
                        minute,
                        f"results-{quarter_end.isoformat()}",
                        f"{name} {beat} estimates: quarterly EPS ${actual:.2f} vs ${expected:.2f} expected",
                        f"{name} ({symbol}) reported results for the quarter ended {quarter_end:%B %d, %Y}: "
                        f"earnings per share of ${actual:.2f} against a consensus of ${expected:.2f} "
                        f"({surprise * 100:+.1f}%).",
                    )
                )
        return articles


@lru_cache(maxsize=4)
def coverage(seed: int, plant: bool, size: int | None = None) -> Coverage:
    return Coverage(seed, simulated_market(seed, plant, size))


def estimates(
    seed: int, plant: bool, session: dt.date, symbols: Sequence[str] | None, periods: int, size: int | None = None
) -> pl.DataFrame:
    cov = coverage(seed, plant, size)
    return cov.estimates(calendar.session_index(session), _columns(cov, symbols), periods)


def news(
    seed: int, plant: bool, start: dt.datetime, end: dt.datetime, symbols: Sequence[str] | None,
    size: int | None = None,
) -> pl.DataFrame:
    """Articles published in [start, end): the demo publishes on session days only."""
    cov = coverage(seed, plant, size)
    columns = _columns(cov, symbols)
    first = max(start.astimezone(calendar.NEW_YORK).date(), calendar.CALENDAR_START)
    last = min(end.astimezone(calendar.NEW_YORK).date(), calendar.all_sessions()[-1])
    rows = []
    for day in calendar.sessions_between(first, last) if first <= last else []:
        rows += cov.news(calendar.session_index(day), columns)
    frame = pl.DataFrame(rows, schema=NEWS_ARTICLES) if rows else pl.DataFrame(schema=NEWS_ARTICLES)
    inside = (pl.col("published_at") >= start.astimezone(dt.UTC)) & (
        pl.col("published_at") < end.astimezone(dt.UTC)
    )
    return frame.filter(inside).sort("published_at", "symbol", "url")


def _columns(cov: Coverage, symbols: Sequence[str] | None) -> np.ndarray:
    if symbols is None:
        return np.arange(len(cov.symbols), dtype=np.int64)
    unknown = sorted(set(symbols) - set(cov.market.column))
    if unknown:
        raise ValueError(f"unknown symbol(s) for the demo universe: {unknown}")
    return np.array(sorted(cov.market.column[s] for s in set(symbols)), dtype=np.int64)


def _wobble(seed: int, year: int, n: int, ordinal: int) -> np.ndarray:
    """A slow, smooth revision path per (stock, fiscal year): three seeded sines, about unit amplitude."""
    periods, phases, weights = _wobble_params(seed, year, n)
    return (weights * np.sin(2 * np.pi * ordinal / periods + phases)).sum(axis=1)


@lru_cache(maxsize=64)
def _wobble_params(seed: int, year: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = streams.rng(seed, "revisions", str(year))
    periods = np.array([90.0, 200.0, 400.0]) * (0.8 + 0.4 * rng.random((n, 3)))
    phases = 2 * np.pi * rng.random((n, 3))
    weights = np.array([0.2, 0.35, 0.6]) * (0.5 + rng.random((n, 3)))
    return periods, phases, weights


def _quarter_ends(fy_month: int, session: dt.date) -> list[dt.date]:
    """Fiscal quarter ends in the ~100 days before the session (results come 21-40 days after)."""
    ends = []
    for back in range(0, 5):
        month_index = session.year * 12 + session.month - 1 - back
        year, month = divmod(month_index, 12)
        month += 1
        if (month - fy_month) % 3 == 0:
            ends.append(dt.date(year, month, months.monthrange(year, month)[1]))
    return [e for e in ends if e < session]


def _minutes(seed: int, symbol: str, session: dt.date) -> int:
    return int(streams.rng(seed, "minute", symbol, session.isoformat()).integers(0, 1 << 30))


def _surprise(seed: int, symbol: str, quarter_end: dt.date) -> float:
    return float(
        np.clip(streams.rng(seed, "surprise", symbol, quarter_end.isoformat()).normal(0.02, 0.06), -0.4, 0.4)
    )


def _article(
    symbol: str, session: dt.date, at: dt.time, minute: int, kind: str, title: str, text: str
) -> dict:
    local = dt.datetime.combine(session, at, calendar.NEW_YORK) + dt.timedelta(minutes=minute)
    return {
        "symbol": symbol,
        "published_at": local.astimezone(dt.UTC),
        "title": title,
        "publisher": PUBLISHER,
        "site": SITE,
        "url": f"https://{SITE}/news/{session.isoformat()}/{symbol.lower()}-{kind}",
        "text": text,
    }
