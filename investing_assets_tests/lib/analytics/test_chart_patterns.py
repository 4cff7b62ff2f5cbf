from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import numpy as np
import polars as pl
import pytest

from investing_assets.lib.analytics.chart_patterns import (
    DEFAULT_RULES,
    DETECTIONS,
    FAMILIES,
    detect_chart_patterns,
    kernel_smooth,
    support,
)
from investing_assets.lib.analytics.data_quality import screen_bars
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource

START = dt.date(2015, 1, 2)


def _path(vertices: list[tuple[int, float]]) -> np.ndarray:
    """Closes along straight legs between (session offset, price) vertices."""
    xs, ys = zip(*vertices, strict=True)
    return np.interp(np.arange(xs[-1] + 1), xs, ys)


def _bars(close: np.ndarray, symbol: str = "HS", opens: np.ndarray | None = None) -> pl.DataFrame:
    """Bars on real sessions: open at the previous close (or `opens`), a 0.4 range either side."""
    open_ = np.concatenate([[close[0]], close[:-1]]) if opens is None else opens
    days = calendar.sessions_between(START, START + dt.timedelta(days=800))[: close.shape[0]]
    return pl.DataFrame(
        {
            "symbol": symbol,
            "session": days,
            "open": open_,
            "high": np.maximum(open_, close) + 0.4,
            "low": np.minimum(open_, close) - 0.4,
            "close": close,
            "adj_close": close,
            "volume": np.full(close.shape[0], 1_000_000),
        }
    )


# A head-and-shoulders top: base 98, left shoulder 106, troughs 102 (the neckline), head 110, right
# shoulder 106, a drift down to 102.6 (above the neckline by less than the break margin), then on
# session BREAK one close at 98: the breakout.
LEG = 12
HS_VERTICES = [(0, 98.0), (30, 98.0), (30 + LEG, 106.0), (30 + 2 * LEG, 102.0), (30 + 3 * LEG, 110.0),
               (30 + 4 * LEG, 102.0), (30 + 5 * LEG, 106.0), (30 + 5 * LEG + 10, 102.6)]  # fmt: skip
BREAK = 30 + 5 * LEG + 11


def _head_and_shoulders(after: float = 98.0) -> np.ndarray:
    close = _path(HS_VERTICES)
    return np.concatenate([close, [after], np.linspace(after - 0.3, after - 2.0, 20)])


def test_hand_built_head_and_shoulders_is_found_on_its_breakout_session() -> None:
    bars = _bars(_head_and_shoulders())
    found = detect_chart_patterns(bars)
    assert found.schema == pl.Schema(DETECTIONS)
    assert found.height == 1, found
    row = found.row(0, named=True)
    assert (row["pattern"], row["family"], row["direction"]) == (
        "head_and_shoulders",
        "head_and_shoulders",
        "bearish",
    )
    sessions = bars["session"].to_list()
    assert row["end_session"] == sessions[BREAK]
    assert row["start_session"] == sessions[30 + LEG]
    key_rows = [sessions.index(p["session"]) for p in row["key_points"]]
    assert key_rows == [30 + k * LEG for k in range(1, 6)]
    assert [p["price"] for p in row["key_points"]] == [106.0, 102.0, 110.0, 102.0, 106.0]
    assert row["breakout_level"] == pytest.approx(102.0)
    # Measured move on the log scale: the neckline divided by the head-over-neckline ratio.
    assert row["target"] == pytest.approx(102.0 * 102.0 / 110.0)
    assert 0.0 < row["confidence"] <= 1.0


def test_the_mirror_image_is_an_inverse_head_and_shoulders_on_the_same_session() -> None:
    bars = _bars(200.0 - _head_and_shoulders(), symbol="INV")
    found = detect_chart_patterns(bars)
    assert found.select("pattern", "direction").rows() == [("inverse_head_and_shoulders", "bullish")]
    assert found["end_session"].item() == bars["session"][BREAK]
    assert found["breakout_level"].item() == pytest.approx(98.0)


def test_a_shoulder_leg_much_longer_than_the_others_belongs_to_another_swing() -> None:
    """The legs of a head-and-shoulders are even within max_leg_ratio (2.5), like a boundary's: stretching
    the leg from the left shoulder down to the neckline from 12 to 31 sessions (the halves stay within
    max_time_ratio) turns the top into something else."""

    def stretched(first_leg: int) -> np.ndarray:
        vertices = [(0, 98.0), (30, 98.0), (42, 106.0), (42 + first_leg, 102.0), (54 + first_leg, 110.0),
                    (66 + first_leg, 102.0), (78 + first_leg, 106.0), (88 + first_leg, 102.6)]  # fmt: skip
        return np.concatenate([_path(vertices), [98.0], np.linspace(97.7, 96.0, 20)])

    assert detect_chart_patterns(_bars(stretched(24)))["pattern"].to_list() == ["head_and_shoulders"]
    assert detect_chart_patterns(_bars(stretched(31))).height == 0


def _log_path(vertices: list[tuple[int, float]]) -> np.ndarray:
    """Closes along legs straight on the log scale (constant percent moves) between the vertices."""
    xs, ys = zip(*vertices, strict=True)
    return np.exp(np.interp(np.arange(xs[-1] + 1), xs, np.log(ys)))


BOUNDARY_BREAK = 87


def _boundary_up(lows: Callable[[int], float], width: float, before: list[tuple[int, float]]) -> np.ndarray:
    """Five touches 12 sessions apart from session 30 (lows on `lows`, highs `width` times above them),
    a rise towards the upper line, then on session BOUNDARY_BREAK a close 3% above it: the breakout."""
    touches = [(30 + 12 * k, lows(30 + 12 * k) * (width if k % 2 else 1.0)) for k in range(5)]
    last = BOUNDARY_BREAK - 1
    formation = _log_path([*before, *touches, (last, lows(last) * width * 0.99)])
    return np.concatenate([formation, lows(BOUNDARY_BREAK) * width * np.linspace(1.03, 1.06, 16)])


def test_a_channel_falling_in_percent_is_a_channel_not_a_wedge() -> None:
    """Lows and highs both fall 35% from the first touch to the last, the highs 30% above the lows: parallel
    on the log scale the detector reads. In dollars the width shrinks from 30 to 19.5 (by 0.42 of the mean
    height), which the shape rules would call a falling wedge."""
    close = _boundary_up(lambda t: 100.0 * 0.65 ** ((t - 30) / 48), 1.3, [(0, 147.0)])
    found = detect_chart_patterns(_bars(close, symbol="CHAN"))
    assert found.select("pattern", "direction").rows() == [("descending_channel", "bullish")]
    assert found["end_session"].item() == _bars(close)["session"][BOUNDARY_BREAK]


def test_a_close_through_a_line_before_the_breakout_spoils_the_formation() -> None:
    """A rectangle (lows at 100, highs at 115) is found on its breakout. One close 2.8% above the upper line
    mid-formation (about 1.6 ATR; too brief to be a turning point) was a breakout already: no rectangle
    after it."""
    close = _boundary_up(lambda t: 100.0, 1.15, [(0, 107.0)])
    assert detect_chart_patterns(_bars(close)).select("pattern", "direction").rows() == [
        ("rectangle", "bullish")
    ]
    spiked = close.copy()
    spiked[47] *= 1.09  # 5 sessions after the first upper touch, on the way down
    assert spiked[47] > 118.0
    assert detect_chart_patterns(_bars(spiked)).height == 0


def test_a_formation_entered_from_beyond_its_line_is_not_one() -> None:
    """The lines must also hold over the leg before the first touch: a rectangle whose first low comes
    right after a dip to 96, 4% under its lower line, is the end of a larger swing, while one after a dip
    to 101 is a rectangle."""
    for dip, expected in ((101.0, [("rectangle", "bullish")]), (96.0, [])):
        close = _boundary_up(lambda t: 100.0, 1.15, [(0, 107.0), (20, dip), (25, 104.0)])
        assert detect_chart_patterns(_bars(close)).select("pattern", "direction").rows() == expected, dip


def test_no_breakout_no_detection() -> None:
    """The same formation whose price stays above the neckline is not a head-and-shoulders yet."""
    assert detect_chart_patterns(_bars(_head_and_shoulders(after=102.8))).height == 0


def test_double_bottom_breaks_out_above_its_middle_peak() -> None:
    vertices = [(0, 110.0), (20, 110.0), (32, 100.0), (44, 106.0), (56, 100.2), (66, 105.5)]
    close = np.concatenate([_path(vertices), [109.0], np.linspace(109.3, 111, 15)])
    bars = _bars(close, symbol="DB")
    found = detect_chart_patterns(bars)
    assert found.select("pattern", "family", "direction").rows() == [("double_bottom", "double", "bullish")]
    assert found["end_session"].item() == bars["session"][67]
    assert found["breakout_level"].item() == pytest.approx(106.0)


def _double_bottom(trough: float, breaking_close: float) -> pl.DataFrame:
    vertices = [(0, 110.0), (20, 110.0), (32, trough), (44, 106.0), (56, trough + 0.2), (66, 105.5)]
    tail = np.full(15, min(breaking_close, 106.3))  # the close after the break falls back under the line
    return _bars(np.concatenate([_path(vertices), [breaking_close], tail]), symbol="DB")


def test_a_double_bottom_needs_a_decisive_break() -> None:
    """A close just over the middle peak (by the break margin but not a tenth of the depth more) is no
    breakout yet; the same formation closing well over it is."""
    timid = _double_bottom(100.0, 106.9)
    assert detect_chart_patterns(timid).height == 0
    assert detect_chart_patterns(timid, rules=dataclasses.replace(DEFAULT_RULES, double_break_frac=0.0)).height == 1
    assert detect_chart_patterns(_double_bottom(100.0, 108.0)).height == 1


def test_a_shallow_double_bottom_is_not_reported() -> None:
    """Two lows 3 under the middle peak (about 2.3 ATR): inside the wander that makes level lows by chance."""
    shallow = _double_bottom(103.0, 109.0)
    assert detect_chart_patterns(shallow).height == 0
    assert detect_chart_patterns(shallow, rules=dataclasses.replace(DEFAULT_RULES, double_min_height_atr=2.0)).height == 1


def test_an_unadjusted_split_is_not_a_breakdown_but_a_crash_is() -> None:
    formation = _path(HS_VERTICES)
    tail = np.linspace(102.6, 102.0, 20)

    def gapped(close: np.ndarray, symbol: str) -> pl.DataFrame:
        """The whole jump happens overnight, as a split (or an overnight crash) does."""
        opens = np.concatenate([[close[0]], close[:-1]])
        opens[formation.shape[0]] = close[formation.shape[0]]
        return _bars(close, symbol=symbol, opens=opens)

    split = gapped(np.concatenate([formation, tail / 2.0]), "SPLIT")
    split = split.with_columns(
        volume=pl.when(pl.col("close") < 60).then(2_000_000).otherwise(pl.col("volume"))
    )
    crash = gapped(np.concatenate([formation, tail * 0.6]), "CRASH")
    found = detect_chart_patterns(pl.concat([split, crash]))
    assert found.select("symbol", "pattern").rows() == [("CRASH", "head_and_shoulders")]
    # Screened, the split is back-adjusted and there is nothing left to break.
    clean, issues = screen_bars(split)
    assert issues.select("issue", "action").rows() == [("split", "back_adjusted")]
    assert detect_chart_patterns(clean).height == 0


def test_flat_and_short_inputs_give_empty_frames() -> None:
    flat = _bars(np.full(300, 50.0), symbol="FLAT")
    short = _bars(np.linspace(10, 11, 8), symbol="SHORT")
    assert detect_chart_patterns(flat).height == 0
    assert detect_chart_patterns(short).height == 0
    assert detect_chart_patterns(flat.clear()).schema == pl.Schema(DETECTIONS)


def test_the_smoother_only_returns_values_that_later_bars_cannot_change() -> None:
    close = np.random.default_rng(3).normal(0, 1, 300).cumsum() + 100
    full = kernel_smooth(close, DEFAULT_RULES)
    part = kernel_smooth(close[:200], DEFAULT_RULES)
    assert part.shape[0] == 200 - support(DEFAULT_RULES)
    np.testing.assert_array_equal(full[: part.shape[0]], part)


# ------------------------------------------------------------------------------------------ causality


@pytest.fixture(scope="module")
def planted_bars() -> pl.DataFrame:
    source = DemoSource()
    symbols = sorted(source.planted_patterns()["symbol"].unique())[:8]
    return source.daily_bars(calendar.sessions_between(dt.date(2012, 1, 1), dt.date(2015, 12, 31)), symbols)


def test_replaying_a_truncated_history_gives_the_same_detections(planted_bars: pl.DataFrame) -> None:
    full = detect_chart_patterns(planted_bars)
    assert full.height >= 10  # planted symbols: there is something to replay
    sessions = planted_bars["session"].unique().sort().to_list()
    # Every fifth session: a turning point that a replay learns later (or earlier) than the full history
    # shows up at some cut; sparser cuts let such bugs through.
    for cut in sessions[260::5]:
        replay = detect_chart_patterns(planted_bars.filter(pl.col("session") <= cut))
        assert replay.equals(full.filter(pl.col("end_session") <= cut)), cut
    for cut in full["end_session"].unique().sort().to_list()[:15]:
        today = detect_chart_patterns(planted_bars, as_of=cut)
        assert today.equals(full.filter(pl.col("end_session") == cut)), cut


def test_every_detection_is_a_known_family_and_direction(planted_bars: pl.DataFrame) -> None:
    found = detect_chart_patterns(planted_bars)
    assert set(found["pattern"]) <= set(FAMILIES)
    assert found.select((pl.col("family") == pl.col("pattern").replace_strict(FAMILIES)).all()).item()
    assert set(found["direction"]) <= {"bullish", "bearish"}
    assert found.select(
        (pl.col("start_session") < pl.col("end_session")).all(),
        pl.col("confidence").is_between(0, 1).all(),
        (pl.col("key_points").list.len() >= 3).all(),
    ).row(0) == (True, True, True)
