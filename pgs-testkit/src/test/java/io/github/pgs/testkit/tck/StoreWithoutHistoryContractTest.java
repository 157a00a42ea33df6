package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;

/**
 * A store that keeps no history, as the SPI allows, passes the conformance suite when its capabilities say so: the
 * history cases are skipped and the model runs without depths.
 */
class StoreWithoutHistoryContractTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return BrokenStores.withoutHistory();
    }
}
