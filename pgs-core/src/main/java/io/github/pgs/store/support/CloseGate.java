package io.github.pgs.store.support;

import io.github.pgs.StorageException;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The closed-store gate: every store method passes it on the way in, and {@link #close()} shuts it once no call
 * is inside any more. After that, every call fails with a {@link StorageException} saying the store is closed,
 * as the storage contract requires, and the store can release its connections knowing that no call still uses
 * them.
 *
 * <pre>{@code
 * public StoredState load(ServerId id) {
 *     gate.enter();                 // throws StorageException once closed
 *     try {
 *         return ...;               // use connections freely
 *     } finally {
 *         gate.exit();
 *     }
 * }
 *
 * public void close() {
 *     if (gate.close()) {           // waits for calls in progress; true only for the first close
 *         releaseConnections();
 *     }
 * }
 * }</pre>
 *
 * <h2>Algorithm</h2>
 * A read-write lock: calls hold the read lock (shared, re-entrant, so a gated method may call another), close
 * takes the write lock to flip the flag, which it can only do when no call holds the read lock, and releases it at
 * once. Calls that arrive while close waits queue behind it and then see the flag.
 *
 * <h2>Hazards</h2>
 * A call that blocks forever inside the gate blocks {@link #close()} forever: stores bound every wait inside
 * (statement and command timeouts). Never call {@link #close()} from inside the gate: it would wait for itself.
 * Thread-safe.
 */
public final class CloseGate {

    private final String what;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** @param what names the store in the "closed" message, e.g. {@code "SQLite store /data/pgs.db"} */
    public CloseGate(String what) {
        this.what = Objects.requireNonNull(what, "what");
    }

    /**
     * Enters the gate; pair every successful call with {@link #exit()} in a {@code finally}.
     *
     * @throws StorageException if the store is closed (nothing to exit then)
     */
    public void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw closedException();
        }
    }

    /** Leaves the gate entered by this thread. */
    public void exit() {
        lock.readLock().unlock();
    }

    /**
     * Runs {@code action} inside the gate: {@link #enter()}, the action, {@link #exit()}.
     *
     * @throws StorageException if the store is closed (the action does not run)
     */
    public <T> T call(Supplier<T> action) {
        enter();
        try {
            return action.get();
        } finally {
            exit();
        }
    }

    /**
     * Throws the store's "closed" exception if it is closed, without entering (for paths that hold no resource,
     * such as a group commit's submit that the commit itself guards).
     */
    public void checkOpen() {
        if (closed) {
            throw closedException();
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the gate after the calls in progress have left it.
     *
     * @return {@code true} for the call that closed it, {@code false} if it was closed already (close is
     *         idempotent: only the first caller releases resources)
     */
    public boolean close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The exception every call gets once the store is closed. */
    public StorageException closedException() {
        return new StorageException(what + " is closed", null);
    }
}
