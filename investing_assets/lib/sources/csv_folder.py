"""A folder of the user's own OHLCV files as a market-data source.

One file per symbol (`AAPL.csv`: Date, Open, High, Low, Close, Adj Close, Volume). Headers are matched
case-insensitively and ignoring spaces/underscores, so exports from Yahoo, brokers or pandas all load
(`adj_close`, `Adj Close`, `adjusted close`, `vol`, `timestamp`...). An optional `universe.csv`
(symbol, name, sector, industry, shares_outstanding) adds metadata; without it those stay null.

Only regular files directly in the folder are read: a link is followed only to a file inside the folder, never
out of it, and hidden files (`.name.csv`, `._AAPL.csv` from macOS) are not symbols. An error names the file, the
row and the column, and never quotes what the file holds: the text is the user's, and a message ends up in run
logs and the UI. A file without rows (empty, or a header only) is refused by name rather than read as a symbol
that never trades.

Named `csv_folder` rather than `csv` so it can never shadow the standard-library module.
The folder holds equity bars only, so the source serves a universe (with listings), bars (with their files and
off-calendar rows) and corporate actions; quotes, index membership, analyst estimates and news come from another
source (INVESTING_SOURCES), and asking it for them fails naming the sources that serve them.
Files without an adjusted-close column get a null `adj_close`, not a copy of `close`: that would
silently claim there were no dividends or splits. A file with `Dividends` / `Stock Splits` columns (a
yfinance `history(actions=True)` dump) serves those as corporate actions (0 = none, a split of 2 is 2:1);
without them the folder has none.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.schemas import CORPORATE_ACTIONS, DAILY_BARS, LISTINGS, UNIVERSE, conform
from investing_assets.lib.core.symbols import TICKER_RULE, is_ticker
from investing_assets.lib.sources.http import validate_symbols

__all__ = ["UNIVERSE_FILE", "CsvFolderSource", "parse_actions_csv", "parse_bars_csv", "parse_universe_csv"]

UNIVERSE_FILE = "universe.csv"

# normalised header -> our column. Normalising = lower-case, keep letters and digits only.
_BAR_HEADERS = {
    "date": "session", "datetime": "session", "timestamp": "session", "time": "session", "day": "session",
    "session": "session", "tradedate": "session",
    "open": "open", "o": "open", "openprice": "open",
    "high": "high", "h": "high", "highprice": "high",
    "low": "low", "l": "low", "lowprice": "low",
    "close": "close", "c": "close", "closeprice": "close", "last": "close", "price": "close",
    "adjclose": "adj_close", "adjustedclose": "adj_close", "adjclosing": "adj_close", "closeadj": "adj_close",
    "adjustedcloseprice": "adj_close",
    "volume": "volume", "vol": "volume", "v": "volume",
}
_UNIVERSE_HEADERS = {
    "symbol": "symbol", "ticker": "symbol",
    "name": "name", "companyname": "name", "company": "name", "longname": "name",
    "sector": "sector", "industry": "industry", "subsector": "industry",
    "sharesoutstanding": "shares_outstanding", "shares": "shares_outstanding",
}
# Tried in order; the first that reads every row wins. Day-first formats are left out on purpose:
# 03/04/2024 cannot be told apart from month-first, and a silent swap is worse than an error.
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y")


def parse_bars_csv(symbol: str, text: str, *, origin: str = "csv") -> pl.DataFrame:
    """CSV text of one symbol -> DAILY_BARS; errors name the file, the row and the column (never the text)."""
    raw = _read_table(text, origin)
    mapping: dict[str, str] = {}
    for header in raw.columns:
        ours = _BAR_HEADERS.get(_norm(header))
        if ours is not None and ours not in mapping.values():
            mapping[header] = ours
    found = set(mapping.values())
    missing = [c for c in ("session", "open", "high", "low", "close", "volume") if c not in found]
    if missing:
        raise ValueError(f"{origin}: missing column(s) {missing} among its {raw.width - 1} header(s) "
                         "(expected Date,Open,High,Low,Close,Adj Close,Volume)")
    frame = raw.select(pl.col(_ROW), *[pl.col(h).str.strip_chars().alias(c) for h, c in mapping.items()])
    if "adj_close" not in frame.columns:
        frame = frame.with_columns(adj_close=pl.lit(None, pl.String))
    frame = frame.filter(pl.any_horizontal(pl.all().exclude(_ROW, "adj_close").is_not_null()))
    if frame.height == 0:
        raise ValueError(f"{origin}: a header but no rows; give the symbol's bars or move the file out")

    sessions = _parse_dates(frame, "session", origin)
    out = frame.with_columns(
        session=sessions,
        **{c: _parse_number(frame, c, origin) for c in ("open", "high", "low", "close", "adj_close")},
        volume=_parse_number(frame, "volume", origin).round(0).cast(pl.Int64),
        symbol=pl.lit(symbol, pl.String),
    )
    for c in ("open", "high", "low", "close"):
        if out[c].null_count():
            bad = out.filter(pl.col(c).is_null()).row(0, named=True)
            raise ValueError(f"{origin}: empty {c} on {bad['session']} (row {bad[_ROW]})")
    dupes = out.filter(pl.col("session").is_duplicated())["session"].unique().sort()
    if len(dupes):
        raise ValueError(f"{origin}: more than one row for {dupes[0]} (one daily bar per date expected)")
    return conform(out, DAILY_BARS).sort("session")


_ACTION_HEADERS = {"dividends": ("dividend", "amount"), "dividend": ("dividend", "amount"),
                   "stocksplits": ("split", "ratio"), "splits": ("split", "ratio"), "split": ("split", "ratio"),
                   "splitratio": ("split", "ratio")}


def parse_actions_csv(symbol: str, text: str, *, origin: str = "csv") -> pl.DataFrame:
    """The dividend and split columns of one symbol's CSV -> CORPORATE_ACTIONS (none when it has neither)."""
    raw = _read_table(text, origin)
    date_header = next((h for h in raw.columns if _BAR_HEADERS.get(_norm(h)) == "session"), None)
    found = {h: _ACTION_HEADERS[_norm(h)] for h in raw.columns if _norm(h) in _ACTION_HEADERS}
    if date_header is None or not found:
        return pl.DataFrame(schema=CORPORATE_ACTIONS)
    raw = raw.with_columns(pl.col(date_header, *found).str.strip_chars())
    sessions = _parse_dates(raw, date_header, origin)
    frames = []
    for header, (kind, field) in found.items():
        values = _parse_number(raw, header, origin)
        if kind == "split":
            values = pl.when(values == 1.0).then(None).otherwise(values)  # a 1:1 "split" is no split
            values = pl.select(values).to_series()
        # 0 is "none"; anything else (a negative amount too) goes on, for the writer's checks to name
        frames.append(pl.DataFrame({"session": sessions, field: values}).filter(pl.col(field) != 0).with_columns(
            symbol=pl.lit(symbol), kind=pl.lit(kind)))
    out = pl.concat(frames, how="diagonal_relaxed")
    return conform(out.with_columns([pl.lit(None, pl.Float64).alias(c) for c in ("ratio", "amount")
                                     if c not in out.columns]), CORPORATE_ACTIONS).sort("session", "kind")


def parse_universe_csv(text: str, *, origin: str = UNIVERSE_FILE) -> pl.DataFrame:
    """universe.csv -> UNIVERSE rows for the symbols it lists (every column but symbol optional)."""
    raw = _read_table(text, origin)
    mapping: dict[str, str] = {}
    for header in raw.columns:
        ours = _UNIVERSE_HEADERS.get(_norm(header))
        if ours is not None and ours not in mapping.values():
            mapping[header] = ours
    if "symbol" not in mapping.values():
        raise ValueError(f"{origin}: no symbol column among its {raw.width - 1} header(s) (expected Symbol or "
                         "Ticker, then any of Name, Sector, Industry, Shares Outstanding)")
    frame = raw.select(pl.col(_ROW), *[pl.col(h).str.strip_chars().alias(c) for h, c in mapping.items()])
    for c in UNIVERSE:
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(c))
    frame = frame.with_columns(
        symbol=pl.col("symbol").str.to_uppercase(),
        shares_outstanding=_parse_number(frame, "shares_outstanding", origin).round(0).cast(pl.Int64),
    ).filter(pl.col("symbol").is_not_null())
    return conform(frame, UNIVERSE).unique("symbol", keep="first", maintain_order=True)


class CsvFolderSource:
    """Reads the folder on every call (cheap, and edits show up without a restart); parsed files are
    cached by modification time and size."""

    name = "csv"
    datasets = frozenset({Dataset.UNIVERSE, Dataset.LISTINGS, Dataset.BARS, Dataset.BAR_FILES,
                          Dataset.CORPORATE_ACTIONS})
    synthetic = False
    disclaimer = None

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise ValueError(f"csv source: {self.folder} is not a folder")
        self._root = self.folder.resolve()
        self._cache: dict[Path, tuple[tuple[int, int], pl.DataFrame]] = {}

    def _entries(self) -> list[Path]:
        """The folder's visible `.csv` entries, each checked to be a regular file inside the folder."""
        return [self._inside(path) for path in sorted(self.folder.iterdir())
                if path.suffix.lower() == ".csv" and not path.name.startswith(".")]

    def _inside(self, path: Path) -> Path:
        """`path` if it is a regular file in the folder, or a link to one; a link out of the folder (or to
        something that is not a plain file) is refused by its own name, and the target is never opened."""
        target = path.resolve()
        if not target.is_relative_to(self._root):
            raise ValueError(f"csv source: {path.name} in {self.folder} links outside the folder; copy the file "
                             "in instead")
        if not target.is_file():
            raise ValueError(f"csv source: {path.name} in {self.folder} is not a regular file")
        return path

    def _files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for path in self._entries():
            if path.name.lower() == UNIVERSE_FILE:
                continue
            symbol = path.stem.upper()
            if not is_ticker(symbol):
                raise ValueError(f"csv source: file name {path.name!r} is not a ticker "
                                 f"({TICKER_RULE}); rename it or move it out of {self.folder}")
            if symbol in files:
                raise ValueError(f"csv source: {files[symbol].name} and {path.name} are the same symbol")
            files[symbol] = path
        return files

    def _text(self, path: Path) -> str:
        """The file's text, opened without following a link swapped in since `_inside` looked."""
        target = self._inside(path).resolve()
        try:
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise ValueError(f"csv source: cannot open {path}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ValueError(f"csv source: {path} is not a regular file")
            data = handle.read()
        try:
            return data.decode("utf-8-sig")  # Excel writes a BOM
        except UnicodeDecodeError as exc:
            raise ValueError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV") from None

    def _load(self, symbol: str, path: Path) -> pl.DataFrame:
        stat_ = path.stat()
        key = (stat_.st_mtime_ns, stat_.st_size)
        hit = self._cache.get(path)
        if hit is None or hit[0] != key:
            hit = (key, parse_bars_csv(symbol, self._text(path), origin=str(path)))
            self._cache[path] = hit
        return hit[1]

    def origin_of(self, symbol: str) -> str:
        """Where a symbol's bars come from, for a refusal to name: its file."""
        path = self._files().get(symbol)
        return str(path) if path is not None else f"no {symbol}.csv in {self.folder}"

    def universe(self, session: dt.date) -> pl.DataFrame:
        """One row per file present; metadata from universe.csv when it is there."""
        symbols = sorted(self._files())
        frame = pl.DataFrame({"symbol": symbols}, schema={"symbol": pl.String})
        meta_path = next((p for p in self._entries() if p.name.lower() == UNIVERSE_FILE), None)
        if meta_path is not None:
            meta = parse_universe_csv(self._text(meta_path), origin=str(meta_path))
            frame = frame.join(meta, on="symbol", how="left")
        else:
            frame = frame.with_columns([pl.lit(None).alias(c) for c in UNIVERSE if c != "symbol"])
        return conform(frame, UNIVERSE).sort("symbol")

    def listings(self) -> pl.DataFrame:
        """Each file's first and last session (its first and last rows): the symbol trades between them."""
        rows = []
        for symbol, path in sorted(self._files().items()):
            dates = self._load(symbol, path).get_column("session")
            if dates.len():
                first = calendar.sessions_starting(dates.min(), 1)
                last = calendar.sessions_ending(dates.max(), 1)
                rows.append((symbol, first[0] if first else None, last[0] if last else None))
        return pl.DataFrame(rows, schema=LISTINGS, orient="row")

    def off_calendar_rows(self, start: dt.date, end: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """(symbol, session) of the rows dated start..end on days that are not NYSE sessions: a read of
        sessions never returns them, so the run reports them instead of dropping them unseen."""
        files = self._files()
        chosen = [s for s in (symbols if symbols is not None else sorted(files)) if s in files]
        frames = [self._load(s, files[s]).select("symbol", "session").filter(pl.col("session").is_between(start, end))
                  for s in chosen]
        rows = pl.concat(frames) if frames else pl.DataFrame(schema={"symbol": pl.String, "session": pl.Date})
        return rows.filter(~pl.col("session").is_in(calendar.sessions_between(start, end))).sort("session", "symbol")

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        wanted = sorted(set(sessions))
        files = self._files()
        if symbols is None:
            chosen = sorted(files)
        else:
            chosen = list(dict.fromkeys(validate_symbols(symbols, "csv")))
            absent = [s for s in chosen if s not in files]
            if absent:
                raise ValueError(f"csv source: no file for {absent} in {self.folder} (expected e.g. {absent[0]}.csv)")
        if not wanted or not chosen:
            return pl.DataFrame(schema=DAILY_BARS)
        out = pl.concat([self._load(s, files[s]) for s in chosen])
        return out.filter(pl.col("session").is_in(wanted)).sort("symbol", "session")

    def corporate_actions(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """The dividend / split columns of the files, on the asked sessions (none for files without them)."""
        wanted = sorted(set(sessions))
        files = self._files()
        chosen = sorted(files) if symbols is None else [s for s in dict.fromkeys(validate_symbols(symbols, "csv"))
                                                        if s in files]
        frames = [parse_actions_csv(s, self._text(files[s]), origin=str(files[s])) for s in chosen]
        if not wanted or not frames:
            return pl.DataFrame(schema=CORPORATE_ACTIONS)
        return pl.concat(frames).filter(pl.col("session").is_in(wanted)).sort("symbol", "session", "kind")


# --------------------------------------------------------------------------- helpers


_ROW = "__row__"  # each data row's number (1 = the first after the header), for errors to point at


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _read_table(text: str, origin: str) -> pl.DataFrame:
    """Every cell as text, plus the row number; a file polars cannot read is named, its text never quoted
    (polars' own messages echo the offending line)."""
    try:
        raw = pl.read_csv(text.encode(), infer_schema=False, truncate_ragged_lines=False)
    except pl.exceptions.NoDataError:
        raise ValueError(f"{origin}: an empty file; give the symbol's bars or move the file out") from None
    except pl.exceptions.PolarsError as exc:
        hint = "a row has more fields than the header" if "more fields" in str(exc) else "not a readable CSV"
        raise ValueError(f"{origin}: {hint} ({type(exc).__name__})") from None
    return raw.with_row_index(_ROW, offset=1)


def _first_bad_row(frame: pl.DataFrame, bad: pl.Series) -> int:
    return frame.filter(bad)[_ROW][0]


def _parse_dates(frame: pl.DataFrame, column: str, origin: str) -> pl.Series:
    # Keep the calendar date of timestamps like "2023-04-14 00:00:00+09:00" (a yfinance dump): the
    # local date is the session; converting to UTC first would move it to the day before.
    values = frame[column]
    text = values.str.extract(r"^\s*(\d{4}-\d{2}-\d{2})(?:[ T].*)?$", 1).fill_null(values)
    attempts = [text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS]
    for parsed in attempts:
        if parsed.null_count() == values.null_count():
            return parsed.alias("session")
    best = min(attempts, key=lambda p: p.null_count())
    row = _first_bad_row(frame, values.is_not_null() & best.is_null())
    raise ValueError(f"{origin}: row {row}: cannot read the date; use YYYY-MM-DD (also accepted: "
                     f"{', '.join(_DATE_FORMATS[1:])})")


def _parse_number(frame: pl.DataFrame, column: str, origin: str) -> pl.Series:
    # Thousands separators and "$" show up in spreadsheet exports; empty cells mean missing.
    values = frame[column]
    cleaned = values.str.replace_all(r"[,$\s]", "")
    parsed = cleaned.cast(pl.Float64, strict=False)
    bad = (cleaned.str.len_chars() > 0) & parsed.is_null()
    if bad.any():
        raise ValueError(f"{origin}: row {_first_bad_row(frame, bad)}: column {column} is not a number")
    return parsed.alias(column)
