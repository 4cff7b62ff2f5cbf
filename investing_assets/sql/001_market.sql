-- Market data: universe, index membership, daily bars, quotes. Natural keys; every row says its source.
CREATE SCHEMA IF NOT EXISTS market;

CREATE TABLE IF NOT EXISTS market.universe (
    session             date    NOT NULL,
    symbol              text    NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    name                text,
    sector              text,
    industry            text,
    shares_outstanding  bigint,
    source              text    NOT NULL,
    PRIMARY KEY (session, symbol)
);

CREATE TABLE IF NOT EXISTS market.index_constituents (
    session     date    NOT NULL,
    index_code  text    NOT NULL,
    symbol      text    NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    weight      double precision NOT NULL CHECK (weight >= 0),
    source      text    NOT NULL,
    PRIMARY KEY (session, index_code, symbol)
);

-- Symbols are validated before they reach SQL; a regex CHECK here would cost a fifth of the write speed.
CREATE TABLE IF NOT EXISTS market.daily_bars (
    symbol     text    COLLATE "C" NOT NULL,
    session    date    NOT NULL,
    open       double precision NOT NULL CHECK (open > 0),
    high       double precision NOT NULL CHECK (high > 0),
    low        double precision NOT NULL CHECK (low > 0),
    close      double precision NOT NULL CHECK (close > 0),
    adj_close  double precision CHECK (adj_close > 0),  -- null when the source has no adjusted series
    volume     bigint  NOT NULL CHECK (volume >= 0),
    source     text    NOT NULL,
    CHECK (low <= least(open, close) AND high >= greatest(open, close))
);
-- Key (session, symbol), kept by the writer instead of a btree: see 006_history_keys.sql.
CREATE INDEX IF NOT EXISTS daily_bars_session_brin ON market.daily_bars
    USING brin (session date_minmax_multi_ops) WITH (autosummarize = on);

-- Index, ETF, commodity and crypto quotes share one shape.
CREATE TABLE IF NOT EXISTS market.quotes (
    asset_class  text    NOT NULL CHECK (asset_class IN ('index', 'etf', 'commodity', 'crypto')),
    symbol       text    NOT NULL,
    session      date    NOT NULL,
    name         text,
    open         double precision NOT NULL CHECK (open > 0),
    high         double precision NOT NULL CHECK (high > 0),
    low          double precision NOT NULL CHECK (low > 0),
    close        double precision NOT NULL CHECK (close > 0),
    volume       bigint,
    change_pct   double precision,
    source       text    NOT NULL,
    PRIMARY KEY (session, asset_class, symbol)
);
