"""Real-world anchors for the demo market: where each price, index and share class stands on one day.

Why: a simulated history looks wrong next to real quotes unless its levels are the real ones somewhere.
Every stock's path is scaled so that its close on REFERENCE_SESSION is the approximate real close in
reference_closes.csv (package data; source and caveats in its header). Names not in that table get a
sector-typical level with a seeded scatter (SECTOR_TYPICAL_CLOSE), so they look plausible without
pretending to be the real figure. Index divisors are fixed on the same day to the real index levels, and
the share classes of one company are one path at their real price ratio.
"""

from __future__ import annotations

import csv
import datetime as dt
from bisect import bisect_right
from functools import lru_cache
from importlib.resources import files

import numpy as np

from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic import streams

REFERENCE_SESSION = dt.date(2024, 12, 31)
# Real closes on REFERENCE_SESSION (approximate): NDX/SPX = 3.57, DJI/SPX = 7.23.
INDEX_LEVELS = {"SPX": 5881.63, "NDX": 21012.17, "DJI": 42544.22}
# Sector SPDRs on REFERENCE_SESSION (approximate real closes).
SECTOR_ETF_LEVELS = {
    "XLK": 232.52, "XLF": 48.33, "XLE": 85.66, "XLV": 137.57, "XLY": 224.35, "XLP": 78.63, "XLI": 131.77,
    "XLU": 75.70, "XLB": 84.17, "XLRE": 41.52, "XLC": 96.52,
}  # fmt: skip
# Other share classes of a company -> the class whose path they share (their ratio is the reference one).
SHARE_CLASSES = {"GOOG": "GOOGL", "FOX": "FOXA", "NWS": "NWSA", "BRK.A": "BRK.B"}
# Median share price by sector for the names without a reference close; each name scatters around it.
SECTOR_TYPICAL_CLOSE = {
    "Information Technology": 150.0, "Financials": 110.0, "Energy": 80.0, "Health Care": 140.0,
    "Consumer Discretionary": 130.0, "Consumer Staples": 70.0, "Industrials": 170.0, "Utilities": 70.0,
    "Materials": 110.0, "Real Estate": 90.0, "Communication Services": 80.0,
}  # fmt: skip
_TYPICAL_SCATTER = 0.6  # log sd of the scatter: a sector's real prices span about 30 to 500 dollars
_TYPICAL_RANGE = (12.0, 900.0)


@lru_cache(maxsize=1)
def reference_closes() -> dict[str, float]:
    """The shipped table: symbol -> approximate real close on REFERENCE_SESSION."""
    text = files("investing_assets.lib.synthetic").joinpath("reference_closes.csv").read_text()
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["symbol"]: float(row["close"]) for row in rows}


def company(symbol: str) -> str:
    """The symbol whose path a share class follows (itself for a single-class company)."""
    return SHARE_CLASSES.get(symbol, symbol)


def is_share_class(symbol: str) -> bool:
    """True for every class of a multi-class company (GOOG and GOOGL alike)."""
    return symbol in SHARE_CLASSES or symbol in SHARE_CLASSES.values()


def reference_close(seed: int, symbol: str, sector: str) -> tuple[float, bool]:
    """(close on REFERENCE_SESSION, whether it is the real reference level rather than sector-typical)."""
    known = reference_closes().get(symbol)
    if known is not None:
        return known, True
    z = streams.rng(seed, "stock", symbol, "typical level").standard_normal()
    level = SECTOR_TYPICAL_CLOSE[sector] * float(np.exp(_TYPICAL_SCATTER * z))
    return float(np.clip(round(level, 2), *_TYPICAL_RANGE)), False


def anchor_row(count: int) -> int:
    """Calendar row of REFERENCE_SESSION (the last session on or before it; 0 when the calendar starts
    later). It must lie inside the simulated rows, else a longer calendar would rescale the past."""
    row = max(bisect_right(calendar.all_sessions(), REFERENCE_SESSION) - 1, 0)
    if row >= count:
        raise ValueError(f"{count} sessions end before the demo's reference session {REFERENCE_SESSION}")
    return row
