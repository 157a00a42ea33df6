package io.github.pgs.sqlite;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.RawRows;
import io.github.pgs.testkit.tck.StorageContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage conformance suite against one file that every test reopens (tests use fresh type names). */
class SqliteStorageContractTest extends StorageContract {

    @TempDir
    static Path dir;

    @Override
    protected Storage newStorage() {
        return SqliteStorage.open(dir.resolve("tck.db"));
    }

    @Override
    protected RawRows rawRows() {
        return new SqliteRawRows(((SqliteStorage) storage()).file(), SqliteOptions.DEFAULT_TABLE_NAME);
    }
}
