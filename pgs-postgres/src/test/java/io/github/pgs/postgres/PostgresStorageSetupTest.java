package io.github.pgs.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Opening, table creation, options and failures to connect. */
class PostgresStorageSetupTest {

    private static final String SECRET = "s3cret-Pa55word";

    private static String freshSchema() {
        return "pgs_pg_fresh_" + PgTestSupport.uniqueType().replace('-', '_');
    }

    private static boolean tableExists(String schema, String table) throws Exception {
        try (Connection c = PgTestSupport.plainDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    /** A loopback port with nothing listening. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void open_inFreshSchema_createsSchemaAndTable_andReopensOnIt() throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).table("States_1").build();
        try {
            ServerId id = new ServerId("T", "k");
            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThat(tableExists(schema, "States_1")).isTrue();
                store.save(new StateWrite(id, 0, new byte[] {1}, 1));
            }
            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThat(store.load(id).version()).isEqualTo(1);
            }
            try (Connection c = PgTestSupport.plainDataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT reloptions::text FROM pg_class c"
                         + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                ps.setString(1, schema);
                ps.setString(2, "States_1");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).contains("fillfactor=80");
                }
            }
        } finally {
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void open_concurrentlyInFreshSchema_allSucceed() throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).poolSize(1).writers(1).build();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PostgresStorage>> opened = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                opened.add(ex.submit(() -> {
                    go.await();
                    return PgTestSupport.open(options);
                }));
            }
            go.countDown();
        }
        try {
            for (Future<PostgresStorage> f : opened) {
                try (PostgresStorage store = f.get(30, TimeUnit.SECONDS)) {
                    assertThat(store.list("T", null, 1).keys()).isEmpty();
                }
            }
        } finally {
            for (Future<PostgresStorage> f : opened) {
                if (f.state() == Future.State.SUCCESS) {
                    f.resultNow().close();
                }
            }
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void open_withoutCreateTable_onMissingTable_failsOnFirstUse_withStorageException() {
        PostgresOptions options = PgTestSupport.options().table("pgs_no_such_table").createTable(false).build();
        try (PostgresStorage store = PgTestSupport.open(options)) {
            assertThatThrownBy(() -> store.load(new ServerId("T", "k")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("\"pgs_no_such_table\"")
                    .hasMessageContaining("42P01");
        }
    }

    @Test
    void open_onClosedPort_failsFast_withStorageException_thatHoldsNoPassword() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort() + "/test";
        PostgresOptions options = PgTestSupport.options().connectionTimeout(Duration.ofSeconds(2)).build();

        Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                PostgresStorage.open(url, "someone", SECRET, options).close();
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });

        assertThat(thrown).isInstanceOf(StorageException.class);
        assertThat(chainMessages(thrown)).doesNotContain(SECRET);
    }

    @Test
    void callerDataSource_onClosedPort_failsFastOnUse_withStorageException() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://127.0.0.1:" + closedPort() + "/test");
        ds.setUser("someone");
        ds.setPassword(SECRET);
        PostgresOptions options = PgTestSupport.options().createTable(false).build();

        try (PostgresStorage store = PostgresStorage.open(ds, options)) {
            ServerId id = new ServerId("T", "k");
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                assertThatThrownBy(() -> store.load(id)).isInstanceOf(StorageException.class)
                        .satisfies(e -> assertThat(chainMessages(e)).doesNotContain(SECRET));
                assertThatThrownBy(() -> store.save(new StateWrite(id, 0, new byte[0], 1)))
                        .isInstanceOf(StorageException.class);
            });
        }
        assertThatThrownBy(() -> PostgresStorage.open(ds, PgTestSupport.options().build()))
                .isInstanceOf(StorageException.class);
    }

    @Test
    void open_withNonPostgresUrl_isRejected_withoutRepeatingTheUrl() {
        for (String url : List.of("jdbc:mysql://127.0.0.1/db?password=" + SECRET,
                "jdbc:postgresql://[bad?password=" + SECRET)) {
            assertThatThrownBy(() -> PostgresStorage.open(url, "u", null, PgTestSupport.options().build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(chainMessages(e)).doesNotContain(SECRET));
        }
    }

    @Test
    void callerDataSource_handingOutNonAutocommitConnections_stillCommitsEveryWrite() throws Exception {
        HikariConfig config = new HikariConfig();
        config.setDataSource(PgTestSupport.plainDataSource());
        config.setAutoCommit(false);
        config.setMaximumPoolSize(2);
        config.setPoolName("pgs-postgres-manual-commit-test");
        String type = PgTestSupport.uniqueType();
        try (HikariDataSource pool = new HikariDataSource(config);
             PostgresStorage store = PostgresStorage.open(pool, PgTestSupport.options().build())) {
            store.save(new StateWrite(new ServerId(type, "k"), 0, new byte[] {4}, 1));
            try (Connection c = PgTestSupport.plainDataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT version FROM " + PgTestSupport.SCHEMA
                         + ".pgs_state WHERE type = ?")) {
                ps.setString(1, type);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void identifiers_mustBePlainNames() {
        List<String> bad = List.of("", "pgs_state; DROP TABLE x", "a\"b", "1abc", "with space", "dash-ed",
                "é", "a".repeat(64), "public.pgs_state");
        for (String name : bad) {
            assertThatThrownBy(() -> PostgresOptions.builder().table(name).build())
                    .as("table %s", name).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> PostgresOptions.builder().schema(name).build())
                    .as("schema %s", name).isInstanceOf(IllegalArgumentException.class);
            assertThat(PostgresOptions.isValidIdentifier(name)).isFalse();
        }
        assertThatThrownBy(() -> PostgresOptions.builder().table(null).build())
                .isInstanceOf(NullPointerException.class);
        for (String name : List.of("_a", "A1", "pgs_state", "x".repeat(63))) {
            assertThat(PostgresOptions.builder().table(name).schema(name).build().table()).isEqualTo(name);
        }
        assertThat(PostgresOptions.builder().schema("S").table("t").build().qualifiedTable())
                .isEqualTo("\"S\".\"t\"");
    }

    @Test
    void options_haveDocumentedDefaults_andRejectOutOfRangeNumbers() {
        PostgresOptions d = PostgresOptions.defaults();
        assertThat(d.schema()).isEqualTo("public");
        assertThat(d.table()).isEqualTo("pgs_state");
        assertThat(d.createTable()).isTrue();
        assertThat(d.writers()).isEqualTo(PostgresOptions.DEFAULT_WRITERS);
        assertThat(d.maxBatch()).isEqualTo(PostgresOptions.DEFAULT_MAX_BATCH);
        assertThat(d.maxWait()).isZero();
        assertThat(d.poolSize()).isEqualTo(PostgresOptions.DEFAULT_POOL_SIZE);
        assertThat(d.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.toBuilder().build()).isEqualTo(d);

        assertThatThrownBy(() -> PostgresOptions.builder().writers(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresOptions.builder().maxBatch(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresOptions.builder().poolSize(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresOptions.builder().maxWait(Duration.ofMillis(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PostgresOptions.builder().connectionTimeout(Duration.ofMillis(10)).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ddl_ofDefaults_isTheShippedSchemaFile() throws IOException {
        String shipped;
        try (InputStream in = PostgresStorage.class.getResourceAsStream("schema.sql")) {
            assertThat(in).isNotNull();
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String statements = shipped.lines().filter(l -> !l.startsWith("--")).collect(Collectors.joining("\n"))
                .strip();
        assertThat(statements).isEqualTo(PostgresStorage.ddl(PostgresOptions.defaults()).strip());

        String other = PostgresStorage.ddl(PostgresOptions.builder().schema("app").table("servers").build());
        assertThat(other).startsWith("CREATE SCHEMA IF NOT EXISTS \"app\";")
                .contains("CREATE TABLE IF NOT EXISTS \"app\".\"servers\" (")
                .contains("CREATE TABLE IF NOT EXISTS \"app\".\"servers_history\" (")
                .contains("ALTER TABLE \"app\".\"servers\"\n    ADD COLUMN IF NOT EXISTS reminders bytea NULL,")
                .contains("CREATE INDEX IF NOT EXISTS \"servers_due\" ON \"app\".\"servers\" (remind_at, type, key)");
    }

    @Test
    void dueIndex_isTheTableNameWithASuffix_andStaysWithin63Characters() {
        assertThat(PostgresOptions.defaults().dueIndex()).isEqualTo("pgs_state_due");
        assertThat(PostgresOptions.defaults().qualifiedDueIndex()).isEqualTo("\"public\".\"pgs_state_due\"");
        String longA = "c".repeat(61) + "_a";
        String index = PostgresOptions.builder().table(longA).build().dueIndex();
        assertThat(index).hasSize(63).startsWith("c".repeat(50) + "_").endsWith("_due")
                .isNotEqualTo(PostgresOptions.builder().table("c".repeat(61) + "_b").build().dueIndex());
        assertThat(PostgresOptions.isValidIdentifier(index)).isTrue();
    }

    @Test
    void open_onATableMadeBeforeReminders_addsTheColumnsAndTheIndex_andKeepsTheStates() throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).build();
        try {
            PgTestSupport.execute("CREATE SCHEMA \"" + schema + "\"");
            PgTestSupport.execute(oldStateTable(options));
            PgTestSupport.execute("INSERT INTO " + options.qualifiedTable()
                    + " VALUES ('T', convert_to('old', 'UTF8'), 4, 1, '\\x6f6c64', 1700000000000)");
            ServerId old = new ServerId("T", "old");

            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThat(exists("SELECT to_regclass(?) IS NOT NULL", options.qualifiedDueIndex())).isTrue();
                StoredState before = store.load(old);
                assertThat(before.version()).isEqualTo(4);
                assertThat(before.reminders()).isNull();
                assertThat(store.due(Long.MAX_VALUE, null, 10).servers()).isEmpty();

                store.save(new StateWrite(old, 4, new byte[] {5}, 1, 0, new byte[] {7}, 1_000));

                assertThat(store.load(old).reminders()).containsExactly(7);
                assertThat(store.due(Long.MAX_VALUE, null, 10).servers()).containsExactly(new DueServer(old, 1_000));
            }
            try (PostgresStorage reopened = PgTestSupport.open(options)) {
                assertThat(reopened.due(Long.MAX_VALUE, null, 10).servers()).containsExactly(new DueServer(old, 1_000));
            }
        } finally {
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void open_withoutCreateTable_onATableWithoutReminderColumns_failsNamingTheColumn_untilTheDdlRuns()
            throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).createTable(false).build();
        try {
            PgTestSupport.execute("CREATE SCHEMA \"" + schema + "\"");
            PgTestSupport.execute(oldStateTable(options));
            PgTestSupport.execute("INSERT INTO " + options.qualifiedTable()
                    + " VALUES ('T', convert_to('k', 'UTF8'), 1, 1, '\\x01', 1700000000000)");
            ServerId id = new ServerId("T", "k");

            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThatThrownBy(() -> store.load(id)).isInstanceOf(StorageException.class)
                        .hasMessageContaining("42703");
                assertThatThrownBy(() -> store.save(new StateWrite(id, 1, new byte[] {2}, 1)))
                        .isInstanceOf(StorageException.class).hasMessageContaining("42703");
                assertThatThrownBy(() -> store.due(5, null, 10))
                        .isInstanceOf(StorageException.class).hasMessageContaining("42703");

                for (String statement : PostgresStorage.ddl(options).split(";\n")) {
                    if (!statement.isBlank()) {
                        PgTestSupport.execute(statement);
                    }
                }

                assertThat(store.save(new StateWrite(id, 1, new byte[] {2}, 1, 0, new byte[] {3}, 5))).isEqualTo(2);
                assertThat(store.load(id).reminders()).containsExactly(3);
                assertThat(store.due(5, null, 10).servers()).containsExactly(new DueServer(id, 5));
            }
        } finally {
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    private static boolean exists(String sql, String name) throws Exception {
        try (Connection c = PgTestSupport.plainDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    @Test
    void historyTable_isTheTableNameWithASuffix_andStaysDistinctWithin63Characters() {
        assertThat(PostgresOptions.defaults().historyTable()).isEqualTo("pgs_state_history");
        assertThat(PostgresOptions.defaults().qualifiedHistoryTable()).isEqualTo("\"public\".\"pgs_state_history\"");
        String fits = "a".repeat(55);
        assertThat(PostgresOptions.builder().table(fits).build().historyTable()).isEqualTo(fits + "_history");

        String longA = "b".repeat(56) + "_one";
        String longB = "b".repeat(56) + "_two";
        String historyA = PostgresOptions.builder().table(longA).build().historyTable();
        String historyB = PostgresOptions.builder().table(longB).build().historyTable();
        assertThat(historyA).hasSize(63).startsWith("b".repeat(46) + "_").endsWith("_history")
                .isNotEqualTo(historyB);
        assertThat(PostgresOptions.isValidIdentifier(historyA)).isTrue();
    }

    @Test
    void open_onATableMadeBeforeHistory_addsTheHistoryTable() throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).build();
        try {
            PgTestSupport.execute("CREATE SCHEMA \"" + schema + "\"");
            PgTestSupport.execute(oldStateTable(options));
            ServerId id = new ServerId("T", "k");

            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThat(tableExists(schema, "pgs_state_history")).isTrue();
                store.save(new StateWrite(id, 0, new byte[] {1}, 1, 2));
                store.save(new StateWrite(id, 1, new byte[] {2}, 1, 2));

                assertThat(store.history(id)).hasSize(1);
                assertThat(store.history(id).get(0).payload()).containsExactly(1);
            }
        } finally {
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    @Test
    void open_withoutCreateTable_andNoHistoryTable_writesWithoutDepth_andFailsDepthsWithStorageException()
            throws Exception {
        String schema = freshSchema();
        PostgresOptions options = PgTestSupport.options().schema(schema).createTable(false).build();
        try {
            PgTestSupport.execute("CREATE SCHEMA \"" + schema + "\"");
            PgTestSupport.execute(oldStateTable(options));
            // a table that has the reminder columns but no history table beside it
            PgTestSupport.execute("ALTER TABLE " + options.qualifiedTable()
                    + " ADD COLUMN reminders bytea NULL, ADD COLUMN remind_at bigint NULL");
            ServerId id = new ServerId("T", "k");

            try (PostgresStorage store = PgTestSupport.open(options)) {
                assertThat(store.save(new StateWrite(id, 0, new byte[] {1}, 1))).isEqualTo(1);
                assertThat(store.save(new StateWrite(id, 1, new byte[] {2}, 1))).isEqualTo(2);

                assertThatThrownBy(() -> store.save(new StateWrite(id, 2, new byte[] {3}, 1, 1)))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("pgs_state_history")
                        .hasMessageContaining("42P01");
                assertThatThrownBy(() -> store.history(id))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("42P01");
                assertThat(store.load(id).version()).as("the failed write changed nothing").isEqualTo(2);
                assertThat(store.save(new StateWrite(id, 2, new byte[] {3}, 1))).isEqualTo(3);
            }
        } finally {
            PgTestSupport.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    /** The state table as stores made it before they kept history (and reminders). */
    private static String oldStateTable(PostgresOptions options) {
        return "CREATE TABLE " + options.qualifiedTable() + " (type text NOT NULL, key bytea NOT NULL,"
                + " version bigint NOT NULL, schema_version integer NOT NULL, payload bytea NULL,"
                + " updated_at bigint NOT NULL, PRIMARY KEY (type, key)) WITH (fillfactor = 80)";
    }

    private static String chainMessages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(s).append('\n');
            }
        }
        return all.toString();
    }
}
