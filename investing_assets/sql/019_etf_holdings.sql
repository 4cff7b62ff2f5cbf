-- What each ETF holds, one trading_day partition per session: a line per holding, cash and other lines without a
-- ticker included (symbol null, known by their name), so an ETF's weights sum to about 1.
CREATE TABLE IF NOT EXISTS market.etf_holdings (
    session       date    NOT NULL,
    etf           text    NOT NULL CHECK (etf ~ '^[A-Z0-9][A-Z0-9.\-]{0,9}$'),
    symbol        text    CHECK (symbol ~ '^[A-Z0-9][A-Z0-9.\-]{0,9}$'),  -- null: a line without a ticker
    name          text,
    weight        double precision NOT NULL CHECK (weight >= 0),  -- fraction of the fund's net assets
    shares        double precision CHECK (shares >= 0),
    market_value  double precision CHECK (market_value >= 0),
    as_of         date,   -- the day the source's list describes (FMP's lists are today's, whatever the session)
    source        text    NOT NULL,
    CHECK (symbol IS NOT NULL OR name IS NOT NULL)
);
-- A ticker once per ETF and session; a line without one once per name.
CREATE UNIQUE INDEX IF NOT EXISTS etf_holdings_symbol ON market.etf_holdings (session, etf, symbol)
    WHERE symbol IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS etf_holdings_unlisted ON market.etf_holdings (session, etf, name)
    WHERE symbol IS NULL;
-- The writer checks that key in each frame before it writes (a line without a ticker is keyed by its name).
INSERT INTO ops.natural_keys (table_name, columns) VALUES
    ('market.etf_holdings', ARRAY['session', 'etf', 'symbol', 'name'])
ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns;
