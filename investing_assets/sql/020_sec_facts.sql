-- SEC EDGAR XBRL facts (issue 14), long form as companyfacts gives them: one row per fact and filing, so an
-- amendment or restatement stays beside the original with its own filed date (point in time reads by filed).
-- Written per company (scope cik) by Warehouse.replace_rows: a re-load replaces a company's facts whole. The key
-- is kept by that writer (ops.natural_keys), not a btree: period_start is null for instants, so it cannot be a
-- primary key, and a unique btree would cost most of the COPY speed (sql/006_history_keys.sql).
CREATE TABLE IF NOT EXISTS fundamentals.sec_facts (
    cik           bigint            NOT NULL,
    taxonomy      text              NOT NULL,
    tag           text              NOT NULL,
    unit          text              NOT NULL,
    period_start  date,                         -- null for an instant
    period_end    date              NOT NULL,
    fy            integer,                      -- fy/fp describe the filing, not the fact
    fp            text,
    form          text,
    filed         date              NOT NULL,
    accession     text              NOT NULL,
    frame         text,
    value         double precision  NOT NULL,
    CHECK (period_start IS NULL OR period_start <= period_end)
);
CREATE INDEX IF NOT EXISTS sec_facts_cik ON fundamentals.sec_facts (cik);

INSERT INTO ops.natural_keys (table_name, columns) VALUES
    ('fundamentals.sec_facts', ARRAY['cik', 'taxonomy', 'tag', 'unit', 'period_end', 'period_start', 'accession'])
ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns;

