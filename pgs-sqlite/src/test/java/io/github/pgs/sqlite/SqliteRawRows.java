package io.github.pgs.sqlite;

import io.github.pgs.testkit.tck.JdbcRawRows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Rows planted in an SQLite store's file with plain SQL, as another program could write them: type and key are
 * bound as blobs and cast to text, so their bytes arrive exactly, valid UTF-8 or not.
 */
public final class SqliteRawRows extends JdbcRawRows {

    private final Path file;
    private final String table;

    public SqliteRawRows(Path file, String table) {
        this.file = file;
        this.table = '"' + table + '"';
    }

    @Override
    protected Connection connect() throws SQLException {
        return SqliteStorageTest.rawConnection(file);
    }

    @Override
    protected String insertSql() {
        return "INSERT INTO " + table + " (type, key, version, schema_version, payload, updated_at, reminders,"
                + " remind_at) VALUES (CAST(? AS TEXT), CAST(? AS TEXT), 1, 1, ?, ?, ?, ?)";
    }

    @Override
    protected String corruptVersionSql() {
        return "UPDATE " + table + " SET version = 'seven' WHERE type = CAST(? AS TEXT) AND key = CAST(? AS TEXT)";
    }
}
