package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default {@link Scheduler}: one daemon platform thread over a binary min-heap of deadlines.
 *
 * <p>Tasks only post signals to mailboxes, so one thread suffices. Every active server holds one timer (its idle
 * timer), so the timer's size and the heap's capacity are per-server costs: a task here is one small object that
 * is its own {@link Cancellable} (32 bytes, where a {@code ScheduledThreadPoolExecutor} task with its adapters
 * costs about 128), a cancelled task leaves the heap at once (it knows its index), and the heap's array shrinks
 * when it is mostly empty, so that a million servers petrified after a burst leave no array behind.
 *
 * <p>A task that throws is logged and does not stop the thread. After {@link #close()} pending tasks never run
 * and new ones are accepted but never run.
 */
final class SystemScheduler implements Scheduler, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SystemScheduler.class.getName());
    private static final long MAX_DELAY_NANOS = TimeUnit.DAYS.toNanos(365L * 100);
    private static final int MIN_CAPACITY = 64;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private Task[] heap = new Task[MIN_CAPACITY]; // guarded by lock
    private int size; // guarded by lock
    private boolean closed; // guarded by lock

    public SystemScheduler(String name) {
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        long nanos = delay.isNegative() ? 0
                : delay.compareTo(Duration.ofNanos(MAX_DELAY_NANOS)) > 0 ? MAX_DELAY_NANOS : delay.toNanos();
        Task t = new Task(System.nanoTime() + nanos, task);
        lock.lock();
        try {
            if (!closed) {
                add(t);
                if (t.index == 0) {
                    changed.signal(); // a new earliest deadline
                }
            }
        } finally {
            lock.unlock();
        }
        return t;
    }

    /** Tasks waiting to run (for tests). */
    int pending() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the timer thread still runs (for tests: it ends on close). */
    boolean running() {
        return thread.isAlive();
    }

    /** The heap array's length (for tests: it shrinks when the heap empties). */
    int capacity() {
        lock.lock();
        try {
            return heap.length;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            Arrays.fill(heap, 0, size, null);
            size = 0;
            heap = new Task[MIN_CAPACITY];
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (true) {
            Runnable due;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        return;
                    }
                    if (size == 0) {
                        changed.awaitUninterruptibly();
                        continue;
                    }
                    long wait = heap[0].deadline - System.nanoTime();
                    if (wait <= 0) {
                        Task t = heap[0];
                        removeAt(0);
                        due = t.task;
                        t.task = null;
                        break;
                    }
                    try {
                        changed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        // only close() ends this thread
                    }
                }
            } finally {
                lock.unlock();
            }
            try {
                due.run();
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "scheduled task failed", e);
            }
        }
    }

    // ---------------------------------------------------------------- the heap (all under lock)

    private void add(Task t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2);
        }
        t.index = size;
        heap[size++] = t;
        siftUp(t.index);
    }

    private void removeAt(int i) {
        Task removed = heap[i];
        removed.index = -1;
        int last = --size;
        if (i != last) {
            Task moved = heap[last];
            heap[i] = moved;
            moved.index = i;
            heap[last] = null;
            siftDown(i);
            if (heap[i] == moved) {
                siftUp(i);
            }
        } else {
            heap[last] = null;
        }
        if (heap.length > MIN_CAPACITY && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, Math.max(MIN_CAPACITY, heap.length / 2));
        }
    }

    private void siftUp(int i) {
        Task t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Task p = heap[parent];
            if (p.deadline - t.deadline <= 0) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void siftDown(int i) {
        Task t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Task c = heap[child];
            int right = child + 1;
            if (right < size && heap[right].deadline - c.deadline < 0) {
                child = right;
                c = heap[child];
            }
            if (t.deadline - c.deadline <= 0) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }

    private final class Task implements Cancellable {
        final long deadline;
        Runnable task; // guarded by lock; null once run or cancelled
        int index = -1; // guarded by lock; -1 when not in the heap

        Task(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                if (index >= 0) {
                    removeAt(index);
                }
                task = null;
            } finally {
                lock.unlock();
            }
        }
    }
}
