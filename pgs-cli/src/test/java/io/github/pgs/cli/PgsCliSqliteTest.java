package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.sqlite.SqliteStorage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tool against a temporary SQLite file whose write times are set to known instants. */
class PgsCliSqliteTest {

    private static final Instant NOW = Instant.parse("2025-01-31T12:00:00Z");

    @TempDir
    Path dir;
    private Path db;
    private String store;
    private final CliRunner cli = new CliRunner(NOW, Map.of());

    @BeforeEach
    void fill() throws SQLException {
        db = dir.resolve("game.db");
        store = "sqlite:" + db;
        try (SqliteStorage s = SqliteStorage.open(db)) {
            ServerId alice = player("alice");
            s.save(new StateWrite(alice, 0, json("{\"name\":\"alice\",\"score\":1}"), 1));
            s.save(new StateWrite(alice, 1, json("{\"name\":\"alice\",\"score\":2}"), 1));
            s.save(new StateWrite(alice, 2, json("{\"name\":\"alice\",\"score\":3,\"items\":[\"sword\",\"map\"]}"), 2));
            s.save(new StateWrite(player("bob"), 0, json("{\"name\":\"bob\",\"score\":0}"), 1));
            s.save(new StateWrite(player("carol smith"), 0, json("{\"name\":\"carol smith\",\"score\":7}"), 1));
            s.save(new StateWrite(player("dave"), 0, json("{}"), 1));
            s.delete(player("dave"), 1);
            s.save(new StateWrite(new ServerId("blob", "raw"), 0, new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}, 1));
            s.save(new StateWrite(new ServerId("blob", "esc\u001b[2Jape"), 0, json("\"x\""), 1));
        }
        setUpdatedAt(player("alice"), NOW.minus(Duration.ofHours(26)));
        setUpdatedAt(player("bob"), NOW.minus(Duration.ofDays(40)));
        setUpdatedAt(player("carol smith"), NOW.minus(Duration.ofDays(45).plusMinutes(90)));
        setUpdatedAt(new ServerId("blob", "raw"), NOW.minus(Duration.ofSeconds(5)));
        setUpdatedAt(new ServerId("blob", "esc\u001b[2Jape"), NOW.minus(Duration.ofSeconds(5)));
    }

    private static ServerId player(String key) {
        return new ServerId("player", key);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void setUpdatedAt(ServerId id, Instant at) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             PreparedStatement st = c.prepareStatement("UPDATE pgs_state SET updated_at = ? WHERE type = ? AND key = ?")) {
            st.setLong(1, at.toEpochMilli());
            st.setString(2, id.type());
            st.setString(3, id.key());
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void list_printsAnAlignedTableInKeyOrder() {
        assertThat(cli.ok(store, "list", "player").out()).isEqualTo("""
                KEY            VERSION  UPDATED                  AGE  SIZE
                alice                3  2025-01-30T10:00:00Z   1d 2h    50
                bob                  1  2024-12-22T12:00:00Z     40d    24
                carol%20smith        1  2024-12-17T10:30:00Z  45d 1h    32
                3 servers
                """);
    }

    @Test
    void list_pagesWithAfter() {
        CliRunner.Result first = cli.ok(store, "list", "player", "--limit", "2");
        assertThat(first.out()).contains("alice", "bob").doesNotContain("carol")
                .endsWith("2 servers shown; more after this page: --after bob\n");

        CliRunner.Result second = cli.ok(store, "list", "player", "--after", "bob", "--limit=2");
        assertThat(second.out()).contains("carol%20smith").doesNotContain("alice")
                .endsWith("1 server after the given key\n");

        assertThat(cli.ok(store, "list", "nobody").out()).isEqualTo("0 servers\n");
    }

    @Test
    void count_printsTheNumberOfLiveStates() {
        assertThat(cli.ok(store, "count", "player").out()).isEqualTo("3\n");
        assertThat(cli.ok(store, "count", "nobody").out()).isEqualTo("0\n");
    }

    @Test
    void inspect_showsMetadataAndTheStateAsIndentedJson() {
        String out = cli.ok(store, "inspect", "player:alice").out();

        assertThat(out).startsWith("""
                server          player:alice
                status          stored
                version         3
                schema version  2
                updated         2025-01-30T10:00:00.000Z (1d 2h ago)
                size            50 bytes
                history         """);
        // written without history: a store with history support says "none kept", one without says so
        assertThat(out.lines().filter(l -> l.startsWith("history"))).hasSize(1).containsAnyOf("history         none kept", "history         not kept by this store");
        assertThat(out).endsWith("""
                state           json

                {
                  "name": "alice",
                  "score": 3,
                  "items": [
                    "sword",
                    "map"
                  ]
                }
                """);
    }

    @Test
    void inspect_ofBinaryState_printsHex_andOfAPercentEncodedKey_findsIt() {
        assertThat(cli.ok(store, "inspect", "blob:raw").out()).contains("state           hex (json codec)")
                .endsWith("\n0001feff\n");
        assertThat(cli.ok(store, "inspect", "player:carol%20smith").out()).contains("\"name\": \"carol smith\"");
    }

    @Test
    void aRecordedQuarantine_isShown_andReleaseLiftsIt() throws SQLException {
        try (SqliteStorage s = SqliteStorage.open(db)) {
            s.save(new StateWrite(new ServerId("pgs.quarantine", "player:bob"), 0,
                    json("crashed more than 3 times within PT5S; last: boom"), 1));
        }
        String out = cli.ok(store, "inspect", "player:bob").out();
        assertThat(out).contains("status          quarantined")
                .containsPattern("quarantined     \\d{4}-.*: crashed more than 3 times within PT5S; last: boom");

        assertThat(cli.ok(store, "release", "player:bob").out()).startsWith("released player:bob");
        assertThat(cli.ok(store, "inspect", "player:bob").out()).contains("status          stored")
                .doesNotContain("quarantined");
        assertThat(cli.ok(store, "release", "player:bob").out()).isEqualTo("player:bob was not quarantined\n");
    }

    @Test
    void controlCharactersFromData_neverReachTheTerminal() {
        String out = cli.ok(store, "list", "blob").out();

        assertThat(out).doesNotContain("\u001b").contains("esc%1B%5B2Jape");
    }

    @Test
    void inspect_ofAMissingOrDeletedServer_failsWithStatus1() {
        CliRunner.Result missing = cli.run(store, "inspect", "player:zed");
        assertThat(missing.status()).isEqualTo(PgsCli.FAILED);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("pgs: player:zed: no stored state\n");

        CliRunner.Result deleted = cli.run(store, "inspect", "player:dave");
        assertThat(deleted.status()).isEqualTo(PgsCli.FAILED);
        assertThat(deleted.err()).isEqualTo("pgs: player:dave: no stored state (deleted; tombstone version 2)\n");
    }

    @Test
    void delete_writesATombstone_andAStaleVersionIsRefused() {
        CliRunner.Result stale = cli.run(store, "delete", "player:alice", "--version", "2");
        assertThat(stale.status()).isEqualTo(PgsCli.FAILED);
        assertThat(stale.err()).isEqualTo(
                "pgs: player:alice: version conflict: expected 2, stored 3; nothing deleted\n");

        assertThat(cli.ok(store, "delete", "player:alice", "--version", "3").out())
                .isEqualTo("deleted player:alice version 3 (tombstone version 4)\n");
        assertThat(cli.ok(store, "delete", "player:carol%20smith").out())
                .isEqualTo("deleted player:carol%20smith version 1 (tombstone version 2)\n");
        assertThat(cli.ok(store, "count", "player").out()).isEqualTo("1\n");
        assertThat(cli.run(store, "delete", "player:alice").status()).isEqualTo(PgsCli.FAILED);
    }

    @Test
    void expire_dryRunListsWhatWouldGo_thenTheRealRunDeletesOnlyThose() {
        assertThat(cli.ok(store, "expire", "player", "--older-than", "30d", "--dry-run").out()).isEqualTo("""
                would delete 2 of 3 servers of type player not written since 2025-01-01T12:00:00Z (older than 30d):
                KEY            VERSION  UPDATED                  AGE  SIZE
                bob                  1  2024-12-22T12:00:00Z     40d    24
                carol%20smith        1  2024-12-17T10:30:00Z  45d 1h    32
                dry run: nothing was deleted
                """);
        assertThat(cli.ok(store, "count", "player").out()).isEqualTo("3\n");

        assertThat(cli.ok(store, "expire", "player", "--older-than", "P30D").out())
                .startsWith("deleted 2 of 3 servers of type player not written since 2025-01-01T12:00:00Z");
        assertThat(cli.ok(store, "list", "player").out()).contains("alice").doesNotContain("bob", "carol");
        assertThat(cli.ok(store, "expire", "player", "--older-than", "1d12h").out()).isEqualTo(
                "deleted 0 of 1 server of type player not written since 2025-01-30T00:00:00Z (older than 1d 12h)\n");
    }

    @Test
    void help_printsTheUsage() {
        for (String[] args : new String[][] {{"help"}, {"--help"}, {store, "help"}, {store, "list", "--help"}}) {
            CliRunner.Result r = cli.run(args);
            assertThat(r.status()).isZero();
            assertThat(r.out()).startsWith("Usage: pgs STORE COMMAND").contains("expire TYPE --older-than AGE");
        }
    }

    @Test
    void malformedCommandLines_exitWith2() {
        String[][] cases = {
                {},
                {store},
                {store, "frobnicate"},
                {store, "list"},
                {store, "list", "player", "extra"},
                {store, "list", "player", "--limit", "0"},
                {store, "list", "player", "--limit", "many"},
                {store, "list", "player", "--bogus"},
                {store, "list", "player", "--limit"},
                {store, "count", "player", "--after", "x"},
                {store, "inspect", "alice"},
                {store, "inspect", "player:%zz"},
                {store, "expire", "player"},
                {store, "expire", "player", "--older-than", "soon"},
                {store, "expire", "player", "--older-than", "0d"},
                {store, "delete", "player:alice", "--version", "0"},
                {store, "list", "bad type!"},
                {store, "list", "player", "--user", "x"},
                {"mysql://localhost/db", "list", "player"},
        };
        for (String[] args : cases) {
            CliRunner.Result r = cli.run(args);
            assertThat(r.status()).as(String.join(" ", args) + "\n" + r).isEqualTo(PgsCli.USAGE);
            assertThat(r.err()).endsWith("Run 'pgs help' for usage.\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void aMissingSqliteFile_failsWithStatus1_andIsNotCreated() {
        Path missing = dir.resolve("nope.db");

        CliRunner.Result r = cli.run("sqlite:" + missing, "count", "player");

        assertThat(r.status()).isEqualTo(PgsCli.FAILED);
        assertThat(r.err()).isEqualTo("pgs: no such SQLite file: " + missing + "\n");
        assertThat(missing).doesNotExist();
    }

    @Test
    void theStaticEntryPoint_printsToTheGivenStreams() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = PgsCli.run(new String[] {store, "count", "player"}, new PrintStream(out, true),
                new PrintStream(err, true));

        assertThat(status).isZero();
        assertThat(out.toString()).isEqualTo("3\n");
        assertThat(err.toString()).isEmpty();
    }
}
