-- The tables of the PersistentGenServer PostgreSQL store (io.github.pgs.postgres.PostgresStorage), with the
-- default names. For other names, PostgresStorage.ddl(options) prints the same statements.
-- Apply it yourself and open the store with createTable(false) when the application may not create tables.
--
-- pgs_state holds one row per server:
--   type            the server's type name
--   key             the key's UTF-8 bytes (bytea: may hold NUL, compares byte by byte as the store lists keys)
--   version         1, 2, ...; rows are never at version 0
--   schema_version  the schema version of the payload (0 for a tombstone)
--   payload         the encoded state; NULL for a tombstone (a deleted state that keeps its version)
--   updated_at      epoch milliseconds of the last write
--
-- The primary key is the only index and no write changes its columns, so the free space left by the fill
-- factor lets most updates be HOT (heap-only) updates.
--
-- pgs_state_history holds the replaced states that saves with a history depth keep (Storage.history), written
-- in the same statement as the save: the same columns, the version being the one the state had in pgs_state,
-- and only live states (payload never NULL). A save keeps its key's newest `depth` rows; depth 0 and deletes
-- drop them. Stores that never write a depth leave this table empty and never write to it.

CREATE TABLE IF NOT EXISTS "public"."pgs_state" (
    type           text    NOT NULL,
    key            bytea   NOT NULL,
    version        bigint  NOT NULL,
    schema_version integer NOT NULL,
    payload        bytea   NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (type, key)
) WITH (fillfactor = 80);

CREATE TABLE IF NOT EXISTS "public"."pgs_state_history" (
    type           text    NOT NULL,
    key            bytea   NOT NULL,
    version        bigint  NOT NULL,
    schema_version integer NOT NULL,
    payload        bytea   NOT NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (type, key, version)
);
