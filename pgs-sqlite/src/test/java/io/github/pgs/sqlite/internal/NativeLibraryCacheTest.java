package io.github.pgs.sqlite.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The native library is loaded only from a file no other user can write: the cache when its directory chain is
 * private to this user, a private copy otherwise. Directories "another user can write" are made by permissions
 * (group and other write bits), and, when the tests run as root, by ownership.
 */
class NativeLibraryCacheTest {

    @TempDir
    Path home;
    @TempDir
    Path tmp;

    @Test
    void freshHome_getsAnOwnerOnlyCacheDirectory_andAVerifiedCopy() throws IOException {
        NativeLibraryCache.Prepared first = NativeLibraryCache.prepare(home, tmp);

        assertThat(first).isNotNull();
        assertThat(first.privateCopy()).isFalse();
        Path dir = home.resolve(".cache/pgs/sqlite-native").toRealPath();
        assertThat(first.file().getParent()).isEqualTo(dir);
        assertThat(mode(dir) & 0777).as("cache directory mode").isEqualTo(0700);
        assertThat(mode(home.resolve(".cache")) & 0077).as("created parents are owner-only").isZero();
        assertThat(mode(first.file()) & 0077).as("cached file mode").isZero();
        assertThat(Files.readAllBytes(first.file())).isEqualTo(genuine());

        NativeLibraryCache.Prepared again = NativeLibraryCache.prepare(home, tmp);
        assertThat(again).isEqualTo(first);
    }

    @Test
    void cacheDirectoryWritableByOthers_isNotUsed_aPrivateCopyIs() throws IOException {
        Path dir = Files.createDirectories(home.resolve(".cache/pgs/sqlite-native"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        NativeLibraryCache.Prepared lib = NativeLibraryCache.prepare(home, tmp);

        assertPrivateCopy(lib);
        try (var left = Files.list(dir)) {
            assertThat(left).as("nothing written into the untrusted directory").isEmpty();
        }
    }

    @Test
    void ancestorWritableByOthers_isNotTrusted_unlessSticky() throws IOException {
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertPrivateCopy(NativeLibraryCache.prepare(home, tmp));

        Files.setAttribute(home, "unix:mode", 01777); // like /tmp: others cannot rename what is ours
        assertThat(NativeLibraryCache.prepare(home, tmp).privateCopy()).isFalse();
    }

    @Test
    void cachedFileWithOtherBytesOrWritableByOthers_isReplacedByAVerifiedCopy() throws IOException {
        Path dir = NativeLibraryCache.prepare(home, tmp).file().getParent();
        Path target = NativeLibraryCache.prepare(home, tmp).file();
        Files.write(target, new byte[] {'p', 'l', 'a', 'n', 't', 'e', 'd'});

        NativeLibraryCache.Prepared lib = NativeLibraryCache.prepare(home, tmp);
        assertThat(lib.file()).isEqualTo(target);
        assertThat(Files.readAllBytes(target)).isEqualTo(genuine());

        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(NativeLibraryCache.prepare(home, tmp).file()).isEqualTo(target);
        assertThat(mode(target) & 0077).as("replaced by an owner-only copy").isZero();
        assertThat(dir).isEqualTo(target.getParent());
    }

    @Test
    void cacheDirectoryLinkedToAPlaceOthersCanWrite_isNotUsed() throws IOException {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(home.resolve(".cache/pgs"));
        Files.createSymbolicLink(home.resolve(".cache/pgs/sqlite-native"), shared);

        assertPrivateCopy(NativeLibraryCache.prepare(home, tmp));
    }

    @Test
    void cacheOwnedByAnotherUser_isNotUsed() throws IOException {
        assumeTrue(NativeLibraryCache.currentUid(tmp) == 0, "changing a file's owner needs root");
        Path dir = Files.createDirectories(home.resolve(".cache/pgs/sqlite-native"));
        Files.setAttribute(dir, "unix:uid", 65534);

        assertPrivateCopy(NativeLibraryCache.prepare(home, tmp));
    }

    /**
     * The race that planted a library: while another party keeps renaming its own file over the cached name in a
     * directory it can write, every load is prepared from a private copy with the genuine bytes, never from that
     * directory (the old cache compared the bytes and then loaded by name, so a swap in between won).
     */
    @Test
    void swapRaceInADirectoryOthersCanWrite_neverReachesTheLoad() throws Exception {
        Path dir = Files.createDirectories(home.resolve(".cache/pgs/sqlite-native"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        String name = "sqlite-jdbc-" + SQLiteJDBCLoader.getVersion();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger swaps = new AtomicInteger();
        Thread swapper = Thread.ofPlatform().start(() -> {
            byte[] planted = {'p', 'l', 'a', 'n', 't', 'e', 'd'};
            while (!stop.get()) {
                try {
                    Path fake = Files.createTempFile(dir, "fake", ".tmp");
                    Files.write(fake, planted);
                    try (var names = Files.list(dir)) {
                        for (Path p : names.filter(p -> p.getFileName().toString().startsWith(name)).toList()) {
                            Files.copy(fake, p, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                    Files.move(fake, dir.resolve(name + "-x"), StandardCopyOption.REPLACE_EXISTING);
                    swaps.incrementAndGet();
                } catch (IOException e) {
                    // the prepared side may be listing the directory meanwhile; try again
                }
            }
        });
        try {
            for (int i = 0; i < 100; i++) {
                NativeLibraryCache.Prepared lib = NativeLibraryCache.prepare(home, tmp);
                assertPrivateCopy(lib);
                Files.delete(lib.file());
                Files.delete(lib.file().getParent());
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertThat(swaps.get()).as("the swapper was at work").isPositive();
    }

    private void assertPrivateCopy(NativeLibraryCache.Prepared lib) throws IOException {
        assertThat(lib).isNotNull();
        assertThat(lib.privateCopy()).isTrue();
        Path dir = lib.file().getParent();
        assertThat(dir.getParent()).as("in the temporary directory, not the cache").isEqualTo(tmp);
        assertThat(mode(dir) & 0777).as("private directory mode").isEqualTo(0700);
        assertThat(mode(lib.file()) & 0077).as("private copy mode").isZero();
        assertThat(Files.readAllBytes(lib.file())).isEqualTo(genuine());
    }

    private static int mode(Path p) throws IOException {
        return (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static byte[] genuine() throws IOException {
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }
}
