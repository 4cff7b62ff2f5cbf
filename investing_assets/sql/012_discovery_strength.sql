-- The day's strength of each discovery (lib/analytics/scanner.day_strength), stored so a read ranks the stored
-- discoveries exactly as the scan ranked them: score, then day_strength, then kind, symbol, pattern. Rows scanned
-- before this column existed have it null (ranked after equal scores that have one) until their session is
-- scanned again. Checked first: ALTER TABLE would lock the table on every migrate even with nothing to add.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'technicals'
                   AND table_name = 'pattern_discoveries' AND column_name = 'day_strength') THEN
        ALTER TABLE technicals.pattern_discoveries ADD COLUMN day_strength double precision;
    END IF;
END $$;
