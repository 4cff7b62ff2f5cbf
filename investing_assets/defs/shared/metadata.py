"""Turning lib results into the metadata a user reads in the UI."""

from __future__ import annotations

import base64
from pathlib import Path

import dagster as dg
import polars as pl

from investing_assets.lib.charts import save_png
from investing_assets.lib.core.results import Written


def stored_in(table: str) -> dict[str, str]:
    """Definition metadata naming the table an asset lives in: the UI shows it, the summary counts it."""
    return {"dagster/table_name": table}


def written_metadata(written: Written, **extra: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "dagster/row_count": written.rows,
        "sessions": written.sessions,
    }
    if written.cached is not None:
        meta["cache_refreshed"] = written.cached
    if written.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in written.notes))
    if written.preview is not None and written.preview.height:
        meta["preview"] = dg.MetadataValue.md(markdown_table(written.preview))
    meta.update(extra)
    return meta


def markdown_table(frame: pl.DataFrame, max_rows: int = 20) -> str:
    frame = frame.head(max_rows)
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *rows])


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return "" if value is None else str(value)


def chart_metadata(png: bytes, path: Path, label: str = "chart") -> dict[str, object]:
    """A PNG shown inline in the UI (markdown image) and kept on disk for people who'd rather open a file."""
    save_png(png, path)
    encoded = base64.b64encode(png).decode()
    return {label: dg.MetadataValue.md(f"![{label}](data:image/png;base64,{encoded})"),
            f"{label}_path": dg.MetadataValue.path(str(path))}
