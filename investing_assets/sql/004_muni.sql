-- Municipal credit: documents from the drop folder, their extracted figures, risk models and daily scores.
CREATE SCHEMA IF NOT EXISTS muni;

-- One row per `muni_document` partition (a file's content): what was found, or why it was quarantined.
CREATE TABLE IF NOT EXISTS muni.documents (
    document_key     text        PRIMARY KEY CHECK (document_key ~ '^[a-z0-9-]{1,64}$'),
    file_name        text        NOT NULL,
    sha256           text        CHECK (sha256 ~ '^[0-9a-f]{64}$'),  -- NULL when the file vanished before the run
    size_bytes       bigint      CHECK (size_bytes >= 0),
    pages            integer     CHECK (pages > 0),
    issuer           text,
    fiscal_year_end  date,
    scale            bigint      CHECK (scale > 0),                  -- the statements' multiplier (1, 1000, 1e6)
    scale_text       text,                                           -- as printed: "(amounts in thousands)"
    status           text        NOT NULL CHECK (status IN ('extracted', 'quarantined')),
    reason           text,                                           -- quarantine reason code
    message          text,
    stored_path      text,                                           -- archive or quarantine copy
    extracted_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'quarantined') = (reason IS NOT NULL))
);

-- Long form: every metric of every extracted document, a NULL value where the document does not state it.
CREATE TABLE IF NOT EXISTS muni.document_metrics (
    document_key  text    NOT NULL REFERENCES muni.documents ON DELETE CASCADE,
    metric        text    NOT NULL,
    value         double precision,
    page          integer CHECK (page > 0),
    line          text,
    confidence    double precision CHECK (confidence BETWEEN 0 AND 1),
    PRIMARY KEY (document_key, metric),
    CHECK ((value IS NULL) = (page IS NULL))
);

-- Wide form: one row per extracted document (an issuer's fiscal year), for analysis and scoring.
CREATE TABLE IF NOT EXISTS muni.issuer_financials (
    document_key                 text PRIMARY KEY REFERENCES muni.documents ON DELETE CASCADE,
    issuer                       text,
    fiscal_year_end              date,
    scale                        bigint,
    total_assets                 double precision,
    total_liabilities            double precision,
    net_position_total           double precision,
    net_position_unrestricted    double precision,
    general_fund_revenues        double precision,
    general_fund_expenditures    double precision,
    fund_balance_unassigned      double precision,
    fund_balance_assigned        double precision,
    fund_balance_committed       double precision,
    cash_and_investments         double precision,
    long_term_debt               double precision,
    debt_service                 double precision,
    total_pension_liability      double precision,
    plan_fiduciary_net_position  double precision,
    net_opeb_liability           double precision,
    population                   double precision,
    assessed_value               double precision,
    funded_ratio                 double precision  -- plan fiduciary net position / total pension liability
);
CREATE INDEX IF NOT EXISTS issuer_financials_issuer_year ON muni.issuer_financials (issuer, fiscal_year_end);

-- Why a file was set aside; the bytes sit in the quarantine folder beside NAME.reason.json.
CREATE TABLE IF NOT EXISTS muni.quarantine (
    document_key      text        NOT NULL,
    reason            text        NOT NULL,
    file_name         text        NOT NULL,
    message           text        NOT NULL,
    sha256            text,
    size_bytes        bigint,
    quarantined_path  text,       -- NULL when there were no bytes to keep (the file vanished)
    at                timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (document_key, reason)
);
-- attempts: how often the document was set aside for this reason (the sweep retries timeouts and dead workers);
-- released_at: when a later run read it after all.
ALTER TABLE muni.quarantine ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 1 CHECK (attempts > 0);
ALTER TABLE muni.quarantine ADD COLUMN IF NOT EXISTS released_at timestamptz;

-- Every trained version is kept; scoring uses the newest by trained_at.
CREATE TABLE IF NOT EXISTS muni.models (
    version             text        PRIMARY KEY,
    trained_at          timestamptz NOT NULL,
    partition_key       text,       -- the month partition that trained it (NULL outside Dagster)
    parameters          jsonb       NOT NULL,
    features            jsonb       NOT NULL,
    training_data       jsonb       NOT NULL,  -- what it learned from, e.g. the synthetic panel's settings
    auc                 double precision,
    brier               double precision NOT NULL,
    base_rate_brier     double precision NOT NULL,
    calibration         jsonb       NOT NULL,
    feature_importance  jsonb       NOT NULL,
    booster             bytea       NOT NULL,
    n_train             integer     NOT NULL,
    n_test              integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS models_trained_at ON muni.models (trained_at DESC);

-- One row per issuer and session; `issuer` is the extracted issuer name or a synthetic book id.
CREATE TABLE IF NOT EXISTS muni.risk_scores (
    session          date    NOT NULL,
    issuer           text    NOT NULL,
    issuer_name      text,
    source           text    NOT NULL CHECK (source IN ('document', 'synthetic')),
    document_key     text,
    fiscal_year_end  date,
    model_version    text    NOT NULL REFERENCES muni.models (version),
    probability      double precision NOT NULL CHECK (probability BETWEEN 0 AND 1),
    bucket           text    NOT NULL,
    top_drivers      jsonb   NOT NULL,
    PRIMARY KEY (session, issuer)
);
