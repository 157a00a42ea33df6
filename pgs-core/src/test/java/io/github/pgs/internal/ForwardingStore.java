package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.util.Collection;
import java.util.Map;

/** A store that forwards everything, for tests that change one operation. */
class ForwardingStore implements Storage {

    private final Storage delegate;

    ForwardingStore(Storage delegate) {
        this.delegate = delegate;
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
    public KeyPage list(String type, KeyCursor after, int limit) {
        return delegate.list(type, after, limit);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
