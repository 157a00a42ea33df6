package io.github.pgs.testkit;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a {@link Storage} and injects faults on demand: failing writes or loads, writes whose outcome is unknown
 * (applied, then reported as failed), and writes held at a gate until released (a hung or slow database). Counts
 * what passes through.
 *
 * <p>Thread-safe; faults are armed and disarmed from the test thread while servers run.
 */
public final class FaultInjectingStorage implements Storage {

    private final Storage delegate;
    private final AtomicInteger failSaves = new AtomicInteger();
    private final AtomicInteger unknownOutcomeSaves = new AtomicInteger();
    private final AtomicInteger failLoads = new AtomicInteger();
    private final AtomicReference<CountDownLatch> saveGate = new AtomicReference<>();
    private final AtomicInteger waitingAtGate = new AtomicInteger();
    private final AtomicLong saves = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private volatile boolean down;

    public FaultInjectingStorage(Storage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The next {@code n} saves fail with a {@link StorageException} and write nothing. */
    public FaultInjectingStorage failNextSaves(int n) {
        failSaves.set(n);
        return this;
    }

    /** The next {@code n} saves are written, then reported as failed ("commit outcome unknown"). */
    public FaultInjectingStorage unknownOutcomeNextSaves(int n) {
        unknownOutcomeSaves.set(n);
        return this;
    }

    /** The next {@code n} loads fail with a {@link StorageException}. */
    public FaultInjectingStorage failNextLoads(int n) {
        failLoads.set(n);
        return this;
    }

    /** Every operation fails while down, as during an outage. */
    public FaultInjectingStorage down(boolean isDown) {
        this.down = isDown;
        return this;
    }

    /** From now on, saves and deletes wait until {@link #openGate()}. */
    public FaultInjectingStorage closeGate() {
        saveGate.set(new CountDownLatch(1));
        return this;
    }

    /** Lets waiting and future saves through. */
    public FaultInjectingStorage openGate() {
        CountDownLatch g = saveGate.getAndSet(null);
        if (g != null) {
            g.countDown();
        }
        return this;
    }

    /** How many writes are waiting at the gate now. */
    public int waitingAtGate() {
        return waitingAtGate.get();
    }

    public long saves() {
        return saves.get();
    }

    public long loads() {
        return loads.get();
    }

    public long deletes() {
        return deletes.get();
    }

    public Storage delegate() {
        return delegate;
    }

    @Override
    public StoredState load(ServerId id) {
        checkUp(id);
        if (decrementIfPositive(failLoads)) {
            throw new StorageException(id, "injected load failure", null);
        }
        loads.incrementAndGet();
        return delegate.load(id);
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        checkUp(null);
        if (decrementIfPositive(failLoads)) {
            throw new StorageException("injected load failure", null);
        }
        loads.addAndGet(ids.size());
        return delegate.loadAll(ids);
    }

    @Override
    public long save(StateWrite write) {
        passGate();
        checkUp(write.id());
        if (decrementIfPositive(failSaves)) {
            throw new StorageException(write.id(), "injected save failure", null);
        }
        long v = delegate.save(write);
        saves.incrementAndGet();
        if (decrementIfPositive(unknownOutcomeSaves)) {
            throw new StorageException(write.id(), "injected failure after commit (outcome unknown)", null);
        }
        return v;
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        passGate();
        checkUp(id);
        long v = delegate.delete(id, expectedVersion);
        deletes.incrementAndGet();
        return v;
    }

    @Override
    public java.util.List<StoredState> history(ServerId id) {
        checkUp(id);
        return delegate.history(id);
    }

    @Override
    public KeyPage list(String type, String afterKey, int limit) {
        checkUp(null);
        return delegate.list(type, afterKey, limit);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void checkUp(ServerId id) {
        if (down) {
            throw new StorageException(id, "injected outage: store unreachable", null);
        }
    }

    private void passGate() {
        CountDownLatch g = saveGate.get();
        if (g == null) {
            return;
        }
        waitingAtGate.incrementAndGet();
        try {
            g.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted at the injected gate", e);
        } finally {
            waitingAtGate.decrementAndGet();
        }
    }

    private static boolean decrementIfPositive(AtomicInteger n) {
        while (true) {
            int v = n.get();
            if (v <= 0) {
                return false;
            }
            if (n.compareAndSet(v, v - 1)) {
                return true;
            }
        }
    }
}
