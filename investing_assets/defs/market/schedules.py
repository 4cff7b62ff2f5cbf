"""Market cadences, in New York time. Each tick targets one session and skips non-sessions."""

from __future__ import annotations

from investing_assets.defs.market.jobs import commodities_crypto, etf_index_quotes, pricing_updates
from investing_assets.defs.shared.schedules import session_schedule

SCHEDULES = [
    session_schedule("pricing_updates_morning", pricing_updates, "0 10 * * *", previous=True,
                     description="10:00: the previous session again, picking up vendor corrections."),
    session_schedule("pricing_updates_close", pricing_updates, "30 16 * * *",
                     description="16:30: today's closing bars (the indicators follow)."),
    session_schedule("commodities_crypto_midday", commodities_crypto, "0 11 * * 1-5", previous=True,
                     description="11:00 weekdays: the previous session's commodity, crypto and currency closes."),
    session_schedule("commodities_crypto_close", commodities_crypto, "15 16 * * 1-5",
                     description="16:15 weekdays: today's commodity, crypto and currency quotes."),
    session_schedule("etf_index_quotes_close", etf_index_quotes, "30 16 * * *",
                     description="16:30: ETF and index quotes with constituents."),
]
