-- The currency each stored bar is priced in, as the source spells it (GBp is pence, JPY yen): a London or Tokyo
-- listing is stored under its own currency, never as if in dollars. Every bar stored before this column existed
-- is in US dollars (the connectors refused any other currency until now), so existing rows read 'USD'; the default
-- is dropped at once, so a writer that does not name the currency fails instead of defaulting to dollars.
-- ADD COLUMN with a constant default rewrites nothing (PostgreSQL 11+ keeps the value for the existing rows). Checked
-- first, as in 012: ALTER TABLE would lock the table on every migrate even with nothing to change. A length check,
-- not a regex: the writer validates the code (lib/core/validation.py), as it does the symbol.
DO $$
DECLARE
    bars text;
BEGIN
    FOREACH bars IN ARRAY ARRAY['daily_bars', 'symbol_history'] LOOP
        IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'market'
                       AND table_name = bars AND column_name = 'currency') THEN
            EXECUTE format('ALTER TABLE market.%I ADD COLUMN currency text NOT NULL DEFAULT ''USD'' '
                           'CHECK (char_length(currency) = 3)', bars);
            EXECUTE format('ALTER TABLE market.%I ALTER COLUMN currency DROP DEFAULT', bars);
        END IF;
    END LOOP;
END $$;
