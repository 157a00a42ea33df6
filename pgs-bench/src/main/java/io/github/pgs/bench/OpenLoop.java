package io.github.pgs.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load driver: requests are issued on a fixed schedule at a target rate, whether or not earlier ones
 * have completed, and each latency is measured from the request's <em>intended</em> send time, so a stall of the
 * system under test shows up in the latencies of every request that should have been sent during it (no
 * coordinated omission).
 *
 * <p><b>Algorithm.</b> One issuing thread computes intended send times from the start instant: {@code i / rate}
 * apart ({@link Schedule#CONSTANT}) or with exponentially distributed gaps of mean {@code 1 / rate} from a seeded
 * generator ({@link Schedule#POISSON}). It parks until the next intended time is near and then issues every request
 * whose time has come (a late issuer catches up in a burst; the lateness is part of those requests' latencies).
 * Requests intended during the warm-up are recorded apart and discarded; those intended during the measured window
 * are recorded in an HdrHistogram (ns, 3 significant digits) when they complete, however late. After the window the
 * issuer stops and the driver waits for every outstanding request.
 *
 * <p><b>Hazards.</b> A rate above what the system sustains makes the outstanding requests grow without bound: once
 * more than {@code maxOutstanding} are in flight the issuer stops early and the result says {@code overloaded}. The
 * operation must not block (it returns a future); a blocking one would throttle the schedule and hide queueing.
 * Parking granularity (tens of µs on Linux) shows as issue lag, reported as {@code maxLagNs}.
 *
 * <p>One instance runs one load.
 */
public final class OpenLoop {

    /** How intended send times are spaced. */
    public enum Schedule {
        /** Exactly {@code 1 / rate} apart. */
        CONSTANT,
        /** A Poisson process: exponential gaps of mean {@code 1 / rate}. */
        POISSON;

        /** Parses {@code constant} or {@code poisson} (any case). */
        public static Schedule parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }

        /** The name used in the JSON output. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What a run measured.
     *
     * @param issued         requests intended (and issued) in the measured window
     * @param ok             of those, completed successfully
     * @param errors         of those, failed
     * @param seconds        length of the measured window
     * @param histogram      latencies from intended send time of the window's successful requests, ns
     * @param totalIssued    requests issued over the whole run, warm-up included
     * @param totalOk        requests completed successfully over the whole run
     * @param totalErrors    requests failed over the whole run
     * @param cpuBusyPct     machine-wide CPU use during the window
     * @param maxLagNs       the largest delay between a request's intended and actual send time
     * @param maxOutstanding the most requests in flight at once
     * @param overloaded     whether the issuer stopped early because too many requests were outstanding
     * @param drained        whether every issued request completed before the drain timeout
     */
    public record Result(long issued, long ok, long errors, double seconds, Histogram histogram, long totalIssued,
                         long totalOk, long totalErrors, double cpuBusyPct, long maxLagNs, long maxOutstanding,
                         boolean overloaded, boolean drained) {
    }

    private static final long PARK_MARGIN_NS = 60_000;
    private static final int ERRORS_PRINTED = 5;

    private final double rate;
    private final Schedule schedule;
    private final long seed;
    private final int maxOutstanding;
    private final Recorder measured = new Recorder(3);
    private final LongAdder ok = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder windowOk = new LongAdder();
    private final LongAdder windowErrors = new LongAdder();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong maxOutstandingSeen = new AtomicLong();
    private final AtomicInteger printed = new AtomicInteger();

    /**
     * @param rate           requests per second (&gt; 0)
     * @param schedule       how send times are spaced
     * @param seed           seed of the Poisson gaps (ignored for {@link Schedule#CONSTANT})
     * @param maxOutstanding requests in flight at which the run counts as overloaded and stops issuing
     */
    public OpenLoop(double rate, Schedule schedule, long seed, int maxOutstanding) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException("rate must be > 0: " + rate);
        }
        if (maxOutstanding < 1) {
            throw new IllegalArgumentException("maxOutstanding must be >= 1");
        }
        this.rate = rate;
        this.schedule = schedule;
        this.seed = seed;
        this.maxOutstanding = maxOutstanding;
    }

    /**
     * The intended send times of this schedule, in ns from the start, for the first {@code n} requests (for tests
     * and for the report of the schedule actually used).
     */
    public long[] intendedTimes(int n) {
        long[] t = new long[n];
        Gaps gaps = new Gaps();
        for (int i = 0; i < n; i++) {
            t[i] = gaps.next();
        }
        return t;
    }

    /** Generates intended send times, ns from the start. */
    private final class Gaps {
        private final SplittableRandom rnd = new SplittableRandom(seed);
        private final double meanGapNs = 1e9 / rate;
        private long index;
        private double poissonAt;

        long next() {
            if (schedule == Schedule.CONSTANT) {
                return (long) (index++ * meanGapNs);
            }
            long at = (long) poissonAt;
            // exponential gap by inversion; 1 - u is in (0, 1], so the log is finite
            poissonAt += -Math.log(1.0 - rnd.nextDouble()) * meanGapNs;
            return at;
        }
    }

    /**
     * Issues {@code op(i)} for {@code i = 0, 1, ...} on the schedule for {@code warmupS + durationS} seconds,
     * measures the requests intended in the last {@code durationS}, then waits up to {@code drainTimeoutMs} for
     * every outstanding request.
     */
    public Result run(ClosedLoop.AsyncOp op, double warmupS, double durationS, long drainTimeoutMs)
            throws InterruptedException {
        long warmNs = (long) (warmupS * 1e9);
        long endNs = warmNs + (long) (durationS * 1e9);
        Gaps gaps = new Gaps();
        long issued = 0;
        long issuedInWindow = 0;
        long maxLag = 0;
        boolean overloaded = false;
        CpuUsage c0 = null;
        long start = System.nanoTime();
        long next = gaps.next();
        while (next < endNs) {
            long now = System.nanoTime() - start;
            if (c0 == null && now >= warmNs) {
                c0 = CpuUsage.snapshot();
            }
            if (now < next) {
                if (next - now > PARK_MARGIN_NS) {
                    LockSupport.parkNanos(next - now - PARK_MARGIN_NS);
                }
                continue;
            }
            if (outstanding.get() >= maxOutstanding) {
                overloaded = true;
                break;
            }
            boolean inWindow = next >= warmNs;
            issue(op, (int) issued, start + next, inWindow);
            issued++;
            if (inWindow) {
                issuedInWindow++;
            }
            maxLag = Math.max(maxLag, now - next);
            next = gaps.next();
        }
        long windowEnd = System.nanoTime();
        CpuUsage c1 = CpuUsage.snapshot();
        boolean drained = awaitOutstanding(drainTimeoutMs);
        double seconds = Math.max(0, Math.min(windowEnd - start, endNs) - warmNs) / 1e9;
        return new Result(issuedInWindow, windowOk.sum(), windowErrors.sum(), seconds, measured.getIntervalHistogram(),
                issued, ok.sum(), errors.sum(), c0 == null ? -1 : CpuUsage.busyPct(c0, c1), maxLag,
                maxOutstandingSeen.get(), overloaded, drained);
    }

    private void issue(ClosedLoop.AsyncOp op, int i, long intendedNs, boolean inWindow) {
        long n = outstanding.incrementAndGet();
        if (n > maxOutstandingSeen.get()) {
            maxOutstandingSeen.accumulateAndGet(n, Math::max);
        }
        CompletableFuture<?> f;
        try {
            f = op.start(i);
        } catch (RuntimeException e) {
            completed(e, intendedNs, inWindow);
            return;
        }
        f.whenComplete((v, ex) -> completed(ex, intendedNs, inWindow));
    }

    private void completed(Throwable failure, long intendedNs, boolean inWindow) {
        long latency = System.nanoTime() - intendedNs;
        if (failure == null) {
            ok.increment();
            if (inWindow) {
                measured.recordValue(Math.max(0, latency));
                windowOk.increment();
            }
        } else {
            errors.increment();
            if (inWindow) {
                windowErrors.increment();
            }
            if (printed.getAndIncrement() < ERRORS_PRINTED) {
                System.err.println("request failed: " + failure);
            }
        }
        if (outstanding.decrementAndGet() == 0) {
            CountDownLatch l = idle;
            if (l != null) {
                l.countDown();
            }
        }
    }

    private volatile CountDownLatch idle;

    private boolean awaitOutstanding(long timeoutMs) throws InterruptedException {
        CountDownLatch l = new CountDownLatch(1);
        idle = l;
        if (outstanding.get() == 0) {
            return true;
        }
        return l.await(timeoutMs, TimeUnit.MILLISECONDS) || outstanding.get() == 0;
    }

    /**
     * An S5 run's load as the options give it: {@code --rate=N} calls/s, or {@code --rate-pct=P} of
     * {@code --s1-max=M} (the implementation's own S1 maximum measured in the same session);
     * {@code --schedule=constant|poisson} (default constant), {@code --seed} (default 42),
     * {@code --max-outstanding} (default one second's worth of requests, at least 1,000).
     */
    public record Plan(double rate, double ratePct, long s1Max, Schedule schedule, long seed, int maxOutstanding) {

        /** Reads the plan from {@code o}; fails if neither {@code --rate} nor both percent options are given. */
        public static Plan of(Options o) {
            double pct = o.decimal("rate-pct", -1);
            long s1Max = (long) o.decimal("s1-max", -1);
            double rate;
            if (o.has("rate")) {
                rate = o.decimal("rate", 0);
            } else if (pct > 0 && s1Max > 0) {
                rate = s1Max * pct / 100.0;
            } else {
                throw new IllegalArgumentException("S5 needs --rate=N, or --rate-pct=P with --s1-max=M");
            }
            int maxOutstanding = o.integer("max-outstanding", (int) Math.max(1_000, Math.ceil(rate)));
            return new Plan(rate, pct, s1Max, Schedule.parse(o.str("schedule", "constant")), o.integer("seed", 42),
                    maxOutstanding);
        }

        /** A driver for this plan. */
        public OpenLoop driver() {
            return new OpenLoop(rate, schedule, seed, maxOutstanding);
        }

        /** Adds the plan's fields to {@code json}. */
        public JsonLine describe(JsonLine json) {
            return json.put("schedule", schedule.label()).put("target_rate", Math.round(rate))
                    .put("rate_pct", ratePct > 0 ? ratePct : null).put("s1_max", s1Max > 0 ? s1Max : null)
                    .put("seed", seed).put("max_outstanding_allowed", maxOutstanding);
        }
    }

    /**
     * Adds a run's fields to {@code json}: {@code calls}, {@code calls_per_s}, latency from intended send time,
     * {@code errors}, {@code issued}, {@code max_lag_us}, {@code max_outstanding}, {@code overloaded},
     * {@code sustained} (not overloaded, drained, no errors, and at least 99 % of the intended requests completed in
     * the window's time), {@code cpu_busy_pct}, {@code acked_total}.
     */
    public static JsonLine describe(JsonLine json, Result r, double rate, double durationS) {
        double expected = rate * durationS;
        boolean sustained = !r.overloaded() && r.drained() && r.totalErrors() == 0 && r.ok() >= 0.99 * expected;
        return json.put("issued", r.issued()).put("calls", r.ok())
                .put("calls_per_s", r.seconds() > 0 ? Math.round(r.ok() / r.seconds()) : 0)
                .latency("", r.histogram())
                .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                .put("max_lag_us", BenchSupport.round(r.maxLagNs() / 1000.0, 1))
                .put("max_outstanding", r.maxOutstanding()).put("overloaded", r.overloaded())
                .put("drained", r.drained()).put("sustained", sustained)
                .put("acked_total", r.totalOk());
    }

    /**
     * The verification of an open-loop run of increments: every issued request completed ({@code complete}), and
     * the stored total lies between the acknowledged increments and those plus the failed ones (a call that timed
     * out may or may not have been applied; an acknowledged one must be). With no failures that is equality.
     *
     * @return {@code "ok"} or {@code "mismatch"}
     */
    public static String verify(boolean complete, long acked, long failed, long stored) {
        return complete && stored >= acked && stored <= acked + failed ? "ok" : "mismatch";
    }
}
