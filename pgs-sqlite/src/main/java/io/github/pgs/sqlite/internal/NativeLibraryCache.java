package io.github.pgs.sqlite.internal;

import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Loads sqlite-jdbc's native library from one cached file per library build instead of a fresh temporary copy
 * per JVM.
 *
 * <h2>Why</h2>
 * Left alone, sqlite-jdbc copies its native library into {@code java.io.tmpdir} (or {@code org.sqlite.tmpdir}) on
 * every JVM start, as {@code sqlite-<version>-<uuid>-libsqlitejdbc.so} plus a {@code .lck} marker, and relies on
 * {@link java.io.File#deleteOnExit()} to remove both. A JVM that is killed (SIGKILL, OOM killer, power loss)
 * never runs that hook, and the driver's start-up clean-up skips every copy that still has its marker, so each
 * killed JVM leaves a megabyte behind for good. Pointing {@code org.sqlite.tmpdir} elsewhere only moves the pile.
 *
 * <h2>Algorithm</h2>
 * Before the first connection, the library resource for this platform is read from the driver jar and written,
 * if not already there with identical bytes, to
 * {@code ${user.home}/.cache/pgs/sqlite-native/sqlite-jdbc-<version>-<sha256 prefix>-<library name>} (written to
 * a temporary file in that directory and renamed atomically, so concurrent JVMs never see a partial file). The
 * driver is then told to load exactly that file ({@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}),
 * and both properties are removed again as soon as it has loaded, so that no other driver copy in the JVM is
 * steered by them. The content hash in the name keeps different builds (glibc and musl, driver upgrades) apart;
 * the cache holds one file per build ever used, never one per run.
 *
 * <h2>Hazards and fall-backs</h2>
 * <ul>
 *   <li>If the user set any of {@code org.sqlite.lib.path}, {@code org.sqlite.lib.name} or
 *       {@code org.sqlite.tmpdir}, nothing is done: their choice stands.</li>
 *   <li>If the home directory is unusable, the resource is missing (an unsupported platform) or loading from the
 *       cache fails (e.g. a {@code noexec} home), the properties are removed and the driver's own extraction runs
 *       on the first connection, as it would without this class.</li>
 *   <li>If the driver was already loaded by other code in the same class loader, the driver keeps that copy.</li>
 * </ul>
 */
public final class NativeLibraryCache {

    private static final String LIB_PATH = "org.sqlite.lib.path";
    private static final String LIB_NAME = "org.sqlite.lib.name";
    private static final String TMPDIR = "org.sqlite.tmpdir";

    private static boolean attempted;

    private NativeLibraryCache() {
    }

    /** Makes sure the driver's native library is loaded from the cache if possible. Cheap after the first call. */
    public static synchronized void load() {
        if (attempted) {
            return;
        }
        attempted = true;
        if (System.getProperty(LIB_PATH) != null || System.getProperty(LIB_NAME) != null
                || System.getProperty(TMPDIR) != null) {
            return;
        }
        Path dir = cacheDirectory();
        Path lib = dir == null ? null : extract(dir);
        if (lib == null) {
            return;
        }
        System.setProperty(LIB_PATH, dir.toString());
        System.setProperty(LIB_NAME, lib.getFileName().toString());
        try {
            SQLiteJDBCLoader.initialize();
        } catch (Exception | LinkageError e) {
            // The driver retries with its own extraction on the first connection (properties removed below).
        } finally {
            System.clearProperty(LIB_PATH);
            System.clearProperty(LIB_NAME);
        }
    }

    /** The cache directory, or {@code null} if there is no usable home directory. */
    static Path cacheDirectory() {
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank() || home.equals("?")) {
            return null;
        }
        try {
            Path dir = Path.of(home, ".cache", "pgs", "sqlite-native");
            Files.createDirectories(dir);
            return Files.isWritable(dir) ? dir : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The cached library file for this platform, written if needed; {@code null} if that is not possible. */
    static Path extract(Path dir) {
        String libName = LibraryLoaderUtil.getNativeLibName();
        String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + libName;
        try {
            byte[] bytes;
            try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return null;
                }
                bytes = in.readAllBytes();
            }
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
            Path target = dir.resolve("sqlite-jdbc-" + SQLiteJDBCLoader.getVersion() + "-" + digest + "-" + libName);
            if (Files.isRegularFile(target) && Files.size(target) == bytes.length
                    && Arrays.equals(Files.readAllBytes(target), bytes)) {
                return target;
            }
            Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }
}
