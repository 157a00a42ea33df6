package io.github.pgs.sqlite;

import io.github.pgs.CorruptRecordException;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DuePage;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.store.support.GroupCommit;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoreObserver;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.support.CloseGate;
import io.github.pgs.store.support.ContiguousHistory;
import io.github.pgs.store.support.DuePageBuilder;
import io.github.pgs.store.support.KeyPageBuilder;
import io.github.pgs.store.support.StoreChecks;
import io.github.pgs.store.support.StoredRows;
import io.github.pgs.sqlite.internal.FileAccess;
import io.github.pgs.sqlite.internal.NativeLibraryCache;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The embedded default {@link Storage}: one SQLite file in WAL mode, written with group commit. Open one with
 * {@link #open(Path)} or {@link #builder(Path)}; see {@link SqliteOptions} for the options and their defaults.
 *
 * <h2>Contract</h2>
 * Everything {@link Storage} promises, state history ({@link #history}) and reminders ({@link #due}) included.
 * Thread-safe. A {@code save} or {@code delete} returns only after its transaction committed, history and
 * reminders included; with
 * {@link SqliteOptions.Synchronous#FULL} (the default) that includes syncing the write-ahead log, so the write
 * survives power loss. Any number of stores, in this or other processes, may use
 * the same file and table: the version check runs inside each write transaction, so the fence holds between
 * them, and a store waits up to {@code busyTimeout} for another's write lock before failing with a
 * {@link StorageException}. A process that is killed loses no acknowledged write: SQLite replays the log on the
 * next open. Keys are stored as UTF-8 text, so a key holding an unpaired surrogate (a
 * {@code String} that is not valid Unicode) cannot be stored exactly and is refused with an
 * {@link IllegalArgumentException}; every other string, NUL and non-BMP characters included, round-trips.
 *
 * <h2>Schema</h2>
 * The states live in one table, named by {@link SqliteOptions#tableName()}:
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS pgs_state (
 *   type           TEXT    NOT NULL,
 *   key            TEXT    NOT NULL,
 *   version        INTEGER NOT NULL,
 *   schema_version INTEGER NOT NULL,
 *   payload        BLOB,              -- NULL: a tombstone (deleted at this version)
 *   updated_at     INTEGER NOT NULL,  -- epoch milliseconds of the last write
 *   reminders      BLOB,              -- the reminder set of the last write; NULL: none
 *   remind_at      INTEGER,           -- epoch millis of its earliest reminder; NULL exactly when reminders is
 *   PRIMARY KEY (type, key)
 * ) WITHOUT ROWID;
 * CREATE INDEX IF NOT EXISTS pgs_state_due ON pgs_state (remind_at, type, key) WHERE remind_at IS NOT NULL
 * }</pre>
 * and beside it the state history ({@link #history}), named after it with {@code _history} appended:
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS pgs_state_history (
 *   type           TEXT    NOT NULL,
 *   key            TEXT    NOT NULL,
 *   version        INTEGER NOT NULL,  -- the version this state had in pgs_state
 *   schema_version INTEGER NOT NULL,
 *   payload        BLOB    NOT NULL,  -- only live states are kept
 *   updated_at     INTEGER NOT NULL,  -- its write time in pgs_state
 *   PRIMARY KEY (type, key, version)
 * ) WITHOUT ROWID
 * }</pre>
 * Both are created if missing, so a file written before history existed gains the history table when it is
 * opened; a table written before reminders existed gains the two reminder columns ({@code ALTER TABLE ... ADD
 * COLUMN}, in one write transaction after {@code PRAGMA table_info} found them missing) and the index. Do not name
 * another store's table or index like this store's history table ({@code <table>_history}) or reminder index
 * ({@code <table>_due}).
 * The file is a plain SQLite database: {@code sqlite3 pgs.db 'select type, key, version from pgs_state'} reads it
 * (while a store has it open, too). Keys sort by SQLite's {@code BINARY} collation, which compares the UTF-8
 * bytes with {@code memcmp}: exactly the order {@link Storage#list} promises.
 *
 * <h2>Algorithm</h2>
 * <ul>
 *   <li><b>Writes</b> go through a {@link GroupCommit} with one writer thread that owns the only writing
 *       connection. The thread takes everything queued (up to {@code maxBatch}) and runs it as one
 *       {@code BEGIN IMMEDIATE} ... {@code COMMIT} transaction, so under load one log sync serves many callers.
 *       Inside, each entry is one conditional statement: {@code INSERT ... ON CONFLICT DO NOTHING} when the
 *       expected version is 0, else {@code UPDATE ... WHERE version = expected}. If it changed no row, the entry
 *       is a version conflict: the actual version is read in the same transaction and only that entry fails with
 *       {@link VersionConflictException}; the others still commit. Entries for the same key in one batch apply in
 *       queue order, each seeing the previous one's effect, exactly as if committed one by one.</li>
 *   <li><b>Syncing</b>: the writer connection runs with SQLite's {@code synchronous = NORMAL}, so its
 *       {@code COMMIT} writes the log without syncing it. Under {@link SqliteOptions.Synchronous#FULL} the writer
 *       hands each committed batch to a second thread and starts on the next batch; that thread syncs the log
 *       file once for every batch handed over since its last sync ({@code fdatasync}) and only then
 *       acknowledges them. So the sync, which costs more than the rest of a commit, overlaps the next batch
 *       instead of stalling the single writer, and an acknowledged write is as durable as under SQLite's own
 *       {@code FULL}. Other connections may read a commit before its sync.</li>
 *   <li><b>Reminders</b> are two columns of the state row, written by the same statement as the state, so the
 *       version check covers them. Every save replaces them; saves without reminders and deletes set them to
 *       {@code NULL} with constants in the statement text (no extra parameters), and their rows stay out of the
 *       partial index. {@link #due} is one range scan of that index:
 *       {@code WHERE remind_at <= ? AND (remind_at, type, key) > (?, ?, ?) ORDER BY remind_at, type, key LIMIT ?},
 *       in the index's order (the {@code BINARY} order of the UTF-8 text), so no sort and no row outside the
 *       page is read.</li>
 *   <li><b>History</b> is written in the same transaction as the state it belongs to. A save with a depth first
 *       copies the row it is about to replace into the history table ({@code INSERT ... SELECT ... WHERE version =
 *       expected AND payload IS NOT NULL}, which copies nothing when the update is going to conflict, since the
 *       writer holds the write lock), then updates the state, then deletes the history rows at or below
 *       {@code expected - depth}. Depth 0 and deletes delete all of the key's history rows; they skip that
 *       statement while history has never been used in the file (no history row when the store opened and no
 *       depth written since), so stores that keep no history pay nothing for it. {@link #history} reads the kept
 *       rows below the current version in one statement and returns those whose versions run on without a gap
 *       from the current version minus one: rows that another store, which had not seen history in use, left
 *       behind on a depth-0 save or a delete can never show, and the key's later saves with a depth prune
 *       them.</li>
 *   <li><b>Reads</b> use a small pool of separate read-only connections; WAL lets them run while the writer
 *       commits, and each statement sees the latest committed state. {@link #loadAll} reads many keys of a type
 *       with one {@code key IN (?, ...)} query per chunk of 500 keys; {@link #history} joins the state row and
 *       its history rows in one query, so it never mixes two commits.</li>
 *   <li><b>Pages and checkpoints</b>: a file the store creates gets pages of {@link SqliteOptions#pageSize()}
 *       (1 KiB by default, a quarter of SQLite's usual size), because a batch changes about one page per write and
 *       every changed page goes to the log whole, where {@code FULL} syncs it. The writer connection checkpoints
 *       the log into the database file once it holds {@link SqliteOptions#checkpointBytes()} (8 MiB by default),
 *       SQLite's {@code wal_autocheckpoint} counted in the file's own pages. Its page cache holds
 *       {@link SqliteOptions#writerCacheBytes()} (32 MiB by default), so that rewriting a state larger than a page
 *       does not read its overflow pages back from the file on every save.</li>
 *   <li><b>Closing</b> waits for calls in progress, stops the writer thread, checkpoints the log into the main
 *       file ({@code wal_checkpoint(TRUNCATE)}) and closes all connections.</li>
 * </ul>
 *
 * <h2>Hazards</h2>
 * <ul>
 *   <li>A statement error that concerns one entry only (a value too big for SQLite, a constraint) rolls the
 *       transaction back, fails that entry and replays the rest of the batch; any other error, and any failure of
 *       {@code BEGIN} or {@code COMMIT}, fails every entry of the batch with a {@link StorageException} (whether a
 *       failed {@code COMMIT} took effect is unknown to the caller, which the SPI allows).</li>
 *   <li>Nothing is ever built from keys or type names: all values are bound parameters; only the validated table
 *       name is part of the SQL text.</li>
 *   <li>A read statement keeps its snapshot until its result set is closed; every read closes it before the
 *       connection returns to the pool, so a later read never sees an older state than an earlier one.</li>
 *   <li>Reads run the driver's native code on the calling thread; a virtual thread stays pinned to its carrier
 *       for one statement (microseconds with a warm cache, a disk read otherwise), so {@code readers} also bounds
 *       how many carriers reads can hold at once. Writes never pin callers: they wait on the group commit.</li>
 *   <li>sqlite-jdbc needs a native library; see {@code NativeLibraryCache} in the internal package: it is loaded
 *       from one cached copy per build under {@code ${user.home}/.cache/pgs/sqlite-native} when that directory
 *       chain is private to this user and the file is verified, else from a private copy deleted once loaded; never
 *       from a new temporary copy per JVM (which killed JVMs leave behind) nor from a file another user could
 *       swap. Setting {@code org.sqlite.tmpdir}, {@code org.sqlite.lib.path} or {@code org.sqlite.lib.name} turns
 *       this off.</li>
 *   <li>Files: a database file the store creates is its owner's only ({@link SqliteOptions#filePermissions()},
 *       {@code rw-------} by default; SQLite gives its log and shared-memory files the same), missing folders
 *       likewise, and a folder or file of another user is refused unless
 *       {@link SqliteOptions#allowForeignOwner()} (see {@code FileAccess} in the internal package).</li>
 * </ul>
 */
public final class SqliteStorage implements Storage {

    /** The most keys bound in one {@code IN (...)} list (SQLite allows 32766 parameters per statement). */
    static final int IN_CHUNK = 500;

    private static final System.Logger LOG = System.getLogger(SqliteStorage.class.getName());

    /** SQLite's primary result codes for errors caused by one row's values, not by the database. */
    private static final int SQLITE_TOOBIG = 18;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_MISMATCH = 20;

    /**
     * The first integer column of a row that holds another storage class (only another program writes such rows;
     * read as a number it would silently become 0 or be truncated), or NULL.
     */
    private static final String WRONG_CLASS = "CASE WHEN typeof(version) <> 'integer' THEN 'version'"
            + " WHEN typeof(schema_version) <> 'integer' THEN 'schema_version'"
            + " WHEN typeof(updated_at) <> 'integer' THEN 'updated_at'"
            + " WHEN remind_at IS NOT NULL AND typeof(remind_at) <> 'integer' THEN 'remind_at' END";

    /** Keeps an idle log from staying large after a burst; 64 MiB. */
    private static final long JOURNAL_SIZE_LIMIT = 64L * 1024 * 1024;

    private final SqliteOptions options;
    private final Path file;
    private final String table;
    private final String historyTable;
    private final String dueIndex;
    private final Connection writer;
    private final WriteStatements writes;
    private final List<Reader> allReaders;
    private final ArrayBlockingQueue<Reader> idleReaders;
    private final GroupCommit<Op, Long> commits;
    /** Syncs the log beside the next batch under {@code FULL}; {@code null} under {@code NORMAL}. */
    private final LogSync<Op> logSync;
    /** Calls pass it; {@link #close()} shuts it once they have left, so it never closes under a call. */
    private final CloseGate gate;
    /**
     * Whether the file may hold history rows: set when it held some at open or a write with a depth was applied.
     * Until then depth-0 saves and deletes skip deleting history rows. Written before the writer thread starts
     * and then by the writer thread only.
     */
    private boolean historyInUse;

    /**
     * One queued write: a save when {@code payload} is non-null, a delete otherwise (depth 0, no reminders);
     * {@code reminders} is {@code null} for none.
     */
    private record Op(ServerId id, long expectedVersion, byte[] payload, int schemaVersion, int historyDepth,
                      byte[] reminders, long remindAt) {
    }

    private SqliteStorage(SqliteOptions options) {
        this(options, null);
    }

    /** {@code syncer}: forces the log under {@code FULL}; {@code null} for the log file's own. */
    SqliteStorage(SqliteOptions options, LogSync.Syncer syncer) {
        this.options = options;
        this.file = options.file().toAbsolutePath().normalize();
        this.table = '"' + options.tableName() + '"';
        this.historyTable = '"' + options.tableName() + "_history\"";
        this.dueIndex = '"' + options.tableName() + "_due\"";
        this.gate = new CloseGate("SQLite store " + file);
        NativeLibraryCache.load();
        List<Connection> opened = new ArrayList<>();
        try {
            for (String warning : FileAccess.prepare(file, options.filePermissions(), options.allowForeignOwner())) {
                LOG.log(System.Logger.Level.WARNING, "SQLite store: " + warning);
            }
            this.writer = connect(false);
            opened.add(writer);
            prepareFile();
            this.writes = new WriteStatements(writer, table, historyTable);
            // In auto-commit mode sqlite-jdbc follows every statement with a "begin;" that fails inside the
            // batch's transaction (5 % of the writer's time). The writer runs its own BEGIN IMMEDIATE / COMMIT /
            // ROLLBACK, so the driver is told auto-commit is off, and the transaction it opens on hearing so
            // is ended at once.
            writer.setAutoCommit(false);
            writes.commit.execute();
            this.allReaders = new ArrayList<>(options.readers());
            for (int i = 0; i < options.readers(); i++) {
                Connection c = connect(true);
                opened.add(c);
                allReaders.add(new Reader(c, table, historyTable));
            }
            this.idleReaders = new ArrayBlockingQueue<>(options.readers(), false, allReaders);
        } catch (IOException | SQLException | RuntimeException e) {
            for (Connection c : opened) {
                closeQuietly(c);
            }
            throw new StorageException("cannot open SQLite store " + file + ": " + e.getMessage(), e);
        }
        this.logSync = options.synchronous() == SqliteOptions.Synchronous.FULL
                ? new LogSync<>("SQLite store " + file, Op::id,
                        syncer != null ? syncer : LogSync.fileSyncer(Path.of(file + "-wal")))
                : null;
        this.commits = new GroupCommit<>("sqlite", 1, options.maxBatch(), options.maxWait(), this::writeBatch);
    }

    /**
     * A builder for a store on {@code file}, starting from the defaults of {@link SqliteOptions}; finish with
     * {@link SqliteOptions.Builder#open()}.
     */
    public static SqliteOptions.Builder builder(Path file) {
        return SqliteOptions.builder(file);
    }

    /**
     * Opens a store on {@code file} with the default options, creating the file, its parent directories and the
     * table if missing.
     *
     * @throws StorageException if the file cannot be opened or prepared
     */
    public static SqliteStorage open(Path file) {
        return open(SqliteOptions.defaults(file));
    }

    /**
     * Opens a store with {@code options}, creating the file, its parent directories and the table if missing.
     *
     * @throws StorageException if the file cannot be opened or prepared (for example: not a database, locked
     *                          by another process beyond {@code busyTimeout}, no write permission)
     */
    public static SqliteStorage open(SqliteOptions options) {
        return new SqliteStorage(Objects.requireNonNull(options, "options"));
    }

    /** {@inheritDoc} Here: history and reminders. */
    @Override
    public Set<StorageCapability> capabilities() {
        return EnumSet.allOf(StorageCapability.class);
    }

    @Override
    public void observe(StoreObserver observer) {
        commits.observe(observer);
    }

    /** The options this store was opened with. */
    public SqliteOptions options() {
        return options;
    }

    /** The database file, as an absolute path. */
    public Path file() {
        return file;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the key holds an unpaired surrogate
     */
    @Override
    public StoredState load(ServerId id) {
        StoreChecks.keyBytes(StoreChecks.id(id).key());
        gate.enter();
        try {
            return read(r -> {
                PreparedStatement ps = r.load;
                ps.setString(1, id.type());
                ps.setString(2, id.key());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? state(id, rs, 2) : StoredState.ABSENT;
                }
            });
        } finally {
            gate.exit();
        }
    }

    /**
     * {@inheritDoc} Here: one query per type and chunk of 500 distinct keys. The map iterates in
     * the order of {@code ids} (duplicates once).
     *
     * @throws IllegalArgumentException if a key holds an unpaired surrogate
     */
    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        Map<ServerId, StoredState> out = new LinkedHashMap<>();
        Map<String, List<String>> keysByType = new LinkedHashMap<>();
        for (ServerId id : ids) {
            StoreChecks.keyBytes(StoreChecks.id(id).key());
            if (out.put(id, StoredState.ABSENT) == null) {
                keysByType.computeIfAbsent(id.type(), t -> new ArrayList<>()).add(id.key());
            }
        }
        gate.enter();
        try {
            if (out.isEmpty()) {
                return out;
            }
            read(r -> {
                for (Map.Entry<String, List<String>> e : keysByType.entrySet()) {
                    List<String> keys = e.getValue();
                    for (int from = 0; from < keys.size(); from += IN_CHUNK) {
                        loadChunk(r.connection, e.getKey(), keys.subList(from, Math.min(keys.size(), from + IN_CHUNK)),
                                out);
                    }
                }
                return null;
            });
            return out;
        } finally {
            gate.exit();
        }
    }

    private void loadChunk(Connection c, String type, List<String> keys, Map<ServerId, StoredState> out)
            throws SQLException {
        StringBuilder sql = new StringBuilder(96 + 2 * keys.size())
                .append("SELECT key, version, schema_version, payload IS NOT NULL, payload, updated_at, reminders,")
                .append(" remind_at, ").append(WRONG_CLASS).append(" FROM ")
                .append(table).append(" WHERE type = ? AND key IN (?");
        sql.append(",?".repeat(keys.size() - 1)).append(')');
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            ps.setString(1, type);
            for (int i = 0; i < keys.size(); i++) {
                ps.setString(i + 2, keys.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ServerId id = new ServerId(type, rs.getString(1));
                    out.put(id, state(id, rs, 2));
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the key holds an unpaired surrogate
     */
    @Override
    public long save(StateWrite write) {
        StoreChecks.keyBytes(StoreChecks.write(write).id().key());
        return submit(new Op(write.id(), write.expectedVersion(), write.payload(), write.schemaVersion(),
                write.historyDepth(), write.reminders(), write.remindAtMillis()));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the key holds an unpaired surrogate, or {@code expectedVersion} is
     *                                  negative
     */
    @Override
    public long delete(ServerId id, long expectedVersion) {
        StoreChecks.keyBytes(StoreChecks.id(id).key());
        return submit(new Op(id, StoreChecks.expectedVersion(expectedVersion), null, 0, 0, null, 0));
    }

    /**
     * {@inheritDoc} Here: one query over the state row and its history rows, so the result belongs to one commit.
     *
     * @throws IllegalArgumentException if the key holds an unpaired surrogate
     */
    @Override
    public List<StoredState> history(ServerId id) {
        StoreChecks.keyBytes(StoreChecks.id(id).key());
        gate.enter();
        try {
            return read(r -> {
                PreparedStatement ps = r.history;
                ps.setString(1, id.type());
                ps.setString(2, id.key());
                List<StoredState> kept = new ArrayList<>();
                ContiguousHistory walk = new ContiguousHistory();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && walk.accept(rs.getLong(1), rs.getLong(5))) {
                        byte[] payload = rs.getBytes(3);
                        kept.add(StoredRows.historyEntry(id, rs.getLong(1), rs.getInt(2),
                                payload == null ? new byte[0] : payload, rs.getLong(4)));
                    }
                }
                return kept;
            });
        } finally {
            gate.exit();
        }
    }

    /**
     * {@inheritDoc} Here: one range scan of the partial index on {@code (remind_at, type, key)}; servers due at the
     * same instant come in the order of their type names and then keys, compared as UTF-8 bytes.
     *
     * @throws IllegalArgumentException if {@code limit} &lt; 1
     */
    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        DuePageBuilder page = new DuePageBuilder(limit);
        DuePageBuilder.Position from = after == null ? null : DuePageBuilder.position(after);
        gate.enter();
        try {
            return read(r -> {
                String type = from == null || from.beforeAll() ? null : StoreChecks.utf8OrNull(from.type());
                String key = from == null || from.beforeAll() ? null : StoreChecks.utf8OrNull(from.key());
                boolean text = type != null && key != null;
                PreparedStatement ps = from == null ? r.dueFirst : from.beforeAll() ? r.dueFrom
                        : text ? r.dueAfter : r.dueAfterBytes;
                int p = 1;
                ps.setLong(p++, notAfterMillis);
                if (from != null) {
                    ps.setLong(p++, from.remindAtMillis());
                    if (text) {
                        ps.setString(p++, type);
                        ps.setString(p++, key);
                    } else if (!from.beforeAll()) {
                        ps.setBytes(p++, from.type());
                        ps.setBytes(p++, from.key());
                    }
                }
                ps.setLong(p, page.fetchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && page.addRow(rs.getLong(3), orEmpty(rs.getBytes(1)), orEmpty(rs.getBytes(2)),
                            rs.getBoolean(4))) {
                        // the builder keeps the page, skips unreadable rows and notices the row beyond it
                    }
                }
                return page.build();
            });
        } finally {
            gate.exit();
        }
    }

    /**
     * {@inheritDoc} Here: one range scan of the primary key from the cursor's bytes, which are bound as text so
     * that they compare byte by byte with the stored keys, whatever they hold.
     */
    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        KeyPageBuilder page = new KeyPageBuilder(limit);
        boolean valid = StoreChecks.type(type);
        gate.enter();
        try {
            if (!valid) {
                return page.build();
            }
            return read(r -> {
                PreparedStatement ps = after == null ? r.listFirst : r.listAfter;
                ps.setString(1, type);
                int next = 2;
                if (after != null) {
                    ps.setBytes(next++, after.bytes());
                }
                ps.setLong(next, page.fetchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && page.add(orEmpty(rs.getBytes(1)))) {
                        // the builder keeps the page, skips undecodable keys and notices the row beyond it
                    }
                }
                return page.build();
            });
        } finally {
            gate.exit();
        }
    }

    /**
     * Waits for calls in progress, stops the writer, checkpoints the write-ahead log into the database file and
     * closes every connection. Idempotent; afterwards every method throws {@link StorageException}.
     */
    @Override
    public void close() {
        if (!gate.close()) {
            return;
        }
        commits.close();
        if (logSync != null) {
            logSync.close();
        }
        for (Reader r : allReaders) {
            closeQuietly(r.connection);
        }
        try (Statement st = writer.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException e) {
            // Another process may be reading; SQLite checkpoints again when the last connection closes.
        }
        closeQuietly(writer);
    }

    @Override
    public String toString() {
        return "SqliteStorage[" + file + ", table " + options.tableName() + "]";
    }

    // ---- writing (runs on the group-commit writer thread only) ----

    private long submit(Op op) {
        return gate.call(() -> commits.submit(op));
    }

    private void writeBatch(List<GroupCommit.Entry<Op, Long>> batch) {
        List<GroupCommit.Entry<Op, Long>> pending = new ArrayList<>(batch);
        while (!pending.isEmpty()) {
            long now = System.currentTimeMillis();
            Object[] outcomes = new Object[pending.size()];
            try {
                writes.begin.execute();
            } catch (SQLException e) {
                rollbackQuietly(); // heals a transaction left open by an earlier failure
                failAll(pending, "could not start a write transaction (nothing was written)", e);
                return;
            }
            int failedAt = -1;
            SQLException failure = null;
            for (int i = 0; i < pending.size(); i++) {
                try {
                    outcomes[i] = apply(pending.get(i).item(), now);
                } catch (SQLException e) {
                    failedAt = i;
                    failure = e;
                    break;
                }
            }
            if (failure != null) {
                rollbackQuietly();
                if (!concernsOneRow(failure)) {
                    failAll(pending, "write failed, transaction rolled back (nothing was written)", failure);
                    return;
                }
                GroupCommit.Entry<Op, Long> bad = pending.remove(failedAt);
                bad.fail(new StorageException(bad.item().id(), "SQLite refused the write: " + failure.getMessage(),
                        failure));
                continue;
            }
            try {
                writes.commit.execute();
            } catch (SQLException e) {
                rollbackQuietly();
                failAll(pending, "commit failed (whether the write took effect is unknown)", e);
                return;
            }
            complete(pending, outcomes);
            return;
        }
    }

    /**
     * Completes a committed batch: conflicts at once; the writes at once under {@code NORMAL}, after the log sync
     * under {@code FULL} (which runs beside the next batch, see {@link LogSync}).
     */
    private void complete(List<GroupCommit.Entry<Op, Long>> pending, Object[] outcomes) {
        List<GroupCommit.Entry<Op, Long>> written = logSync == null ? null : new ArrayList<>(pending.size());
        long[] versions = logSync == null ? null : new long[pending.size()];
        for (int i = 0; i < outcomes.length; i++) {
            GroupCommit.Entry<Op, Long> e = pending.get(i);
            if (outcomes[i] instanceof VersionConflictException conflict) {
                e.fail(conflict);
            } else if (written == null) {
                e.succeed((Long) outcomes[i]);
            } else {
                versions[written.size()] = (Long) outcomes[i];
                written.add(e);
            }
        }
        if (written != null && !written.isEmpty()) {
            logSync.committed(written, versions);
        }
    }

    /** Applies one entry inside the open transaction: its new version, or the conflict to report. */
    private Object apply(Op op, long now) throws SQLException {
        ServerId id = op.id();
        long newVersion = op.expectedVersion() + 1;
        if (op.historyDepth() > 0) {
            historyInUse = true;
            if (op.expectedVersion() > 0) {
                // Copies the row about to be replaced; nothing if it is a tombstone or the update will conflict.
                PreparedStatement keep = writes.keepHistory;
                keep.setString(1, id.type());
                keep.setString(2, id.key());
                keep.setLong(3, op.expectedVersion());
                keep.executeUpdate();
            }
        }
        PreparedStatement ps;
        boolean reminders = op.reminders() != null;
        if (op.expectedVersion() == 0) {
            ps = op.payload() == null ? writes.insertTombstone
                    : reminders ? writes.insertStateWithReminders : writes.insertState;
            int p = 1;
            ps.setString(p++, id.type());
            ps.setString(p++, id.key());
            ps.setLong(p++, newVersion);
            if (op.payload() != null) {
                ps.setInt(p++, op.schemaVersion());
                ps.setBytes(p++, op.payload());
            }
            ps.setLong(p++, now);
            if (reminders) {
                ps.setBytes(p++, op.reminders());
                ps.setLong(p, op.remindAt());
            }
        } else {
            ps = op.payload() == null ? writes.updateTombstone
                    : reminders ? writes.updateStateWithReminders : writes.updateState;
            int p = 1;
            ps.setLong(p++, newVersion);
            if (op.payload() != null) {
                ps.setInt(p++, op.schemaVersion());
                ps.setBytes(p++, op.payload());
            }
            ps.setLong(p++, now);
            if (reminders) {
                ps.setBytes(p++, op.reminders());
                ps.setLong(p++, op.remindAt());
            }
            ps.setString(p++, id.type());
            ps.setString(p++, id.key());
            ps.setLong(p, op.expectedVersion());
        }
        if (ps.executeUpdate() == 1) {
            if (op.expectedVersion() > 0 && historyInUse) {
                // Keeps the newest historyDepth entries (they are consecutive versions); depth 0 keeps none.
                PreparedStatement prune = writes.pruneHistory;
                prune.setString(1, id.type());
                prune.setString(2, id.key());
                prune.setLong(3, op.expectedVersion() - op.historyDepth());
                prune.executeUpdate();
            }
            return newVersion;
        }
        PreparedStatement v = writes.version;
        v.setString(1, id.type());
        v.setString(2, id.key());
        long actual;
        try (ResultSet rs = v.executeQuery()) {
            actual = rs.next() ? rs.getLong(1) : 0;
        }
        return new VersionConflictException(id, op.expectedVersion(), actual);
    }

    private void failAll(List<GroupCommit.Entry<Op, Long>> entries, String what, SQLException cause) {
        String message = "SQLite store " + file + ": " + what + ": " + cause.getMessage();
        for (GroupCommit.Entry<Op, Long> e : entries) {
            e.fail(new StorageException(e.item().id(), message, cause));
        }
    }

    private void rollbackQuietly() {
        try {
            writes.rollback.execute();
        } catch (SQLException e) {
            // Some errors already rolled the transaction back; then there is nothing to undo.
        }
    }

    private static boolean concernsOneRow(SQLException e) {
        int primary = e.getErrorCode() & 0xFF;
        return primary == SQLITE_TOOBIG || primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH;
    }

    // ---- reading ----

    @FunctionalInterface
    private interface ReadAction<T> {
        T run(Reader reader) throws SQLException;
    }

    private <T> T read(ReadAction<T> action) {
        Reader r;
        try {
            r = idleReaders.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for a read connection to " + file, e);
        }
        try {
            return action.run(r);
        } catch (SQLException e) {
            throw new StorageException("SQLite store " + file + ": read failed: " + e.getMessage(), e);
        } finally {
            idleReaders.add(r);
        }
    }

    /**
     * The state of {@code id} in the columns {@code version, schema_version, payload IS NOT NULL, payload,
     * updated_at, reminders, remind_at} and {@link #WRONG_CLASS}, the first at {@code col}. SQLite hands out an
     * empty BLOB as a null pointer, so a present column reads as empty, never as missing.
     */
    private static StoredState state(ServerId id, ResultSet rs, int col) throws SQLException {
        String wrongClass = rs.getString(col + 7);
        if (wrongClass != null) {
            throw new CorruptRecordException(id, wrongClass, "does not hold an integer");
        }
        boolean hasPayload = rs.getBoolean(col + 2);
        byte[] payload = hasPayload ? orEmpty(rs.getBytes(col + 3)) : null;
        long remindAt = rs.getLong(col + 6); // NULL reads as 0, and a stored remind_at is > 0
        byte[] reminders = remindAt > 0 && hasPayload ? orEmpty(rs.getBytes(col + 5)) : null;
        return StoredRows.state(id, rs.getLong(col), rs.getInt(col + 1), payload, rs.getLong(col + 4), reminders,
                remindAt);
    }

    private static byte[] orEmpty(byte[] bytes) {
        return bytes == null ? new byte[0] : bytes;
    }

    // ---- lifecycle ----

    private Connection connect(boolean readOnly) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        // No generated keys (the store never reads them): otherwise the driver matches every statement against a
        // regex and runs an extra "SELECT last_insert_rowid()" after every INSERT, on the single writer's thread.
        config.setGetGeneratedKeys(false);
        // A file: URI with percent-escapes, so that '?', '#' or '%' in the path are never taken for URI syntax.
        Connection c = config.createConnection("jdbc:sqlite:" + file.toUri().toASCIIString());
        try (Statement st = c.createStatement()) {
            if (readOnly) {
                st.execute("PRAGMA query_only = 1");
            } else {
                // FULL is kept by LogSync, which syncs the log beside the next transaction; SQLite's own FULL would
                // sync inside every COMMIT, while the single writer waits.
                st.execute("PRAGMA synchronous = NORMAL");
                st.execute("PRAGMA journal_size_limit = " + JOURNAL_SIZE_LIMIT);
                // negative: in KiB (SQLite's convention); see SqliteOptions on why the writer's cache is larger
                st.execute("PRAGMA cache_size = -" + (options.writerCacheBytes() + 1023) / 1024);
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    private void prepareFile() throws SQLException {
        try (Statement st = writer.createStatement()) {
            // Takes effect only while the file is still empty: switching to WAL below writes its first page.
            st.execute("PRAGMA page_size = " + options.pageSize());
            String mode = switchToWal(st);
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new SQLException("the file does not support WAL mode (journal_mode is " + mode + ")");
            }
            long pageSize;
            try (ResultSet rs = st.executeQuery("PRAGMA page_size")) {
                pageSize = rs.next() ? rs.getLong(1) : options.pageSize();
            }
            long pages = (options.checkpointBytes() + pageSize - 1) / pageSize;
            st.execute("PRAGMA wal_autocheckpoint = " + Math.min(pages, Integer.MAX_VALUE));
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "type TEXT NOT NULL, "
                    + "key TEXT NOT NULL, "
                    + "version INTEGER NOT NULL, "
                    + "schema_version INTEGER NOT NULL, "
                    + "payload BLOB, "
                    + "updated_at INTEGER NOT NULL, "
                    + "reminders BLOB, "
                    + "remind_at INTEGER, "
                    + "PRIMARY KEY (type, key)) WITHOUT ROWID");
            addReminderColumns(st);
            st.execute("CREATE INDEX IF NOT EXISTS " + dueIndex + " ON " + table
                    + " (remind_at, type, key) WHERE remind_at IS NOT NULL");
            st.execute("CREATE TABLE IF NOT EXISTS " + historyTable + " ("
                    + "type TEXT NOT NULL, "
                    + "key TEXT NOT NULL, "
                    + "version INTEGER NOT NULL, "
                    + "schema_version INTEGER NOT NULL, "
                    + "payload BLOB NOT NULL, "
                    + "updated_at INTEGER NOT NULL, "
                    + "PRIMARY KEY (type, key, version)) WITHOUT ROWID");
            try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + historyTable + ")")) {
                historyInUse = rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Puts the file in WAL mode and returns the mode it is in. The switch needs the file to itself for a moment, and
     * SQLite answers {@code SQLITE_BUSY} at once, without its busy handler, while another connection (a store
     * opening the same file at the same time) holds it; so this waits as the busy handler would, up to
     * {@code busyTimeout}.
     */
    private String switchToWal(Statement st) throws SQLException {
        long deadline = System.nanoTime() + options.busyTimeout().toNanos();
        for (long pauseMillis = 1; ; pauseMillis = Math.min(pauseMillis * 2, 50)) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode = WAL")) {
                return rs.next() ? rs.getString(1) : null;
            } catch (SQLiteException e) {
                if ((e.getResultCode().code & 0xff) != SQLiteErrorCode.SQLITE_BUSY.code
                        || System.nanoTime() - deadline >= 0) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting to switch the file to WAL mode", e);
            }
        }
    }

    /**
     * Adds the reminder columns to a table made before they existed. The check is repeated inside a write
     * transaction, so that stores opening the same old file at once add each column once.
     */
    private void addReminderColumns(Statement st) throws SQLException {
        if (!missingReminderColumns(st).isEmpty()) {
            st.execute("BEGIN IMMEDIATE");
            try {
                for (String column : missingReminderColumns(st)) {
                    st.execute("ALTER TABLE " + table + " ADD COLUMN " + column);
                }
                st.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(st);
                throw e;
            }
        }
    }

    /** The definitions of the reminder columns that the table lacks. */
    private List<String> missingReminderColumns(Statement st) throws SQLException {
        Set<String> columns = new HashSet<>();
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                columns.add(rs.getString("name"));
            }
        }
        List<String> missing = new ArrayList<>(2);
        if (!columns.contains("reminders")) {
            missing.add("reminders BLOB");
        }
        if (!columns.contains("remind_at")) {
            missing.add("remind_at INTEGER");
        }
        return missing;
    }

    private static void rollbackQuietly(Statement st) {
        try {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            // Nothing to undo when the failure already ended the transaction.
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // Closing is best effort; SQLite recovers the log on the next open.
        }
    }

    /** The statements of the writer connection; used by the writer thread only. */
    private static final class WriteStatements {
        final PreparedStatement begin;
        final PreparedStatement commit;
        final PreparedStatement rollback;
        final PreparedStatement insertState;
        final PreparedStatement insertStateWithReminders;
        final PreparedStatement insertTombstone;
        final PreparedStatement updateState;
        final PreparedStatement updateStateWithReminders;
        final PreparedStatement updateTombstone;
        final PreparedStatement version;
        final PreparedStatement keepHistory;
        final PreparedStatement pruneHistory;

        WriteStatements(Connection c, String table, String historyTable) throws SQLException {
            begin = c.prepareStatement("BEGIN IMMEDIATE");
            commit = c.prepareStatement("COMMIT");
            rollback = c.prepareStatement("ROLLBACK");
            String insert = "INSERT INTO " + table
                    + " (type, key, version, schema_version, payload, updated_at) VALUES ";
            String onConflict = " ON CONFLICT (type, key) DO NOTHING";
            // COALESCE: an empty byte array must stay an empty BLOB, never become NULL (a tombstone).
            // Writes without reminders leave the reminder columns NULL (inserts) or set them to NULL with constants
            // (updates): the statements of the common case bind nothing more than before reminders existed.
            insertState = c.prepareStatement(insert + "(?, ?, ?, ?, COALESCE(?, X''), ?)" + onConflict);
            insertStateWithReminders = c.prepareStatement("INSERT INTO " + table
                    + " (type, key, version, schema_version, payload, updated_at, reminders, remind_at) VALUES"
                    + " (?, ?, ?, ?, COALESCE(?, X''), ?, COALESCE(?, X''), ?)" + onConflict);
            insertTombstone = c.prepareStatement(insert + "(?, ?, ?, 0, NULL, ?)" + onConflict);
            updateState = c.prepareStatement("UPDATE " + table
                    + " SET version = ?, schema_version = ?, payload = COALESCE(?, X''), updated_at = ?,"
                    + " reminders = NULL, remind_at = NULL"
                    + " WHERE type = ? AND key = ? AND version = ?");
            updateStateWithReminders = c.prepareStatement("UPDATE " + table
                    + " SET version = ?, schema_version = ?, payload = COALESCE(?, X''), updated_at = ?,"
                    + " reminders = COALESCE(?, X''), remind_at = ?"
                    + " WHERE type = ? AND key = ? AND version = ?");
            updateTombstone = c.prepareStatement("UPDATE " + table
                    + " SET version = ?, schema_version = 0, payload = NULL, updated_at = ?,"
                    + " reminders = NULL, remind_at = NULL"
                    + " WHERE type = ? AND key = ? AND version = ?");
            version = c.prepareStatement("SELECT version FROM " + table + " WHERE type = ? AND key = ?");
            // A row already at this version can only be a leftover of rows deleted behind the store's back.
            keepHistory = c.prepareStatement("INSERT INTO " + historyTable
                    + " (type, key, version, schema_version, payload, updated_at)"
                    + " SELECT type, key, version, schema_version, payload, updated_at FROM " + table
                    + " WHERE type = ? AND key = ? AND version = ? AND payload IS NOT NULL"
                    + " ON CONFLICT (type, key, version) DO UPDATE SET schema_version = excluded.schema_version,"
                    + " payload = excluded.payload, updated_at = excluded.updated_at");
            pruneHistory = c.prepareStatement("DELETE FROM " + historyTable
                    + " WHERE type = ? AND key = ? AND version <= ?");
        }
    }

    /** One read connection with its prepared statements; used by one thread at a time (it is pooled). */
    private static final class Reader {
        final Connection connection;
        final PreparedStatement load;
        final PreparedStatement listFirst;
        final PreparedStatement listAfter;
        final PreparedStatement history;
        final PreparedStatement dueFirst;
        final PreparedStatement dueFrom;
        final PreparedStatement dueAfter;
        final PreparedStatement dueAfterBytes;

        Reader(Connection c, String table, String historyTable) throws SQLException {
            connection = c;
            load = c.prepareStatement("SELECT key, version, schema_version, payload IS NOT NULL, payload, updated_at,"
                    + " reminders, remind_at, " + WRONG_CLASS + " FROM " + table + " WHERE type = ? AND key = ?");
            // All walk the partial index (remind_at, type, key) from the cursor: no sort, nothing outside the page.
            // Only rows whose ordering columns hold the storage classes this store writes take part: another
            // program's BLOB key or REAL due time sorts apart from them, and a cursor could never pass it.
            String due = "SELECT type, key, remind_at, payload IS NOT NULL AND reminders IS NOT NULL FROM " + table
                    + " WHERE remind_at IS NOT NULL AND remind_at <= ? AND typeof(remind_at) = 'integer'"
                    + " AND typeof(type) = 'text' AND typeof(key) = 'text'";
            String dueOrder = " ORDER BY remind_at, type, key LIMIT ?";
            dueFirst = c.prepareStatement(due + dueOrder);
            dueFrom = c.prepareStatement(due + " AND remind_at >= ?" + dueOrder);
            // A cursor of valid UTF-8 is bound as text: the row value then bounds the index range. One that is not
            // (the last row read was unreadable) is bound as bytes cast to text, so it compares byte by byte (BINARY);
            // SQLite then bounds the range by remind_at only and filters the rest, which costs more only at that
            // instant.
            dueAfter = c.prepareStatement(due + " AND (remind_at, type, key) > (?, ?, ?)" + dueOrder);
            dueAfterBytes = c.prepareStatement(due
                    + " AND (remind_at, type, key) > (?, CAST(? AS TEXT), CAST(? AS TEXT))" + dueOrder);
            listFirst = c.prepareStatement("SELECT key FROM " + table
                    + " WHERE type = ? AND payload IS NOT NULL AND typeof(key) = 'text' ORDER BY key LIMIT ?");
            listAfter = c.prepareStatement("SELECT key FROM " + table + " WHERE type = ? AND key > CAST(? AS TEXT)"
                    + " AND payload IS NOT NULL AND typeof(key) = 'text' ORDER BY key LIMIT ?");
            history = c.prepareStatement("SELECT h.version, h.schema_version, h.payload, h.updated_at, t.version"
                    + " FROM " + table + " AS t JOIN " + historyTable + " AS h"
                    + " ON h.type = t.type AND h.key = t.key AND h.version < t.version"
                    + " WHERE t.type = ? AND t.key = ? ORDER BY h.version DESC");
        }
    }
}
