package io.github.pgs.it;

import io.github.pgs.jackson.JsonStateCodec;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the integration tests find their stores, and small settings that leave resources for the other test
 * suites sharing the servers. PostgreSQL: system properties {@code pgs.pg.url} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}), {@code pgs.pg.user} ({@code postgres}), {@code pgs.pg.password}
 * (none); tables live in schema {@value #PG_SCHEMA}. Redis: {@code pgs.redis.uri}
 * ({@code redis://127.0.0.1:6379}), one namespace per store opened. Tests fail, never skip, when a server is
 * unreachable.
 */
final class Stores {

    static final String PG_SCHEMA = "pgs_it";

    private static final String RUN = Long.toString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL, 36);
    private static final AtomicLong NAMES = new AtomicLong();

    private Stores() {
    }

    /** A name (type, namespace) no other test or earlier run uses, so nothing needs emptying. */
    static String unique(String prefix) {
        return prefix + "-" + RUN + "-" + NAMES.incrementAndGet();
    }

    static StateCodec codec() {
        return JsonStateCodec.create();
    }

    // ------------------------------------------------------------------------------------------- SQLite

    static SqliteStorage sqlite(Path file) {
        return SqliteStorage.open(file);
    }

    /** SQLite without an fsync per commit: for tests about semantics, not power-loss durability. */
    static SqliteStorage sqliteFast(Path file) {
        return SqliteOptions.builder(file).synchronous(SqliteOptions.Synchronous.NORMAL).open();
    }

    // ---------------------------------------------------------------------------------------- PostgreSQL

    static String pgUrl() {
        return property("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    }

    static String pgUser() {
        return property("pgs.pg.user", "postgres");
    }

    static String pgPassword() {
        String p = System.getProperty("pgs.pg.password");
        return p == null || p.isBlank() ? null : p;
    }

    static PostgresOptions.Builder pgOptions() {
        return PostgresOptions.builder().schema(PG_SCHEMA).writers(2).poolSize(4);
    }

    static PostgresStorage postgres() {
        return postgres(pgUrl(), pgOptions().build());
    }

    static PostgresStorage postgres(String url, PostgresOptions options) {
        return PostgresStorage.open(url, pgUser(), pgPassword(), options);
    }

    /** The host and port of the PostgreSQL URL. */
    static URI pgAddress() {
        return URI.create(pgUrl().substring("jdbc:".length()));
    }

    /** The PostgreSQL URL with its host and port replaced by {@code 127.0.0.1:port}. */
    static String pgUrlVia(int port) {
        URI u = pgAddress();
        return "jdbc:postgresql://127.0.0.1:" + port + u.getRawPath() + (u.getRawQuery() == null ? ""
                : "?" + u.getRawQuery());
    }

    /**
     * Deletes the rows this JVM's tests wrote (every type name made by {@link #unique} carries this run's id), so
     * that repeated builds do not grow the shared database.
     */
    static void cleanPostgres() {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(pgUrl(), pgUser(), pgPassword())) {
            for (String table : new String[] {"pgs_state", "pgs_state_history"}) {
                try (java.sql.PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?)")) {
                    exists.setString(1, "\"" + PG_SCHEMA + "\".\"" + table + "\"");
                    try (java.sql.ResultSet rs = exists.executeQuery()) {
                        if (!rs.next() || rs.getString(1) == null) {
                            continue;
                        }
                    }
                }
                try (java.sql.PreparedStatement delete = c.prepareStatement(
                        "DELETE FROM \"" + PG_SCHEMA + "\".\"" + table + "\" WHERE type LIKE ?")) {
                    delete.setString(1, "%-" + RUN + "-%");
                    delete.executeUpdate();
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cleaning up the test rows in PostgreSQL failed", e);
        }
    }

    // ---------------------------------------------------------------------------------------------- Redis

    static String redisUri() {
        return property("pgs.redis.uri", "redis://127.0.0.1:6379");
    }

    static URI redisAddress() {
        return URI.create(redisUri());
    }

    /** The Redis URI with its host and port replaced by {@code 127.0.0.1:port}. */
    static String redisUriVia(int port) {
        URI u = redisAddress();
        return "redis://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + "127.0.0.1:" + port
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    static RedisStorage redis(String uri, String namespace, Duration commandTimeout) {
        return RedisStorage.open(uri, RedisOptions.builder().namespace(namespace).commandTimeout(commandTimeout)
                .build());
    }

    /** Removes the keys of {@code namespace} (a SCAN limited to its prefix; never FLUSHALL). */
    static void purgeRedis(String namespace) {
        RedisClient client = RedisClient.create(redisUri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            ScanArgs match = ScanArgs.Builder.matches(namespace + ":*").limit(1000);
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    c.sync().unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }

    // ------------------------------------------------------------------------------------------- knobs

    static String property(String name, String defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : v.trim();
    }

    static int intProperty(String name, int defaultValue) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? defaultValue : Integer.parseInt(v.trim().replace("_", ""));
    }
}
