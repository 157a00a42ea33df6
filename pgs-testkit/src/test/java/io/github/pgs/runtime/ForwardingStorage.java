package io.github.pgs.runtime;

import io.github.pgs.ServerId;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A store that hands every call to another; tests override what they need to break. */
class ForwardingStorage implements Storage {

    private final Storage delegate;

    ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
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
    public void close() {
        delegate.close();
    }
}
