package io.github.pgs.bench.peers.limits;

import io.github.pgs.bench.ClosedLoop;
import io.github.pgs.bench.Endpoints;
import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.Options;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What SQLite itself does on the S1 counter workload: plain JDBC on a file beside the store's file (same file
 * system, {@code limit-sqlite.db}), WAL, {@code synchronous=FULL} (or {@code --sqlite-sync}), SQLite's default
 * 4 KiB pages (or {@code --sqlite-page-size}). One writer thread (SQLite has one writer) runs transactions of B
 * single-row UPSERTs on random keys ({@code BEGIN}, JDBC batch, {@code COMMIT}) back to back. B defaults to C:
 * with C closed-loop callers no group commit carries more than C writes, so this bounds S1 with C callers.
 * Reports increments/s, commits/s and per-transaction latency; verified by the sum of counts.
 * {@code "impl":"sqlite-limit"}.
 */
public final class SqliteLimit {

    private static final String UPSERT = "INSERT INTO limit_counter (key, count) VALUES (?, 1) "
            + "ON CONFLICT (key) DO UPDATE SET count = count + 1";

    private final Options o;

    public SqliteLimit(Options o) {
        this.o = o;
    }

    /** {@code --sqlite-sync}, checked: {@code FULL} or {@code NORMAL}. */
    static String synchronous(Options o) {
        String sync = o.str("sqlite-sync", "FULL").toUpperCase(Locale.ROOT);
        if (!sync.equals("FULL") && !sync.equals("NORMAL")) {
            throw new IllegalArgumentException("--sqlite-sync must be FULL or NORMAL: " + sync);
        }
        return sync;
    }

    /**
     * The page cache of the limit's connection, {@code --sqlite-cache-kib}: by default 32 MiB, as our store's writer
     * ({@code SqliteOptions.DEFAULT_WRITER_CACHE_BYTES}), so that both read the rows they rewrite from memory.
     */
    static int cacheKib(Options o) {
        return o.integer("sqlite-cache-kib", 32 * 1024);
    }

    /**
     * Opens {@code file} in WAL mode with the given page size, sync level and page cache (KiB); returns the journal
     * mode.
     */
    static String prepare(Connection conn, int pageSize, String sync, int cacheKib) throws Exception {
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA page_size=" + pageSize);
            st.execute("PRAGMA synchronous=" + sync);
            st.execute("PRAGMA cache_size=-" + cacheKib);
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** S1-limit-sqlite. */
    public JsonLine run() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        int b = o.integer("B", c);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String sync = synchronous(o);
        int pageSize = o.integer("sqlite-page-size", 4096);
        Path file = Endpoints.besideSqlite(o, "limit-sqlite.db");
        Endpoints.deleteSqlite(file);
        ClosedLoop.Mode mode = ClosedLoop.Mode.THREADS;
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            String journal = prepare(conn, pageSize, sync, cacheKib(o));
            try (Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE limit_counter (key TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID");
            }
            conn.setAutoCommit(false);
            try (PreparedStatement upsert = conn.prepareStatement(UPSERT)) {
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
                long rows;
                long sum;
                try (Statement st = conn.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(count), 0) FROM limit_counter")) {
                    rs.next();
                    rows = rs.getLong(1);
                    sum = rs.getLong(2);
                }
                conn.commit();
                long acked = r.totalOk() * b;
                return new JsonLine()
                        .put("impl", "sqlite-limit").put("scenario", "S1-limit-sqlite")
                        .put("callers_mode", mode.label())
                        .put("jdk", System.getProperty("java.runtime.version"))
                        .put("cpus", Runtime.getRuntime().availableProcessors())
                        .put("sqlite_jdbc", JsonLine.version("sqlite-jdbc.version"))
                        .put("journal_mode", journal).put("sqlite_synchronous", sync)
                        .put("sqlite_page_size", pageSize).put("sqlite_cache_kib", cacheKib(o))
                        .put("K", k).put("C", c).put("B", b).put("writers", 1)
                        .put("warmup_s", warm).put("duration_s", dur)
                        .put("increments", r.ok() * b).put("increments_per_s", Math.round(r.ok() * b / r.seconds()))
                        .put("commits_per_s", Math.round(r.ok() / r.seconds()))
                        .latency("batch_", r.histogram())
                        .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                        .put("acked_total", acked).put("db_rows", rows).put("db_sum_count", sum)
                        .put("verify", sum == acked && r.totalErrors() == 0 ? "ok" : "mismatch");
            }
        } finally {
            Endpoints.deleteSqlite(file);
        }
    }
}
