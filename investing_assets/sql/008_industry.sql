-- Sector and industry aggregates and index valuations ("world P/E"), one trading_day partition per session.
CREATE TABLE IF NOT EXISTS fundamentals.industry_aggregates (
    session           date    NOT NULL,
    level             text    NOT NULL CHECK (level IN ('sector', 'industry')),
    sector            text    NOT NULL,
    name              text    NOT NULL,
    members           integer NOT NULL CHECK (members > 0),
    market_cap        double precision,
    return_1d         double precision,  -- cap-weighted, percent
    return_21d        double precision,
    forward_pe        double precision,  -- total cap / total forward earnings of members with positive EPS
    pe_coverage       double precision CHECK (pe_coverage BETWEEN 0 AND 1),
    pct_above_sma50   double precision CHECK (pct_above_sma50 BETWEEN 0 AND 100),
    revision_breadth  double precision CHECK (revision_breadth BETWEEN -100 AND 100),
    PRIMARY KEY (session, level, sector, name)
);

CREATE TABLE IF NOT EXISTS fundamentals.index_valuations (
    session         date    NOT NULL,
    index_code      text    NOT NULL,
    members         integer NOT NULL CHECK (members > 0),
    forward_pe      double precision,
    earnings_yield  double precision,  -- percent
    pe_coverage     double precision CHECK (pe_coverage BETWEEN 0 AND 1),
    PRIMARY KEY (session, index_code)
);

-- The previous snapshot of the same fiscal period, for revision breadth, without walking the whole history.
CREATE INDEX IF NOT EXISTS analyst_estimates_period_history
    ON fundamentals.analyst_estimates (symbol, period, period_end, session);
