-- The two session x symbol history tables as range partitions by calendar year, each with a (symbol, session) btree.
--
-- Without it a one-symbol read scanned every session of the range for all symbols (the BRIN index narrows by
-- session only): at 5,000 symbols a year of one symbol took 0.4-0.7 s and its whole history grew with the table
-- (0.35 s at 1 M rows, 3.2 s at 12.6 M; `make bench history_scale`). A btree over the whole table would keep reads
-- flat but make each session's write touch pages all over an index that outgrows memory; per year, the index a
-- session's write updates is one year's. The writer (`Warehouse.replace_rows`) creates a year's partition before
-- it first writes a row of that year; the BRIN session index stays for the session-range reads and deletes.
-- Installs from before this file are converted in place (rows moved into their years' partitions).
DO $$
DECLARE
    t record;
    y int;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('market', 'daily_bars'), ('technicals', 'indicators')) AS v(schema_name, table_name)
    LOOP
        IF (SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = t.schema_name AND c.relname = t.table_name) = 'r' THEN
            EXECUTE format('ALTER TABLE %I.%I RENAME TO %I', t.schema_name, t.table_name,
                           t.table_name || '_unpartitioned');
            EXECUTE format('ALTER INDEX IF EXISTS %I.%I RENAME TO %I', t.schema_name, t.table_name || '_session_brin',
                           t.table_name || '_unpartitioned_brin');
            EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
                           'PARTITION BY RANGE (session)', t.schema_name, t.table_name, t.schema_name,
                           t.table_name || '_unpartitioned');
            FOR y IN EXECUTE format('SELECT DISTINCT extract(year FROM session)::int FROM %I.%I', t.schema_name,
                                    t.table_name || '_unpartitioned')
            LOOP
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)', t.schema_name,
                               t.table_name || '_y' || y, t.schema_name, t.table_name, make_date(y, 1, 1),
                               make_date(y + 1, 1, 1));
            END LOOP;
            EXECUTE format('INSERT INTO %I.%I SELECT * FROM %I.%I', t.schema_name, t.table_name, t.schema_name,
                           t.table_name || '_unpartitioned');
            EXECUTE format('DROP TABLE %I.%I', t.schema_name, t.table_name || '_unpartitioned');
        END IF;
    END LOOP;
END $$;

CREATE INDEX IF NOT EXISTS daily_bars_session_brin ON market.daily_bars
    USING brin (session date_minmax_multi_ops) WITH (autosummarize = on);
CREATE INDEX IF NOT EXISTS daily_bars_symbol_session ON market.daily_bars (symbol, session);
CREATE INDEX IF NOT EXISTS indicators_session_brin ON technicals.indicators
    USING brin (session date_minmax_multi_ops) WITH (autosummarize = on);
CREATE INDEX IF NOT EXISTS indicators_symbol_session ON technicals.indicators (symbol, session);
