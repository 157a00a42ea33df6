package io.github.pgs.postgres;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Configuration of a {@link PostgresStorage}. Immutable; build one with {@link #builder()} or take
 * {@link #defaults()}.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code schema}</td><td>{@value #DEFAULT_SCHEMA}</td><td>the schema holding the table</td></tr>
 *   <tr><td>{@code table}</td><td>{@value #DEFAULT_TABLE}</td><td>the table holding all states; the state
 *       history goes to {@link #historyTable()} beside it, and the reminder index is {@link #dueIndex()}</td></tr>
 *   <tr><td>{@code createTable}</td><td>{@code true}</td><td>create the schema, tables and index when the store
 *       opens if they are missing, and add the reminder columns to a table made before they existed (needs the
 *       {@code CREATE} privilege, or ownership of the table, only when something is missing)</td></tr>
 *   <tr><td>{@code writers}</td><td>{@value #DEFAULT_WRITERS}</td><td>group-commit writer threads; each
 *       writes one batch at a time on a connection borrowed from the pool. Fewer writers make bigger batches
 *       and spend less CPU per write (on a 2-core host with the database on it, 1 writer cost about half the
 *       CPU per save of 4); more writers keep more commits in flight, which pays when the database is remote
 *       or has cores to spare</td></tr>
 *   <tr><td>{@code maxBatch}</td><td>{@value #DEFAULT_MAX_BATCH}</td><td>the most writes one batch (one
 *       statement, one commit) carries; {@code 1} disables group commit</td></tr>
 *   <tr><td>{@code maxWait}</td><td>zero</td><td>how long a writer lingers for a fuller batch; zero never
 *       delays a write (batches still form while the writers are busy)</td></tr>
 *   <tr><td>{@code poolSize}</td><td>{@value #DEFAULT_POOL_SIZE}</td><td>connections of the pool the store
 *       owns when opened from a JDBC URL (ignored for a user-supplied {@code DataSource}); should exceed
 *       {@code writers} so that reads do not wait behind writes</td></tr>
 *   <tr><td>{@code connectionTimeout}</td><td>{@value #DEFAULT_CONNECTION_TIMEOUT_SECONDS} s</td><td>how long
 *       the owned pool waits to connect or for a free connection before the call fails with a
 *       {@link io.github.pgs.StorageException} (ignored for a user-supplied {@code DataSource})</td></tr>
 * </table>
 *
 * <p>{@code schema} and {@code table} are SQL identifiers: 1 to 63 characters of {@code [A-Za-z0-9_]}, not
 * starting with a digit. They are always quoted, so they are case-sensitive ({@code "PGS"} and {@code "pgs"}
 * are different tables). They are the only values ever placed into SQL text; keys, type names and payloads
 * are always bound parameters.
 *
 * @param schema            the schema holding the table
 * @param table             the table holding all states
 * @param createTable       whether to create a missing schema and table when the store opens
 * @param writers           group-commit writer threads (&ge; 1)
 * @param maxBatch          the largest batch (&ge; 1)
 * @param maxWait           how long a writer waits for a fuller batch (&ge; 0)
 * @param poolSize          connections of an owned pool (&ge; 1)
 * @param connectionTimeout connect and pool-wait timeout of an owned pool (&ge; 250 ms)
 */
public record PostgresOptions(String schema, String table, boolean createTable, int writers, int maxBatch,
                              Duration maxWait, int poolSize, Duration connectionTimeout) {

    /** Default schema. */
    public static final String DEFAULT_SCHEMA = "public";
    /** Default table. */
    public static final String DEFAULT_TABLE = "pgs_state";
    /** Default number of group-commit writers. */
    public static final int DEFAULT_WRITERS = 2;
    /** Default largest batch. */
    public static final int DEFAULT_MAX_BATCH = 256;
    /** Default size of an owned pool. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** Default connection timeout of an owned pool, in seconds. */
    public static final int DEFAULT_CONNECTION_TIMEOUT_SECONDS = 5;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final int MAX_IDENTIFIER_LENGTH = 63;
    private static final String HISTORY_SUFFIX = "_history";
    private static final String DUE_INDEX_SUFFIX = "_due";
    private static final Duration MIN_CONNECTION_TIMEOUT = Duration.ofMillis(250);

    /**
     * Validates every option.
     *
     * @throws IllegalArgumentException if an identifier is not of the allowed form or a number is out of range
     * @throws NullPointerException     if an option is {@code null}
     */
    public PostgresOptions {
        requireIdentifier("schema", schema);
        requireIdentifier("table", table);
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(connectionTimeout, "connectionTimeout");
        if (writers < 1) {
            throw new IllegalArgumentException("writers must be >= 1: " + writers);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1: " + poolSize);
        }
        if (connectionTimeout.compareTo(MIN_CONNECTION_TIMEOUT) < 0) {
            throw new IllegalArgumentException("connectionTimeout must be >= 250 ms: " + connectionTimeout);
        }
    }

    /** All defaults. */
    public static PostgresOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder()
                .schema(schema).table(table).createTable(createTable).writers(writers).maxBatch(maxBatch)
                .maxWait(maxWait).poolSize(poolSize).connectionTimeout(connectionTimeout);
    }

    /** Whether {@code name} is accepted as {@code schema} or {@code table}. */
    public static boolean isValidIdentifier(String name) {
        return name != null && IDENTIFIER.matcher(name).matches();
    }

    /** The quoted, schema-qualified table name as it appears in SQL, e.g. {@code "public"."pgs_state"}. */
    public String qualifiedTable() {
        return '"' + schema + "\".\"" + table + '"';
    }

    /**
     * The table holding the state history, in the same schema: {@code table + "_history"} (e.g.
     * {@code pgs_state_history}). When that would exceed PostgreSQL's 63 characters, the table name is cut to 46
     * characters and followed by {@code _}, 8 hexadecimal digits of the full name's CRC-32 and {@code _history},
     * so that long names never collide with their own table or with each other's by truncation.
     */
    public String historyTable() {
        return besideTable(HISTORY_SUFFIX);
    }

    /**
     * The partial index on {@code (remind_at, type, key)} that {@link PostgresStorage#due} reads, in the same
     * schema: {@code table + "_due"} (e.g. {@code pgs_state_due}), shortened like {@link #historyTable()} when that
     * would exceed 63 characters.
     */
    public String dueIndex() {
        return besideTable(DUE_INDEX_SUFFIX);
    }

    /** The quoted, schema-qualified {@link #dueIndex()}, e.g. {@code "public"."pgs_state_due"}. */
    public String qualifiedDueIndex() {
        return '"' + schema + "\".\"" + dueIndex() + '"';
    }

    /** {@code table + suffix}, or a cut table name with a CRC-32 of the full one when that is too long. */
    private String besideTable(String suffix) {
        String plain = table + suffix;
        if (plain.length() <= MAX_IDENTIFIER_LENGTH) {
            return plain;
        }
        CRC32 crc = new CRC32();
        crc.update(table.getBytes(StandardCharsets.US_ASCII));
        return table.substring(0, MAX_IDENTIFIER_LENGTH - suffix.length() - 9) + '_'
                + String.format("%08x", crc.getValue()) + suffix;
    }

    /** The quoted, schema-qualified {@link #historyTable()}, e.g. {@code "public"."pgs_state_history"}. */
    public String qualifiedHistoryTable() {
        return '"' + schema + "\".\"" + historyTable() + '"';
    }

    private static void requireIdentifier(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!IDENTIFIER.matcher(name).matches()) {
            // The rejected value is not echoed: it may be anything, including text meant for a log injection.
            throw new IllegalArgumentException(what + " must be 1 to 63 characters of [A-Za-z0-9_], "
                    + "not starting with a digit");
        }
    }

    /** Builds {@link PostgresOptions}; every setter validates when {@link #build()} is called. Not thread-safe. */
    public static final class Builder {
        private String schema = DEFAULT_SCHEMA;
        private String table = DEFAULT_TABLE;
        private boolean createTable = true;
        private int writers = DEFAULT_WRITERS;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration maxWait = Duration.ZERO;
        private int poolSize = DEFAULT_POOL_SIZE;
        private Duration connectionTimeout = Duration.ofSeconds(DEFAULT_CONNECTION_TIMEOUT_SECONDS);

        private Builder() {
        }

        /** The schema holding the table (default {@value PostgresOptions#DEFAULT_SCHEMA}). */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        /** The table holding all states (default {@value PostgresOptions#DEFAULT_TABLE}). */
        public Builder table(String table) {
            this.table = table;
            return this;
        }

        /** Whether to create a missing schema and table on open (default {@code true}). */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /** Group-commit writer threads (default {@value PostgresOptions#DEFAULT_WRITERS}). */
        public Builder writers(int writers) {
            this.writers = writers;
            return this;
        }

        /** The largest batch; {@code 1} disables group commit (default {@value PostgresOptions#DEFAULT_MAX_BATCH}). */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** How long a writer lingers for a fuller batch (default zero). */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        /** Connections of an owned pool (default {@value PostgresOptions#DEFAULT_POOL_SIZE}). */
        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        /** Connect and pool-wait timeout of an owned pool (default 5 s). */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
            return this;
        }

        /**
         * The options.
         *
         * @throws IllegalArgumentException if an option is out of range or an identifier is malformed
         */
        public PostgresOptions build() {
            return new PostgresOptions(schema, table, createTable, writers, maxBatch, maxWait, poolSize,
                    connectionTimeout);
        }
    }
}
