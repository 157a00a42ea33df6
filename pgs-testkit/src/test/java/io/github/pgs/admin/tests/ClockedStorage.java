package io.github.pgs.admin.tests;

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
import io.github.pgs.spi.TimeSource;
import io.github.pgs.store.InMemoryStorage;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-memory store whose write times come from a given clock (the in-memory store stamps with the system
 * clock), so that expiry can be tested on manual time. Also lets a test slip a write in right after a page of
 * records was loaded, and fail deletes after a number of them.
 */
final class ClockedStorage implements Storage {

    final InMemoryStorage memory = new InMemoryStorage();
    private final TimeSource clock;
    private final Map<ServerId, Long> stamps = new ConcurrentHashMap<>();
    private final AtomicReference<Runnable> afterNextLoadAll = new AtomicReference<>();
    private final AtomicInteger deletesBeforeFailure = new AtomicInteger(-1);

    ClockedStorage(TimeSource clock) {
        this.clock = clock;
    }

    /** Runs {@code action} once, right after the next {@link #loadAll} has read its records. */
    void afterNextLoadAll(Runnable action) {
        afterNextLoadAll.set(action);
    }

    /** Lets {@code n} more deletes through, then fails every delete. */
    void failDeletesAfter(int n) {
        deletesBeforeFailure.set(n);
    }

    @Override
    public Set<StorageCapability> capabilities() {
        return memory.capabilities();
    }

    @Override
    public StoredState load(ServerId id) {
        return stamped(id, memory.load(id));
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        Map<ServerId, StoredState> out = new LinkedHashMap<>();
        memory.loadAll(ids).forEach((id, s) -> out.put(id, stamped(id, s)));
        Runnable action = afterNextLoadAll.getAndSet(null);
        if (action != null) {
            action.run();
        }
        return out;
    }

    @Override
    public long save(StateWrite write) {
        long v = memory.save(write);
        stamps.put(write.id(), clock.currentTimeMillis());
        return v;
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        if (deletesBeforeFailure.get() >= 0 && deletesBeforeFailure.getAndDecrement() == 0) {
            deletesBeforeFailure.set(0);
            throw new StorageException(id, "injected delete failure", null);
        }
        long v = memory.delete(id, expectedVersion);
        stamps.put(id, clock.currentTimeMillis());
        return v;
    }

    @Override
    public List<StoredState> history(ServerId id) {
        return memory.history(id);
    }

    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        return memory.due(notAfterMillis, after, limit);
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        return memory.list(type, after, limit);
    }

    @Override
    public void close() {
        memory.close();
    }

    private StoredState stamped(ServerId id, StoredState s) {
        Long at = stamps.get(id);
        return at == null || s.version() == 0 ? s
                : new StoredState(s.version(), s.payload(), s.schemaVersion(), at, s.reminders(), s.remindAtMillis());
    }
}
