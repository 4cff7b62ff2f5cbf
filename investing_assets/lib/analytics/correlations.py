"""Rolling correlations on one session: each symbol against its sector and the market, extreme pairs, and a
sector x sector matrix, from one returns matrix and one matrix product.

Returns are daily log returns of close over the `window` sessions ending at `session` (window + 1 closes).
A symbol needs at least min_fraction of those returns (else it is dropped, with the count as reason) and
must have moved at all; its remaining gaps count as a zero de-meaned return, which shrinks its
correlations slightly instead of dropping a whole session for everyone. The market is the equal-weight
mean of the other symbols and a sector the equal-weight mean of its other members: leaving the symbol
out keeps a small sector from correlating with itself. The sector matrix holds the mean pairwise
correlation between members of two sectors (within a sector on the diagonal): unlike correlations of
sector averages, which the market factor pushes towards 1, it shows how tightly names move together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from investing_assets.lib.core import calendar

WINDOW = 60
PAIRS = {"symbol_a": pl.String, "symbol_b": pl.String, "correlation": pl.Float64}


@dataclass(frozen=True)
class CorrelationResult:
    session: dt.date
    window: int
    symbols: list[str]  # order of `matrix`
    matrix: np.ndarray  # symbol x symbol correlations
    by_symbol: pl.DataFrame  # symbol, sector, corr_sector, corr_market, returns
    top_pairs: pl.DataFrame  # PAIRS, most correlated first
    bottom_pairs: pl.DataFrame  # PAIRS, least correlated first
    sectors: list[str]  # order of `sector_matrix`
    sector_matrix: np.ndarray
    dropped: pl.DataFrame  # symbol, reason

    def sector_frame(self) -> pl.DataFrame:
        """The sector matrix as a frame: a `sector` column, then one column per sector."""
        return pl.DataFrame(
            {"sector": self.sectors, **{s: self.sector_matrix[:, k] for k, s in enumerate(self.sectors)}}
        )


def _returns_matrix(bars: pl.DataFrame, sessions: list[dt.date]) -> tuple[list[str], np.ndarray]:
    """(symbols, returns[session, symbol]) with NaN where a close is missing."""
    closes = (
        bars.filter(pl.col("session").is_in(sessions))
        .select(pl.col("symbol").cast(pl.String), pl.col("session").cast(pl.Date), pl.col("close").cast(pl.Float64))
        .unique(["symbol", "session"], keep="first")
        .pivot(on="symbol", index="session", values="close")
    )  # fmt: skip
    grid = pl.DataFrame({"session": sessions}).join(closes, on="session", how="left").sort("session")
    symbols = sorted(c for c in grid.columns if c != "session")
    price = grid.select(symbols).to_numpy().astype(np.float64) if symbols else np.zeros((len(sessions), 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        returns = np.diff(np.log(np.where(price > 0, price, np.nan)), axis=0)
    return symbols, returns


def _pairs(matrix: np.ndarray, symbols: list[str], count: int, largest: bool) -> pl.DataFrame:
    upper_i, upper_j = np.triu_indices(len(symbols), k=1)
    values = matrix[upper_i, upper_j]
    if values.size == 0:
        return pl.DataFrame(schema=PAIRS)
    count = min(count, values.size)
    order = np.argsort(-values if largest else values, kind="stable")[:count]
    return pl.DataFrame(
        {
            "symbol_a": [symbols[upper_i[k]] for k in order],
            "symbol_b": [symbols[upper_j[k]] for k in order],
            "correlation": values[order],
        },
        schema=PAIRS,
    )


def _leave_one_out(standard: np.ndarray, returns: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Correlation of each column with the mean of the other columns in its group (NaN alone in it).
    members: (symbols, groups) 0/1. Uses group sums, so it is one matrix product for every symbol."""
    group_sum = returns @ members  # (T, groups)
    size = members.sum(axis=0)
    own_group = members.argmax(axis=1)
    others = (group_sum[:, own_group] - returns) / np.maximum(size[own_group] - 1, 1)
    others = others - others.mean(axis=0)
    norm = np.sqrt((others**2).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (standard * others).sum(axis=0) / norm
    return np.where((size[own_group] > 1) & (norm > 0), corr, np.nan)


def _centred(returns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(return counts, de-meaned returns with gaps as 0, root sum of squares) per symbol."""
    valid = np.isfinite(returns)
    counts = valid.sum(axis=0)
    filled = np.where(valid, returns, 0.0)
    means = filled.sum(axis=0) / np.maximum(counts, 1)
    centred = np.where(valid, returns - means, 0.0)
    spread = np.sqrt((centred**2).sum(axis=0))
    return counts, centred, spread


def _screen(
    symbols: list[str],
    counts: np.ndarray,
    spread: np.ndarray,
    sector_of: dict[str, str],
    window: int,
    min_fraction: float,
) -> tuple[list[int], list[tuple[str, str]]]:
    """(columns kept, (symbol, reason) for each dropped one)."""
    dropped, keep = [], []
    for k, symbol in enumerate(symbols):
        if counts[k] < min_fraction * window:
            dropped.append((symbol, f"{int(counts[k])} of {window} daily returns in the window"))
        elif spread[k] == 0:
            dropped.append((symbol, "no price movement in the window"))
        elif symbol not in sector_of:
            dropped.append((symbol, "no sector"))
        else:
            keep.append(k)
    return keep, dropped


def _sector_members(symbols: list[str], sector_of: dict[str, str]) -> tuple[list[str], np.ndarray]:
    """(sorted sector labels, members[symbol, sector] 0/1)."""
    labels = sorted({sector_of[s] for s in symbols})
    members = np.zeros((len(symbols), len(labels)))
    members[np.arange(len(symbols)), [labels.index(sector_of[s]) for s in symbols]] = 1.0
    return labels, members


def _by_symbol(
    symbols: list[str],
    sector_of: dict[str, str],
    standard: np.ndarray,
    centred: np.ndarray,
    members: np.ndarray,
    counts: np.ndarray,
) -> pl.DataFrame:
    """Each symbol against its sector and the market, both leaving the symbol out."""
    everyone = np.ones((len(symbols), 1))
    return pl.DataFrame(
        {
            "symbol": symbols,
            "sector": [sector_of[s] for s in symbols],
            "corr_sector": _leave_one_out(standard, centred, members) if symbols else [],
            "corr_market": _leave_one_out(standard, centred, everyone) if symbols else [],
            "returns": counts.astype(np.int64),
        },
        schema={"symbol": pl.String, "sector": pl.String, "corr_sector": pl.Float64, "corr_market": pl.Float64,
                "returns": pl.Int64},
    ).with_columns(pl.col("corr_sector", "corr_market").fill_nan(None))  # fmt: skip


def _sector_matrix(matrix: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Mean pairwise correlation between members of two sectors (NaN without a pair)."""
    sums = members.T @ matrix @ members
    size = members.sum(axis=0)
    pairs = np.outer(size, size) - np.diag(size)  # same-sector pairs exclude the symbol with itself
    sums -= np.diag(size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(pairs > 0, sums / pairs, np.nan)


def rolling_correlations(
    bars: pl.DataFrame,
    sectors: pl.DataFrame,
    session: dt.date,
    window: int = WINDOW,
    *,
    top: int = 10,
    min_fraction: float = 0.9,
) -> CorrelationResult:
    """Correlations over the `window` sessions ending at `session` (see the module docstring)."""
    sessions = calendar.sessions_ending(session, window + 1)
    symbols, returns = _returns_matrix(bars, sessions)
    sector_of = dict(
        sectors.select(pl.col("symbol").cast(pl.String), pl.col("sector").cast(pl.String)).iter_rows()
    )
    counts, centred, spread = _centred(returns)
    keep, dropped = _screen(symbols, counts, spread, sector_of, window, min_fraction)
    symbols = [symbols[k] for k in keep]
    centred, spread = centred[:, keep], spread[keep]
    standard = centred / spread if symbols else centred
    matrix = standard.T @ standard
    np.fill_diagonal(matrix, 1.0)
    labels, members = _sector_members(symbols, sector_of)
    return CorrelationResult(
        session=session,
        window=window,
        symbols=symbols,
        matrix=matrix,
        by_symbol=_by_symbol(symbols, sector_of, standard, centred, members, counts[keep]),
        top_pairs=_pairs(matrix, symbols, top, largest=True),
        bottom_pairs=_pairs(matrix, symbols, top, largest=False),
        sectors=labels,
        sector_matrix=_sector_matrix(matrix, members),
        dropped=pl.DataFrame(dropped, schema={"symbol": pl.String, "reason": pl.String}, orient="row"),
    )
