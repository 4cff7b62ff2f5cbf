"""The demo universe at any size: the index members (universe.py) plus synthetic small- and mid-cap listings.

Why: the index members are about 508 names, and the asset graph must be shown to scale to a US-wide universe
(5,000 symbols; `INVESTING_DEMO_SYMBOLS`). The tail listings are invented companies, not members of SPX, NDX
or DJI: a name made of an invented root and its industry's noun ("Kestrelmont Therapeutics, Inc."), a 3- or
4-letter ticker spelled from that name that is no real index member's, no quoted instrument's and no other
listing's, a sector drawn with the weights of US small caps (many banks and biotechs, few utilities) and an
industry of that sector. Listing k is drawn from its own stream (seed, "tail", k) in order, so a larger
universe only appends listings: a symbol means the same company at every size, and its bars (a pure function
of seed, symbol and session, market.py) are the same too. Its size, volatility and volume come from
market.stock_parameters, which tells a tail listing by its empty index membership.

A universe smaller than the index membership is a deterministic subset of it: a member of each index and of each
sector ETF first, the Dow members next, then the others, each by a seeded draw per symbol, so a smaller subset is
always inside a larger one. The index and ETF
quotes are then the baskets of the members kept (their levels still match the real ones on the reference
session, where their divisors are fixed).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from investing_assets.lib.core.instruments import INSTRUMENTS
from investing_assets.lib.core.symbols import is_ticker
from investing_assets.lib.synthetic import reference, streams, universe
from investing_assets.lib.synthetic.universe import SECTORS, Stock

MIN_SIZE = 20  # room for a member of each index and of each sector's ETF
MAX_SIZE = 20_000  # beyond it the invented names start to repeat their roots too often to look plausible

# Share of US listings outside the large-cap indices by sector (about the Russell 2000's count by sector).
_SECTOR_WEIGHTS = {
    "Financials": 0.17, "Health Care": 0.17, "Industrials": 0.16, "Information Technology": 0.13,
    "Consumer Discretionary": 0.10, "Real Estate": 0.06, "Energy": 0.06, "Materials": 0.05,
    "Consumer Staples": 0.04, "Utilities": 0.03, "Communication Services": 0.03,
}  # fmt: skip
# Industry -> nouns a company of it calls itself by, per sector (GICS industry names).
_INDUSTRIES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "Financials": (("Regional Banks", ("Bancorp", "Bancshares", "Financial")), ("Insurance", ("Insurance Group",
                   "Assurance")), ("Capital Markets", ("Capital", "Partners")), ("Consumer Finance", ("Credit",
                   "Lending"))),
    "Health Care": (("Biotechnology", ("Therapeutics", "Biosciences", "Bio")), ("Pharmaceuticals", ("Pharma",
                    "Pharmaceuticals")), ("Health Care Equipment", ("Medical", "Surgical")), ("Health Care Providers",
                    ("Health", "Care"))),
    "Industrials": (("Machinery", ("Industries", "Machine")), ("Aerospace & Defense", ("Aerospace", "Defense Systems")),
                    ("Building Products", ("Building Products", "Materials")), ("Commercial Services", ("Services",
                    "Solutions")), ("Ground Transportation", ("Logistics", "Freight"))),
    "Information Technology": (("Software", ("Software", "Systems", "Cloud")), ("Semiconductors", ("Semiconductor",
                               "Microdevices")), ("Electronic Equipment", ("Electronics", "Instruments")),
                               ("IT Services", ("Technologies", "Digital"))),
    "Consumer Discretionary": (("Specialty Retail", ("Outfitters", "Stores")), ("Hotels, Restaurants & Leisure",
                               ("Restaurants", "Resorts")), ("Household Durables", ("Homes", "Brands")),
                               ("Automobile Components", ("Automotive", "Motor Parts"))),
    "Real Estate": (("Equity REITs", ("Realty Trust", "Properties")), ("Real Estate Management", ("Real Estate",
                    "Land"))),
    "Energy": (("Oil, Gas & Consumable Fuels", ("Energy", "Petroleum", "Resources")), ("Energy Equipment & Services",
               ("Drilling", "Oilfield Services"))),
    "Materials": (("Chemicals", ("Chemicals", "Specialty Materials")), ("Metals & Mining", ("Mining", "Minerals")),
                  ("Containers & Packaging", ("Packaging",))),
    "Consumer Staples": (("Food Products", ("Foods", "Farms")), ("Beverages", ("Beverage", "Brewing")),
                         ("Personal Care Products", ("Personal Care",))),
    "Utilities": (("Electric Utilities", ("Power", "Electric")), ("Water Utilities", ("Water",)), ("Gas Utilities",
                  ("Gas",))),
    "Communication Services": (("Media", ("Media", "Broadcasting")), ("Interactive Media", ("Interactive",
                               "Networks")), ("Telecommunication Services", ("Telecom", "Communications"))),
}
_ROOT_HEADS = (
    "Alder", "Amber", "Ash", "Basalt", "Birch", "Bramble", "Brook", "Cedar", "Cinder", "Cobalt", "Copper", "Crane",
    "Dune", "Elder", "Ember", "Fern", "Flint", "Garnet", "Glen", "Granite", "Harbor", "Hazel", "Heron", "Iron",
    "Juniper", "Kestrel", "Lark", "Linden", "Maple", "Marsh", "Meadow", "Nettle", "Oak", "Onyx", "Orchard", "Osprey",
    "Pine", "Quarry", "Raven", "Ridge", "Rowan", "Sable", "Sage", "Slate", "Sparrow", "Spruce", "Summit", "Tamarack",
    "Thistle", "Timber", "Umber", "Vale", "Wren", "Willow", "Yarrow", "Zephyr",
)  # fmt: skip
_ROOT_TAILS = (
    "bridge", "brook", "crest", "dale", "field", "ford", "gate", "haven", "hurst", "line", "mark", "mont", "moor",
    "point", "ridge", "stone", "view", "water", "wick", "wood", "worth",
)  # fmt: skip
_FORMS = ("Inc.", "Corp.", "Holdings, Inc.", "Group, Inc.", "Co.", "Inc.", "Corporation")
_FOUR_LETTERS = 0.7  # most small caps list on NASDAQ (four letters), the rest on NYSE (three)


def demo_stocks(seed: int, size: int | None = None) -> tuple[Stock, ...]:
    """The demo universe of `size` stocks sorted by symbol (None: the index members alone, as they are)."""
    members = universe.stocks()
    if size is None or size == len(members):
        return members
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"a demo universe holds {MIN_SIZE} to {MAX_SIZE:,} stocks, not {size:,}")
    if size < len(members):
        return _subset(seed, members, size)
    return tuple(sorted(members + tail_listings(seed, size - len(members)), key=lambda s: s.symbol))


def _subset(seed: int, members: tuple[Stock, ...], size: int) -> tuple[Stock, ...]:
    """First one S&P 500 member of each sector and one member of each index (so every index and sector ETF has a
    basket), then the other Dow members, then the rest, each group by a seeded draw per symbol: nested as `size`
    grows."""
    draw = {s.symbol: streams.rng(seed, "subset", s.symbol).random() for s in members}
    ranked = sorted(members, key=lambda s: draw[s.symbol])
    firsts = {next(s.symbol for s in ranked if s.sector == sector and "SPX" in s.indices) for sector in SECTORS}
    firsts |= {next(s.symbol for s in ranked if code in s.indices) for code in universe.INDEX_CODES}
    ranked.sort(key=lambda s: 0 if s.symbol in firsts else 1 if "DJI" in s.indices else 2)  # stable: draws kept
    return tuple(sorted(ranked[:size], key=lambda s: s.symbol))


@lru_cache(maxsize=4)
def tail_listings(seed: int, count: int) -> tuple[Stock, ...]:
    """The first `count` synthetic listings in the order they are drawn (not sorted): each from its own stream,
    checked against the tickers and names already taken."""
    taken, names = set(_reserved_tickers()), set()
    sectors = list(_SECTOR_WEIGHTS)
    weights = np.array([_SECTOR_WEIGHTS[s] for s in sectors])
    found: list[Stock] = []
    for k in itertools.count():
        if len(found) == count:
            break
        draw = streams.rng(seed, "tail", str(k))
        sector = sectors[int(draw.choice(len(sectors), p=weights / weights.sum()))]
        industry, nouns = _INDUSTRIES[sector][int(draw.integers(len(_INDUSTRIES[sector])))]
        head, end = _ROOT_HEADS[int(draw.integers(len(_ROOT_HEADS)))], _ROOT_TAILS[int(draw.integers(len(_ROOT_TAILS)))]
        root, noun = head + end, nouns[int(draw.integers(len(nouns)))]
        form = _FORMS[int(draw.integers(len(_FORMS)))]
        name = f"{root} {noun}{',' if form == 'Inc.' else ''} {form}"
        # one company per root and noun (two "Kestrelmont Therapeutics" would look wrong), and no "Ridgeridge"
        if (root, noun) in names or head.lower() == end:
            continue
        ticker = _ticker(root, noun, draw, taken)
        names.add((root, noun))
        taken.add(ticker)
        found.append(Stock(ticker, name, sector, industry, frozenset()))
    return tuple(found)


def _ticker(root: str, noun: str, draw: np.random.Generator, taken: set[str]) -> str:
    """Spelled from the name: the root's initial, then letters of the root (and the noun's initial) in order, as
    real issuers pick theirs; random letters after the initial only when every spelling is taken."""
    length = 4 if draw.random() < _FOUR_LETTERS else 3
    letters = root.upper()
    head, rest = letters[0], letters[1:] + noun[0].upper()
    for picked in itertools.combinations(range(len(rest)), length - 1):
        ticker = head + "".join(rest[i] for i in picked)
        if ticker not in taken and is_ticker(ticker):
            return ticker
    while True:
        ticker = head + "".join(chr(ord("A") + int(i)) for i in draw.integers(26, size=length - 1))
        if ticker not in taken:
            return ticker


@lru_cache(maxsize=1)
def _reserved_tickers() -> frozenset[str]:
    """Every symbol a tail listing must not take: the real index members, the classes and reference closes the
    demo anchors, the instruments it quotes and the sectors' ETFs."""
    quoted = {symbol for of_class in INSTRUMENTS.values() for symbol in of_class}
    return frozenset({s.symbol for s in universe.stocks()} | set(reference.reference_closes())
                     | set(reference.SHARE_CLASSES) | quoted | set(universe.SECTOR_ETFS.values()))

