-- fundamentals.sec_facts looked up by cik through a BRIN index instead of a btree.
--
-- The table is written company by company (Warehouse.replace_rows, scope cik) and read the same way or whole, so
-- a company's rows sit together and block ranges narrow a cik well. The btree cost the COPY a third of its time
-- (1.5 M facts: 3.2-3.5 s into the table with it, 2.6 s with this, 2.2 s with no index at all; `make bench
-- sec_facts`) for lookups that read a whole company anyway.
DROP INDEX IF EXISTS fundamentals.sec_facts_cik;
CREATE INDEX IF NOT EXISTS sec_facts_cik_brin ON fundamentals.sec_facts USING brin (cik);
