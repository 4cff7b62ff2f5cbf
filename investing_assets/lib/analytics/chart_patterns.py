"""Chart patterns after Lo, Mamaysky and Wang (2000, J. Finance): kernel-regression extrema, then rules.

Per symbol, in one left-to-right pass over numpy arrays:

1. Smooth the closes with a Nadaraya-Watson Gaussian kernel of fixed bandwidth (``PatternRules.bandwidth``
   sessions), truncated at 3 bandwidths. LMW pick 0.3 x the cross-validated bandwidth per window; on
   daily bars that lands at a few sessions, and a fixed value keeps every session's smoothing identical
   whichever window it falls in, which is what makes replay exact. The smoothed value of session i is final
   once session i + SUPPORT is known; later values are never used.
2. Turning points: local extrema of the smoothed curve, merged by a zigzag whose minimum swing is
   ``swing_atr`` x ATR 14. LMW's fixed 1.5% tolerances fire about once per symbol-year on random walks and
   miss real patterns in volatile names; every tolerance here is in ATRs instead. A turning point is
   *fixed* on the session the (final) smoothed curve has moved one swing away from it; its price is the
   extreme close within a bandwidth of the kernel extremum, as in LMW.
3. Formations: at each fixed turning point the previous fixed points give the candidate's shape (tolerances
   and minimum height in ATRs at that session), and the running extreme close since then is the last
   turning point. The candidate is followed session by session until a close breaks its neckline or
   boundary by ``break_atr`` ATRs: the detection, on that session. A candidate fires at most once and dies
   when a newer turning point replaces it or it outgrows ``window``.

Prices are read on the log scale (log closes, ATR 14 of log prices): markets move in percent, so a formation
reads the same at any price level, and a channel whose lines move in step in percent stays parallel (in
dollars a falling channel narrows into a wedge and a rising one widens into a broadening formation). Levels
and targets are reported in prices.

Causal by construction: a detection on session t uses smoothed values final by t, turning points fixed by
t, closes up to t and ATR up to t. Detecting on a history truncated at t gives the same rows up to t (the
tests replay it). Nothing is ever revised: no repainting.

Directions: head-and-shoulders, double top, descending triangle and rising wedge are bearish and
their mirrors bullish; symmetric triangles, rectangles, broadening formations and channels take the
direction of their breakout. Bullish formations are found by running the bearish rules on the negated
closes (a mirrored ascending triangle is a descending one, and so on), so both sides share one code path.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl
import talib

from investing_assets.lib.analytics.data_quality import sorted_by_symbol, split_like_jumps, symbol_bounds

FAMILIES = {
    "head_and_shoulders": "head_and_shoulders",
    "inverse_head_and_shoulders": "head_and_shoulders",
    "double_top": "double",
    "double_bottom": "double",
    "ascending_triangle": "triangle",
    "descending_triangle": "triangle",
    "symmetric_triangle": "triangle",
    "rectangle": "rectangle",
    "broadening": "broadening",
    "rising_wedge": "wedge",
    "falling_wedge": "wedge",
    "ascending_channel": "channel",
    "descending_channel": "channel",
}
PATTERNS = tuple(FAMILIES)
# The name a bearish-frame shape takes when found on negated closes (bullish side).
_MIRROR = {
    "head_and_shoulders": "inverse_head_and_shoulders",
    "double_top": "double_bottom",
    "descending_triangle": "ascending_triangle",
    "rising_wedge": "falling_wedge",
    "ascending_channel": "descending_channel",
    "descending_channel": "ascending_channel",
}

KEY_POINT = pl.Struct({"session": pl.Date, "price": pl.Float64})
DETECTIONS = {
    "symbol": pl.String,
    "pattern": pl.String,
    "family": pl.String,
    "direction": pl.String,
    "start_session": pl.Date,  # first turning point of the formation
    "end_session": pl.Date,  # the detection: the session whose close confirmed the breakout
    "key_points": pl.List(KEY_POINT),
    "breakout_level": pl.Float64,  # neckline or boundary at end_session
    "target": pl.Float64,  # measured move on the log scale: breakout level divided (times) by the height ratio
    "height_atr": pl.Float64,  # the formation's height over ATR 14, both of log prices
    "confidence": pl.Float64,  # 0..1: how closely the rules are met, and how large the formation is
}
DEFAULT_WINDOW = 120


@dataclass(frozen=True)
class PatternRules:
    """Every threshold of the detector. Tolerances are in ATR 14 at the session the shape is judged."""

    bandwidth: float = 2.5  # sessions (Gaussian sd)
    swing_atr: float = 1.0  # minimum swing between turning points
    min_height_atr: float = 2.0  # head over neckline, boundary height
    # Equal-looking points may differ by tol_atr ATR (noise) + tol_frac x the formation's height (LMW's
    # percentage tolerance, kept for large formations where a fixed ATR band would be too strict).
    shoulder_tol_atr: float = 1.0  # |left - right shoulder|
    neckline_tol_atr: float = 1.0  # |first - second trough| of a head-and-shoulders
    tol_frac: float = 0.1
    shoulder_min_frac: float = 0.25  # shoulders above the neckline by this share of the head's height
    head_over_shoulders_atr: float = 0.5
    peak_tol_atr: float = 0.5  # |first - second peak| of a double top
    min_peak_separation: int = 18  # sessions between the two peaks of a double top
    # A top needs an advance into it: over prior_legs legs before it, no close above its first peak and
    # one close at least advance_frac x its height below its trough(s).
    prior_legs: float = 2.0
    advance_frac: float = 0.2
    touch_tol_atr: float = 0.6  # the upper touches vs their least-squares line
    # The noise a boundary's move over the formation carries: max(flat_atr ATR, flat_frac x height). With
    # parallel_factor 1.5, lines count as parallel until the width changes by 3/8 of the mean height: about
    # halfway to a wedge or triangle that closes half its base or more before the breakout (0.7-0.9).
    flat_atr: float = 0.8
    flat_frac: float = 0.25
    parallel_factor: float = 1.5  # width and middle moves within this x noise count as unchanged
    double_wait_legs: float = 1.0  # a double top breaks within this many legs of its second peak
    # A double top is two swings of the day-to-day wander that happen to end level unless it is deep and its
    # break is decisive: at least 3 ATR deep (the size below which the evaluation says formations sit in the
    # noise), and the breaking close clears the trough by break_atr ATR plus this share of the depth (a
    # penetration filter in the spirit of Edwards & Magee's 3 % rule). On the planted demo (default seed) the
    # two together take precision from 0.745 to 0.804 at recall 0.845 on >= 3 ATR formations (unchanged).
    double_min_height_atr: float = 3.0
    double_break_frac: float = 0.1
    break_atr: float = 0.5  # the breakout close must clear the line by this much
    min_leg: int = 4  # sessions between turning points
    max_leg_ratio: float = 2.5  # longest / shortest leg of a formation (head-and-shoulders and boundaries)
    max_time_ratio: float = 2.0  # either half of a head-and-shoulders at most this much longer than the other
    max_wait_legs: float = 2.0  # the breakout comes within this many average legs of the last turning point
    entry_legs: float = 1.0  # a boundary's upper line also holds over this many legs before its first touch
    dedupe_sessions: int = 10  # the same pattern again on the same symbol this soon is the same formation
    # The operating point: a shape whose confidence (fit and size) is below its family's floor is not
    # reported (it is dropped before deduplication, so a better-fitting re-anchoring can still be). Each
    # floor is the lowest of 0.60, 0.65, 0.70, 0.72, 0.75 at which the family's precision on the planted demo
    # (default seed) reaches 0.8, the target of pattern_evaluation: the most recall that precision allows.
    min_confidence: tuple[tuple[str, float], ...] = (
        ("head_and_shoulders", 0.60), ("double", 0.65), ("triangle", 0.60), ("rectangle", 0.75),
        ("broadening", 0.60), ("wedge", 0.65), ("channel", 0.75),
    )  # fmt: skip


DEFAULT_RULES = PatternRules()


# ------------------------------------------------------------------------------------------- turning points


@dataclass(frozen=True)
class TurningPoints:
    """Fixed turning points of one symbol, in time order and alternating in kind."""

    row: np.ndarray  # row of the extreme close
    price: np.ndarray  # that close
    kind: np.ndarray  # +1 peak, -1 trough
    fixed_at: np.ndarray  # first row on which the point is known and can no longer move


def support(rules: PatternRules) -> int:
    """Sessions after i that the smoothed value at i depends on (kernel truncated at 3 bandwidths)."""
    return int(math.ceil(3.0 * rules.bandwidth))


def kernel_smooth(close: np.ndarray, rules: PatternRules) -> np.ndarray:
    """Nadaraya-Watson with a Gaussian kernel on an even grid; only the final values (n - SUPPORT)."""
    reach = support(rules)
    n = close.shape[0]
    if n <= 2 * reach + 2:
        return np.zeros(0)
    offsets = np.arange(-reach, reach + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (offsets / rules.bandwidth) ** 2)
    total = np.convolve(close, weights, mode="same")
    norm = np.convolve(np.ones(n), weights, mode="same")
    return (total / norm)[: n - reach]


def _local_extrema(smooth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and kinds (+1 max, -1 min) where the smoothed slope changes sign (plateaus: their last row)."""
    step = np.diff(smooth)
    # Float dust on a flat stretch is not a turn.
    slope = np.where(np.abs(step) <= 1e-10 * np.abs(smooth[:-1]), 0.0, np.sign(step))
    rows = np.arange(slope.shape[0])
    last_nonzero = np.maximum.accumulate(np.where(slope != 0, rows, 0))
    slope = slope[last_nonzero]
    turn = np.flatnonzero((slope[:-1] != slope[1:]) & (slope[:-1] != 0)) + 1
    return turn, np.where(slope[turn - 1] > 0, 1, -1)


def turning_points(close: np.ndarray, atr: np.ndarray, rules: PatternRules = DEFAULT_RULES) -> TurningPoints:
    """Kernel extrema merged by an ATR-scaled zigzag; only points already fixed inside the data."""
    smooth = kernel_smooth(close, rules)
    empty = TurningPoints(*(np.zeros(0, dtype=t) for t in (np.int64, np.float64, np.int64, np.int64)))
    if smooth.shape[0] < 3:
        return empty
    rows, kinds = _local_extrema(smooth)
    keep = ~np.isnan(atr[rows])
    rows, kinds = rows[keep].tolist(), kinds[keep].tolist()
    if not rows:
        return empty
    swing = rules.swing_atr * atr
    pivots: list[tuple[int, int, int]] = []  # (smoothed row, kind, fixing row)
    current, current_kind = rows[0], kinds[0]
    for row, kind in zip(rows[1:], kinds[1:], strict=True):
        if kind == current_kind:
            if kind * (smooth[row] - smooth[current]) > 0:
                current = row
        elif abs(smooth[row] - smooth[current]) >= swing[current]:
            away = current_kind * (smooth[current] - smooth[current + 1 : row + 1]) >= swing[current]
            pivots.append((current, current_kind, current + 1 + int(np.argmax(away))))
            current, current_kind = row, kind
    # The last point is fixed as soon as the curve has left it by a swing, even before the next extremum
    # shows: otherwise a replay ending here would learn it later than the full history does.
    away = current_kind * (smooth[current] - smooth[current + 1 :]) >= swing[current]
    if away.any():
        pivots.append((current, current_kind, current + 1 + int(np.argmax(away))))
    if not pivots:
        return empty
    reach, radius, n = support(rules), int(math.ceil(rules.bandwidth)), close.shape[0]
    centre = np.array([p[0] for p in pivots])
    kind = np.array([p[1] for p in pivots])
    fixed_at = np.array([p[2] for p in pivots]) + reach
    # The price of a turning point is the extreme close within a bandwidth of the kernel extremum.
    padded = np.concatenate([np.full(radius, np.nan), close, np.full(radius, np.nan)])
    around = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1)[centre]
    signed = np.where(np.isnan(around), -np.inf, around * kind[:, None])
    row = centre - radius + np.argmax(signed, axis=1)
    inside = fixed_at < n
    return TurningPoints(row[inside], close[row[inside]], kind[inside], fixed_at[inside])


# ------------------------------------------------------------------------------------------- formations


@dataclass
class _Symbol:
    """One symbol's arrays in the bearish frame (closes negated for the bullish side)."""

    value: np.ndarray  # sign x close
    atr: np.ndarray
    bad_before: np.ndarray  # cumulative count of rows no formation may span (flat, excluded, split jump)
    points: TurningPoints  # prices already multiplied by sign, kinds too
    window: int
    rules: PatternRules

    def clean(self, first: int, last: int) -> bool:
        return self.bad_before[last + 1] - self.bad_before[first] == 0

    def track(
        self, anchor: int, first_row: int, last_fixed_row: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The candidate anchored at turning point `anchor` on each row it is alive (from the session the
        anchor is fixed until a newer turning point replaces it or the formation, which starts at
        `first_row`, outgrows the window): (the running extreme since `last_fixed_row`, the row where it was
        reached, the row). That extreme is the formation's last, still-forming turning point. None if the
        candidate is never alive."""
        points = self.points
        start = int(points.fixed_at[anchor])
        stop = self.value.shape[0] - 1
        if anchor + 2 < points.row.shape[0]:
            stop = min(stop, int(points.fixed_at[anchor + 2]) - 1)
        stop = min(stop, first_row + self.window)
        if start > stop:
            return None
        extreme, extreme_row = _running_extreme(self.value, last_fixed_row + 1, stop)
        offset = start - (last_fixed_row + 1)
        return extreme[offset:], extreme_row[offset:], np.arange(start, stop + 1)


@dataclass(frozen=True)
class _Hit:
    pattern: str  # bearish-frame name
    first_row: int
    row: int
    key_rows: tuple[int, ...]
    level: float  # bearish-frame value of the broken line at `row`
    height: float
    atr: float
    confidence: float


def _running_extreme(value: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    """Running max of value[start..stop] and the row where it was reached (the latest of equals)."""
    segment = value[start : stop + 1]
    top = np.maximum.accumulate(segment)
    at = np.maximum.accumulate(np.where(segment == top, np.arange(segment.shape[0]), 0))
    return top, start + at


def _first(mask: np.ndarray) -> int | None:
    hit = np.flatnonzero(mask)
    return int(hit[0]) if hit.size else None


def _line(x0: float, y0: float, x1: float, y1: float, x: np.ndarray | float) -> np.ndarray | float:
    return y0 + (y1 - y0) * (np.asarray(x, dtype=np.float64) - x0) / (x1 - x0)


def _score(deviation: float, tolerance: float) -> float:
    return max(0.0, 1.0 - deviation / tolerance) if tolerance > 0 else 0.0


def _size_score(height: float, atr: float, rules: PatternRules) -> float:
    return min(1.0, height / (2.0 * rules.min_height_atr * atr))


def _advance_into(symbol: _Symbol, first: int, peak: float, trough: float, height: float, leg: float) -> bool:
    """Reversal tops need something to reverse: the price rose into the formation from below it."""
    before = symbol.value[max(0, first - int(round(symbol.rules.prior_legs * leg))) : first]
    if before.shape[0] == 0:
        return False
    return bool(before.max() < peak and before.min() <= trough - symbol.rules.advance_frac * height)


def _head_and_shoulders(symbol: _Symbol, anchor: int) -> _Hit | None:
    """Turning points anchor-3 (left shoulder), anchor-1 (head) are peaks, anchor-2 and anchor (a trough)
    troughs; the right shoulder is the running max. Its four legs are even within max_leg_ratio, like a
    boundary's: a shoulder leg several times as long as the head's belongs to another swing."""
    points, rules = symbol.points, symbol.rules
    if anchor < 3:
        return None
    x1, x2, x3, x4 = (int(v) for v in points.row[anchor - 3 : anchor + 1])
    p1, p2, p3, p4 = (float(v) for v in points.price[anchor - 3 : anchor + 1])
    atr = float(symbol.atr[points.fixed_at[anchor]])
    neck = lambda x: _line(x2, p2, x4, p4, x)  # noqa: E731
    height = p3 - float(neck(x3))
    if not (
        height >= rules.min_height_atr * atr
        and abs(p4 - p2) <= rules.neckline_tol_atr * atr + rules.tol_frac * height
        and p3 - p1 >= rules.head_over_shoulders_atr * atr
        and p1 - float(neck(x1)) >= rules.shoulder_min_frac * height
        and _advance_into(symbol, x1, p1, min(p2, p4), height, np.mean([x2 - x1, x3 - x2, x4 - x3]))
        and min(x2 - x1, x3 - x2, x4 - x3) >= rules.min_leg
        and max(x2 - x1, x3 - x2, x4 - x3) <= rules.max_leg_ratio * min(x2 - x1, x3 - x2, x4 - x3)
    ):
        return None
    tracked = symbol.track(anchor, x1, x4)
    if tracked is None:
        return None
    top, at, rows = tracked
    legs = np.array([x2 - x1, x3 - x2, x4 - x3], dtype=np.float64)
    ratio = (at - x3) / (x3 - x1)
    level = neck(rows)
    ok = (
        (np.abs(top - p1) <= rules.shoulder_tol_atr * atr + rules.tol_frac * height)
        & (p3 - top >= rules.head_over_shoulders_atr * atr)
        & (top - neck(at) >= rules.shoulder_min_frac * height)
        & (at - x4 >= rules.min_leg)
        & ((at - x4) * rules.max_leg_ratio >= legs.max())
        & ((at - x4) <= rules.max_leg_ratio * legs.min())
        & (ratio >= 1 / rules.max_time_ratio)
        & (ratio <= rules.max_time_ratio)
        & (rows - at <= rules.max_wait_legs * legs.mean())
        & (symbol.value[rows] < level - rules.break_atr * atr)
    )
    hit = _first(ok)
    if hit is None or not symbol.clean(x1, int(rows[hit])):
        return None
    x5, p5 = int(at[hit]), float(top[hit])
    fit = np.mean(
        [
            _score(abs(p5 - p1), rules.shoulder_tol_atr * atr + rules.tol_frac * height),
            _score(abs(p4 - p2), rules.neckline_tol_atr * atr + rules.tol_frac * height),
            _score(abs(math.log(float(ratio[hit]))), math.log(rules.max_time_ratio)),
        ]
    )
    confidence = 0.5 * fit + 0.5 * _size_score(height, atr, rules)
    return _Hit("head_and_shoulders", x1, int(rows[hit]), (x1, x2, x3, x4, x5), float(level[hit]), height, atr,
                confidence)  # fmt: skip


def _double_top(symbol: _Symbol, anchor: int) -> _Hit | None:
    """Peak anchor-1, trough anchor; the second peak is the running max; the break is below the trough."""
    points, rules = symbol.points, symbol.rules
    if anchor < 1:
        return None
    x1, x2 = (int(v) for v in points.row[anchor - 1 : anchor + 1])
    p1, p2 = (float(v) for v in points.price[anchor - 1 : anchor + 1])
    atr = float(symbol.atr[points.fixed_at[anchor]])
    depth = p1 - p2
    if not (
        depth >= rules.double_min_height_atr * atr
        and x2 - x1 >= rules.min_leg
        and _advance_into(symbol, x1, p1, p2, depth, x2 - x1)
    ):
        return None
    tracked = symbol.track(anchor, x1, x2)
    if tracked is None:
        return None
    top, at, rows = tracked
    level = p2
    ok = (
        (np.abs(top - p1) <= rules.peak_tol_atr * atr + rules.tol_frac * depth)
        & (at - x1 >= rules.min_peak_separation)
        & (at - x2 >= rules.min_leg)
        & ((at - x2) * rules.max_time_ratio >= x2 - x1)
        & ((at - x2) <= rules.max_time_ratio * (x2 - x1))
        & (rows - at <= rules.double_wait_legs * 0.5 * (at - x1))
        & (symbol.value[rows] < level - rules.break_atr * atr - rules.double_break_frac * depth)
    )
    hit = _first(ok)
    if hit is None or not symbol.clean(x1, int(rows[hit])):
        return None
    x3, p3 = int(at[hit]), float(top[hit])
    confidence = 0.5 * _score(
        abs(p3 - p1), rules.peak_tol_atr * atr + rules.tol_frac * depth
    ) + 0.5 * _size_score(depth, atr, rules)
    return _Hit("double_top", x1, int(rows[hit]), (x1, x2, x3), level, depth, atr, confidence)


def _boundary_shape(
    d_upper: float, d_lower: float, height: float, atr: float, rules: PatternRules
) -> str | None:
    """Classify two lines (bearish frame: the break is downward) by how the width and the middle move.

    The unit is the noise a line's move carries: max(flat_atr ATR, flat_frac x height). Width change
    (upper move - lower move) within parallel_factor units: rectangle or channel, told apart by the
    middle's move; wider: broadening; narrower: triangle or wedge, told apart by each line's move."""
    noise = max(rules.flat_atr * atr, rules.flat_frac * height)
    widening, middle = d_upper - d_lower, 0.5 * (d_upper + d_lower)
    band = rules.parallel_factor * noise
    if abs(widening) <= band:
        if abs(middle) <= band:
            return "rectangle"
        return "ascending_channel" if middle > 0 else "descending_channel"
    if widening > band:
        return "broadening" if d_upper > 0 > d_lower else None
    if d_upper < -noise and abs(d_lower) <= noise:
        return "descending_triangle"
    if d_upper < -noise and d_lower > noise:
        return "symmetric_triangle"
    if d_upper > noise and d_lower > noise:
        return "rising_wedge"
    return None  # an ascending triangle or falling wedge breaking down: not the textbook outcome


_CONVERGING = {"descending_triangle", "symmetric_triangle", "rising_wedge"}


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, intercept); two points give the line through them."""
    x_mean, y_mean = x.mean(), y.mean()
    slope = float(((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum())
    return slope, float(y_mean - slope * x_mean)


def _lower_line_holds(
    legs: list[int], first_gap: float, third_gap: float, atr: float, rules: PatternRules
) -> bool:
    """The four fixed touches can start a boundary: legs long and even enough, both peaks clear of the lower
    line by a swing, one of them by the minimum height."""
    return (
        min(legs) >= rules.min_leg
        and max(legs) <= rules.max_leg_ratio * min(legs)
        and min(first_gap, third_gap) >= rules.swing_atr * atr
        and max(first_gap, third_gap) >= rules.min_height_atr * atr
    )


def _breaks_below(
    symbol: _Symbol, at: np.ndarray, rows: np.ndarray, level: np.ndarray, x4: int, legs: list[int], atr: float
) -> np.ndarray:
    """Rows where the last leg (trough x4 to the running max at `at`) fits the formation and the close
    breaks below the lower line soon enough."""
    rules = symbol.rules
    last_leg = (at - x4).astype(np.float64)
    return (
        (last_leg >= rules.min_leg)
        & (last_leg <= rules.max_leg_ratio * min(legs))
        & (max(legs) <= rules.max_leg_ratio * last_leg)
        & (rows - at <= rules.max_wait_legs * np.mean(legs))
        & (symbol.value[rows] < level - rules.break_atr * atr)
    )


def _upper_boundary(
    touches: tuple[tuple[int, float], tuple[int, float], tuple[int, float]],
    lower_first: float,
    lower_last: float,
    atr: float,
    rules: PatternRules,
) -> tuple[str, float, float, float, float] | None:
    """(shape, slope, intercept, residual, height) of the upper line through the three peak touches, None
    when they are not on a line, the formation is too thin, or _boundary_shape names no shape for it.
    `lower_first` and `lower_last` are the lower line at the first and last touch."""
    (x1, p1), (x3, p3), (x5, p5) = touches
    xs = np.array([x1, x3, x5], dtype=np.float64)
    slope, intercept = _fit_line(xs, np.array([p1, p3, p5]))
    residual = float(np.abs(np.array([p1, p3, p5]) - (slope * xs + intercept)).max())
    if residual > rules.touch_tol_atr * atr:
        return None
    upper_first, upper_last = slope * x1 + intercept, slope * x5 + intercept
    height = 0.5 * ((upper_first - float(lower_first)) + (upper_last - float(lower_last)))
    if (
        min(upper_first - float(lower_first), upper_last - float(lower_last)) <= 0
        or height < rules.min_height_atr * atr
    ):
        return None
    shape = _boundary_shape(upper_last - upper_first, float(lower_last - lower_first), height, atr, rules)
    if shape is None:
        return None
    return shape, slope, intercept, residual, height


def _boundary_confidence(
    residual: float, legs: list[int], height: float, atr: float, rules: PatternRules
) -> float:
    """How closely the peaks sit on their line and the legs match in length, and how large the formation is."""
    fit = 0.5 * _score(residual, rules.touch_tol_atr * atr) + 0.5 * _score(
        max(legs) / min(legs) - 1.0, rules.max_leg_ratio - 1.0
    )
    return 0.5 * fit + 0.5 * _size_score(height, atr, rules)


def _intact(
    symbol: _Symbol,
    touches: tuple[int, int],
    row: int,
    upper: tuple[float, float],
    lower: tuple[float, float],
    atr: float,
    legs: list[int],
) -> bool:
    """The lines held until the breakout on `row`: no close cleared the upper line by the breakout margin
    from entry_legs average legs before its first touch, nor the lower line from its first touch. A close that
    did was a breakout already, or shows that the upper line bounded nothing when the formation began: the
    touches then belong to a larger swing, not to a formation of their own. `touches` are the first upper
    and lower touches, the lines (slope, intercept)."""
    rules = symbol.rules
    margin = rules.break_atr * atr
    first = max(0, touches[0] - int(round(rules.entry_legs * np.mean(legs))))
    span = np.arange(first, row)
    if (symbol.value[span] - (upper[0] * span + upper[1])).max() > margin:
        return False
    span = np.arange(touches[1], row)
    return bool((lower[0] * span + lower[1] - symbol.value[span]).max() <= margin)


def _boundary(symbol: _Symbol, anchor: int) -> _Hit | None:
    """Peaks anchor-3, anchor-1 and the running max after trough anchor touch the upper line, troughs
    anchor-2, anchor the lower; the shape is judged on all five touches once the close breaks below the
    lower line, and only if the lines held until then (_intact)."""
    points, rules = symbol.points, symbol.rules
    if anchor < 3:
        return None
    x1, x2, x3, x4 = (int(v) for v in points.row[anchor - 3 : anchor + 1])
    p1, p2, p3, p4 = (float(v) for v in points.price[anchor - 3 : anchor + 1])
    atr = float(symbol.atr[points.fixed_at[anchor]])
    legs = [x2 - x1, x3 - x2, x4 - x3]
    lower = lambda x: _line(x2, p2, x4, p4, x)  # noqa: E731
    if not _lower_line_holds(legs, p1 - float(lower(x1)), p3 - float(lower(x3)), atr, rules):
        return None
    tracked = symbol.track(anchor, x1, x4)
    if tracked is None:
        return None
    top, at, rows = tracked
    level = lower(rows)
    for hit in np.flatnonzero(_breaks_below(symbol, at, rows, level, x4, legs, atr)).tolist():
        x5 = int(at[hit])
        upper = _upper_boundary(((x1, p1), (x3, p3), (x5, float(top[hit]))), lower(x1), lower(x5), atr, rules)
        if upper is None:
            continue
        shape, slope, intercept, residual, height = upper
        row = int(rows[hit])
        if shape in _CONVERGING and slope * row + intercept <= level[hit]:
            continue  # past the apex: nothing left to break out of
        lower_line = ((p4 - p2) / (x4 - x2), p2 - (p4 - p2) / (x4 - x2) * x2)
        if not _intact(symbol, (x1, x2), row, (slope, intercept), lower_line, atr, legs):
            continue
        if not symbol.clean(x1, row):
            return None
        confidence = _boundary_confidence(residual, [*legs, x5 - x4], height, atr, rules)
        return _Hit(shape, x1, row, (x1, x2, x3, x4, x5), float(level[hit]), height, atr, confidence)
    return None


_FIVE_POINT = (_head_and_shoulders, _boundary)


def _frame_hits(symbol: _Symbol) -> list[_Hit]:
    """Every formation of the bearish frame: candidates anchored at each fixed trough."""
    hits: list[_Hit] = []
    troughs = np.flatnonzero(symbol.points.kind == -1)
    for anchor in troughs.tolist():
        five = [h for h in (detector(symbol, anchor) for detector in _FIVE_POINT) if h is not None]
        hits.extend(five)
        double = _double_top(symbol, anchor)
        # A triple top / rectangle also contains a double top on its last two peaks: report the fuller one.
        if double is not None and not any(h.row == double.row for h in five):
            hits.append(double)
    return hits


def _dedupe(hits: list[tuple[str, str, _Hit]], sessions: int) -> list[tuple[str, str, _Hit]]:
    """Keep the first of the same (pattern, direction) within `sessions` rows: it is the same formation
    re-anchored on a later wiggle. Depends only on earlier hits, so it stays causal."""
    kept: list[tuple[str, str, _Hit]] = []
    last: dict[tuple[str, str], int] = {}
    for name, direction, hit in sorted(hits, key=lambda h: (h[2].row, h[0], h[1])):
        previous = last.get((name, direction))
        if previous is not None and hit.row - previous <= sessions:
            continue
        last[(name, direction)] = hit.row
        kept.append((name, direction, hit))
    return kept


def _detect_symbol(
    close: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    open_: np.ndarray,
    detectable: np.ndarray,
    window: int,
    rules: PatternRules,
) -> list[tuple[str, str, _Hit, int]]:
    price_atr = talib.ATR(high, low, close, 14)
    bad = ~detectable | split_like_jumps(open_, close, np.where(np.isnan(price_atr), np.inf, price_atr))
    # The log scale (see the module docstring); a non-positive price is bad data no formation may span.
    positive = (low > 0) & (close > 0)
    bad |= ~positive
    log_close, log_high, log_low = (np.log(np.where(positive, x, 1.0)) for x in (close, high, low))
    atr = talib.ATR(log_high, log_low, log_close, 14)
    atr = np.where(np.isnan(atr), np.nan, np.maximum(atr, 1e-6))
    points = turning_points(log_close, atr, rules)
    if points.row.shape[0] < 3:
        return []
    bad_before = np.concatenate([[0], np.cumsum(bad)])
    found: list[tuple[str, str, _Hit]] = []
    floor = dict(rules.min_confidence)
    for sign in (1, -1):
        frame_points = TurningPoints(points.row, sign * points.price, sign * points.kind, points.fixed_at)
        symbol = _Symbol(sign * log_close, atr, bad_before, frame_points, window, rules)
        for hit in _frame_hits(symbol):
            name = hit.pattern if sign == 1 else _MIRROR.get(hit.pattern, hit.pattern)
            if hit.confidence >= floor.get(FAMILIES[name], 0.0):
                found.append((name, "bearish" if sign == 1 else "bullish", hit))
    return [(name, direction, hit, 1 if direction == "bearish" else -1)
            for name, direction, hit in _dedupe(found, rules.dedupe_sessions)]  # fmt: skip


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=DETECTIONS)


def _detection_input(bars: pl.DataFrame, columns: list[str], as_of: dt.date | None) -> pl.DataFrame:
    """The bars sorted by (symbol, session) with a `detectable` column (True where bars has none), up to
    `as_of`."""
    frame = sorted_by_symbol(bars, columns)
    if "detectable" in bars.columns:
        frame = frame.join(
            bars.select("symbol", "session", "detectable"), on=["symbol", "session"], how="left"
        )
    else:
        frame = frame.with_columns(detectable=pl.lit(True))
    if as_of is not None:
        frame = frame.filter(pl.col("session") <= as_of)
    return frame


def _append_detection(
    out: dict[str, list],
    symbol: str,
    name: str,
    direction: str,
    hit: _Hit,
    sign: int,
    sessions: np.ndarray,
    close: np.ndarray,
) -> None:
    """One DETECTIONS row into the columns of `out`. `hit` is in the bearish frame of log prices and `sign`
    turns its levels back into prices; `sessions` and `close` are the symbol's own rows."""
    out["symbol"].append(symbol)
    out["pattern"].append(name)
    out["family"].append(FAMILIES[name])
    out["direction"].append(direction)
    out["start_session"].append(sessions[hit.first_row])
    out["end_session"].append(sessions[hit.row])
    out["key_points"].append(
        [{"session": sessions[row].item(), "price": float(close[row])} for row in hit.key_rows]
    )
    out["breakout_level"].append(math.exp(sign * hit.level))
    out["target"].append(math.exp(sign * (hit.level - hit.height)))
    out["height_atr"].append(hit.height / hit.atr)
    out["confidence"].append(float(np.clip(hit.confidence, 0.0, 1.0)))


def _detections_frame(out: dict[str, list]) -> pl.DataFrame:
    if not out["symbol"]:
        return _empty()
    out["start_session"] = np.array(out["start_session"], dtype="datetime64[D]")
    out["end_session"] = np.array(out["end_session"], dtype="datetime64[D]")
    result = pl.DataFrame({c: pl.Series(c, v).cast(DETECTIONS[c]) for c, v in out.items()})
    return result.sort("symbol", "end_session", "pattern")


def detect_chart_patterns(
    bars: pl.DataFrame,
    *,
    window: int = DEFAULT_WINDOW,
    as_of: dt.date | None = None,
    rules: PatternRules = DEFAULT_RULES,
) -> pl.DataFrame:
    """DETECTIONS for every symbol of a DAILY_BARS frame, sorted by (symbol, end_session, pattern).

    `window`: the longest formation, first turning point to breakout, in sessions. `as_of`: only bars up to
    that session are read and only detections on it are returned (the daily scan). A `detectable` column
    (from data_quality.screen_bars) masks bars no formation may span."""
    columns = ["open", "high", "low", "close"]
    frame = _detection_input(bars, columns, as_of)
    if frame.height == 0:
        return _empty()
    open_, high, low, close = (np.ascontiguousarray(frame[c].to_numpy()) for c in columns)
    detectable = frame["detectable"].fill_null(True).to_numpy()
    sessions = frame["session"].to_numpy()
    symbols = frame["symbol"]
    starts, stops = symbol_bounds(frame)
    out: dict[str, list] = {c: [] for c in DETECTIONS}
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        if as_of is not None and sessions[stop - 1] != np.datetime64(as_of):
            continue
        block = slice(start, stop)
        hits = _detect_symbol(
            close[block], high[block], low[block], open_[block], detectable[block], window, rules
        )
        for name, direction, hit, sign in hits:
            if as_of is not None and start + hit.row != stop - 1:
                continue
            _append_detection(out, symbols[start], name, direction, hit, sign, sessions[block], close[block])
    return _detections_frame(out)
