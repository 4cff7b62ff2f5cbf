-- price_history's own table: one symbol's full history as the source serves it, written by symbol (onboarding a
-- name whose past sessions daily_bars never stored). market.daily_bars is written by the daily_bars asset alone.
-- Readers that need a long history (the indicators' lookback, the scan, correlations, industry returns, the chart
-- reports, `investing ta | chart | scan`) read both through lib/storage/queries/market.read_bars: a session's bar
-- from daily_bars wherever it has one, from here only for the sessions it lacks.
CREATE TABLE IF NOT EXISTS market.symbol_history (
    symbol     text    COLLATE "C" NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    session    date    NOT NULL,
    open       double precision NOT NULL CHECK (open > 0),
    high       double precision NOT NULL CHECK (high > 0),
    low        double precision NOT NULL CHECK (low > 0),
    close      double precision NOT NULL CHECK (close > 0),
    adj_close  double precision CHECK (adj_close > 0),  -- null when the source has no adjusted series
    volume     bigint  NOT NULL CHECK (volume >= 0),
    source     text    NOT NULL,
    CHECK (low <= least(open, close) AND high >= greatest(open, close)),
    PRIMARY KEY (symbol, session)  -- a symbol's whole history is one partition: small, rare writes
);
