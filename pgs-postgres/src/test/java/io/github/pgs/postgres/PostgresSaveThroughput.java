package io.github.pgs.postgres;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Save throughput of {@link PostgresStorage}: {@code threads} callers on virtual threads, each owning a share of
 * {@code keys} keys and saving them round-robin with sequential versions (like servers that each have one
 * write in flight), for {@code seconds} after a warm-up; every configuration is run {@code runs} times on an
 * emptied table and the median is reported.
 *
 * <pre>
 * mvn -q -pl pgs-postgres test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.github.pgs.postgres.PostgresSaveThroughput \
 *     -Dexec.args="--threads=1,64 --maxBatch=1,256 --writers=4 --seconds=10 --runs=3"
 * </pre>
 * Options (lists are comma-separated; every combination is run): {@code --threads}, {@code --maxBatch},
 * {@code --writers}, {@code --depth} (history depth of every save, default 0), {@code --pool} (default writers + 8),
 * {@code --keys} (10000), {@code --payload} bytes (100),
 * {@code --seconds} (10), {@code --warmup} seconds per run (2), {@code --runs} (3), {@code --jvmWarmup}
 * seconds of one unreported run before all others (8). Connection: system properties
 * {@code pgs.pg.url}, {@code pgs.pg.user}, {@code pgs.pg.password}. Prints one JSON line per run, then a
 * table of medians. Besides throughput it reports CPU time per save of this JVM and of the pool's PostgreSQL
 * backends (read from /proc, so only when the server runs on this host): on a shared machine those vary far
 * less than throughput. Maven's own JVM runs the class, so it must be JDK 21 or newer
 * ({@code JAVA_HOME=/path/to/jdk-21+ mvn ...}).
 */
public final class PostgresSaveThroughput {

    private static final String SCHEMA = "pgs_bench";
    private static final String TABLE = "pgs_bench_state";
    private static final String TYPE = "Counter";
    private static final String APP = "pgs-bench";
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private PostgresSaveThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (String arg : args) {
            for (String part : arg.trim().split("\\s+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!part.startsWith("--") || !part.contains("=")) {
                    throw new IllegalArgumentException("expected --name=value: " + part);
                }
                a.put(part.substring(2, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
            }
        }
        int[] threads = ints(a.getOrDefault("threads", "1,64"));
        int[] batches = ints(a.getOrDefault("maxBatch", "1," + PostgresOptions.DEFAULT_MAX_BATCH));
        int[] writers = ints(a.getOrDefault("writers", Integer.toString(PostgresOptions.DEFAULT_WRITERS)));
        int[] depths = ints(a.getOrDefault("depth", "0"));
        String pool = a.get("pool");
        int keys = Integer.parseInt(a.getOrDefault("keys", "10000"));
        int payload = Integer.parseInt(a.getOrDefault("payload", "100"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
        int runs = Integer.parseInt(a.getOrDefault("runs", "3"));

        int jvmWarmup = Integer.parseInt(a.getOrDefault("jvmWarmup", "8"));
        if (jvmWarmup > 0) { // compiles the hot paths once, so that the first configuration is not penalized
            run(PostgresOptions.builder().schema(SCHEMA).table(TABLE).writers(writers[0]).build(),
                    Arrays.stream(threads).max().orElse(1), keys, payload, depths[0], 0, jvmWarmup);
        }
        List<String> summary = new ArrayList<>();
        for (int w : writers) {
            for (int d : depths) {
                for (int b : batches) {
                    for (int t : threads) {
                        PostgresOptions options = PostgresOptions.builder().schema(SCHEMA).table(TABLE).writers(w)
                                .maxBatch(b).poolSize(pool == null ? w + 8 : Integer.parseInt(pool)).build();
                        summary.add(measure(options, d, t, keys, payload, warmup, seconds, runs));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| writers | depth | maxBatch | threads | saves/s (median) | runs | db commits/s (median)"
                + " | JVM CPU µs/save | PG backend CPU µs/save |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    /** Runs one configuration {@code runs} times, printing each run as JSON; returns its summary table row. */
    private static String measure(PostgresOptions options, int depth, int threads, int keys, int payload, int warmup,
                                  int seconds, int runs) throws Exception {
        double[] rates = new double[runs];
        double[] commits = new double[runs];
        double[] jvmCpu = new double[runs];
        double[] pgCpu = new double[runs];
        int w = options.writers();
        int b = options.maxBatch();
        for (int r = 0; r < runs; r++) {
            double[] result = run(options, threads, keys, payload, depth, warmup, seconds);
            rates[r] = result[0];
            commits[r] = result[1];
            jvmCpu[r] = result[2];
            pgCpu[r] = result[3];
            System.out.printf("{\"writers\":%d,\"depth\":%d,\"maxBatch\":%d,\"threads\":%d,\"keys\":%d,"
                            + "\"payload\":%d,\"seconds\":%d,\"run\":%d,\"saves_per_s\":%.0f,"
                            + "\"db_commits_per_s\":%.0f,\"jvm_cpu_us_per_save\":%.1f,"
                            + "\"pg_backend_cpu_us_per_save\":%.1f,\"load_avg\":%.1f}%n",
                    w, depth, b, threads, keys, payload, seconds, r + 1, result[0], result[1], result[2], result[3],
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
        return String.format("| %d | %d | %d | %d | %,.0f | %s | %,.0f | %.1f | %.1f |", w, depth, b, threads,
                median(rates), Arrays.stream(rates).mapToObj(x -> String.format("%,.0f", x)).toList(),
                median(commits), median(jvmCpu), median(pgCpu));
    }

    /**
     * Returns {saves per second, database commits per second, JVM CPU microseconds per save, CPU microseconds
     * per save of the store's PostgreSQL backends (-1 where /proc cannot tell)} of one measured window. CPU per
     * save is much less disturbed by other load on the machine than throughput.
     */
    private static double[] run(PostgresOptions options, int threads, int keys, int payloadBytes, int depth,
                                int warmup, int seconds) throws Exception {
        String url = PgTestSupport.url() + (PgTestSupport.url().contains("?") ? "&" : "?") + "ApplicationName=" + APP;
        try (PostgresStorage store = PostgresStorage.open(url, PgTestSupport.user(),
                PgTestSupport.password(), options)) {
            // Both tables: history rows left by a run with a depth would make the next run's store keep history.
            admin("TRUNCATE " + options.qualifiedTable() + ", " + options.qualifiedHistoryTable());
            admin("CHECKPOINT");
            byte[] payload = new byte[payloadBytes];
            ThreadLocalRandom.current().nextBytes(payload);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLongArray done = new AtomicLongArray(threads * 16); // one padded slot per caller
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int caller = t;
                callers.add(Thread.ofVirtual().name("caller-" + t).start(() -> {
                    List<ServerId> own = new ArrayList<>();
                    for (int k = caller; k < keys; k += threads) {
                        own.add(new ServerId(TYPE, "counter-" + k));
                    }
                    long[] versions = new long[own.size()];
                    long n = 0;
                    for (int i = 0; !stop.get(); i = (i + 1) % own.size()) {
                        versions[i] = store.save(new StateWrite(own.get(i), versions[i], payload, 1, depth));
                        done.lazySet(caller * 16, ++n);
                    }
                }));
            }
            Thread.sleep(warmup * 1000L);
            List<Long> backends = backendPids();
            long pg0 = ticks(backends);
            long jvm0 = jvmCpuNanos();
            long saves0 = sum(done, threads);
            long commits0 = commits();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            long saves1 = sum(done, threads);
            long jvm1 = jvmCpuNanos();
            long pg1 = ticks(backends);
            long commits1 = commits();
            double elapsed = (System.nanoTime() - t0) / 1e9;
            double saves = Math.max(1, saves1 - saves0);
            stop.set(true);
            for (Thread c : callers) {
                c.join();
            }
            return new double[] {(saves1 - saves0) / elapsed, (commits1 - commits0) / elapsed,
                    (jvm1 - jvm0) / 1e3 / saves,
                    pg0 < 0 || pg1 < 0 ? -1 : (pg1 - pg0) * (1e6 / CLOCK_TICKS_PER_SECOND) / saves};
        }
    }

    private static long jvmCpuNanos() {
        long ticks = ticks(List.of(ProcessHandle.current().pid()));
        return ticks < 0 ? -1 : ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** The server processes of the store's pool (found by application name). */
    private static List<Long> backendPids() throws SQLException {
        List<Long> pids = new ArrayList<>();
        try (Connection c = PgTestSupport.plainDataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = '" + APP + "'")) {
            while (rs.next()) {
                pids.add(rs.getLong(1));
            }
        }
        return pids;
    }

    /** User + system CPU clock ticks of {@code pids}, or -1 when /proc is not readable (another host). */
    private static long ticks(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
            } catch (Exception e) {
                return -1;
            }
        }
        return total;
    }

    private static long sum(AtomicLongArray done, int threads) {
        long s = 0;
        for (int t = 0; t < threads; t++) {
            s += done.get(t * 16);
        }
        return s;
    }

    /** Committed transactions of the current database (includes other sessions' work). */
    private static long commits() throws SQLException {
        try (Connection c = PgTestSupport.plainDataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = s.executeQuery(
                    "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void admin(String sql) {
        try {
            PgTestSupport.execute(sql);
        } catch (SQLException e) {
            System.err.println("(skipped " + sql + ": " + e.getMessage() + ")");
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
