"""SEC EDGAR `companyfacts` bodies as long-form polars frames, one company at a time.

A body (data.sec.gov/api/xbrl/companyfacts/CIK##########.json, or one member of companyfacts.zip) nests
taxonomy -> tag -> unit -> facts. Flattened, every fact keeps what the filing said about it: its period (start
is null for an instant), the filing (accession, form, filed) and the fy/fp that describe the filing, not the
fact. The zip is read member by member, so memory is bounded by one company's facts, not the archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path

import msgspec
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


class _Concept(msgspec.Struct):
    units: dict[str, msgspec.Raw] = {}


class _Body(msgspec.Struct):
    """What the loader reads of a body: labels, descriptions and entityName are skipped without decoding, and
    each unit's fact array is kept as its raw JSON for polars to decode."""
    cik: int | str | None = None
    facts: dict[str, dict[str, _Concept]] = {}


_BODY = msgspec.json.Decoder(_Body)
_FACT = pl.Struct({"start": pl.String, "end": pl.String, "val": pl.Float64, "accn": pl.String, "fy": pl.Int32,
                   "fp": pl.String, "form": pl.String, "filed": pl.String, "frame": pl.String})
_RUNS_SCHEMA: dict[str, pl.DataType] = {"run": pl.UInt32, "facts": pl.List(_FACT)}
_LABELS_SCHEMA: dict[str, pl.DataType] = {"taxonomy": pl.String, "tag": pl.String, "unit": pl.String}


def parse_company_facts_json(data: bytes, source: str = "companyfacts body") -> pl.DataFrame:
    """One company's facts from the body's JSON bytes, long form (FACTS_SCHEMA); empty for an entity without a
    CIK (companyfacts.zip holds a few empty shells).

    The per-fact work never touches Python objects: msgspec walks the nesting (taxonomy -> tag -> unit) and
    hands each unit's fact array over as raw JSON; polars decodes all of them in one read."""
    try:
        body = _BODY.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(f"{source}: not a companyfacts body ({exc})") from None
    if body.cik in (None, ""):
        return pl.DataFrame(schema=FACTS_SCHEMA)
    labels: list[tuple[str, str, str]] = []
    lines: list[bytes] = []
    for taxonomy, concepts in body.facts.items():
        for tag, concept in concepts.items():
            for unit, facts in concept.units.items():
                lines.append(b'{"run":%d,"facts":%s}' % (len(labels), bytes(facts)))
                labels.append((taxonomy, tag, unit))
    if not lines:
        return pl.DataFrame(schema=FACTS_SCHEMA)
    try:
        runs = pl.read_json(io.BytesIO(b"[" + b",".join(lines) + b"]"), schema=_RUNS_SCHEMA)
    except pl.exceptions.PolarsError as exc:
        raise ValueError(f"{source}: a fact of the wrong shape ({str(exc).splitlines()[0]})") from None
    runs = runs.explode("facts").drop_nulls("facts").unnest("facts")
    label_frame = pl.DataFrame(labels, schema=_LABELS_SCHEMA, orient="row").with_row_index("run")
    frame = runs.join(label_frame, on="run", how="left", maintain_order="left").select(
        pl.lit(int(body.cik), dtype=pl.Int64).alias("cik"), "taxonomy", "tag", "unit",
        pl.col("start").str.to_date("%Y-%m-%d").alias("period_start"),
        pl.col("end").str.to_date("%Y-%m-%d").alias("period_end"),
        "fy", "fp", "form", pl.col("filed").str.to_date("%Y-%m-%d"), pl.col("accn").alias("accession"),
        "frame", pl.col("val").alias("value"))
    # companyfacts repeats a fact verbatim now and then; a differing value under one key is kept for the writer
    # to refuse rather than guessed away. Most bodies repeat nothing: the key check costs half the full unique.
    repeated = frame.select(FACT_KEY[1:]).is_duplicated().any()  # one cik per body
    return frame.unique(maintain_order=True) if repeated else frame


def parse_company_facts(body: dict) -> pl.DataFrame:
    """One company's facts from a decoded body (FACTS_SCHEMA). `cik` may be an int or a zero-padded string."""
    return parse_company_facts_json(msgspec.json.encode(body))


def read_company_facts(path: Path) -> pl.DataFrame:
    """A single companyfacts JSON file."""
    return parse_company_facts_json(Path(path).read_bytes(), str(path))


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
            frame = parse_company_facts_json(archive.read(member), f"{path.name}:{member.filename}")
            if frame.height:  # empty shells and filers without facts have nothing to store
                yield frame


def parse_company_tickers(body: dict) -> pl.DataFrame:
    """company_tickers.json ({"0": {"cik_str", "ticker", "title"}, ...}) as cik, symbol, title."""
    rows = list(body.values())
    return pl.DataFrame(
        {"cik": [int(r["cik_str"]) for r in rows], "symbol": [r["ticker"] for r in rows],
         "title": [r.get("title") for r in rows]},
        schema=TICKERS_SCHEMA,
    )
