-- Model memory (issue 15): the chat's conversations and the services' working state (the scanner's rotation,
-- the chat's launches). Redis `memory:<namespace>` hashes are the hot copy; the 02:00 America/New_York
-- `model_memory_sync` writes them here and refills an emptied Redis from here. One row per item; the higher
-- version wins in either direction (lib/storage/memory.py), so the upsert only ever moves a version forward.
CREATE TABLE IF NOT EXISTS ops.model_memory (
    namespace   text        NOT NULL,  -- e.g. scanner:last_scanned, chat:<conversation>, chat:launches
    item        text        NOT NULL,  -- e.g. a symbol, a message id, a run id
    version     bigint      NOT NULL,  -- microseconds since the epoch at the write, at least the previous + 1
    value       jsonb       NOT NULL,
    synced_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (namespace, item)
);

-- Every launch the chat made (request, resolved job and parameters, run id): an audit record, kept apart from
-- the memory (which a later version may overwrite).
CREATE TABLE IF NOT EXISTS ops.chat_launches (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- an append-only log: its rows' own key
    launched_at  timestamptz NOT NULL DEFAULT now(),
    request      text        NOT NULL,
    job          text        NOT NULL,
    parameters   jsonb       NOT NULL,
    run_ids      text[]      NOT NULL,
    backfill_id  text,
    launched_by  text        NOT NULL
);

-- Logs created before the log had its key.
ALTER TABLE ops.chat_launches ADD COLUMN IF NOT EXISTS id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
