-- Analyst consensus snapshots and company news, one trading_day partition per session.
CREATE SCHEMA IF NOT EXISTS fundamentals;

-- The consensus as published on a session, per fiscal period it forecasts: successive sessions show revisions.
CREATE TABLE IF NOT EXISTS fundamentals.analyst_estimates (
    session           date    NOT NULL,
    symbol            text    NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    period            text    NOT NULL CHECK (period IN ('annual', 'quarter')),
    period_end        date    NOT NULL,
    revenue_low       double precision,
    revenue_avg       double precision,
    revenue_high      double precision,
    ebitda_avg        double precision,
    net_income_avg    double precision,
    eps_low           double precision,
    eps_avg           double precision,
    eps_high          double precision,
    analysts_revenue  integer CHECK (analysts_revenue >= 0),
    analysts_eps      integer CHECK (analysts_eps >= 0),
    source            text    NOT NULL,
    PRIMARY KEY (session, symbol, period, period_end),
    CHECK (revenue_low <= revenue_avg AND revenue_avg <= revenue_high),
    CHECK (eps_low <= eps_avg AND eps_avg <= eps_high)
);

CREATE SCHEMA IF NOT EXISTS news;

-- An article once per symbol it is about; a session holds what was published after the previous session's
-- day and through its own (weekend news lands on Monday).
CREATE TABLE IF NOT EXISTS news.articles (
    session       date        NOT NULL,
    symbol        text        NOT NULL CHECK (symbol ~ '^[A-Z0-9.\-]{1,10}$'),
    url           text        NOT NULL,
    published_at  timestamptz NOT NULL,
    title         text        NOT NULL,
    publisher     text,
    site          text,
    text          text,
    source        text        NOT NULL,
    PRIMARY KEY (session, symbol, url)
);
