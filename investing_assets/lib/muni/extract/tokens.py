"""Numbers as printed in statements: amounts with thousands separators, parentheses for negatives, dashes for
zero, percentages, a lone "$", and fragments of a number drawn as several text runs."""

from __future__ import annotations

import re
from decimal import Decimal

_NUM_BODY = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_DASH = re.compile(r"[-\u2010-\u2015\u2212]+0*%?|-0-")  # NY prints its zero dash as "—00000", "-%" in ratios
_PCT = re.compile(r"\(?-?\d+(?:\.\d+)?(?:%\)?|\)%)")
_YEAR = re.compile(r"(?:19|20)\d\d")
_FRAG = re.compile(r"[$(\-]*[\d,.]*\d[\d,.]*\)?|,[\d,.]*\d[\d,.]*\)?")
_NUMERIC_CHARS = set("0123456789,.()$-\u2212")


def classify(text: str) -> tuple[str, Decimal | None]:
    """("num", value) | ("dash", 0) | ("pct", value) | ("dollar", None) | ("frag", None) | ("text", None)."""
    t = text.strip().replace("\u2212", "-")
    if not t:
        return "text", None
    if set(t) == {"$"}:
        return "dollar", None
    bare = t.replace("$", "")
    if bare and _DASH.fullmatch(bare):
        return "dash", Decimal(0)
    if _PCT.fullmatch(bare):
        value = Decimal(bare.strip("()%"))
        return "pct", -value if bare.startswith("(") else value
    if _YEAR.fullmatch(t):
        return "text", None  # a bare 4-digit year labels a row or column; statement amounts carry commas
    neg = False
    body = bare
    if body.startswith("(") and body.endswith(")"):
        neg, body = True, body[1:-1]
    if body.startswith("-"):
        neg, body = True, body[1:]
    if body and "(" not in body and ")" not in body and _NUM_BODY.fullmatch(body):
        value = Decimal(body.replace(",", ""))
        return "num", -value if neg else value
    if _FRAG.fullmatch(bare) or _FRAG.fullmatch(t):
        return "frag", None
    return "text", None


def is_numericish(text: str) -> bool:
    return bool(text) and set(text) <= _NUMERIC_CHARS
