"""Reads of the SEC EDGAR tables: the weekly ticker maps, the filing index, raw facts and standardized rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def ticker_map(warehouse: Warehouse, on_or_before: dt.date | None = None) -> pl.DataFrame:
    """cik, symbol, title of the newest stored weekly map (on or before a week, when given)."""
    table = names.SEC_TICKERS
    return warehouse.read_frame(
        f"SELECT cik, symbol, title FROM {table} WHERE week = (SELECT max(week) FROM {table} "
        "WHERE %s::date IS NULL OR week <= %s) ORDER BY symbol, cik", [on_or_before, on_or_before])


def fact_ciks(warehouse: Warehouse) -> list[int]:
    frame = warehouse.read_frame(f"SELECT DISTINCT cik FROM {names.SEC_FACTS} ORDER BY cik")
    return frame.get_column("cik").to_list() if frame.height else []


def financials(warehouse: Warehouse, columns: Sequence[str], ciks: Sequence[int] | None = None,
               filed_by: dt.date | None = None, concepts: Sequence[str] | None = None) -> pl.DataFrame:
    """Standardized rows of `ciks` (all when None) filed on or before `filed_by` (all when None)."""
    return warehouse.read_frame(
        f"SELECT {', '.join(columns)} FROM {names.SEC_FINANCIALS} "
        "WHERE (%s::bigint[] IS NULL OR cik = ANY(%s)) AND (%s::date IS NULL OR filed <= %s) "
        "AND (%s::text[] IS NULL OR concept = ANY(%s)) ORDER BY cik, concept, period_end, filed",
        [list(ciks) if ciks is not None else None] * 2 + [filed_by] * 2
        + [list(concepts) if concepts is not None else None] * 2)


def newest_reports(warehouse: Warehouse, week: dt.date, limit: int = 10) -> pl.DataFrame:
    """The newest periodic reports in the filing index, with the week's symbol of each filer."""
    return warehouse.read_frame(
        f"SELECT f.cik, t.symbol, f.form, f.filing_date, f.report_date, f.accession FROM {names.SEC_FILINGS} f "
        f"LEFT JOIN {names.SEC_TICKERS} t ON t.cik = f.cik AND t.week = %s "
        "WHERE f.form IN ('10-K', '10-Q', '20-F', '40-F', '10-K/A', '10-Q/A') "
        "ORDER BY f.filing_date DESC, f.cik, t.symbol LIMIT %s", [week, limit])


def largest_tags(warehouse: Warehouse, ciks: Sequence[int], limit: int = 10) -> pl.DataFrame:
    """The tags with the most stored facts among `ciks`, with how many companies file them."""
    return warehouse.read_frame(
        f"SELECT taxonomy, tag, count(*) AS facts, count(DISTINCT cik) AS companies, max(filed) AS newest_filed "
        f"FROM {names.SEC_FACTS} WHERE cik = ANY(%s) GROUP BY taxonomy, tag ORDER BY facts DESC, tag LIMIT %s",
        [list(ciks), limit])


def financials_by_concept(warehouse: Warehouse) -> pl.DataFrame:
    """Per concept: standardized rows, companies, derived quarters, newest filed date."""
    return warehouse.read_frame(
        f"SELECT concept, count(*) AS rows, count(DISTINCT cik) AS companies, sum(derived::int) AS derived, "
        f"max(filed) AS newest_filed FROM {names.SEC_FINANCIALS} GROUP BY concept ORDER BY concept")
