"""Turning lib results into the metadata a user reads in the UI.

A partition's page must describe that partition only, however it was run. Dagster attaches one
`MaterializeResult`'s metadata to every partition of a single-run range (dagster #18123), so a range run gives
each partition its own metadata through `context.add_asset_metadata(partition_key=...)`: the rows stored for
that session (read back from PostgreSQL), its preview and chart, which Dagster puts on that partition's
materialization (written a batch at a time with `DAGSTER_EVENT_BATCH_SIZE`). The range's own figures
(`run_sessions`, `run_rows`, `run_range`, notes, cache state) go on one observation of the asset with no
partition, so no partition shows another's. A single-partition run reports once, with its own figures.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import dagster as dg
import polars as pl
from dagster._core.execution.context.metadata_logging import AssetMetadataHandle, OutputMetadataAccumulator

from investing_assets import settings
from investing_assets.lib.charts import save_png
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.results import Written
from investing_assets.lib.sources.protocol import Source
from investing_assets.lib.storage.queries.sessions import rows_per_session
from investing_assets.lib.storage.warehouse import Warehouse


def source_metadata(source: Source) -> dict[str, object]:
    """Where a market asset's rows came from (the source that served its dataset); a synthetic source (the demo)
    says so on every partition."""
    meta: dict[str, object] = {"data_source": source.name, "synthetic": source.synthetic}
    if source.synthetic:
        meta["data_note"] = source.disclaimer or "synthetic data, not market quotes"
    return meta


def data_note(*datasets: Dataset) -> str | None:
    """The line a chart carries when a dataset it draws (default: the bars) comes from a synthetic source (the
    demo), else None."""
    return settings.market_routes().synthetic_note(*(datasets or (Dataset.BARS,)))


def stored_in(table: str) -> dict[str, str]:
    """Definition metadata naming the table an asset lives in: the UI shows it, the summary counts it."""
    return {"dagster/table_name": table}


# A range run draws each partition's chart for its newest sessions only, to bound the run's time; older
# partitions say how to get theirs.
CHARTED_SESSIONS = 10


def charted(session: dt.date, sessions: list[dt.date]) -> bool:
    return session in sessions[-CHARTED_SESSIONS:]


def not_charted(sessions: list[dt.date]) -> dict[str, object]:
    return {"chart": f"not drawn: a range run draws the newest {CHARTED_SESSIONS} of its {len(sessions)} sessions; "
                     "materialize this session alone to draw it"}


def session_results(asset_key: dg.AssetKey, sessions: Sequence[dt.date], counts: Mapping[dt.date, int], *,
                    run: Mapping[str, object] | None = None,
                    own: Callable[[dt.date], Mapping[str, object]] | None = None) -> Iterator[object]:
    """The events of one asset for the run's sessions: see the module docstring. Called from inside the asset's
    body (it reads the running context, to attach each partition's metadata)."""
    def own_metadata(session: dt.date) -> dict[str, object]:
        return {"dagster/row_count": counts.get(session, 0), **(own(session) if own else {})}

    run = dict(run or {})
    if len(sessions) == 1:
        yield dg.MaterializeResult(asset_key=asset_key, metadata={**run, **own_metadata(sessions[0])})
        return
    span = f"{sessions[0].isoformat()} .. {sessions[-1].isoformat()}"
    yield dg.AssetObservation(asset_key=asset_key, metadata={
        "run_sessions": len(sessions), "run_range": span, "run_rows": sum(counts.values()), **run})
    label = f"{span} ({len(sessions)} sessions, one run)"
    add_partition_metadata(dg.AssetExecutionContext.get(), asset_key, {
        session.isoformat(): {**own_metadata(session), "run_range": label} for session in sessions})
    yield dg.MaterializeResult(asset_key=asset_key)


def add_partition_metadata(context: dg.AssetExecutionContext, asset_key: dg.AssetKey,
                           by_partition: Mapping[str, Mapping[str, object]]) -> None:
    """`context.add_asset_metadata(metadata, asset_key, partition_key)` for many partitions at once.

    Dagster 1.13's method lists every partition key of the run's range on each call (to refuse one outside it)
    and copies the accumulated metadata each time, so a ten-year range (2,803 sessions) costs O(sessions^2):
    a listing of its trading_day keys takes 40 ms here, 2,803 of them about 110 s per asset. Here the keys are checked against the range once and the accumulator is built in one
    step (Dagster's own record types, set where `add_asset_metadata` sets them)."""
    step = context.op_execution_context._step_execution_context
    targeted = set(context.partition_keys)
    outside = [key for key in by_partition if key not in targeted]
    if outside:
        raise dg.DagsterInvariantViolationError(f"metadata for partition {outside[0]} of {asset_key.to_user_string()}, "
                                                "which this run does not target")
    accumulated = dict(step._metadata_accumulator.per_output_metadata)
    for key, metadata in by_partition.items():
        handle = AssetMetadataHandle(asset_key=asset_key, partition_key=key)
        accumulated[handle] = {**accumulated.get(handle, {}), **metadata}
    step._metadata_accumulator = OutputMetadataAccumulator(per_output_metadata=accumulated)


def written_results(asset_key: dg.AssetKey, written: Written, sessions: Sequence[dt.date], warehouse: Warehouse,
                    table: str, *, where: Mapping[str, Sequence[object]] | None = None,
                    labels: Mapping[str, object] | None = None, **extra: object) -> Iterator[object]:
    """`session_results` for a service's `Written`: stored rows per session, each session's own preview.
    `labels` (e.g. source_metadata) go on the run's and on every partition's materialization."""
    run: dict[str, object] = dict(labels or {})
    if written.cached is not None:
        run["cache_refreshed"] = written.cached
    if written.notes:
        run["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in written.notes))
    run.update(extra)

    basis = {"price_basis": written.basis} if written.basis else {}
    run.update(basis)

    def own(session: dt.date) -> dict[str, object]:
        preview = written.preview_of(session)
        meta = {"preview": dg.MetadataValue.md(markdown_table(preview))} if preview is not None and preview.height \
            else {}
        for name, frame in written.session_tables.get(session, {}).items():
            meta[name] = dg.MetadataValue.md(markdown_table(frame))
        return {**basis, **(labels or {}), **meta}

    yield from session_results(asset_key, sessions, rows_per_session(warehouse, table, sessions, where), run=run,
                               own=own)


def written_metadata(written: Written, **extra: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "dagster/row_count": written.rows,
        "sessions": written.sessions,
    }
    if written.cached is not None:
        meta["cache_refreshed"] = written.cached
    if written.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in written.notes))
    if written.basis:
        meta["price_basis"] = written.basis
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
