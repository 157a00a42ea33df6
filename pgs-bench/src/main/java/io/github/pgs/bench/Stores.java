package io.github.pgs.bench;

import io.github.pgs.ServerId;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.store.InMemoryStorage;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

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
 * {@code --sqlite-page-size}, {@code --sqlite-checkpoint-kib}, {@code --sqlite-cache-kib}.
 */
public final class Stores {

    /** The PostgreSQL table the harness owns. */
    public static final String PG_TABLE = "pgs_bench_state";
    /** The Redis namespace the harness owns. */
    public static final String REDIS_NAMESPACE = "pgsbench";

    private Stores() {
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
        return open(store, o, json, null, true);
    }

    /** The SQLite file of a data set: {@code --sqlite-path}, or {@code <name>.db} beside it. */
    public static Path sqliteFile(Options o, String dataSet) {
        Path file = Endpoints.sqlitePath(o);
        return dataSet == null ? file : file.resolveSibling(dataSet + ".db");
    }

    /** The PostgreSQL table of a data set: {@value #PG_TABLE}, or {@value #PG_TABLE}{@code _<name>}. */
    public static String pgTable(String dataSet) {
        return dataSet == null ? PG_TABLE : PG_TABLE + "_" + dataSet;
    }

    /**
     * Opens the store named {@code store} for the data set {@code dataSet} ({@code null}: the default file, table
     * and namespace; else a file, table and namespace of its own, which a long run can keep between JVMs), empty
     * first if {@code empty}, and records its settings in {@code json}.
     *
     * @throws IllegalArgumentException for an unknown store name
     */
    public static Storage open(String store, Options o, JsonLine json, String dataSet, boolean empty)
            throws Exception {
        return switch (store) {
            case "memory" -> new InMemoryStorage();
            case "sqlite" -> {
                Path file = sqliteFile(o, dataSet);
                if (empty) {
                    Endpoints.deleteSqlite(file);
                }
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
                b.writerCacheBytes(o.integer("sqlite-cache-kib",
                        (int) (SqliteOptions.DEFAULT_WRITER_CACHE_BYTES / 1024)) * 1024L);
                SqliteStorage s = b.open();
                json.put("sqlite_synchronous", s.options().synchronous().name())
                        .put("sqlite_page_size", s.options().pageSize())
                        .put("sqlite_checkpoint_kib", s.options().checkpointBytes() / 1024)
                        .put("sqlite_cache_kib", s.options().writerCacheBytes() / 1024)
                        .put("max_batch", s.options().maxBatch())
                        .put("max_wait_us", s.options().maxWait().toNanos() / 1000)
                        .put("sqlite_jdbc", JsonLine.version("sqlite-jdbc.version"));
                yield s;
            }
            case "postgres" -> {
                String url = o.str("db-url", Endpoints.DEFAULT_DB_URL);
                String user = o.str("db-user", Endpoints.DEFAULT_DB_USER);
                String password = o.str("db-password", null);
                String table = pgTable(dataSet);
                if (empty) {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                         Statement st = c.createStatement()) {
                        st.execute("DROP TABLE IF EXISTS \"public\".\"" + table + "\"");
                    }
                }
                PostgresOptions.Builder b = PostgresOptions.builder().table(table);
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
                Endpoints.checkpoint(o);
                json.put("pool", s.options().poolSize()).put("writers", s.options().writers())
                        .put("max_batch", s.options().maxBatch())
                        .put("max_wait_us", s.options().maxWait().toNanos() / 1000)
                        .put("pgjdbc", JsonLine.version("pgjdbc.version"))
                        .put("hikaricp", JsonLine.version("hikaricp.version"));
                yield s;
            }
            case "redis" -> {
                String uri = o.str("redis-uri", Endpoints.DEFAULT_REDIS_URI);
                String namespace = dataSet == null ? REDIS_NAMESPACE : REDIS_NAMESPACE + "-" + dataSet;
                if (empty) {
                    Endpoints.deleteRedisKeys(uri, namespace + ":*");
                }
                RedisOptions.Builder b = RedisOptions.builder().namespace(namespace);
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
                        .put("redis_appendonly", Endpoints.redisConfig(uri, "appendonly"))
                        .put("redis_appendfsync", Endpoints.redisConfig(uri, "appendfsync"));
                yield s;
            }
            default -> throw new IllegalArgumentException("--store must be memory, sqlite, postgres or redis: " + store);
        };
    }

    private static Duration maxWait(Options o) {
        return Duration.ofNanos((long) (o.decimal("max-wait-us", 0) * 1000));
    }

    /**
     * Bytes the data set takes in the store: SQLite the file and its log; PostgreSQL
     * {@code pg_total_relation_size} of the table (indexes and TOAST included) plus its history table; -1 for the
     * others.
     */
    public static long bytes(String store, Options o, String dataSet) throws Exception {
        return switch (store) {
            case "sqlite" -> Endpoints.sqliteBytes(sqliteFile(o, dataSet));
            case "postgres" -> {
                try (Connection c = Endpoints.postgres(o); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT coalesce(pg_total_relation_size(to_regclass('public."
                             + pgTable(dataSet) + "')), 0) + coalesce(pg_total_relation_size(to_regclass('public."
                             + pgTable(dataSet) + "_history')), 0)")) {
                    rs.next();
                    yield rs.getLong(1);
                }
            }
            default -> -1;
        };
    }

    /**
     * Reads every stored counter through the SPI (list, then load in pages) and decodes it with the codec.
     *
     * @return {rows, sum of counts}
     */
    public static long[] sumCounts(Storage storage, StateCodec codec) {
        long[] sums = new long[2];
        forEachStored(storage, codec, Counter.TYPE, Counter.State.class, (key, s) -> {
            sums[0]++;
            sums[1] += s.count();
        });
        return sums;
    }

    /**
     * Calls {@code action} with the key and decoded state of every live state of {@code type} in the store, in key
     * order: listed and loaded through the SPI in pages of 1,000.
     */
    public static <S> void forEachStored(Storage storage, StateCodec codec, String type, Class<S> stateClass,
                                         BiConsumer<String, S> action) {
        KeyCursor after = null;
        do {
            KeyPage page = storage.list(type, after, 1000);
            List<ServerId> ids = new ArrayList<>(page.keys().size());
            page.keys().forEach(k -> ids.add(new ServerId(type, k)));
            for (Map.Entry<ServerId, StoredState> e : storage.loadAll(ids).entrySet()) {
                if (e.getValue().hasPayload()) {
                    action.accept(e.getKey().key(), stateClass.cast(codec.decode(e.getValue().payload(), stateClass,
                            null)));
                }
            }
            after = page.next();
        } while (after != null);
    }
}
