package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;
import io.github.pgs.store.InMemoryStorage;

/** The in-memory store passes the storage conformance suite. */
class InMemoryStorageContractTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
