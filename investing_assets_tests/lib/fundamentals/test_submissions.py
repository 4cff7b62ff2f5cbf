import datetime as dt
import json
import zipfile

import polars as pl

from investing_assets.lib.fundamentals.submissions import (
    COMPANY_SCHEMA,
    FILINGS_SCHEMA,
    combined,
    iter_zip_submissions,
    member_cik,
    read_submission,
)
from investing_assets_tests.lib.fundamentals._sec_fixtures import submissions


def test_real_apple_submissions_give_the_filer_and_every_recent_filing():
    path = submissions("AAPL")
    body = json.loads(path.read_text())
    parsed = read_submission(path)
    assert parsed.cik == 320193
    company = parsed.company.row(0, named=True)
    assert parsed.company.schema == pl.Schema(COMPANY_SCHEMA)
    assert company == {"cik": 320193, "name": "Apple Inc.", "entity_type": "operating", "sic": "3571",
                       "sic_description": "Electronic Computers", "fiscal_year_end": "0927", "tickers": "AAPL",
                       "exchanges": "Nasdaq", "category": "Large accelerated filer", "state_of_incorporation": "CA",
                       "filings": len(body["filings"]["recent"]["accessionNumber"])}
    filings = parsed.filings
    assert filings.schema == pl.Schema(FILINGS_SCHEMA)
    assert filings.height == len(body["filings"]["recent"]["accessionNumber"])
    ten_k = filings.filter(accession="0000320193-24-000123").row(0, named=True)
    assert ten_k["form"] == "10-K" and ten_k["filing_date"] == dt.date(2024, 11, 1)
    assert ten_k["report_date"] == dt.date(2024, 9, 28) and ten_k["is_inline_xbrl"] is True
    assert ten_k["accepted_at"].tzinfo is not None and ten_k["primary_document"] == "aapl-20240928.htm"
    # SEC's empty strings are "none": a form 3 has no act, nothing is stored as ''
    first = filings.row(0, named=True)
    assert first["form"] == "3" and first["act"] is None
    assert not any((filings.get_column(c) == "").any() for c, t in FILINGS_SCHEMA.items() if t == pl.String)


def test_real_submissions_of_three_filers_with_their_annual_reports():
    for symbol, cik, forms in (("AAPL", 320193, "10-K"), ("NVDA", 1045810, "10-K"), ("TSLA", 1318605, "10-K")):
        parsed = read_submission(submissions(symbol))
        assert parsed.cik == cik and parsed.company.get_column("tickers").item().split(",")[0] == symbol
        annual = parsed.filings.filter(form=forms)
        assert annual.height >= 3 and annual.get_column("filing_date").is_sorted(descending=True)
        assert parsed.filings.get_column("accession").is_unique().all()
        assert parsed.filings.get_column("filing_date").null_count() == 0
    tesla = read_submission(submissions("TSLA")).company.row(0, named=True)
    assert tesla["fiscal_year_end"] == "1231" and tesla["name"] == "Tesla, Inc."


def test_the_zip_is_read_filer_by_filer_with_its_older_pages_and_only_the_wanted_ciks(tmp_path):
    apple = json.loads(submissions("AAPL").read_text())
    recent = apple["filings"]["recent"]
    older = {k: v[-5:] for k, v in recent.items()}  # an older page: the same columns at the top level
    older["accessionNumber"] = [f"0000320193-94-{i:06d}" for i in range(5)]
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("CIK0000320193-submissions-001.json", json.dumps(older))  # before its body, on purpose
        z.writestr("CIK0001045810.json", submissions("NVDA").read_text())
        z.writestr("CIK0000320193.json", json.dumps(apple))
        z.writestr("CIK0009999999.json", "{not even json")  # not wanted: never opened
    assert member_cik("CIK0000320193-submissions-001.json") == 320193 and member_cik("README.txt") is None
    filers = list(iter_zip_submissions(archive, ciks={320193, 1045810}))
    assert [f[0].cik for f in filers] == [320193, 1045810]
    companies, filings = combined(filers[0])
    assert companies.height == 1 and companies.get_column("filings").item() == len(recent["form"]) + 5
    assert filings.filter(pl.col("accession").str.contains("-94-")).height == 5
