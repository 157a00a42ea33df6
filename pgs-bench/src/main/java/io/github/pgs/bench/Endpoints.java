package io.github.pgs.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Where every harness finds its databases ({@code --db-url}, {@code --db-user}, {@code --db-password},
 * {@code --redis-uri}, {@code --sqlite-path}) and how it empties what it owns there. Uses only the drivers, none of
 * the library, so that the peers' harness shares it.
 */
public final class Endpoints {

    /** Default PostgreSQL URL: the {@code test} database of the local server. */
    public static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    /** Default PostgreSQL user (trust authentication on loopback). */
    public static final String DEFAULT_DB_USER = "postgres";
    /** Default Redis URI. */
    public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379/0";

    private Endpoints() {
    }

    /** A connection to {@code --db-url} as {@code --db-user} / {@code --db-password}. */
    public static Connection postgres(Options o) throws SQLException {
        return DriverManager.getConnection(o.str("db-url", DEFAULT_DB_URL), o.str("db-user", DEFAULT_DB_USER),
                o.str("db-password", null));
    }

    /** {@code CHECKPOINT} on PostgreSQL (as the peers do before measuring); a refusal is only a warning. */
    public static void checkpoint(Options o) {
        try (Connection c = postgres(o); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("WARN: CHECKPOINT failed (the role needs pg_checkpoint): " + e.getMessage());
        }
    }

    /** The SQLite file of the store: {@code --sqlite-path}, default {@code ${java.io.tmpdir}/pgs-bench/pgs.db}. */
    public static Path sqlitePath(Options o) {
        return Path.of(o.str("sqlite-path", Path.of(System.getProperty("java.io.tmpdir"), "pgs-bench", "pgs.db")
                .toString()));
    }

    /** A file named {@code name} in the directory of the store's SQLite file (same file system), created. */
    public static Path besideSqlite(Options o, String name) throws IOException {
        Path store = sqlitePath(o).toAbsolutePath();
        Path file = store.getParent().resolve(name);
        Files.createDirectories(file.getParent());
        return file;
    }

    /** Deletes a SQLite file with its log and index files. */
    public static void deleteSqlite(Path file) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    /** Bytes of a SQLite file plus its log. */
    public static long sqliteBytes(Path file) throws IOException {
        long bytes = 0;
        for (String suffix : new String[] {"", "-wal"}) {
            Path p = Path.of(file + suffix);
            if (Files.exists(p)) {
                bytes += Files.size(p);
            }
        }
        return bytes;
    }

    /** Deletes every Redis key matching {@code pattern} with {@code SCAN} + {@code UNLINK}. */
    public static void deleteRedisKeys(String uri, String pattern) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> r = c.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = r.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                if (!page.getKeys().isEmpty()) {
                    r.unlink(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }

    /** A Redis configuration value ({@code CONFIG GET}), or {@code null} if it cannot be read. */
    public static String redisConfig(String uri, String parameter) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().configGet(parameter).get(parameter);
        } catch (RuntimeException e) {
            return null;
        } finally {
            client.shutdown();
        }
    }
}
