package io.github.pgs.postgres;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.RawRows;
import io.github.pgs.testkit.tck.StorageContract;

/** The storage conformance suite against PostgreSQL, with the default group-commit settings. */
class PostgresStorageContractTest extends StorageContract {

    @Override
    protected Storage newStorage() {
        return PgTestSupport.open(PgTestSupport.options().writers(PostgresOptions.DEFAULT_WRITERS).build());
    }

    @Override
    protected RawRows rawRows() {
        return new PostgresRawRows(((PostgresStorage) storage()).options());
    }

    @Override
    protected int maxKeyBytesSupported() {
        return PostgresStorage.MAX_KEY_BYTES;
    }
}
