"""SEC EDGAR `submissions`: the filer (name, SIC, fiscal year end, tickers) and its filing index.

A body (data.sec.gov/submissions/CIK##########.json, or that member of submissions.zip) has the filer's fields
and `filings.recent`, a table stored column-wise (one list per field, about the last 1,000 filings); older
filings are in further pages (`filings.files`), which submissions.zip carries as members
CIK##########-submissions-NNN.json holding the same columns at the top level. Empty strings mean "none" in SEC's
columns and become nulls. The zip holds every filer EDGAR knows (insiders and funds too, about a million), so a
reader may keep only the CIKs of the ticker map, decided from the member's name before anything is parsed.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

COMPANY_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.Int64, "name": pl.String, "entity_type": pl.String, "sic": pl.String, "sic_description": pl.String,
    "fiscal_year_end": pl.String, "tickers": pl.String, "exchanges": pl.String, "category": pl.String,
    "state_of_incorporation": pl.String, "filings": pl.Int32,
}
FILINGS_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.Int64, "accession": pl.String, "form": pl.String, "filing_date": pl.Date, "report_date": pl.Date,
    "accepted_at": pl.Datetime("us", "UTC"), "act": pl.String, "file_number": pl.String, "items": pl.String,
    "size": pl.Int64, "is_xbrl": pl.Boolean, "is_inline_xbrl": pl.Boolean, "primary_document": pl.String,
    "description": pl.String,
}
# SEC's column -> ours
_COLUMNS = {
    "accessionNumber": "accession", "form": "form", "filingDate": "filing_date", "reportDate": "report_date",
    "acceptanceDateTime": "accepted_at", "act": "act", "fileNumber": "file_number", "items": "items",
    "size": "size", "isXBRL": "is_xbrl", "isInlineXBRL": "is_inline_xbrl", "primaryDocument": "primary_document",
    "primaryDocDescription": "description",
}
_MEMBER = re.compile(r"CIK(\d{10})(-submissions-\d+)?\.json$")


@dataclass(frozen=True)
class Submission:
    cik: int
    company: pl.DataFrame | None  # None for an older page of filings (it has no filer fields)
    filings: pl.DataFrame


def parse_filings(columns: dict, cik: int) -> pl.DataFrame:
    """A column-wise filings table (`filings.recent`, or an older page) as FILINGS_SCHEMA rows."""
    length = len(columns.get("accessionNumber") or [])
    data = {ours: columns.get(theirs) or [None] * length for theirs, ours in _COLUMNS.items()}
    raw = pl.DataFrame(data, schema={c: pl.String if c not in ("size", "is_xbrl", "is_inline_xbrl") else pl.Int64
                                     for c in data}, strict=False)
    text = [c for c, t in raw.schema.items() if t == pl.String]
    raw = raw.with_columns(pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)) for c in text)
    return raw.select(
        pl.lit(cik, dtype=pl.Int64).alias("cik"), "accession", "form",
        pl.col("filing_date").str.to_date("%Y-%m-%d"), pl.col("report_date").str.to_date("%Y-%m-%d", strict=False),
        pl.col("accepted_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_zone="UTC", strict=False)
        .dt.cast_time_unit("us"),
        "act", "file_number", "items", "size", pl.col("is_xbrl").cast(pl.Boolean),
        pl.col("is_inline_xbrl").cast(pl.Boolean), "primary_document", "description",
    ).cast(FILINGS_SCHEMA).unique(["cik", "accession"], keep="first", maintain_order=True)


def parse_submission(body: dict) -> Submission:
    """One filer's submissions body: its row (COMPANY_SCHEMA) and its recent filings."""
    cik = int(body["cik"])
    filings = parse_filings((body.get("filings") or {}).get("recent") or {}, cik)

    def text(key: str) -> str | None:
        value = body.get(key)
        return str(value) if value not in (None, "", "None") else None

    def joined(key: str) -> str | None:
        values = [str(v) for v in body.get(key) or [] if v not in (None, "")]
        return ",".join(values) or None

    company = pl.DataFrame([{
        "cik": cik, "name": text("name"), "entity_type": text("entityType"), "sic": text("sic"),
        "sic_description": text("sicDescription"), "fiscal_year_end": text("fiscalYearEnd"),
        "tickers": joined("tickers"), "exchanges": joined("exchanges"), "category": text("category"),
        "state_of_incorporation": text("stateOfIncorporation"), "filings": filings.height,
    }], schema=COMPANY_SCHEMA)
    return Submission(cik, company, filings)


def read_submission(path: Path) -> Submission:
    return parse_submission(json.loads(Path(path).read_bytes()))


def member_cik(name: str) -> int | None:
    """The CIK a submissions.zip member is about, from its name alone (None: not a submissions member)."""
    match = _MEMBER.search(name)
    return int(match.group(1)) if match else None


def iter_zip_submissions(path: Path, ciks: Collection[int] | None = None) -> Iterator[list[Submission]]:
    """submissions.zip filer by filer: for each CIK in `ciks` (all when None), its body and its older pages of
    filings (a Submission without a company row), read member by member. Members are grouped by the CIK in their
    names first (names only), so a filer's pages are together wherever the archive put them."""
    wanted = set(ciks) if ciks is not None else None
    with zipfile.ZipFile(path) as archive:
        by_cik: dict[int, list[zipfile.ZipInfo]] = {}
        for member in archive.infolist():
            cik = member_cik(member.filename)
            if cik is not None and (wanted is None or cik in wanted):
                by_cik.setdefault(cik, []).append(member)
        for cik, members in sorted(by_cik.items()):
            pages = []
            for member in sorted(members, key=lambda m: m.filename):
                with archive.open(member) as stream:
                    body = json.load(stream)
                if _MEMBER.search(member.filename).group(2):  # an older page: the columns at the top level
                    pages.append(Submission(cik, None, parse_filings(body, cik)))
                else:
                    pages.append(parse_submission(body))
            yield pages


def combined(submissions: list[Submission]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One filer's body and its older pages as (company rows, filings), the company's filing count total."""
    filings = pl.concat([s.filings for s in submissions]).unique(["cik", "accession"], keep="first",
                                                                  maintain_order=True)
    companies = pl.concat([s.company for s in submissions if s.company is not None]) if any(
        s.company is not None for s in submissions) else pl.DataFrame(schema=COMPANY_SCHEMA)
    counts = filings.group_by("cik").agg(pl.len().cast(pl.Int32).alias("n"))
    companies = companies.join(counts, on="cik", how="left").with_columns(
        filings=pl.col("n").fill_null(0)).drop("n")
    return companies, filings
