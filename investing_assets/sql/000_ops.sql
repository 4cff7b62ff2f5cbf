-- Bookkeeping for the schema itself and for runs that write outside Dagster.
CREATE SCHEMA IF NOT EXISTS ops;

CREATE TABLE IF NOT EXISTS ops.schema_migrations (
    file        text PRIMARY KEY,
    sha256      text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- One digest per written partition unit (e.g. one session of market.daily_bars), so a re-run whose rows are
-- unchanged rewrites nothing and a vendor correction rewrites only the sessions that changed.
CREATE TABLE IF NOT EXISTS ops.partition_digests (
    table_name  text        NOT NULL,
    unit        text        NOT NULL,  -- JSON array of the scope values, e.g. ["2026-11-20"] or ["etf","2026-11-20"]
    digest      text        NOT NULL,
    row_count   integer     NOT NULL,
    written_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, unit)
);
