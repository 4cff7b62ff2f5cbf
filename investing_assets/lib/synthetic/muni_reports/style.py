"""How each report layout prints: type, wording, rounding and number formats, varied a little per issuer."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

import pymupdf

_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Style:
    name: str
    scale: int
    decimals: int
    scale_text: str | None
    net: str  # "Position" | "Assets"
    negative: str  # "paren" | "minus"
    zero: str
    dollar: str  # "column" | "attached"
    leaders: bool
    font: str
    bold: str
    size: float
    wrap_width: float | None  # label column width that forces wrapping
    split_numbers: bool
    two_page_statement: bool
    years_newest_first: bool
    total_header: str
    col_step: float = 78.0
    cash_label: str = "Cash and investments"

    @property
    def unit(self) -> Decimal:
        return Decimal(self.scale) / (10**self.decimals)


STYLES = {
    "classic": Style(
        "classic",
        1_000,
        0,
        "(amounts in thousands)",
        "Position",
        "paren",
        "\u2014",
        "column",
        True,
        "helv",
        "hebo",
        8.0,
        None,
        False,
        False,
        True,
        "Total",
    ),
    "pre2012": Style(
        "pre2012",
        1,
        0,
        None,
        "Assets",
        "minus",
        "-",
        "attached",
        False,
        "tiro",
        "tibo",
        8.5,
        None,
        False,
        False,
        True,
        "Totals",
    ),
    "modern": Style(
        "modern",
        1_000_000,
        1,
        "(amounts in millions)",
        "Position",
        "paren",
        "\u2013",
        "column",
        False,
        "helv",
        "hebo",
        8.0,
        150.0,
        True,
        True,
        False,
        "Total",
    ),
}

_FONTS: dict[str, pymupdf.Font] = {}


def font(name: str) -> pymupdf.Font:
    if name not in _FONTS:
        _FONTS[name] = pymupdf.Font(name)
    return _FONTS[name]


@lru_cache(maxsize=4096)
def _advance(name: str, char: str) -> float:
    return font(name).text_length(char, fontsize=1.0)


def text_width(name: str, text: str, size: float) -> float:
    """Font.text_length is slow per call; the sum of cached glyph advances is the same number."""
    return sum(_advance(name, ch) for ch in text) * size


def printed_units(dollars: int, unit: Decimal) -> int:
    """Dollars -> printed integer units (thousands, tenths of millions ...), rounded like report software."""
    return int((Decimal(dollars) / unit).to_integral_value())


def format_units(units: int, style: Style, decimals: int | None = None) -> str:
    digits = style.decimals if decimals is None else decimals
    if units == 0:
        return style.zero
    whole, frac = divmod(abs(units), 10**digits)
    text = f"{whole:,}" + (f".{frac:0{digits}d}" if digits else "")
    if units < 0:
        return f"({text})" if style.negative == "paren" else f"-{text}"
    return text


def printed_dollars(units: int, unit: Decimal) -> float:
    return float(Decimal(units) * unit)


def vary(style: Style, rng: random.Random) -> Style:
    """Each issuer's report software differs a little: type size, column spacing, wording of headings."""
    totals = {
        "classic": ("Total", "Total Primary Government"),
        "pre2012": ("Totals", "Total"),
        "modern": ("Total", "Total Primary Government"),
    }[style.name]
    cash = {
        "classic": ("Cash and investments", "Cash, cash equivalents and investments"),
        "pre2012": ("Cash and pooled investments", "Cash and investments"),
        "modern": ("Cash and investments", "Cash and pooled investments"),
    }[style.name]
    return replace(
        style,
        size=round(style.size + rng.uniform(-0.4, 0.6), 1),
        col_step=round(rng.uniform(74, 86), 1),
        total_header=rng.choice(totals),
        cash_label=rng.choice(cash),
    )


def date_text(day: date) -> str:
    return f"{_MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"
