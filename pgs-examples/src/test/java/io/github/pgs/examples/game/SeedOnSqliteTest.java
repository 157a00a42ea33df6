package io.github.pgs.examples.game;

import io.github.pgs.spi.Storage;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The seed's tests on the embedded SQLite store. */
class SeedOnSqliteTest extends SeedTests {

    @TempDir
    Path dir;

    @Override
    protected Storage newStorage() {
        return SqliteStorage.open(dir.resolve("seed.db"));
    }

    @Override
    protected Storage reopen(Storage old) {
        old.close();
        return SqliteStorage.open(dir.resolve("seed.db"));
    }
}
