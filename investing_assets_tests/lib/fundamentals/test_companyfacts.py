import datetime as dt
import json
import zipfile

import polars as pl
import pytest

from investing_assets.lib.fundamentals.companyfacts import (
    FACT_KEY,
    FACTS_SCHEMA,
    iter_zip_company_facts,
    parse_company_facts,
    parse_company_tickers,
    read_company_facts,
)
from investing_assets_tests.lib.fundamentals._sec_fixtures import company_tickers, lpa_facts


def _body_fact_count(body: dict) -> int:
    return sum(len(facts) for concepts in body["facts"].values() for concept in concepts.values()
               for facts in concept["units"].values())


def test_real_ifrs_body_flattens_every_fact_with_its_filing():
    path = lpa_facts()
    body = json.loads(path.read_text())
    facts = read_company_facts(path)
    assert facts.schema == pl.Schema(FACTS_SCHEMA)
    assert facts.height == _body_fact_count(body) == 768
    assert facts.get_column("cik").unique().to_list() == [1997711]  # the body says "0001997711"
    assert set(facts.get_column("taxonomy")) == {"dei", "ifrs-full"}
    assert not facts.select(FACT_KEY).is_duplicated().any()

    revenue_2024 = facts.filter(tag="Revenue", period_end=dt.date(2024, 12, 31))
    assert revenue_2024.rows(named=True) == [{
        "cik": 1997711, "taxonomy": "ifrs-full", "tag": "Revenue", "unit": "USD",
        "period_start": dt.date(2024, 1, 1), "period_end": dt.date(2024, 12, 31), "fy": 2024, "fp": "FY",
        "form": "20-F", "filed": dt.date(2025, 4, 2), "accession": "0001997711-25-000030", "frame": "CY2024",
        "value": 43862372.0}]
    assets = facts.filter(tag="Assets", period_end=dt.date(2022, 12, 31)).row(0, named=True)
    assert assets["period_start"] is None and assets["value"] == 497618869.0 and assets["frame"] == "CY2022Q4I"
    amendment = facts.filter(form="20-F/A").row(0, named=True)
    assert (amendment["tag"], amendment["filed"], amendment["value"]) == (
        "EntityCommonStockSharesOutstanding", dt.date(2025, 4, 7), 31668601.0)
    assert set(facts.filter(tag="ProceedsFromSalesOfInvestmentProperty").get_column("unit")) == {"COP", "USD"}


def test_integer_cik_and_missing_frame():
    body = {"cik": 320193, "entityName": "x", "facts": {"us-gaap": {"Assets": {"units": {"USD": [
        {"end": "2024-09-28", "val": 364980000000, "accn": "a-1", "fy": 2024, "fp": "FY", "form": "10-K",
         "filed": "2024-11-01"}]}}}}}
    row = parse_company_facts(body).row(0, named=True)
    assert row["cik"] == 320193 and row["frame"] is None and row["value"] == 364980000000.0


def test_zip_is_read_one_company_per_member(tmp_path):
    body = json.loads(lpa_facts().read_text())
    other = {"cik": 320193, "entityName": "x", "facts": {"us-gaap": {"Assets": {"units": {"USD": [
        {"end": "2024-09-28", "val": 1, "accn": "a-1", "fy": 2024, "fp": "FY", "form": "10-K",
         "filed": "2024-11-01"}]}}}}}
    archive = tmp_path / "companyfacts.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("CIK0001997711.json", json.dumps(body))
        out.writestr("CIK0000320193.json", json.dumps(other))
        out.writestr("CIK0000000001.json", json.dumps({"cik": None, "facts": {}}))
    companies = list(iter_zip_company_facts(archive))
    assert [(c.get_column("cik")[0], c.height) for c in companies] == [(1997711, 768), (320193, 1)]


def test_real_ticker_map():
    tickers = parse_company_tickers(json.loads(company_tickers().read_text()))
    assert tickers.filter(symbol="LPA").rows() == [(1997711, "LPA", "Logistic Properties of the Americas")]
    assert tickers.filter(symbol="AAPL").get_column("cik").to_list() == [320193]
    assert tickers.height == 9610


def _one_fact_body(**fact) -> dict:
    base = {"end": "2024-09-28", "val": 1, "accn": "a-1", "fy": 2024, "fp": "FY", "form": "10-K",
            "filed": "2024-11-01"}
    return {"cik": 320193, "facts": {"us-gaap": {"Assets": {"units": {"USD": [{**base, **fact}]}}}}}


def test_verbatim_repeats_collapse_but_a_differing_value_is_kept_for_the_writer_to_refuse():
    body = _one_fact_body()
    facts = body["facts"]["us-gaap"]["Assets"]["units"]["USD"]
    facts.append(dict(facts[0]))
    assert parse_company_facts(body).height == 1
    facts.append({**facts[0], "val": 2})
    assert parse_company_facts(body).get_column("value").to_list() == [1.0, 2.0]


def test_a_broken_member_is_named_in_one_line(tmp_path):
    archive = tmp_path / "companyfacts.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("CIK0000320193.json", json.dumps(_one_fact_body())[:-5])
    with pytest.raises(ValueError, match=r"companyfacts.zip:CIK0000320193.json: not a companyfacts body"):
        list(iter_zip_company_facts(archive))


def test_a_fact_of_the_wrong_shape_is_refused_not_read_as_null():
    with pytest.raises(ValueError, match="a fact of the wrong shape"):
        parse_company_facts(_one_fact_body(val={"nested": 1}))
