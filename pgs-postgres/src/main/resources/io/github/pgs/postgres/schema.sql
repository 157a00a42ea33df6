-- The table of the PersistentGenServer PostgreSQL store (io.github.pgs.postgres.PostgresStorage), with the
-- default names. For other names, PostgresStorage.ddl(options) prints the same statements.
-- Apply it yourself and open the store with createTable(false) when the application may not create tables.
--
--   type            the server's type name
--   key             the key's UTF-8 bytes (bytea: may hold NUL, compares byte by byte as the store lists keys)
--   version         1, 2, ...; rows are never at version 0
--   schema_version  the schema version of the payload (0 for a tombstone)
--   payload         the encoded state; NULL for a tombstone (a deleted state that keeps its version)
--   updated_at      epoch milliseconds of the last write
--
-- The primary key is the only index and no write changes its columns, so the free space left by the fill
-- factor lets most updates be HOT (heap-only) updates.

CREATE TABLE IF NOT EXISTS "public"."pgs_state" (
    type           text    NOT NULL,
    key            bytea   NOT NULL,
    version        bigint  NOT NULL,
    schema_version integer NOT NULL,
    payload        bytea   NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (type, key)
) WITH (fillfactor = 80);
