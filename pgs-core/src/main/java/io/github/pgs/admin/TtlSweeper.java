package io.github.pgs.admin;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.internal.StoreTools;
import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A time-to-live for the state of one type: every {@code interval}, deletes the states of {@code type} that have
 * not been written for {@code ttl}, through {@link Admin#expire} (so active servers are skipped and a state
 * written meanwhile survives). A state is therefore deleted between {@code ttl} and {@code ttl + interval} after
 * its last write, plus the duration of a sweep.
 *
 * <pre>{@code
 * TtlSweeper sweeper = TtlSweeper.builder(runtime, "player", Duration.ofDays(90))
 *         .interval(Duration.ofHours(6))
 *         .onSweep(report -> log.info("expired {} players", report.expired().size()))
 *         .start();
 * ...
 * sweeper.close();
 * }</pre>
 *
 * <h2>Scheduling</h2>
 * The timer is a {@link Scheduler} (tests pass a manual clock's scheduler and advance it) or a
 * {@link ScheduledExecutorService}; without either, the sweeper owns one daemon timer thread. The timer only
 * hands each sweep to the {@link #DEFAULT_EXECUTOR executor} (default: a new virtual thread per sweep), since a
 * sweep reads the store and scheduler tasks must not block. The next sweep is scheduled when a sweep ends, so
 * sweeps never overlap, and a slow store stretches the period rather than piling up sweeps.
 *
 * <h2>Failures</h2>
 * A failed sweep is handed to {@code onFailure} (default: logged as a warning through {@link System.Logger}) and
 * the next one runs on schedule; states it deleted before failing stay deleted.
 *
 * <p>Thread-safe. {@link #close()} stops future sweeps; a sweep in progress finishes.
 */
public final class TtlSweeper implements AutoCloseable {

    /** One hour: the default interval between sweeps (or the TTL, if shorter). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    /** Runs each sweep on a new virtual thread. */
    public static final Executor DEFAULT_EXECUTOR = task -> Thread.ofVirtual().name("pgs-ttl-sweep").start(task);

    private static final System.Logger LOG = System.getLogger(TtlSweeper.class.getName());

    private final Admin admin;
    private final String type;
    private final Duration ttl;
    private final Duration interval;
    private final boolean dryRun;
    private final Scheduler scheduler;
    private final ScheduledExecutorService ownedTimer;
    private final Executor executor;
    private final Consumer<? super ExpireReport> onSweep;
    private final Consumer<? super RuntimeException> onFailure;

    private final ReentrantLock sweepLock = new ReentrantLock();
    private final AtomicLong sweeps = new AtomicLong();
    private final StoreTools.Job job;
    private volatile ExpireReport last;

    private TtlSweeper(Builder b) {
        this.admin = b.admin;
        this.type = b.type;
        this.ttl = b.ttl;
        this.interval = b.interval != null ? b.interval : (ttl.compareTo(DEFAULT_INTERVAL) < 0 ? ttl : DEFAULT_INTERVAL);
        this.dryRun = b.dryRun;
        if (b.scheduler != null) {
            this.scheduler = b.scheduler;
            this.ownedTimer = null;
        } else {
            this.ownedTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "pgs-ttl-" + b.type);
                t.setDaemon(true);
                return t;
            });
            this.scheduler = adapt(ownedTimer);
        }
        this.executor = b.executor;
        this.onSweep = b.onSweep;
        this.onFailure = b.onFailure;
        this.job = StoreTools.periodic(scheduler, interval, executor, this::scheduledSweep, onFailure::accept);
    }

    /**
     * A builder for a sweeper of {@code type} in {@code runtime}, judging age by the system clock.
     *
     * @param ttl how long a state may go unwritten before it is deleted (positive)
     */
    public static Builder builder(ServerRuntime runtime, String type, Duration ttl) {
        return new Builder(Admin.of(runtime), type, ttl);
    }

    /** A builder for a sweeper working through {@code admin} (and its clock). */
    public static Builder builder(Admin admin, String type, Duration ttl) {
        return new Builder(Objects.requireNonNull(admin, "admin"), type, ttl);
    }

    /** The swept type. */
    public String type() {
        return type;
    }

    /** The time-to-live. */
    public Duration ttl() {
        return ttl;
    }

    /** The interval between the end of one sweep and the start of the next. */
    public Duration interval() {
        return interval;
    }

    /** The number of sweeps that completed (successfully or not). */
    public long sweeps() {
        return sweeps.get();
    }

    /** The report of the last successful sweep, if any. */
    public Optional<ExpireReport> lastReport() {
        return Optional.ofNullable(last);
    }

    /**
     * Runs one sweep now on the calling thread (after a sweep in progress, if any) and returns its report; the
     * schedule is unchanged. Works after {@link #close()} too.
     *
     * @throws ExpireFailedException if the store failed part-way
     */
    public ExpireReport sweepNow() {
        sweepLock.lock();
        try {
            ExpireReport r = admin.expire(type, ttl, dryRun);
            last = r;
            return r;
        } finally {
            sweeps.incrementAndGet();
            sweepLock.unlock();
        }
    }

    /** Stops future sweeps (and the owned timer thread, if any). Idempotent. */
    @Override
    public void close() {
        job.close();
        if (ownedTimer != null) {
            ownedTimer.shutdownNow();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return job.isClosed();
    }

    private TtlSweeper startTimer() {
        job.start();
        return this;
    }

    /** One scheduled sweep (on the executor); a failure goes to {@code onFailure}, the report to {@code onSweep}. */
    private void scheduledSweep() {
        ExpireReport r = sweepNow();
        try {
            onSweep.accept(r);
        } catch (RuntimeException listenerFailure) {
            LOG.log(System.Logger.Level.WARNING, "TTL sweep listener of type '" + type + "' failed",
                    listenerFailure);
        }
    }

    private static Scheduler adapt(ScheduledExecutorService timer) {
        Objects.requireNonNull(timer, "timer");
        return (delay, task) -> {
            ScheduledFuture<?> f = timer.schedule(task, saturatedNanos(delay), TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        };
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    private static void logFailure(String type, RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "TTL sweep of type '" + type + "' failed; retrying at the next interval",
                e);
    }

    /** Builds and starts a {@link TtlSweeper}; validation happens in {@link #start()}. Not thread-safe. */
    public static final class Builder {
        private final Admin admin;
        private final String type;
        private final Duration ttl;
        private Duration interval;
        private boolean dryRun;
        private Scheduler scheduler;
        private Executor executor = DEFAULT_EXECUTOR;
        private Consumer<? super ExpireReport> onSweep = r -> { };
        private Consumer<? super RuntimeException> onFailure;

        private Builder(Admin admin, String type, Duration ttl) {
            this.admin = admin;
            this.type = Objects.requireNonNull(type, "type");
            this.ttl = Objects.requireNonNull(ttl, "ttl");
            this.onFailure = e -> logFailure(type, e);
        }

        /** The time between sweeps (default: {@link #DEFAULT_INTERVAL} or the TTL, whichever is shorter). */
        public Builder interval(Duration v) { interval = Objects.requireNonNull(v, "interval"); return this; }

        /** Report what would be deleted, delete nothing (default {@code false}). */
        public Builder dryRun(boolean v) { dryRun = v; return this; }

        /** The timer, e.g. a manual clock in tests (default: one daemon thread owned by the sweeper). */
        public Builder scheduler(Scheduler v) { scheduler = Objects.requireNonNull(v, "scheduler"); return this; }

        /** The timer as an executor service the caller owns (never shut down by the sweeper). */
        public Builder scheduler(ScheduledExecutorService v) { scheduler = adapt(v); return this; }

        /** Where sweeps run (default {@link #DEFAULT_EXECUTOR}); {@code Runnable::run} runs them on the timer. */
        public Builder executor(Executor v) { executor = Objects.requireNonNull(v, "executor"); return this; }

        /** Told of every completed scheduled sweep (default: nothing). Runs on the sweep's thread. */
        public Builder onSweep(Consumer<? super ExpireReport> v) { onSweep = Objects.requireNonNull(v, "onSweep"); return this; }

        /** Told of every failed scheduled sweep (default: a warning through {@link System.Logger}). */
        public Builder onFailure(Consumer<? super RuntimeException> v) { onFailure = Objects.requireNonNull(v, "onFailure"); return this; }

        /**
         * Validates, then starts the sweeper: the first sweep runs one interval from now.
         *
         * @throws IllegalArgumentException if the type name is invalid or the TTL or interval is not positive
         */
        public TtlSweeper start() {
            if (!ServerId.isValidTypeName(type)) {
                throw new IllegalArgumentException("type name must match [A-Za-z0-9_.$-]{1,200}: '" + type + "'");
            }
            requirePositive(ttl, "ttl");
            if (interval != null) {
                requirePositive(interval, "interval");
            }
            return new TtlSweeper(this).startTimer();
        }

        private static void requirePositive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
        }
    }
}
