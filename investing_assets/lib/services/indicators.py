"""Indicator updates: read each day's lookback window from the warehouse, compute, replace the days' rows.

Each session is computed on its own window (`indicators_on_windows`), so its rows are the same whether it ran
alone or anywhere inside a range, and `investing ta` prints exactly what is stored. A range wider than
`ROWS_PER_CHUNK` is computed and written in passes inside one transaction: memory is a pass's, the write all or
nothing."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjusted_symbols
from investing_assets.lib.analytics.indicators import indicators_on_windows, window_start
from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written, previews_by_session, session_groups
from investing_assets.lib.core.schemas import INDICATOR_COLUMNS
from investing_assets.lib.services.market import session_chunks, universe_width
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars
from investing_assets.lib.storage.warehouse import Warehouse

# Indicator rows computed and written per pass (sessions x the universe's width): each pass reads its sessions'
# bars plus one window (~300 sessions) again, so passes are as long as memory allows: a ten-year range of the
# 508-symbol demo is two passes, of 5,000 symbols fourteen (2 M rows a pass peaked at 5.2 GB there).
ROWS_PER_CHUNK = 1_000_000
PREVIEW_ROWS = 10


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


@dataclass
class _GapCount:
    """Bars per symbol and sessions with bars over a window read a piece at a time (each piece counted once)."""

    window: list[dt.date]
    bars_of: Counter[str] = field(default_factory=Counter)
    present: set[dt.date] = field(default_factory=set)

    def add(self, bars: pl.DataFrame) -> None:
        self.bars_of.update(dict(bars.group_by("symbol").len().iter_rows()))
        self.present.update(bars.get_column("session").unique().to_list())

    def gaps(self, sessions: Sequence[dt.date]) -> WindowGaps:
        short = sorted(n for n in self.bars_of.values() if n < len(self.window))
        missing = [d for d in self.window if d not in self.present]
        return WindowGaps(
            window_sessions=len(self.window),
            window_start=self.window[0].isoformat(),
            symbols_with_short_window=len(short),
            shortest_window=short[0] if short else len(self.window),
            missing_sessions=len(missing),
            missing_session_sample=[d.isoformat() for d in missing[:5]],
            complete=not short and not missing,
            target_sessions_without_bars=[d.isoformat() for d in sessions if d not in self.present],
        )


def window_gaps(bars: pl.DataFrame, window: Sequence[dt.date], sessions: Sequence[dt.date]) -> WindowGaps:
    """The gaps of `bars` over the lookback `window` of the requested `sessions`."""
    count = _GapCount(list(window))
    count.add(bars)
    return count.gaps(sessions)


def _preview_of(values: pl.DataFrame):
    """Each session's first PREVIEW_ROWS symbols, picked before the split: splitting a whole pass by session
    copies a million rows for previews of ten."""
    first = values.filter(pl.col("symbol").rank("ordinal").over("session") <= PREVIEW_ROWS)
    rows_of = session_groups(first)
    return lambda session: rows_of(session).sort("symbol")


def write_indicators(warehouse: Warehouse, sessions: Sequence[dt.date],
                     basis: str = ADJUSTED) -> tuple[Written, WindowGaps]:
    """Each session's indicators on its own window of stored bars, on `basis` prices (adjusted: adj_close where
    the source gave it, else the stored corporate actions; see lib.analytics.adjustment)."""
    sessions = sorted(set(sessions))
    count = _GapCount([])
    previews: dict[dt.date, pl.DataFrame] = {}
    null_counts: Counter[str] = Counter()
    changed: set[str] = set()
    rows = 0

    read_from = window_start(sessions[0])
    with warehouse.replacing(names.INDICATORS, sessions) as replace:
        for part in session_chunks(sessions, universe_width(warehouse, sessions), ROWS_PER_CHUNK):
            bars = read_bars(warehouse, window_start(part[0]), part[-1])
            first = max(read_from, window_start(part[0]))  # each session of the windows counted once
            count.window += calendar.sessions_between(first, part[-1])
            count.add(bars.filter(pl.col("session") >= first))
            read_from = calendar.sessions_starting(part[-1], 2)[-1]
            without = [d for d in part if d not in count.present]
            if without:  # an empty session would replace its indicators with nothing: the whole write rolls back
                raise BadMarketData(f"no bars stored for session(s) {[d.isoformat() for d in without[:5]]}: "
                                    "materialize daily_bars for them first")
            actions = actions_for_bars(warehouse, bars)
            values = indicators_on_windows(bars, part, actions, basis)
            null_counts.update({c: n for c, n in values.select(pl.col(INDICATOR_COLUMNS).null_count())
                                .row(0, named=True).items() if n})
            changed.update(adjusted_symbols(bars, actions, basis))
            previews.update(previews_by_session(part, _preview_of(values)))
            rows += values.height
            replace(values, {"session": part})
            del bars, actions, values  # before the next pass reads its own: a pass's frames are its memory
    gaps = count.gaps(sessions)
    notes = []
    if not gaps.complete:
        notes.append(
            f"lookback window incomplete: {gaps.symbols_with_short_window} symbol(s) have fewer than "
            f"{gaps.window_sessions} sessions of bars, {gaps.missing_sessions} session(s) missing; "
            "indicators that need more history than a window holds are stored null"
        )
    nulls = {c: null_counts[c] for c in INDICATOR_COLUMNS if null_counts[c]}
    if nulls:
        notes.append("null for lack of history: " + ", ".join(f"{c} {n}" for c, n in nulls.items()))
    if changed:
        adjusted = sorted(changed)
        notes.append(f"{basis} prices: {len(adjusted)} symbol(s) with a split or dividend in the lookback "
                     f"({', '.join(adjusted[:10])}{', ...' if len(adjusted) > 10 else ''})")
    return Written(rows, len(sessions), notes=notes, preview=previews[sessions[-1]],
                   previews=previews, null_counts=nulls, basis=basis), gaps


def session_indicators(bars: pl.DataFrame, session: dt.date, actions: pl.DataFrame | None = None,
                       basis: str = ADJUSTED) -> dict[str, float | None] | None:
    """One symbol's indicators on `session`, computed as the asset stores them (for `investing ta`); `bars`
    (raw) should cover the sessions from `window_start(session)` to it, `actions` the stored splits and dividends
    over them. None when there is no bar on that session."""
    values = indicators_on_windows(bars, [session], actions, basis)
    return values.to_dicts()[0] if values.height else None

