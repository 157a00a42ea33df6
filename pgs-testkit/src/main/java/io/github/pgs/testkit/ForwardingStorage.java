package io.github.pgs.testkit;

import io.github.pgs.ServerId;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoreObserver;
import io.github.pgs.spi.StoredState;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link Storage} that hands every call to another, for tests that break one behaviour of a correct store: extend
 * it and override what to break. Every method is forwarded, those with a default in {@link Storage} included, so
 * the wrapped store's capabilities, batch loads and reminder scans are what a runtime sees unless overridden.
 *
 * <p>Thread-safe as far as the wrapped store is; an override that keeps state must guard it itself.
 */
public class ForwardingStorage implements Storage {

    /** The store every call goes to. */
    protected final Storage delegate;

    /** Forwards to {@code delegate}. */
    public ForwardingStorage(Storage delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Set<StorageCapability> capabilities() {
        return delegate.capabilities();
    }

    @Override
    public StoredState load(ServerId id) {
        return delegate.load(id);
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        return delegate.loadAll(ids);
    }

    @Override
    public long save(StateWrite write) {
        return delegate.save(write);
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        return delegate.delete(id, expectedVersion);
    }

    @Override
    public List<StoredState> history(ServerId id) {
        return delegate.history(id);
    }

    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        return delegate.due(notAfterMillis, after, limit);
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        return delegate.list(type, after, limit);
    }

    @Override
    public void observe(StoreObserver observer) {
        delegate.observe(observer);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
