"""Indicator updates: read each day's lookback window from the warehouse, compute, replace the days' rows.

Each session is computed on its own fixed window (`indicators_on_windows`), so its rows are the same whether
it ran alone or anywhere inside a range, and `investing ta` prints exactly what is stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjusted_symbols
from investing_assets.lib.analytics.indicators import indicators_on_windows, lookback_sessions
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written, previews_by_session, session_groups
from investing_assets.lib.core.schemas import INDICATOR_COLUMNS
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass(frozen=True)
class WindowGaps:
    """How complete the stored lookback is: symbols whose window misses sessions, and sessions with no bars."""

    window_sessions: int
    window_start: str  # ISO date of the window's first session
    symbols_with_short_window: int
    shortest_window: int
    missing_sessions: int
    missing_session_sample: list[str]  # ISO dates, the first five
    complete: bool
    target_sessions_without_bars: list[str]  # ISO dates of the requested sessions that have no bars


def window_gaps(bars: pl.DataFrame, window: Sequence[dt.date], sessions: Sequence[dt.date]) -> WindowGaps:
    """The gaps of `bars` over the lookback `window` of the requested `sessions`."""
    per_symbol = bars.group_by("symbol").len()
    short = per_symbol.filter(pl.col("len") < len(window)).sort("len")
    present = set(bars.get_column("session").unique().to_list()) if bars.height else set()
    missing_sessions = [d for d in window if d not in present]
    return WindowGaps(
        window_sessions=len(window),
        window_start=window[0].isoformat(),
        symbols_with_short_window=short.height,
        shortest_window=int(short.get_column("len").min()) if short.height else len(window),
        missing_sessions=len(missing_sessions),
        missing_session_sample=[d.isoformat() for d in missing_sessions[:5]],
        complete=short.height == 0 and not missing_sessions,
        target_sessions_without_bars=[d.isoformat() for d in sessions if d not in present],
    )


def write_indicators(warehouse: Warehouse, sessions: Sequence[dt.date],
                     basis: str = ADJUSTED) -> tuple[Written, WindowGaps]:
    """Each session's indicators on its own window of stored bars, on `basis` prices (adjusted: adj_close where
    the source gave it, else the stored corporate actions; see lib.analytics.adjustment)."""
    lookback = lookback_sessions()
    bars, window = read_bars_window(warehouse, sessions[0], sessions[-1], lookback)
    gaps = window_gaps(bars, window, sessions)
    if gaps.target_sessions_without_bars:  # an empty session would replace its indicators with nothing
        raise BadMarketData(f"no bars stored for session(s) {gaps.target_sessions_without_bars[:5]}: "
                            "materialize daily_bars for them first")
    actions = actions_for_bars(warehouse, bars)
    values = indicators_on_windows(bars, sessions, actions, basis)
    warehouse.replace_rows(names.INDICATORS, values, {"session": list(sessions)})
    null_counts = {c: n for c, n in values.select(pl.col(INDICATOR_COLUMNS).null_count()).row(0, named=True).items()
                   if n}
    notes = []
    if not gaps.complete:
        notes.append(
            f"lookback window incomplete: {gaps.symbols_with_short_window} symbol(s) have fewer than "
            f"{gaps.window_sessions} sessions of bars, {gaps.missing_sessions} session(s) missing; "
            "indicators that need more history than a window holds are stored null"
        )
    if null_counts:
        notes.append("null for lack of history: " + ", ".join(f"{c} {n}" for c, n in null_counts.items()))
    changed = adjusted_symbols(bars, actions, basis)
    if changed:
        notes.append(f"{basis} prices: {len(changed)} symbol(s) with a split or dividend in the lookback "
                     f"({', '.join(changed[:10])}{', ...' if len(changed) > 10 else ''})")
    rows_of = session_groups(values)
    previews = previews_by_session(sessions, lambda session: rows_of(session).sort("symbol").head(10))
    return Written(values.height, len(sessions), notes=notes, preview=previews[sessions[-1]],
                   previews=previews, null_counts=null_counts, basis=basis), gaps


def session_indicators(bars: pl.DataFrame, session: dt.date, actions: pl.DataFrame | None = None,
                       basis: str = ADJUSTED) -> dict[str, float | None] | None:
    """One symbol's indicators on `session`, computed as the asset stores them (for `investing ta`); `bars`
    (raw) should cover the `window_sessions()` sessions ending at it, `actions` the stored splits and dividends
    over them. None when there is no bar on that session."""
    values = indicators_on_windows(bars, [session], actions, basis)
    return values.to_dicts()[0] if values.height else None

