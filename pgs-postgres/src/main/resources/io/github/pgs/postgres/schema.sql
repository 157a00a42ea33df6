-- The tables of the PersistentGenServer PostgreSQL store (io.github.pgs.postgres.PostgresStorage), with the
-- default names. For other names, PostgresStorage.ddl(options) prints the same statements.
-- Apply it yourself and open the store with createTable(false) when the application may not create tables.
-- Every statement is IF NOT EXISTS: running it again upgrades a table made by an earlier version.
--
-- pgs_state holds one row per server:
--   type            the server's type name
--   key             the key's UTF-8 bytes (bytea: may hold NUL, compares byte by byte as the store lists keys)
--   version         1, 2, ...; rows are never at version 0
--   schema_version  the schema version of the payload (0 for a tombstone)
--   payload         the encoded state; NULL for a tombstone (a deleted state that keeps its version)
--   updated_at      epoch milliseconds of the last write
--   reminders       the server's reminder set as the runtime encodes it, written with the state; NULL: none
--   remind_at       epoch milliseconds of its earliest reminder; NULL exactly when reminders is NULL
--
-- Besides the primary key, the only index is pgs_state_due, a partial index holding only the rows with
-- reminders (Storage.due reads it in order). Saves without reminders, or keeping the same remind_at, change
-- no indexed column, so the free space left by the fill factor lets most updates be HOT (heap-only) updates.
-- The ALTER TABLE adds the reminder columns to a table made before they existed (no rewrite: they are
-- nullable without default). On a large table, create the index with CREATE INDEX CONCURRENTLY instead to
-- avoid holding writes while it is built.
--
-- pgs_state_history holds the replaced states that saves with a history depth keep (Storage.history), written
-- in the same statement as the save: the same columns (without reminders), the version being the one the state
-- had in pgs_state, and only live states (payload never NULL). A save keeps its key's newest `depth` rows;
-- depth 0 and deletes drop them. Stores that never write a depth leave this table empty and never write to it.

CREATE TABLE IF NOT EXISTS "public"."pgs_state" (
    type           text    NOT NULL,
    key            bytea   NOT NULL,
    version        bigint  NOT NULL,
    schema_version integer NOT NULL,
    payload        bytea   NULL,
    updated_at     bigint  NOT NULL,
    reminders      bytea   NULL,
    remind_at      bigint  NULL,
    PRIMARY KEY (type, key)
) WITH (fillfactor = 80);

ALTER TABLE "public"."pgs_state"
    ADD COLUMN IF NOT EXISTS reminders bytea NULL,
    ADD COLUMN IF NOT EXISTS remind_at bigint NULL;

CREATE INDEX IF NOT EXISTS "pgs_state_due" ON "public"."pgs_state" (remind_at, type, key)
    WHERE remind_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS "public"."pgs_state_history" (
    type           text    NOT NULL,
    key            bytea   NOT NULL,
    version        bigint  NOT NULL,
    schema_version integer NOT NULL,
    payload        bytea   NOT NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (type, key, version)
);
