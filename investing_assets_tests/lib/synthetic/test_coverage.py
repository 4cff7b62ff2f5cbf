"""The demo's analyst consensus and news: deterministic, plausible, and consistent with the demo tape."""

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import ANALYST_ESTIMATES, NEWS_ARTICLES
from investing_assets.lib.synthetic.source import DemoSource

NY = ZoneInfo("America/New_York")
DAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource()


def ny(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), NY)


def test_estimates_are_the_schema_and_the_same_whatever_else_is_asked(source):
    everyone = source.analyst_estimates(DAY)
    assert everyone.schema == pl.Schema(ANALYST_ESTIMATES)
    assert everyone.group_by("symbol").len().get_column("len").unique().to_list() == [3]  # next 3 fiscal years
    alone = source.analyst_estimates(DAY, ["MSFT", "AAPL"])
    assert_frame_equal(alone, everyone.filter(pl.col("symbol").is_in(["AAPL", "MSFT"])))
    assert (everyone.get_column("period_end") >= DAY).all()
    assert (everyone["eps_low"] <= everyone["eps_avg"]).all() and (everyone["eps_avg"] <= everyone["eps_high"]).all()
    assert (everyone["analysts_eps"] >= 1).all() and (everyone["analysts_eps"] <= everyone["analysts_revenue"]).all()


def test_the_consensus_revises_slowly_and_narrows_as_the_year_end_nears(source):
    now = source.analyst_estimates(DAY)
    month_ago = source.analyst_estimates(calendar.sessions_ending(DAY, 22)[0])
    both = now.join(month_ago, on=["symbol", "period_end"], suffix="_before")
    revision = (both["eps_avg"] / both["eps_avg_before"] - 1).abs()
    assert revision.median() < 0.05 and revision.max() < 0.5  # revisions, not noise
    assert (revision > 0).mean() > 0.95  # but the consensus does move
    spread = now.with_columns(spread=(pl.col("eps_high") - pl.col("eps_low")) / pl.col("eps_avg"))
    by_year = spread.with_columns(rank=pl.col("period_end").rank("ordinal").over("symbol")).group_by("rank").agg(
        pl.col("spread").median()).sort("rank")["spread"].to_list()
    assert by_year == sorted(by_year)  # the nearest fiscal year has the tightest range


def test_news_is_deterministic_inside_its_window_and_follows_the_tape(source):
    days = calendar.sessions_ending(DAY, 40)
    news = source.news(ny(days[0]), ny(DAY + dt.timedelta(days=1)))
    assert news.schema == pl.Schema(NEWS_ARTICLES) and news.height > 0
    assert news.select("symbol", "url").is_duplicated().sum() == 0
    one_day = source.news(ny(DAY), ny(DAY + dt.timedelta(days=1)), ["AAPL", "MSFT", "NVDA", "TSLA", "AMD"])
    assert_frame_equal(one_day, news.filter(pl.col("symbol").is_in(["AAPL", "MSFT", "NVDA", "TSLA", "AMD"])
                                            & (pl.col("published_at") >= ny(DAY).astimezone(dt.UTC))))
    moves = news.filter(pl.col("url").str.ends_with("-move"))
    bars = source.daily_bars(calendar.sessions_ending(DAY, 41)).sort("symbol", "session").with_columns(
        ret=pl.col("close") / pl.col("close").shift(1).over("symbol") - 1)
    dated = moves.with_columns(session=pl.col("published_at").dt.convert_time_zone("America/New_York").dt.date())
    joined = dated.join(bars, on=["symbol", "session"])
    assert joined.height == moves.height and (joined["ret"].abs() >= 0.03).all()
    up = joined.filter(pl.col("ret") > 0)
    assert up["title"].str.contains("jump|climb").all()


def test_every_stock_reports_results_once_a_quarter(source):
    quarter = calendar.sessions_ending(DAY, 63)
    news = source.news(ny(quarter[0]), ny(DAY + dt.timedelta(days=1)))
    results = news.filter(pl.col("url").str.contains("-results-"))
    counts = results.group_by("symbol").len()
    assert counts.height >= 500 and counts["len"].max() <= 2
    sample = results.row(0, named=True)
    assert "EPS $" in sample["title"] and "expected" in sample["title"]


def test_unknown_symbols_are_named(source):
    with pytest.raises(ValueError, match="ZZZZ"):
        source.analyst_estimates(DAY, ["AAPL", "ZZZZ"])


def test_recent_valuations_look_like_a_real_market(source):
    """Fundamentals are pinned to 2024 prices: the S&P 500's forward P/E lands where real ones do (10-30x)."""
    from investing_assets.lib.analytics.industry import index_valuations

    nearest = source.analyst_estimates(DAY).sort("symbol", "period_end").group_by("symbol", maintain_order=True).first()
    members = source.daily_bars([DAY]).select("symbol", "close").join(
        nearest.select("symbol", pl.col("eps_avg").alias("forward_eps")), on="symbol")
    spx = index_valuations(source.index_constituents(DAY), members).filter(pl.col("index_code") == "SPX")
    assert 10 < spx.item(0, "forward_pe") < 30


@pytest.mark.parametrize("day", [dt.date(2024, 12, 31), DAY])
def test_each_stocks_forward_pe_is_in_a_real_range(source, day):
    """Per symbol, not only the index: the next fiscal year's P/E of nearly every name is 5-60x."""
    nearest = source.analyst_estimates(day).sort("symbol", "period_end").group_by("symbol", maintain_order=True).first()
    pe = (source.daily_bars([day]).join(nearest, on="symbol").select(pl.col("close") / pl.col("eps_avg"))
          .to_series())
    assert pe.is_between(5, 60).mean() > 0.95
    assert 12 < pe.median() < 30
