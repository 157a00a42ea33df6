package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;
import io.github.pgs.store.InMemoryStorage;

/**
 * The hostile-row kit on the in-memory store. It keeps Java strings and records, so it cannot hold rows it would not
 * write itself: the cases that plant them are skipped, the hostile states are not.
 */
class InMemoryHostileRowTest extends HostileRowContract {

    @Override
    protected Storage newStorage() {
        return new InMemoryStorage();
    }
}
