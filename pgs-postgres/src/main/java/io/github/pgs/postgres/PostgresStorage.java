package io.github.pgs.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.KeyTooLongException;
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
import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.util.PSQLException;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Storage} in one PostgreSQL table (and a second one for state history), with group commit: concurrent
 * saves are written by a few writer threads as multi-row statements, one commit for many callers. Everything
 * {@link Storage} promises, {@link #history} and reminders ({@link #due}) included.
 *
 * <h2>Opening</h2>
 * {@link #open(String, String, String, PostgresOptions)} takes a JDBC URL and credentials and owns a HikariCP
 * pool, closed with the store. {@link #open(DataSource, PostgresOptions)} takes a {@link DataSource} the caller
 * manages (it should be a pool: the store borrows a connection for every read and every batch, and never
 * closes the {@code DataSource}). With {@link PostgresOptions#createTable()} the store creates the schema, tables and
 * index on open when they are missing, and adds the reminder columns to a table made by an earlier version;
 * otherwise create (or upgrade) them with {@link #ddl(PostgresOptions)} or the resource
 * {@code io/github/pgs/postgres/schema.sql} (the default names):
 * <pre>{@code
 * CREATE TABLE IF NOT EXISTS "public"."pgs_state" (
 *     type           text    NOT NULL,  -- the server's type name
 *     key            bytea   NOT NULL,  -- the key's UTF-8 bytes
 *     version        bigint  NOT NULL,  -- 1, 2, ... (never 0)
 *     schema_version integer NOT NULL,  -- the payload's schema version (0 for a tombstone)
 *     payload        bytea   NULL,      -- the encoded state; NULL for a tombstone
 *     updated_at     bigint  NOT NULL,  -- epoch milliseconds of the last write
 *     reminders      bytea   NULL,      -- the reminder set of the last write; NULL: none
 *     remind_at      bigint  NULL,      -- epoch millis of its earliest reminder; NULL exactly when reminders is
 *     PRIMARY KEY (type, key)
 * ) WITH (fillfactor = 80);
 *
 * ALTER TABLE "public"."pgs_state"      -- upgrades a table made before reminders existed
 *     ADD COLUMN IF NOT EXISTS reminders bytea NULL,
 *     ADD COLUMN IF NOT EXISTS remind_at bigint NULL;
 *
 * CREATE INDEX IF NOT EXISTS "pgs_state_due" ON "public"."pgs_state" (remind_at, type, key)
 *     WHERE remind_at IS NOT NULL;
 *
 * CREATE TABLE IF NOT EXISTS "public"."pgs_state_history" (
 *     type           text    NOT NULL,
 *     key            bytea   NOT NULL,
 *     version        bigint  NOT NULL,  -- the version the kept state had in pgs_state
 *     schema_version integer NOT NULL,
 *     payload        bytea   NOT NULL,  -- only live states are kept
 *     updated_at     bigint  NOT NULL,  -- its write time in pgs_state
 *     PRIMARY KEY (type, key, version)
 * );
 * }</pre>
 * Keys are stored as {@code bytea} because {@code text} cannot hold NUL and sorts by collation, while the SPI
 * lists keys by their UTF-8 bytes, which is how {@code bytea} compares. Besides the primary key, the only index is
 * the partial reminder index {@link PostgresOptions#dueIndex()}, which holds only rows with reminders. A save
 * without reminders changes no indexed value (its {@code remind_at} stays {@code NULL}), and neither does one that
 * keeps the same {@code remind_at}, so with the free space left by the fill factor most updates are HOT
 * (heap-only) and touch no index and no new page; a save that moves {@code remind_at} updates the indexes. On a
 * table that lacks the reminder columns, loads, updates and {@link #due} fail (SQLState {@code 42703}) until they
 * are added, by opening a store with {@code createTable} or by running the DDL above. The history table's name is
 * {@link PostgresOptions#historyTable()}; a store opened without {@code createTable} on a database that lacks it
 * works as long as no write has a history depth (those writes, and {@link #history}, then fail with a
 * {@link StorageException} naming the missing table).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every method is thread-safe. A save or delete returns once its row is committed
 *       (with PostgreSQL's default {@code synchronous_commit = on}, once the commit is flushed to the WAL).</li>
 *   <li>Keys and type names are bound parameters, never part of SQL text. Keys must be well-formed Unicode
 *       (no unpaired surrogate), or the call fails with {@link IllegalArgumentException}: such a key has no
 *       UTF-8 form and would silently alias another key. Saves and deletes refuse keys longer than
 *       {@value #MAX_KEY_BYTES} UTF-8 bytes with {@link KeyTooLongException}.</li>
 *   <li>A version conflict fails only the write concerned, with {@link VersionConflictException} carrying the
 *       version found; the other writes of its batch are unaffected.</li>
 *   <li>Connection and SQL failures are thrown as {@link StorageException} naming the table and the SQLState,
 *       never the URL or credentials. After {@link #close()}, every method throws {@link StorageException}.</li>
 * </ul>
 *
 * <h2>How a batch is written</h2>
 * {@link GroupCommit} hands each writer thread the saves and deletes queued while it was busy. The writer
 * borrows a connection and sends the batch as one statement in autocommit mode (one round trip, one commit).
 * Writes expecting a stored version go to {@code UPDATE ... FROM unnest(?::text[], ?::bytea[], ...) WHERE
 * t.version = v.expected}; writes expecting version 0 go to {@code INSERT ... SELECT FROM unnest(...) ON
 * CONFLICT DO NOTHING}, so a row is created only where none exists (an {@code ON CONFLICT DO UPDATE} upsert
 * would also create rows for writes expecting a version that was never stored). A batch holding both kinds
 * runs them as the two parts of one data-modifying {@code WITH}. Each returns the {@code (type, key)} it wrote.
 * A batch of one write uses the equivalent single-row {@code UPDATE ... WHERE version = ?} or {@code INSERT ...
 * ON CONFLICT DO NOTHING} instead: PostgreSQL reuses their generic plan at once, while it plans the array
 * statements anew for small batches, and a lone write is the common case under light load. A delete is the same
 * write with a {@code NULL} payload (a tombstone keeps its version). Every write replaces the reminder columns in
 * the same statement: a round without reminders uses statements that set them to {@code NULL} by constants and
 * bind exactly what they bound before reminders existed; a round in which a write has reminders uses the same
 * statements with two more arrays ({@code reminders bytea[], remind_at bigint[]}, {@code NULL} for the rows
 * without). Arrays and values are bound as parameters,
 * so the statement texts never change and stay prepared on each connection. Writes missing from the result (or
 * whose update count is 0) lost the compare-and-set; one more query reads their stored versions (0 for no row)
 * and those writes alone fail with a conflict.
 *
 * <h2>History</h2>
 * A batch's updates keep history in the same statement, hence the same commit: its data-modifying {@code WITH}
 * reads the rows about to be replaced at their expected version (all parts of a statement share one snapshot,
 * so these are the old values; {@code UPDATE ... RETURNING} only gives new ones), updates, inserts the replaced
 * rows of the updates that succeeded and had a depth into the history table, and deletes each updated key's
 * history rows at or below {@code expected - depth} (all of them for depth 0 and for deletes). A key's history
 * rows are therefore only ever written under the lock of its state row, which adds no deadlock. A write whose
 * compare-and-set fails touches no history. Because a version is replaced only once, the kept rows of a key are
 * consecutive versions ending just below the current one, so the version bound keeps exactly the newest
 * {@code depth}.
 * <p>The default path pays nothing: until the store has kept history itself, or found history rows when it
 * first looked (once, on its first batch), batches without a depth run the plain statements above and never
 * touch the history table. A store that has not seen history in use may so leave history rows behind on a depth-0
 * save or a delete made while another store keeps history for the same key; {@link #history} therefore reads the
 * state row and its history rows in one query and returns only the rows whose versions run on without a gap from
 * the current version minus one, which such leftovers never do; the key's later saves with a depth prune
 * them.
 *
 * <h2>Hazards and how they are handled</h2>
 * <ul>
 *   <li><em>The same key twice in a batch</em> (two activations of one server): one statement cannot update a
 *       row twice, so such a batch is split into rounds, each holding a key at most once, executed in queue
 *       order; the second write then sees the first one's version, exactly as if they had come one by one.</li>
 *   <li><em>Deadlocks between writers</em>: concurrent batches only share rows when two activations of a server
 *       race. Rows are sent sorted by (type, key) so concurrent statements lock in one order; a statement that
 *       PostgreSQL still aborts as a deadlock or serialization failure changed nothing and is retried (up to
 *       {@value #MAX_ATTEMPTS} attempts).</li>
 *   <li><em>Rows of a batch commit round by round</em>, not as one transaction: each write is an independent
 *       compare-and-set, so a failure in a later round cannot undo an earlier round's acknowledged writes.</li>
 *   <li><em>Unknown outcomes</em>: when the connection fails during a statement, the writes of that round get a
 *       {@link StorageException} and may or may not have been committed; the runtime reloads before writing
 *       again, and the version fence keeps the state consistent.</li>
 *   <li>The store never checks an existing table's columns, except for adding the reminder columns when it
 *       manages the schema ({@code createTable}); a table of another shape makes every call fail with a
 *       {@link StorageException} that quotes PostgreSQL's error.</li>
 *   <li><em>Upgrading a large table</em>: the store that first opens it with {@code createTable} builds the
 *       reminder index in its opening transaction, so writes to the table wait for one scan of it. To avoid that
 *       pause, create the index beforehand with {@code CREATE INDEX CONCURRENTLY} (same definition as above).</li>
 *   <li><em>Reminders</em> ({@link #due}): one range scan of the partial index from the row value
 *       {@code (remind_at, type, key) > (?, ?, ?)}, in index order, so a page reads only its own rows.</li>
 *   <li><em>History rows left by hand</em>: a history row whose version a later save keeps again (possible only
 *       when state rows were deleted outside the store, so versions restart) is overwritten, not a failure.</li>
 * </ul>
 */
public final class PostgresStorage implements Storage {

    /**
     * The longest key, in UTF-8 bytes, that {@link #save} and {@link #delete} accept: 2 KiB. The primary key's
     * B-tree holds at most 2,704 bytes per entry (type name, key and overhead); longer keys are refused with
     * {@link KeyTooLongException} before they reach a batch, where one oversized row would fail the statement
     * for every write in it. Loads and listings accept any key.
     */
    public static final int MAX_KEY_BYTES = 2048;

    /** Attempts of a statement that PostgreSQL aborted as a deadlock or serialization failure. */
    static final int MAX_ATTEMPTS = 3;
    /** Ids per query of {@link #loadAll}. */
    private static final int LOAD_CHUNK = 1000;
    private static final String POOL_NAME = "pgs-postgres";
    private static final int HISTORY_UNKNOWN = 0;
    private static final int HISTORY_UNUSED = 1;
    private static final int HISTORY_IN_USE = 2;
    private static final Comparator<Op> LOCK_ORDER = Comparator.comparing((Op op) -> op.row().type())
            .thenComparing(op -> op.row().key(), Arrays::compareUnsigned);

    private final PostgresOptions options;
    private final DataSource dataSource;
    private final HikariDataSource ownedPool;
    private final GroupCommit<Op, Long> groupCommit;
    private final CloseGate gate;

    private final String loadSql;
    private final String loadAllSql;
    private final String listFirstSql;
    private final String listAfterSql;
    private final String dueFirstSql;
    private final String dueFromSql;
    private final String dueAfterSql;
    /** The write statements of rounds without reminders: the reminder columns are set to NULL by constants. */
    private final WriteSql plainWrites;
    /** The write statements of rounds where a write has reminders: two more arrays (or parameters). */
    private final WriteSql reminderWrites;
    private final String versionsSql;
    private final String historySql;
    private final String historyTableExistsSql;
    private final String historyRowsExistSql;
    /**
     * Whether the history table may hold rows: {@link #HISTORY_UNKNOWN} until the first batch looks, then
     * {@link #HISTORY_UNUSED} (no rows, or no table) until a statement keeping history succeeds, then
     * {@link #HISTORY_IN_USE} for good. While unused, depth-0 saves and deletes leave the history table alone.
     */
    private final AtomicInteger historyState = new AtomicInteger(HISTORY_UNKNOWN);

    private PostgresStorage(DataSource dataSource, HikariDataSource ownedPool, PostgresOptions options) {
        this.options = options;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.gate = new CloseGate("PostgreSQL store on " + options.qualifiedTable());
        String t = options.qualifiedTable();
        this.loadSql = "SELECT version, schema_version, payload, updated_at, reminders, remind_at FROM " + t
                + " WHERE type = ? AND key = ?";
        this.loadAllSql = "SELECT t.type, t.key, t.version, t.schema_version, t.payload, t.updated_at,"
                + " t.reminders, t.remind_at"
                + " FROM unnest(?::text[], ?::bytea[]) AS v(type, key)"
                + " JOIN " + t + " AS t ON t.type = v.type AND t.key = v.key";
        this.versionsSql = "SELECT t.type, t.key, t.version"
                + " FROM unnest(?::text[], ?::bytea[]) AS v(type, key)"
                + " JOIN " + t + " AS t ON t.type = v.type AND t.key = v.key";
        this.listFirstSql = "SELECT key FROM " + t
                + " WHERE type = ? AND payload IS NOT NULL ORDER BY key LIMIT ?";
        this.listAfterSql = "SELECT key FROM " + t
                + " WHERE type = ? AND key > ? AND payload IS NOT NULL ORDER BY key LIMIT ?";
        // Both are one range scan of the partial index (remind_at, type, key), in its order.
        String due = "SELECT type, key, remind_at, payload IS NOT NULL AND reminders IS NOT NULL FROM " + t
                + " WHERE remind_at IS NOT NULL AND remind_at <= ?";
        String dueOrder = " ORDER BY remind_at, type, key LIMIT ?";
        this.dueFirstSql = due + dueOrder;
        this.dueFromSql = due + " AND remind_at >= ?" + dueOrder;
        this.dueAfterSql = due + " AND (remind_at, type, key) > (?, ?, ?)" + dueOrder;
        String h = options.qualifiedHistoryTable();
        this.historySql = "SELECT h.version, h.schema_version, h.payload, h.updated_at, t.version"
                + " FROM " + t + " AS t JOIN " + h + " AS h"
                + " ON h.type = t.type AND h.key = t.key AND h.version < t.version"
                + " WHERE t.type = ? AND t.key = ? ORDER BY h.version DESC";
        this.plainWrites = new WriteSql(t, h, false);
        this.reminderWrites = new WriteSql(t, h, true);
        this.historyTableExistsSql = "SELECT to_regclass(?) IS NOT NULL";
        this.historyRowsExistSql = "SELECT EXISTS (SELECT 1 FROM " + h + ")";
        if (options.createTable()) {
            createTableIfMissing();
        }
        this.groupCommit = new GroupCommit<>("postgres", options.writers(), options.maxBatch(), options.maxWait(),
                this::writeBatch);
    }

    /**
     * Opens a store on {@code jdbcUrl} with default options. See
     * {@link #open(String, String, String, PostgresOptions)}.
     */
    public static PostgresStorage open(String jdbcUrl, String user, String password) {
        return open(jdbcUrl, user, password, PostgresOptions.defaults());
    }

    /**
     * Opens a store that owns a HikariCP pool of {@link PostgresOptions#poolSize()} connections to
     * {@code jdbcUrl}, closed by {@link #close()}. Connects before returning (and creates the table when
     * {@link PostgresOptions#createTable()} and it is missing).
     *
     * @param jdbcUrl  a pgjdbc URL, {@code jdbc:postgresql://host:port/database[?properties]}
     * @param user     the user, or {@code null} to take it from the URL or pgjdbc's defaults
     * @param password the password, or {@code null} for none or the URL's
     * @param options  table names, group commit and pool settings
     * @throws IllegalArgumentException if {@code jdbcUrl} is not a PostgreSQL JDBC URL (the message does not
     *                                  repeat the URL, which may hold a password)
     * @throws StorageException         if the database cannot be reached or the table cannot be created
     */
    public static PostgresStorage open(String jdbcUrl, String user, String password, PostgresOptions options) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(options, "options");
        PGSimpleDataSource pg = new PGSimpleDataSource();
        try {
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException();
            }
            pg.setUrl(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "not a PostgreSQL JDBC URL (expected jdbc:postgresql://host:port/database)");
        }
        if (user != null) {
            pg.setUser(user);
        }
        if (password != null) {
            pg.setPassword(password);
        }
        int timeoutSeconds = (int) Math.max(1, (options.connectionTimeout().toMillis() + 999) / 1000);
        pg.setConnectTimeout(timeoutSeconds);
        pg.setLoginTimeout(timeoutSeconds);
        pg.setLogServerErrorDetail(false); // details can quote row contents

        HikariConfig config = new HikariConfig();
        config.setPoolName(POOL_NAME);
        config.setDataSource(pg);
        config.setMaximumPoolSize(options.poolSize());
        config.setConnectionTimeout(options.connectionTimeout().toMillis());
        config.setAutoCommit(true);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new StorageException("PostgreSQL store could not connect: " + describe(cause), cause);
        }
        try {
            return new PostgresStorage(pool, pool, options);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Opens a store on a caller-managed {@code dataSource} with default options. */
    public static PostgresStorage open(DataSource dataSource) {
        return open(dataSource, PostgresOptions.defaults());
    }

    /**
     * Opens a store on a caller-managed {@code dataSource}, which the store never closes. The
     * {@code dataSource} should pool connections: the store borrows one for each read and each batch and closes
     * it right after. {@link PostgresOptions#poolSize()} and {@link PostgresOptions#connectionTimeout()} do
     * not apply. Connects before returning only when {@link PostgresOptions#createTable()} is set.
     *
     * @throws StorageException if the table is to be created and that fails
     */
    public static PostgresStorage open(DataSource dataSource, PostgresOptions options) {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(options, "options");
        return new PostgresStorage(dataSource, null, options);
    }

    /**
     * The DDL that creates the schema (unless it is {@code public}), the table named by {@code options}, its
     * reminder index ({@link PostgresOptions#dueIndex()}) and its history table
     * ({@link PostgresOptions#historyTable()}), for users who manage the database schema themselves (with
     * {@link PostgresOptions#createTable()} off). Every statement is {@code IF NOT EXISTS}, so running it again
     * upgrades a table made by an earlier version (its {@code ALTER TABLE ... ADD COLUMN IF NOT EXISTS} adds the
     * reminder columns) and changes nothing else; statements end with {@code ;} and a line break, and are separated
     * by an empty line.
     */
    public static String ddl(PostgresOptions options) {
        StringBuilder sql = new StringBuilder();
        if (!options.schema().equals(PostgresOptions.DEFAULT_SCHEMA)) {
            sql.append(createSchemaSql(options)).append(";\n\n");
        }
        return sql.append(createTableSql(options)).append(";\n\n")
                .append(addReminderColumnsSql(options)).append(";\n\n")
                .append(createDueIndexSql(options)).append(";\n\n")
                .append(createHistoryTableSql(options)).append(";\n").toString();
    }

    private static String createSchemaSql(PostgresOptions options) {
        return "CREATE SCHEMA IF NOT EXISTS \"" + options.schema() + '"';
    }

    private static String createTableSql(PostgresOptions options) {
        return "CREATE TABLE IF NOT EXISTS " + options.qualifiedTable() + " (\n"
                + "    type           text    NOT NULL,\n"
                + "    key            bytea   NOT NULL,\n"
                + "    version        bigint  NOT NULL,\n"
                + "    schema_version integer NOT NULL,\n"
                + "    payload        bytea   NULL,\n"
                + "    updated_at     bigint  NOT NULL,\n"
                + "    reminders      bytea   NULL,\n"
                + "    remind_at      bigint  NULL,\n"
                + "    PRIMARY KEY (type, key)\n"
                + ") WITH (fillfactor = 80)";
    }

    /** Adds the reminder columns to a table made before they existed; a no-op on a table that has them. */
    private static String addReminderColumnsSql(PostgresOptions options) {
        return "ALTER TABLE " + options.qualifiedTable() + "\n"
                + "    ADD COLUMN IF NOT EXISTS reminders bytea NULL,\n"
                + "    ADD COLUMN IF NOT EXISTS remind_at bigint NULL";
    }

    private static String createDueIndexSql(PostgresOptions options) {
        return "CREATE INDEX IF NOT EXISTS \"" + options.dueIndex() + "\" ON " + options.qualifiedTable()
                + " (remind_at, type, key)\n"
                + "    WHERE remind_at IS NOT NULL";
    }

    private static String createHistoryTableSql(PostgresOptions options) {
        return "CREATE TABLE IF NOT EXISTS " + options.qualifiedHistoryTable() + " (\n"
                + "    type           text    NOT NULL,\n"
                + "    key            bytea   NOT NULL,\n"
                + "    version        bigint  NOT NULL,\n"
                + "    schema_version integer NOT NULL,\n"
                + "    payload        bytea   NOT NULL,\n"
                + "    updated_at     bigint  NOT NULL,\n"
                + "    PRIMARY KEY (type, key, version)\n"
                + ")";
    }

    /** {@inheritDoc} Here: history and reminders. */
    @Override
    public Set<StorageCapability> capabilities() {
        return EnumSet.allOf(StorageCapability.class);
    }

    @Override
    public void observe(StoreObserver observer) {
        groupCommit.observe(observer);
    }

    /** The options this store was opened with. */
    public PostgresOptions options() {
        return options;
    }

    // ---------------------------------------------------------------------------------------------- reads

    @Override
    public StoredState load(ServerId id) {
        byte[] key = StoreChecks.keyBytes(StoreChecks.id(id).key());
        gate.enter();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(loadSql)) {
            ps.setString(1, id.type());
            ps.setBytes(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? state(id, rs, 1) : StoredState.ABSENT;
            }
        } catch (SQLException e) {
            throw failure("load", e);
        } finally {
            gate.exit();
        }
    }

    @Override
    public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
        Objects.requireNonNull(ids, "ids");
        Map<ServerId, StoredState> out = new LinkedHashMap<>();
        Map<RowKey, ServerId> pending = new LinkedHashMap<>();
        for (ServerId id : ids) {
            if (out.putIfAbsent(StoreChecks.id(id), StoredState.ABSENT) == null) {
                pending.put(new RowKey(id.type(), StoreChecks.keyBytes(id.key())), id);
            }
        }
        gate.enter();
        if (pending.isEmpty()) {
            gate.exit();
            return out;
        }
        List<RowKey> rows = new ArrayList<>(pending.keySet());
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(loadAllSql)) {
            for (int from = 0; from < rows.size(); from += LOAD_CHUNK) {
                List<RowKey> chunk = rows.subList(from, Math.min(rows.size(), from + LOAD_CHUNK));
                bindRowKeys(c, ps, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ServerId id = pending.get(new RowKey(rs.getString(1), rs.getBytes(2)));
                        if (id != null) {
                            out.put(id, state(id, rs, 3));
                        }
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw failure("loadAll", e);
        } finally {
            gate.exit();
        }
    }

    @Override
    public KeyPage list(String type, KeyCursor after, int limit) {
        KeyPageBuilder page = new KeyPageBuilder(limit);
        boolean valid = StoreChecks.type(type);
        gate.enter();
        if (!valid) {
            gate.exit();
            return page.build();
        }
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement(after == null ? listFirstSql : listAfterSql)) {
            int p = 1;
            ps.setString(p++, type);
            if (after != null) {
                ps.setBytes(p++, after.bytes());
            }
            ps.setLong(p, page.fetchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && page.add(rs.getBytes(1))) {
                    // the builder keeps the page, skips undecodable keys and notices the row beyond it
                }
            }
            return page.build();
        } catch (SQLException e) {
            throw failure("list", e);
        } finally {
            gate.exit();
        }
    }

    /**
     * The state in the columns {@code version, schema_version, payload, updated_at, reminders, remind_at}, the first
     * at {@code col}.
     */
    private static StoredState state(ServerId id, ResultSet rs, int col) throws SQLException {
        // remind_at NULL reads as 0, which StoredRows takes as "no reminders"
        return StoredRows.state(id, rs.getLong(col), rs.getInt(col + 1), rs.getBytes(col + 2), rs.getLong(col + 3),
                rs.getBytes(col + 4), rs.getLong(col + 5));
    }

    /**
     * {@inheritDoc} Here: one range scan of the partial index on {@code (remind_at, type, key)}, starting at the row
     * value {@code (remind_at, type, key) > (after)}; servers due at the same instant come in the order of their type
     * names (the column's collation) and then of their keys' UTF-8 bytes.
     */
    @Override
    public DuePage due(long notAfterMillis, DueCursor after, int limit) {
        DuePageBuilder page = new DuePageBuilder(limit);
        DuePageBuilder.Position from = after == null ? null : DuePageBuilder.position(after);
        String fromType = from == null || from.beforeAll() ? null : ServerId.decodeKey(from.type());
        gate.enter();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(
                from == null ? dueFirstSql : from.beforeAll() ? dueFromSql : dueAfterSql)) {
            int p = 1;
            ps.setLong(p++, notAfterMillis);
            if (from != null) {
                ps.setLong(p++, from.remindAtMillis());
                if (!from.beforeAll()) {
                    ps.setString(p++, fromType);
                    ps.setBytes(p++, from.key());
                }
            }
            ps.setLong(p, page.fetchSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && page.addRow(rs.getLong(3), rs.getString(1).getBytes(StandardCharsets.UTF_8),
                        rs.getBytes(2), rs.getBoolean(4))) {
                    // the builder keeps the page, skips unreadable rows and notices the row beyond it
                }
            }
            return page.build();
        } catch (SQLException e) {
            throw failure("due", e);
        } finally {
            gate.exit();
        }
    }

    /**
     * {@inheritDoc} Here: one query over the state row and its history rows (one snapshot), keeping the rows whose
     * versions run on without a gap from the current version minus one.
     */
    @Override
    public List<StoredState> history(ServerId id) {
        byte[] key = StoreChecks.keyBytes(StoreChecks.id(id).key());
        gate.enter();
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(historySql)) {
            ps.setString(1, id.type());
            ps.setBytes(2, key);
            List<StoredState> kept = new ArrayList<>();
            ContiguousHistory walk = new ContiguousHistory();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && walk.accept(rs.getLong(1), rs.getLong(5))) {
                    kept.add(StoredRows.historyEntry(id, rs.getLong(1), rs.getInt(2), rs.getBytes(3),
                            rs.getLong(4)));
                }
            }
            return kept;
        } catch (SQLException e) {
            throw failure("history", e);
        } finally {
            gate.exit();
        }
    }

    // --------------------------------------------------------------------------------------------- writes

    @Override
    public long save(StateWrite write) {
        StoreChecks.write(write);
        return submit(new Op(write.id(), writableKey(write.id()), write.expectedVersion(), write.payload(),
                write.schemaVersion(), write.historyDepth(), write.reminders(), write.remindAtMillis()));
    }

    @Override
    public long delete(ServerId id, long expectedVersion) {
        StoreChecks.id(id);
        return submit(new Op(id, writableKey(id), StoreChecks.expectedVersion(expectedVersion), null, 0, 0, null,
                0));
    }

    private long submit(Op op) {
        return gate.call(() -> groupCommit.submit(op));
    }

    private static RowKey writableKey(ServerId id) {
        byte[] key = StoreChecks.keyBytes(id.key());
        if (key.length > MAX_KEY_BYTES) {
            throw new KeyTooLongException(id.type(), key.length, MAX_KEY_BYTES);
        }
        return new RowKey(id.type(), key);
    }

    /** Writes one group-commit batch: one statement per round of distinct keys. Runs on a writer thread. */
    private void writeBatch(List<GroupCommit.Entry<Op, Long>> batch) {
        long now = System.currentTimeMillis();
        try (Connection c = connection()) {
            boolean history = historyInUse(c, batch);
            for (List<GroupCommit.Entry<Op, Long>> round : GroupCommit.rounds(batch, Op::row)) {
                writeRound(c, round, now, history);
            }
        } catch (SQLException e) {
            throw failure("write", e);
        }
    }

    /**
     * Whether the batch's updates must maintain history: when one of its writes has a depth, or the history table
     * held rows when the store first looked (once per store) or a statement keeping history succeeded since.
     */
    private boolean historyInUse(Connection c, List<GroupCommit.Entry<Op, Long>> batch) {
        for (GroupCommit.Entry<Op, Long> e : batch) {
            if (e.item().historyDepth() > 0) {
                return true;
            }
        }
        if (historyState.get() == HISTORY_UNKNOWN) {
            historyState.compareAndSet(HISTORY_UNKNOWN, historyRowsExist(c) ? HISTORY_IN_USE : HISTORY_UNUSED);
        }
        return historyState.get() == HISTORY_IN_USE;
    }

    /**
     * Whether the history table exists and holds a row. A failure to look counts as no: leftover rows then stay
     * until pruned, which {@link #history} never shows, while a write that cannot reach the database fails on its
     * own statement.
     */
    private boolean historyRowsExist(Connection c) {
        try {
            try (PreparedStatement ps = c.prepareStatement(historyTableExistsSql)) {
                ps.setString(1, options.qualifiedHistoryTable());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return false;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(historyRowsExistSql); ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private void writeRound(Connection c, List<GroupCommit.Entry<Op, Long>> round, long now, boolean history)
            throws SQLException {
        round.sort(Comparator.comparing(GroupCommit.Entry::item, LOCK_ORDER));
        Set<RowKey> written;
        for (int attempt = 1; ; attempt++) {
            try {
                written = execute(c, round, now, history);
                break;
            } catch (SQLException e) {
                if (attempt >= MAX_ATTEMPTS || !isRetryable(e)) {
                    throw e;
                }
            }
        }
        List<Op> lost = new ArrayList<>();
        for (GroupCommit.Entry<Op, Long> e : round) {
            Op op = e.item();
            if (written.contains(op.row())) {
                e.succeed(op.expected() + 1);
            } else {
                lost.add(op);
            }
        }
        if (lost.isEmpty()) {
            return;
        }
        Map<RowKey, Long> versions = storedVersions(c, lost);
        for (GroupCommit.Entry<Op, Long> e : round) {
            Op op = e.item();
            if (!e.isDone()) {
                e.fail(new VersionConflictException(op.id(), op.expected(), versions.getOrDefault(op.row(), 0L)));
            }
        }
    }

    /**
     * Executes one round (distinct keys) as one statement: an {@code UPDATE} for the writes expecting a stored
     * version, an {@code INSERT} for those expecting none, or both in one {@code WITH}. With {@code history}, the
     * updates also keep and prune history in the same statement. Returns the rows written.
     */
    private Set<RowKey> execute(Connection c, List<GroupCommit.Entry<Op, Long>> round, long now, boolean history)
            throws SQLException {
        if (round.size() == 1 && !(history && round.get(0).item().expected() > 0)) {
            Op op = round.get(0).item();
            return executeOne(c, op, now) ? Set.of(op.row()) : Set.of();
        }
        List<Op> updates = new ArrayList<>(round.size());
        List<Op> inserts = new ArrayList<>();
        boolean reminders = false;
        for (GroupCommit.Entry<Op, Long> e : round) {
            (e.item().expected() > 0 ? updates : inserts).add(e.item());
            reminders |= e.item().reminders() != null;
        }
        WriteSql writes = reminders ? reminderWrites : plainWrites;
        String sql;
        if (inserts.isEmpty()) {
            sql = history ? writes.updateWithHistory : writes.update;
        } else if (updates.isEmpty()) {
            sql = writes.insert;
        } else {
            sql = history ? writes.updateWithHistoryAndInsert : writes.updateAndInsert;
        }
        Set<RowKey> written = new HashSet<>(round.size() * 2);
        boolean keepsHistory = history && !updates.isEmpty();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = 1;
            if (!updates.isEmpty()) {
                p = keepsHistory ? bindWithHistory(c, ps, now, updates, reminders)
                        : bind(c, ps, p, now, updates, true, reminders);
            }
            if (!inserts.isEmpty()) {
                bind(c, ps, p, now, inserts, false, reminders);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    written.add(new RowKey(rs.getString(1), rs.getBytes(2)));
                }
            }
        }
        if (keepsHistory) {
            // Only once a statement kept history, so that a missing history table fails the writes with a depth
            // but not every later write.
            historyState.set(HISTORY_IN_USE);
        }
        return written;
    }

    /**
     * Writes a round of one: plain single-row statements, whose generic plan PostgreSQL reuses at once (the
     * array statements are planned anew for small batches) and whose update count tells the outcome.
     */
    private boolean executeOne(Connection c, Op op, long now) throws SQLException {
        boolean reminders = op.reminders() != null;
        WriteSql writes = reminders ? reminderWrites : plainWrites;
        if (op.expected() > 0) {
            try (PreparedStatement ps = c.prepareStatement(writes.updateOne)) {
                int p = 1;
                ps.setLong(p++, op.expected() + 1);
                ps.setInt(p++, op.schemaVersion());
                ps.setBytes(p++, op.payload());
                ps.setLong(p++, now);
                if (reminders) {
                    ps.setBytes(p++, op.reminders());
                    ps.setLong(p++, op.remindAt());
                }
                ps.setString(p++, op.row().type());
                ps.setBytes(p++, op.row().key());
                ps.setLong(p, op.expected());
                return ps.executeUpdate() == 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(writes.insertOne)) {
            int p = 1;
            ps.setString(p++, op.row().type());
            ps.setBytes(p++, op.row().key());
            ps.setInt(p++, op.schemaVersion());
            ps.setBytes(p++, op.payload());
            ps.setLong(p++, now);
            if (reminders) {
                ps.setBytes(p++, op.reminders());
                ps.setLong(p, op.remindAt());
            }
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Binds the parameters of {@link WriteSql#update} or {@link WriteSql#insert} (of the flavour {@code reminders})
     * from {@code first}; returns the next.
     */
    private static int bind(Connection c, PreparedStatement ps, int first, long now, List<Op> ops,
                            boolean withExpected, boolean reminders) throws SQLException {
        int n = ops.size();
        String[] types = new String[n];
        byte[][] keys = new byte[n][];
        Long[] expected = new Long[n];
        Integer[] schemas = new Integer[n];
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            Op op = ops.get(i);
            types[i] = op.row().type();
            keys[i] = op.row().key();
            expected[i] = op.expected();
            schemas[i] = op.schemaVersion();
            payloads[i] = op.payload();
        }
        int p = first;
        ps.setLong(p++, now);
        ps.setArray(p++, c.createArrayOf("text", types));
        ps.setArray(p++, c.createArrayOf("bytea", keys));
        if (withExpected) {
            ps.setArray(p++, c.createArrayOf("int8", expected));
        }
        ps.setArray(p++, c.createArrayOf("int4", schemas));
        ps.setArray(p++, c.createArrayOf("bytea", payloads));
        if (reminders) {
            byte[][] sets = new byte[n][];
            Long[] remindAts = new Long[n];
            for (int i = 0; i < n; i++) {
                Op op = ops.get(i);
                sets[i] = op.reminders();
                remindAts[i] = op.reminders() == null ? null : op.remindAt();
            }
            ps.setArray(p++, c.createArrayOf("bytea", sets));
            ps.setArray(p++, c.createArrayOf("int8", remindAts));
        }
        return p;
    }

    /** Binds the parameters of {@link WriteSql#updateWithHistory}; returns the next index. */
    private static int bindWithHistory(Connection c, PreparedStatement ps, long now, List<Op> ops, boolean reminders)
            throws SQLException {
        int p = bind(c, ps, 1, now, ops, true, reminders);
        Integer[] depths = new Integer[ops.size()];
        for (int i = 0; i < depths.length; i++) {
            depths[i] = ops.get(i).historyDepth();
        }
        ps.setArray(p++, c.createArrayOf("int4", depths));
        return p;
    }

    /** The stored versions of {@code ops}' rows; rows that do not exist are missing from the map. */
    private Map<RowKey, Long> storedVersions(Connection c, List<Op> ops) throws SQLException {
        List<RowKey> rows = new ArrayList<>(ops.size());
        for (Op op : ops) {
            rows.add(op.row());
        }
        Map<RowKey, Long> versions = new HashMap<>(rows.size() * 2);
        try (PreparedStatement ps = c.prepareStatement(versionsSql)) {
            bindRowKeys(c, ps, rows);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.put(new RowKey(rs.getString(1), rs.getBytes(2)), rs.getLong(3));
                }
            }
        }
        return versions;
    }

    private static void bindRowKeys(Connection c, PreparedStatement ps, List<RowKey> rows) throws SQLException {
        String[] types = new String[rows.size()];
        byte[][] keys = new byte[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            types[i] = rows.get(i).type();
            keys[i] = rows.get(i).key();
        }
        ps.setArray(1, c.createArrayOf("text", types));
        ps.setArray(2, c.createArrayOf("bytea", keys));
    }

    private static boolean isRetryable(SQLException e) {
        String state = e.getSQLState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    // ------------------------------------------------------------------------------------------- plumbing

    /**
     * Creates the schema, the table, its reminder index and the history table if missing; a table made before
     * history existed gains its history table, and one made before reminders existed gains the reminder columns
     * ({@code ALTER TABLE ... ADD COLUMN}: nullable without default, so no rewrite) and the index (built in this
     * transaction: writes to the table wait for one scan of it, once). Existence is checked first, so a user without
     * the {@code CREATE} privilege (or ownership of the table) can open a store on tables that are up to date; a
     * transaction-scoped advisory lock keeps concurrent openers (other JVMs) from racing on {@code CREATE}.
     */
    private void createTableIfMissing() {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    lock.setString(1, "pgs-postgres:" + options.qualifiedTable());
                    lock.execute();
                }
                if (!exists(c, "SELECT to_regclass(?) IS NOT NULL", options.qualifiedTable())) {
                    if (!exists(c, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = ?)",
                            options.schema())) {
                        try (PreparedStatement ps = c.prepareStatement(createSchemaSql(options))) {
                            ps.execute();
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(createTableSql(options))) {
                        ps.execute();
                    }
                } else if (!exists(c, "SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = to_regclass(?)"
                        + " AND attname IN ('reminders', 'remind_at') AND NOT attisdropped",
                        options.qualifiedTable())) {
                    try (PreparedStatement ps = c.prepareStatement(addReminderColumnsSql(options))) {
                        ps.execute();
                    }
                }
                if (!exists(c, "SELECT to_regclass(?) IS NOT NULL", options.qualifiedDueIndex())) {
                    try (PreparedStatement ps = c.prepareStatement(createDueIndexSql(options))) {
                        ps.execute();
                    }
                }
                if (!exists(c, "SELECT to_regclass(?) IS NOT NULL", options.qualifiedHistoryTable())) {
                    try (PreparedStatement ps = c.prepareStatement(createHistoryTableSql(options))) {
                        ps.execute();
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failure("create table", e);
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** A connection in autocommit mode (a caller-managed pool may hand out others; it resets them on return). */
    private Connection connection() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return c;
        } catch (SQLException e) {
            try {
                c.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private StorageException failure(String operation, SQLException e) {
        if (gate.isClosed()) {
            return new StorageException("PostgreSQL store on " + options.qualifiedTable() + " is closed ("
                    + operation + " interrupted)", e);
        }
        return new StorageException("PostgreSQL " + operation + " on " + options.qualifiedTable() + " failed: "
                + describe(e), e);
    }

    /**
     * The error's primary message and SQLState. A server error's detail is left out: it can quote a failing
     * row, and messages must never carry state contents.
     */
    private static String describe(Throwable e) {
        String message = e.getMessage();
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null
                && p.getServerErrorMessage().getMessage() != null) {
            message = p.getServerErrorMessage().getMessage();
        }
        String state = e instanceof SQLException sql && sql.getSQLState() != null
                ? " (SQLState " + sql.getSQLState() + ")" : "";
        return message + state;
    }

    /**
     * Waits for calls in progress, writes what is queued, stops the writers, and closes the pool if the store owns
     * it (a caller-managed {@code DataSource} stays open). Idempotent; afterwards every method throws
     * {@link StorageException}.
     */
    @Override
    public void close() {
        if (!gate.close()) {
            return;
        }
        try {
            groupCommit.close();
        } finally {
            if (ownedPool != null) {
                ownedPool.close();
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresStorage[" + options.qualifiedTable() + (gate.isClosed() ? ", closed]" : "]");
    }

    /**
     * The write statements, in one of two flavours. Without reminders (the common case) they bind what they bound
     * before reminders existed and set both reminder columns to {@code NULL} by constants; an update from
     * {@code NULL} to {@code NULL} changes no indexed value, so it can stay a HOT update. With reminders, the
     * {@code unnest} (or the single-row statement) takes two more parameters, {@code reminders bytea[]} and
     * {@code remind_at bigint[]}, right after the payloads; rows without reminders carry {@code NULL} in them.
     */
    private static final class WriteSql {
        final String update;
        final String insert;
        final String updateAndInsert;
        final String updateOne;
        final String insertOne;
        final String updateWithHistory;
        final String updateWithHistoryAndInsert;

        WriteSql(String t, String h, boolean reminders) {
            String moreArrays = reminders ? ", ?::bytea[], ?::bigint[]" : "";
            String moreColumns = reminders ? ", reminders, remind_at" : "";
            update = "UPDATE " + t + " AS t"
                    + " SET version = v.expected + 1, schema_version = v.schema_version, payload = v.payload,"
                    + " updated_at = ?, " + (reminders ? "reminders = v.reminders, remind_at = v.remind_at"
                    : "reminders = NULL, remind_at = NULL")
                    + " FROM unnest(?::text[], ?::bytea[], ?::bigint[], ?::integer[], ?::bytea[]" + moreArrays + ")"
                    + " AS v(type, key, expected, schema_version, payload" + moreColumns + ")"
                    + " WHERE t.type = v.type AND t.key = v.key AND t.version = v.expected"
                    + " RETURNING t.type, t.key";
            insert = "INSERT INTO " + t + " AS t (type, key, version, schema_version, payload, updated_at"
                    + moreColumns + ")"
                    + " SELECT v.type, v.key, 1, v.schema_version, v.payload, ?"
                    + (reminders ? ", v.reminders, v.remind_at" : "")
                    + " FROM unnest(?::text[], ?::bytea[], ?::integer[], ?::bytea[]" + moreArrays + ")"
                    + " AS v(type, key, schema_version, payload" + moreColumns + ")"
                    + " ON CONFLICT (type, key) DO NOTHING"
                    + " RETURNING t.type, t.key";
            updateOne = "UPDATE " + t
                    + " SET version = ?, schema_version = ?, payload = ?, updated_at = ?, "
                    + (reminders ? "reminders = ?, remind_at = ?" : "reminders = NULL, remind_at = NULL")
                    + " WHERE type = ? AND key = ? AND version = ?";
            insertOne = "INSERT INTO " + t + " (type, key, version, schema_version, payload, updated_at"
                    + moreColumns + ") VALUES (?, ?, 1, ?, ?, ?" + (reminders ? ", ?, ?" : "") + ")"
                    + " ON CONFLICT (type, key) DO NOTHING";
            updateAndInsert = "WITH u AS (" + update + "), i AS (" + insert + ")"
                    + " SELECT type, key FROM u UNION ALL SELECT type, key FROM i";
            // w: the writes; o: the rows to keep (read before u replaces them: all parts share one snapshot); u:
            // the compare-and-set; k: keeps o's rows whose update succeeded; d: prunes each updated key's history
            // to its depth (all of it for depth 0). k and d only touch keys whose row u locked. History rows never
            // carry reminders.
            String withHistory = "WITH w AS (SELECT ?::bigint AS now, w.*"
                    + " FROM unnest(?::text[], ?::bytea[], ?::bigint[], ?::integer[], ?::bytea[]" + moreArrays
                    + ", ?::integer[])"
                    + " AS w(type, key, expected, schema_version, payload" + moreColumns + ", depth)),"
                    + " o AS (SELECT t.type, t.key, t.version, t.schema_version, t.payload, t.updated_at"
                    + " FROM " + t + " AS t JOIN w ON t.type = w.type AND t.key = w.key AND t.version = w.expected"
                    + " WHERE w.depth > 0 AND t.payload IS NOT NULL),"
                    + " u AS (UPDATE " + t + " AS t"
                    + " SET version = w.expected + 1, schema_version = w.schema_version, payload = w.payload,"
                    + " updated_at = w.now, " + (reminders ? "reminders = w.reminders, remind_at = w.remind_at"
                    : "reminders = NULL, remind_at = NULL")
                    + " FROM w WHERE t.type = w.type AND t.key = w.key AND t.version = w.expected"
                    + " RETURNING t.type, t.key, w.expected, w.depth),"
                    + " k AS (INSERT INTO " + h + " AS h (type, key, version, schema_version, payload, updated_at)"
                    + " SELECT o.type, o.key, o.version, o.schema_version, o.payload, o.updated_at"
                    + " FROM o JOIN u ON u.type = o.type AND u.key = o.key"
                    + " ON CONFLICT (type, key, version) DO UPDATE SET schema_version = EXCLUDED.schema_version,"
                    + " payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at),"
                    + " d AS (DELETE FROM " + h + " AS h USING u"
                    + " WHERE h.type = u.type AND h.key = u.key AND h.version <= u.expected - u.depth)";
            updateWithHistory = withHistory + " SELECT type, key FROM u";
            updateWithHistoryAndInsert = withHistory + ", i AS (" + insert + ")"
                    + " SELECT type, key FROM u UNION ALL SELECT type, key FROM i";
        }
    }

    /** A row's identity: type name and key bytes (compared by content). */
    private record RowKey(String type, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RowKey r && type.equals(r.type) && Arrays.equals(key, r.key);
        }

        @Override
        public int hashCode() {
            return 31 * type.hashCode() + Arrays.hashCode(key);
        }

        @Override
        public String toString() {
            return type + ":" + key.length + " bytes";
        }
    }

    /**
     * One queued write; {@code payload == null} writes a tombstone (with depth 0 and no reminders);
     * {@code reminders == null}: none.
     */
    private record Op(ServerId id, RowKey row, long expected, byte[] payload, int schemaVersion, int historyDepth,
                      byte[] reminders, long remindAt) {
    }
}
