-- Splits and dividends as data, one trading_day partition per ex-date session. Analytics read them to adjust the
-- raw bars of market.daily_bars (which stay as the source served them) where the source gives no adj_close.
CREATE TABLE IF NOT EXISTS market.corporate_actions (
    session  date    NOT NULL,  -- the ex-date: the first session that trades without the split or dividend
    symbol   text    NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    kind     text    NOT NULL CHECK (kind IN ('split', 'dividend')),
    ratio    double precision CHECK (ratio > 0),    -- split: shares after per share before (2 for 2:1, 0.1 for 1:10)
    amount   double precision CHECK (amount > 0),   -- dividend: cash per share, in the bars' currency
    source   text    NOT NULL,
    PRIMARY KEY (session, symbol, kind),
    CHECK ((kind = 'split' AND ratio IS NOT NULL AND amount IS NULL)
           OR (kind = 'dividend' AND amount IS NOT NULL AND ratio IS NULL))
);
CREATE INDEX IF NOT EXISTS corporate_actions_symbol ON market.corporate_actions (symbol, session);
