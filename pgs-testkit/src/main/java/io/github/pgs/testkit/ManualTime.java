package io.github.pgs.testkit;

import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A clock and scheduler that move only when told: {@link #advance} moves time forward and runs, in time order,
 * every task that falls due, on the calling thread. Give it to a runtime as both its {@link TimeSource} and its
 * {@link Scheduler}, and tests of idle timeouts, write-behind and call timeouts run without sleeping.
 *
 * <pre>{@code
 * ManualTime time = new ManualTime();
 * ServerRuntime runtime = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time).build();
 * time.advance(Duration.ofSeconds(61));   // idle servers petrify now
 * runtime.awaitQuiescence(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Every timeout and timer of a runtime built on it follows it, {@code ref.call} timeouts included (a blocked
 * caller times out when another thread advances the clock past its deadline), with one exception: the
 * runtime's shutdown timeout bounds real work at {@code close()} and is real time.
 *
 * <p>Thread-safe. Tasks run outside the internal lock, so a task may schedule more tasks; those that fall due
 * within the same advance run in the same call.
 */
public final class ManualTime implements TimeSource, Scheduler {

    private static final long EPOCH_MILLIS = 1_700_000_000_000L;

    private record Task(long due, long seq, Runnable action) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) ->
            a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized long currentTimeMillis() {
        return EPOCH_MILLIS + now / 1_000_000;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        long d = saturatedNanos(delay);
        Task t = new Task(d > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + d, seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (ManualTime.this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves time forward by {@code by} and runs every task due by then, in order. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + saturatedNanos(by);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            next.action.run();
        }
    }

    /** The number of tasks waiting to run. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** The delays, from now, of the waiting tasks, soonest first. */
    public synchronized List<Duration> pendingDelays() {
        List<Task> sorted = new ArrayList<>(tasks);
        sorted.sort((a, b) -> Long.compare(a.due, b.due));
        List<Duration> out = new ArrayList<>(sorted.size());
        for (Task t : sorted) {
            out.add(Duration.ofNanos(t.due - now));
        }
        return out;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
