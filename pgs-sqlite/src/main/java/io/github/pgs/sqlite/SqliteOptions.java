package io.github.pgs.sqlite;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a {@link SqliteStorage} opens and writes its file. Immutable; build one with {@link #builder(Path)} (or
 * {@link SqliteStorage#builder(Path)}, which can also open the store).
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>Option</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>{@code file}</td><td>(required)</td><td>the database file; missing parent directories are
 *       created</td></tr>
 *   <tr><td>{@code synchronous}</td><td>{@link Synchronous#FULL}</td><td>when SQLite syncs the write-ahead log
 *       to disk, see {@link Synchronous}</td></tr>
 *   <tr><td>{@code busyTimeout}</td><td>5 s</td><td>how long a statement waits for a lock held by another
 *       process (or another store on the same file) before failing with a {@code StorageException}</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>256</td><td>the most saves and deletes committed in one transaction;
 *       1 disables group commit</td></tr>
 *   <tr><td>{@code maxWait}</td><td>zero</td><td>how long the writer lingers for a fuller batch; zero never
 *       delays a write (batches still form while a commit is in progress)</td></tr>
 *   <tr><td>{@code readers}</td><td>2</td><td>read connections; loads and listings beyond this many wait for a
 *       free one</td></tr>
 *   <tr><td>{@code tableName}</td><td>{@code pgs_state}</td><td>the table; an identifier of ASCII letters,
 *       digits and {@code _}, not starting with a digit or {@code sqlite_}, at most 64 characters</td></tr>
 *   <tr><td>{@code pageSize}</td><td>1024</td><td>the page size, in bytes, of a file the store creates: a power
 *       of two from 512 to 65536. A file that already exists keeps its own page size</td></tr>
 *   <tr><td>{@code checkpointBytes}</td><td>8 MiB</td><td>once the write-ahead log holds this many bytes of pages,
 *       the next commit copies it into the database file (a checkpoint), after which the log starts over</td></tr>
 *   <tr><td>{@code writerCacheBytes}</td><td>32 MiB</td><td>the most memory the writing connection's page cache
 *       takes (SQLite's {@code cache_size}; allocated as pages are used)</td></tr>
 *   <tr><td>{@code filePermissions}</td><td>{@code rw-------}</td><td>the permissions of a database file the store
 *       creates (its write-ahead log and shared-memory file get the same from SQLite); missing folders get them
 *       plus the matching execute bits ({@code rwx------}). Must include owner read and write. Existing files and
 *       folders keep theirs. Ignored on file systems without POSIX permissions</td></tr>
 *   <tr><td>{@code allowForeignOwner}</td><td>{@code false}</td><td>whether a folder or database file that belongs
 *       to another user (not this process's, not root) is used, with a warning, instead of refused with a
 *       {@code StorageException}: its owner can read every state and replace the file</td></tr>
 * </table>
 *
 * <h2>Why small pages and a large log</h2>
 * A commit appends every page it changed to the write-ahead log, whole, and under {@link Synchronous#FULL} that
 * log is synced before the writes are acknowledged. A server's state row is small, and the states a batch
 * writes are spread over the table, so a batch changes about one page per write: the log grows by a page per
 * write, and the sync time grows with it. With 1 KiB pages a write costs a quarter of the log bytes it costs with
 * SQLite's usual 4 KiB. States larger than about 230 bytes spill into overflow pages of 1 KiB, which still writes
 * fewer bytes than 4 KiB pages would. A checkpoint writes every page changed since the last one into the database
 * file and syncs it, on the writer's thread; the pages a busy table changes are mostly the same ones, so a larger
 * log makes checkpoints rarer without making each much longer. Measured on the S1 benchmark (10,000 counters,
 * 64 callers), these defaults raised the throughput by about a quarter over 4 KiB pages and a 4 MiB log; see
 * {@code docs/benchmarks/README.md}.
 *
 * <h2>Why a larger cache for the writer</h2>
 * To update a row, SQLite reads the row's pages first: with a state larger than a page, the whole chain of its
 * overflow pages (an 8 KiB state is nine 1 KiB pages), which it then compares with the new content so that only
 * the pages that differ are written. SQLite's usual cache of 2 MB holds the pages of a few hundred such states, so
 * the single writer read most of them from the file on every save. A cache that holds the working set keeps those
 * reads in memory; the writer's cache only grows as pages are used, so small states never fill it.
 *
 * @param file        the database file
 * @param synchronous the sync level
 * @param busyTimeout the lock wait, &ge; 0 and at most {@link Integer#MAX_VALUE} milliseconds
 * @param maxBatch    the largest write batch, &ge; 1
 * @param maxWait     how long to linger for a fuller batch, &ge; 0
 * @param readers     read connections, &ge; 1
 * @param tableName   the table name
 * @param pageSize    the page size of a new file, a power of two from 512 to 65536
 * @param checkpointBytes the log size that triggers a checkpoint, &ge; 1 (rounded up to whole pages)
 * @param writerCacheBytes the writing connection's page cache, at least 64 KiB (rounded up to whole KiB)
 * @param filePermissions  the permissions of a database file the store creates, with owner read and write
 * @param allowForeignOwner whether a folder or file of another user is used with a warning instead of refused
 */
public record SqliteOptions(Path file, Synchronous synchronous, Duration busyTimeout, int maxBatch,
                            Duration maxWait, int readers, String tableName, int pageSize,
                            long checkpointBytes, long writerCacheBytes, Set<PosixFilePermission> filePermissions,
                            boolean allowForeignOwner) {

    /** The default sync level: {@link Synchronous#FULL}. */
    public static final Synchronous DEFAULT_SYNCHRONOUS = Synchronous.FULL;
    /** The default lock wait: 5 seconds. */
    public static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** The default largest batch: 256 writes per transaction. */
    public static final int DEFAULT_MAX_BATCH = 256;
    /** The default linger: zero (never delay a write). */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ZERO;
    /** The default number of read connections: 2. */
    public static final int DEFAULT_READERS = 2;
    /** The default table name: {@code pgs_state}. */
    public static final String DEFAULT_TABLE_NAME = "pgs_state";
    /** The default page size of a new file: 1 KiB. */
    public static final int DEFAULT_PAGE_SIZE = 1024;
    /** The default log size that triggers a checkpoint: 8 MiB. */
    public static final long DEFAULT_CHECKPOINT_BYTES = 8L * 1024 * 1024;
    /** The default page cache of the writing connection: 32 MiB. */
    public static final long DEFAULT_WRITER_CACHE_BYTES = 32L * 1024 * 1024;
    /** The smallest page cache of the writing connection: 64 KiB. */
    public static final long MIN_WRITER_CACHE_BYTES = 64L * 1024;
    /** The default permissions of a database file the store creates: {@code rw-------}, the owner's only. */
    public static final Set<PosixFilePermission> DEFAULT_FILE_PERMISSIONS =
            Set.copyOf(PosixFilePermissions.fromString("rw-------"));

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /**
     * When SQLite forces the write-ahead log to stable storage. Either way the file is never corrupted by a
     * crash; the levels differ in what a crash can take back.
     */
    public enum Synchronous {
        /**
         * A {@code save} or {@code delete} returns only after the log holding its commit was synced: a returned
         * write survives a process crash, an operating-system crash and power loss. The store syncs the log on a
         * thread of its own, beside the next transaction, so that one sync serves every commit made meanwhile
         * (see {@link SqliteStorage}'s algorithm).
         */
        FULL,
        /**
         * The log is synced only at checkpoints: a returned write survives a process crash (the data is in the
         * operating system's cache), but the most recent writes can be lost on an operating-system crash or
         * power loss. Faster per commit; with group commit the difference is smaller.
         */
        NORMAL
    }

    /**
     * Validates the options.
     *
     * @throws NullPointerException     if any argument is {@code null}
     * @throws IllegalArgumentException if a value is out of range or the table name is not a valid identifier
     */
    public SqliteOptions {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(synchronous, "synchronous");
        Objects.requireNonNull(busyTimeout, "busyTimeout");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(tableName, "tableName");
        filePermissions = Set.copyOf(Objects.requireNonNull(filePermissions, "filePermissions"));
        if (!filePermissions.contains(PosixFilePermission.OWNER_READ)
                || !filePermissions.contains(PosixFilePermission.OWNER_WRITE)) {
            throw new IllegalArgumentException("filePermissions must include owner read and write: "
                    + PosixFilePermissions.toString(EnumSet.copyOf(filePermissions)));
        }
        if (busyTimeout.isNegative() || busyTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("busyTimeout must be between 0 and " + Integer.MAX_VALUE
                    + " ms: " + busyTimeout);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        if (readers < 1) {
            throw new IllegalArgumentException("readers must be >= 1: " + readers);
        }
        if (pageSize < 512 || pageSize > 65536 || Integer.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("pageSize must be a power of two from 512 to 65536: " + pageSize);
        }
        if (checkpointBytes < 1) {
            throw new IllegalArgumentException("checkpointBytes must be >= 1: " + checkpointBytes);
        }
        if (writerCacheBytes < MIN_WRITER_CACHE_BYTES || (writerCacheBytes + 1023) / 1024 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("writerCacheBytes must be from " + MIN_WRITER_CACHE_BYTES + " to "
                    + Integer.MAX_VALUE + " KiB: " + writerCacheBytes);
        }
        if (!IDENTIFIER.matcher(tableName).matches() || tableName.regionMatches(true, 0, "sqlite_", 0, 7)) {
            throw new IllegalArgumentException("tableName must be an identifier [A-Za-z_][A-Za-z0-9_]{0,63} "
                    + "not starting with sqlite_: '" + tableName + "'");
        }
    }

    /** The options for {@code file} with every default. */
    public static SqliteOptions defaults(Path file) {
        return builder(file).build();
    }

    /** A builder for {@code file}, starting from the defaults. */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(file).synchronous(synchronous).busyTimeout(busyTimeout).maxBatch(maxBatch)
                .maxWait(maxWait).readers(readers).tableName(tableName).pageSize(pageSize)
                .checkpointBytes(checkpointBytes).writerCacheBytes(writerCacheBytes).filePermissions(filePermissions)
                .allowForeignOwner(allowForeignOwner);
    }

    /** Collects options; values are checked by {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private Synchronous synchronous = DEFAULT_SYNCHRONOUS;
        private Duration busyTimeout = DEFAULT_BUSY_TIMEOUT;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration maxWait = DEFAULT_MAX_WAIT;
        private int readers = DEFAULT_READERS;
        private String tableName = DEFAULT_TABLE_NAME;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private long checkpointBytes = DEFAULT_CHECKPOINT_BYTES;
        private long writerCacheBytes = DEFAULT_WRITER_CACHE_BYTES;
        private Set<PosixFilePermission> filePermissions = DEFAULT_FILE_PERMISSIONS;
        private boolean allowForeignOwner;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /** Sets the sync level (default {@link Synchronous#FULL}). */
        public Builder synchronous(Synchronous synchronous) {
            this.synchronous = synchronous;
            return this;
        }

        /** Sets how long to wait for another connection's lock (default 5 s). */
        public Builder busyTimeout(Duration busyTimeout) {
            this.busyTimeout = busyTimeout;
            return this;
        }

        /** Sets the most writes per transaction (default 256; 1 disables group commit). */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Sets how long the writer lingers for a fuller batch (default zero). */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        /** Sets the number of read connections (default 2). */
        public Builder readers(int readers) {
            this.readers = readers;
            return this;
        }

        /** Sets the table name (default {@code pgs_state}). */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /**
         * Sets the page size of a file the store creates (default 1024): a power of two from 512 to 65536. A file
         * that exists keeps the page size it was created with.
         */
        public Builder pageSize(int pageSize) {
            this.pageSize = pageSize;
            return this;
        }

        /**
         * Sets the size the write-ahead log reaches before a commit checkpoints it into the database file (default
         * 8 MiB); rounded up to whole pages of the file.
         */
        public Builder checkpointBytes(long checkpointBytes) {
            this.checkpointBytes = checkpointBytes;
            return this;
        }

        /**
         * Sets the most memory the writing connection's page cache takes (default 32 MiB, at least 64 KiB; rounded
         * up to whole KiB). It should hold the pages that saves rewrite: about the states written often, whole.
         */
        public Builder writerCacheBytes(long writerCacheBytes) {
            this.writerCacheBytes = writerCacheBytes;
            return this;
        }

        /**
         * Sets the permissions of a database file the store creates (default {@code rw-------}; must include owner
         * read and write); missing folders get them plus the matching execute bits.
         */
        public Builder filePermissions(Set<PosixFilePermission> filePermissions) {
            this.filePermissions = filePermissions;
            return this;
        }

        /**
         * Sets whether a folder or database file that belongs to another user is used, with a warning, rather than
         * refused (default {@code false}: refused).
         */
        public Builder allowForeignOwner(boolean allowForeignOwner) {
            this.allowForeignOwner = allowForeignOwner;
            return this;
        }

        /**
         * The options.
         *
         * @throws NullPointerException     if a value was set to {@code null}
         * @throws IllegalArgumentException if a value is out of range
         */
        public SqliteOptions build() {
            return new SqliteOptions(file, synchronous, busyTimeout, maxBatch, maxWait, readers, tableName,
                    pageSize, checkpointBytes, writerCacheBytes, filePermissions, allowForeignOwner);
        }

        /**
         * Builds the options and opens a store with them, as {@link SqliteStorage#open(SqliteOptions)} does.
         *
         * @throws io.github.pgs.StorageException if the file cannot be opened or prepared
         */
        public SqliteStorage open() {
            return SqliteStorage.open(build());
        }
    }
}
