"""SEC EDGAR `companyfacts` bodies as long-form polars frames, one company at a time.

A body (data.sec.gov/api/xbrl/companyfacts/CIK##########.json, or one member of companyfacts.zip) nests
taxonomy -> tag -> unit -> facts. Flattened, every fact keeps what the filing said about it: its period (start
is null for an instant), the filing (accession, form, filed) and the fy/fp that describe the filing, not the
fact. The zip is read member by member, so memory is bounded by one company's facts, not the archive.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl

FACTS_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.Int64,
    "taxonomy": pl.String,
    "tag": pl.String,
    "unit": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "fy": pl.Int32,
    "fp": pl.String,
    "form": pl.String,
    "filed": pl.Date,
    "accession": pl.String,
    "frame": pl.String,
    "value": pl.Float64,
}
FACT_KEY = ["cik", "taxonomy", "tag", "unit", "period_end", "period_start", "accession"]
TICKERS_SCHEMA: dict[str, pl.DataType] = {"cik": pl.Int64, "symbol": pl.String, "title": pl.String}


def parse_company_facts(body: dict) -> pl.DataFrame:
    """One company's facts, long form (FACTS_SCHEMA). `cik` may be an int or a zero-padded string."""
    cik = int(body["cik"]) if body.get("cik") not in (None, "") else None
    taxonomies, tags, units, starts, ends, fys, fps, forms, filed, accessions, frames, values = (
        [] for _ in range(12))
    for taxonomy, concepts in (body.get("facts") or {}).items():
        for tag, concept in concepts.items():
            for unit, facts in (concept.get("units") or {}).items():
                for fact in facts:
                    taxonomies.append(taxonomy)
                    tags.append(tag)
                    units.append(unit)
                    starts.append(fact.get("start"))
                    ends.append(fact.get("end"))
                    fys.append(fact.get("fy"))
                    fps.append(fact.get("fp"))
                    forms.append(fact.get("form"))
                    filed.append(fact.get("filed"))
                    accessions.append(fact.get("accn"))
                    frames.append(fact.get("frame"))
                    values.append(fact.get("val"))
    raw = pl.DataFrame(
        {"taxonomy": taxonomies, "tag": tags, "unit": units, "period_start": starts, "period_end": ends,
         "fy": fys, "fp": fps, "form": forms, "filed": filed, "accession": accessions, "frame": frames,
         "value": values},
        schema={"taxonomy": pl.String, "tag": pl.String, "unit": pl.String, "period_start": pl.String,
                "period_end": pl.String, "fy": pl.Int32, "fp": pl.String, "form": pl.String, "filed": pl.String,
                "accession": pl.String, "frame": pl.String, "value": pl.Float64},
        strict=False,
    )
    frame = raw.with_columns(
        pl.lit(cik, dtype=pl.Int64).alias("cik"),
        *(pl.col(c).str.to_date("%Y-%m-%d") for c in ("period_start", "period_end", "filed")),
    ).select(list(FACTS_SCHEMA))
    # companyfacts repeats a fact verbatim now and then; a differing value under one key is kept for the writer
    # to refuse rather than guessed away
    return frame.unique(maintain_order=True)


def read_company_facts(path: Path) -> pl.DataFrame:
    """A single companyfacts JSON file."""
    return parse_company_facts(json.loads(Path(path).read_bytes()))


def iter_zip_company_facts(path: Path) -> Iterator[pl.DataFrame]:
    """companyfacts.zip, one company's frame per member, each member read alone (never the whole archive)."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.endswith(".json"):
                continue
            with archive.open(member) as stream:
                body = json.load(stream)
            if body.get("cik") in (None, ""):  # a few members are empty shells for entities without facts
                continue
            yield parse_company_facts(body)


def parse_company_tickers(body: dict) -> pl.DataFrame:
    """company_tickers.json ({"0": {"cik_str", "ticker", "title"}, ...}) as cik, symbol, title."""
    rows = list(body.values())
    return pl.DataFrame(
        {"cik": [int(r["cik_str"]) for r in rows], "symbol": [r["ticker"] for r in rows],
         "title": [r.get("title") for r in rows]},
        schema=TICKERS_SCHEMA,
    )
