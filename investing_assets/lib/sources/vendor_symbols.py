"""Each vendor's spelling of our symbols: one table, which every dataset maps through.

Our spelling is the index providers' (BRK.B, BF.B), short codes for indexes (SPX) and Yahoo's names for futures and
crypto (GC=F, BTC-USD), the bare pair for currencies (EURUSD). A connector sends `to_vendor(symbol)` for bars,
corporate actions, quotes, estimates and news alike, and files what comes back (a universe, index members, an
article's symbol) under `to_ours(symbol)`, so a symbol is spelled one way in the warehouse whichever source served
it. Internal mappings, not user input, so vendor tickers like '^GSPC' skip the equity-symbol check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.core.instruments import INSTRUMENTS

# Our symbol -> {vendor: its spelling}, only where a vendor spells it differently from us.
SPELLINGS: dict[str, dict[str, str]] = {
    # share classes: a dot for us and the index lists, a dash for Yahoo and FMP
    "BRK.A": {"yahoo": "BRK-A", "fmp": "BRK-A"},
    "BRK.B": {"yahoo": "BRK-B", "fmp": "BRK-B"},
    "BF.A": {"yahoo": "BF-A", "fmp": "BF-A"},
    "BF.B": {"yahoo": "BF-B", "fmp": "BF-B"},
    # indexes: our short codes, the vendors' caret tickers
    "SPX": {"yahoo": "^GSPC", "fmp": "^GSPC"},
    "NDX": {"yahoo": "^NDX", "fmp": "^NDX"},
    "DJI": {"yahoo": "^DJI", "fmp": "^DJI"},
    # futures: Yahoo's continuous contracts are our names; FMP spells the commodity against the dollar
    "GC=F": {"fmp": "GCUSD"},
    "SI=F": {"fmp": "SIUSD"},
    "CL=F": {"fmp": "CLUSD"},
    "NG=F": {"fmp": "NGUSD"},
    "HG=F": {"fmp": "HGUSD"},
    # crypto: Yahoo's pair names are ours; FMP drops the dash
    "BTC-USD": {"fmp": "BTCUSD"},
    "ETH-USD": {"fmp": "ETHUSD"},
    "SOL-USD": {"fmp": "SOLUSD"},
    # currencies: the bare pair is ours and FMP's; Yahoo marks a rate with =X
    "EURUSD": {"yahoo": "EURUSD=X"},
    "GBPUSD": {"yahoo": "GBPUSD=X"},
    "USDJPY": {"yahoo": "USDJPY=X"},
}


@dataclass(frozen=True)
class VendorSymbols:
    """One vendor's column of `SPELLINGS`, both ways."""

    vendor: str
    _theirs: dict[str, str] = field(init=False, repr=False)
    _ours: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        theirs = {ours: names[self.vendor] for ours, names in SPELLINGS.items() if self.vendor in names}
        object.__setattr__(self, "_theirs", theirs)
        object.__setattr__(self, "_ours", {v: k for k, v in theirs.items()})

    def to_vendor(self, symbol: str) -> str:
        """The vendor's spelling of our symbol (unlisted symbols are spelled alike)."""
        return self._theirs.get(symbol, symbol)

    def to_ours(self, symbol: str) -> str:
        """Our spelling of a symbol the vendor sent back."""
        return self._ours.get(symbol, symbol)

    def file_under_ours(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with its `symbol` column in our spelling."""
        return frame.with_columns(pl.col("symbol").replace(self._ours)) if self._ours else frame

    def instruments(self, asset_class: str, symbols: Sequence[str] | None) -> list[tuple[str, str, str]]:
        """(our symbol, vendor symbol, display name) of the asked instruments of a class (default: all of it);
        an unknown class or symbol fails, naming what is known."""
        names = INSTRUMENTS.get(asset_class)
        if names is None:
            raise ValueError(f"{self.vendor}: no asset class {asset_class!r}; known: {', '.join(INSTRUMENTS)}")
        unknown = [s for s in (symbols or ()) if s not in names]
        if unknown:
            raise ValueError(f"{self.vendor}: no {asset_class} instrument {unknown}; known: {sorted(names)}")
        return [(ours, self.to_vendor(ours), names[ours]) for ours in (symbols or names)]
