package io.github.pgs.sqlite;

import io.github.pgs.spi.Storage;
import io.github.pgs.testkit.tck.HostileRowContract;
import io.github.pgs.testkit.tck.RawRows;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The hostile-row kit on one SQLite file that every case reopens (cases use fresh type names). */
class SqliteHostileRowTest extends HostileRowContract {

    @TempDir
    static Path dir;

    @Override
    protected Storage newStorage() {
        return SqliteOptions.builder(dir.resolve("hostile.db")).synchronous(SqliteOptions.Synchronous.NORMAL).open();
    }

    @Override
    protected RawRows rawRows() {
        return new SqliteRawRows(((SqliteStorage) storage()).file(), SqliteOptions.DEFAULT_TABLE_NAME);
    }
}
