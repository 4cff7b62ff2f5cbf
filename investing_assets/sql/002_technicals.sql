-- Technical indicators, one row per (symbol, session); warm-up values are NULL.
CREATE SCHEMA IF NOT EXISTS technicals;

CREATE TABLE IF NOT EXISTS technicals.indicators (
    symbol       text NOT NULL,
    session      date NOT NULL,
    sma_20       double precision,
    sma_50       double precision,
    sma_200      double precision,
    ema_12       double precision,
    ema_26       double precision,
    rsi_14       double precision,
    macd         double precision,
    macd_signal  double precision,
    macd_hist    double precision,
    bb_upper     double precision,
    bb_middle    double precision,
    bb_lower     double precision,
    atr_14       double precision,
    adx_14       double precision,
    obv          double precision,
    stoch_k      double precision,
    stoch_d      double precision
);
-- Key (session, symbol), kept by the writer instead of a btree: see 006_history_keys.sql.
CREATE INDEX IF NOT EXISTS indicators_session_brin ON technicals.indicators
    USING brin (session date_minmax_multi_ops) WITH (autosummarize = on);
