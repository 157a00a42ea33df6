package io.github.pgs.bench.peers.limits;

import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.bench.ClosedLoop;
import io.github.pgs.bench.Costs;
import io.github.pgs.bench.Endpoints;
import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.Options;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stores' own limits for S6: the same payloads as our ledgers ({@link LedgerPayloads}, {@code --state-bytes},
 * default 8,192; each write changes one field of a random entry), written the way our stores write them but without the library (no runtime, no encoding, no
 * version check): one row per key ({@code key, version, payload}), {@code version} incremented by each write, at
 * most C rows in flight (C closed-loop callers can have no more writes outstanding). Reports rows/s, commits/s,
 * per-batch latency, and per row the CPU and bytes written ({@link Costs}); verified by the sum of the stored
 * versions against the acknowledged rows.
 *
 * <ul>
 *   <li><b>S6-limit-sqlite</b>: one writer connection (SQLite has one writer), WAL, {@code synchronous=FULL},
 *       table {@code WITHOUT ROWID} like our store's, pages of {@code --sqlite-page-size} (default 4096), a page
 *       cache of {@code --sqlite-cache-kib} (default 32 MiB, as our store's writer), each transaction B = C
 *       single-row UPSERTs on random keys.</li>
 *   <li><b>S6-limit-postgres</b>: {@code --writers} connections (default 2, our store's default), each running
 *       transactions of B = C / writers rows as one multi-row {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT
 *       DO UPDATE} on distinct keys of its own partition (so writers never wait on each other's row locks).</li>
 * </ul>
 */
public final class BigStateLimits {

    private final Options o;

    public BigStateLimits(Options o) {
        this.o = o;
    }

    private JsonLine line(String impl, int k, int c, int b, int writers, LedgerPayloads payloads, double warm,
                          double dur, ClosedLoop.Result r, long[] sums) {
        long rows = r.ok() * b;
        long acked = r.totalOk() * b;
        JsonLine json = new JsonLine()
                .put("impl", impl).put("scenario", "S6-limit").put("callers_mode", "threads")
                .put("jdk", System.getProperty("java.runtime.version"))
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("K", k).put("C", c).put("B", b).put("writers", writers)
                .put("state_bytes_target", o.integer("state-bytes", 8_192)).put("state_bytes", payloads.size(0))
                .put("warmup_s", warm).put("duration_s", dur)
                .put("rows", rows).put("rows_per_s", Math.round(rows / r.seconds()))
                .put("commits_per_s", Math.round(r.ok() / r.seconds()))
                .latency("batch_", r.histogram())
                .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct());
        return Costs.describe(json, r.costsAtStart(), r.costsAtEnd(), rows)
                .put("acked_total", acked).put("db_rows", sums[0]).put("db_sum_version", sums[1])
                .put("verify", sums[1] == acked && r.totalErrors() == 0 ? "ok" : "mismatch");
    }

    // ---------------------------------------------------------------- SQLite

    /** S6-limit-sqlite. */
    public JsonLine sqlite() throws Exception {
        int k = o.integer("K", 1_000);
        int c = o.integer("C", 64);
        int b = o.integer("B", c);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String sync = SqliteLimit.synchronous(o);
        int pageSize = o.integer("sqlite-page-size", 4096);
        LedgerPayloads payloads = new LedgerPayloads(k, o.integer("state-bytes", 8_192));
        Path file = Endpoints.besideSqlite(o, "limit-state.db");
        Endpoints.deleteSqlite(file);
        try (Connection conn = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            String journal = SqliteLimit.prepare(conn, pageSize, sync, SqliteLimit.cacheKib(o));
            try (Statement st = conn.createStatement()) {
                st.execute("CREATE TABLE limit_state (key TEXT PRIMARY KEY, version INTEGER NOT NULL, "
                        + "payload BLOB NOT NULL) WITHOUT ROWID");
            }
            conn.setAutoCommit(false);
            try (PreparedStatement upsert = conn.prepareStatement("INSERT INTO limit_state (key, version, payload) "
                    + "VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET version = version + 1, "
                    + "payload = excluded.payload")) {
                ClosedLoop.Result r = new ClosedLoop(1, ClosedLoop.Mode.THREADS, 60_000).measureCosts(null)
                        .timed(i -> {
                            ThreadLocalRandom rnd = ThreadLocalRandom.current();
                            for (int x = 0; x < b; x++) {
                                int key = rnd.nextInt(k);
                                upsert.setString(1, "Ledger|" + key);
                                upsert.setBytes(2, payloads.nextWrite(key));
                                upsert.addBatch();
                            }
                            try {
                                upsert.executeBatch();
                                conn.commit();
                            } catch (SQLException e) {
                                conn.rollback();
                                throw e;
                            }
                        }, null, warm, dur);
                long[] sums = sums(conn, "limit_state");
                conn.commit();
                return line("sqlite-limit", k, c, b, 1, payloads, warm, dur, r, sums)
                        .put("sqlite_jdbc", JsonLine.version("sqlite-jdbc.version"))
                        .put("journal_mode", journal).put("sqlite_synchronous", sync)
                        .put("sqlite_page_size", pageSize).put("sqlite_cache_kib", SqliteLimit.cacheKib(o));
            }
        } finally {
            Endpoints.deleteSqlite(file);
        }
    }

    /** {rows, sum of versions}. */
    private static long[] sums(Connection conn, String table) throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(version), 0) FROM " + table)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    // ---------------------------------------------------------------- PostgreSQL

    /** S6-limit-postgres. */
    public JsonLine postgres() throws Exception {
        int k = o.integer("K", 1_000);
        int c = o.integer("C", 64);
        int writers = o.integer("writers", 2);
        int b = o.integer("B", Math.max(1, c / writers));
        if (b * writers > k) {
            throw new IllegalArgumentException("--K must be at least B x writers (distinct keys per batch)");
        }
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        LedgerPayloads payloads = new LedgerPayloads(k, o.integer("state-bytes", 8_192));
        AtomicInteger ids = new AtomicInteger();
        ThreadLocal<Integer> writer = ThreadLocal.withInitial(ids::getAndIncrement);
        PostgresLimits pg = new PostgresLimits(o);
        try (HikariDataSource ds = pg.pool(writers)) {
            try (Connection conn = ds.getConnection(); Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS peer_state");
                st.execute("CREATE TABLE peer_state (key text PRIMARY KEY, version bigint NOT NULL, "
                        + "payload bytea NOT NULL) WITH (fillfactor = 80)");
            }
            Endpoints.checkpoint(o);
            String upsert = "INSERT INTO peer_state AS t (key, version, payload) "
                    + "SELECT key, 1, payload FROM unnest(?::text[], ?::bytea[]) AS v(key, payload) "
                    + "ON CONFLICT (key) DO UPDATE SET version = t.version + 1, payload = excluded.payload";
            ClosedLoop.Result r = new ClosedLoop(writers, ClosedLoop.Mode.THREADS, 60_000).measureCosts(o)
                    .timed(i -> {
                        int w = writer.get();
                        int[] keys = distinctKeys(k, writers, w, b);
                        String[] names = new String[b];
                        byte[][] bytes = new byte[b][];
                        for (int x = 0; x < b; x++) {
                            names[x] = "Ledger|" + keys[x];
                            bytes[x] = payloads.nextWrite(keys[x]);
                        }
                        PostgresLimits.inTransaction(ds, conn -> {
                            try (PreparedStatement ps = conn.prepareStatement(upsert)) {
                                ps.setArray(1, conn.createArrayOf("text", names));
                                ps.setArray(2, conn.createArrayOf("bytea", bytes));
                                ps.executeUpdate();
                            }
                        });
                    }, null, warm, dur);
            long[] sums;
            try (Connection conn = ds.getConnection()) {
                sums = sums(conn, "peer_state");
            }
            return line("jdbc-limit", k, c, b, writers, payloads, warm, dur, r, sums)
                    .put("pgjdbc", JsonLine.version("pgjdbc.version"))
                    .put("hikaricp", JsonLine.version("hikaricp.version"));
        }
    }

    /** {@code b} distinct random keys of writer {@code w}'s partition ({@code key % writers == w}). */
    private static int[] distinctKeys(int k, int writers, int w, int b) {
        int size = (k - w + writers - 1) / writers;
        int[] keys = new int[b];
        BitSet taken = new BitSet(size);
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int x = 0; x < b; ) {
            int slot = rnd.nextInt(size);
            if (!taken.get(slot)) {
                taken.set(slot);
                keys[x++] = w + writers * slot;
            }
        }
        return keys;
    }
}
