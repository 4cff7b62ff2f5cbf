"""Bar screening before any detector runs: what is wrong with the input, and what was done about it.

Every detector assumes one row per session, positive prices and split-adjusted history. Real feeds break
each of those now and then, and a broken bar is worse than a missing one: an unadjusted 2:1 split looks
like a 50% crash, so a naive scanner reports a breakdown, a 52-week low and record volume on a day when
nothing happened. ``screen_bars`` finds the problems, fixes what can be fixed safely (back-adjusting a
clear split), drops what cannot, and returns one issue row per (symbol, problem) with the reason, so a run
never crashes on bad input and never explains a data error as a market move.

The scan and the reports screen bars that are already adjusted (lib.analytics.adjustment: the source's adj_close,
or the stored splits and dividends), where a split or a dividend is no gap at all. The split guard here is the
fallback for raw bars without either: it can only guess, from the gap's size and a volume change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
import talib

from investing_assets.lib.core import calendar

ISSUES = {
    "symbol": pl.String,
    "issue": pl.String,  # missing_sessions | off_calendar | short_history | flat_prices | zero_volume | split
    "session": pl.Date,  # first affected session (null when the issue is about the whole symbol)
    "sessions": pl.Int64,  # how many sessions are affected
    "action": pl.String,  # kept | dropped_rows | excluded | back_adjusted | excluded_window
    "reason": pl.String,
}

# Overnight price ratios of the common splits (forward and reverse).
SPLIT_RATIOS = (1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 10, 2 / 3, 2.0, 3.0, 4.0, 5.0, 10.0, 3 / 2)
SPLIT_TOLERANCE = 0.03  # relative distance of the overnight ratio from a split ratio
# A split also has to be far outside the stock's normal daily range, in ATRs: a 2:1 split of a stock with
# 2% daily moves is a ~25 ATR gap; a -33% earnings crash of a volatile small cap can be 8 ATR.
SPLIT_MIN_ATR = 8.0


@dataclass(frozen=True)
class ScreenConfig:
    min_sessions: int = 60  # fewer bars than this: nothing can be detected, the symbol is excluded
    max_gap_sessions: int = 5  # a longer run of missing sessions cuts the history: only bars after it stay
    flat_run_sessions: int = 5  # this many zero-range, unchanged bars in a row is a stale feed, not a market
    max_flat_fraction: float = 0.2  # more flat bars than this and the symbol is excluded
    split_volume_ratio: float = 1.4  # median volume after / before must move at least this much
    split_window: int = 252  # sessions after an unconfirmed split where detection is off


def sorted_by_symbol(bars: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """symbol, session and `columns` as Float64, sorted by (symbol, session): the layout every detector
    slices with numpy (one contiguous block per symbol, as compute_indicators does)."""
    missing = [c for c in ("symbol", "session", *columns) if c not in bars.columns]
    if missing:
        raise ValueError(f"bars are missing column(s) {missing}; has {bars.columns}")
    frame = bars.select(
        pl.col("symbol").cast(pl.String),
        pl.col("session").cast(pl.Date),
        *(pl.col(c).cast(pl.Float64) for c in columns),
    ).drop_nulls(["symbol", "session"])
    return frame.sort("symbol", "session")


def symbol_bounds(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop row of each symbol's block in a frame sorted by symbol."""
    if frame.height == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    symbol = frame["symbol"]
    starts = np.flatnonzero((symbol != symbol.shift(1)).fill_null(True).to_numpy())
    return starts, np.append(starts[1:], frame.height)


def split_ratio_near(ratio: pl.Expr) -> pl.Expr:
    """The first of SPLIT_RATIOS that `ratio` is within SPLIT_TOLERANCE of, else null."""
    chain = pl.when((ratio / SPLIT_RATIOS[0] - 1).abs() <= SPLIT_TOLERANCE).then(pl.lit(SPLIT_RATIOS[0]))
    for candidate in SPLIT_RATIOS[1:]:
        chain = chain.when((ratio / candidate - 1).abs() <= SPLIT_TOLERANCE).then(pl.lit(candidate))
    return chain.otherwise(pl.lit(None, dtype=pl.Float64))


def split_like_gap(open_: pl.Expr, previous_close: pl.Expr, previous_atr: pl.Expr) -> pl.Expr:
    """The split guard: the overnight move (previous close to open) is a split ratio and at least
    SPLIT_MIN_ATR of the previous session's ATR. False where any input is null or NaN."""
    near_split = split_ratio_near(open_ / previous_close).is_not_null()
    size = ((open_ - previous_close).abs() / previous_atr).fill_nan(None)
    return (near_split & (size >= SPLIT_MIN_ATR)).fill_null(False)


_RATIOS = np.array(SPLIT_RATIOS)


def nearest_split_ratio(ratio: np.ndarray) -> np.ndarray:
    """The split ratio each overnight ratio is within tolerance of (the first of SPLIT_RATIOS, as
    split_ratio_near), else NaN. Plain numpy: detectors call it once per symbol."""
    values = np.asarray(ratio, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        near = np.abs(values[..., None] / _RATIOS - 1) <= SPLIT_TOLERANCE
    return np.where(near.any(axis=-1), _RATIOS[np.argmax(near, axis=-1)], np.nan)


def split_like_jumps(open_: np.ndarray, close: np.ndarray, atr: np.ndarray) -> np.ndarray:
    """split_like_gap on one symbol's arrays: rows whose overnight move is a split ratio and huge in ATRs.

    Detectors use it as a guard even on screened bars: a formation that spans such a jump is dropped
    rather than read as a breakdown."""
    open_ = np.asarray(open_, dtype=np.float64)
    previous_close = np.concatenate(([np.nan], np.asarray(close, dtype=np.float64)[:-1]))
    previous_atr = np.concatenate(([np.nan], np.asarray(atr, dtype=np.float64)[:-1]))
    with np.errstate(invalid="ignore", divide="ignore"):
        near = ~np.isnan(nearest_split_ratio(open_ / previous_close))
        size = np.abs(open_ - previous_close) / previous_atr
    return near & (size >= SPLIT_MIN_ATR)  # NaN compares False: no guard where an input is missing


# ------------------------------------------------------------------------------------------- screening


def _issue(symbol: str, issue: str, session: dt.date | None, sessions: int, action: str, reason: str) -> dict:
    return {
        "symbol": symbol,
        "issue": issue,
        "session": session,
        "sessions": sessions,
        "action": action,
        "reason": reason,
    }


def true_range_atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int = 14) -> np.ndarray:
    """TA-Lib's ATR, with its warm-up filled by the running mean true range so early bars are judged too."""
    atr = talib.ATR(high, low, close, period)
    prev = np.concatenate([[close[0]], close[:-1]])
    true_range = np.maximum(high, prev) - np.minimum(low, prev)
    warm = np.cumsum(true_range) / np.arange(1, true_range.shape[0] + 1)
    return np.where(np.isnan(atr), warm, atr)


def _screen_calendar(
    symbol: str, part: pl.DataFrame, config: ScreenConfig
) -> tuple[pl.DataFrame, list[dict]]:
    """Off-calendar rows dropped; a long gap cuts the history; short gaps are kept and reported."""
    issues: list[dict] = []
    sessions = part["session"].to_list()
    on_calendar = [calendar.is_session(d) for d in sessions]
    if not all(on_calendar):
        bad = [d for d, ok in zip(sessions, on_calendar, strict=True) if not ok]
        issues.append(
            _issue(symbol, "off_calendar", bad[0], len(bad), "dropped_rows",
                   f"{len(bad)} bar(s) on days that are not NYSE sessions (first {bad[0]}): dropped")
        )  # fmt: skip
        part = part.filter(pl.Series(on_calendar))
        sessions = part["session"].to_list()
    if len(sessions) < 2:
        return part, issues
    index = np.array(calendar.ordinals(sessions))
    gaps = np.diff(index) - 1
    if gaps.sum() == 0:
        return part, issues
    long_gap = np.flatnonzero(gaps > config.max_gap_sessions)
    if long_gap.size:
        cut = int(long_gap[-1]) + 1
        issues.append(
            _issue(symbol, "missing_sessions", sessions[cut], int(gaps[long_gap[-1]]), "dropped_rows",
                   f"{int(gaps[long_gap[-1]])} consecutive sessions missing before {sessions[cut]}: "
                   f"the {cut} bar(s) before the gap are dropped so no pattern spans it")
        )  # fmt: skip
        part = part.slice(cut)
        gaps, sessions = gaps[cut:], sessions[cut:]
    if gaps.sum():
        first = calendar.sessions_starting(sessions[int(np.argmax(gaps > 0))] + dt.timedelta(days=1), 1)[0]
        issues.append(
            _issue(symbol, "missing_sessions", first, int(gaps.sum()), "kept",
                   f"{int(gaps.sum())} session(s) missing in short gaps (first {first}): bars kept, "
                   "consecutive rows are treated as consecutive sessions")
        )  # fmt: skip
    return part, issues


def _flat_runs(part: pl.DataFrame, config: ScreenConfig) -> np.ndarray:
    """Bars inside runs of at least flat_run_sessions zero-range, unchanged bars."""
    high, low, close = (part[c].to_numpy() for c in ("high", "low", "close"))
    flat = (high == low) & (np.concatenate([[np.nan], close[:-1]]) == close)
    out = np.zeros_like(flat)
    run = 0
    for i, is_flat in enumerate(flat):
        run = run + 1 if is_flat else 0
        if run >= config.flat_run_sessions:
            out[i - run + 1 : i + 1] = True
    return out


def _screen_split(symbol: str, part: pl.DataFrame, config: ScreenConfig) -> tuple[pl.DataFrame, list[dict]]:
    """Back-adjust the history before a split-like jump that volume confirms; otherwise keep the bars and
    switch detection off for split_window sessions (a flag column the detectors honour)."""
    issues: list[dict] = []
    open_, high, low, close = (part[c].to_numpy().copy() for c in ("open", "high", "low", "close"))
    volume = part["volume"].to_numpy().astype(np.float64)
    atr = true_range_atr(high, low, close)
    jumps = np.flatnonzero(split_like_jumps(open_, close, atr))
    excluded = np.zeros(part.height, dtype=bool)
    for row in jumps[::-1]:  # latest first, so earlier adjustments compound correctly
        ratio = float(nearest_split_ratio(np.array([open_[row] / close[row - 1]]))[0])
        before = np.median(volume[max(0, row - 20) : row]) if row else np.nan
        after = np.median(volume[row : row + 20])
        moved = after / before if before > 0 else np.nan
        confirmed = (ratio < 1 and moved >= config.split_volume_ratio) or (
            ratio > 1 and moved <= 1 / config.split_volume_ratio
        )
        session = part["session"][int(row)]
        label = f"{1 / ratio:g}:1" if ratio < 1 else f"1:{ratio:g} reverse"
        move = f"close {close[row - 1]:.2f} -> open {open_[row]:.2f}, median volume x{moved:.2f}"
        if confirmed:
            open_[:row] *= ratio
            high[:row] *= ratio
            low[:row] *= ratio
            close[:row] *= ratio
            volume[:row] /= ratio
            issues.append(
                _issue(symbol, "split", session, int(row), "back_adjusted",
                       f"likely unadjusted {label} split on {session} ({move}): the {row} earlier bar(s) "
                       f"were multiplied by {ratio:g} (volume divided)")
            )  # fmt: skip
        else:
            stop = min(part.height, int(row) + config.split_window)
            excluded[max(0, int(row) - config.split_window) : stop] = True
            issues.append(
                _issue(symbol, "split", session, stop - int(row), "excluded_window",
                       f"split-sized jump on {session} ({move}) without the volume change a split brings: "
                       f"not adjusted; pattern detection off {config.split_window} sessions either side")
            )  # fmt: skip
    if jumps.size:
        part = part.with_columns(
            open=pl.Series(open_), high=pl.Series(high), low=pl.Series(low), close=pl.Series(close),
            volume=pl.Series(np.rint(volume)).cast(pl.Int64),
        )  # fmt: skip
        if "adj_close" in part.columns:
            part = part.with_columns(adj_close=pl.col("close"))
    return part.with_columns(detectable=pl.col("detectable") & ~pl.Series(excluded)), issues


def screen_bars(bars: pl.DataFrame, config: ScreenConfig | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(clean bars, issues). Clean bars keep the input columns, sorted by (symbol, session), plus a
    boolean `detectable` column (False on bars no detector should report on, e.g. flat runs or around an
    unconfirmed split). Symbols too short or mostly flat are dropped entirely; each decision is an issue row."""
    config = config or ScreenConfig()
    needed = ["symbol", "session", "open", "high", "low", "close", "volume"]
    missing = [c for c in needed if c not in bars.columns]
    if missing:
        raise ValueError(f"bars are missing column(s) {missing}; has {bars.columns}")
    frame = bars.drop_nulls(["symbol", "session"]).unique(["symbol", "session"], keep="first")
    frame = frame.sort("symbol", "session").with_columns(detectable=pl.lit(True))
    issues: list[dict] = []
    bad_price = ~pl.all_horizontal(
        pl.col("open", "high", "low", "close").is_not_null() & (pl.col("open", "high", "low", "close") > 0)
    )
    keep: list[pl.DataFrame] = []
    for (symbol,), part in frame.partition_by("symbol", as_dict=True, maintain_order=True).items():
        broken = part.filter(bad_price)
        if broken.height:
            issues.append(
                _issue(symbol, "bad_price", broken["session"][0], broken.height, "dropped_rows",
                       f"{broken.height} bar(s) with a null or non-positive price: dropped")
            )  # fmt: skip
            part = part.filter(~bad_price)
        part, found = _screen_calendar(symbol, part, config)
        issues.extend(found)
        if part.height < config.min_sessions:
            issues.append(
                _issue(symbol, "short_history", None, part.height, "excluded",
                       f"{part.height} bar(s), fewer than the {config.min_sessions} a detection needs: excluded")
            )  # fmt: skip
            continue
        flat = _flat_runs(part, config)
        if flat.any():
            first = part["session"][int(np.argmax(flat))]
            if flat.mean() > config.max_flat_fraction:
                issues.append(
                    _issue(symbol, "flat_prices", first, int(flat.sum()), "excluded",
                           f"{int(flat.sum())} of {part.height} bars are zero-range and unchanged "
                           "(stale feed): excluded")
                )  # fmt: skip
                continue
            issues.append(
                _issue(symbol, "flat_prices", first, int(flat.sum()), "kept",
                       f"{int(flat.sum())} bar(s) in zero-range runs of {config.flat_run_sessions}+ "
                       f"sessions (first {first}): kept, no detection reported on them")
            )  # fmt: skip
            part = part.with_columns(detectable=pl.col("detectable") & ~pl.Series(flat))
        zero = part.filter(pl.col("volume") <= 0)
        if zero.height:
            issues.append(
                _issue(symbol, "zero_volume", zero["session"][0], zero.height, "kept",
                       f"{zero.height} bar(s) with zero volume (first {zero['session'][0]}): kept; volume "
                       "never confirms anything on them and their dollar volume counts as 0")
            )  # fmt: skip
        part, found = _screen_split(symbol, part, config)
        issues.extend(found)
        keep.append(part)
    clean = pl.concat(keep) if keep else frame.clear()
    return clean, pl.DataFrame(issues, schema=ISSUES)
