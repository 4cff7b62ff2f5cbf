"""argparse types for every value a user types: a bad one is refused by argparse in one line naming the
argument (`investing ta: error: argument --days: must be at least 1 (got -5)`), never a traceback later."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from investing_assets.lib.core.symbols import is_ticker, ticker_refusal


def ticker(text: str) -> str:
    """A plain ticker, upper-cased, before it reaches SQL, a source or a partition key."""
    symbol = text.upper()
    if not is_ticker(symbol):
        raise argparse.ArgumentTypeError(ticker_refusal(text))
    return symbol


def date(text: str) -> dt.date:
    """A YYYY-MM-DD date (whether it is a session is the command's to check, with the calendar)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """An int from `low` (to `high`) inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low} (got {value})")
        if high is not None and value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high} (got {value})")
        return value

    return parse


positive_int = whole_number(1)
non_negative_int = whole_number(0)
port = whole_number(1, 65535)


def positive_float(text: str) -> float:
    """A finite number above zero (a timeout in seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number above 0 (got {text})")
    return value


def writable_file(text: str) -> Path:
    """A file path that can be written: not a folder, under a folder that exists or can be made (checked before
    any work, so a long computation never ends on a path that was never writable)."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name (e.g. {path / 'chart.png'})")
    existing = next((p for p in path.absolute().parents if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write {text}: {existing} is not a writable folder")
    return path


def folder_path(text: str) -> Path:
    """A folder path: an existing folder, or one that can be made (not an existing file)."""
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    existing = next((p for p in [path.absolute(), *path.absolute().parents] if p.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot make or write {text}: {existing} is not a writable folder")
    return path


def existing_file(text: str) -> Path:
    """A file that exists (a folder or a missing path is refused before anything is read)."""
    path = Path(text).expanduser()
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is not a file")
    return path
