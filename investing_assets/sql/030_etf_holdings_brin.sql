-- market.etf_holdings keyed by its writer, with a BRIN index on session, as daily_bars and indicators are (they also
-- have a blocking unique_symbol_session check; the holdings' key is refused by the service and the writer).
--
-- A ten-year demo range holds 3.2 M lines (the biggest table of a market backfill), and its two unique btrees cost
-- the COPY about 8 of its 14 s of server time. The key (session, etf, symbol or name) stays declared in
-- ops.natural_keys (019), which Warehouse.replace_rows checks in every frame before it writes, and the service
-- refuses a repeated line by ETF and session before that; the lists are read a session at a time, which block
-- ranges on session serve as the btrees' leading column did.
DROP INDEX IF EXISTS market.etf_holdings_symbol;
DROP INDEX IF EXISTS market.etf_holdings_unlisted;
CREATE INDEX IF NOT EXISTS etf_holdings_session_brin ON market.etf_holdings
    USING brin (session date_minmax_multi_ops) WITH (autosummarize = on);
