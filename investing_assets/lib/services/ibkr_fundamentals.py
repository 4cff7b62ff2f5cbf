"""The IBKR fundamentals ETL: a budget of reqFundamentalData requests a run, least-recently-fetched symbols first.

IBKR allows about 60 requests in ten minutes and some report types fail for weeks, so one run never tries the whole
universe: it takes `budget // len(reports)` symbols from model memory of when IBKR last answered for each
(never-asked first, then oldest; the scanner's rotation, lib/analytics/scanner.pick_batch), asks their reports,
and stores what came. A refusal (IBKR's code and words), a malformed report, a pacing violation or a missing
gateway is a per-symbol reason in the outcome, and the rest of the run goes on. A symbol IBKR answered for, even
with a refusal, moves to the back of the rotation (otherwise a report that fails for weeks would take the same
budget every day); one never asked (the asking stopped) keeps its place. Redis is a copy: without it the batch is
the first symbols alphabetically, as the scanner's is.

Writes keep what was known (the tables' point-in-time rules are in sql/027_ibkr_fundamentals.sql): each symbol's
stored rows are merged with the new ones and the symbol's rows replaced in one transaction for all five tables.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.scanner import pick_batch
from investing_assets.lib.core.fundamental_reports import (
    FIN_STATEMENTS,
    FIN_SUMMARY,
    REPORTS,
    SNAPSHOT,
    ReportAnswer,
)
from investing_assets.lib.fundamentals import ibkr_reports as parsed
from investing_assets.lib.services.model_memory import ensure_loaded
from investing_assets.lib.sources.protocol import FundamentalSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.memory import MemoryStore
from investing_assets.lib.storage.warehouse import Warehouse

DEFAULT_BUDGET = 60  # requests a run: one of IBKR's ten-minute windows, so a run never waits on the pacer

# table -> (the parsed frame's schema, its natural key)
TABLES: dict[str, tuple[dict[str, pl.DataType], list[str]]] = {
    names.IBKR_PROFILE: (parsed.PROFILE, parsed.PROFILE_KEY),
    names.IBKR_RATIOS: (parsed.RATIOS, parsed.RATIOS_KEY),
    names.IBKR_STATEMENTS: (parsed.STATEMENTS, parsed.STATEMENTS_KEY),
    names.IBKR_SUMMARY: (parsed.SUMMARY, parsed.SUMMARY_KEY),
    names.IBKR_DIVIDENDS: (parsed.DIVIDENDS, parsed.DIVIDENDS_KEY),
}
TABLES_OF = {SNAPSHOT: (names.IBKR_PROFILE, names.IBKR_RATIOS), FIN_SUMMARY: (names.IBKR_SUMMARY,
                                                                              names.IBKR_DIVIDENDS),
             FIN_STATEMENTS: (names.IBKR_STATEMENTS,)}


@dataclass(frozen=True)
class Refusal:
    symbol: str
    report: str
    code: int | None
    reason: str


@dataclass
class FundamentalsRun:
    """What one run did: the truth its metadata tells."""

    fetched_on: dt.date
    budget: int
    picked: list[str] = field(default_factory=list)
    fetched: dict[str, list[str]] = field(default_factory=dict)  # symbol -> reports stored
    refused: list[Refusal] = field(default_factory=list)
    requests: int = 0  # reqFundamentalData requests sent
    new_rows: dict[str, int] = field(default_factory=dict)  # table -> rows this run added or rewrote
    table_rows: dict[str, int] = field(default_factory=dict)  # table -> rows stored after the run
    stopped: str | None = None  # why the asking stopped before the batch was done
    preview: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def refused_symbols(self) -> list[str]:
        return sorted({r.symbol for r in self.refused})


def last_fetched(cache: HotCache | None, warehouse: Warehouse | None = None) -> dict[str, float]:
    """symbol -> when IBKR last answered for it (epoch seconds): the ETL's rotation, in model memory (synced to
    PostgreSQL nightly; a Redis that starts empty is refilled from there first). Empty without Redis."""
    if cache is None:
        return {}
    memory = MemoryStore(cache.url)
    if not memory.loaded():
        ensure_loaded(memory, warehouse)
    return {symbol: float(when) for symbol, when in memory.values(names.IBKR_FUNDAMENTALS_ROTATION).items()}


def fetch_fundamentals(source: FundamentalSource, warehouse: Warehouse, cache: HotCache | None,
                       universe: Sequence[str], *, budget: int = DEFAULT_BUDGET, today: dt.date,
                       reports: Sequence[str] = REPORTS, clock: float | None = None,
                       progress: Callable[[ReportAnswer], None] | None = None) -> FundamentalsRun:
    """One run: pick, ask, parse, store, rotate (see the module docstring); `progress` hears of each answer."""
    if budget < len(reports):
        raise ValueError(f"a budget of {budget} requests cannot ask the {len(reports)} reports of one symbol")
    run = FundamentalsRun(today, budget)
    last = last_fetched(cache, warehouse)
    run.picked = pick_batch(last, universe, budget // len(reports))
    frames: dict[str, list[pl.DataFrame]] = {table: [] for table in TABLES}
    answered: set[str] = set()
    for answer in source.fundamental_reports(run.picked, reports):
        if progress is not None:
            progress(answer)
        run.requests += answer.sent
        if answer.stopped:
            run.stopped = run.stopped or (answer.reason or "").removeprefix("not asked: ")
        else:
            answered.add(answer.symbol)
        if not answer.ok:
            run.refused.append(Refusal(answer.symbol, answer.report, answer.code, answer.reason or ""))
            continue
        try:
            for table, frame in _parse(answer).items():
                frames[table].append(frame)
        except parsed.ReportError as exc:
            run.refused.append(Refusal(answer.symbol, answer.report, None, f"malformed: {exc}"))
            continue
        run.fetched.setdefault(answer.symbol, []).append(answer.report)
    run.new_rows = _store(warehouse, frames, today)
    run.table_rows = {table: warehouse.count(table) for table in TABLES}
    if cache is not None and answered:
        now = time.time() if clock is None else clock
        MemoryStore(cache.url).put(names.IBKR_FUNDAMENTALS_ROTATION, {symbol: now for symbol in answered})
    run.preview = _preview(frames)
    return run


def _parse(answer: ReportAnswer) -> dict[str, pl.DataFrame]:
    assert answer.xml is not None
    if answer.report == SNAPSHOT:
        profile, ratios = parsed.parse_snapshot(answer.symbol, answer.xml)
        return {names.IBKR_PROFILE: profile, names.IBKR_RATIOS: ratios}
    if answer.report == FIN_SUMMARY:
        summary, dividends = parsed.parse_fin_summary(answer.symbol, answer.xml)
        return {names.IBKR_SUMMARY: summary, names.IBKR_DIVIDENDS: dividends}
    if answer.report == FIN_STATEMENTS:
        return {names.IBKR_STATEMENTS: parsed.parse_fin_statements(answer.symbol, answer.xml)}
    raise parsed.ReportError(answer.symbol, answer.report, f"no parser for report type {answer.report!r}")


def _store(warehouse: Warehouse, frames: dict[str, list[pl.DataFrame]], today: dt.date) -> dict[str, int]:
    """Merge each table's new rows with the stored rows of their symbols and replace those symbols' rows, every
    table in one transaction; returns the rows each table gained or had rewritten."""
    writes, changed = [], {}
    for table, parts in frames.items():
        schema, key = TABLES[table]
        new = pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=schema)
        symbols = sorted(set(new.get_column("symbol").to_list()))
        if not symbols:
            changed[table] = 0
            continue
        stored = warehouse.read_table(table, {"symbol": symbols}, schema=_stored_schema(table))
        merged, count = (_merge_versions if table == names.IBKR_SUMMARY else _merge_latest)(stored, new, key, today)
        writes.append((table, merged.select(list(_stored_schema(table))), {"symbol": symbols}))
        changed[table] = count
    if writes:
        warehouse.replace_many(writes)
    return changed


def _stored_schema(table: str) -> dict[str, pl.DataType]:
    schema, _ = TABLES[table]
    if table == names.IBKR_SUMMARY:  # known_from is the first fetch of the value (the report gives none)
        schema = {**{k: v for k, v in schema.items() if k != "value"}, "known_from": pl.Date, "value": pl.Float64}
        order = ["symbol", "metric", "as_of_date", "report_type", "period", "known_from", "currency", "value"]
        schema = {k: schema[k] for k in order}
    return {**schema, "fetched": pl.Date}


def _merge_latest(stored: pl.DataFrame, new: pl.DataFrame, key: list[str], today: dt.date
                  ) -> tuple[pl.DataFrame, int]:
    """The report's own dates are in the key: the latest fetch of a key wins, every other stored key stays."""
    new = new.with_columns(fetched=pl.lit(today, pl.Date))
    kept = stored.join(new.select(key), on=key, how="anti", nulls_equal=True)
    return pl.concat([kept, new.select(stored.columns)], how="vertical"), new.height


def _merge_versions(stored: pl.DataFrame, new: pl.DataFrame, key: list[str], today: dt.date
                    ) -> tuple[pl.DataFrame, int]:
    """No date of its own: a value is known from the day it was first fetched; the same value again adds nothing,
    a changed one is a new version beside the old."""
    latest = stored.sort("known_from").group_by(key, maintain_order=True).last()
    changed = new.join(latest.select(*key, "currency", "value"), on=[*key, "currency", "value"], how="anti",
                       nulls_equal=True)
    changed = changed.with_columns(known_from=pl.lit(today, pl.Date), fetched=pl.lit(today, pl.Date))
    kept = stored.join(changed.select(*key, "known_from"), on=[*key, "known_from"], how="anti")
    return pl.concat([kept, changed.select(stored.columns)], how="vertical"), changed.height


def _preview(frames: dict[str, list[pl.DataFrame]], rows: int = 10) -> pl.DataFrame:
    """Per fetched symbol: its name, the latest annual revenue and EPS, P/E and price from the snapshot."""
    profile = pl.concat(frames[names.IBKR_PROFILE]) if frames[names.IBKR_PROFILE] else None
    if profile is None or profile.height == 0:
        return pl.DataFrame()
    out = profile.select("symbol", "company_name", "known_from")
    if frames[names.IBKR_RATIOS]:
        ratios = pl.concat(frames[names.IBKR_RATIOS]).filter(pl.col("field").is_in(["NPRICE", "PEEXCLXOR",
                                                                                       "TTMEPSXCLX"]))
        wide = ratios.pivot(on="field", index="symbol", values="value", aggregate_function="first")
        out = out.join(wide, on="symbol", how="left")
    if frames[names.IBKR_STATEMENTS]:
        annual = (pl.concat(frames[names.IBKR_STATEMENTS])
                  .filter((pl.col("period_type") == "Annual") & pl.col("coa_code").is_in(["RTLR", "NINC"]))
                  .sort("period_end").group_by("symbol", "coa_code").last()
                  .pivot(on="coa_code", index="symbol", values="value", aggregate_function="first"))
        out = out.join(annual, on="symbol", how="left")
    return out.sort("symbol").head(rows)
