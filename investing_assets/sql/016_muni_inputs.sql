-- Every input of the muni risk model (issue 13): the new figures in the wide table, why a figure is missing in
-- the long one, and where the fiscal year end was read.

-- A metric without a value says why: 'not_stated' (the sections where it would be print no such line) or
-- 'not_recognised' (a line that looks like it was found; `candidate` holds it, "p. 47: ...").
ALTER TABLE muni.document_metrics ADD COLUMN IF NOT EXISTS reason text
    CHECK (reason IN ('not_stated', 'not_recognised'));
ALTER TABLE muni.document_metrics ADD COLUMN IF NOT EXISTS candidate text;

ALTER TABLE muni.documents ADD COLUMN IF NOT EXISTS fiscal_year_end_page integer CHECK (fiscal_year_end_page > 0);
ALTER TABLE muni.documents ADD COLUMN IF NOT EXISTS fiscal_year_end_line text;
ALTER TABLE muni.documents ADD COLUMN IF NOT EXISTS fiscal_year_end_confidence double precision
    CHECK (fiscal_year_end_confidence BETWEEN 0 AND 1);

-- dollars, except pension_actuarial_funded_ratio (a fraction: 0.584 for "58.4 %")
ALTER TABLE muni.issuer_financials
    ADD COLUMN IF NOT EXISTS deferred_outflows                          double precision,
    ADD COLUMN IF NOT EXISTS deferred_inflows                           double precision,
    ADD COLUMN IF NOT EXISTS long_term_liabilities_due_within_one_year  double precision,
    ADD COLUMN IF NOT EXISTS long_term_liabilities_due_after_one_year   double precision,
    ADD COLUMN IF NOT EXISTS governmental_funds_expenditures            double precision,
    ADD COLUMN IF NOT EXISTS debt_service_principal                     double precision,
    ADD COLUMN IF NOT EXISTS debt_service_interest                      double precision,
    ADD COLUMN IF NOT EXISTS net_pension_liability                      double precision,
    ADD COLUMN IF NOT EXISTS pension_unfunded_actuarial_liability       double precision,
    ADD COLUMN IF NOT EXISTS pension_actuarial_funded_ratio             double precision,
    ADD COLUMN IF NOT EXISTS opeb_obligation                            double precision,
    ADD COLUMN IF NOT EXISTS opeb_unfunded_actuarial_liability          double precision,
    ADD COLUMN IF NOT EXISTS fund_balance_unreserved                    double precision,
    ADD COLUMN IF NOT EXISTS personal_income                            double precision,
    ADD COLUMN IF NOT EXISTS full_value                                 double precision;

-- Scores state their coverage: how many of the model's features the document gave; below the published
-- minimum (lib/muni/coverage.py) the row keeps status 'insufficient_inputs' and no probability, bucket or drivers.
ALTER TABLE muni.risk_scores ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'scored'
    CHECK (status IN ('scored', 'insufficient_inputs'));
ALTER TABLE muni.risk_scores ADD COLUMN IF NOT EXISTS inputs_present integer CHECK (inputs_present >= 0);
ALTER TABLE muni.risk_scores ALTER COLUMN probability DROP NOT NULL;
ALTER TABLE muni.risk_scores ALTER COLUMN bucket DROP NOT NULL;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'risk_scores_published_when_scored'
                   AND conrelid = 'muni.risk_scores'::regclass) THEN
        ALTER TABLE muni.risk_scores ADD CONSTRAINT risk_scores_published_when_scored
            CHECK ((status = 'scored') = (probability IS NOT NULL AND bucket IS NOT NULL));
    END IF;
END $$;
