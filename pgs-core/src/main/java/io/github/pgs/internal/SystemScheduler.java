package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The default {@link Scheduler}: one daemon platform thread. Tasks only post signals to mailboxes, so one thread
 * suffices; cancelled tasks are removed at once so that a million idle timers being reset do not pile up.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {

    private final ScheduledThreadPoolExecutor executor;

    public SystemScheduler(String name) {
        executor = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        if (executor.isShutdown()) {
            return () -> { };
        }
        long nanos = delay.compareTo(Duration.ofDays(365 * 100)) > 0 ? TimeUnit.DAYS.toNanos(365L * 100)
                : delay.toNanos();
        try {
            ScheduledFuture<?> f = executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        } catch (RejectedExecutionException closing) {
            return () -> { };
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
