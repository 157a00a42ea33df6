package io.github.pgs.bench.peers.pekko;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * pekko-persistence-jdbc's {@code durable_state} table, reached with plain JDBC outside Pekko: create it from the
 * DDL shipped in the plugin jar, empty it, seed rows in the plugin's row format, and sum what the counters hold.
 */
public final class DurableStateTable {

    /** The table's name, in the {@code public} schema. */
    public static final String NAME = "durable_state";

    private static final String DDL = "schema/postgres/postgres-create-schema.sql";
    private static final String DUPLICATE_TABLE = "42P07";
    private static final String DUPLICATE_OBJECT = "42710";

    private final String url;
    private final String user;
    private final String password;

    public DurableStateTable(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Runs the plugin's PostgreSQL DDL; objects that already exist are left as they are. */
    public void ensureSchema() throws SQLException, IOException {
        String ddl;
        try (InputStream in = DurableStateTable.class.getClassLoader().getResourceAsStream(DDL)) {
            if (in == null) {
                throw new IllegalStateException(DDL + " not on the class path (pekko-persistence-jdbc missing?)");
            }
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            for (String statement : ddl.split(";")) {
                if (statement.isBlank()) {
                    continue;
                }
                try {
                    st.execute(statement);
                } catch (SQLException e) {
                    if (!DUPLICATE_TABLE.equals(e.getSQLState()) && !DUPLICATE_OBJECT.equals(e.getSQLState())) {
                        throw e;
                    }
                }
            }
        }
    }

    /** Empties {@code durable_state}. */
    public void truncate() throws SQLException {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE durable_state");
        }
    }

    /** {@code CHECKPOINT} (needs the {@code pg_checkpoint} role); a refusal is only a warning. */
    public void checkpoint() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("WARN: CHECKPOINT failed (grant pg_checkpoint to the role): " + e.getMessage());
        }
    }

    /**
     * Inserts {@code n} counters at 1, revision 1, with persistence ids {@code <entityType>|<prefix><i>}, in
     * the row format the plugin writes ({@link CounterStateSerializer}'s id and manifest).
     */
    public void seed(String entityType, String prefix, int n) throws SQLException {
        String sql = "INSERT INTO durable_state (persistence_id, revision, state_payload, state_serial_id, "
                + "state_serial_manifest, tag, state_timestamp) "
                + "SELECT ? || i, 1, convert_to('1', 'UTF8'), ?, ?, NULL, (extract(epoch from now()) * 1000)::bigint "
                + "FROM generate_series(0, ?) AS i";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, entityType + "|" + prefix);
            ps.setInt(2, CounterStateSerializer.ID);
            ps.setString(3, CounterStateSerializer.MANIFEST);
            ps.setInt(4, n - 1);
            ps.executeUpdate();
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("ANALYZE durable_state");
        }
    }

    /** {rows, sum of counts, sum of revisions} of the counters of {@code entityType}. */
    public long[] sums(String entityType) throws SQLException {
        String sql = "SELECT count(*), coalesce(sum(convert_from(state_payload, 'UTF8')::bigint), 0), "
                + "coalesce(sum(revision), 0) FROM durable_state WHERE persistence_id LIKE ?";
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, entityType + "|%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }
}
