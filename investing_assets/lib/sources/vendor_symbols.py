"""Each vendor's spelling of our instruments, and the quote methods shared by sources that serve them.

Internal mappings, not user input, so vendor tickers like '^GSPC' skip the equity-symbol check.
"""

from __future__ import annotations

from investing_assets.lib.core.instruments import INSTRUMENTS


def vendor_table(spellings: dict[str, str]) -> dict[str, dict[str, tuple[str, str]]]:
    """asset class -> our symbol -> (vendor symbol, display name); unlisted symbols keep our spelling."""
    return {
        asset_class: {ours: (spellings.get(ours, ours), name) for ours, name in names.items()}
        for asset_class, names in INSTRUMENTS.items()
    }


def pick(table: dict[str, dict[str, tuple[str, str]]], asset_class: str, symbols, provider: str
         ) -> list[tuple[str, str, str]]:
    """(our symbol, vendor symbol, name) for the asked symbols (default: all of the class); unknown ones fail."""
    mapping = table[asset_class]
    unknown = [s for s in (symbols or ()) if s not in mapping]
    if unknown:
        raise ValueError(f"{provider}: no {asset_class} mapping for {unknown}; known: {sorted(mapping)}")
    return [(ours, *mapping[ours]) for ours in (symbols or mapping)]


class QuotesByAssetClass:
    """The four quote methods every source exposes, for sources that serve them through one `quotes` call."""

    def quotes(self, asset_class: str, sessions, symbols=None):
        raise NotImplementedError

    def index_quotes(self, sessions):
        return self.quotes("index", sessions)

    def etf_quotes(self, sessions):
        return self.quotes("etf", sessions)

    def commodity_quotes(self, sessions):
        return self.quotes("commodity", sessions)

    def crypto_quotes(self, sessions):
        return self.quotes("crypto", sessions)
