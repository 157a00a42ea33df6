package io.github.pgs.postgres;

import io.github.pgs.testkit.tck.JdbcRawRows;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Rows planted in a PostgreSQL store's table with plain SQL, as another program could write them. The key is
 * {@code bytea}, so any bytes arrive exactly; the type is {@code text}, which PostgreSQL keeps as valid UTF-8,
 * so a planted type must be valid UTF-8 (a type name no server can have, say).
 */
public final class PostgresRawRows extends JdbcRawRows {

    private final String table;

    public PostgresRawRows(PostgresOptions options) {
        this.table = options.qualifiedTable();
    }

    @Override
    protected Connection connect() throws SQLException {
        return PgTestSupport.plainDataSource().getConnection();
    }

    @Override
    protected String insertSql() {
        return "INSERT INTO " + table + " (type, key, version, schema_version, payload, updated_at, reminders,"
                + " remind_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?)";
    }

    @Override
    protected String corruptVersionSql() {
        return "UPDATE " + table + " SET version = -7 WHERE type = ? AND key = ?";
    }

    @Override
    protected void bindType(PreparedStatement ps, int index, byte[] type) throws SQLException {
        ps.setString(index, new String(type, StandardCharsets.UTF_8));
    }
}
