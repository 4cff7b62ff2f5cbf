import datetime as dt
import json
import zipfile

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import parse_company_tickers
from investing_assets.lib.services.sec_filings import load_submissions_zip, store_tickers, stored_tickers
from investing_assets.lib.storage import names
from investing_assets_tests.lib.fundamentals._sec_fixtures import company_tickers, submissions

WEEK = dt.date(2024, 5, 4)


def test_the_real_ticker_map_is_stored_per_week_and_read_back_by_week(warehouse):
    tickers = parse_company_tickers(json.loads(company_tickers().read_text()))
    stored = store_tickers(warehouse, WEEK, tickers)
    assert stored == warehouse.count(names.SEC_TICKERS, {"week": [WEEK]}) > 9000
    latest = stored_tickers(warehouse)
    assert latest.filter(symbol="AAPL").get_column("cik").to_list() == [320193]
    # Alphabet's two share classes are two symbols of one CIK
    assert set(latest.filter(cik=1652044).get_column("symbol")) >= {"GOOGL", "GOOG"}

    # a later week with a renamed ticker: the old week still answers with its own map
    later = dt.date(2024, 5, 11)
    store_tickers(warehouse, later, tickers.with_columns(
        symbol=pl.when(pl.col("symbol") == "AAPL").then(pl.lit("APPL")).otherwise("symbol")))
    assert stored_tickers(warehouse).filter(cik=320193).get_column("symbol").to_list() == ["APPL"]
    assert stored_tickers(warehouse, WEEK).filter(cik=320193).get_column("symbol").to_list() == ["AAPL"]
    store_tickers(warehouse, WEEK, tickers.head(10))  # a re-run of a week replaces that week only
    assert warehouse.count(names.SEC_TICKERS, {"week": [WEEK]}) == 10
    assert warehouse.count(names.SEC_TICKERS, {"week": [later]}) == stored


def test_real_submissions_of_three_filers_stored_and_a_reload_replaces_a_filer_whole(warehouse, tmp_path):
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for symbol, cik in (("AAPL", 320193), ("NVDA", 1045810), ("TSLA", 1318605)):
            z.writestr(f"CIK{cik:010d}.json", submissions(symbol).read_text())
    loaded = load_submissions_zip(warehouse, archive, ciks={320193, 1045810, 1318605}, filers_per_write=2)
    assert loaded.companies == 3 and loaded.filings == warehouse.count(names.SEC_FILINGS) > 2900
    companies = warehouse.read_frame(f"SELECT cik, name, fiscal_year_end, filings FROM {names.SEC_COMPANIES} "
                                     "ORDER BY cik")
    assert companies.get_column("name").to_list() == ["Apple Inc.", "NVIDIA CORP", "Tesla, Inc."]
    ten_k = warehouse.read_frame(f"SELECT filing_date, report_date FROM {names.SEC_FILINGS} "
                                 "WHERE accession = '0000320193-24-000123'")
    assert ten_k.row(0) == (dt.date(2024, 11, 1), dt.date(2024, 9, 28))

    only_apple = tmp_path / "only_apple.zip"
    body = json.loads(submissions("AAPL").read_text())
    body["filings"]["recent"] = {k: v[:3] for k, v in body["filings"]["recent"].items()}
    with zipfile.ZipFile(only_apple, "w") as z:
        z.writestr("CIK0000320193.json", json.dumps(body))
    load_submissions_zip(warehouse, only_apple, ciks={320193})
    assert warehouse.count(names.SEC_FILINGS, {"cik": [320193]}) == 3
    assert warehouse.count(names.SEC_FILINGS, {"cik": [1045810]}) > 900
