package io.github.pgs.sqlite.internal;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

/**
 * Loads sqlite-jdbc's native library from a file that no other user can write: one cached, verified file per
 * library build, or else a private copy deleted as soon as it is loaded; never a fresh temporary copy per JVM left
 * behind, never a file someone else could have swapped.
 *
 * <h2>Why</h2>
 * Left alone, sqlite-jdbc copies its native library into {@code java.io.tmpdir} (or {@code org.sqlite.tmpdir}) on
 * every JVM start and relies on {@link java.io.File#deleteOnExit()} to remove it; a killed JVM never runs that hook,
 * so each one leaves a megabyte behind for good. A cache avoids that, but a library is code: whoever can write the
 * cached file, or rename another file over it, between our check and the load, runs code in this process (with a
 * cache directory another user could write, a process running as root loaded a planted library).
 *
 * <h2>Algorithm</h2>
 * Before the first connection, the library resource for this platform is read from the driver jar. Then:
 * <ol>
 *   <li><b>The cache</b>: {@code ${user.home}/.cache/pgs/sqlite-native}, created owner-only ({@code 0700}) where
 *       missing. It is used only if it can be trusted: its real path (links resolved) and every directory above it
 *       are owned by this process's user or by root, and none of them is writable by group or others unless it is
 *       a sticky directory (such as {@code /tmp}, where others cannot rename what is ours), and the cache directory
 *       itself is ours and writable by no one else. The file
 *       {@code sqlite-jdbc-<version>-<sha256 prefix>-<library name>} in it is used if it is a regular file of ours,
 *       writable by no one else, with exactly the resource's bytes; otherwise a fresh copy ({@code 0600}) is
 *       written beside it and renamed over it atomically, and checked again. In a trusted directory chain no other
 *       user can swap the file between the check and the load.</li>
 *   <li><b>A private copy</b>, when the cache cannot be trusted (a warning says why): a new directory
 *       ({@code 0700}) in {@code java.io.tmpdir} holding a copy ({@code 0700}) of the library, which is deleted,
 *       with its directory, right after the driver loaded it (a loaded library needs no file), so nothing stays
 *       behind.</li>
 * </ol>
 * The driver is told to load exactly that file ({@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}), and
 * both properties are removed again as soon as it has loaded, so that no other driver copy in the JVM is steered by
 * them.
 *
 * <h2>Hazards and fall-backs</h2>
 * <ul>
 *   <li>If the user set any of {@code org.sqlite.lib.path}, {@code org.sqlite.lib.name} or
 *       {@code org.sqlite.tmpdir}, nothing is done: their choice stands.</li>
 *   <li>On a file system without POSIX permissions (Windows), or if the resource is missing (an unsupported
 *       platform) or loading the file fails (e.g. a {@code noexec} file system), the properties are removed and the
 *       driver's own extraction runs on the first connection, as it would without this class.</li>
 *   <li>Root can always replace files; the checks keep out every other user.</li>
 *   <li>If the driver was already loaded by other code in the same class loader, the driver keeps that copy.</li>
 * </ul>
 */
public final class NativeLibraryCache {

    private static final String LIB_PATH = "org.sqlite.lib.path";
    private static final String LIB_NAME = "org.sqlite.lib.name";
    private static final String TMPDIR = "org.sqlite.tmpdir";
    private static final System.Logger LOG = System.getLogger(NativeLibraryCache.class.getName());
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    /** Group and others may write. */
    private static final int SHARED_WRITE = 0022;
    private static final int STICKY = 01000;

    private static boolean attempted;

    private NativeLibraryCache() {
    }

    /** The file to load, and whether it is a private copy to delete (with its directory) once loaded. */
    record Prepared(Path file, boolean privateCopy) {
    }

    /** Makes sure the driver's native library is loaded from a trusted file if possible. Cheap after the first call. */
    public static synchronized void load() {
        if (attempted) {
            return;
        }
        attempted = true;
        if (System.getProperty(LIB_PATH) != null || System.getProperty(LIB_NAME) != null
                || System.getProperty(TMPDIR) != null) {
            return;
        }
        Prepared lib = prepare(Path.of(System.getProperty("user.home", "?")),
                Path.of(System.getProperty("java.io.tmpdir")));
        if (lib == null) {
            return;
        }
        System.setProperty(LIB_PATH, lib.file().getParent().toString());
        System.setProperty(LIB_NAME, lib.file().getFileName().toString());
        try {
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // The driver retries with its own extraction on the first connection (properties removed below).
        } finally {
            System.clearProperty(LIB_PATH);
            System.clearProperty(LIB_NAME);
            if (lib.privateCopy()) {
                deleteQuietly(lib.file());
                deleteQuietly(lib.file().getParent());
            }
        }
    }

    /**
     * The file to load this platform's library from: the verified cache under {@code home}, or a private copy in a
     * new directory under {@code tmp}; {@code null} if neither is possible (no resource, no POSIX permissions).
     */
    static Prepared prepare(Path home, Path tmp) {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("unix")) {
            return null;
        }
        String libName = LibraryLoaderUtil.getNativeLibName();
        byte[] bytes = resource(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + libName);
        if (bytes == null) {
            return null;
        }
        try {
            String name = "sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8) + "-" + libName;
            int uid = currentUid(tmp);
            String distrust = home.isAbsolute() ? null : "no home directory";
            if (distrust == null) {
                Path cached = cached(home.resolve(".cache").resolve("pgs").resolve("sqlite-native"), name, bytes, uid);
                if (cached != null) {
                    return new Prepared(cached, false);
                }
                distrust = "the cache directory under " + home + " is not private to this user";
            }
            LOG.log(System.Logger.Level.WARNING, "not using the SQLite native library cache (" + distrust
                    + "); loading a private copy instead");
            return new Prepared(privateCopy(tmp, name, bytes), true);
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }

    /** The verified cached file in {@code dir} (written if needed), or {@code null} if the cache is not trusted. */
    static Path cached(Path dir, String name, byte[] bytes, int uid) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (IOException e) {
            return null;
        }
        Path real = dir.toRealPath();
        if (!trustedChain(real, uid)) {
            return null;
        }
        Path target = real.resolve(name);
        if (trustedFile(target, uid) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return target;
        }
        Path tmp = Files.createTempFile(real, name, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return trustedFile(target, uid) && Arrays.equals(Files.readAllBytes(target), bytes) ? target : null;
    }

    /**
     * Whether no user but {@code uid} (and root) can change what {@code dir} holds: it is {@code uid}'s and writable
     * by no one else, and every directory above it is {@code uid}'s or root's and writable by no one else, or
     * sticky.
     */
    static boolean trustedChain(Path dir, int uid) throws IOException {
        Map<String, Object> own = unix(dir);
        if ((int) own.get("uid") != uid || ((int) own.get("mode") & SHARED_WRITE) != 0) {
            return false;
        }
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Map<String, Object> a = unix(p);
            int owner = (int) a.get("uid");
            int mode = (int) a.get("mode");
            if ((owner != uid && owner != 0) || ((mode & SHARED_WRITE) != 0 && (mode & STICKY) == 0)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code file} is a regular file (not a link) of {@code uid}'s that no one else can write. */
    static boolean trustedFile(Path file, int uid) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> a = unix(file);
        return (int) a.get("uid") == uid && ((int) a.get("mode") & SHARED_WRITE) == 0;
    }

    /** A new owner-only directory under {@code tmp} holding an owner-only copy of the library. */
    static Path privateCopy(Path tmp, String name, byte[] bytes) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "pgs-sqlite-native-", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Path file = Files.createFile(dir.resolve(name), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.write(file, bytes);
        return file;
    }

    /**
     * This process's user id: the owner of {@code /proc/self} where there is one, else of a file it has just created
     * in {@code tmp}.
     */
    public static int currentUid(Path tmp) throws IOException {
        Path self = Path.of("/proc/self");
        if (Files.isDirectory(self)) {
            return (int) Files.getAttribute(self, "unix:uid");
        }
        Path probe = Files.createTempFile(tmp, "pgs-uid-", ".probe");
        try {
            return (int) Files.getAttribute(probe, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private static Map<String, Object> unix(Path p) throws IOException {
        return Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    }

    private static byte[] resource(String path) {
        try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Left for the temporary directory's own clean-up; it holds nothing another user could change.
        }
    }
}
