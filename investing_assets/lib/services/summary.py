"""What a run built, in the words a user reads at the end of `make demo`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.core.schemas import BAR_CURRENCY
from investing_assets.lib.services.market import top_movers
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.fundamentals import (
    latest_index_valuations,
    latest_sector_valuations,
    revisions,
)
from investing_assets.lib.storage.queries.market import index_levels, read_bars_with_previous
from investing_assets.lib.storage.queries.news import latest_headlines
from investing_assets.lib.storage.queries.summary import newest_session, riskiest_issuers
from investing_assets.lib.storage.queries.technicals import latest_discoveries
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass
class Summary:
    session: dt.date | None
    rows: dict[str, int]
    movers: pl.DataFrame
    indexes: pl.DataFrame
    cached_index_as_of: str | None
    discoveries: pl.DataFrame | None = None
    riskiest: pl.DataFrame | None = None
    revisions: pl.DataFrame | None = None
    headlines: pl.DataFrame | None = None
    valuations: pl.DataFrame | None = None
    sectors: pl.DataFrame | None = None
    data_note: str | None = None  # the source's own warning, e.g. the demo's "synthetic: ..."

    def render(self) -> str:
        lines = [f"Data: {self.data_note}\n"] if self.data_note else []
        lines.append("Rows in the warehouse:")
        width = max((len(name) for name in self.rows), default=0)
        lines += [f"  {name:<{width}} {count:>12,}" for name, count in self.rows.items()]
        if self.session is None:
            return "\n".join(lines + ["No bars stored yet."])
        lines.append(f"\nTop movers on {self.session.isoformat()}:")
        for row in self.movers.iter_rows(named=True):
            priced = "" if row.get("currency", BAR_CURRENCY) == BAR_CURRENCY else f" {row['currency']}"
            lines.append(f"  {row['symbol']:<8} {row['close']:>10.2f} {row['change_pct']:>+8.2f}%{priced}")
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
            lines.append(f"\nIndex valuations on {self.valuations.item(0, 'session')} (forward: the consensus of the "
                         "coming fiscal year; trailing: the last twelve months filed with the SEC by then):")
            lines.append(f"  {'':<5} {'fwd P/E':>8} {'E/P':>7} {'ttm P/E':>8} {'P/B':>6} {'yield':>6}")
            lines += [f"  {row['index_code']:<5} {_x(row['forward_pe'])} {_pct(row['earnings_yield'])} "
                      f"{_x(row['trailing_pe'])} {_x(row['price_to_book'], 6)} {_pct(row['dividend_yield'], 6)}"
                      for row in self.valuations.iter_rows(named=True)]
        if self.sectors is not None and self.sectors.height:
            lines.append(f"\nSector valuations on {self.sectors.item(0, 'session')} (cap-weighted):")
            lines.append(f"  {'':<24} {'fwd P/E':>8} {'ttm P/E':>8} {'P/B':>6} {'yield':>6}")
            lines += [f"  {row['name'][:24]:<24} {_x(row['forward_pe'])} {_x(row['trailing_pe'])} "
                      f"{_x(row['price_to_book'], 6)} {_pct(row['dividend_yield'], 6)}"
                      for row in self.sectors.iter_rows(named=True)]
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


def _x(value: float | None, width: int = 8) -> str:
    return f"{value:.1f}x".rjust(width) if value is not None else "-".rjust(width)


def _pct(value: float | None, width: int = 7) -> str:
    return f"{value:.2f}%".rjust(width) if value is not None else "-".rjust(width)


def summarize(warehouse: Warehouse, cache: HotCache | None, tables: Mapping[str, str], count: int = 5, *,
              data_note: str | None = None) -> Summary:
    """`tables`: label -> table to count (the CLI reads them off the asset graph); `data_note`: what the
    configured source says about its data (sources.synthetic_note: the demo's is "synthetic: ...")."""
    rows = {name: warehouse.count(table) for name, table in tables.items()}
    session = newest_session(warehouse, names.DAILY_BARS)
    if session is None:
        return Summary(None, rows, pl.DataFrame(), pl.DataFrame(), None, data_note=data_note)
    movers = top_movers(read_bars_with_previous(warehouse, session), session, count)
    indexes = index_levels(warehouse, session)
    cached = cache.read(names.INDEX_QUOTES_KEY) if cache else None
    discoveries = latest_discoveries(warehouse, count)
    riskiest = riskiest_issuers(warehouse, 3)
    estimated = newest_session(warehouse, names.ANALYST_ESTIMATES)
    eps_revisions = revisions(warehouse, estimated, count) if estimated else None
    headlines = latest_headlines(warehouse, count)
    valuations = latest_index_valuations(warehouse)
    sectors = latest_sector_valuations(warehouse)
    return Summary(session, rows, movers, indexes, cached["as_of"] if cached else None, discoveries, riskiest,
                   eps_revisions, headlines, valuations, sectors, data_note)
