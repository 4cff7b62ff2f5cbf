import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.fundamentals.companyfacts import read_company_facts
from investing_assets.lib.fundamentals.standardize import filing_versions
from investing_assets.lib.fundamentals.trailing import TRAILING, trailing
from investing_assets_tests.lib.fundamentals._sec_fixtures import lpa_facts

CIK = 1


def _fact(tag, unit, start, end, value, filed, accn, form="10-Q"):
    return {"cik": CIK, "taxonomy": "dei" if tag == "EntityCommonStockSharesOutstanding" else "us-gaap",
            "tag": tag, "unit": unit, "period_start": start, "period_end": end, "fy": None, "fp": None,
            "form": form, "filed": filed, "accession": accn, "frame": None, "value": value}


D = dt.date


def _company() -> pl.DataFrame:
    """FY2024 10-K (year 400), then 2025 quarters: Q1 100 and Q2 year-to-date 230 (Q2 alone 130); the year 2024
    restated to 420 by a 10-K/A in September; equity and the cover-page share count each filing."""
    rows = [
        _fact("NetIncomeLoss", "USD", D(2024, 1, 1), D(2024, 12, 31), 400.0, D(2025, 2, 15), "k24", "10-K"),
        _fact("NetIncomeLoss", "USD", D(2024, 1, 1), D(2024, 9, 30), 290.0, D(2024, 11, 1), "q324"),
        _fact("NetIncomeLoss", "USD", D(2024, 4, 1), D(2024, 6, 30), 95.0, D(2024, 8, 1), "q224"),
        _fact("NetIncomeLoss", "USD", D(2024, 1, 1), D(2024, 6, 30), 185.0, D(2024, 8, 1), "q224"),
        _fact("NetIncomeLoss", "USD", D(2025, 1, 1), D(2025, 3, 31), 100.0, D(2025, 5, 1), "q125"),
        _fact("NetIncomeLoss", "USD", D(2025, 1, 1), D(2025, 6, 30), 230.0, D(2025, 8, 1), "q225"),
        _fact("NetIncomeLoss", "USD", D(2024, 1, 1), D(2024, 6, 30), 185.0, D(2025, 8, 1), "q225"),
        _fact("NetIncomeLoss", "USD", D(2024, 1, 1), D(2024, 12, 31), 420.0, D(2025, 9, 1), "k24a", "10-K/A"),
        _fact("StockholdersEquity", "USD", None, D(2024, 12, 31), 2000.0, D(2025, 2, 15), "k24", "10-K"),
        _fact("StockholdersEquity", "USD", None, D(2025, 6, 30), 2100.0, D(2025, 8, 1), "q225"),
        _fact("EntityCommonStockSharesOutstanding", "shares", None, D(2025, 2, 1), 100.0, D(2025, 2, 15), "k24"),
        _fact("EntityCommonStockSharesOutstanding", "shares", None, D(2025, 7, 25), 50.0, D(2025, 8, 1), "q225"),
        _fact("CommonStockDividendsPerShareDeclared", "USD/shares", D(2024, 1, 1), D(2024, 12, 31), 2.0,
              D(2025, 2, 15), "k24", "10-K"),
        _fact("NetIncomeLoss", "EUR", D(2024, 1, 1), D(2024, 12, 31), 999.0, D(2025, 2, 15), "k24", "10-K"),
    ]
    return pl.DataFrame(rows, schema={"cik": pl.Int64, "taxonomy": pl.String, "tag": pl.String, "unit": pl.String,
                                      "period_start": pl.Date, "period_end": pl.Date, "fy": pl.Int32, "fp": pl.String,
                                      "form": pl.String, "filed": pl.Date, "accession": pl.String,
                                      "frame": pl.String, "value": pl.Float64}, orient="row")


def test_as_of_each_session_only_what_was_filed_by_then():
    versions = filing_versions(_company())
    after_10k = trailing(versions, D(2025, 3, 3)).row(0, named=True)
    # the year as filed (no four tiled quarters yet: Q4 2024 is derived, Q1 2024 was never filed alone)
    assert after_10k["ttm_net_income"] == 400.0 and after_10k["ttm_period_end"] == D(2024, 12, 31)
    assert after_10k["trailing_eps"] == 4.0 and after_10k["book_per_share"] == 20.0
    assert after_10k["dividends_per_share"] == 2.0 and after_10k["accession"] == "k24"
    after_q2 = trailing(versions, D(2025, 8, 4)).row(0, named=True)
    # Q3 24 (290 - 185 = 105) + Q4 24 (400 - 290 = 110) + Q1 25 (100) + Q2 25 (230 - 100 = 130)
    assert after_q2["ttm_net_income"] == 445.0 and after_q2["ttm_period_end"] == D(2025, 6, 30)
    assert after_q2["shares"] == 50.0 and after_q2["trailing_eps"] == pytest.approx(8.9)
    assert after_q2["equity"] == 2100.0 and after_q2["filed"] == D(2025, 8, 1)
    # the 10-K/A restating 2024 (its Q4 becomes 420 - 290 = 130) is seen only from its own filed date on
    assert trailing(versions, D(2025, 8, 29)).get_column("ttm_net_income").item() == 445.0
    restated = trailing(versions, D(2025, 9, 2)).row(0, named=True)
    assert restated["ttm_net_income"] == 465.0 and restated["filed"] == D(2025, 9, 1)
    assert trailing(versions, D(2025, 2, 14)).get_column("ttm_net_income").item() is None  # only old quarters


def test_another_currency_is_never_mixed_in_and_stale_figures_drop_out():
    versions = filing_versions(_company())
    assert 999.0 not in trailing(versions, D(2025, 3, 3)).get_column("ttm_net_income").to_list()
    stale = trailing(versions, D(2027, 6, 1))
    assert stale.height == 1 and stale.get_column("ttm_net_income").item() is None


def test_the_real_ifrs_filer_reports_in_usd_and_gets_trailing_figures():
    versions = filing_versions(read_company_facts(lpa_facts()))
    row = trailing(versions, D(2025, 6, 30))
    assert row.schema == pl.Schema(TRAILING) and row.height == 1
    got = row.row(0, named=True)
    assert got["ttm_period_end"] == D(2024, 12, 31) and got["equity_period_end"] == D(2024, 12, 31)
    assert got["shares"] and got["shares"] > 0 and got["book_per_share"] is not None
    assert trailing(versions, D(2023, 1, 1)).height == 0  # nothing filed yet then
