-- The daily snapshot tables' text keys compared byte by byte, as daily_bars' symbol is (001), and without the
-- regex CHECK on symbol that 001 already dropped from the bars.
--
-- In the database's default collation a symbol comparison is a locale comparison: the universe's primary key costs
-- more to keep, and the universe_coverage check (universe anti-join daily_bars) could not hash or merge on a symbol
-- whose two sides had different collations, so it probed the bars' index once per universe row (5.3 s for a
-- ten-year demo range, 1.5 s as a set difference on matching keys). The regex cost a third of index_constituents'
-- COPY (6.2 s -> 4.1 s for 1.75 M rows); every writer refuses a symbol that is not a ticker before it writes
-- (lib/core/symbols.py). Tickers are capitals, digits, '.' and '-', so bytewise order is the order people expect.
ALTER TABLE market.universe DROP CONSTRAINT IF EXISTS universe_symbol_check;
ALTER TABLE market.index_constituents DROP CONSTRAINT IF EXISTS index_constituents_symbol_check;
DO $$
DECLARE
    c record;
BEGIN  -- only where the collation differs: an ALTER COLUMN TYPE locks its table even when it changes nothing
    FOR c IN SELECT * FROM (VALUES ('universe', 'symbol'), ('index_constituents', 'index_code'),
                                   ('index_constituents', 'symbol'), ('etf_holdings', 'etf'),
                                   ('etf_holdings', 'symbol')) AS v(table_name, column_name)
    LOOP
        IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'market'
                   AND table_name = c.table_name AND column_name = c.column_name
                   AND coalesce(collation_name, '') <> 'C') THEN
            EXECUTE format('ALTER TABLE market.%I ALTER COLUMN %I TYPE text COLLATE "C"', c.table_name, c.column_name);
        END IF;
    END LOOP;
END $$;
