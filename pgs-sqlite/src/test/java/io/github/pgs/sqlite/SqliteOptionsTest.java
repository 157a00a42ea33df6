package io.github.pgs.sqlite;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteOptionsTest {

    private static final Path FILE = Path.of("x.db");

    @Test
    void defaults_areTheDocumentedOnes() {
        SqliteOptions o = SqliteOptions.defaults(FILE);

        assertThat(o.file()).isEqualTo(FILE);
        assertThat(o.synchronous()).isEqualTo(SqliteOptions.Synchronous.FULL);
        assertThat(o.busyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.maxBatch()).isEqualTo(256);
        assertThat(o.maxWait()).isEqualTo(Duration.ZERO);
        assertThat(o.readers()).isEqualTo(2);
        assertThat(o.tableName()).isEqualTo("pgs_state");
        assertThat(o.pageSize()).isEqualTo(1024);
        assertThat(o.checkpointBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(o.writerCacheBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(o.filePermissions()).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(o.allowForeignOwner()).isFalse();
    }

    @Test
    void builder_setsEveryOption_andToBuilderRoundTrips() {
        SqliteOptions o = SqliteStorage.builder(FILE).synchronous(SqliteOptions.Synchronous.NORMAL)
                .busyTimeout(Duration.ofMillis(250)).maxBatch(1).maxWait(Duration.ofMillis(2)).readers(4)
                .tableName("Game_State2").pageSize(4096).checkpointBytes(1000).writerCacheBytes(1 << 20)
                .filePermissions(PosixFilePermissions.fromString("rw-r-----")).allowForeignOwner(true).build();

        assertThat(o).isEqualTo(new SqliteOptions(FILE, SqliteOptions.Synchronous.NORMAL, Duration.ofMillis(250), 1,
                Duration.ofMillis(2), 4, "Game_State2", 4096, 1000, 1 << 20, PosixFilePermissions.fromString("rw-r-----"),
                true));
        assertThat(o.toBuilder().build()).isEqualTo(o);
    }

    @Test
    void filePermissions_mustLetTheOwnerReadAndWrite() {
        for (String bad : new String[] {"r--------", "-w-------", "---rw-rw-"}) {
            assertThatThrownBy(() -> SqliteOptions.builder(FILE).filePermissions(PosixFilePermissions.fromString(bad))
                    .build()).as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner");
        }
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).filePermissions(null).build())
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void tableName_mustBeAPlainIdentifier() {
        for (String bad : new String[] {"", "1abc", "a-b", "a b", "a\"b", "pgs_state; DROP TABLE x", "sqlite_master",
                "SQLITE_x", "\u00E9t\u00E9", "x".repeat(65)}) {
            assertThatThrownBy(() -> SqliteOptions.builder(FILE).tableName(bad).build())
                    .as("table name %s", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SqliteOptions.builder(FILE).tableName("_x" + "y".repeat(62)).build().tableName()).hasSize(64);
    }

    @Test
    void outOfRangeValues_areRejected() {
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).maxBatch(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).readers(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).maxWait(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).busyTimeout(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).busyTimeout(Duration.ofDays(30)).build())
                .isInstanceOf(IllegalArgumentException.class);
        for (int bad : new int[] {0, 256, 1000, 1536, 131072, -1024}) {
            assertThatThrownBy(() -> SqliteOptions.builder(FILE).pageSize(bad).build())
                    .as("page size %d", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SqliteOptions.builder(FILE).pageSize(512).build().pageSize()).isEqualTo(512);
        assertThat(SqliteOptions.builder(FILE).pageSize(65536).build().pageSize()).isEqualTo(65536);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).checkpointBytes(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        for (long bad : new long[] {0, -1, 64 * 1024 - 1, (Integer.MAX_VALUE + 1L) * 1024}) {
            assertThatThrownBy(() -> SqliteOptions.builder(FILE).writerCacheBytes(bad).build())
                    .as("writer cache %d", bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SqliteOptions.builder(FILE).writerCacheBytes(64 * 1024).build().writerCacheBytes())
                .isEqualTo(64 * 1024);
        assertThatThrownBy(() -> SqliteOptions.builder(FILE).synchronous(null).build())
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> SqliteOptions.builder(null)).isInstanceOf(NullPointerException.class);
    }
}
