"""What a run built, in the words a user reads at the end of `make demo`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.services import estimates
from investing_assets.lib.storage.cache import INDEX_QUOTES, HotCache
from investing_assets.lib.storage.warehouse import Warehouse

TABLES = {
    "universe": "market.universe",
    "index_constituents": "market.index_constituents",
    "daily_bars": "market.daily_bars",
    "index/etf/commodity/crypto quotes": "market.quotes",
    "indicators": "technicals.indicators",
    "candlestick_patterns": "technicals.candlestick_patterns",
    "chart_patterns": "technicals.chart_patterns",
    "scan_results (discoveries)": "technicals.pattern_discoveries",
    "correlations (symbol rows)": "technicals.symbol_correlations",
    "demo_planted_patterns": "market.demo_planted_patterns",
    "analyst_estimates": "fundamentals.analyst_estimates",
    "industry_aggregates": "fundamentals.industry_aggregates",
    "index_valuations": "fundamentals.index_valuations",
    "news_articles": "news.articles",
    "muni_documents": "muni.documents",
    "muni_risk_model (versions)": "muni.models",
    "muni_risk_scores": "muni.risk_scores",
}


@dataclass
class Summary:
    session: dt.date | None
    rows: dict[str, int]
    movers: pl.DataFrame
    indexes: pl.DataFrame
    cached_index_as_of: str | None
    discoveries: pl.DataFrame = None
    riskiest: pl.DataFrame = None
    revisions: pl.DataFrame = None
    headlines: pl.DataFrame = None
    valuations: pl.DataFrame = None

    def render(self) -> str:
        lines = ["Rows in the warehouse:"]
        lines += [f"  {name:<36} {count:>12,}" for name, count in self.rows.items()]
        if self.session is None:
            return "\n".join(lines + ["No bars stored yet."])
        lines.append(f"\nTop movers on {self.session.isoformat()}:")
        for row in self.movers.iter_rows(named=True):
            lines.append(f"  {row['symbol']:<8} {row['close']:>10.2f} {row['change_pct']:>+8.2f}%")
        lines.append(f"\nIndex levels on {self.session.isoformat()} (Redis cache as of {self.cached_index_as_of}):")
        for row in self.indexes.iter_rows(named=True):
            change = f"{row['change_pct']:+.2f}%" if row["change_pct"] is not None else ""
            lines.append(f"  {row['name']:<32} {row['close']:>12,.2f} {change:>8}")
        if self.discoveries is not None and self.discoveries.height:
            lines.append(f"\nTop scanner discoveries on {self.discoveries.item(0, 'session')}:")
            for row in self.discoveries.iter_rows(named=True):
                lines.append(f"  {row['symbol']:<7} {row['kind']:<6} {row['pattern']:<26} {row['direction']:<8} "
                             f"confidence {row['confidence']:.2f}")
        if self.valuations is not None and self.valuations.height:
            lines.append(f"\nIndex valuations on {self.valuations.item(0, 'session')} (forward P/E on the coming fiscal year):")
            lines += [f"  {row['index_code']:<5} {row['forward_pe']:>6.1f}x   earnings yield "
                      f"{row['earnings_yield']:.2f}%" for row in self.valuations.iter_rows(named=True)
                      if row["forward_pe"] is not None]
        if self.revisions is not None and self.revisions.height:
            lines.append("\nLargest EPS consensus revisions since the previous session (coming fiscal year):")
            for row in self.revisions.iter_rows(named=True):
                lines.append(f"  {row['symbol']:<7} {row['eps_before']:>9.2f} -> {row['eps_now']:>9.2f}  "
                             f"{row['revision_pct']:>+7.2f}%")
        if self.headlines is not None and self.headlines.height:
            lines.append(f"\nLatest headlines ({self.headlines.item(0, 'session')}):")
            lines += [f"  {row['symbol']:<7} {row['title'][:90]}" for row in self.headlines.iter_rows(named=True)]
        if self.riskiest is not None and self.riskiest.height:
            lines.append("\nRiskiest muni issuers read from documents (3-year distress probability):")
            for row in self.riskiest.iter_rows(named=True):
                lines.append(f"  {row['issuer_name'][:44]:<44} {row['probability']:>7.2%}  {row['bucket']}")
        return "\n".join(lines)


def summarize(warehouse: Warehouse, cache: HotCache | None, count: int = 5) -> Summary:
    rows = {name: warehouse.count(table) for name, table in TABLES.items()}
    last = warehouse.read_frame("SELECT max(session) AS s FROM market.daily_bars")
    session = last.item(0, 0) if last.height else None
    if session is None:
        return Summary(None, rows, pl.DataFrame(), pl.DataFrame(), None)
    movers = warehouse.read_frame(
        """
        WITH day AS (
            SELECT b.symbol, b.close, 100 * (b.close / p.close - 1) AS change_pct
            FROM market.daily_bars b
            JOIN market.daily_bars p ON p.symbol = b.symbol
             AND p.session = (SELECT max(session) FROM market.daily_bars WHERE session < %s)
            WHERE b.session = %s
        )
        (SELECT * FROM day ORDER BY change_pct DESC LIMIT %s)
        UNION ALL
        (SELECT * FROM day ORDER BY change_pct ASC LIMIT %s)
        """,
        [session, session, count, count],
    )
    indexes = warehouse.read_frame(
        "SELECT symbol, name, close, change_pct FROM market.quotes "
        "WHERE asset_class = 'index' AND session = %s ORDER BY symbol",
        [session],
    )
    cached = cache.read(INDEX_QUOTES) if cache else None
    discoveries = warehouse.read_frame(
        "SELECT session, symbol, kind, pattern, direction, confidence FROM technicals.pattern_discoveries "
        "WHERE session = (SELECT max(session) FROM technicals.pattern_discoveries) "
        "ORDER BY score DESC, symbol LIMIT %s", [count])
    riskiest = warehouse.read_frame(
        "SELECT issuer_name, probability, bucket FROM muni.risk_scores WHERE source = 'document' "
        "AND session = (SELECT max(session) FROM muni.risk_scores) ORDER BY probability DESC LIMIT 3")
    estimated = warehouse.read_frame("SELECT max(session) AS s FROM fundamentals.analyst_estimates").item(0, 0)
    revisions = estimates.revisions(warehouse, estimated, count) if estimated else None
    headlines = warehouse.read_frame(
        "SELECT session, symbol, title FROM news.articles WHERE session = (SELECT max(session) FROM news.articles) "
        "ORDER BY published_at DESC, symbol LIMIT %s", [count])
    valuations = warehouse.read_frame(
        "SELECT session, index_code, forward_pe, earnings_yield FROM fundamentals.index_valuations "
        "WHERE session = (SELECT max(session) FROM fundamentals.index_valuations) ORDER BY index_code")
    return Summary(session, rows, movers, indexes, cached["as_of"] if cached else None, discoveries, riskiest,
                   revisions, headlines, valuations)
