-- IBKR fundamentals (reqFundamentalData: ReportSnapshot, ReportsFinSummary, ReportsFinStatements), issue 14.
-- Point in time: every row's known_from is the first day the report itself says the figure was known (the
-- profile's LastModified, the ratios' price date, a statement's filing date, a dividend's declaration date); the
-- summary series carry no such date, so theirs is the day this project first fetched that value, and a changed
-- value is a new row beside the old one. `fetched` is the day of the fetch that last wrote the row. Written per
-- symbol by Warehouse.replace_rows with what was stored merged in, so a report that drops a period (IBKR serves
-- only its latest years) never deletes what was known. Amounts and shares of the statements are in millions of
-- the reporting currency, per-share lines in its units (lib/fundamentals/ibkr_reports.py).
CREATE TABLE IF NOT EXISTS fundamentals.ibkr_profile (
    symbol              text    NOT NULL,
    known_from          date    NOT NULL,
    company_name        text,
    rep_no              text,
    cik                 text,
    irs_no              text,
    ticker              text,
    isin                text,
    cusip               text,
    ric                 text,
    exchange_code       text,
    exchange            text,
    status              text,
    reporting_currency  text,
    employees           bigint,
    employees_as_of     date,
    shares_out          double precision,
    shares_out_as_of    date,
    float_shares        double precision,
    latest_annual       date,
    latest_interim      date,
    last_split_date     date,
    last_split_ratio    double precision,
    trbc_code           text,
    trbc_industry       text,
    sic_code            text,
    sic_industry        text,
    city                text,
    state               text,
    country             text,
    website             text,
    indexes             text,
    business_summary    text,
    fetched             date    NOT NULL,
    PRIMARY KEY (symbol, known_from)
);

CREATE TABLE IF NOT EXISTS fundamentals.ibkr_ratios (
    symbol            text              NOT NULL,
    known_from        date              NOT NULL,  -- PDATE: the price date the ratios were computed at
    group_name        text              NOT NULL,  -- the report's ratio group, or 'Forecast' (ForecastData)
    field             text              NOT NULL,
    value             double precision  NOT NULL,
    period_type       text,                        -- the consensus' PeriodType (CURR); null for ratios
    financials_as_of  date,                        -- LatestAvailableDate: the period the financials end
    currency          text,
    fetched           date              NOT NULL,
    PRIMARY KEY (symbol, known_from, group_name, field)
);

CREATE TABLE IF NOT EXISTS fundamentals.ibkr_statements (
    symbol          text              NOT NULL,
    period_type     text              NOT NULL CHECK (period_type IN ('Annual', 'Interim')),
    period_end      date              NOT NULL,
    fiscal_year     integer,
    fiscal_period   integer,                       -- the quarter of an interim period
    statement       text              NOT NULL CHECK (statement IN ('INC', 'BAL', 'CAS')),
    coa_code        text              NOT NULL,
    known_from      date              NOT NULL,    -- the filing's date (FPHeader Source Date)
    form            text,                          -- 10-K, 10-Q, ...
    statement_date  date,
    update_type     text,                          -- UPD updated, RES restated, UCA calculated, ...
    period_length   integer,
    period_unit     text,                          -- W weeks, M months
    currency        text,
    line_name       text,
    value           double precision  NOT NULL,
    fetched         date              NOT NULL,
    PRIMARY KEY (symbol, period_type, period_end, statement, coa_code, known_from)
);

CREATE TABLE IF NOT EXISTS fundamentals.ibkr_summary (
    symbol       text              NOT NULL,
    metric       text              NOT NULL CHECK (metric IN ('eps', 'total_revenue', 'dividend_per_share')),
    as_of_date   date              NOT NULL,       -- the period's end
    report_type  text              NOT NULL,       -- A actual, P preliminary, R restated, TTM trailing 12 months
    period       text              NOT NULL,       -- 3M, 12M
    known_from   date              NOT NULL,       -- the day this value was first fetched (the report has none)
    currency     text,
    value        double precision  NOT NULL,
    fetched      date              NOT NULL,
    PRIMARY KEY (symbol, metric, as_of_date, report_type, period, known_from)
);

CREATE TABLE IF NOT EXISTS fundamentals.ibkr_dividends (
    symbol         text              NOT NULL,
    ex_date        date              NOT NULL,
    known_from     date              NOT NULL,     -- the declaration date
    dividend_type  text              NOT NULL,     -- CD cash dividend, ...
    record_date    date,
    pay_date       date,
    currency       text,
    amount         double precision  NOT NULL,
    fetched        date              NOT NULL,
    PRIMARY KEY (symbol, ex_date, known_from, dividend_type)
);
