package io.github.pgs.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code ANALYZE} on the PostgreSQL tables a run writes, once, partway through its warm-up: {@code --analyze-at}
 * is the fraction of the warm-up (default {@value #DEFAULT_AT}; {@code off} for none). Every implementation's run
 * on PostgreSQL does the same.
 *
 * <p>Why: each run starts from a freshly created table, and PostgreSQL plans a statement on a table it has never
 * analyzed from the table's size on disk, tiny at first. pgjdbc server-prepares a statement after five
 * executions, and PostgreSQL can then keep a generic plan made while the table was tiny (a sequential scan and
 * hash join where an index lookup is ten times cheaper) until the table is analyzed, which autovacuum does about
 * a minute after the table has grown. A service that has run for a minute works on analyzed tables; a run with a
 * short warm-up would measure that artefact instead, so each run analyzes its tables before its measured window.
 *
 * <p>The run records {@code analyze_at_s} (seconds after the load started) and {@code analyze_ms}, or
 * {@code analyze_error}: a failed {@code ANALYZE} does not stop the run.
 */
public final class WarmupAnalyze implements AutoCloseable {

    /** The default point of the warm-up, as a fraction of it. */
    public static final double DEFAULT_AT = 0.6;

    private static final WarmupAnalyze NONE = new WarmupAnalyze();

    private final Thread thread;
    private final long startNanos = System.nanoTime();
    private final long delayNanos;
    /** Set by whichever comes first: the analyze starting, or the load ending before it. */
    private final AtomicBoolean decided = new AtomicBoolean();
    private volatile double atSeconds = -1;
    private volatile long tookMillis = -1;
    private volatile String error;

    private WarmupAnalyze() {
        this.thread = null;
        this.delayNanos = 0;
    }

    private WarmupAnalyze(Options o, double delaySeconds, List<String> tables) {
        this.delayNanos = (long) (delaySeconds * 1e9);
        this.thread = Thread.ofPlatform().daemon().name("bench-analyze").start(() -> run(o, tables));
    }

    /**
     * Starts the clock of a run's load on {@code store}: when it is {@code postgres} and {@code --analyze-at} is
     * not {@code off}, {@code tables} (names in the {@code public} schema) are analyzed that far into the warm-up
     * of {@code warmupSeconds}. Start it as the load starts and {@link #finish} it when the load has ended.
     */
    public static WarmupAnalyze start(Options o, String store, double warmupSeconds, String... tables) {
        String at = o.str("analyze-at", Double.toString(DEFAULT_AT));
        if (!"postgres".equals(store) || at.equalsIgnoreCase("off") || tables.length == 0) {
            return NONE;
        }
        double fraction;
        try {
            fraction = Double.parseDouble(at);
        } catch (NumberFormatException e) {
            fraction = Double.NaN;
        }
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--analyze-at must be off or a fraction of the warm-up in [0, 1]: "
                    + at);
        }
        return new WarmupAnalyze(o, fraction * warmupSeconds, List.of(tables));
    }

    private void run(Options o, List<String> tables) {
        try {
            Thread.sleep(delayNanos / 1_000_000);
        } catch (InterruptedException e) {
            return; // the load ended first
        }
        if (!decided.compareAndSet(false, true)) {
            return; // the load ended first
        }
        atSeconds = (System.nanoTime() - startNanos) / 1e9;
        long t0 = System.nanoTime();
        try (Connection c = Endpoints.postgres(o); Statement st = c.createStatement()) {
            for (String table : tables) {
                st.execute("ANALYZE \"public\".\"" + table.replace("\"", "\"\"") + "\"");
            }
            tookMillis = (System.nanoTime() - t0) / 1_000_000;
        } catch (SQLException e) {
            error = e.getMessage();
        }
    }

    /**
     * Waits for the analyze (or cancels it, if the load ended before its time) and records what happened in
     * {@code json}, which it returns.
     */
    public JsonLine finish(JsonLine json) throws InterruptedException {
        if (thread == null) {
            return json;
        }
        close();
        thread.join();
        if (atSeconds < 0) {
            return json.put("analyze_error", "the load ended before the analyze");
        }
        json.put("analyze_at_s", Math.round(atSeconds * 10) / 10.0);
        return error != null ? json.put("analyze_error", error) : json.put("analyze_ms", tookMillis);
    }

    /** Cancels the analyze if its time has not come: the load has ended. */
    @Override
    public void close() {
        if (thread != null && System.nanoTime() - startNanos < delayNanos && decided.compareAndSet(false, true)) {
            thread.interrupt();
        }
    }
}
