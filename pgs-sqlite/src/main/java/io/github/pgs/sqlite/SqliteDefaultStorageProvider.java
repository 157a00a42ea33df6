package io.github.pgs.sqlite;

import io.github.pgs.spi.DefaultStorageProvider;
import io.github.pgs.spi.Storage;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Makes the SQLite store the default store: found through {@link java.util.ServiceLoader} when {@code pgs-sqlite}
 * is on the class path or module path, with priority 0.
 *
 * <p>The file is, first match wins:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}, if set and not blank;</li>
 *   <li>the environment variable {@value #PATH_ENV}, if set and not blank;</li>
 *   <li>{@code ./pgs-data/pgs.db}, relative to the working directory ({@code user.dir}).</li>
 * </ol>
 * Surrounding whitespace is ignored, and a relative path is resolved against the working directory. The store
 * opens with the defaults of {@link SqliteOptions} (synchronous {@code FULL}, table {@code pgs_state}); the file
 * and its parent directories are created if missing. Configure a {@link SqliteStorage} yourself for anything
 * else.
 *
 * <p>Thread-safe and stateless: the location is read on every call.
 */
public final class SqliteDefaultStorageProvider implements DefaultStorageProvider {

    /** The system property naming the database file: {@value}. */
    public static final String PATH_PROPERTY = "pgs.sqlite.path";
    /** The environment variable naming the database file: {@value}. */
    public static final String PATH_ENV = "PGS_SQLITE_PATH";
    /** The file used when neither is set, relative to the working directory: {@value}. */
    public static final String DEFAULT_PATH = "pgs-data/pgs.db";

    /** Creates the provider (as {@link java.util.ServiceLoader} does). */
    public SqliteDefaultStorageProvider() {
    }

    /**
     * Opens a {@link SqliteStorage} on the {@linkplain #path() configured file}.
     *
     * @throws io.github.pgs.StorageException if the file cannot be opened or prepared
     */
    @Override
    public Storage openDefault() {
        return SqliteStorage.open(path());
    }

    /** For example {@code "SQLite file /srv/app/pgs-data/pgs.db (default location)"}. */
    @Override
    public String describe() {
        return "SQLite file " + path() + " (" + source(System::getProperty, System::getenv) + ")";
    }

    /** The file the default store uses, absolute and normalized. */
    public static Path path() {
        return resolve(System::getProperty, System::getenv, Path.of(System.getProperty("user.dir", "")));
    }

    /** Resolves the file from the given lookups; visible for tests, which cannot set environment variables. */
    static Path resolve(UnaryOperator<String> properties, UnaryOperator<String> environment, Path workingDir) {
        String configured = firstNonBlank(properties.apply(PATH_PROPERTY), environment.apply(PATH_ENV));
        Path file = workingDir.resolve(configured != null ? configured : DEFAULT_PATH);
        return file.toAbsolutePath().normalize();
    }

    private static String source(UnaryOperator<String> properties, UnaryOperator<String> environment) {
        if (firstNonBlank(properties.apply(PATH_PROPERTY), null) != null) {
            return "system property " + PATH_PROPERTY;
        }
        if (firstNonBlank(environment.apply(PATH_ENV), null) != null) {
            return "environment variable " + PATH_ENV;
        }
        return "default location";
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (b != null && !b.isBlank()) {
            return b.strip();
        }
        return null;
    }
}
