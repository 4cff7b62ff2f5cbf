-- The two session x symbol history tables keep their key without a btree.
--
-- A btree costs about 1.2 us per inserted row (one index tuple and one WAL record each, where COPY writes a page
-- per record) and, when a correction rewrites rows in place, a uniqueness probe into the entries the same
-- transaction just deleted: a partition write then ran at 0.26x of a plain COPY. Partitions are written only
-- through `Warehouse.replace_rows`, which deletes its whole scope and refuses a frame with a repeated key, so
-- the key holds by construction; the `unique_symbol_session` asset check verifies it after every write. A BRIN
-- index on session (minmax-multi, so late corrections placed in reused pages do not blur the ranges) serves the
-- session-range reads and deletes every partition makes.
CREATE TABLE IF NOT EXISTS ops.natural_keys (
    table_name  text    PRIMARY KEY,
    columns     text[]  NOT NULL
);

INSERT INTO ops.natural_keys (table_name, columns) VALUES
    ('market.daily_bars', ARRAY['session', 'symbol']),
    ('technicals.indicators', ARRAY['session', 'symbol'])
ON CONFLICT (table_name) DO UPDATE SET columns = excluded.columns;

-- Installs created before this file had primary keys here (checked first: ALTER TABLE would lock the tables
-- on every migrate even with nothing to drop).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'daily_bars_pkey'
               AND conrelid = 'market.daily_bars'::regclass) THEN
        ALTER TABLE market.daily_bars DROP CONSTRAINT daily_bars_pkey;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'indicators_pkey'
               AND conrelid = 'technicals.indicators'::regclass) THEN
        ALTER TABLE technicals.indicators DROP CONSTRAINT indicators_pkey;
    END IF;
END $$;
