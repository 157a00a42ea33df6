package io.github.pgs.testkit.tck;

import io.github.pgs.ServerId;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;

/**
 * {@link RawRows} for a store on a JDBC database: the subclass gives a connection and two statements, this class
 * binds the values and keeps one connection for the test.
 */
public abstract class JdbcRawRows implements RawRows {

    private Connection connection;

    /** For subclasses. */
    protected JdbcRawRows() {
    }

    /** A new connection to the store's database. */
    protected abstract Connection connect() throws SQLException;

    /**
     * An {@code INSERT} of a live row at version 1 and schema version 1, with the parameters type, key, payload,
     * write time (epoch millis), reminders and due time ({@code NULL} for none), in that order.
     */
    protected abstract String insertSql();

    /** An {@code UPDATE} giving the row of (type, key), the two parameters, a version the store never writes. */
    protected abstract String corruptVersionSql();

    /** Binds a type name's bytes; by default as bytes (override where the column takes only text). */
    protected void bindType(PreparedStatement ps, int index, byte[] type) throws SQLException {
        ps.setBytes(index, type);
    }

    @Override
    public void write(byte[] type, byte[] key, byte[] payload, byte[] reminders, long remindAtMillis)
            throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(insertSql())) {
            bindType(ps, 1, type);
            ps.setBytes(2, key);
            ps.setBytes(3, payload);
            ps.setLong(4, System.currentTimeMillis());
            ps.setBytes(5, reminders);
            if (reminders == null) {
                ps.setNull(6, Types.BIGINT);
            } else {
                ps.setLong(6, remindAtMillis);
            }
            ps.executeUpdate();
        }
    }

    @Override
    public void corruptVersion(ServerId id) throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement(corruptVersionSql())) {
            bindType(ps, 1, id.type().getBytes(StandardCharsets.UTF_8));
            ps.setBytes(2, id.key().getBytes(StandardCharsets.UTF_8));
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no row for " + id);
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = connect();
        }
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
