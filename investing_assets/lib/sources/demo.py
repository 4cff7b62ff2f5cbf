"""Offline, deterministic demo market: real US index members, synthetic but plausible prices.

Why it exists: the whole asset graph (and every test) must run without a network or a data vendor, and
a rerun of any partition must give identical rows. So the demo simulates one fixed history, from
CALENDAR_START to the calendar's last session, once per process and seed, and every call slices it.

Determinism rests on three rules:
- every random stream is keyed by a stable hash (blake2b) of what it drives ("stock", "AAPL", "returns";
  "factor", "market"; ...), never by Python's salted ``hash()`` and never by position, so a symbol's
  draws do not depend on which other symbols exist;
- each stream fills exactly one array in time order and every recursion is causal, so a longer
  calendar only appends sessions (the calendar runs a year past today and grows daily) and never
  changes an existing bar;
- index divisors and ETF scales are fixed at the first session.

Model: log return = drift + beta * market factor + loading * sector factor + name-specific noise. Every
factor and noise series is GARCH(1,1) with standardized Student-t (df 4) innovations, which gives fat
tails and volatility clustering; the name-specific price level slowly mean-reverts so that, without
splits, no share price runs off to absurd levels. Chart-pattern templates are planted in a fixed subset
of stocks as ground truth for the scanner (see "planted patterns" below). Volume units: shares for stocks
and ETFs, contracts for futures, US dollars of notional for crypto (as Yahoo reports them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
import talib
from pytickersymbols import PyTickerSymbols

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import DAILY_BARS, INDEX_CONSTITUENTS, QUOTES, UNIVERSE, conform
from investing_assets.lib.core.symbols import is_ticker

TRADING_DAYS = 252
T_DF = 4.0
# A single Student-t(4) draw can exceed 20 sigma; clipping keeps fat tails but rules out one-day wipeouts.
Z_CLIP = 8.0

INDEX_CODES = ("SPX", "NDX", "DJI")
_PYTICKERSYMBOLS_INDEX = {"SPX": "S&P 500", "NDX": "NASDAQ 100", "DJI": "DOW JONES"}
INDEX_NAMES = {"SPX": "S&P 500", "NDX": "NASDAQ-100", "DJI": "Dow Jones Industrial Average"}
# Real closes on 2010-01-04 (CALENDAR_START): the divisors are fixed there, later levels are the model's.
_INDEX_BASE_LEVELS = {"SPX": 1132.99, "NDX": 1886.70, "DJI": 10583.96}

SECTOR_ETFS = {
    "Information Technology": "XLK",
    "Financials": "XLF",
    "Energy": "XLE",
    "Health Care": "XLV",
    "Consumer Discretionary": "XLY",
    "Consumer Staples": "XLP",
    "Industrials": "XLI",
    "Utilities": "XLU",
    "Materials": "XLB",
    "Real Estate": "XLRE",
    "Communication Services": "XLC",
}
SECTORS = tuple(SECTOR_ETFS)

# When pytickersymbols lists two GICS sectors (AES: Energy + Utilities, EQIX: Financials + Real Estate,
# GEV: Energy + Industrials, MCO: Financials + Industrials, STE: Health Care + Utilities, GRMN: Consumer
# Discretionary + Industrials) the earlier one here is the actual GICS classification.
_SECTOR_PRECEDENCE = (
    "Real Estate",
    "Health Care",
    "Consumer Discretionary",
    "Utilities",
    "Financials",
    "Communication Services",
    "Information Technology",
    "Consumer Staples",
    "Materials",
    "Industrials",
    "Energy",
)
# For the few records without any GICS sector name (mostly NASDAQ-100-only names); first match wins.
_SECTOR_KEYWORDS = (
    (("real estate", "reit"), "Real Estate"),
    (("utilit",), "Utilities"),
    (("biotech", "pharma", "health", "medical"), "Health Care"),
    (("semiconductor", "software", "technology", "computer", "edp", "security"), "Information Technology"),
    (("bank", "insurance", "financ", "invest"), "Financials"),
    (("oil", "gas", "petroleum", "energy"), "Energy"),
    (("beverage", "food", "tobacco", "household"), "Consumer Staples"),
    (("retail", "e-commerce", "restaurant", "apparel", "automo"), "Consumer Discretionary"),
    (("media", "telecom", "internet", "entertainment"), "Communication Services"),
    (("chemical", "mining", "metal", "material", "packaging"), "Materials"),
)
# Sector-like labels that say nothing beyond the sector, so they are skipped when choosing an industry.
_NOT_AN_INDUSTRY = {s.lower() for s in SECTORS} | {
    "technology", "information technology", "healthcare", "health care", "financial services",
    "consumer cyclicals", "consumer non-cyclicals", "industrial goods", "basic materials", "real estate",
    "cyclical consumer services", "energy industry",
}  # fmt: skip
_US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
    "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming", "D.C.", "United States",
}  # fmt: skip
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
# Per year. Idiosyncratic price levels drift apart slowly and boundedly: without it a few names end the
# history 300x up at $100k+ a share (no splits in the demo), which dominates the price-weighted Dow.
_IDIO_MEAN_REVERSION = 0.1
_OVERNIGHT_SHARE = 0.3  # part of the close-to-close move that shows up as the opening gap
_GAP_NOISE = 0.25
_RANGE_SCALE = 0.55


@dataclass(frozen=True)
class _Instrument:
    """A non-stock quote series and how to simulate it (own GARCH noise plus optional market beta)."""

    asset_class: str
    symbol: str
    name: str
    price: float  # level at CALENDAR_START, or at `anchor` when set
    vol: float  # long-run annual vol of its own noise
    drift: float  # annual log drift
    market_beta: float = 0.0
    mean_reversion: float = 0.0  # per year, toward the drifting base level (commodities)
    anchor: dt.date | None = None
    daily_volume: float = 1e6


_ETF_NAMES = {
    "SPY": "SPDR S&P 500 ETF Trust",
    "QQQ": "Invesco QQQ Trust",
    "DIA": "SPDR Dow Jones Industrial Average ETF Trust",
    "IWM": "iShares Russell 2000 ETF",
    "TLT": "iShares 20+ Year Treasury Bond ETF",
    "XLK": "Technology Select Sector SPDR Fund",
    "XLF": "Financial Select Sector SPDR Fund",
    "XLE": "Energy Select Sector SPDR Fund",
    "XLV": "Health Care Select Sector SPDR Fund",
    "XLY": "Consumer Discretionary Select Sector SPDR Fund",
    "XLP": "Consumer Staples Select Sector SPDR Fund",
    "XLI": "Industrial Select Sector SPDR Fund",
    "XLU": "Utilities Select Sector SPDR Fund",
    "XLB": "Materials Select Sector SPDR Fund",
    "XLRE": "Real Estate Select Sector SPDR Fund",
    "XLC": "Communication Services Select Sector SPDR Fund",
}
# ETFs that are a fixed fraction of an index (the real ratios, roughly).
_INDEX_ETFS = {"SPY": ("SPX", 10.0, 80e6), "QQQ": ("NDX", 41.0, 45e6), "DIA": ("DJI", 100.0, 4e6)}
# Sector ETF prices at CALENDAR_START (XLRE and XLC launched later; the demo backfills them).
_SECTOR_ETF_START = {
    "XLK": 23.0, "XLF": 14.6, "XLE": 58.0, "XLV": 31.5, "XLY": 30.0, "XLP": 26.6, "XLI": 28.0,
    "XLU": 31.0, "XLB": 34.0, "XLRE": 30.0, "XLC": 45.0,
}  # fmt: skip
_SECTOR_ETF_VOLUME = {
    "XLK": 8e6, "XLF": 40e6, "XLE": 18e6, "XLV": 9e6, "XLY": 5e6, "XLP": 10e6, "XLI": 12e6,
    "XLU": 14e6, "XLB": 6e6, "XLRE": 6e6, "XLC": 5e6,
}  # fmt: skip
_ETF_TYPICAL_SD = 0.012
_CRYPTO_ANCHOR = dt.date(2024, 1, 2)
_INSTRUMENTS = (
    _Instrument("etf", "IWM", _ETF_NAMES["IWM"], 63.0, 0.10, 0.06, market_beta=1.25, daily_volume=30e6),
    _Instrument("etf", "TLT", _ETF_NAMES["TLT"], 89.0, 0.12, 0.005, market_beta=-0.35, daily_volume=15e6),
    _Instrument("commodity", "GC=F", "Gold", 1118.0, 0.165, 0.07, -0.05, 0.25, daily_volume=200e3),
    _Instrument("commodity", "SI=F", "Silver", 17.4, 0.28, 0.05, 0.2, 0.25, daily_volume=60e3),
    _Instrument("commodity", "CL=F", "Crude Oil", 81.5, 0.37, 0.0, 0.4, 0.4, daily_volume=400e3),
    _Instrument("commodity", "NG=F", "Natural Gas", 5.9, 0.58, -0.03, 0.1, 0.5, daily_volume=150e3),
    _Instrument("commodity", "HG=F", "Copper", 3.4, 0.22, 0.02, 0.5, 0.3, daily_volume=50e3),
    _Instrument("crypto", "BTC-USD", "Bitcoin USD", 44_900.0, 0.63, 0.35, 0.9, anchor=_CRYPTO_ANCHOR, daily_volume=25e9),
    _Instrument("crypto", "ETH-USD", "Ethereum USD", 2_350.0, 0.76, 0.40, 1.0, anchor=_CRYPTO_ANCHOR, daily_volume=12e9),
    _Instrument("crypto", "SOL-USD", "Solana USD", 100.0, 0.9, 0.45, 1.1, anchor=_CRYPTO_ANCHOR, daily_volume=2e9),
)  # fmt: skip


# ----------------------------------------------------------------------------------------------- universe


@dataclass(frozen=True)
class _Stock:
    symbol: str
    name: str
    sector: str
    industry: str
    indices: frozenset[str]  # index codes


def _plain_ticker(raw: object) -> str | None:
    """Plain form (BRK.B, not BRK-B or BRK/B); None when it cannot be made to fit the warehouse rule."""
    if not isinstance(raw, str):
        return None
    ticker = raw.strip().upper().replace("/", ".")
    return ticker if is_ticker(ticker) else None


def _is_us(record: dict, indices: set[str]) -> bool:
    """S&P 500 and Dow membership already require a US listing and domicile; only NASDAQ-100-only names
    (which include foreign ADRs) are screened, by headquarters, else by a US ISIN when HQ is missing."""
    if indices & {"SPX", "DJI"}:
        return True
    country = (record.get("country") or "").strip()
    if country and country.lower() != "none":
        return country.rsplit(",", 1)[-1].strip() in _US_STATES
    return any(str(isin).startswith("US") for isin in record.get("isins") or [])


def _keyword_sector(label: str) -> str | None:
    text = label.lower()
    return next((sector for keywords, sector in _SECTOR_KEYWORDS if any(k in text for k in keywords)), None)


def _sector(industries: Sequence[str]) -> str:
    named = set(industries) & set(SECTORS)
    if named:
        return next(s for s in _SECTOR_PRECEDENCE if s in named)
    return _keyword_sector(" ".join(industries)) or "Industrials"


def _industry(industries: Sequence[str], sector: str) -> str:
    """First specific label, preferring one that agrees with the sector (Steris is also tagged "Electric
    Utilities" upstream). The labels come sorted alphabetically, so the choice is stable."""
    specific = [i.strip() for i in industries if i and i.strip().lower() not in _NOT_AN_INDUSTRY]
    if not specific:
        return sector

    def disagreement(label: str) -> int:
        found = _keyword_sector(label)
        return 0 if found == sector else 1 if found is None else 2

    return min(specific, key=disagreement)  # min() keeps the first of equals


@lru_cache(maxsize=1)
def _stocks() -> tuple[_Stock, ...]:
    """Union of S&P 500, NASDAQ-100 and Dow members, sorted by symbol. Data ships inside pytickersymbols."""
    tickers = PyTickerSymbols()
    records: dict[str, dict] = {}
    membership: dict[str, set[str]] = {}
    for code in INDEX_CODES:  # S&P 500 first: its records carry GICS sector names
        for record in tickers.get_stocks_by_index(_PYTICKERSYMBOLS_INDEX[code]):
            symbol = _plain_ticker(record.get("symbol"))
            if symbol is None:
                continue
            records.setdefault(symbol, record)
            membership.setdefault(symbol, set()).add(code)
    stocks = []
    for symbol in sorted(records):
        record, indices = records[symbol], membership[symbol]
        if not _is_us(record, indices):
            continue
        industries = [i for i in record.get("industries") or [] if isinstance(i, str)]
        sector = _sector(industries)
        name = str(record.get("name") or symbol).strip()
        stocks.append(_Stock(symbol, name, sector, _industry(industries, sector), frozenset(indices)))
    return tuple(stocks)


# -------------------------------------------------------------------------------------------- random streams


def _rng(seed: int, *key: str) -> np.random.Generator:
    """An independent stream per key; blake2b, unlike hash(), is the same in every process."""
    digest = hashlib.blake2b("\x1f".join(key).encode(), digest_size=16).digest()
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, *digest])))


def _t_innovations(seed: int, count: int, *key: str) -> np.ndarray:
    """Unit-variance Student-t draws, clipped; one stream per series so a longer history only appends."""
    z = _rng(seed, *key).standard_t(T_DF, size=count) * np.sqrt((T_DF - 2.0) / T_DF)
    return np.clip(z, -Z_CLIP, Z_CLIP)


def _normals(seed: int, count: int, width: int, *key: str) -> np.ndarray:
    """(count, width) normals filled row by row, so the first rows do not depend on count."""
    return _rng(seed, *key).standard_normal((count, width))


@dataclass(frozen=True)
class _Garch:
    """Unit innovations and GARCH(1,1) parameters for a set of series, simulated together per step."""

    keys: list[tuple[str, ...]]
    annual_vol: list[float]
    alpha: list[float]
    beta: list[float]


def _simulate_garch(seed: int, count: int, spec: _Garch) -> tuple[np.ndarray, np.ndarray]:
    """Returns (shocks, conditional sd), both (count, series), in daily log-return units."""
    z = np.column_stack([_t_innovations(seed, count, *key) for key in spec.keys])
    alpha, beta = np.asarray(spec.alpha), np.asarray(spec.beta)
    long_run = (np.asarray(spec.annual_vol) ** 2) / TRADING_DAYS
    omega = long_run * (1.0 - alpha - beta)
    shocks, sds = np.empty_like(z), np.empty_like(z)
    var = long_run.copy()
    for t in range(count):
        sd = np.sqrt(var)
        shock = sd * z[t]
        shocks[t], sds[t] = shock, sd
        var = omega + alpha * shock * shock + beta * var
    return shocks, sds


# -------------------------------------------------------------------------------------- planted patterns
#
# Ground truth for the chart-pattern detectors. About PLANT_FRACTION of the stocks (chosen by a hash of the
# symbol, so the choice ignores the rest of the universe) carry a sequence of textbook formations, each a
# template of turning points joined by smoothstep segments, in units of its amplitude. Inside a formation
# the stock keeps its day-to-day noise (log price minus its causal 2-session EMA: about 0.6 daily sd, 0.4
# ATR) but loses its slower wander, which the template replaces; after it the base returns resume from the
# new level. Why: added on top of the undamped walk, a 3 ATR template over 60 sessions is swamped by the
# walk's own ~4 ATR wander and is no longer the pattern it claims to be. How clean the formations are sets
# the recall any detector can reach (measured with the scanner's detector on >= 3 ATR formations: 0.87
# with this EMA span 2, 0.72 with span 3, 0.50 with span 5), so it is a documented constant, not a knob
# tuned per test. The overlay acts on log returns before the bars are built, so OHLC stays valid by
# construction and volume reacts to the template's moves like to any other move. Schedules are drawn
# _PLANT_HORIZON sessions ahead from the symbol's own stream and every step is causal, so a longer
# calendar only appends.

PLANT_FRACTION = 0.10
_PLANT_HORIZON = 10_000
_PLANT_FIRST = (260, 420)  # a year of unplanted history first: eligibility and indicator warm-up
_PLANT_GAP = (40, 160)  # untouched sessions between formations
_PLANT_LEG = (9, 17)  # sessions between turning points
_PLANT_AMPLITUDE_ATR = (1.0, 6.0)
# ATR 14 / price over the daily return sd of these bars (gaps and ranges): converts a target amplitude in
# ATRs into log units. planted_patterns() reports the realised ratio, not this estimate.
_ATR_PER_SD = 1.6
_PLANT_NOISE_ALPHA = 2.0 / 3.0  # EMA span 2: the day-to-day noise stays, anything slower is the template's

PLANTED_PATTERNS = {
    "symbol": pl.String,
    "pattern": pl.String,
    "direction": pl.String,
    "start_session": pl.Date,
    "completion_session": pl.Date,
    "amplitude": pl.Float64,
    "amplitude_atr": pl.Float64,
    "key_points": pl.List(pl.Struct({"session": pl.Date, "price": pl.Float64})),
}

# What a template can be; None means either direction, drawn at random.
PLANTABLE: tuple[tuple[str, str | None], ...] = (
    ("head_and_shoulders", "bearish"),
    ("inverse_head_and_shoulders", "bullish"),
    ("double_top", "bearish"),
    ("double_bottom", "bullish"),
    ("ascending_triangle", "bullish"),
    ("descending_triangle", "bearish"),
    ("symmetric_triangle", None),
    ("rectangle", None),
    ("broadening", None),
    ("rising_wedge", "bearish"),
    ("falling_wedge", "bullish"),
    ("ascending_channel", None),
    ("descending_channel", None),
)
# Boundary formations drawn breaking out upward: (height at the first touch, change of the upper line,
# change of the lower line) from first to last touch, in amplitudes (the widest height is 1).
_BOUNDARY_UP = {
    "ascending_triangle": (1.0, 0.0, 0.55),
    "symmetric_triangle": (1.0, -0.3, 0.3),
    "rectangle": (1.0, 0.0, 0.0),
    "broadening": (0.4, 0.3, -0.3),
    "falling_wedge": (1.0, -1.0, -0.4),
    "ascending_channel": (1.0, 0.8, 0.8),
    "descending_channel": (1.0, -0.8, -0.8),
}
# Turning a formation upside down makes a breakout up a breakdown and mirrors its slopes.
_MIRROR = {
    "ascending_triangle": "descending_triangle",
    "descending_triangle": "ascending_triangle",
    "falling_wedge": "rising_wedge",
    "rising_wedge": "falling_wedge",
    "ascending_channel": "descending_channel",
    "descending_channel": "ascending_channel",
}


@dataclass(frozen=True)
class _Template:
    offsets: np.ndarray  # vertex offsets in sessions, the first is 0
    levels: np.ndarray  # vertex levels in amplitudes, the first is 0
    key: tuple[int, ...]  # vertices that are the formation's turning points
    line: tuple[float, float, float, float]  # breakout line through (t0, y0) and (t1, y1)
    sign: int  # +1 completes on a close above the line, -1 below

    def flipped(self) -> _Template:
        t0, y0, t1, y1 = self.line
        return _Template(self.offsets, -self.levels, self.key, (t0, -y0, t1, -y1), -self.sign)

    def path(self) -> np.ndarray:
        """Level at every session offset: smoothstep between vertices, so turning points are rounded."""
        t = np.arange(int(self.offsets[-1]) + 1, dtype=np.float64)
        k = np.clip(np.searchsorted(self.offsets, t, side="right") - 1, 0, len(self.offsets) - 2)
        u = (t - self.offsets[k]) / (self.offsets[k + 1] - self.offsets[k])
        return self.levels[k] + (self.levels[k + 1] - self.levels[k]) * u * u * (3.0 - 2.0 * u)

    def completion(self) -> int:
        """First offset after the last turning point where the path closes beyond the breakout line."""
        t0, y0, t1, y1 = self.line
        path = self.path()
        t = np.arange(path.shape[0], dtype=np.float64)
        beyond = self.sign * (path - (y0 + (y1 - y0) * (t - t0) / (t1 - t0))) > 0
        beyond[: int(self.offsets[self.key[-1]]) + 1] = False
        return int(np.argmax(beyond))


@dataclass(frozen=True)
class _Plant:
    column: int
    pattern: str
    direction: str
    start: int  # row where the template starts (its level there is the base path's)
    key_rows: tuple[int, ...]
    completion: int
    amplitude_log: float


def _legs(
    rng: np.random.Generator, count: int, low: int = _PLANT_LEG[0], high: int = _PLANT_LEG[1]
) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(rng.integers(low, high, size=count))]).astype(np.float64)


def _head_and_shoulders(rng: np.random.Generator) -> _Template:
    """Approach, left shoulder, trough, head (1 above the neckline), trough, right shoulder, breakdown."""
    x = _legs(rng, 6)
    neck0, tilt = 0.35, rng.uniform(-0.15, 0.15)

    def neck(t: float) -> float:
        return neck0 + tilt * (t - x[2]) / (x[4] - x[2])

    levels = [
        0.0,
        neck(x[1]) + rng.uniform(0.55, 0.7),
        neck(x[2]),
        neck(x[3]) + 1.0,
        neck(x[4]),
        neck(x[5]) + rng.uniform(0.55, 0.7),
        neck(x[6]) - 0.5,
    ]
    return _Template(x, np.array(levels), (1, 2, 3, 4, 5), (x[2], neck(x[2]), x[4], neck(x[4])), -1)


def _double_top(rng: np.random.Generator) -> _Template:
    x = _legs(rng, 1)
    x = np.concatenate([x, x[-1] + _legs(rng, 2, 10, 21)[1:], [0.0]])
    x[-1] = x[-2] + rng.integers(*_PLANT_LEG)
    base = 0.3
    levels = [0.0, base + 1.0, base, base + 1.0 + rng.uniform(-0.05, 0.05), base - 0.5]
    return _Template(x, np.array(levels), (1, 2, 3), (x[2], base, x[2] + 1.0, base), -1)


def _boundary(shape: str, rng: np.random.Generator) -> _Template:
    """Five alternating touches (low, high, low, high, low) of two lines, then a breakout above the upper."""
    height, d_upper, d_lower = _BOUNDARY_UP[shape]
    x = _legs(rng, 6)
    low0 = -0.6  # the approach falls into the first touch, so no earlier low competes with it

    def lower(t: float) -> float:
        return low0 + d_lower * (t - x[1]) / (x[5] - x[1])

    def upper(t: float) -> float:
        return low0 + height + d_upper * (t - x[1]) / (x[5] - x[1])

    levels = [0.0, lower(x[1]), upper(x[2]), lower(x[3]), upper(x[4]), lower(x[5]), upper(x[6]) + 0.4]
    return _Template(x, np.array(levels), (1, 2, 3, 4, 5), (x[2], upper(x[2]), x[4], upper(x[4])), 1)


def _template(pattern: str, direction: str, rng: np.random.Generator) -> _Template:
    if pattern in ("head_and_shoulders", "inverse_head_and_shoulders"):
        template = _head_and_shoulders(rng)
        return template if pattern == "head_and_shoulders" else template.flipped()
    if pattern in ("double_top", "double_bottom"):
        template = _double_top(rng)
        return template if pattern == "double_top" else template.flipped()
    if direction == "bullish":
        return _boundary(pattern, rng)
    return _boundary(_MIRROR.get(pattern, pattern), rng).flipped()


def _is_planted(seed: int, symbol: str) -> bool:
    return bool(_rng(seed, "plant", symbol).random() < PLANT_FRACTION)


def _plant_schedule(seed: int, symbol: str) -> list[tuple[int, str, str, float, _Template]]:
    """(start row, pattern, direction, target amplitude in ATRs, template), drawn to the fixed horizon."""
    rng = _rng(seed, "plant", symbol, "schedule")
    schedule, start = [], int(rng.integers(*_PLANT_FIRST))
    while start < _PLANT_HORIZON:
        pattern, direction = PLANTABLE[int(rng.integers(len(PLANTABLE)))]
        if direction is None:
            direction = "bullish" if rng.random() < 0.5 else "bearish"
        target_atr = float(rng.uniform(*_PLANT_AMPLITUDE_ATR))
        template = _template(pattern, direction, rng)
        schedule.append((start, pattern, direction, target_atr, template))
        start += int(template.offsets[-1]) + int(rng.integers(*_PLANT_GAP))
    return schedule


def _plant_patterns(
    seed: int, stocks: Sequence[_Stock], log_returns: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, tuple[_Plant, ...]]:
    """Log returns with the templates laid over the chosen stocks' paths (see the section comment)."""
    count = log_returns.shape[0]
    columns = [k for k, s in enumerate(stocks) if _is_planted(seed, s.symbol)]
    if not columns:
        return log_returns, ()
    out = log_returns.copy()
    level = np.cumsum(log_returns[:, columns], axis=0)
    ema = np.empty_like(level)
    ema[0] = level[0]
    for t in range(1, count):  # causal EMA: the noise kept at row t never depends on later rows
        ema[t] = ema[t - 1] + _PLANT_NOISE_ALPHA * (level[t] - ema[t - 1])
    fast = level - ema
    fast_step = np.diff(fast, axis=0, prepend=fast[:1])
    plants = []
    for j, column in enumerate(columns):
        for start, pattern, direction, target_atr, template in _plant_schedule(seed, stocks[column].symbol):
            if start >= count:
                break
            amplitude = target_atr * _ATR_PER_SD * float(np.mean(sd[start - 14 : start, column]))
            path = template.path()
            rows = np.arange(start + 1, min(start + path.shape[0], count))
            out[rows, column] = amplitude * np.diff(path)[: rows.shape[0]] + fast_step[rows, j]
            key_rows = tuple(start + int(template.offsets[k]) for k in template.key)
            completion = start + template.completion()
            plants.append(_Plant(column, pattern, direction, start, key_rows, completion, amplitude))
    return out, tuple(plants)


def _planted_frame(market: _Market) -> pl.DataFrame:
    count = market.close.shape[0]
    rows: list[dict[str, object]] = []
    atr_of: dict[int, np.ndarray] = {}
    for plant in market.plants:
        if plant.completion >= count:
            continue
        col = plant.column
        if col not in atr_of:
            atr_of[col] = talib.ATR(market.high[:, col], market.low[:, col], market.close[:, col], 14)
        close = market.close[:, col]
        amplitude = plant.amplitude_log * float(close[plant.start])
        rows.append(
            {
                "symbol": market.stocks[col].symbol,
                "pattern": plant.pattern,
                "direction": plant.direction,
                "start_session": market.sessions[plant.key_rows[0]].item(),
                "completion_session": market.sessions[plant.completion].item(),
                "amplitude": amplitude,
                "amplitude_atr": amplitude / float(atr_of[col][plant.start]),
                "key_points": [
                    {"session": market.sessions[r].item(), "price": float(close[r])} for r in plant.key_rows
                ],
            }
        )
    frame = pl.DataFrame(rows, schema=PLANTED_PATTERNS)
    return frame.sort("symbol", "completion_session")


# ------------------------------------------------------------------------------------------- the market


@dataclass(frozen=True)
class _Quotes:
    symbols: tuple[str, ...]
    names: tuple[str, ...]
    open: np.ndarray  # (sessions, symbols)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    change_pct: np.ndarray  # NaN on the first session


@dataclass(frozen=True)
class _Market:
    sessions: np.ndarray  # datetime64[D]
    stocks: tuple[_Stock, ...]
    column: dict[str, int]
    shares: np.ndarray  # (symbols,) int64
    open: np.ndarray  # (sessions, symbols)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    members: dict[str, np.ndarray]  # index code -> column numbers
    quotes: dict[str, _Quotes]  # asset class -> series
    plants: tuple[_Plant, ...] = ()  # pattern templates planted in the stock paths


def _round_price(x: np.ndarray) -> np.ndarray:
    """Cents, or 4 decimals below $1. Monotone, so rounding never breaks low <= open/close <= high."""
    out = np.round(x, 2)
    small = x < 1.0
    out[small] = np.maximum(np.round(x[small], 4), 1e-4)
    return out


def _volume(
    base: np.ndarray, log_returns: np.ndarray, daily_sd: np.ndarray | float, noise: np.ndarray
) -> np.ndarray:
    """Volume rises with size (base) and with the day's absolute move relative to the usual move."""
    activity = 0.55 + 0.9 * np.abs(log_returns) / daily_sd
    return np.maximum(np.rint(base * activity * np.exp(0.3 * noise - 0.045)), 1).astype(np.int64)


def _bars_from_returns(
    start: np.ndarray, log_returns: np.ndarray, sd: np.ndarray, noise: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """OHLC from close-to-close log returns: part of the move gaps at the open, the range grows with the
    day's conditional vol. High/low extend beyond open/close, so the bars are valid by construction."""
    close = start * np.exp(np.cumsum(log_returns, axis=0))
    previous = np.concatenate([start[None, :], close[:-1]], axis=0)
    open_ = previous * np.exp(_OVERNIGHT_SHARE * log_returns + _GAP_NOISE * sd * noise[..., 0])
    high = np.maximum(open_, close) * np.exp(_RANGE_SCALE * sd * np.abs(noise[..., 1]))
    low = np.minimum(open_, close) * np.exp(-_RANGE_SCALE * sd * np.abs(noise[..., 2]))
    return _round_price(open_), _round_price(high), _round_price(low), _round_price(close)


def _basket(
    weights: np.ndarray, o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Weighted sums of constituent OHLC. Constituent highs and lows do not happen at the same moment, so
    the basket's high/low sit halfway between its open/close extremes and the summed highs/lows."""
    bo, bh, bl, bc = (x @ weights for x in (o, h, lo, c))
    top, bottom = np.maximum(bo, bc), np.minimum(bo, bc)
    return bo, top + 0.5 * (bh - top), bottom - 0.5 * (bottom - bl), bc


def _change_pct(close: np.ndarray) -> np.ndarray:
    change = np.full_like(close, np.nan)
    change[1:] = (close[1:] / close[:-1] - 1.0) * 100.0
    return change


def _stock_parameters(seed: int, stock: _Stock) -> dict[str, float]:
    """Per-symbol constants from the symbol's own stream, so they never depend on the rest of the universe."""
    u = _rng(seed, "stock", stock.symbol, "parameters").random(10)
    defensive = stock.sector in {"Utilities", "Consumer Staples", "Real Estate"}
    vol = float(np.clip(_SECTOR_VOL[stock.sector] * np.exp(0.4 * (2 * u[0] - 1)), 0.18, 0.44))
    market_beta = (0.55 + 0.45 * u[1]) if defensive else (0.75 + 0.6 * u[1])
    sector_loading = 0.6 + 0.7 * u[2]
    systematic = (market_beta * _MARKET_VOL) ** 2 + (sector_loading * _SECTOR_FACTOR_VOL) ** 2
    idio_vol = float(np.sqrt(max(vol**2 - systematic, 0.09**2)))
    price = float(np.exp(np.log(20.0) + u[3] * (np.log(600.0) - np.log(20.0))))
    if stock.symbol in _MEGA_CAPS:
        cap = 120e9 * np.exp(0.5 * (u[4] * 2 - 1))
    elif stock.indices & {"DJI", "NDX"}:
        cap = 35e9 * np.exp(0.8 * (u[4] * 2 - 1))
    else:
        cap = 11e9 * np.exp(1.0 * (u[4] * 2 - 1))
    persistence = 0.93 + 0.045 * u[5]
    alpha = 0.03 + 0.04 * u[6]
    return {
        "price": price,
        "shares": float(np.rint(cap / price)),
        "market_beta": market_beta,
        "sector_loading": sector_loading,
        "idio_vol": idio_vol,
        "drift": 0.04 + 0.09 * u[7],
        "alpha": alpha,
        "beta": persistence - alpha,
        "turnover": 0.004 + 0.008 * u[8],  # daily fraction of shares outstanding
    }


def _build_market(
    seed: int, count: int, stocks: tuple[_Stock, ...] | None = None, plant: bool = True
) -> _Market:
    """Simulate `count` sessions from CALENDAR_START. Everything is causal, so a larger count only appends.
    `stocks` (default: the universe) exists so tests can show a symbol's bars ignore the other symbols;
    `plant=False` gives the same market without the planted chart patterns (the pure-noise control)."""
    stocks = _stocks() if stocks is None else stocks
    params = [_stock_parameters(seed, s) for s in stocks]
    p = {k: np.array([x[k] for x in params]) for k in params[0]}
    n_stocks, n_sectors = len(stocks), len(SECTORS)

    # One GARCH run for every noise series: market, sectors, stock idiosyncratic, other instruments.
    spec = _Garch(keys=[("factor", "market")], annual_vol=[_MARKET_VOL], alpha=[0.09], beta=[0.89])
    for sector in SECTORS:
        spec.keys.append(("factor", "sector", sector))
        spec.annual_vol.append(_SECTOR_FACTOR_VOL)
        spec.alpha.append(0.07)
        spec.beta.append(0.91)
    for stock, x in zip(stocks, params, strict=True):
        spec.keys.append(("stock", stock.symbol, "returns"))
        spec.annual_vol.append(x["idio_vol"])
        spec.alpha.append(x["alpha"])
        spec.beta.append(x["beta"])
    for inst in _INSTRUMENTS:
        spec.keys.append((inst.asset_class, inst.symbol, "returns"))
        spec.annual_vol.append(inst.vol)
        spec.alpha.append(0.07)
        spec.beta.append(0.91)
    shocks, sds = _simulate_garch(seed, count, spec)
    market, market_sd = shocks[:, 0], sds[:, 0]
    sector_shocks, sector_sds = shocks[:, 1 : 1 + n_sectors], sds[:, 1 : 1 + n_sectors]
    stock_cols = slice(1 + n_sectors, 1 + n_sectors + n_stocks)
    inst_first = 1 + n_sectors + n_stocks

    # Stocks.
    sector_of = np.array([SECTORS.index(s.sector) for s in stocks])
    log_returns = (
        p["drift"] / TRADING_DAYS
        + p["market_beta"] * market[:, None]
        + p["sector_loading"] * sector_shocks[:, sector_of]
        + _mean_revert(shocks[:, stock_cols], _IDIO_MEAN_REVERSION)
    )
    sd = np.sqrt(
        (p["market_beta"] * market_sd[:, None]) ** 2
        + (p["sector_loading"] * sector_sds[:, sector_of]) ** 2
        + sds[:, stock_cols] ** 2
    )
    plants: tuple[_Plant, ...] = ()
    if plant:
        log_returns, plants = _plant_patterns(seed, stocks, log_returns, sd)
    noise = np.stack([_normals(seed, count, 4, "stock", s.symbol, "bars") for s in stocks], axis=1)
    o, h, lo, c = _bars_from_returns(p["price"], log_returns, sd, noise)
    long_run_sd = np.sqrt(
        (p["market_beta"] * _MARKET_VOL) ** 2
        + (p["sector_loading"] * _SECTOR_FACTOR_VOL) ** 2
        + p["idio_vol"] ** 2
    ) / np.sqrt(TRADING_DAYS)
    shares = p["shares"].astype(np.int64)
    volume = _volume(shares * p["turnover"], log_returns, long_run_sd, noise[..., 3])

    members = {
        code: np.array([i for i, s in enumerate(stocks) if code in s.indices], dtype=np.int64)
        for code in INDEX_CODES
    }

    # Every basket in one matmul per price field: cap-weighted SPX/NDX, price-weighted DJI, then each
    # sector's SPX members cap-weighted (the sector SPDRs).
    n_indices = len(INDEX_CODES)
    weights = np.zeros((n_stocks, n_indices + n_sectors))
    for k, code in enumerate(INDEX_CODES):
        weights[members[code], k] = 1.0 if code == "DJI" else shares[members[code]]
    in_spx = np.zeros(n_stocks, dtype=bool)
    in_spx[members["SPX"]] = True
    for j in range(n_sectors):
        weights[:, n_indices + j] = np.where(in_spx & (sector_of == j), shares, 0)
    baskets = _basket(weights, o, h, lo, c)

    # Index divisors are fixed on the first session.
    index_rows: dict[str, tuple[np.ndarray, ...]] = {}
    for k, code in enumerate(INDEX_CODES):
        divisor = baskets[3][0, k] / _INDEX_BASE_LEVELS[code]
        index_rows[code] = tuple(np.round(x[:, k] / divisor, 2) for x in baskets) + (
            volume[:, members[code]].sum(axis=1),
        )
    codes = sorted(INDEX_CODES)
    quotes = {"index": _quote_set(codes, [INDEX_NAMES[k] for k in codes], index_rows)}

    # ETFs: index trackers, sector baskets, and IWM/TLT from the market factor.
    etf_rows: dict[str, tuple[np.ndarray, ...]] = {}
    for symbol, (code, ratio, base_volume) in _INDEX_ETFS.items():
        etf_noise = _normals(seed, count, 2, "etf", symbol, "bars")
        tracking = np.exp(0.0002 * etf_noise[:, 0])  # about 2bp of daily tracking noise, not cumulative
        io, ih, il, ic = (index_rows[code][k] / ratio * tracking for k in range(4))
        etf_rows[symbol] = (
            *(_round_price(x) for x in (io, ih, il, ic)),
            _etf_volume(base_volume, ic, etf_noise),
        )
    for j, sector in enumerate(SECTORS):
        symbol, k = SECTOR_ETFS[sector], n_indices + j
        scale = _SECTOR_ETF_START[symbol] / baskets[3][0, k]
        etf_noise = _normals(seed, count, 2, "etf", symbol, "bars")
        rows = tuple(_round_price(x[:, k] * scale) for x in baskets)
        etf_rows[symbol] = (*rows, _etf_volume(_SECTOR_ETF_VOLUME[symbol], baskets[3][:, k], etf_noise))

    other: dict[str, dict[str, tuple[np.ndarray, ...]]] = {"etf": etf_rows, "commodity": {}, "crypto": {}}
    names = dict(_ETF_NAMES)
    for k, inst in enumerate(_INSTRUMENTS):
        own, own_sd = shocks[:, inst_first + k], sds[:, inst_first + k]
        shock = inst.market_beta * market + own
        shock_sd = np.sqrt((inst.market_beta * market_sd) ** 2 + own_sd**2)
        drift = inst.drift / TRADING_DAYS
        if inst.mean_reversion:
            log_returns_i = drift + _mean_revert(shock, inst.mean_reversion)
        else:
            log_returns_i = drift + shock
        start = inst.price
        if inst.anchor is not None:
            anchor_row = calendar.session_index(inst.anchor)
            if anchor_row >= count:  # the anchor must lie inside the simulated history
                raise ValueError(f"{count} sessions end before the {inst.symbol} anchor {inst.anchor}")
            start = inst.price / float(np.exp(np.sum(log_returns_i[: anchor_row + 1])))
        inst_noise = _normals(seed, count, 4, inst.asset_class, inst.symbol, "bars")
        bars = _bars_from_returns(
            np.array([start]), log_returns_i[:, None], shock_sd[:, None], inst_noise[:, None, :]
        )
        typical_sd = np.sqrt(inst.market_beta**2 * _MARKET_VOL**2 + inst.vol**2) / np.sqrt(TRADING_DAYS)
        if inst.asset_class == "crypto":  # notional volume: scale the coin count by its price
            base = inst.daily_volume / inst.price * bars[3][:, 0]
        else:
            base = np.full(count, inst.daily_volume)
        vol = _volume(base, log_returns_i, typical_sd, inst_noise[:, 3])
        other[inst.asset_class][inst.symbol] = (*(x[:, 0] for x in bars), vol)
        names.setdefault(inst.symbol, inst.name)
    for asset_class in ("etf", "commodity", "crypto"):
        symbols = sorted(other[asset_class])
        quotes[asset_class] = _quote_set(symbols, [names[s] for s in symbols], other[asset_class])

    sessions = np.array(calendar.all_sessions()[:count], dtype="datetime64[D]")
    column = {s.symbol: i for i, s in enumerate(stocks)}
    return _Market(sessions, stocks, column, shares, o, h, lo, c, volume, members, quotes, plants)


def _mean_revert(shock: np.ndarray, per_year: float) -> np.ndarray:
    """Log returns of an AR(1) level driven by `shock` (time on axis 0): it wanders but does not run away."""
    phi = np.exp(-per_year / TRADING_DAYS)
    deviation = np.empty_like(shock)
    level = 0.0
    for t in range(shock.shape[0]):
        level = phi * level + shock[t]
        deviation[t] = level
    returns = deviation.copy()
    returns[1:] -= deviation[:-1]
    return returns


def _etf_volume(base: float, close: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """A fixed typical move (not the path's own std, which would change as the calendar grows)."""
    log_returns = np.diff(np.log(close), prepend=np.log(close[0]))
    return _volume(np.full(close.shape[0], base), log_returns, _ETF_TYPICAL_SD, noise[:, 1])


def _quote_set(symbols: list[str], names: list[str], rows: dict[str, tuple[np.ndarray, ...]]) -> _Quotes:
    o, h, lo, c, v = (np.column_stack([rows[s][k] for s in symbols]) for k in range(5))
    return _Quotes(tuple(symbols), tuple(names), o, h, lo, c, v.astype(np.int64), _change_pct(c))


@lru_cache(maxsize=3)
def _market(seed: int, plant: bool = True) -> _Market:
    return _build_market(seed, len(calendar.all_sessions()), plant=plant)


# ------------------------------------------------------------------------------------------- the source


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
    pytickersymbols; membership is the same on every session (the demo has no index changes and no
    corporate actions, so adj_close equals close). About 10% of the stocks carry planted chart patterns
    (planted_patterns() lists them); plant_patterns=False gives the same market without them, the
    pure-noise control for measuring false detections.
    """

    name = "demo"
    point_in_time_estimates = True  # the consensus of any past session can be rebuilt

    def __init__(self, seed: int = 20161104, plant_patterns: bool = True) -> None:
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.seed = seed
        self.plant_patterns = bool(plant_patterns)

    @property
    def _market(self) -> _Market:
        return _market(self.seed, self.plant_patterns)

    def planted_patterns(self) -> pl.DataFrame:
        """Ground truth for the chart-pattern detectors (PLANTED_PATTERNS schema), one row per template
        planted in the simulated history, sorted by (symbol, completion_session). Empty without planting.

        key_points are the formation's turning points at the realised closes; amplitude is the template's
        height in dollars at the formation start and amplitude_atr that height over the realised ATR 14
        there, so recall can be measured against what a detector actually sees."""
        return _planted_frame(self._market)

    def universe(self, session: dt.date) -> pl.DataFrame:
        """The same members every session; shares_outstanding is synthetic, bigger for mega caps."""
        _session_rows(session)
        return _universe_frame(self.seed).clone()  # callers may mutate; the cache must not change

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
        return conform(frame.with_columns(adj_close=pl.col("close")), DAILY_BARS)

    def index_quotes(self, sessions: Sequence[dt.date]) -> pl.DataFrame:
        """SPX, NDX, DJI levels computed from the demo constituents; volume is the constituents' total."""
        return self._quotes("index", sessions)

    def etf_quotes(self, sessions: Sequence[dt.date]) -> pl.DataFrame:
        """SPY/QQQ/DIA track their index (/10, /41, /100), sector SPDRs are their sector's cap-weighted
        SPX members, IWM is high-beta market, TLT is low-vol and negatively correlated with it."""
        return self._quotes("etf", sessions)

    def commodity_quotes(self, sessions: Sequence[dt.date]) -> pl.DataFrame:
        """Front-month futures, one daily close per NYSE session; mean-reverting around a drifting level."""
        return self._quotes("commodity", sessions)

    def crypto_quotes(self, sessions: Sequence[dt.date]) -> pl.DataFrame:
        """A snapshot per NYSE session (crypto trades every day; the demo only samples sessions). Levels
        are pinned on 2024-01-02 so recent prices look familiar; earlier years are the model's backfill."""
        return self._quotes("crypto", sessions)

    def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None,
                          periods: int = 3) -> pl.DataFrame:
        """The consensus as of the session for each stock's next `periods` fiscal years (demo_coverage.py):
        it converges on the year's figure as the year end nears, drifts slowly and leans with the price."""
        from investing_assets.lib.sources import demo_coverage

        _session_rows(session)
        return demo_coverage.estimates(self.seed, self.plant_patterns, session, symbols, periods)

    def news(self, start: dt.datetime, end: dt.datetime, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """Articles published in [start, end): big moves of the demo tape and quarterly results."""
        from investing_assets.lib.sources import demo_coverage

        return demo_coverage.news(self.seed, self.plant_patterns, start, end, symbols)

    def _quotes(self, asset_class: str, sessions: Sequence[dt.date]) -> pl.DataFrame:
        rows = _session_rows(sessions)
        market = self._market
        q = market.quotes[asset_class]
        columns = np.arange(len(q.symbols), dtype=np.int64)
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
        frame = frame.with_columns(
            asset_class=pl.lit(asset_class),
            name=pl.col("symbol").replace_strict(name_of, return_dtype=pl.String),
            change_pct=pl.col("change_pct").fill_nan(None),
        )
        return conform(frame, QUOTES)


@lru_cache(maxsize=2)
def _universe_frame(seed: int) -> pl.DataFrame:
    stocks = _stocks()
    shares = [int(_stock_parameters(seed, s)["shares"]) for s in stocks]
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
