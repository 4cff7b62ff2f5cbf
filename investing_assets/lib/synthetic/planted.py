"""Planted chart patterns: ground truth for the chart-pattern detectors, laid into the demo's stock paths.

About PLANT_FRACTION of the stocks (chosen by a hash of the symbol, so the choice ignores the rest of the
universe) carry a sequence of textbook formations, each a template of turning points joined by smoothstep
segments, in units of its amplitude. Inside a formation the stock keeps its day-to-day noise (log price
minus its causal 2-session EMA: about 0.6 daily sd, 0.4 ATR) but loses its slower wander, which the
template replaces; after it the base returns resume from the new level. Why: added on top of the undamped
walk, a 3 ATR template over 60 sessions is swamped by the walk's own ~4 ATR wander and is no longer the
pattern it claims to be. How clean the formations are sets the recall any detector can reach (measured
with the scanner's detector on >= 3 ATR formations: 0.87 with this EMA span 2, 0.72 with span 3, 0.50 with
span 5; 0.85 at span 2 once the detector got its confidence floors), so it is a documented constant, not a
knob tuned per test. Share classes are never planted (see _is_planted). The overlay acts on log returns before
the bars are built, so OHLC stays valid by construction and volume reacts to the template's moves like to
any other move. Schedules are drawn _PLANT_HORIZON sessions ahead from the symbol's own stream and every
step is causal, so a longer calendar only appends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import talib

from investing_assets.lib.synthetic import reference, streams
from investing_assets.lib.synthetic.universe import Stock

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
class Template:
    offsets: np.ndarray  # vertex offsets in sessions, the first is 0
    levels: np.ndarray  # vertex levels in amplitudes, the first is 0
    key: tuple[int, ...]  # vertices that are the formation's turning points
    line: tuple[float, float, float, float]  # breakout line through (t0, y0) and (t1, y1)
    sign: int  # +1 completes on a close above the line, -1 below

    def flipped(self) -> Template:
        t0, y0, t1, y1 = self.line
        return Template(self.offsets, -self.levels, self.key, (t0, -y0, t1, -y1), -self.sign)

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
class Plant:
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


def _head_and_shoulders(rng: np.random.Generator) -> Template:
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
    return Template(x, np.array(levels), (1, 2, 3, 4, 5), (x[2], neck(x[2]), x[4], neck(x[4])), -1)


def _double_top(rng: np.random.Generator) -> Template:
    x = _legs(rng, 1)
    x = np.concatenate([x, x[-1] + _legs(rng, 2, 10, 21)[1:], [0.0]])
    x[-1] = x[-2] + rng.integers(*_PLANT_LEG)
    base = 0.3
    levels = [0.0, base + 1.0, base, base + 1.0 + rng.uniform(-0.05, 0.05), base - 0.5]
    return Template(x, np.array(levels), (1, 2, 3), (x[2], base, x[2] + 1.0, base), -1)


def _boundary(shape: str, rng: np.random.Generator) -> Template:
    """Five alternating touches (low, high, low, high, low) of two lines, then a breakout above the upper."""
    height, d_upper, d_lower = _BOUNDARY_UP[shape]
    x = _legs(rng, 6)
    low0 = -0.6  # the approach falls into the first touch, so no earlier low competes with it

    def lower(t: float) -> float:
        return low0 + d_lower * (t - x[1]) / (x[5] - x[1])

    def upper(t: float) -> float:
        return low0 + height + d_upper * (t - x[1]) / (x[5] - x[1])

    levels = [0.0, lower(x[1]), upper(x[2]), lower(x[3]), upper(x[4]), lower(x[5]), upper(x[6]) + 0.4]
    return Template(x, np.array(levels), (1, 2, 3, 4, 5), (x[2], upper(x[2]), x[4], upper(x[4])), 1)


def _template(pattern: str, direction: str, rng: np.random.Generator) -> Template:
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
    """Share classes are never planted: GOOG follows GOOGL, so a formation in one would be in both."""
    if reference.is_share_class(symbol):
        return False
    return bool(streams.rng(seed, "plant", symbol).random() < PLANT_FRACTION)


def _plant_schedule(seed: int, symbol: str) -> list[tuple[int, str, str, float, Template]]:
    """(start row, pattern, direction, target amplitude in ATRs, template), drawn to the fixed horizon."""
    rng = streams.rng(seed, "plant", symbol, "schedule")
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


def plant_patterns(
    seed: int, stocks: Sequence[Stock], log_returns: np.ndarray, sd: np.ndarray
) -> tuple[np.ndarray, tuple[Plant, ...]]:
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
            plants.append(Plant(column, pattern, direction, start, key_rows, completion, amplitude))
    return out, tuple(plants)


def planted_frame(
    plants: Sequence[Plant],
    symbols: Sequence[str],
    sessions: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
) -> pl.DataFrame:
    """The PLANTED_PATTERNS rows of the formations completed inside the (sessions, symbols) price arrays."""
    count = close.shape[0]
    rows: list[dict[str, object]] = []
    atr_of: dict[int, np.ndarray] = {}
    for plant in plants:
        if plant.completion >= count:
            continue
        col = plant.column
        if col not in atr_of:
            atr_of[col] = talib.ATR(high[:, col], low[:, col], close[:, col], 14)
        closes = close[:, col]
        amplitude = plant.amplitude_log * float(closes[plant.start])
        rows.append(
            {
                "symbol": symbols[col],
                "pattern": plant.pattern,
                "direction": plant.direction,
                "start_session": sessions[plant.key_rows[0]].item(),
                "completion_session": sessions[plant.completion].item(),
                "amplitude": amplitude,
                "amplitude_atr": amplitude / float(atr_of[col][plant.start]),
                "key_points": [
                    {"session": sessions[r].item(), "price": float(closes[r])} for r in plant.key_rows
                ],
            }
        )
    frame = pl.DataFrame(rows, schema=PLANTED_PATTERNS)
    return frame.sort("symbol", "completion_session")
