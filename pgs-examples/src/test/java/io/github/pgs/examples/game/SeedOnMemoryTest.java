package io.github.pgs.examples.game;

import io.github.pgs.spi.Storage;
import io.github.pgs.store.InMemoryStorage;

/** The seed's tests on the in-memory store. */
class SeedOnMemoryTest extends SeedTests {

    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }

    @Override
    protected Storage reopen(Storage old) {
        return old; // the heap is the store: a new runtime on it is what a restart looks like here
    }
}
