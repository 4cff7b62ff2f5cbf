"""Synthetic municipal annual financial reports with known figures, to measure the PDF extractor.

Why: real reports cannot be shipped with the project and their "truth" has to be read by hand. These documents
are written with PyMuPDF the way report software prints them: cover, contents, MD&A narrative (with a condensed
two-year table that must NOT be read as the statement), Statement of Net Position, Statement of Activities,
governmental-funds balance sheet and operating statement, long-term debt schedule, pension schedule and
statistical tables, in three layouts:

- "classic":  amounts in thousands, "Net Position", "$" in its own column, dot leaders, component units column,
              ten-year pension schedule newest year first, fiscal years 2014-2019;
- "pre2012":  whole dollars, "Net Assets", "$" glued to the number, minus-sign negatives, Times type, no
              GASB 68 pension liability (funding-progress schedule instead), net OPEB *obligation* only,
              key/value statistics page, fiscal years 2009-2011;
- "modern":   amounts in millions with one decimal, the statement split over two pages, wrapped labels,
              numbers broken over two lines or drawn as two text runs out of order, parentheses negatives,
              deferred outflows/inflows, the funds' operating statement on a landscape page turned by /Rotate,
              pension schedule in thousands oldest year first, fiscal years 2019-2024.

Issuers randomly lack optional items (business-type activities, component units, OPEB, committed fund balance,
statistical tables), so "not stated -> None" is exercised. `write_document` returns, per metric, the figure as
printed (in dollars, i.e. after the document's own rounding and scale) or None when the document does not state
it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.synthetic.muni_reports.front_matter import page_contents, page_cover, page_mdna
from investing_assets.lib.synthetic.muni_reports.funds import page_funds_balance_sheet, page_funds_operations
from investing_assets.lib.synthetic.muni_reports.government_wide import (
    page_statement_of_activities,
    page_statement_of_net_position,
    snp_lines,
)
from investing_assets.lib.synthetic.muni_reports.issuers import (
    LAYOUT_SCALE,
    LAYOUTS,
    SampleIssuer,
    generate_issuer,
)
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.schedules import page_debt, page_pension
from investing_assets.lib.synthetic.muni_reports.statistics import page_statistics
from investing_assets.lib.synthetic.muni_reports.style import STYLES

__all__ = [
    "LAYOUTS",
    "LAYOUT_SCALE",
    "SampleIssuer",
    "generate_documents",
    "generate_issuer",
    "iter_documents",
    "write_document",
]


def write_document(issuer: SampleIssuer, path: str | Path, layout: str) -> dict[str, float | None]:
    """Write the report as a PDF and return the truth per metric: dollars as printed, None where not stated."""
    if layout not in STYLES:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    report = Report(issuer, STYLES[layout])
    page_cover(report)
    entries = [
        ("Management's Discussion and Analysis", 3),
        (f"Statement of Net {report.style.net}", 4),
        ("Statement of Activities", 5),
        ("Balance Sheet - Governmental Funds", 6),
        ("Demographic and Economic Statistics", 12),
    ]
    if layout != "pre2012":
        page_contents(report, entries)
    snp_lines(report)  # the MD&A quotes the statement's figures, so work them out first
    page_mdna(report)
    page_statement_of_net_position(report)
    page_statement_of_activities(report)
    page_funds_balance_sheet(report)
    page_funds_operations(report)
    page_debt(report)
    page_pension(report)
    page_statistics(report)
    report.doc.set_metadata(
        {"title": f"{issuer.name} annual financial report", "producer": "sample_documents"}
    )
    if report.scratch is not None:
        report.scratch.close()
    report.doc.subset_fonts()
    report.doc.save(str(path), garbage=3, deflate=True)
    report.doc.close()
    return {m: report.truth.get(m) for m in METRICS}


def generate_documents(folder: str | Path, count: int, seed: int = 7) -> list[Path]:
    """`count` reports `sample_<i>_<layout>.pdf` in `folder`, layouts rotating; deterministic for a seed."""
    return list(iter_documents(folder, count, seed))


def iter_documents(folder: str | Path, count: int, seed: int = 7) -> Iterator[Path]:
    """`generate_documents` one file at a time: each path is yielded as soon as its file is complete."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        issuer = generate_issuer(seed, i)
        path = folder / f"sample_{i:03d}_{issuer.layout}.pdf"
        write_document(issuer, path, issuer.layout)
        yield path
