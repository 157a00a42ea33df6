package io.github.pgs.postgres;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.HostileRowContract;
import io.github.pgs.testkit.tck.RawRows;

/** The hostile-row kit on PostgreSQL (cases use fresh type names, so the shared table needs no cleaning). */
class PostgresHostileRowTest extends HostileRowContract {

    @Override
    protected Storage newStorage() {
        return PgTestSupport.open();
    }

    @Override
    protected RawRows rawRows() {
        return new PostgresRawRows(((PostgresStorage) storage()).options());
    }
}
