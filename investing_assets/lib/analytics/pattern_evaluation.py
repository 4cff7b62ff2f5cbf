"""How good the chart-pattern detector is, measured against planted ground truth and pure noise.

Two numbers per family (head-and-shoulders, double, triangle, rectangle, broadening, wedge, channel):

- recall on the demo's planted formations (DemoSource.planted_patterns): a planted formation is found
  when a detection of the same family and direction on the same symbol ends within tolerance_sessions of
  its completion (the breakout). Targets are judged on formations of at least 3 ATR: smaller ones sit
  inside the day-to-day noise and no rule can both find them and stay quiet on noise;
- false detections per symbol-year on pure noise: the same symbols and seed with planting switched off
  (DemoSource(plant_patterns=False)), or independent GARCH random walks (noise_bars). On noise every
  detection is false.

Precision has a target too (PRECISION_TARGET, per family, at the detector's own operating point, where
recall is judged): `precision` is over every detection of the family on the planted symbols, so it pays
for detections in their unplanted time (the noise rate) and for family confusions inside formations;
`precision_in_windows` counts only detections ending inside some planted formation's window and isolates
the confusions. A family meets its target only when recall and precision both do.

What the false detections on the planted symbols are (issue 10, default seed: 290 before the detector got its
log scale, intact lines, even legs and wider parallel band, 168 after): a sixth lie in unplanted time, at the
rate of the noise controls; most of the rest end inside or just after a planted formation of another family
and are made partly of its turning points: a wedge drawn through two random swings and a head-and-shoulders'
first touches, a double bottom whose second low is a wedge's first touch. The detector's rules accept them,
but they are not the planted formation, so they stay false. The matching rule is not what costs precision:
every detection within tolerance of a planted formation of its family and direction counts as matched (several
per formation included), and detections of the same family and direction that re-read a found formation
further from its completion were about 1 in 1,000.

``planted_quality`` and ``random_walk_quality`` run the detector and return those figures per family,
against the targets (RECALL_TARGET, PRECISION_TARGET, NOISE_TARGET); the bars come from the caller, so the measurement does
not depend on where the planted market lives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np
import polars as pl

from investing_assets.lib.analytics.chart_patterns import FAMILIES, detect_chart_patterns
from investing_assets.lib.core import calendar

FAMILY_ORDER = tuple(dict.fromkeys(FAMILIES.values()))
TRADING_DAYS = 252
MIN_AMPLITUDE_ATR = 3.0
TOLERANCE_SESSIONS = 10
RECALL_TARGET = 0.8  # per family, on planted formations of at least MIN_AMPLITUDE_ATR
PRECISION_TARGET = 0.8  # per family, every detection on the planted symbols, at that recall
NOISE_TARGET = 0.2  # false detections per symbol-year on noise, per family
RANDOM_WALKS, RANDOM_WALK_SESSIONS, RANDOM_WALK_SEED = 100, 2_520, 2024

EVALUATION = {
    "family": pl.String,
    "planted": pl.Int64,
    "recalled": pl.Int64,
    "recall": pl.Float64,
    "planted_large": pl.Int64,  # amplitude_atr >= min_amplitude_atr
    "recalled_large": pl.Int64,
    "recall_large": pl.Float64,
    "detections": pl.Int64,  # on the planted symbols
    "matched_detections": pl.Int64,
    "precision": pl.Float64,
    "detections_in_windows": pl.Int64,
    "precision_in_windows": pl.Float64,
}


def _session_number(column: str) -> pl.Expr:
    """Sessions as calendar positions, so tolerances count trading days, not calendar days."""
    index = {d: i for i, d in enumerate(calendar.all_sessions())}
    return pl.col(column).replace_strict(index, return_dtype=pl.Int64, default=None)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def evaluate(
    detections: pl.DataFrame,
    planted: pl.DataFrame,
    *,
    tolerance_sessions: int = TOLERANCE_SESSIONS,
    min_amplitude_atr: float = MIN_AMPLITUDE_ATR,
) -> pl.DataFrame:
    """EVALUATION, one row per family (FAMILY_ORDER) plus "all". Detections on symbols without plants are
    ignored here (they belong to the noise measurement)."""
    symbols = planted["symbol"].unique()
    truth = planted.with_row_index("planted_id").with_columns(
        family=pl.col("pattern").replace_strict(FAMILIES, return_dtype=pl.String),
        completion=_session_number("completion_session"),
        first=_session_number("start_session"),
    )
    found = (
        detections.filter(pl.col("symbol").is_in(symbols.implode()))
        .with_row_index("detection_id")
        .with_columns(end=_session_number("end_session"))
    )
    pairs = truth.join(found, on=["symbol", "family", "direction"], how="inner").filter(
        (pl.col("end") - pl.col("completion")).abs() <= tolerance_sessions
    )
    recalled = truth.with_columns(recalled=pl.col("planted_id").is_in(pairs["planted_id"].implode()))
    windows = truth.select("symbol", "first", "completion")
    in_window = (
        found.join(windows, on="symbol", how="inner")
        .filter(pl.col("end").is_between(pl.col("first") - tolerance_sessions, pl.col("completion") + tolerance_sessions))
        ["detection_id"].unique()
    )  # fmt: skip
    found = found.with_columns(
        matched=pl.col("detection_id").is_in(pairs["detection_id"].implode()),
        in_window=pl.col("detection_id").is_in(in_window.implode()),
    )
    rows = []
    for family in (*FAMILY_ORDER, "all"):
        t = recalled if family == "all" else recalled.filter(pl.col("family") == family)
        d = found if family == "all" else found.filter(pl.col("family") == family)
        large = t.filter(pl.col("amplitude_atr") >= min_amplitude_atr)
        hits, large_hits = int(t["recalled"].sum()), int(large["recalled"].sum())
        matched, windowed = int(d["matched"].sum()), d.filter(pl.col("in_window"))
        rows.append(
            {
                "family": family,
                "planted": t.height,
                "recalled": hits,
                "recall": _ratio(hits, t.height),
                "planted_large": large.height,
                "recalled_large": large_hits,
                "recall_large": _ratio(large_hits, large.height),
                "detections": d.height,
                "matched_detections": matched,
                "precision": _ratio(matched, d.height),
                "detections_in_windows": windowed.height,
                "precision_in_windows": _ratio(int(windowed["matched"].sum()), windowed.height),
            }
        )
    return pl.DataFrame(rows, schema=EVALUATION)


def symbol_years(bars: pl.DataFrame) -> float:
    return bars.height / TRADING_DAYS


def false_detections_per_symbol_year(
    detections: pl.DataFrame, exposure: pl.DataFrame | float
) -> pl.DataFrame:
    """(family, detections, per_symbol_year) on a noise market; `exposure` is its bars or symbol-years."""
    years = symbol_years(exposure) if isinstance(exposure, pl.DataFrame) else float(exposure)
    counts = dict(detections.group_by("family").len().iter_rows()) if detections.height else {}
    rows = [(f, int(counts.get(f, 0)), counts.get(f, 0) / years) for f in FAMILY_ORDER]
    rows.append(("all", detections.height, detections.height / years))
    return pl.DataFrame(rows, schema={"family": pl.String, "detections": pl.Int64, "per_symbol_year": pl.Float64},
                        orient="row")  # fmt: skip


def noise_bars(
    n_symbols: int, n_sessions: int, seed: int = 0, start: dt.date = calendar.CALENDAR_START
) -> pl.DataFrame:
    """DAILY_BARS of independent GARCH(1,1) random walks with Student-t(4) shocks on real NYSE sessions:
    no pattern is planted, so every detection on them is false. Annual vol 18-45%, vol clustering and
    fat tails like the demo market, OHLC built the same way (a share of the move gaps at the open, the
    range grows with the day's conditional sd)."""
    sessions = calendar.sessions_between(start, calendar.all_sessions()[-1])[:n_sessions]
    if len(sessions) < n_sessions:
        raise ValueError(f"the calendar has only {len(sessions)} sessions from {start}")
    rng = np.random.default_rng(seed)
    shape = (n_sessions, n_symbols)
    long_run = (rng.uniform(0.18, 0.45, n_symbols) ** 2) / TRADING_DAYS
    alpha, beta = 0.07, 0.91
    z = rng.standard_t(4.0, size=shape) * np.sqrt(0.5)
    returns, sd = np.empty(shape), np.empty(shape)
    var = long_run.copy()
    for t in range(n_sessions):
        sd[t] = np.sqrt(var)
        returns[t] = sd[t] * np.clip(z[t], -8, 8)
        var = long_run * (1 - alpha - beta) + alpha * returns[t] ** 2 + beta * var
    noise = rng.standard_normal((4, *shape))
    close = rng.uniform(20, 200, n_symbols) * np.exp(np.cumsum(returns, axis=0))
    previous = np.vstack([close[:1] / np.exp(returns[:1]), close[:-1]])
    open_ = previous * np.exp(0.3 * returns + 0.25 * sd * noise[0])
    high = np.maximum(open_, close) * np.exp(0.55 * sd * np.abs(noise[1]))
    low = np.minimum(open_, close) * np.exp(-0.55 * sd * np.abs(noise[2]))
    activity = 0.55 + 0.9 * np.abs(returns) / np.sqrt(long_run)
    volume = np.rint(2e6 * activity * np.exp(0.3 * noise[3])).astype(np.int64)
    names = pl.Series("symbol", [f"NOISE{i:04d}" for i in range(n_symbols)])
    day = np.array(sessions, dtype="datetime64[D]")
    frame = pl.DataFrame(
        {
            "symbol": names.gather(np.repeat(np.arange(n_symbols), n_sessions)),
            "session": np.tile(day, n_symbols),
            **{k: np.round(v.T.ravel(), 4) for k, v in (("open", open_), ("high", high), ("low", low), ("close", close))},
            "volume": volume.T.ravel(),
        }
    )  # fmt: skip
    return frame.with_columns(pl.col("session").cast(pl.Date), adj_close=pl.col("close")).select(
        "symbol", "session", "open", "high", "low", "close", "adj_close", "volume"
    )


# ------------------------------------------------------------------------------------ quality figures

# daily_bars(sessions, symbols) of a market source: DAILY_BARS sorted by (symbol, session).
BarsFor = Callable[[Sequence[dt.date], Sequence[str]], pl.DataFrame]


@dataclass(frozen=True)
class FamilyRecall:
    """One EVALUATION row: how many planted formations of a family (or "all") were found, and how
    precise the detections of that family on the planted symbols were. None: nothing to divide by."""

    family: str
    planted_large: int
    recalled_large: int
    recall_large: float | None
    recall: float | None  # every amplitude
    precision: float | None
    precision_in_windows: float | None

    @property
    def meets_recall_target(self) -> bool:
        return (self.recall_large or 0.0) >= RECALL_TARGET

    @property
    def meets_precision_target(self) -> bool:
        return (self.precision or 0.0) >= PRECISION_TARGET

    @property
    def meets_target(self) -> bool:
        return self.meets_recall_target and self.meets_precision_target


@dataclass(frozen=True)
class NoiseRate:
    """False detections of one family on a noise market."""

    family: str
    detections: int
    per_symbol_year: float

    @property
    def meets_target(self) -> bool:
        return self.per_symbol_year <= NOISE_TARGET


@dataclass(frozen=True)
class PlantedQuality:
    recall: tuple[FamilyRecall, ...]  # FAMILY_ORDER, then "all"
    noise: tuple[NoiseRate, ...]  # FAMILY_ORDER, on the same symbols and sessions with planting off
    worst_noise: NoiseRate
    symbols: int
    sessions: int


@dataclass(frozen=True)
class RandomWalkQuality:
    noise: tuple[NoiseRate, ...]  # FAMILY_ORDER
    worst_noise: NoiseRate
    all_families: float  # every family together, per symbol-year
    walks: int
    sessions: int


def _noise_rates(rates: pl.DataFrame) -> tuple[tuple[NoiseRate, ...], NoiseRate]:
    """Per-family rows of a false_detections_per_symbol_year frame, and the worst of them."""
    families = rates.filter(pl.col("family") != "all")
    worst = families.sort("per_symbol_year", descending=True).row(0, named=True)
    return tuple(NoiseRate(*row) for row in families.iter_rows()), NoiseRate(**worst)


def planted_quality(
    planted: pl.DataFrame,
    planted_bars: BarsFor,
    unplanted_bars: BarsFor,
    *,
    through: dt.date | None = None,
) -> PlantedQuality:
    """Recall on every formation in `planted` (a PLANTED_PATTERNS frame) completed by `through` (default
    today), detected on the whole history of the planted symbols from `planted_bars`, and false detections
    on the same symbols and sessions from `unplanted_bars` (the same market with planting off)."""
    last = calendar.last_session_on_or_before(through or dt.date.today())
    sessions = calendar.sessions_between(calendar.CALENDAR_START, last)
    planted = planted.filter(pl.col("completion_session") <= last)
    symbols = sorted(planted["symbol"].unique())
    result = evaluate(detect_chart_patterns(planted_bars(sessions, symbols)), planted)
    control = unplanted_bars(sessions, symbols)
    noise, worst = _noise_rates(false_detections_per_symbol_year(detect_chart_patterns(control), control))
    columns = [f.name for f in fields(FamilyRecall)]
    recall = tuple(FamilyRecall(*row) for row in result.select(columns).iter_rows())
    return PlantedQuality(recall, noise, worst, len(symbols), len(sessions))


def random_walk_quality(
    walks: int = RANDOM_WALKS, sessions: int = RANDOM_WALK_SESSIONS, seed: int = RANDOM_WALK_SEED
) -> RandomWalkQuality:
    """False detections on independent GARCH random walks (noise_bars): every detection is false."""
    bars = noise_bars(walks, sessions, seed=seed)
    rates = false_detections_per_symbol_year(detect_chart_patterns(bars), bars)
    noise, worst = _noise_rates(rates)
    total = rates.filter(pl.col("family") == "all")["per_symbol_year"].item()
    return RandomWalkQuality(noise, worst, total, walks, sessions)
