"""The configured market source, built by name: the one place that knows every connector and the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SOURCES = ("demo", "csv", "yahoo", "fmp")


def make_source(name: str, *, csv_folder: str | Path | None = None, fmp_api_key: str | None = None) -> Any:
    """Build a market source by name; the demo source needs nothing and is the default."""
    if name == "demo":
        from investing_assets.lib.synthetic.source import DemoSource

        return DemoSource()
    if name == "csv":
        if not csv_folder:
            raise ValueError("the csv source needs a folder (INVESTING_CSV_FOLDER)")
        from investing_assets.lib.sources.csv_folder import CsvFolderSource

        return CsvFolderSource(Path(csv_folder))
    if name == "yahoo":
        from investing_assets.lib.sources.yahoo import YahooSource

        return YahooSource()
    if name == "fmp":
        if not fmp_api_key:
            raise ValueError("the fmp source needs an API key (FMP_API_KEY)")
        from investing_assets.lib.sources.fmp import FmpSource

        return FmpSource(api_key=fmp_api_key)
    raise ValueError(f"unknown market source {name!r}; choose one of {', '.join(SOURCES)}")


def synthetic_note(name: str) -> str | None:
    """What a chart or summary says about a source whose data is made up (the demo); None for real data."""
    if name == "demo":
        from investing_assets.lib.synthetic.source import DemoSource

        return DemoSource.disclaimer
    return None
