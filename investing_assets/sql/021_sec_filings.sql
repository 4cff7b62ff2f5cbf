-- SEC EDGAR around the raw facts (issue 14): the ticker <-> CIK map of each weekly snapshot, the filers and their
-- filing index from submissions, and the standardized financials built from the stored raw facts.

-- company_tickers.json as fetched in each weekly partition (week = the partition's start): a symbol's CIK as
-- known that week, so an old session can be read with the map of its time. One unit per week.
CREATE TABLE IF NOT EXISTS fundamentals.sec_tickers (
    week    date    NOT NULL,
    cik     bigint  NOT NULL,
    symbol  text    NOT NULL,
    title   text,
    PRIMARY KEY (week, symbol, cik)
);
CREATE INDEX IF NOT EXISTS sec_tickers_cik ON fundamentals.sec_tickers (cik, week);

-- One row per filer from submissions (its own CIK##########.json), replaced per cik.
CREATE TABLE IF NOT EXISTS fundamentals.sec_companies (
    cik               bigint  PRIMARY KEY,
    name              text,
    entity_type       text,
    sic               text,
    sic_description   text,
    fiscal_year_end   text,   -- MMDD as SEC gives it (0927: the last Saturday of September for Apple)
    tickers           text,   -- comma-separated, as listed on the filer's page
    exchanges         text,
    category          text,
    state_of_incorporation text,
    filings           integer NOT NULL  -- rows in sec_filings (recent and the older pages)
);

-- The filing index: every filing of a filer (recent ones and the older pages submissions.zip carries as
-- CIK##########-submissions-NNN.json), replaced per cik. A fact's accession finds its filing here.
CREATE TABLE IF NOT EXISTS fundamentals.sec_filings (
    cik               bigint  NOT NULL,
    accession         text    NOT NULL,
    form              text    NOT NULL,
    filing_date       date    NOT NULL,
    report_date       date,
    accepted_at       timestamptz,
    act               text,
    file_number       text,
    items             text,
    size              bigint,
    is_xbrl           boolean,
    is_inline_xbrl    boolean,
    primary_document  text,
    description       text,
    PRIMARY KEY (cik, accession)
);
CREATE INDEX IF NOT EXISTS sec_filings_form ON fundamentals.sec_filings (form, filing_date);

-- Standardized financials (lib/fundamentals/standardize.filing_versions): one row per concept, unit, period and
-- filing that gave it (or derived quarter), so "as of S" reads the rows filed on or before S and never a later
-- restatement. Rebuilt per cik from fundamentals.sec_facts, never from a download.
CREATE TABLE IF NOT EXISTS fundamentals.sec_financials (
    cik             bigint            NOT NULL,
    concept         text              NOT NULL,
    unit            text              NOT NULL,
    period_start    date,                         -- null for an instant
    period_end      date              NOT NULL,
    months          integer CHECK (months IN (3, 6, 9, 12)),  -- null for an instant
    fiscal_year     integer,                      -- from the filer's own 12-month periods' year end
    fiscal_period   text CHECK (fiscal_period IN ('FY', 'Q1', 'Q2', 'Q3', 'Q4')),
    value           double precision  NOT NULL,
    filed           date              NOT NULL,
    accession       text              NOT NULL,
    form            text,
    tag             text              NOT NULL,
    rank            integer           NOT NULL,   -- 0 = the concept's preferred tag
    derived         boolean           NOT NULL,   -- a quarter computed from two year-to-date figures
    CHECK (period_start IS NULL OR period_start <= period_end)
);
CREATE INDEX IF NOT EXISTS sec_financials_cik ON fundamentals.sec_financials (cik, concept, period_end);

INSERT INTO ops.natural_keys (table_name, columns) VALUES
    ('fundamentals.sec_financials',
     ARRAY['cik', 'concept', 'unit', 'period_start', 'period_end', 'accession', 'derived', 'value'])
ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns;
