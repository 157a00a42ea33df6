package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.TimeSource;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The virtual threads that run drains, kept for reuse.
 *
 * <p>A drain is short: with many servers and few messages each, most drains handle one message and end. Starting a
 * new virtual thread for each costs more than the handler itself (the thread's registration with the JDK's thread
 * tracking, a fresh stack chunk on its first park, empty thread-locals so that per-thread caches never hit). So a
 * worker that finishes a drain waits, parked, for the next one, and a drain is handed to the most recently idle
 * worker; only when none is idle is a new one started. At most {@code maxIdle} workers wait: after a burst of
 * concurrent drains the others end at once. A worker idle for longer than the keep-alive is retired by
 * a reaper: a task on the runtime's {@link Scheduler}, due once per keep-alive interval (of the runtime's
 * {@link TimeSource}) while any worker is idle, and not scheduled while none is; so an idle runtime holds no
 * thread for long, and a test on a manual clock retires workers by advancing it.
 *
 * <p>Hand-off: a worker's state goes IDLE &rarr; TAKEN (by the dispatcher, which then sets the task and unparks
 * it) or IDLE &rarr; RETIRED (by the reaper or by {@link #close}); a worker reaches IDLE again only by itself, after
 * its task. A retired worker may stay in the idle stack until someone pops or sweeps it; it is skipped there.
 *
 * <p>A worker clears its interrupt flag after each task, so that a flag a handler left set does not leak into the
 * next server's turn. Thread-locals a handler sets do stay with the worker, as in any thread pool.
 */
final class DrainPool {

    private static final System.Logger LOG = System.getLogger(DrainPool.class.getName());
    private static final int IDLE = 0;
    private static final int TAKEN = 1;
    private static final int RETIRED = 2;
    private static final int BUSY = 3;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Worker.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String threadName;
    private final long keepAliveNanos;
    /** The idle workers, most recently idle on top; retired ones are skipped when popped or swept. */
    private final AtomicReference<Node> idle = new AtomicReference<>();
    private final int maxIdle;
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicBoolean reaping = new AtomicBoolean();
    private final TimeSource time;
    private final Scheduler scheduler;
    private volatile boolean closed;

    /**
     * @param threadName the workers' thread name
     * @param keepAliveMillis how long an idle worker is kept (&ge; 1)
     * @param maxIdle the most workers kept idle; a worker finding that many idle ends instead (&ge; 0)
     * @param time the clock idle times are read from
     * @param scheduler where the reaper runs
     */
    DrainPool(String threadName, long keepAliveMillis, int maxIdle, TimeSource time, Scheduler scheduler) {
        if (keepAliveMillis < 1 || maxIdle < 0) {
            throw new IllegalArgumentException("keepAliveMillis must be >= 1 and maxIdle >= 0");
        }
        this.threadName = threadName;
        this.maxIdle = maxIdle;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
        this.time = time;
        this.scheduler = scheduler;
    }

    /** Runs {@code task} on an idle worker, or on a new one. */
    void execute(Runnable task) {
        for (Worker w; (w = pop()) != null; ) {
            if (STATE.compareAndSet(w, IDLE, TAKEN)) {
                idleCount.decrementAndGet();
                w.task = task;
                LockSupport.unpark(w.thread);
                return;
            }
        }
        Worker w = new Worker(task);
        w.thread = Thread.ofVirtual().name(threadName).unstarted(w);
        w.thread.start();
    }

    /** Workers idle right now (for tests and statistics; weakly consistent). */
    int idleWorkers() {
        int n = 0;
        for (Node x = idle.get(); x != null; x = x.next) {
            if ((int) STATE.getVolatile(x.worker) == IDLE) {
                n++;
            }
        }
        return n;
    }

    // A Treiber stack of fresh nodes (a node is never pushed twice, so a successful CAS cannot be an ABA).
    private void push(Worker w) {
        Node n = new Node(w);
        Node h;
        do {
            h = idle.get();
            n.next = h;
        } while (!idle.compareAndSet(h, n));
    }

    private Worker pop() {
        Node h;
        do {
            h = idle.get();
            if (h == null) {
                return null;
            }
        } while (!idle.compareAndSet(h, h.next));
        return h.worker;
    }

    /** Retires the idle workers; busy workers end after their task; the reaper is not scheduled again. Idempotent. */
    void close() {
        closed = true;
        for (Worker w; (w = pop()) != null; ) {
            retire(w);
        }
    }

    private boolean retire(Worker w) {
        if (STATE.compareAndSet(w, IDLE, RETIRED)) {
            idleCount.decrementAndGet();
            LockSupport.unpark(w.thread);
            return true;
        }
        return false;
    }

    /** Schedules the reaper unless it is scheduled; it is only while some worker is idle. */
    private void ensureReaper() {
        if (!reaping.get() && reaping.compareAndSet(false, true)) {
            scheduleReap();
        }
    }

    private void scheduleReap() {
        scheduler.schedule(Duration.ofNanos(keepAliveNanos), this::reap);
    }

    /**
     * Takes the whole stack, retires the workers idle too long, and pushes the others back (oldest first, so that
     * the most recently idle end up on top again). Meanwhile dispatchers find the stack empty and start a new
     * worker or two: harmless, once per interval. Runs on the scheduler: it only moves nodes and unparks.
     */
    private void reap() {
        if (closed) {
            reaping.set(false);
            return;
        }
        long now = time.nanoTime();
        ArrayList<Worker> keep = new ArrayList<>();
        for (Node x = idle.getAndSet(null); x != null; x = x.next) {
            Worker w = x.worker;
            if ((int) STATE.getVolatile(w) == IDLE && (now - w.idleSince < keepAliveNanos || !retire(w))) {
                keep.add(w);
            }
        }
        for (int i = keep.size() - 1; i >= 0; i--) {
            push(keep.get(i));
        }
        if (idle.get() == null) {
            reaping.set(false);
            // a worker that went idle after the check above found the reaper still scheduled: take over again
            if (idle.get() == null || !reaping.compareAndSet(false, true)) {
                return;
            }
        }
        scheduleReap();
    }

    private static final class Node {
        final Worker worker;
        Node next;

        Node(Worker worker) {
            this.worker = worker;
        }
    }

    private final class Worker implements Runnable {
        volatile Runnable task;
        volatile long idleSince;
        @SuppressWarnings("unused") // through STATE
        volatile int state = BUSY;
        Thread thread;

        Worker(Runnable first) {
            this.task = first;
        }

        @Override
        public void run() {
            Runnable t = task;
            while (true) {
                try {
                    t.run();
                } catch (Throwable e) {
                    LOG.log(System.Logger.Level.ERROR, "drain task failed", e);
                }
                Thread.interrupted();
                task = null;
                if (closed || idleCount.get() >= maxIdle) {
                    return; // after a burst, only maxIdle workers wait for more
                }
                idleCount.incrementAndGet();
                idleSince = time.nanoTime();
                state = IDLE;
                push(this);
                ensureReaper();
                if (closed && retire(this)) {
                    return; // close() may have swept the deque before this worker joined it
                }
                while (true) {
                    int s = (int) STATE.getVolatile(this);
                    if (s == TAKEN && (t = task) != null) {
                        state = BUSY;
                        break;
                    }
                    if (s == RETIRED) {
                        return;
                    }
                    LockSupport.park(this);
                }
            }
        }
    }
}
