package io.github.pgs.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What SQLite and Redis themselves can do on the S1 counter workload, without this library: the stores' own
 * limits, measured by the same harness on the same machine (the PostgreSQL limits are the peers'
 * {@code jdbc-limit}).
 *
 * <ul>
 *   <li><b>S1-limit-sqlite</b>: plain JDBC on a SQLite file next to the store's file (same file system), WAL,
 *       {@code synchronous=FULL} (or {@code --sqlite-sync}), SQLite's default 4 KiB pages (or
 *       {@code --sqlite-page-size}); one writer thread (SQLite has one writer) runs
 *       transactions of B single-row UPSERTs on random keys ({@code BEGIN}, JDBC batch, {@code COMMIT})
 *       back to back. B defaults to C: with C closed-loop callers no group commit can carry more than C
 *       writes, so this is the best any library can do for S1 with C callers. Reports increments/s,
 *       commits/s and per-transaction latency, then verifies the sum of counts.</li>
 *   <li><b>S1-limit-redis</b>: C callers on one shared Lettuce connection (so up to C commands are pipelined
 *       on it), each call one {@code INCR} ({@code --redis-op=incr}, default) or one {@code EVALSHA} of a
 *       trivial script doing {@code HINCRBY} on a hash ({@code --redis-op=evalsha}, the shape of one store
 *       write). Reports calls/s and latency, then verifies the sum of counts.</li>
 * </ul>
 */
public final class Limits {

    private static final String SQLITE_UPSERT = "INSERT INTO limit_counter (key, count) VALUES (?, 1) "
            + "ON CONFLICT (key) DO UPDATE SET count = count + 1";
    private static final String REDIS_PREFIX = "pgsbench-limit:Counter|";
    private static final String REDIS_SCRIPT = "return redis.call('HINCRBY', KEYS[1], 'count', 1)";

    private final Options o;

    public Limits(Options o) {
        this.o = o;
    }

    private JsonLine base(String impl, String scenario, ClosedLoop.Mode mode) {
        return new JsonLine()
                .put("impl", impl)
                .put("scenario", scenario)
                .put("callers_mode", mode.label())
                .put("jdk", System.getProperty("java.runtime.version"))
                .put("cpus", Runtime.getRuntime().availableProcessors());
    }

    // ---------------------------------------------------------------- SQLite

    /** S1-limit-sqlite: batched commits of UPSERTs on one writer connection. */
    public JsonLine sqlite() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        int b = o.integer("B", c);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String sync = o.str("sqlite-sync", "FULL").toUpperCase(Locale.ROOT);
        int pageSize = o.integer("sqlite-page-size", 4096);
        if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
            throw new IllegalArgumentException("--sqlite-sync must be FULL or NORMAL");
        }
        Path store = Stores.sqlitePath(o);
        Path file = (store.getParent() == null ? Path.of(".") : store.getParent()).resolve("limit-sqlite.db");
        java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
        Stores.deleteSqlite(file);
        ClosedLoop.Mode mode = ClosedLoop.Mode.THREADS;
        String journal;
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement st = conn.createStatement()) {
                st.execute("PRAGMA page_size=" + pageSize);
                try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                    rs.next();
                    journal = rs.getString(1);
                }
                st.execute("PRAGMA synchronous=" + sync);
                st.execute("CREATE TABLE limit_counter (key TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID");
            }
            conn.setAutoCommit(false);
            PreparedStatement upsert = conn.prepareStatement(SQLITE_UPSERT);
            ClosedLoop.Result r = new ClosedLoop(1, mode, 60_000).timed(i -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int x = 0; x < b; x++) {
                    upsert.setString(1, "Counter|" + rnd.nextInt(k));
                    upsert.addBatch();
                }
                try {
                    upsert.executeBatch();
                    conn.commit();
                } catch (Exception e) {
                    conn.rollback();
                    throw e;
                }
            }, null, warm, dur);
            long sum;
            long rows;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(count), 0) FROM limit_counter")) {
                rs.next();
                rows = rs.getLong(1);
                sum = rs.getLong(2);
            }
            conn.commit();
            upsert.close();
            long acked = r.totalOk() * b;
            return base("sqlite-limit", "S1-limit-sqlite", mode)
                    .put("sqlite_jdbc", JsonLine.version("sqlite-jdbc.version"))
                    .put("journal_mode", journal).put("sqlite_synchronous", sync)
                    .put("sqlite_page_size", pageSize)
                    .put("K", k).put("C", c).put("B", b).put("writers", 1)
                    .put("warmup_s", warm).put("duration_s", dur)
                    .put("increments", r.ok() * b).put("increments_per_s", Math.round(r.ok() * b / r.seconds()))
                    .put("commits_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("batch_", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", acked).put("db_rows", rows).put("db_sum_count", sum)
                    .put("verify", sum == acked && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            Stores.deleteSqlite(file);
        }
    }

    // ---------------------------------------------------------------- Redis

    /** S1-limit-redis: one command per call, C callers pipelining on one connection. */
    public JsonLine redis() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String op = o.str("redis-op", "incr").toLowerCase(Locale.ROOT);
        ClosedLoop.Mode mode = ClosedLoop.Mode.parse(o.str("callers", "threads"));
        String uri = o.str("redis-uri", Stores.DEFAULT_REDIS_URI);
        Stores.deleteRedisKeys(uri, "pgsbench-limit:*");
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            RedisAsyncCommands<String, String> async = conn.async();
            ClosedLoop.BlockingOp blocking;
            ClosedLoop.AsyncOp nonBlocking;
            switch (op) {
                case "incr" -> {
                    blocking = i -> sync.incr(REDIS_PREFIX + ThreadLocalRandom.current().nextInt(k));
                    nonBlocking = i -> async.incr(REDIS_PREFIX + ThreadLocalRandom.current().nextInt(k))
                            .toCompletableFuture();
                }
                case "evalsha" -> {
                    String sha = sync.scriptLoad(REDIS_SCRIPT);
                    blocking = i -> sync.evalsha(sha, ScriptOutputType.INTEGER,
                            REDIS_PREFIX + ThreadLocalRandom.current().nextInt(k));
                    nonBlocking = i -> async.<Long>evalsha(sha, ScriptOutputType.INTEGER,
                            REDIS_PREFIX + ThreadLocalRandom.current().nextInt(k)).toCompletableFuture();
                }
                default -> throw new IllegalArgumentException("--redis-op must be incr or evalsha");
            }
            ClosedLoop.Result r = new ClosedLoop(c, mode, 60_000).timed(blocking, nonBlocking, warm, dur);
            long rows = 0;
            long sum = 0;
            for (int i = 0; i < k; i++) {
                String v = op.equals("incr") ? sync.get(REDIS_PREFIX + i) : sync.hget(REDIS_PREFIX + i, "count");
                if (v != null) {
                    rows++;
                    sum += Long.parseLong(v);
                }
            }
            Stores.deleteRedisKeys(uri, "pgsbench-limit:*");
            return base("redis-limit", "S1-limit-redis", mode)
                    .put("lettuce", JsonLine.version("lettuce.version"))
                    .put("redis_op", op)
                    .put("redis_appendonly", Stores.redisConfig(uri, "appendonly"))
                    .put("redis_appendfsync", Stores.redisConfig(uri, "appendfsync"))
                    .put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("db_rows", rows).put("db_sum_count", sum)
                    .put("verify", sum == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            client.shutdown();
        }
    }
}
