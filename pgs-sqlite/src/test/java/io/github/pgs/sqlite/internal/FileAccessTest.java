package io.github.pgs.sqlite.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A store's files are the owner's only unless configured otherwise, and a folder of another user is refused (a
 * world-readable database used to be created under the usual umask, and a foreign folder used without a word).
 */
class FileAccessTest {

    @TempDir
    Path dir;

    @Test
    void newDatabase_itsLogAndItsFolder_areTheOwnersOnly() throws IOException {
        Path file = dir.resolve("data/x.db");
        try (SqliteStorage store = SqliteStorage.open(file)) {
            store.save(new StateWrite(new ServerId("t", "k"), 0, "v".getBytes(StandardCharsets.UTF_8), 1));
            assertThat(mode(dir.resolve("data"))).as("folder").isEqualTo("rwx------");
            assertThat(mode(file)).as("database").isEqualTo("rw-------");
            assertThat(mode(Path.of(file + "-wal"))).as("write-ahead log").isEqualTo("rw-------");
            assertThat(mode(Path.of(file + "-shm"))).as("shared memory").isEqualTo("rw-------");
        }
    }

    @Test
    void configuredPermissions_areAppliedExactly_andExistingFilesKeepTheirs() throws IOException {
        Path file = dir.resolve("shared/x.db");
        try (SqliteStorage store = SqliteStorage.builder(file)
                .filePermissions(PosixFilePermissions.fromString("rw-r-----")).open()) {
            store.save(new StateWrite(new ServerId("t", "k"), 0, "v".getBytes(StandardCharsets.UTF_8), 1));
            assertThat(mode(dir.resolve("shared"))).isEqualTo("rwxr-x---");
            assertThat(mode(file)).isEqualTo("rw-r-----");
            assertThat(mode(Path.of(file + "-wal"))).isEqualTo("rw-r-----");
        }
        Path existing = Files.createFile(dir.resolve("existing.db"));
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-rw-r--"));
        try (SqliteStorage store = SqliteStorage.open(existing)) {
            assertThat(mode(existing)).as("an operator's choice stands").isEqualTo("rw-rw-r--");
        }
    }

    @Test
    void folderWritableByOthers_isReportedAsAWarning() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThat(FileAccess.prepare(folder.resolve("x.db"), SqliteOptions.DEFAULT_FILE_PERMISSIONS, false))
                .singleElement().asString().contains("can be written by other users").contains("777");

        Files.setAttribute(folder, "unix:mode", 01777);
        assertThat(FileAccess.prepare(folder.resolve("y.db"), SqliteOptions.DEFAULT_FILE_PERMISSIONS, false))
                .as("sticky: others cannot replace our files").isEmpty();
    }

    @Test
    void folderOrFileOfAnotherUser_isRefused_unlessAllowed() throws IOException {
        assumeTrue(NativeLibraryCache.currentUid(dir) == 0, "changing an owner needs root");
        Path folder = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(folder, "unix:uid", 65534);
        Path file = folder.resolve("x.db");

        assertThatThrownBy(() -> SqliteStorage.open(file)).isInstanceOf(StorageException.class)
                .hasMessageContaining("belongs to another user (uid 65534)")
                .hasMessageContaining("allowForeignOwner");
        assertThat(Files.exists(file)).as("nothing created in the foreign folder").isFalse();

        try (SqliteStorage store = SqliteStorage.builder(file).allowForeignOwner(true).open()) {
            assertThat(store.file()).isEqualTo(file);
        }

        Path mine = Files.createDirectory(dir.resolve("mine"));
        Path planted = Files.createFile(mine.resolve("x.db"));
        Files.setAttribute(planted, "unix:uid", 65534);
        assertThatThrownBy(() -> SqliteStorage.open(planted)).isInstanceOf(StorageException.class)
                .hasMessageContaining("database file");
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
