package io.github.pgs.bench;

import io.github.pgs.ServerId;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.store.InMemoryStorage;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Opens the store a run asks for ({@code --store=memory|sqlite|postgres|redis}), empty, and reads back what
 * the counters hold for verification.
 *
 * <p>Every run starts from an empty store of its own, which never collides with other users of the same
 * database: PostgreSQL uses the table {@value #PG_TABLE} (dropped and recreated), Redis the namespace
 * {@value #REDIS_NAMESPACE} (its keys are deleted with {@code SCAN} + {@code UNLINK}), SQLite the file given by
 * {@code --sqlite-path} (deleted with its log files). Connection options: {@code --db-url}, {@code --db-user},
 * {@code --db-password}, {@code --redis-uri}, {@code --sqlite-path}; store tuning: {@code --pool},
 * {@code --writers}, {@code --max-batch}, {@code --max-wait-us} (group-commit linger), {@code --sqlite-sync=FULL|NORMAL},
 * {@code --sqlite-page-size}, {@code --sqlite-checkpoint-kib}.
 */
public final class Stores {

    /** The PostgreSQL table the harness owns. */
    public static final String PG_TABLE = "pgs_bench_state";
    /** The Redis namespace the harness owns. */
    public static final String REDIS_NAMESPACE = "pgsbench";
    /** Default PostgreSQL URL: the {@code test} database of the local server. */
    public static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    /** Default PostgreSQL user (trust authentication on loopback). */
    public static final String DEFAULT_DB_USER = "postgres";
    /** Default Redis URI. */
    public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379/0";

    private Stores() {
    }

    /** The default SQLite file: {@code ${java.io.tmpdir}/pgs-bench/pgs.db}. */
    public static Path sqlitePath(Options o) {
        return Path.of(o.str("sqlite-path", Path.of(System.getProperty("java.io.tmpdir"), "pgs-bench", "pgs.db")
                .toString()));
    }

    /** The store name, lower case. */
    public static String name(Options o, String def) {
        return o.str("store", def).toLowerCase(Locale.ROOT);
    }

    /**
     * Opens an empty store named {@code store} and records its settings in {@code json}.
     *
     * @throws IllegalArgumentException for an unknown store name
     */
    public static Storage openEmpty(String store, Options o, JsonLine json) throws Exception {
        return switch (store) {
            case "memory" -> new InMemoryStorage();
            case "sqlite" -> {
                Path file = sqlitePath(o);
                deleteSqlite(file);
                SqliteOptions.Builder b = SqliteStorage.builder(file)
                        .synchronous(SqliteOptions.Synchronous.valueOf(
                                o.str("sqlite-sync", "FULL").toUpperCase(Locale.ROOT)));
                if (o.has("max-batch")) {
                    b.maxBatch(o.integer("max-batch", SqliteOptions.DEFAULT_MAX_BATCH));
                }
                if (o.has("max-wait-us")) {
                    b.maxWait(maxWait(o));
                }
                b.pageSize(o.integer("sqlite-page-size", SqliteOptions.DEFAULT_PAGE_SIZE));
                b.checkpointBytes(o.integer("sqlite-checkpoint-kib",
                        (int) (SqliteOptions.DEFAULT_CHECKPOINT_BYTES / 1024)) * 1024L);
                SqliteStorage s = b.open();
                json.put("sqlite_synchronous", s.options().synchronous().name())
                        .put("sqlite_page_size", s.options().pageSize())
                        .put("sqlite_checkpoint_kib", s.options().checkpointBytes() / 1024)
                        .put("max_batch", s.options().maxBatch())
                        .put("max_wait_us", s.options().maxWait().toNanos() / 1000)
                        .put("sqlite_jdbc", JsonLine.version("sqlite-jdbc.version"));
                yield s;
            }
            case "postgres" -> {
                String url = o.str("db-url", DEFAULT_DB_URL);
                String user = o.str("db-user", DEFAULT_DB_USER);
                String password = o.str("db-password", null);
                try (Connection c = DriverManager.getConnection(url, user, password);
                     Statement st = c.createStatement()) {
                    st.execute("DROP TABLE IF EXISTS \"public\".\"" + PG_TABLE + "\"");
                }
                PostgresOptions.Builder b = PostgresOptions.builder().table(PG_TABLE);
                if (o.has("pool")) {
                    b.poolSize(o.integer("pool", PostgresOptions.DEFAULT_POOL_SIZE));
                }
                if (o.has("writers")) {
                    b.writers(o.integer("writers", PostgresOptions.DEFAULT_WRITERS));
                }
                if (o.has("max-batch")) {
                    b.maxBatch(o.integer("max-batch", PostgresOptions.DEFAULT_MAX_BATCH));
                }
                if (o.has("max-wait-us")) {
                    b.maxWait(maxWait(o));
                }
                PostgresStorage s = PostgresStorage.open(url, user, password, b.build());
                checkpoint(o);
                json.put("pool", s.options().poolSize()).put("writers", s.options().writers())
                        .put("max_batch", s.options().maxBatch())
                        .put("max_wait_us", s.options().maxWait().toNanos() / 1000)
                        .put("pgjdbc", JsonLine.version("pgjdbc.version"))
                        .put("hikaricp", JsonLine.version("hikaricp.version"));
                yield s;
            }
            case "redis" -> {
                String uri = o.str("redis-uri", DEFAULT_REDIS_URI);
                deleteRedisKeys(uri, REDIS_NAMESPACE + ":*");
                RedisOptions.Builder b = RedisOptions.builder().namespace(REDIS_NAMESPACE);
                if (o.has("writers")) {
                    b.writers(o.integer("writers", RedisOptions.DEFAULT_WRITERS));
                }
                if (o.has("max-batch")) {
                    b.maxBatch(o.integer("max-batch", RedisOptions.DEFAULT_MAX_BATCH));
                }
                if (o.has("max-wait-us")) {
                    b.maxWait(maxWait(o));
                }
                RedisStorage s = RedisStorage.open(uri, b.build());
                json.put("writers", s.options().writers()).put("max_batch", s.options().maxBatch())
                        .put("max_wait_us", s.options().maxWait().toNanos() / 1000)
                        .put("lettuce", JsonLine.version("lettuce.version"))
                        .put("redis_appendonly", redisConfig(uri, "appendonly"))
                        .put("redis_appendfsync", redisConfig(uri, "appendfsync"));
                yield s;
            }
            default -> throw new IllegalArgumentException("--store must be memory, sqlite, postgres or redis: " + store);
        };
    }

    private static Duration maxWait(Options o) {
        return Duration.ofNanos((long) (o.decimal("max-wait-us", 0) * 1000));
    }

    /** {@code CHECKPOINT} on PostgreSQL (as the peers do before measuring); a refusal is only a warning. */
    public static void checkpoint(Options o) {
        try (Connection c = DriverManager.getConnection(o.str("db-url", DEFAULT_DB_URL),
                o.str("db-user", DEFAULT_DB_USER), o.str("db-password", null));
             Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("WARN: CHECKPOINT failed (the role needs pg_checkpoint): " + e.getMessage());
        }
    }

    /**
     * Reads every stored counter through the SPI (list, then load in pages) and decodes it with the codec.
     *
     * @return {rows, sum of counts}
     */
    public static long[] sumCounts(Storage storage, StateCodec codec) {
        long rows = 0;
        long sum = 0;
        String after = null;
        do {
            KeyPage page = storage.list(Counter.TYPE, after, 1000);
            List<ServerId> ids = new ArrayList<>(page.keys().size());
            page.keys().forEach(k -> ids.add(new ServerId(Counter.TYPE, k)));
            for (Map.Entry<ServerId, StoredState> e : storage.loadAll(ids).entrySet()) {
                if (e.getValue().hasPayload()) {
                    Counter.State s = (Counter.State) codec.decode(e.getValue().payload(), Counter.State.class, null);
                    rows++;
                    sum += s.count();
                }
            }
            after = page.nextAfter();
        } while (after != null);
        return new long[] {rows, sum};
    }

    static void deleteSqlite(Path file) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            Files.deleteIfExists(Path.of(file + suffix));
        }
    }

    /** Deletes every key matching {@code pattern} with SCAN + UNLINK. */
    static void deleteRedisKeys(String uri, String pattern) {
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

    static String redisConfig(String uri, String parameter) {
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
