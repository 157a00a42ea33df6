package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.spi.DefaultStorageProvider;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteDefaultStorageProviderTest {

    private static final Path WORKING_DIR = Path.of("/srv/app");

    @TempDir
    Path dir;

    private static Path resolve(Map<String, String> properties, Map<String, String> environment) {
        return SqliteDefaultStorageProvider.resolve(properties::get, environment::get, WORKING_DIR);
    }

    @Test
    void path_withNothingSet_isPgsDataUnderTheWorkingDirectory() {
        assertThat(resolve(Map.of(), Map.of())).isEqualTo(Path.of("/srv/app/pgs-data/pgs.db"));
    }

    @Test
    void path_fromEnvironment_whenNoProperty() {
        assertThat(resolve(Map.of(), Map.of("PGS_SQLITE_PATH", "/var/lib/game/state.db")))
                .isEqualTo(Path.of("/var/lib/game/state.db"));
    }

    @Test
    void path_fromProperty_winsOverEnvironment() {
        assertThat(resolve(Map.of("pgs.sqlite.path", "/data/p.db"), Map.of("PGS_SQLITE_PATH", "/data/e.db")))
                .isEqualTo(Path.of("/data/p.db"));
    }

    @Test
    void path_relative_isResolvedAgainstTheWorkingDirectory() {
        assertThat(resolve(Map.of("pgs.sqlite.path", "db/../state/p.db"), Map.of()))
                .isEqualTo(Path.of("/srv/app/state/p.db"));
        assertThat(resolve(Map.of(), Map.of("PGS_SQLITE_PATH", "e.db"))).isEqualTo(Path.of("/srv/app/e.db"));
    }

    @Test
    void path_blankValues_areIgnored_andWhitespaceIsStripped() {
        assertThat(resolve(Map.of("pgs.sqlite.path", "  "), Map.of("PGS_SQLITE_PATH", " /data/e.db\n")))
                .isEqualTo(Path.of("/data/e.db"));
        assertThat(resolve(Map.of("pgs.sqlite.path", ""), Map.of("PGS_SQLITE_PATH", "")))
                .isEqualTo(Path.of("/srv/app/pgs-data/pgs.db"));
    }

    @Test
    void serviceLoader_findsTheProvider_whichOpensTheConfiguredFile() {
        DefaultStorageProvider provider = ServiceLoader.load(DefaultStorageProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p instanceof SqliteDefaultStorageProvider)
                .findFirst().orElseThrow();
        Path file = dir.resolve("from-property/pgs.db");
        String previous = System.setProperty(SqliteDefaultStorageProvider.PATH_PROPERTY, file.toString());
        try {
            assertThat(provider.priority()).isZero();
            assertThat(provider.describe()).contains(file.toString()).contains("pgs.sqlite.path");
            try (Storage storage = provider.openDefault()) {
                assertThat(storage).isInstanceOf(SqliteStorage.class);
                storage.save(new StateWrite(new ServerId("t", "k"), 0, new byte[] {1}, 1));
            }
            assertThat(file).isRegularFile();
        } finally {
            if (previous == null) {
                System.clearProperty(SqliteDefaultStorageProvider.PATH_PROPERTY);
            } else {
                System.setProperty(SqliteDefaultStorageProvider.PATH_PROPERTY, previous);
            }
        }
    }
}
