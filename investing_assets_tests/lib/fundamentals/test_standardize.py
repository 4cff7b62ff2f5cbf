import datetime as dt

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import (
    FACTS_SCHEMA,
    parse_company_tickers,
    read_company_facts,
)
from investing_assets.lib.fundamentals.concepts import CONCEPTS, tag_map
from investing_assets.lib.fundamentals.standardize import as_of, filing_versions, with_symbols
from investing_assets_tests.lib.fundamentals._sec_fixtures import lpa_facts

D = dt.date
LPA_2023 = "0001493152-24-016772"  # 20-F for 2023, filed 2024-04-26
LPA_2024 = "0001997711-25-000030"  # 20-F for 2024, filed 2025-04-02
LPA_2024_A = "0001641172-25-002932"  # 20-F/A, filed 2025-04-07


def _figure(frame: pl.DataFrame, concept: str, end: dt.date, unit: str | None = None) -> dict | None:
    rows = frame.filter(concept=concept, period_end=end)
    if unit:
        rows = rows.filter(unit=unit)
    assert rows.height <= 1, rows
    return rows.row(0, named=True) if rows.height else None


def _fact(tag, value, end, filed, accession, *, start=None, unit="USD", form="10-Q", taxonomy="us-gaap"):
    return {"cik": 1, "taxonomy": taxonomy, "tag": tag, "unit": unit, "period_start": start, "period_end": end,
            "fy": None, "fp": None, "form": form, "filed": filed, "accession": accession, "frame": None,
            "value": float(value)}


def _facts(*rows) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=FACTS_SCHEMA)


def test_every_concept_has_tags_of_one_kind_each():
    tags = tag_map()
    assert not tags.select("taxonomy", "tag").is_duplicated().any()
    assert {c.name for c in CONCEPTS} == set(tags.get_column("concept"))
    assert tags.filter(concept="shares_outstanding", rank=0).select("taxonomy", "tag").row(0) == (
        "dei", "EntityCommonStockSharesOutstanding")


def test_real_ifrs_filer_point_in_time():
    versions = filing_versions(read_company_facts(lpa_facts()))
    assert set(versions.get_column("unit")) == {"USD", "USD/shares", "shares"}  # COP/CRC/PEN rates: not mapped
    assert as_of(versions, D(2024, 4, 25)).height == 0  # nothing before the first filing

    before = as_of(versions, D(2024, 12, 31))
    after = as_of(versions, D(2025, 5, 1))
    eps_2022_then, eps_2022_now = _figure(before, "eps_diluted", D(2022, 12, 31)), _figure(after, "eps_diluted",
                                                                                              D(2022, 12, 31))
    assert (eps_2022_then["value"], eps_2022_then["accession"], eps_2022_then["filed"]) == (0.048, LPA_2023,
                                                                                             D(2024, 4, 26))
    assert (eps_2022_now["value"], eps_2022_now["accession"], eps_2022_now["filed"]) == (0.28, LPA_2024,
                                                                                          D(2025, 4, 2))
    assert _figure(before, "diluted_shares", D(2023, 12, 31))["value"] == 168142740
    assert _figure(after, "diluted_shares", D(2023, 12, 31))["value"] == 28600000
    assert _figure(before, "revenue", D(2024, 12, 31)) is None  # the 2024 20-F was not filed yet

    revenue = _figure(after, "revenue", D(2024, 12, 31))
    assert (revenue["value"], revenue["tag"], revenue["period_start"], revenue["months"]) == (
        43862372, "Revenue", D(2024, 1, 1), 12)
    assert _figure(after, "net_income", D(2024, 12, 31))["value"] == -29285428  # owners of the parent
    assert _figure(after, "operating_cash_flow", D(2024, 12, 31))["value"] == 19391563
    assert _figure(after, "capex", D(2024, 12, 31))["value"] == 71066
    assert _figure(after, "total_assets", D(2024, 12, 31))["period_start"] is None
    assert _figure(after, "total_liabilities", D(2024, 12, 31))["value"] == 336218160
    # equity: the parent's share where given; 2021 only has total equity; 2022's later filing gives only the
    # total, which does not replace the parent's share filed before
    assert _figure(after, "equity", D(2024, 12, 31))["value"] == 228964876
    assert _figure(after, "equity", D(2021, 12, 31))["tag"] == "Equity"
    equity_2022 = _figure(after, "equity", D(2022, 12, 31))
    assert (equity_2022["value"], equity_2022["accession"]) == (200814005, LPA_2023)

    # the cover's share count, then the same count again in the 20-F/A five days later
    assert _figure(as_of(versions, D(2025, 4, 3)), "shares_outstanding", D(2025, 4, 2))["accession"] == LPA_2024
    amended = _figure(as_of(versions, D(2025, 4, 10)), "shares_outstanding", D(2025, 4, 2))
    assert (amended["value"], amended["accession"], amended["form"]) == (31668601, LPA_2024_A, "20-F/A")


def test_symbols_from_the_ticker_map():
    versions = filing_versions(read_company_facts(lpa_facts()))
    tickers = parse_company_tickers({"0": {"cik_str": 1997711, "ticker": "LPA", "title": "LPA"},
                                     "1": {"cik_str": 320193, "ticker": "AAPL", "title": "Apple"}})
    assert set(with_symbols(versions, tickers).get_column("symbol")) == {"LPA"}


def _year_to_date():
    y = D(2024, 1, 1)
    return [
        _fact("Revenues", 100, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y),
        _fact("Revenues", 250, D(2024, 6, 30), D(2024, 8, 1), "q2", start=y),
        _fact("Revenues", 420, D(2024, 9, 30), D(2024, 11, 1), "q3", start=y),
        _fact("Revenues", 600, D(2024, 12, 31), D(2025, 2, 15), "fy", start=y, form="10-K"),
        _fact("EarningsPerShareDiluted", 1.0, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y, unit="USD/shares"),
        _fact("EarningsPerShareDiluted", 2.6, D(2024, 6, 30), D(2024, 8, 1), "q2", start=y, unit="USD/shares"),
    ]


def test_quarters_derived_from_year_to_date_figures():
    versions = filing_versions(_facts(*_year_to_date()))
    quarters = as_of(versions, D(2025, 3, 1)).filter(concept="revenue", months=3).sort("period_end")
    assert quarters.select("period_start", "period_end", "value", "filed", "accession", "derived").rows() == [
        (D(2024, 1, 1), D(2024, 3, 31), 100.0, D(2024, 5, 1), "q1", False),
        (D(2024, 4, 1), D(2024, 6, 30), 150.0, D(2024, 8, 1), "q2", True),
        (D(2024, 7, 1), D(2024, 9, 30), 170.0, D(2024, 11, 1), "q3", True),
        (D(2024, 10, 1), D(2024, 12, 31), 180.0, D(2025, 2, 15), "fy", True),
    ]
    # a per-share figure is not additive: no quarter is derived from year-to-date EPS
    assert versions.filter(concept="eps_diluted", months=3).get_column("period_end").to_list() == [D(2024, 3, 31)]
    assert as_of(versions, D(2024, 10, 1)).filter(period_end=D(2024, 9, 30)).height == 0


def test_a_filed_quarter_wins_over_the_derived_one():
    filed_q2 = _fact("Revenues", 149, D(2024, 6, 30), D(2024, 8, 1), "q2", start=D(2024, 4, 1))
    q2 = _figure(as_of(filing_versions(_facts(*_year_to_date(), filed_q2)), D(2024, 9, 1)).filter(months=3),
                 "revenue", D(2024, 6, 30))
    assert (q2["value"], q2["derived"]) == (149.0, False)


def test_a_restated_year_to_date_figure_is_seen_only_from_its_filing():
    restated = _fact("Revenues", 260, D(2024, 6, 30), D(2024, 9, 15), "q2a", start=D(2024, 1, 1), form="10-Q/A")
    versions = filing_versions(_facts(*_year_to_date(), restated))

    def q2(session):
        return _figure(as_of(versions, session).filter(months=3), "revenue", D(2024, 6, 30))

    assert (q2(D(2024, 9, 14))["value"], q2(D(2024, 9, 14))["accession"]) == (150.0, "q2")
    assert (q2(D(2024, 9, 15))["value"], q2(D(2024, 9, 15))["accession"]) == (160.0, "q2a")
    six_months = _figure(as_of(versions, D(2024, 9, 14)).filter(months=6), "revenue", D(2024, 6, 30))
    assert (six_months["value"], six_months["form"]) == (250.0, "10-Q")
    # Q3 (filed after the restatement) subtracts the restated six months
    assert _figure(as_of(versions, D(2024, 12, 1)).filter(months=3), "revenue", D(2024, 9, 30))["value"] == 160.0


def test_other_currencies_and_units_are_kept_apart_never_mixed():
    y = D(2024, 1, 1)
    facts = _facts(
        _fact("Revenues", 100, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y),
        _fact("Revenues", 90, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y, unit="EUR"),
        _fact("Revenues", 230, D(2024, 6, 30), D(2024, 8, 1), "q2", start=y, unit="EUR"),
        _fact("EarningsPerShareDiluted", 5.0, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y, unit="USD"),
        _fact("WeightedAverageNumberOfDilutedSharesOutstanding", 7.0, D(2024, 3, 31), D(2024, 5, 1), "q1",
              start=y, unit="USD"),
        _fact("Assets", 1000, D(2024, 3, 31), D(2024, 5, 1), "q1", start=y),  # an instant tag given a start
        _fact("Revenues", 33, D(2024, 1, 31), D(2024, 5, 1), "q1", start=y),  # one month: not a fiscal period
    )
    figures = as_of(filing_versions(facts), D(2024, 9, 1))
    assert sorted(figures.select("unit", "period_start", "period_end", "value").rows()) == [
        ("EUR", D(2024, 1, 1), D(2024, 3, 31), 90.0),
        ("EUR", D(2024, 1, 1), D(2024, 6, 30), 230.0),
        ("EUR", D(2024, 4, 1), D(2024, 6, 30), 140.0),  # derived within EUR only
        ("USD", D(2024, 1, 1), D(2024, 3, 31), 100.0),
    ]
