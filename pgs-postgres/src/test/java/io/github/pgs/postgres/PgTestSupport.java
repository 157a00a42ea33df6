package io.github.pgs.postgres;

import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the integration tests find PostgreSQL: system properties {@code pgs.pg.url} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code pgs.pg.user} (default {@code postgres}) and
 * {@code pgs.pg.password} (default none). Tests fail, never skip, when the server cannot be reached.
 */
final class PgTestSupport {

    /** The schema every test table lives in, apart from the fresh-schema tests. */
    static final String SCHEMA = "pgs_postgres_test";

    private static final AtomicLong TYPES = new AtomicLong();
    private static final String RUN = Long.toString(System.nanoTime() & 0xFFFFFFFFL, 36);

    private PgTestSupport() {
    }

    static String url() {
        return System.getProperty("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    static String user() {
        String user = System.getProperty("pgs.pg.user");
        return user == null || user.isEmpty() ? "postgres" : user;
    }

    static String password() {
        String password = System.getProperty("pgs.pg.password");
        return password == null || password.isEmpty() ? null : password;
    }

    /** Small settings so that tests leave connections for others. */
    static PostgresOptions.Builder options() {
        return PostgresOptions.builder().schema(SCHEMA).writers(2).poolSize(4);
    }

    static PostgresStorage open(PostgresOptions options) {
        return PostgresStorage.open(url(), user(), password(), options);
    }

    static PostgresStorage open() {
        return open(options().build());
    }

    /** A type name no other test (or earlier run) uses, so tables need not be emptied. */
    static String uniqueType() {
        return "t" + RUN + "-" + TYPES.incrementAndGet();
    }

    /** An unpooled data source, for administrative statements and user-managed setups. */
    static PGSimpleDataSource plainDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(url());
        ds.setUser(user());
        if (password() != null) {
            ds.setPassword(password());
        }
        return ds;
    }

    static void execute(String sql) throws SQLException {
        try (Connection c = plainDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
