package io.github.pgs.bench.peers.limits;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.bench.BenchSupport;
import io.github.pgs.bench.ClosedLoop;
import io.github.pgs.bench.Endpoints;
import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.Options;
import io.github.pgs.bench.WarmupAnalyze;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What PostgreSQL itself does on the counter workload: pgjdbc + HikariCP, no framework, table
 * {@value #TABLE} {@code (key varchar(255) primary key, count bigint not null)}, keys {@code Counter|<n>}.
 * {@code "impl":"jdbc-limit"}.
 *
 * <ul>
 *   <li><b>S1-limit-autocommit</b>: C threads, a pool of C connections, each call one
 *       {@code INSERT ... ON CONFLICT (key) DO UPDATE SET count = t.count + 1 RETURNING count} in autocommit;
 *       verified by the sum of counts.</li>
 *   <li><b>S1-limit-groupcommit</b>: the same increments, B per transaction: {@code --batch-style=jdbc-batch}
 *       (B single-row UPSERTs in one JDBC batch, sorted keys) or {@code unnest} (one multi-row UPSERT, duplicates
 *       pre-aggregated). With {@code --partition=true} (default) caller i draws only keys {@code k % C == i}, so
 *       concurrent transactions never wait on each other's row locks, as servers that own their keys.
 *       Reports increments/s, commits/s and per-batch latency. An upper bound: no replies, no versions.</li>
 *   <li><b>S2-limit</b>: N rows at 1, then one {@code SELECT count ... WHERE key = ?} per key in random order,
 *       C threads; every value must be 1.</li>
 * </ul>
 */
public final class PostgresLimits {

    static final String TABLE = "peer_counter";
    private static final String KEY_PREFIX = "Counter|";
    private static final String UPSERT_RETURNING = "INSERT INTO " + TABLE + " AS t (key, count) VALUES (?, 1) "
            + "ON CONFLICT (key) DO UPDATE SET count = t.count + 1 RETURNING count";
    private static final String UPSERT = "INSERT INTO " + TABLE + " AS t (key, count) VALUES (?, 1) "
            + "ON CONFLICT (key) DO UPDATE SET count = t.count + 1";
    private static final String UPSERT_UNNEST = "INSERT INTO " + TABLE + " AS t (key, count) "
            + "SELECT * FROM unnest(?::text[], ?::bigint[]) "
            + "ON CONFLICT (key) DO UPDATE SET count = t.count + excluded.count";
    private static final String SELECT = "SELECT count FROM " + TABLE + " WHERE key = ?";

    private final Options o;
    private final ClosedLoop.Mode mode;

    public PostgresLimits(Options o) {
        this.o = o;
        this.mode = ClosedLoop.Mode.parse(o.str("callers", "threads"));
        if (mode == ClosedLoop.Mode.ASYNC) {
            throw new IllegalArgumentException("the JDBC limits block: --callers=threads or vthreads");
        }
    }

    HikariDataSource pool(int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(o.str("db-url", Endpoints.DEFAULT_DB_URL));
        hc.setUsername(o.str("db-user", Endpoints.DEFAULT_DB_USER));
        hc.setPassword(o.str("db-password", null));
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(size);
        hc.setAutoCommit(true);
        hc.setPoolName("limit");
        return new HikariDataSource(hc);
    }

    private static void reset(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + TABLE
                    + " (key VARCHAR(255) PRIMARY KEY, count BIGINT NOT NULL)");
            st.execute("TRUNCATE " + TABLE);
        }
    }

    /** {rows, sum of counts}. */
    private static long[] sums(HikariDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(count), 0) FROM " + TABLE)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    JsonLine base(String scenario, int callers, int pool) {
        return new JsonLine()
                .put("impl", "jdbc-limit")
                .put("scenario", scenario)
                .put("callers_mode", mode.label())
                .put("C", callers)
                .put("pool", pool)
                .put("pgjdbc", JsonLine.version("pgjdbc.version"))
                .put("hikaricp", JsonLine.version("hikaricp.version"))
                .put("jdk", System.getProperty("java.runtime.version"))
                .put("cpus", Runtime.getRuntime().availableProcessors());
    }

    // ---------------------------------------------------------------- S1-limit-autocommit

    /** One UPSERT ... RETURNING per call, autocommit. */
    public JsonLine autocommit() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        int poolSize = o.integer("pool", c);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        try (HikariDataSource ds = pool(poolSize)) {
            reset(ds);
            Endpoints.checkpoint(o);
            WarmupAnalyze analyze = WarmupAnalyze.start(o, "postgres", warm, TABLE);
            ClosedLoop.Result r;
            try (analyze) {
                r = new ClosedLoop(c, mode, 60_000).timed(i -> {
                    try (Connection conn = ds.getConnection();
                         PreparedStatement ps = conn.prepareStatement(UPSERT_RETURNING)) {
                        ps.setString(1, KEY_PREFIX + ThreadLocalRandom.current().nextInt(k));
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            rs.getLong(1);
                        }
                    }
                }, null, warm, dur);
            }
            long[] sums = sums(ds);
            return analyze.finish(base("S1-limit-autocommit", c, poolSize))
                    .put("K", k).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("db_rows", sums[0]).put("db_sum_count", sums[1])
                    .put("verify", sums[1] == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        }
    }

    // ---------------------------------------------------------------- S1-limit-groupcommit

    /** B increments per transaction, C transactions at once. */
    public JsonLine groupcommit() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        int poolSize = o.integer("pool", c);
        int b = o.integer("B", 256);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String style = o.str("batch-style", "jdbc-batch").toLowerCase(Locale.ROOT);
        boolean partition = o.bool("partition", true);
        IntSupplier randomKey = partition ? partitionedKeys(k, c) : () -> ThreadLocalRandom.current().nextInt(k);
        try (HikariDataSource ds = pool(poolSize)) {
            ClosedLoop.BlockingOp batch = switch (style) {
                case "jdbc-batch" -> i -> jdbcBatch(ds, b, randomKey);
                case "unnest" -> i -> unnest(ds, b, randomKey);
                default -> throw new IllegalArgumentException("--batch-style must be jdbc-batch or unnest: " + style);
            };
            reset(ds);
            Endpoints.checkpoint(o);
            WarmupAnalyze analyze = WarmupAnalyze.start(o, "postgres", warm, TABLE);
            ClosedLoop.Result r;
            try (analyze) {
                r = new ClosedLoop(c, mode, 60_000).timed(batch, null, warm, dur);
            }
            long[] sums = sums(ds);
            long acked = r.totalOk() * b;
            return analyze.finish(base("S1-limit-groupcommit", c, poolSize))
                    .put("K", k).put("B", b).put("batch_style", style).put("partitioned_keys", partition)
                    .put("warmup_s", warm).put("duration_s", dur)
                    .put("increments", r.ok() * b).put("increments_per_s", Math.round(r.ok() * b / r.seconds()))
                    .put("commits_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("batch_", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", acked).put("db_rows", sums[0]).put("db_sum_count", sums[1])
                    .put("verify", sums[1] == acked && r.totalErrors() == 0 ? "ok" : "mismatch");
        }
    }

    /**
     * Keys drawn from the caller's own partition ({@code key % callers == caller}); each caller thread takes the
     * next caller number on its first draw.
     */
    static IntSupplier partitionedKeys(int k, int callers) {
        AtomicInteger ids = new AtomicInteger();
        ThreadLocal<Integer> caller = ThreadLocal.withInitial(() -> ids.getAndIncrement() % callers);
        return () -> {
            int p = caller.get();
            int size = (k - p + callers - 1) / callers;
            return p + callers * ThreadLocalRandom.current().nextInt(size);
        };
    }

    /** B single-row UPSERTs in one JDBC batch, keys sorted so that transactions lock rows in one order. */
    private static void jdbcBatch(HikariDataSource ds, int b, IntSupplier randomKey) throws SQLException {
        String[] keys = new String[b];
        for (int x = 0; x < b; x++) {
            keys[x] = KEY_PREFIX + randomKey.getAsInt();
        }
        Arrays.sort(keys);
        inTransaction(ds, conn -> {
            try (PreparedStatement ps = conn.prepareStatement(UPSERT)) {
                for (String key : keys) {
                    ps.setString(1, key);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** One multi-row UPSERT of B increments (duplicate keys summed first), one commit. */
    private static void unnest(HikariDataSource ds, int b, IntSupplier randomKey) throws SQLException {
        TreeMap<String, Long> increments = new TreeMap<>();
        for (int x = 0; x < b; x++) {
            increments.merge(KEY_PREFIX + randomKey.getAsInt(), 1L, Long::sum);
        }
        inTransaction(ds, conn -> {
            try (PreparedStatement ps = conn.prepareStatement(UPSERT_UNNEST)) {
                ps.setArray(1, conn.createArrayOf("text", increments.keySet().toArray(new String[0])));
                ps.setArray(2, conn.createArrayOf("bigint", increments.values().toArray(new Long[0])));
                ps.executeUpdate();
            }
        });
    }

    /** Statements run inside one transaction. */
    @FunctionalInterface
    interface SqlWork {
        void run(Connection conn) throws SQLException;
    }

    /** Runs {@code work} in one transaction on a pooled connection: committed, or rolled back and rethrown. */
    static void inTransaction(HikariDataSource ds, SqlWork work) throws SQLException {
        try (Connection conn = ds.getConnection()) {
            conn.setAutoCommit(false);
            try {
                work.run(conn);
                conn.commit();
            } catch (SQLException | RuntimeException e) {
                conn.rollback();
                throw e;
            } finally {
                conn.setAutoCommit(true);
            }
        }
    }

    // ---------------------------------------------------------------- S2-limit

    /** One SELECT by key per row, N rows in random order. */
    public JsonLine reads() throws Exception {
        int n = o.integer("N", 100_000);
        int c = o.integer("C", 64);
        int poolSize = o.integer("pool", c);
        int warmN = o.integer("warm-entities", Math.min(20_000, n));
        try (HikariDataSource ds = pool(poolSize)) {
            reset(ds);
            try (Connection conn = ds.getConnection()) {
                seed(conn, "s2-", n);
                seed(conn, "w-", warmN);
                try (Statement st = conn.createStatement()) {
                    st.execute("ANALYZE " + TABLE);
                }
            }
            Endpoints.checkpoint(o);
            LongAdder wrongWarm = new LongAdder();
            if (warmN > 0) {
                new ClosedLoop(c, mode, 60_000).fixed(i -> read(ds, KEY_PREFIX + "w-" + i, wrongWarm), null, warmN);
            }
            int[] perm = BenchSupport.permutation(n);
            LongAdder wrong = new LongAdder();
            ClosedLoop.Result r = new ClosedLoop(c, mode, 60_000)
                    .fixed(i -> read(ds, KEY_PREFIX + "s2-" + perm[i], wrong), null, n);
            return base("S2-limit", c, poolSize)
                    .put("N", n).put("warm_entities", warmN)
                    .put("rows", r.ok()).put("seconds", BenchSupport.round(r.seconds(), 3))
                    .put("rows_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.errors()).put("wrong_values", wrong.sum())
                    .put("warm_wrong_values", wrongWarm.sum()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("verify", r.ok() == n && wrong.sum() == 0 && r.errors() == 0 ? "ok" : "mismatch");
        }
    }

    private static void seed(Connection conn, String prefix, int n) throws SQLException {
        if (n == 0) {
            return;
        }
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO " + TABLE + " SELECT ? || i, 1 FROM generate_series(0, ?) AS i")) {
            ps.setString(1, KEY_PREFIX + prefix);
            ps.setInt(2, n - 1);
            ps.executeUpdate();
        }
    }

    private static void read(HikariDataSource ds, String key, LongAdder wrong) throws SQLException {
        try (Connection conn = ds.getConnection(); PreparedStatement ps = conn.prepareStatement(SELECT)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(1) != 1L) {
                    wrong.increment();
                }
            }
        }
    }
}
