"""The frame schemas every source returns, so assets never care where data came from."""

from __future__ import annotations

import polars as pl

UNIVERSE = {
    "symbol": pl.String,
    "name": pl.String,
    "sector": pl.String,
    "industry": pl.String,
    "shares_outstanding": pl.Int64,
}

# When a symbol trades: its first and last session (null: before the source's history, or still trading).
LISTINGS = {
    "symbol": pl.String,
    "first_session": pl.Date,
    "last_session": pl.Date,
}

INDEX_CONSTITUENTS = {
    "index_code": pl.String,  # SPX, NDX, DJI
    "symbol": pl.String,
    "weight": pl.Float64,  # fraction of the index, sums to 1 per index
}

# What an ETF holds on a day, one row per line of its holdings list.
ETF_HOLDINGS = {
    "etf": pl.String,
    "symbol": pl.String,  # the holding's ticker in our spelling; null for a line without one (cash, a bond)
    "name": pl.String,
    "weight": pl.Float64,  # fraction of the fund's net assets: an ETF's lines sum to about 1
    "shares": pl.Float64,  # null where the source does not say (the demo); cash lines hold an amount
    "market_value": pl.Float64,  # in the fund's currency; null where the source does not say
    "as_of": pl.Date,  # the day the source's list describes (FMP's updatedAt), null where it gives none
}
# ETF_HOLDINGS of many sessions in one frame (EtfHoldingSource.etf_holdings_range): the session each list is for.
ETF_HOLDINGS_BY_SESSION = {**ETF_HOLDINGS, "session": pl.Date}

DAILY_BARS = {
    "symbol": pl.String,
    "session": pl.Date,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "adj_close": pl.Float64,
    "volume": pl.Int64,
}

# The currency of bars whose source names none: every source but Yahoo serves US listings in dollars (FMP's US index
# members, IBKR's SMART/USD stock contracts, the demo, the CSV folder's documented format).
BAR_CURRENCY = "USD"

# Bars with the currency they are priced in, as the source spells it (GBp is pence, not pounds): what a connector that
# knows the currency serves (Yahoo's chart meta), what market.daily_bars and market.symbol_history store (migration
# 025) and what read_bars returns. Analytics that add prices of several symbols up keep to BAR_CURRENCY.
VENDOR_BARS = {**DAILY_BARS, "currency": pl.String}

# Splits and dividends, dated on their ex-date session (the first session trading without them).
CORPORATE_ACTIONS = {
    "symbol": pl.String,
    "session": pl.Date,
    "kind": pl.String,  # split | dividend
    "ratio": pl.Float64,  # split: shares after per share before (2.0 for 2:1, 0.1 for 1:10); else null
    "amount": pl.Float64,  # dividend: cash per share; else null
}

# Index, ETF, commodity, crypto and currency quotes share one shape; asset_class tells them apart.
QUOTES = {
    "asset_class": pl.String,  # index | etf | commodity | crypto | fx
    "symbol": pl.String,
    "name": pl.String,
    "session": pl.Date,
    "open": pl.Float64,
    "high": pl.Float64,
    "low": pl.Float64,
    "close": pl.Float64,
    "volume": pl.Int64,
    "change_pct": pl.Float64,  # close over previous close, in percent
    "currency": pl.String,  # the prices' currency as the vendor spells it (fx: the quote currency); null: not said
}

# Consensus of the analysts covering a symbol, as published on a day, per fiscal period it forecasts.
ANALYST_ESTIMATES = {
    "symbol": pl.String,
    "period": pl.String,  # annual
    "period_end": pl.Date,  # the fiscal period the estimate is for
    "revenue_low": pl.Float64,
    "revenue_avg": pl.Float64,
    "revenue_high": pl.Float64,
    "ebitda_avg": pl.Float64,
    "net_income_avg": pl.Float64,
    "eps_low": pl.Float64,
    "eps_avg": pl.Float64,
    "eps_high": pl.Float64,
    "analysts_revenue": pl.Int64,
    "analysts_eps": pl.Int64,
}

# One row per (article, symbol it is about); published_at in UTC.
NEWS_ARTICLES = {
    "symbol": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "title": pl.String,
    "publisher": pl.String,
    "site": pl.String,
    "url": pl.String,
    "text": pl.String,
}

INDICATOR_COLUMNS = [
    "sma_20", "sma_50", "sma_200", "ema_12", "ema_26", "rsi_14",
    "macd", "macd_signal", "macd_hist",
    "bb_upper", "bb_middle", "bb_lower",
    "atr_14", "adx_14", "obv", "stoch_k", "stoch_d",
]

INDICATORS = {"symbol": pl.String, "session": pl.Date, **{c: pl.Float64 for c in INDICATOR_COLUMNS}}


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast to a schema, failing loudly on a missing column."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise ValueError(f"frame is missing column(s) {missing}; has {frame.columns}")
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def quotes_from_bars(bars: pl.DataFrame, asset_class: str, name: str) -> pl.DataFrame:
    """One instrument's daily bars as QUOTES; change_pct is close over the previous close, in percent. The currency
    is the bars' own (VENDOR_BARS), null for bars that carry none."""
    currency = pl.col("currency") if "currency" in bars.columns else pl.lit(None, pl.String)
    return bars.sort("session").with_columns(
        asset_class=pl.lit(asset_class, pl.String),
        name=pl.lit(name, pl.String),
        change_pct=(pl.col("close") / pl.col("close").shift(1) - 1.0) * 100.0,
        currency=currency.cast(pl.String),
    ).select(list(QUOTES))


def keep_sessions(frames: list[pl.DataFrame], wanted: list, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Stack per-symbol frames and keep the asked sessions (vendors return extra lookback days)."""
    if not frames:
        return pl.DataFrame(schema=schema)
    out = pl.concat([conform(f, schema) for f in frames])
    return out.filter(pl.col("session").is_in(wanted)).sort("symbol", "session")
