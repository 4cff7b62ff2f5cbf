import datetime as dt
import json
import re

import polars as pl
import pytest

from investing_assets.lib.fundamentals.companyfacts import iter_zip_company_facts, parse_company_tickers
from investing_assets.lib.fundamentals.standardize import as_of, filing_versions
from investing_assets.lib.fundamentals.submissions import combined, iter_zip_submissions
from investing_assets.lib.synthetic.sec_filings import write_demo_archives
from investing_assets.lib.synthetic.source import DemoSource

SYMBOLS = ("AAPL", "MSFT", "JPM", "BRK.B", "XOM", "KO")
AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    return write_demo_archives(tmp_path_factory.mktemp("sec") / "now", AS_OF, symbols=SYMBOLS)


def _facts(archives) -> pl.DataFrame:
    return pl.concat(list(iter_zip_company_facts(archives.companyfacts)))


def test_the_archives_read_through_the_edgar_readers_and_hold_nothing_filed_later(archives):
    facts = _facts(archives)
    assert facts.get_column("cik").n_unique() == len(SYMBOLS)
    assert facts.get_column("filed").max() <= AS_OF
    assert {"10-Q", "10-K"} <= set(facts.get_column("form")) <= {"10-Q", "10-K", "10-K/A"}
    tickers = parse_company_tickers(json.loads(archives.tickers.read_text()))
    assert set(tickers.get_column("symbol")) == {s.replace(".", "-") for s in SYMBOLS}  # EDGAR's BRK-B
    filers = list(iter_zip_submissions(archives.submissions))
    assert len(filers) == len(SYMBOLS)
    companies, filings = combined([page for filer in filers for page in filer])
    # every fact's accession is a filing of the index, filed that day
    joined = facts.select("cik", "accession", "filed").unique().join(
        filings.select("cik", "accession", "filing_date"), on=["cik", "accession"], how="left")
    assert joined.get_column("filing_date").null_count() == 0
    assert (joined.get_column("filing_date") == joined.get_column("filed")).all()
    assert all(re.fullmatch(r"\d{10}-\d{2}-\d{6}", a) for a in filings.get_column("accession"))


def test_the_figures_are_the_demo_markets_shares_and_its_results_news(archives):
    source = DemoSource()
    universe = source.universe(AS_OF).filter(pl.col("symbol").is_in(SYMBOLS))
    tickers = parse_company_tickers(json.loads(archives.tickers.read_text())).with_columns(
        symbol=pl.col("symbol").str.replace("-", ".", literal=True))
    facts = _facts(archives).join(tickers.select("cik", "symbol"), on="cik")
    shares = facts.filter(tag="EntityCommonStockSharesOutstanding", filed=facts.get_column("filed").max())
    for symbol, count in shares.select("symbol", "value").unique().iter_rows():
        assert count == universe.filter(symbol=symbol).get_column("shares_outstanding").item()

    news = source.news(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 21, tzinfo=dt.UTC), ["AAPL"])
    reported = news.filter(pl.col("title").str.contains("quarterly EPS")).with_columns(
        eps=pl.col("title").str.extract(r"EPS \$(-?[\d.]+)").cast(pl.Float64),
        day=pl.col("published_at").dt.convert_time_zone("America/New_York").dt.date())
    quarters = facts.filter(symbol="AAPL", tag="EarningsPerShareDiluted", form="10-Q").filter(
        (pl.col("period_end") - pl.col("period_start")).dt.total_days() < 100,
        pl.col("filed") >= dt.date(2026, 1, 1), pl.col("frame").is_not_null())
    assert quarters.height >= 2
    for row in quarters.iter_rows(named=True):
        said = reported.filter(day=row["filed"])
        assert said.height == 1 and said.get_column("eps").item() == pytest.approx(row["value"], abs=0.006)


def test_an_older_snapshot_is_what_the_newer_one_says_was_filed_by_then(archives, tmp_path):
    older_day = dt.date(2025, 6, 30)
    older = _facts(write_demo_archives(tmp_path / "older", older_day, symbols=SYMBOLS))
    newer = _facts(archives).filter(pl.col("filed") <= older_day)
    key = ["cik", "taxonomy", "tag", "unit", "period_start", "period_end", "accession"]
    assert older.sort(key).select(*key, "value").equals(newer.sort(key).select(*key, "value"))
    # and the standardized figures as of that day agree whichever snapshot they are built from
    left, right = as_of(filing_versions(older), older_day), as_of(filing_versions(_facts(archives)), older_day)
    order = ["cik", "concept", "unit", "period_start", "period_end"]
    assert left.sort(order).select(*order, "value").equals(right.sort(order).select(*order, "value"))


def test_amended_annual_reports_are_filed_later_and_leave_the_original_in_place(tmp_path):
    facts = _facts(write_demo_archives(tmp_path / "all", AS_OF))
    amended = facts.filter(form="10-K/A", tag="NetIncomeLoss")
    assert amended.height > 5
    row = amended.row(0, named=True)
    original = facts.filter(cik=row["cik"], tag="NetIncomeLoss", period_start=row["period_start"],
                            period_end=row["period_end"], form="10-K").sort("filed").row(0, named=True)
    assert original["filed"] < row["filed"] and original["value"] != row["value"]
    versions = filing_versions(facts.filter(cik=row["cik"]))
    before = as_of(versions, row["filed"] - dt.timedelta(days=1)).filter(
        concept="net_income", period_end=row["period_end"], months=12)
    after = as_of(versions, row["filed"]).filter(concept="net_income", period_end=row["period_end"], months=12)
    assert before.get_column("value").item() == original["value"]
    assert after.get_column("value").item() == row["value"]
