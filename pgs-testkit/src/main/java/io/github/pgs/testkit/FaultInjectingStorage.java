package io.github.pgs.testkit;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a {@link Storage} and injects faults on demand: failing writes or loads, writes whose outcome is unknown
 * (applied, then reported as failed), writes held at a gate until released (a hung or slow database), competing
 * writers that make the next write of a server meet a version conflict, added latency, and a store that hangs
 * every operation. Faults can be armed for the whole store or for one server. Counts what passes through.
 *
 * <h2>Order of checks</h2>
 * A save passes the gate and the hang, waits out the latency, then fails if the store is {@linkplain #down down},
 * then consumes a store-wide failure, then a failure armed for its server, then a competing write armed for its
 * server (which makes the save meet a real {@link io.github.pgs.VersionConflictException} from the wrapped store),
 * and is then written; only a written save consumes an unknown-outcome fault (store-wide first, then per server).
 * A load waits out the hang and the latency, fails if down, then consumes a store-wide load failure, then one armed
 * for its server. Deletes, lists, history reads and {@code due} honour the hang, the latency and the outage only.
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
    private final ConcurrentHashMap<ServerId, Armed> perServer = new ConcurrentHashMap<>();
    private final AtomicReference<CountDownLatch> hangGate = new AtomicReference<>();
    private final AtomicInteger hanging = new AtomicInteger();
    private volatile long latencyNanos;
    private volatile boolean down;

    /** Faults armed for one server. */
    private static final class Armed {
        final AtomicInteger failSaves = new AtomicInteger();
        final AtomicInteger unknownOutcomeSaves = new AtomicInteger();
        final AtomicInteger conflictSaves = new AtomicInteger();
        final AtomicInteger failLoads = new AtomicInteger();
    }

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

    /** The next {@code n} saves of server {@code id} fail with a {@link StorageException} and write nothing. */
    public FaultInjectingStorage failNextSaves(ServerId id, int n) {
        armed(id).failSaves.set(n);
        return this;
    }

    /** The next {@code n} saves of server {@code id} are written, then reported as failed (outcome unknown). */
    public FaultInjectingStorage unknownOutcomeNextSaves(ServerId id, int n) {
        armed(id).unknownOutcomeSaves.set(n);
        return this;
    }

    /**
     * Before each of the next {@code n} saves of server {@code id}, a competing writer bumps the stored version
     * (it writes the stored payload again, or a tombstone over an absent or deleted state), so the save meets a
     * genuine {@link io.github.pgs.VersionConflictException} from the wrapped store, as it would after another
     * runtime or JVM wrote the same server.
     */
    public FaultInjectingStorage conflictNextSaves(ServerId id, int n) {
        armed(id).conflictSaves.set(n);
        return this;
    }

    /** The next {@code n} loads of server {@code id} fail with a {@link StorageException}. */
    public FaultInjectingStorage failNextLoads(ServerId id, int n) {
        armed(id).failLoads.set(n);
        return this;
    }

    /** Forgets every fault armed for single servers. */
    public FaultInjectingStorage clearServerFaults() {
        perServer.clear();
        return this;
    }

    /**
     * Every operation waits {@code perOperation} (real time) before it runs, like a distant or loaded database.
     * {@link Duration#ZERO} turns it off.
     */
    public FaultInjectingStorage latency(Duration perOperation) {
        Objects.requireNonNull(perOperation, "perOperation");
        if (perOperation.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + perOperation);
        }
        latencyNanos = perOperation.toNanos();
        return this;
    }

    /**
     * While hung, every operation blocks until {@code hang(false)}, like a database whose network went silent:
     * nothing fails, nothing answers. An interrupted operation fails with a {@link StorageException}.
     */
    public FaultInjectingStorage hang(boolean isHung) {
        if (isHung) {
            hangGate.compareAndSet(null, new CountDownLatch(1));
        } else {
            CountDownLatch g = hangGate.getAndSet(null);
            if (g != null) {
                g.countDown();
            }
        }
        return this;
    }

    /** How many operations are blocked by {@link #hang(boolean)} now. */
    public int hanging() {
        return hanging.get();
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
    public Set<StorageCapability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public StoredState load(ServerId id) {
        stall();
        checkUp(id);
        if (decrementIfPositive(failLoads)) {
            throw new StorageException(id, "injected load failure", null);
        }
        Armed a = perServer.get(id);
        if (a != null && decrementIfPositive(a.failLoads)) {
            throw new StorageException(id, "injected load failure", null);
        }
        loads.incrementAndGet();
        return delegate.load(id);
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        stall();
        checkUp(null);
        if (decrementIfPositive(failLoads)) {
            throw new StorageException("injected load failure", null);
        }
        for (ServerId id : ids) {
            Armed a = perServer.get(id);
            if (a != null && a.failLoads.get() > 0) {
                // a batch holding a server with an armed load failure fails as a whole, as a real query would;
                // the fault itself is consumed by that server's own load when the caller retries one by one
                throw new StorageException(id, "injected load failure (in a batch)", null);
            }
        }
        loads.addAndGet(ids.size());
        return delegate.loadAll(ids);
    }

    @Override
    public long save(StateWrite write) {
        passGate();
        stall();
        checkUp(write.id());
        if (decrementIfPositive(failSaves)) {
            throw new StorageException(write.id(), "injected save failure", null);
        }
        Armed a = perServer.get(write.id());
        if (a != null && decrementIfPositive(a.failSaves)) {
            throw new StorageException(write.id(), "injected save failure", null);
        }
        if (a != null && decrementIfPositive(a.conflictSaves)) {
            competingWrite(write.id());
        }
        long v = delegate.save(write);
        saves.incrementAndGet();
        if (decrementIfPositive(unknownOutcomeSaves)
                || (a != null && decrementIfPositive(a.unknownOutcomeSaves))) {
            throw new StorageException(write.id(), "injected failure after commit (outcome unknown)", null);
        }
        return v;
    }

    /**
     * Bumps the stored version of {@code id} without changing what it holds (live stays live with its reminders,
     * else tombstone).
     */
    private void competingWrite(ServerId id) {
        StoredState current = delegate.load(id);
        if (current.hasPayload()) {
            delegate.save(new StateWrite(id, current.version(), current.payload(), current.schemaVersion(), 0,
                    current.reminders(), current.remindAtMillis()));
        } else {
            delegate.delete(id, current.version());
        }
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        passGate();
        stall();
        checkUp(id);
        long v = delegate.delete(id, expectedVersion);
        deletes.incrementAndGet();
        return v;
    }

    @Override
    public List<StoredState> history(ServerId id) {
        stall();
        checkUp(id);
        return delegate.history(id);
    }

    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        stall();
        checkUp(null);
        return delegate.due(notAfterMillis, after, limit);
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        stall();
        checkUp(null);
        return delegate.list(type, after, limit);
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

    private Armed armed(ServerId id) {
        return perServer.computeIfAbsent(Objects.requireNonNull(id, "id"), k -> new Armed());
    }

    /** Blocks while hung, then waits out the configured latency. */
    private void stall() {
        CountDownLatch g = hangGate.get();
        if (g != null) {
            hanging.incrementAndGet();
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted while the injected hang lasted", e);
            } finally {
                hanging.decrementAndGet();
            }
        }
        long nanos = latencyNanos;
        if (nanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(nanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException("interrupted during the injected latency", e);
            }
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
