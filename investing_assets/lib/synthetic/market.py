"""The demo market: one fixed, simulated history of every stock, index, ETF, commodity, coin and currency pair.

The whole history, from CALENDAR_START to the calendar's last session, is simulated once per process and
seed, and every read slices it, so a rerun of any partition gives identical rows. Model: log return =
drift + beta * market factor + loading * sector factor + name-specific noise. Every factor and noise series
is GARCH(1,1) with standardized Student-t (df 4) innovations (streams.py), which gives fat tails and
volatility clustering; the name-specific price level slowly mean-reverts so that, without splits, no share
price runs off to absurd levels. Chart-pattern templates are planted in a fixed subset of stocks
(planted.py). Levels are anchored on one real day (reference.py): every stock closes at its reference
close there, index divisors and sector-ETF scales are fixed there to the real levels, and the share classes
of one company follow one path. The reference session lies inside the history, so a longer calendar only
appends sessions. Volume units: shares for stocks and ETFs, contracts for futures, US dollars of notional
for crypto (as Yahoo reports them); currency pairs trade over the counter and have none (the source leaves it null).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from statistics import NormalDist

import numpy as np

from investing_assets.lib.core import calendar
from investing_assets.lib.core.instruments import INSTRUMENTS
from investing_assets.lib.synthetic import reference, tail, universe
from investing_assets.lib.synthetic.planted import Plant, plant_patterns
from investing_assets.lib.synthetic.streams import (
    TRADING_DAYS,
    Garch,
    mean_revert,
    normals,
    rng,
    simulate_garch,
)
from investing_assets.lib.synthetic.universe import INDEX_CODES, SECTOR_ETFS, SECTORS, Stock

# Only for the size tier of synthetic shares outstanding: the largest US companies are mega caps.
_MEGA_CAPS = {
    "AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "GOOG", "META", "BRK.B", "AVGO", "TSLA", "LLY", "JPM", "V",
    "WMT", "XOM", "UNH", "MA", "ORCL", "COST", "HD", "PG", "JNJ", "NFLX", "BAC", "ABBV",
}  # fmt: skip
# Typical total annual vol by sector; each name scatters around it.
_SECTOR_VOL = {
    "Utilities": 0.19, "Consumer Staples": 0.20, "Real Estate": 0.24, "Health Care": 0.26,
    "Financials": 0.27, "Industrials": 0.27, "Communication Services": 0.29, "Materials": 0.29,
    "Consumer Discretionary": 0.31, "Information Technology": 0.33, "Energy": 0.34,
}  # fmt: skip
_MARKET_VOL = 0.165
_SECTOR_FACTOR_VOL = 0.11
# The largest companies are less volatile than their sector's typical name (AAPL, MSFT, JNJ: 17-28 %).
_MEGA_CAP_VOL = 0.8
# Share classes of one company differ only by a small, fast mean-reverting spread (about 0.3 % sd).
_CLASS_SPREAD_SD, _CLASS_SPREAD_REVERSION = 0.0015, 60.0
# Per year. Idiosyncratic price levels drift apart slowly and boundedly: without it a few names end the
# history 300x up at $100k+ a share (no splits in the demo), which dominates the price-weighted Dow.
_IDIO_MEAN_REVERSION = 0.1
_OVERNIGHT_SHARE = 0.3  # part of the close-to-close move that shows up as the opening gap
_GAP_NOISE = 0.25
_RANGE_SCALE = 0.55
_BAR_BLOCK = 500  # stocks whose bars are built at once
_TAIL_CAP = (25e6, 9e9)  # the smallest index member is worth about $11 B on the reference session


@dataclass(frozen=True)
class _Instrument:
    """A non-stock quote series and how to simulate it (own GARCH noise plus optional market beta); its
    display name is the one in INSTRUMENTS."""

    asset_class: str
    symbol: str
    price: float  # level at CALENDAR_START, or at `anchor` when set
    vol: float  # long-run annual vol of its own noise
    drift: float  # annual log drift
    market_beta: float = 0.0
    mean_reversion: float = 0.0  # per year, toward the drifting base level (commodities)
    anchor: dt.date | None = None
    daily_volume: float = 1e6
    currency: str = "USD"  # what its prices are in (a pair: its quote currency)
    decimals: int | None = None  # price precision; None: cents, 4 decimals below $1 (_round_price)


# ETFs that are a fixed fraction of an index (the real ratios, roughly).
_INDEX_ETFS = {"SPY": ("SPX", 10.0, 80e6), "QQQ": ("NDX", 41.0, 45e6), "DIA": ("DJI", 100.0, 4e6)}
INDEX_TRACKERS = {symbol: code for symbol, (code, _, _) in _INDEX_ETFS.items()}  # ETF -> the index it tracks
_SECTOR_ETF_VOLUME = {
    "XLK": 8e6, "XLF": 40e6, "XLE": 18e6, "XLV": 9e6, "XLY": 5e6, "XLP": 10e6, "XLI": 12e6,
    "XLU": 14e6, "XLB": 6e6, "XLRE": 6e6, "XLC": 5e6,
}  # fmt: skip
_ETF_TYPICAL_SD = 0.012
_CRYPTO_ANCHOR = dt.date(2024, 1, 2)
_INSTRUMENTS = (
    _Instrument("etf", "IWM", 63.0, 0.10, 0.06, market_beta=1.25, daily_volume=30e6),
    _Instrument("etf", "TLT", 89.0, 0.12, 0.005, market_beta=-0.35, daily_volume=15e6),
    _Instrument("commodity", "GC=F", 1118.0, 0.165, 0.07, -0.05, 0.25, daily_volume=200e3),
    _Instrument("commodity", "SI=F", 17.4, 0.28, 0.05, 0.2, 0.25, daily_volume=60e3),
    _Instrument("commodity", "CL=F", 81.5, 0.37, 0.0, 0.4, 0.4, daily_volume=400e3),
    _Instrument("commodity", "NG=F", 5.9, 0.58, -0.03, 0.1, 0.5, daily_volume=150e3),
    _Instrument("commodity", "HG=F", 3.4, 0.22, 0.02, 0.5, 0.3, daily_volume=50e3),
    _Instrument("crypto", "BTC-USD", 44_900.0, 0.63, 0.35, 0.9, anchor=_CRYPTO_ANCHOR, daily_volume=25e9),
    _Instrument("crypto", "ETH-USD", 2_350.0, 0.76, 0.40, 1.0, anchor=_CRYPTO_ANCHOR, daily_volume=12e9),
    _Instrument("crypto", "SOL-USD", 100.0, 0.9, 0.45, 1.1, anchor=_CRYPTO_ANCHOR, daily_volume=2e9),
    # Currency pairs: low vol, no drift, mean-reverting, levels pinned on their 2024-01-02 closes; pip precision.
    _Instrument("fx", "EURUSD", 1.0940, 0.075, 0.0, mean_reversion=0.3, anchor=_CRYPTO_ANCHOR, decimals=5),
    _Instrument("fx", "GBPUSD", 1.2620, 0.085, 0.0, 0.1, 0.3, anchor=_CRYPTO_ANCHOR, decimals=5),
    _Instrument("fx", "USDJPY", 141.98, 0.095, 0.0, 0.1, 0.3, anchor=_CRYPTO_ANCHOR, currency="JPY", decimals=3),
)  # fmt: skip
CURRENCY = {inst.symbol: inst.currency for inst in _INSTRUMENTS}  # other quoted series (indexes, ETFs): USD

Series = tuple[np.ndarray, ...]  # (open, high, low, close, volume) of one quoted symbol


@dataclass(frozen=True)
class Quotes:
    symbols: tuple[str, ...]
    names: tuple[str, ...]
    open: np.ndarray  # (sessions, symbols)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    change_pct: np.ndarray  # NaN on the first session
    currencies: tuple[str, ...] = ()  # per symbol


@dataclass(frozen=True)
class Market:
    sessions: np.ndarray  # datetime64[D]
    stocks: tuple[Stock, ...]
    column: dict[str, int]
    shares: np.ndarray  # (symbols,) int64
    open: np.ndarray  # (sessions, symbols)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    members: dict[str, np.ndarray]  # index code -> column numbers
    quotes: dict[str, Quotes]  # asset class -> series
    plants: tuple[Plant, ...] = ()  # pattern templates planted in the stock paths


@lru_cache(maxsize=3)
def simulated_market(seed: int, plant: bool = True, size: int | None = None) -> Market:
    """The whole calendar's market for a seed, built once per process; `size`: the universe's (tail.py, None: the
    index members)."""
    return build_market(seed, len(calendar.all_sessions()), tail.demo_stocks(seed, size), plant=plant)


def build_market(
    seed: int, count: int, stocks: tuple[Stock, ...] | None = None, plant: bool = True
) -> Market:
    """Simulate `count` sessions from CALENDAR_START. Everything is causal, so a larger count only appends.
    `stocks` (default: the universe) exists so tests can show a symbol's bars ignore the other symbols;
    `plant=False` gives the same market without the planted chart patterns (the pure-noise control)."""
    stocks = universe.stocks() if stocks is None else stocks
    parameters = [stock_parameters(seed, s) for s in stocks]
    noise = _simulate_noise(seed, count, stocks, parameters)
    bars = _stock_bars(seed, count, stocks, parameters, noise, plant)
    noise = _without_stock_noise(noise)  # the universe-wide shocks are spent: let them go before the baskets
    members = {
        code: np.array([i for i, s in enumerate(stocks) if code in s.indices], dtype=np.int64)
        for code in INDEX_CODES
    }
    baskets = _baskets(bars, members)
    index_rows = _index_rows(baskets, bars.volume, members)
    rows: dict[str, dict[str, Series]] = {
        "index": index_rows,
        "etf": _etf_rows(seed, count, index_rows, baskets),
        "commodity": {},
        "crypto": {},
        "fx": {},
    }
    for inst, series in _instrument_series(seed, count, noise):
        rows[inst.asset_class][inst.symbol] = series
    quotes = {asset_class: _quote_set(asset_class, of_class) for asset_class, of_class in rows.items()}
    sessions = np.array(calendar.all_sessions()[:count], dtype="datetime64[D]")
    column = {s.symbol: i for i, s in enumerate(stocks)}
    return Market(
        sessions, stocks, column, bars.shares, bars.open, bars.high, bars.low, bars.close, bars.volume,
        members, quotes, bars.plants,
    )  # fmt: skip


def stock_parameters(seed: int, stock: Stock) -> dict[str, float]:
    """Per-symbol constants from the company's own stream, so they never depend on the rest of the universe
    and the share classes of one company share them. `price` is the close on the reference session."""
    u = rng(seed, "stock", reference.company(stock.symbol), "parameters").random(10)
    if not stock.indices:
        return _tail_parameters(stock, u)
    defensive = stock.sector in {"Utilities", "Consumer Staples", "Real Estate"}
    vol = float(np.clip(_SECTOR_VOL[stock.sector] * np.exp(0.4 * (2 * u[0] - 1)), 0.18, 0.44))
    if stock.symbol in _MEGA_CAPS or reference.company(stock.symbol) in _MEGA_CAPS:
        vol = float(np.clip(vol * _MEGA_CAP_VOL, 0.18, 0.32))
    market_beta = (0.55 + 0.45 * u[1]) if defensive else (0.75 + 0.6 * u[1])
    sector_loading = 0.6 + 0.7 * u[2]
    systematic = (market_beta * _MARKET_VOL) ** 2 + (sector_loading * _SECTOR_FACTOR_VOL) ** 2
    idio_vol = float(np.sqrt(max(vol**2 - systematic, 0.09**2)))
    price, _ = reference.reference_close(seed, stock.symbol, stock.sector)
    # Market caps on the reference session by tier, roughly the real ones (top names $0.3-2.5T, a typical
    # S&P 500 member about $35B).
    if stock.symbol in _MEGA_CAPS:
        cap = 700e9 * np.exp(0.8 * (u[4] * 2 - 1))
    elif stock.indices & {"DJI", "NDX"}:
        cap = 90e9 * np.exp(0.8 * (u[4] * 2 - 1))
    else:
        cap = 30e9 * np.exp(1.0 * (u[4] * 2 - 1))
    if reference.is_share_class(stock.symbol):
        cap /= 2  # the company's value is split between its classes
    persistence = 0.93 + 0.045 * u[5]
    alpha = 0.03 + 0.04 * u[6]
    return {
        "price": price,
        "shares": float(np.rint(cap / price)),
        "market_beta": market_beta,
        "sector_loading": sector_loading,
        "idio_vol": idio_vol,
        "drift": 0.03 + 0.07 * u[7],
        "alpha": alpha,
        "beta": persistence - alpha,
        "turnover": 0.004 + 0.008 * u[8],  # daily fraction of shares outstanding
    }


def _tail_parameters(stock: Stock, u: np.ndarray) -> dict[str, float]:
    """A synthetic small or mid cap (tail.py): market caps long-tailed below the index members' (median about
    $0.9 B, $25 M to $9 B), share prices lower ($1 to $300, median about $18 at $1 B), more volatile the smaller
    (about 45 % a year at $1 B, 25-110 %), a market beta of 0.8-1.5 and more name-specific risk, so the
    correlation with the market is about 0.3-0.5 as for real small caps, and a turnover of 0.2-1.4 % a day."""
    z = _normal_quantiles(u)
    cap = float(np.clip(0.9e9 * np.exp(1.3 * z[4]), _TAIL_CAP[0], _TAIL_CAP[1]))
    size = np.log(cap / 1e9)
    vol = float(np.clip(0.45 * np.exp(-0.12 * size + 0.3 * z[0]), 0.25, 1.1))
    market_beta = 0.8 + 0.7 * u[1]
    sector_loading = 0.5 + 0.7 * u[2]
    systematic = (market_beta * _MARKET_VOL) ** 2 + (sector_loading * _SECTOR_FACTOR_VOL) ** 2
    idio_vol = float(np.sqrt(max(vol**2 - systematic, 0.15**2)))
    price = float(np.clip(round(18.0 * np.exp(0.2 * size + 0.8 * z[3]), 2), 1.0, 300.0))
    persistence = 0.92 + 0.05 * u[5]
    alpha = 0.04 + 0.06 * u[6]
    return {
        "price": price,
        "shares": float(np.rint(cap / price)),
        "market_beta": market_beta,
        "sector_loading": sector_loading,
        "idio_vol": idio_vol,
        "drift": -0.02 + 0.12 * u[7],
        "alpha": alpha,
        "beta": persistence - alpha,
        "turnover": 0.002 + 0.012 * u[8],
    }


def _normal_quantiles(u: np.ndarray) -> np.ndarray:
    """Standard normal draws from the stream's uniforms (the parameter stream stays ten uniforms for everyone)."""
    unit = NormalDist()
    return np.array([unit.inv_cdf(min(max(float(x), 1e-9), 1 - 1e-9)) for x in u])


# ------------------------------------------------------------------------------------------------ factors


@dataclass(frozen=True)
class _Noise:
    """GARCH shocks and conditional sds, (sessions, series), split by what they drive."""

    market: np.ndarray  # (sessions,)
    market_sd: np.ndarray
    sector: np.ndarray  # one column per SECTORS entry
    sector_sd: np.ndarray
    stock: np.ndarray  # one column per stock: name-specific noise
    stock_sd: np.ndarray
    instrument: np.ndarray  # one column per _INSTRUMENTS entry: its own noise
    instrument_sd: np.ndarray


def _simulate_noise(
    seed: int, count: int, stocks: tuple[Stock, ...], parameters: list[dict[str, float]]
) -> _Noise:
    """One GARCH run for every noise series: market, sectors, stock idiosyncratic, other instruments."""
    spec = Garch(keys=[("factor", "market")], annual_vol=[_MARKET_VOL], alpha=[0.09], beta=[0.89])
    for sector in SECTORS:
        spec.keys.append(("factor", "sector", sector))
        spec.annual_vol.append(_SECTOR_FACTOR_VOL)
        spec.alpha.append(0.07)
        spec.beta.append(0.91)
    for stock, x in zip(stocks, parameters, strict=True):
        spec.keys.append(("stock", reference.company(stock.symbol), "returns"))
        spec.annual_vol.append(x["idio_vol"])
        spec.alpha.append(x["alpha"])
        spec.beta.append(x["beta"])
    for inst in _INSTRUMENTS:
        spec.keys.append((inst.asset_class, inst.symbol, "returns"))
        spec.annual_vol.append(inst.vol)
        spec.alpha.append(0.07)
        spec.beta.append(0.91)
    shocks, sds = simulate_garch(seed, count, spec)
    sector_cols = slice(1, 1 + len(SECTORS))
    stock_cols = slice(1 + len(SECTORS), 1 + len(SECTORS) + len(stocks))
    instrument_cols = slice(1 + len(SECTORS) + len(stocks), None)
    # the few factor and instrument columns are copied, so dropping the stock columns frees the big arrays
    return _Noise(
        shocks[:, 0].copy(), sds[:, 0].copy(), shocks[:, sector_cols].copy(), sds[:, sector_cols].copy(),
        shocks[:, stock_cols], sds[:, stock_cols], shocks[:, instrument_cols].copy(), sds[:, instrument_cols].copy(),
    )  # fmt: skip


def _without_stock_noise(noise: _Noise) -> _Noise:
    empty = np.empty((noise.stock.shape[0], 0))
    return replace(noise, stock=empty, stock_sd=empty)


# ------------------------------------------------------------------------------------------------- stocks


@dataclass(frozen=True)
class _StockBars:
    open: np.ndarray  # (sessions, stocks)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    shares: np.ndarray  # (stocks,) int64
    sector_of: np.ndarray  # (stocks,) position in SECTORS
    plants: tuple[Plant, ...]


def _stock_bars(
    seed: int,
    count: int,
    stocks: tuple[Stock, ...],
    parameters: list[dict[str, float]],
    noise: _Noise,
    plant: bool,
) -> _StockBars:
    """Factor-model log returns (with the planted patterns laid in), then bars and volume from them."""
    p = {k: np.array([x[k] for x in parameters]) for k in parameters[0]}
    sector_of = np.array([SECTORS.index(s.sector) for s in stocks])
    log_returns = (
        p["drift"] / TRADING_DAYS
        + p["market_beta"] * noise.market[:, None]
        + p["sector_loading"] * noise.sector[:, sector_of]
        + mean_revert(noise.stock, _IDIO_MEAN_REVERSION)
    )
    sd = np.sqrt(
        (p["market_beta"] * noise.market_sd[:, None]) ** 2
        + (p["sector_loading"] * noise.sector_sd[:, sector_of]) ** 2
        + noise.stock_sd**2
    )
    plants: tuple[Plant, ...] = ()
    if plant:
        log_returns, plants = plant_patterns(seed, stocks, log_returns, sd)
    _add_class_spreads(seed, log_returns, stocks)
    long_run_sd = np.sqrt(
        (p["market_beta"] * _MARKET_VOL) ** 2
        + (p["sector_loading"] * _SECTOR_FACTOR_VOL) ** 2
        + p["idio_vol"] ** 2
    ) / np.sqrt(TRADING_DAYS)
    shares = p["shares"].astype(np.int64)
    base_volume = shares * p["turnover"]
    o, h, lo, c = (np.empty_like(log_returns) for _ in range(4))
    volume = np.empty(log_returns.shape, dtype=np.int64)
    anchor = reference.anchor_row(count)
    # A block of stocks at a time: every step is per column, so the bars are the same, and the bar noise and the
    # temporaries of a 5,000-stock universe never exist for all of it at once.
    for first in range(0, len(stocks), _BAR_BLOCK):
        cols = slice(first, first + _BAR_BLOCK)
        bar_noise = _bar_noise(seed, count, stocks[cols])
        # Scaled so the close on the reference session is the reference close (reference.py).
        start = p["price"][cols] / np.exp(np.cumsum(log_returns[:, cols], axis=0)[anchor])
        o[:, cols], h[:, cols], lo[:, cols], c[:, cols] = _bars_from_returns(
            start, log_returns[:, cols], sd[:, cols], bar_noise)
        volume[:, cols] = _volume(base_volume[cols], log_returns[:, cols], long_run_sd[cols], bar_noise[..., 3])
    return _StockBars(o, h, lo, c, volume, shares, sector_of, plants)


def _add_class_spreads(seed: int, log_returns: np.ndarray, stocks: tuple[Stock, ...]) -> None:
    """Adds (in place: a universe-wide array of zeros would be one more price array) the log returns of the small
    spread of a secondary share class (GOOG) over the class it follows (GOOGL): stationary, so the two keep
    their reference ratio."""
    count = log_returns.shape[0]
    for j, stock in enumerate(stocks):
        if reference.company(stock.symbol) != stock.symbol:
            shock = _CLASS_SPREAD_SD * normals(seed, count, 1, "stock", stock.symbol, "class spread")[:, 0]
            log_returns[:, j] += mean_revert(shock, _CLASS_SPREAD_REVERSION)


def _bar_noise(seed: int, count: int, stocks: tuple[Stock, ...]) -> np.ndarray:
    """(sessions, stocks, 4) noise for gap, high, low and volume. Share classes share the company's gap and
    range noise (their bars stay in ratio) but keep their own volume noise."""
    noise = np.empty((count, len(stocks), 4))  # filled in place: a list of columns to stack would double it
    for j, stock in enumerate(stocks):
        noise[:, j, :] = normals(seed, count, 4, "stock", reference.company(stock.symbol), "bars")
        if reference.company(stock.symbol) != stock.symbol:
            noise[:, j, 3] = normals(seed, count, 4, "stock", stock.symbol, "bars")[:, 3]
    return noise


def _round_price(x: np.ndarray) -> np.ndarray:
    """Cents, or 4 decimals below $1. Monotone, so rounding never breaks low <= open/close <= high."""
    return _round_price_in_place(x.copy())


def _round_price_in_place(x: np.ndarray) -> np.ndarray:
    """_round_price overwriting `x`: for the universe-wide bar arrays, where a rounded copy of each would be four
    more of them at once."""
    small = x < 1.0
    below = x[small]
    np.round(x, 2, out=x)
    x[small] = np.maximum(np.round(below, 4), 1e-4)
    return x


def _volume(
    base: np.ndarray, log_returns: np.ndarray, daily_sd: np.ndarray | float, noise: np.ndarray
) -> np.ndarray:
    """Volume rises with size (base) and with the day's absolute move relative to the usual move."""
    activity = 0.55 + 0.9 * np.abs(log_returns) / daily_sd
    return np.maximum(np.rint(base * activity * np.exp(0.3 * noise - 0.045)), 1).astype(np.int64)


def _bars_from_returns(
    start: np.ndarray, log_returns: np.ndarray, sd: np.ndarray, noise: np.ndarray,
    rounding: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """OHLC from close-to-close log returns: part of the move gaps at the open, the range grows with the
    day's conditional vol. High/low extend beyond open/close, so the bars are valid by construction. `rounding`
    (monotone, so the bars stay valid) defaults to _round_price."""
    _round = rounding or _round_price_in_place
    close = start * np.exp(np.cumsum(log_returns, axis=0))
    open_ = np.concatenate([start[None, :], close[:-1]], axis=0)  # the previous close, then moved in place
    open_ *= np.exp(_OVERNIGHT_SHARE * log_returns + _GAP_NOISE * sd * noise[..., 0])
    high = np.maximum(open_, close)
    high *= np.exp(_RANGE_SCALE * sd * np.abs(noise[..., 1]))
    low = np.minimum(open_, close)
    low *= np.exp(-_RANGE_SCALE * sd * np.abs(noise[..., 2]))
    return _round(open_), _round(high), _round(low), _round(close)


# ------------------------------------------------------------------------------------------------ baskets


def _baskets(bars: _StockBars, members: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Every basket in one matmul per price field: cap-weighted SPX/NDX, price-weighted DJI, then each
    sector's SPX members cap-weighted (the sector SPDRs). Columns: INDEX_CODES, then SECTORS."""
    n_stocks, n_indices = bars.shares.shape[0], len(INDEX_CODES)
    weights = np.zeros((n_stocks, n_indices + len(SECTORS)))
    for k, code in enumerate(INDEX_CODES):
        weights[members[code], k] = 1.0 if code == "DJI" else bars.shares[members[code]]
    in_spx = np.zeros(n_stocks, dtype=bool)
    in_spx[members["SPX"]] = True
    for j in range(len(SECTORS)):
        weights[:, n_indices + j] = np.where(in_spx & (bars.sector_of == j), bars.shares, 0)
    return _basket(weights, bars.open, bars.high, bars.low, bars.close)


def _basket(
    weights: np.ndarray, o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Weighted sums of constituent OHLC. Constituent highs and lows do not happen at the same moment, so
    the basket's high/low sit halfway between its open/close extremes and the summed highs/lows."""
    bo, bh, bl, bc = (x @ weights for x in (o, h, lo, c))
    top, bottom = np.maximum(bo, bc), np.minimum(bo, bc)
    return bo, top + 0.5 * (bh - top), bottom - 0.5 * (bottom - bl), bc


def _index_rows(
    baskets: tuple[np.ndarray, ...], volume: np.ndarray, members: dict[str, np.ndarray]
) -> dict[str, Series]:
    """Index levels with the divisors fixed on the reference session, where the levels are the real ones;
    volume is the constituents' total."""
    index_rows: dict[str, Series] = {}
    anchor = reference.anchor_row(baskets[3].shape[0])
    for k, code in enumerate(INDEX_CODES):
        divisor = baskets[3][anchor, k] / reference.INDEX_LEVELS[code]
        index_rows[code] = tuple(np.round(x[:, k] / divisor, 2) for x in baskets) + (
            volume[:, members[code]].sum(axis=1),
        )
    return index_rows


def _etf_rows(
    seed: int, count: int, index_rows: dict[str, Series], baskets: tuple[np.ndarray, ...]
) -> dict[str, Series]:
    """Index trackers (a fixed fraction of their index) and the sector baskets scaled to their start price."""
    etf_rows: dict[str, Series] = {}
    anchor = reference.anchor_row(count)
    for symbol, (code, ratio, base_volume) in _INDEX_ETFS.items():
        etf_noise = normals(seed, count, 2, "etf", symbol, "bars")
        tracking = np.exp(0.0002 * etf_noise[:, 0])  # about 2bp of daily tracking noise, not cumulative
        io, ih, il, ic = (index_rows[code][k] / ratio * tracking for k in range(4))
        etf_rows[symbol] = (
            *(_round_price(x) for x in (io, ih, il, ic)),
            _etf_volume(base_volume, ic, etf_noise),
        )
    for j, sector in enumerate(SECTORS):
        symbol, k = SECTOR_ETFS[sector], len(INDEX_CODES) + j
        scale = reference.SECTOR_ETF_LEVELS[symbol] / baskets[3][anchor, k]
        etf_noise = normals(seed, count, 2, "etf", symbol, "bars")
        rows = tuple(_round_price(x[:, k] * scale) for x in baskets)
        etf_rows[symbol] = (*rows, _etf_volume(_SECTOR_ETF_VOLUME[symbol], baskets[3][:, k], etf_noise))
    return etf_rows


def _etf_volume(base: float, close: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """A fixed typical move (not the path's own std, which would change as the calendar grows)."""
    log_returns = np.diff(np.log(close), prepend=np.log(close[0]))
    return _volume(np.full(close.shape[0], base), log_returns, _ETF_TYPICAL_SD, noise[:, 1])


# ------------------------------------------------------------------------------------------- instruments


def _instrument_series(seed: int, count: int, noise: _Noise) -> Iterator[tuple[_Instrument, Series]]:
    """IWM/TLT from the market factor, the commodities and the coins: own noise plus a market beta."""
    for k, inst in enumerate(_INSTRUMENTS):
        own, own_sd = noise.instrument[:, k], noise.instrument_sd[:, k]
        shock = inst.market_beta * noise.market + own
        shock_sd = np.sqrt((inst.market_beta * noise.market_sd) ** 2 + own_sd**2)
        drift = inst.drift / TRADING_DAYS
        if inst.mean_reversion:
            log_returns = drift + mean_revert(shock, inst.mean_reversion)
        else:
            log_returns = drift + shock
        start = inst.price
        if inst.anchor is not None:
            anchor_row = calendar.session_index(inst.anchor)
            if anchor_row >= count:  # the anchor must lie inside the simulated history
                raise ValueError(f"{count} sessions end before the {inst.symbol} anchor {inst.anchor}")
            start = inst.price / float(np.exp(np.sum(log_returns[: anchor_row + 1])))
        bar_noise = normals(seed, count, 4, inst.asset_class, inst.symbol, "bars")
        decimals = inst.decimals
        rounding = None if decimals is None else (lambda x, d=decimals: np.round(x, d))
        bars = _bars_from_returns(
            np.array([start]), log_returns[:, None], shock_sd[:, None], bar_noise[:, None, :], rounding
        )
        typical_sd = np.sqrt(inst.market_beta**2 * _MARKET_VOL**2 + inst.vol**2) / np.sqrt(TRADING_DAYS)
        if inst.asset_class == "crypto":  # notional volume: scale the coin count by its price
            base = inst.daily_volume / inst.price * bars[3][:, 0]
        else:
            base = np.full(count, inst.daily_volume)
        volume = _volume(base, log_returns, typical_sd, bar_noise[:, 3])
        yield inst, (*(x[:, 0] for x in bars), volume)


def _quote_set(asset_class: str, rows: dict[str, Series]) -> Quotes:
    """The class's series side by side, sorted by symbol, with their INSTRUMENTS display names."""
    symbols = sorted(rows)
    names = [INSTRUMENTS[asset_class][s] for s in symbols]
    o, h, lo, c, v = (np.column_stack([rows[s][k] for s in symbols]) for k in range(5))
    currencies = tuple(CURRENCY.get(s, "USD") for s in symbols)
    return Quotes(tuple(symbols), tuple(names), o, h, lo, c, v.astype(np.int64), _change_pct(c), currencies)


def _change_pct(close: np.ndarray) -> np.ndarray:
    change = np.full_like(close, np.nan)
    change[1:] = (close[1:] / close[:-1] - 1.0) * 100.0
    return change
