"""Errors every layer raises and every face reports in one line."""

from __future__ import annotations


class BadMarketData(ValueError):
    """Rows we refuse to store; the message names the symbol and session, and says nothing was written."""
