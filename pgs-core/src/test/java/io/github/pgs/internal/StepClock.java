package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The time seam for this module's unit tests (the testkit's {@code ManualTime} depends on this module, so it
 * cannot be used here): time moves only through {@link #advance}, which runs the tasks that fall due, soonest
 * first, on the calling thread.
 */
final class StepClock implements TimeSource, Scheduler {

    private final List<long[]> due = new ArrayList<>(); // {deadline, id}
    private final List<Runnable> tasks = new ArrayList<>();
    private long now;
    private long ids;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized long currentTimeMillis() {
        return now / 1_000_000;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        long[] entry = {now + Math.max(0, delay.toNanos()), ids++};
        due.add(entry);
        tasks.add(task);
        return () -> {
            synchronized (StepClock.this) {
                int i = due.indexOf(entry);
                if (i >= 0) {
                    due.remove(i);
                    tasks.remove(i);
                }
            }
        };
    }

    /** Tasks not yet run. */
    synchronized int scheduled() {
        return due.size();
    }

    /** Moves the clock by {@code by}, running every task due by then in deadline order. */
    void advance(Duration by) {
        long until;
        synchronized (this) {
            until = now + by.toNanos();
        }
        while (true) {
            Runnable task;
            synchronized (this) {
                int first = -1;
                for (int i = 0; i < due.size(); i++) {
                    if (due.get(i)[0] <= until && (first < 0 || due.get(i)[0] < due.get(first)[0])) {
                        first = i;
                    }
                }
                if (first < 0) {
                    now = until;
                    return;
                }
                now = Math.max(now, due.remove(first)[0]);
                task = tasks.remove(first);
            }
            task.run();
        }
    }
}
