package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A job that runs every {@code interval} (TTL sweeps): the scheduler's task only hands each run to an executor,
 * since a run reads the store and scheduler tasks must not block; the next run is scheduled when a run ends, so
 * runs never overlap, and a slow store stretches the period rather than piling up runs. A run that throws is
 * handed to {@code onFailure} and the next one runs on schedule.
 */
final class PeriodicJob implements StoreTools.Job {

    private final Scheduler scheduler;
    private final Duration interval;
    private final Executor executor;
    private final Runnable body;
    private final Consumer<RuntimeException> onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private Scheduler.Cancellable next; // guarded by lock
    private volatile boolean closed;

    PeriodicJob(Scheduler scheduler, Duration interval, Executor executor, Runnable body,
                Consumer<RuntimeException> onFailure) {
        this.scheduler = scheduler;
        this.interval = interval;
        this.executor = executor;
        this.body = body;
        this.onFailure = onFailure;
    }

    @Override
    public PeriodicJob start() {
        scheduleNext();
        return this;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (next != null) {
                next.cancel();
                next = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    private void scheduleNext() {
        lock.lock();
        try {
            if (!closed) {
                next = scheduler.schedule(interval, this::due);
            }
        } finally {
            lock.unlock();
        }
    }

    /** On the scheduler: hands the run to the executor, never blocking the scheduler. */
    private void due() {
        if (closed) {
            return;
        }
        try {
            executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            onFailure.accept(e);
            scheduleNext();
        }
    }

    private void run() {
        try {
            if (!closed) {
                body.run();
            }
        } catch (RuntimeException e) {
            onFailure.accept(e);
        } finally {
            scheduleNext();
        }
    }
}
