"""SEC EDGAR `companyfacts` bodies as long-form polars frames, one company at a time.

A body (data.sec.gov/api/xbrl/companyfacts/CIK##########.json, or one member of companyfacts.zip) nests
taxonomy -> tag -> unit -> facts. Flattened, every fact keeps what the filing said about it: its period (start
is null for an instant), the filing (accession, form, filed) and the fy/fp that describe the filing, not the
fact. The zip is read member by member, so memory is bounded by one company's facts, not the archive.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Collection, Iterator
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
_MEMBER = re.compile(r"CIK(\d{10})\.json$")
TICKERS_SCHEMA: dict[str, pl.DataType] = {"cik": pl.Int64, "symbol": pl.String, "title": pl.String}


_RAW_SCHEMA: dict[str, pl.DataType] = {
    "start": pl.String, "end": pl.String, "fy": pl.Int32, "fp": pl.String, "form": pl.String, "filed": pl.String,
    "accn": pl.String, "frame": pl.String, "val": pl.Float64}


def parse_company_facts(body: dict) -> pl.DataFrame:
    """One company's facts, long form (FACTS_SCHEMA). `cik` may be an int or a zero-padded string.

    The fact dicts go to polars' row constructor as they are (the per-fact work stays out of Python); the
    taxonomy, tag and unit of each run of facts are repeated alongside."""
    cik = int(body["cik"]) if body.get("cik") not in (None, "") else None
    facts: list[dict] = []
    runs: list[tuple[str, str, str]] = []
    lengths: list[int] = []
    for taxonomy, concepts in (body.get("facts") or {}).items():
        for tag, concept in concepts.items():
            for unit, unit_facts in (concept.get("units") or {}).items():
                facts.extend(unit_facts)
                runs.append((taxonomy, tag, unit))
                lengths.append(len(unit_facts))
    labels = pl.DataFrame(runs, schema={"taxonomy": pl.String, "tag": pl.String, "unit": pl.String},
                          orient="row").with_columns(n=pl.Series(lengths, dtype=pl.UInt32))
    labels = labels.select(pl.exclude("n").repeat_by("n").explode()) if labels.height else labels.drop("n")
    raw = pl.from_dicts(facts, schema=_RAW_SCHEMA, strict=False) if facts else pl.DataFrame(schema=_RAW_SCHEMA)
    frame = pl.concat([labels, raw], how="horizontal").select(
        pl.lit(cik, dtype=pl.Int64).alias("cik"), "taxonomy", "tag", "unit",
        pl.col("start").str.to_date("%Y-%m-%d").alias("period_start"),
        pl.col("end").str.to_date("%Y-%m-%d").alias("period_end"),
        "fy", "fp", "form", pl.col("filed").str.to_date("%Y-%m-%d"), pl.col("accn").alias("accession"),
        "frame", pl.col("val").alias("value"))
    # companyfacts repeats a fact verbatim now and then; a differing value under one key is kept for the writer
    # to refuse rather than guessed away
    return frame.unique(maintain_order=True)


def read_company_facts(path: Path) -> pl.DataFrame:
    """A single companyfacts JSON file."""
    return parse_company_facts(json.loads(Path(path).read_bytes()))


def iter_zip_company_facts(path: Path, ciks: Collection[int] | None = None) -> Iterator[pl.DataFrame]:
    """companyfacts.zip, one company's frame per member, each member read alone (never the whole archive);
    with `ciks`, only those companies, chosen by the member's name (CIK##########.json) before it is read."""
    wanted = set(ciks) if ciks is not None else None
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.endswith(".json"):
                continue
            if wanted is not None:
                match = _MEMBER.search(member.filename)
                if match is None or int(match.group(1)) not in wanted:
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
