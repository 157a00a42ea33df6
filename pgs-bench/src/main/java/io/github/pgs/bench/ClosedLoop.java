package io.github.pgs.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A closed-loop load driver: {@code C} callers, each with exactly one request in flight, as in the peer
 * harnesses. Callers are platform threads or virtual threads blocking on the reply, or asynchronous chains in
 * which the completion of one request issues the next.
 *
 * <p>{@link #timed} runs until stopped and measures a window after a warm-up; {@link #fixed} issues exactly
 * {@code n} requests (index {@code 0..n-1}) and measures all of them. Latencies are recorded in nanoseconds in
 * an HdrHistogram with 3 significant digits. A request that throws (or whose future fails) counts as an error;
 * the first few errors are printed to stderr. One instance runs one load; create a new one per run.
 */
public final class ClosedLoop {

    /** How callers wait. */
    public enum Mode {
        /** Platform threads blocking on the reply. */
        THREADS,
        /** Virtual threads blocking on the reply. */
        VTHREADS,
        /** No caller threads: the completion of a request issues the next one. */
        ASYNC;

        /** Parses {@code threads}, {@code vthreads} or {@code async} (any case). */
        public static Mode parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }

        /** The name used in the JSON output ({@code callers_mode}). */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One blocking request for index {@code i}. */
    @FunctionalInterface
    public interface BlockingOp {
        void run(int i) throws Exception;
    }

    /** One asynchronous request for index {@code i}. */
    @FunctionalInterface
    public interface AsyncOp {
        CompletableFuture<?> start(int i);
    }

    /**
     * What a run measured.
     *
     * @param ok          requests completed in the measured window
     * @param errors      requests failed in the measured window
     * @param seconds     length of the measured window
     * @param histogram   latencies of the requests completed in the window, nanoseconds
     * @param totalOk     requests completed over the whole run, warm-up and drain included
     * @param totalErrors requests failed over the whole run
     * @param cpuBusyPct  machine-wide CPU use during the window
     * @param costsAtStart CPU and bytes written at the window's start ({@code null} unless asked for with
     *                     {@link #measureCosts})
     * @param costsAtEnd   the same at the window's end
     */
    public record Result(long ok, long errors, double seconds, Histogram histogram, long totalOk, long totalErrors,
                         double cpuBusyPct, Costs costsAtStart, Costs costsAtEnd) {

        /** Adds the per-call costs of the window ({@link Costs#describe}), if they were measured. */
        public JsonLine describeCosts(JsonLine json) {
            return costsAtStart == null ? json : Costs.describe(json, costsAtStart, costsAtEnd, ok);
        }
    }

    private static final int ERRORS_PRINTED = 5;

    private final int callers;
    private final Mode mode;
    private final long drainTimeoutMs;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger printed = new AtomicInteger();
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean stop;
    private volatile int limit = Integer.MAX_VALUE;
    private CountDownLatch done;
    private boolean measureCosts;
    private Options postgres;

    /**
     * @param callers        concurrent callers (&ge; 1)
     * @param mode           how they wait
     * @param drainTimeoutMs how long {@link #timed} waits for in-flight requests after the window
     */
    public ClosedLoop(int callers, Mode mode, long drainTimeoutMs) {
        if (callers < 1) {
            throw new IllegalArgumentException("callers must be >= 1");
        }
        this.callers = callers;
        this.mode = mode;
        this.drainTimeoutMs = drainTimeoutMs;
    }

    /**
     * Makes {@link #timed} snapshot {@link Costs} at the window's start and end; {@code postgres} non-null: also
     * that server's WAL. Returns this driver.
     */
    public ClosedLoop measureCosts(Options postgres) {
        this.measureCosts = true;
        this.postgres = postgres;
        return this;
    }

    /**
     * Runs for {@code warmupS + durationS} seconds and measures the last {@code durationS}; then stops the
     * callers and waits until every request in flight has completed, so {@link Result#totalOk()} counts every
     * acknowledged request.
     */
    public Result timed(BlockingOp blocking, AsyncOp async, double warmupS, double durationS)
            throws InterruptedException {
        return timed(blocking, async, warmupS, durationS, () -> { }, () -> { });
    }

    /**
     * As {@link #timed(BlockingOp, AsyncOp, double, double)}, running {@code atWindowStart} and {@code atWindowEnd}
     * on the measuring thread as the window opens and closes (to read counters of the system under test).
     */
    public Result timed(BlockingOp blocking, AsyncOp async, double warmupS, double durationS, Runnable atWindowStart,
                        Runnable atWindowEnd) throws InterruptedException {
        start(blocking, async);
        sleep(warmupS);
        long okAt = ok.sum();
        long errAt = errors.sum();
        recorder.getIntervalHistogram();
        atWindowStart.run();
        Costs k0 = measureCosts ? Costs.snapshot(postgres) : null;
        CpuUsage c0 = CpuUsage.snapshot();
        long t0 = System.nanoTime();
        sleep(durationS);
        long okEnd = ok.sum();
        long errEnd = errors.sum();
        long t1 = System.nanoTime();
        CpuUsage c1 = CpuUsage.snapshot();
        Costs k1 = measureCosts ? Costs.snapshot(postgres) : null;
        atWindowEnd.run();
        Histogram h = recorder.getIntervalHistogram();
        stop = true;
        if (!done.await(drainTimeoutMs, TimeUnit.MILLISECONDS)) {
            System.err.println("WARN: callers did not drain within " + drainTimeoutMs + " ms");
        }
        return new Result(okEnd - okAt, errEnd - errAt, (t1 - t0) / 1e9, h, ok.sum(), errors.sum(),
                CpuUsage.busyPct(c0, c1), k0, k1);
    }

    /** Issues exactly {@code n} requests (indexes {@code 0..n-1}) and measures all of them. */
    public Result fixed(BlockingOp blocking, AsyncOp async, int n) throws InterruptedException {
        limit = n;
        recorder.getIntervalHistogram();
        CpuUsage c0 = CpuUsage.snapshot();
        long t0 = System.nanoTime();
        start(blocking, async);
        done.await();
        long t1 = System.nanoTime();
        CpuUsage c1 = CpuUsage.snapshot();
        return new Result(ok.sum(), errors.sum(), (t1 - t0) / 1e9, recorder.getIntervalHistogram(), ok.sum(),
                errors.sum(), CpuUsage.busyPct(c0, c1), null, null);
    }

    private void start(BlockingOp blocking, AsyncOp async) {
        done = new CountDownLatch(callers);
        for (int c = 0; c < callers; c++) {
            switch (mode) {
                case THREADS -> Thread.ofPlatform().daemon().name("caller-" + c).start(() -> blockingLoop(blocking));
                case VTHREADS -> Thread.ofVirtual().name("caller-" + c).start(() -> blockingLoop(blocking));
                case ASYNC -> new AsyncCaller(async).loop();
            }
        }
    }

    private int nextIndex() {
        if (stop) {
            return -1;
        }
        int i = next.getAndIncrement();
        return i < limit ? i : -1;
    }

    private void blockingLoop(BlockingOp op) {
        try {
            int i;
            while ((i = nextIndex()) >= 0) {
                long t0 = System.nanoTime();
                try {
                    op.run(i);
                    recorder.recordValue(System.nanoTime() - t0);
                    ok.increment();
                } catch (Exception e) {
                    failed(e);
                }
            }
        } finally {
            done.countDown();
        }
    }

    private void failed(Throwable e) {
        errors.increment();
        if (printed.getAndIncrement() < ERRORS_PRINTED) {
            System.err.println("request failed: " + e);
        }
    }

    /** A caller without a thread: each completion issues the next request. */
    private final class AsyncCaller {
        private final AsyncOp op;

        AsyncCaller(AsyncOp op) {
            this.op = op;
        }

        void loop() {
            while (true) {
                int i = nextIndex();
                if (i < 0) {
                    done.countDown();
                    return;
                }
                long t0 = System.nanoTime();
                CompletableFuture<?> f;
                try {
                    f = op.start(i);
                } catch (RuntimeException e) {
                    failed(e);
                    continue;
                }
                if (f.isDone()) {
                    record(f, t0);
                    continue;
                }
                f.whenComplete((v, ex) -> {
                    if (ex == null) {
                        recorder.recordValue(System.nanoTime() - t0);
                        ok.increment();
                    } else {
                        failed(ex);
                    }
                    loop();
                });
                return;
            }
        }

        private void record(CompletableFuture<?> f, long t0) {
            try {
                f.join();
                recorder.recordValue(System.nanoTime() - t0);
                ok.increment();
            } catch (RuntimeException e) {
                failed(e);
            }
        }
    }

    private static void sleep(double seconds) throws InterruptedException {
        Thread.sleep((long) (seconds * 1000));
    }
}
