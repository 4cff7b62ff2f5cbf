-- Issue 13, the rest: the model's held-out quality per coverage level, and bonds outstanding.

-- Held-out AUC and Brier for each coverage level (lib/muni/coverage.py LEVEL_LABELS): a score resting on fewer
-- inputs says how much less the model can tell there. One JSON object per level: level, rows, positives, auc,
-- brier, base_rate_brier, mean_predicted, observed_rate (null where a level had no held-out rows or one class).
ALTER TABLE muni.models ADD COLUMN IF NOT EXISTS by_coverage jsonb NOT NULL DEFAULT '[]'::jsonb;

-- Bonds payable of the primary government at the fiscal year end (governmental + business-type, premiums and
-- discounts included as the report nets them), dollars; read from the debt note's changes in long-term liabilities.
ALTER TABLE muni.issuer_financials ADD COLUMN IF NOT EXISTS bonds_outstanding double precision;
