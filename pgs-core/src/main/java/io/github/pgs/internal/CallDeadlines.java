package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.ServerId;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Call timeouts for callers that block, enforced by one sweeping thread instead of a timed park per call.
 *
 * <p>A timed park on a virtual thread registers a task in the JDK's delay scheduler and cancels it when the
 * reply comes, which is most of the cost of a timeout that never fires. Here a caller pushes a {@link Wait}
 * (its future and deadline) on a lock-free stack and parks without a timeout. The sweeper takes the stack every
 * {@link #PERIOD_NANOS}, drops the waits whose future is done and fails those past their deadline with a
 * {@link CallTimeoutException}, which wakes their caller. A timeout therefore fires between its deadline and one
 * period later; callers whose timeout is shorter than {@link #SHORTEST_SWEPT_NANOS} park with a timeout
 * instead, where that slack would matter. The sweeper is a platform thread shared by every runtime of the JVM;
 * it sleeps while nobody waits and ends after {@link #RETIRE_AFTER_NANOS} of that, so an idle JVM (or a
 * container that unloads the library's class loader) keeps no thread of it; the next wait starts a new one.
 *
 * <p>Starting and ending never lose a wait: a caller pushes its wait, then reads {@link #sweeper}; a retiring
 * sweeper clears {@link #sweeper}, then reads the stack. Both are volatile, so one of the two sees the other:
 * either the caller finds no sweeper and starts one, or the sweeper finds the wait and stays.
 */
final class CallDeadlines {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /** How often the sweeper looks at the waits while there are any. */
    static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Timeouts shorter than this are not swept: a period of slack would be a large share of them. */
    static final long SHORTEST_SWEPT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Longer timeouts are not swept at all (their deadline would overflow); the caller just waits. */
    static final long LONGEST_SWEPT_NANOS = Long.MAX_VALUE / 4;

    /** How long the sweeper sleeps with nothing to watch before its thread ends. */
    static final long RETIRE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);

    private static final CallDeadlines SHARED = new CallDeadlines(true, RETIRE_AFTER_NANOS);

    /** One blocked caller: what it waits for, until when, and whether the sweeper gave up on it. */
    static final class Wait {
        final CompletableFuture<?> future;
        final long deadline;
        final ServerId id;
        final Duration timeout;
        volatile boolean expired;
        Wait next; // written before the push publishes it; then read by the sweeper only

        Wait(CompletableFuture<?> future, long deadline, ServerId id, Duration timeout) {
            this.future = future;
            this.deadline = deadline;
            this.id = id;
            this.timeout = timeout;
        }
    }

    private final AtomicReference<Wait> incoming = new AtomicReference<>();
    private final Object startLock = new Object();
    private volatile Thread sweeper;
    private volatile boolean sleeping;
    private final boolean sweepsItself;
    private final long retireAfterNanos;
    private Wait pending; // the sweeper's own list of waits not yet done

    /**
     * With {@code sweepsItself} false no thread is started and {@link #sweep} is left to the owner (tests);
     * otherwise a sweeper thread runs while there are waits and ends after {@code retireAfterNanos} without any.
     */
    CallDeadlines(boolean sweepsItself, long retireAfterNanos) {
        this.sweepsItself = sweepsItself;
        this.retireAfterNanos = retireAfterNanos;
    }

    static CallDeadlines shared() {
        return SHARED;
    }

    /** Registers a wait; the caller then waits for {@code future} without a timeout. */
    Wait register(CompletableFuture<?> future, ServerId id, Duration timeout) {
        Wait w = new Wait(future, System.nanoTime() + timeout.toNanos(), id, timeout);
        Wait head;
        do {
            head = incoming.get();
            w.next = head;
        } while (!incoming.compareAndSet(head, w));
        if (sweepsItself) {
            Thread s = sweeper;
            if (s == null) {
                start();
            } else if (sleeping) {
                LockSupport.unpark(s);
            }
        }
        return w;
    }

    private void start() {
        synchronized (startLock) {
            if (sweeper == null) {
                Thread t = new Thread(this::run, "pgs-call-deadlines");
                t.setDaemon(true);
                sweeper = t;
                t.start();
            }
        }
    }

    private void run() {
        while (true) {
            if (pending == null && incoming.get() == null) {
                sleeping = true;
                // a caller pushes, then reads sleeping; the sweeper writes sleeping, then reads the stack: one of
                // the two sees the other, so a wait pushed now wakes the sweeper or is seen by it
                long since = System.nanoTime();
                long left;
                while (incoming.get() == null && (left = retireAfterNanos - (System.nanoTime() - since)) > 0) {
                    LockSupport.parkNanos(this, left);
                }
                sleeping = false;
                if (incoming.get() == null && retire()) {
                    return;
                }
                continue;
            }
            LockSupport.parkNanos(this, PERIOD_NANOS);
            try {
                sweep(System.nanoTime());
            } catch (Throwable t) {
                // the sweeper must outlive anything (sweep itself keeps a wait it could not fail): callers park
                // without a timeout and rely on it
                LOG.log(System.Logger.Level.ERROR, "call deadline sweep failed; sweeping again", t);
            }
        }
    }

    /** Ends the sweeper unless a wait came in meanwhile; see the class comment for why none is lost. */
    private boolean retire() {
        synchronized (startLock) {
            sweeper = null;
            if (incoming.get() == null) {
                return true;
            }
            sweeper = Thread.currentThread();
            return false;
        }
    }

    /** Whether a sweeper thread is running. */
    boolean sweeping() {
        return sweeper != null;
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
            if (!w.future.isDone() && !expire(w, now)) {
                w.next = kept;
                kept = w;
            }
            w = next;
        }
        pending = kept;
    }

    /** Fails {@code w} if it is past its deadline; returns whether it is done with (a failure keeps it). */
    private static boolean expire(Wait w, long now) {
        if (now - w.deadline < 0) {
            return false;
        }
        try {
            w.expired = true;
            w.future.completeExceptionally(new CallTimeoutException(w.id, w.timeout));
            return true;
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "could not time out a call to " + w.id + "; trying again", t);
            return w.future.isDone();
        }
    }

    /** The waits the last sweep kept; only for a {@code CallDeadlines} that does not sweep itself (tests). */
    int pendingCount() {
        int n = 0;
        for (Wait w = pending; w != null; w = w.next) {
            n++;
        }
        return n;
    }
}
