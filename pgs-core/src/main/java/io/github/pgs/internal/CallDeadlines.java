package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.GenServerException;
import io.github.pgs.ServerId;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The timeouts of callers that block ({@code ref.call}, {@code stop}, {@code start}, operator actions), on the
 * runtime's own time seam: deadlines are read from its {@link TimeSource} and enforced by tasks on its
 * {@link Scheduler}, so with a manual clock a test times a call out by advancing the clock, not by sleeping.
 *
 * <h2>Algorithm</h2>
 * A timed park per call would register a task with the JDK's delay scheduler and cancel it when the reply comes,
 * which is most of the cost of a timeout that never fires. Here a caller pushes a {@link Wait} (its future and
 * deadline) on a lock-free stack and waits for the future without a timeout. One sweep task, scheduled every
 * {@link #PERIOD_NANOS} on the runtime's scheduler while there are waits, takes the stack, drops the waits whose
 * future is done and fails those past their deadline with a {@link CallTimeoutException}, which wakes their
 * caller. A timeout therefore fires between its deadline and one period later; a caller whose timeout is shorter
 * than {@link #SHORTEST_SWEPT_NANOS}, where that slack would matter, gets a task of its own at its deadline.
 *
 * <h2>Hazards</h2>
 * Starting and stopping the sweep never lose a wait: a caller pushes its wait, then reads {@link #sweeping}; a
 * sweep that finds nothing to watch clears {@link #sweeping}, then reads the stack again. One of the two sees the
 * other, so either the caller schedules a sweep or the sweep goes on. Sweeps never overlap (at most one is
 * scheduled), and the scheduler's hand-off orders one sweep's view of {@link #pending} before the next one's.
 * A sweep that throws (a future that refuses to fail) keeps the wait for the next sweep.
 */
final class CallDeadlines {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /** How often the sweep runs while there are waits. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Duration PERIOD = Duration.ofNanos(PERIOD_NANOS);
    /** Timeouts shorter than this get a timer of their own: a period of slack would be a large share of them. */
    static final long SHORTEST_SWEPT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Longer timeouts are not enforced at all (their deadline would overflow); the caller just waits. */
    static final long LONGEST_SWEPT_NANOS = Long.MAX_VALUE / 4;

    /** One blocked caller: what it waits for, until when, and whether its timeout fired. */
    static final class Wait {
        final CompletableFuture<?> future;
        final long deadline;
        final ServerId id;
        final Duration timeout;
        volatile boolean expired;
        Wait next; // written before the push publishes it; then read by the sweep only

        Wait(CompletableFuture<?> future, long deadline, ServerId id, Duration timeout) {
            this.future = future;
            this.deadline = deadline;
            this.id = id;
            this.timeout = timeout;
        }
    }

    private final TimeSource time;
    private final Scheduler scheduler;
    private final AtomicReference<Wait> incoming = new AtomicReference<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private Wait pending; // the sweep's own list of waits not yet done

    CallDeadlines(TimeSource time, Scheduler scheduler) {
        this.time = time;
        this.scheduler = scheduler;
    }

    /**
     * Waits for {@code f} at most {@code timeout} of the runtime's time and returns its value, rethrowing what it
     * failed with (unchecked exceptions as they are, anything else wrapped in a {@link GenServerException}).
     *
     * @throws CallTimeoutException with the caller's own stack, when the timeout fired first
     */
    <R> R await(CompletableFuture<R> f, ServerId id, Duration timeout) {
        long nanos = timeout.toNanos();
        Wait wait = null;
        Scheduler.Cancellable own = null;
        try {
            if (!f.isDone() && nanos <= LONGEST_SWEPT_NANOS) {
                if (nanos < SHORTEST_SWEPT_NANOS) {
                    Wait w = new Wait(f, 0, id, timeout);
                    wait = w;
                    own = scheduler.schedule(timeout, () -> expire(w));
                } else {
                    wait = register(f, id, timeout);
                }
            }
            return f.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (wait != null && wait.expired && cause instanceof CallTimeoutException) {
                throw new CallTimeoutException(id, timeout); // thrown with the caller's stack, not the sweep's
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new GenServerException(id, "call failed", cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GenServerException(id, "interrupted while waiting for the reply", e);
        } finally {
            if (own != null) {
                own.cancel();
            }
        }
    }

    /** Registers a wait for the sweep; the caller then waits for {@code future} without a timeout. */
    Wait register(CompletableFuture<?> future, ServerId id, Duration timeout) {
        Wait w = new Wait(future, time.nanoTime() + timeout.toNanos(), id, timeout);
        Wait head;
        do {
            head = incoming.get();
            w.next = head;
        } while (!incoming.compareAndSet(head, w));
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
            scheduler.schedule(PERIOD, this::sweepTask);
        }
        return w;
    }

    /** Whether a sweep is scheduled. */
    boolean sweeping() {
        return sweeping.get();
    }

    private void sweepTask() {
        try {
            sweep(time.nanoTime());
        } catch (Throwable t) {
            // callers wait without a timeout and rely on the sweep: it must go on whatever happened
            LOG.log(System.Logger.Level.ERROR, "call deadline sweep failed; sweeping again", t);
        }
        if (pending == null && incoming.get() == null) {
            sweeping.set(false);
            // a caller that pushed before the flag was cleared may have seen it set: look once more
            if (incoming.get() == null || !sweeping.compareAndSet(false, true)) {
                return;
            }
        }
        scheduler.schedule(PERIOD, this::sweepTask);
    }

    /** Moves new waits into the pending list, drops the done ones and expires the late ones. */
    void sweep(long now) {
        Wait w = incoming.getAndSet(null);
        while (w != null) {
            Wait next = w.next;
            w.next = pending;
            pending = w;
            w = next;
        }
        Wait kept = null;
        for (w = pending; w != null; ) {
            Wait next = w.next;
            if (!w.future.isDone() && !(now - w.deadline >= 0 && expire(w))) {
                w.next = kept;
                kept = w;
            }
            w = next;
        }
        pending = kept;
    }

    /** Fails {@code w} with its timeout; returns whether it is done with (a failure to fail keeps it). */
    private static boolean expire(Wait w) {
        try {
            w.expired = true;
            w.future.completeExceptionally(new CallTimeoutException(w.id, w.timeout));
            return true;
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "could not time out a call to " + w.id + "; trying again", t);
            return w.future.isDone();
        }
    }

    /** The waits the last sweep kept (for tests). */
    int pendingCount() {
        int n = 0;
        for (Wait w = pending; w != null; w = w.next) {
            n++;
        }
        return n;
    }
}
