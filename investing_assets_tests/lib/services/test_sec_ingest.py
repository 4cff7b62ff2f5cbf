import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.fundamentals.companyfacts import read_company_facts
from investing_assets.lib.fundamentals.standardize import filing_versions
from investing_assets.lib.services.sec_facts import load_companyfacts
from investing_assets.lib.services.sec_ingest import (
    FINANCIALS_SCHEMA,
    fetch_archives,
    ingest_facts,
    ingest_index,
    standardize,
    stored_financials,
    with_fiscal_periods,
)
from investing_assets.lib.sources.sec_edgar import MissingContact
from investing_assets.lib.storage import names
from investing_assets.lib.synthetic.sec_filings import write_demo_archives
from investing_assets_tests.lib.fundamentals._sec_fixtures import lpa_facts

WEEK = dt.date(2026, 11, 14)
AS_OF = dt.date(2026, 11, 20)


def test_real_ifrs_facts_standardized_from_the_stored_rows_with_fiscal_labels(warehouse):
    lpa = read_company_facts(lpa_facts())
    load_companyfacts(warehouse, [lpa])
    done = standardize(warehouse)
    assert (done.companies, done.facts) == (1, lpa.height)
    stored = stored_financials(warehouse)
    assert stored.schema == pl.Schema(FINANCIALS_SCHEMA)
    assert stored.height == done.rows == filing_versions(lpa).height
    revenue = stored.filter(concept="revenue", period_end=dt.date(2024, 12, 31), months=12)
    assert set(revenue.get_column("fiscal_period")) == {"FY"} and set(revenue.get_column("fiscal_year")) == {2024}
    assert revenue.sort("filed").get_column("value").to_list()[-1] == 43862372.0
    equity = stored.filter(concept="equity", period_end=dt.date(2024, 12, 31))
    assert set(equity.get_column("fiscal_period")) == {"FY"}  # an instant at the year end
    assert done.preview.height and done.preview.get_column("cik").unique().to_list() == [1997711]
    again = standardize(warehouse, [1997711])  # the same facts: the same rows, nothing downloaded
    assert again.rows == done.rows == warehouse.count(names.SEC_FINANCIALS)


def test_fiscal_labels_follow_a_52_53_week_year_ending_in_september():
    def row(start, end, months):
        return {"cik": 320193, "concept": "revenue", "unit": "USD", "period_start": start, "period_end": end,
                "months": months, "value": 1.0, "filed": end + dt.timedelta(days=30), "accession": str(end),
                "form": "10-K", "tag": "Revenues", "rank": 0, "derived": False}
    versions = pl.DataFrame([
        row(dt.date(2022, 9, 25), dt.date(2023, 9, 30), 12), row(dt.date(2021, 9, 26), dt.date(2022, 9, 24), 12),
        row(dt.date(2023, 10, 1), dt.date(2023, 12, 30), 3), row(dt.date(2023, 12, 31), dt.date(2024, 3, 30), 3)])
    labelled = with_fiscal_periods(versions).sort("period_end")
    assert labelled.select("fiscal_year", "fiscal_period").rows() == [
        (2022, "FY"), (2023, "FY"), (2024, "Q1"), (2024, "Q2")]


def test_the_demo_archives_go_through_the_same_ingest(warehouse, tmp_path):
    archives = write_demo_archives(tmp_path / WEEK.isoformat(), AS_OF, symbols=("AAPL", "JPM", "BRK.B"))
    (tmp_path / WEEK.isoformat() / ".complete").write_text("demo\n")
    assert fetch_archives("demo", tmp_path, WEEK, AS_OF) == archives  # a re-run reads what the week fetched
    index = ingest_index(warehouse, archives, WEEK)
    assert index.tickers == 3 and index.submissions.companies == 3 and len(index.ciks) == 3
    facts = ingest_facts(warehouse, archives, index.ciks)
    assert facts.companies == 3 and facts.facts == warehouse.count(names.SEC_FACTS)
    done = standardize(warehouse, index.ciks)
    assert done.companies == 3 and done.rows == warehouse.count(names.SEC_FINANCIALS)
    latest = warehouse.read_frame(f"SELECT max(filed) AS filed FROM {names.SEC_FINANCIALS}").item()
    assert latest <= AS_OF
    # a cik outside the ticker map is not loaded
    assert ingest_facts(warehouse, archives, [1]).companies == 0


def test_edgar_refuses_without_a_contact_before_any_request(tmp_path):
    with pytest.raises(MissingContact, match="INVESTING_SEC_USER_AGENT"):
        fetch_archives("edgar", tmp_path, WEEK, AS_OF, user_agent=None)
    assert not (tmp_path / WEEK.isoformat()).exists()


def test_only_the_newest_downloaded_weeks_are_kept(tmp_path):
    from investing_assets.lib.services.sec_ingest import prune_weeks

    for name in ("2026-10-31", "2026-11-07", "2026-11-14", "2026-11-21", "notes"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "companyfacts.zip").write_bytes(b"x")
    removed = prune_weeks(tmp_path, dt.date(2026, 11, 14))
    assert [p.name for p in removed] == ["2026-10-31"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-07", "2026-11-14", "2026-11-21", "notes"]
