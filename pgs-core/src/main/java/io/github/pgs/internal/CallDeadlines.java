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
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The timeouts of callers that block ({@code ref.call}, {@code stop}, {@code start}, operator actions), on the
 * runtime's own time seam: deadlines are read from its {@link TimeSource} and enforced by tasks on its
 * {@link Scheduler}, so with a manual clock a test times a call out by advancing the clock, not by sleeping.
 *
 * <h2>Algorithm</h2>
 * A timed park per call would register a task with the JDK's delay scheduler and cancel it when the reply comes,
 * which is most of the cost of a timeout that never fires. Here a caller pushes a {@link Wait} (its future and
 * deadline) on a lock-free stack and waits for the future without a timeout. One sweep task on the runtime's
 * scheduler takes the stack, drops the waits whose future is done, fails those past their deadline with a
 * {@link CallTimeoutException} (which wakes their caller), and schedules itself again at the earliest deadline
 * still pending, but no sooner than {@link #PERIOD_NANOS} later, so that close deadlines share one sweep. A
 * timeout therefore fires between its deadline and one period later. A new wait brings the sweep forward to one
 * period after it (or to its deadline, if that is sooner): the sweep is also what lets go of answered waits, and
 * a wait kept until the earliest deadline (seconds away) would keep every call of those seconds reachable, a
 * heap's worth of garbage at hundreds of thousands of calls a second. While calls come there is one sweep a
 * period; without them, sweeps run only at deadlines, so a manual clock that jumps far ahead runs few of them.
 * A caller whose timeout is shorter than {@link #SHORTEST_SWEPT_NANOS}, where a period of slack would matter, gets
 * a task of its own at its deadline.
 *
 * <h2>Hazards</h2>
 * No wait is left without a sweep: a caller pushes its wait, then reads {@link #nextSweepAt}; a sweep clears it
 * (under {@link #lock}) before it takes the stack. So either the sweep sees the wait, or the caller sees no sweep
 * due before its deadline and schedules one. Sweeps never overlap ({@link #sweeping} is held while one runs), and
 * a sweep task that was replaced by an earlier one does nothing when it runs. A wait that cannot be failed (its
 * future throws) is kept for the next sweep.
 */
final class CallDeadlines {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /** The least time between two sweeps; the most a swept timeout fires late. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Timeouts shorter than this get a timer of their own: a period of slack would be a large share of them. */
    static final long SHORTEST_SWEPT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Longer timeouts are not enforced at all (their deadline would overflow); the caller just waits. */
    static final long LONGEST_SWEPT_NANOS = Long.MAX_VALUE / 4;
    private static final long NONE = Long.MAX_VALUE;

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
    private final Object lock = new Object();
    private final ReentrantLock sweeping = new ReentrantLock();
    /** When the scheduled sweep runs ({@link #NONE}: none is scheduled, or one is running). */
    private volatile long nextSweepAt = NONE;
    private Runnable scheduledSweep; // guarded by lock: the one sweep task that is still to run
    private Scheduler.Cancellable scheduledHandle; // guarded by lock
    private Wait pending; // guarded by sweeping: the waits not yet done

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

    /**
     * {@code f}, failed with a {@link CallTimeoutException} if it is not done within {@code timeout} of the runtime's
     * clock (for callers that do not block: async calls, replies held for another node).
     */
    <R> CompletableFuture<R> orTimeout(CompletableFuture<R> f, ServerId id, Duration timeout) {
        Scheduler.Cancellable timer = scheduler.schedule(timeout,
                () -> f.completeExceptionally(new CallTimeoutException(id, timeout)));
        f.whenComplete((r, ex) -> timer.cancel());
        return f;
    }

    /** Registers a wait for the sweep; the caller then waits for {@code future} without a timeout. */
    Wait register(CompletableFuture<?> future, ServerId id, Duration timeout) {
        long now = time.nanoTime();
        Wait w = new Wait(future, now + timeout.toNanos(), id, timeout);
        Wait head;
        do {
            head = incoming.get();
            w.next = head;
        } while (!incoming.compareAndSet(head, w));
        long by = w.deadline - (now + PERIOD_NANOS) < 0 ? w.deadline : now + PERIOD_NANOS;
        if (by - nextSweepAt < 0) {
            sweepBy(by);
        }
        return w;
    }

    /** Whether a sweep is scheduled (for tests). */
    boolean sweeping() {
        return nextSweepAt != NONE;
    }

    /** Makes sure a sweep runs at {@code at} at the latest (now at the earliest). */
    private void sweepBy(long at) {
        synchronized (lock) {
            if (nextSweepAt != NONE && nextSweepAt - at <= 0) {
                return;
            }
            if (scheduledHandle != null) {
                scheduledHandle.cancel();
            }
            Runnable task = new Runnable() {
                @Override
                public void run() {
                    sweepTask(this);
                }
            };
            scheduledSweep = task;
            nextSweepAt = at;
            scheduledHandle = scheduler.schedule(Duration.ofNanos(Math.max(0, at - time.nanoTime())), task);
        }
    }

    private void sweepTask(Runnable self) {
        synchronized (lock) {
            if (scheduledSweep != self) {
                return; // replaced by an earlier sweep, which has run or will
            }
            scheduledSweep = null;
            scheduledHandle = null;
            nextSweepAt = NONE; // from here on a new wait schedules its own sweep
        }
        long earliest;
        sweeping.lock();
        try {
            long now = time.nanoTime();
            try {
                sweep(now);
            } catch (Throwable t) {
                // callers wait without a timeout and rely on the sweep: it must go on whatever happened
                LOG.log(System.Logger.Level.ERROR, "call deadline sweep failed; sweeping again", t);
            }
            earliest = NONE;
            for (Wait w = pending; w != null; w = w.next) {
                if (w.deadline - earliest < 0) {
                    earliest = w.deadline;
                }
            }
            if (earliest != NONE) {
                earliest = Math.max(earliest, now + PERIOD_NANOS);
            }
        } finally {
            sweeping.unlock();
        }
        if (earliest != NONE) {
            sweepBy(earliest);
        }
    }

    /** Moves new waits into the pending list, drops the done ones and expires the late ones. */
    void sweep(long now) {
        sweeping.lock();
        try {
            sweepLocked(now);
        } finally {
            sweeping.unlock();
        }
    }

    private void sweepLocked(long now) {
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

    /** The waits held: new ones and those the last sweep kept (for tests). */
    int heldCount() {
        sweeping.lock();
        try {
            int n = countPending();
            for (Wait w = incoming.get(); w != null; w = w.next) {
                n++;
            }
            return n;
        } finally {
            sweeping.unlock();
        }
    }

    /** The waits the last sweep kept (for tests). */
    int pendingCount() {
        sweeping.lock();
        try {
            return countPending();
        } finally {
            sweeping.unlock();
        }
    }

    private int countPending() {
        int n = 0;
        for (Wait w = pending; w != null; w = w.next) {
            n++;
        }
        return n;
    }
}
