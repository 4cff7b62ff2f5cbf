from __future__ import annotations

import datetime as dt
import io

import matplotlib.image as mpimg
import numpy as np
import polars as pl
import pytest

from investing_assets.lib.analytics.chart_patterns import detect_chart_patterns
from investing_assets.lib.analytics.events import technical_events
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.charts import PNG_SIGNATURE, correlation_heatmap, scan_chart, technical_chart
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource


def _image(png: bytes) -> np.ndarray:
    assert png[:8] == PNG_SIGNATURE
    return mpimg.imread(io.BytesIO(png), format="png")


@pytest.fixture(scope="module")
def planted_symbol() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    source = DemoSource()
    row = source.planted_patterns().filter(pl.col("amplitude_atr") > 4).row(0, named=True)
    end = calendar.sessions_ending(row["completion_session"] + dt.timedelta(days=40), 1)[0]
    bars = source.daily_bars(calendar.sessions_ending(end, 400), [row["symbol"]])
    return bars, compute_indicators(bars), detect_chart_patterns(bars)


def test_technical_chart_is_a_png_with_three_panels_worth_of_pixels(planted_symbol) -> None:
    bars, indicators, patterns = planted_symbol
    assert patterns.height >= 1  # something to draw
    events = technical_events(bars, indicators)
    drawn = technical_chart(bars, indicators, patterns, events, title="planted")
    image = _image(drawn.png)
    assert image.shape[:2] == (900, 1200)
    assert image[..., :3].std() > 0.05  # not a blank canvas
    assert len(drawn.sessions) == 250 and drawn.series["candles"] == 250
    shown = events.filter(pl.col("session").is_in(list(drawn.sessions)))
    assert sum(n for k, n in drawn.markers.items() if k.endswith("event")) == shown.height > 0
    # Without patterns or events, and over the whole history, it still draws and still explains itself.
    bare = technical_chart(bars, indicators, patterns.clear(), sessions=None)
    assert _image(bare.png).shape[:2] == (900, 1200) and len(bare.sessions) == bars.height
    assert "bullish pattern: key points (0)" in bare.legend and "neutral event, above the bar (0)" in bare.legend


def test_technical_chart_bytes_depend_only_on_its_inputs(planted_symbol) -> None:
    bars, indicators, patterns = planted_symbol
    first = technical_chart(bars, indicators, patterns, title="same")
    assert technical_chart(bars, indicators, patterns, title="same").png == first.png
    assert technical_chart(bars, indicators, patterns, title="other").png != first.png


def test_technical_chart_wants_one_symbol(planted_symbol) -> None:
    bars, indicators, patterns = planted_symbol
    two = pl.concat([bars, bars.with_columns(symbol=pl.lit("OTHER"))])
    with pytest.raises(ValueError, match="exactly one symbol"):
        technical_chart(two, indicators, patterns)


def test_correlation_heatmap() -> None:
    matrix = np.array([[1.0, 0.3, -0.2], [0.3, 1.0, np.nan], [-0.2, np.nan, 1.0]])
    image = _image(correlation_heatmap(matrix, ["Energy", "Tech", "Utilities"]))
    assert image.shape[0] >= 400 and image.shape[1] >= 500
    with pytest.raises(ValueError, match="labels"):
        correlation_heatmap(matrix, ["a", "b"])


def test_scan_chart_with_and_without_discoveries() -> None:
    rows = [
        {
            "symbol": "AAA",
            "pattern": "head_and_shoulders",
            "kind": "chart",
            "direction": "bearish",
            "confidence": 0.9,
        },
        {
            "symbol": "BBB",
            "pattern": "golden_cross",
            "kind": "event",
            "direction": "bullish",
            "confidence": 0.7,
        },
        {"symbol": "CCC", "pattern": "doji", "kind": "candle", "direction": "neutral", "confidence": 0.5},
    ]
    full, empty = _image(scan_chart(rows)), _image(scan_chart([]))
    assert full.shape[1] == 900 and empty.shape[1] == 900
    assert full[..., :3].std() > empty[..., :3].std()


def test_a_synthetic_source_is_named_above_the_chart(planted_symbol) -> None:
    from investing_assets.lib.charts import NOTE_COLOUR
    from investing_assets.lib.services.sources import synthetic_note

    note = synthetic_note("demo")
    assert note is not None and note.startswith("synthetic") and synthetic_note("yahoo") is None
    bars, indicators, patterns = planted_symbol
    noted = technical_chart(bars, indicators, patterns, title="planted", data_note=note)
    plain = technical_chart(bars, indicators, patterns, title="planted")
    assert noted.data_note == note and plain.data_note is None
    red = np.array([int(NOTE_COLOUR[k : k + 2], 16) / 255 for k in (1, 3, 5)])

    def note_pixels(png: bytes) -> int:
        top = _image(png)[:60, :, :3]  # the band above the price panel's title
        return int((np.abs(top - red).max(axis=2) < 0.15).sum())

    assert note_pixels(noted.png) > 100 and note_pixels(plain.png) == 0
    for chart in (scan_chart([], data_note=note), correlation_heatmap(np.eye(2), ["A", "B"], data_note=note)):
        assert note_pixels(chart) > 50
