package io.github.pgs.postgres;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.StorageContract;

/** The storage conformance suite against PostgreSQL, with the default group-commit settings. */
class PostgresStorageContractTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return PgTestSupport.open(PgTestSupport.options().writers(PostgresOptions.DEFAULT_WRITERS).build());
    }

    @Override
    protected int maxKeyBytesSupported() {
        return PostgresStorage.MAX_KEY_BYTES;
    }
}
