-- Listing and delisting: the first and last session a symbol trades (null: before the source's history, or
-- still trading). A session's universe lists only the symbols trading on it, so coverage expects bars only then.
ALTER TABLE market.universe ADD COLUMN IF NOT EXISTS first_session date;
ALTER TABLE market.universe ADD COLUMN IF NOT EXISTS last_session date;
