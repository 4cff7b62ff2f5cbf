-- The market scanner: detections per session, the ranked discoveries, correlations, and the demo's planted
-- ground truth. Session-first keys: every asset replaces whole sessions.

CREATE TABLE IF NOT EXISTS market.demo_planted_patterns (
    symbol              text COLLATE "C" NOT NULL,
    pattern             text NOT NULL,
    direction           text NOT NULL,
    start_session       date NOT NULL,
    completion_session  date NOT NULL,
    amplitude           double precision NOT NULL,
    amplitude_atr       double precision,
    key_points          jsonb NOT NULL,
    source              text NOT NULL,
    PRIMARY KEY (symbol, completion_session, pattern)
);

CREATE TABLE IF NOT EXISTS technicals.candlestick_patterns (
    session    date NOT NULL,
    symbol     text COLLATE "C" NOT NULL,
    pattern    text NOT NULL,
    direction  text NOT NULL,
    strength   integer NOT NULL,
    confirmed  boolean NOT NULL,
    kind       text,
    reason     text,  -- why the scanner surfaces it (confirmed rows only)
    PRIMARY KEY (session, symbol, pattern)
);

CREATE TABLE IF NOT EXISTS technicals.chart_patterns (
    session         date NOT NULL,  -- the detection: the session whose close confirmed the breakout
    symbol          text COLLATE "C" NOT NULL,
    pattern         text NOT NULL,
    family          text NOT NULL,
    direction       text NOT NULL,
    start_session   date NOT NULL,
    key_points      jsonb NOT NULL,
    breakout_level  double precision NOT NULL,
    target          double precision,
    height_atr      double precision,
    confidence      double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (session, symbol, pattern, start_session)
);

CREATE TABLE IF NOT EXISTS technicals.technical_events (
    session    date NOT NULL,
    symbol     text COLLATE "C" NOT NULL,
    event      text NOT NULL,
    direction  text NOT NULL,
    value      double precision,
    detail     text,
    PRIMARY KEY (session, symbol, event)
);

-- Ranked by score at read time, so a batch of symbols can be added to a session without renumbering.
CREATE TABLE IF NOT EXISTS technicals.pattern_discoveries (
    session        date NOT NULL,
    symbol         text COLLATE "C" NOT NULL,
    kind           text NOT NULL,  -- chart | event | candle
    pattern        text NOT NULL,
    direction      text NOT NULL,
    level          double precision,
    target         double precision,
    start_session  date,
    key_points     jsonb,
    confidence     double precision NOT NULL,
    score          double precision NOT NULL,
    detail         text,
    PRIMARY KEY (session, symbol, kind, pattern)
);

CREATE TABLE IF NOT EXISTS technicals.scan_eligibility (
    session        date NOT NULL,
    symbol         text COLLATE "C" NOT NULL,
    eligible       boolean NOT NULL,
    reason         text,
    close          double precision,
    dollar_volume  double precision,
    history        integer,
    PRIMARY KEY (session, symbol)
);

CREATE TABLE IF NOT EXISTS technicals.symbol_correlations (
    session      date NOT NULL,
    symbol       text COLLATE "C" NOT NULL,
    sector       text,
    corr_sector  double precision,
    corr_market  double precision,
    PRIMARY KEY (session, symbol)
);

CREATE TABLE IF NOT EXISTS technicals.correlation_pairs (
    session      date NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('most', 'least')),
    rank         integer NOT NULL,
    symbol_a     text NOT NULL,
    symbol_b     text NOT NULL,
    correlation  double precision NOT NULL,
    PRIMARY KEY (session, kind, rank)
);

CREATE TABLE IF NOT EXISTS technicals.sector_correlations (
    session      date NOT NULL,
    sector_a     text NOT NULL,
    sector_b     text NOT NULL,
    correlation  double precision,
    PRIMARY KEY (session, sector_a, sector_b)
);
