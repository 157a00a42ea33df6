package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.spi.StateWrite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool against the PostgreSQL on loopback (system properties {@code pgs.pg.url}, {@code pgs.pg.user}). Fails,
 * never skips, when PostgreSQL is not there.
 */
class PgsCliPostgresTest {

    private static final Instant NOW = Instant.parse("2025-01-31T12:00:00Z");
    private static final String TABLE = "pgs_cli_test";

    private final String url = System.getProperty("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private final String user = System.getProperty("pgs.pg.user", "postgres");
    private final String type = "cli-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
    private final CliRunner cli = new CliRunner(NOW, Map.of());

    @BeforeEach
    void fill() throws SQLException {
        try (PostgresStorage s = PostgresStorage.open(url, user, null, PostgresOptions.builder().table(TABLE).build())) {
            s.save(new StateWrite(new ServerId(type, "old"), 0, json("{\"level\":1}"), 1));
            s.save(new StateWrite(new ServerId(type, "new"), 0, json("{\"level\":2}"), 1));
            s.save(new StateWrite(new ServerId(type, "new"), 1, json("{\"level\":3,\"tags\":[]}"), 1));
        }
        setUpdatedAt("old", NOW.minus(Duration.ofDays(10)));
        setUpdatedAt("new", NOW.minus(Duration.ofHours(1)));
    }

    @AfterEach
    void dropRows() throws SQLException {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("DELETE FROM public." + TABLE + " WHERE type = ?")) {
            st.setString(1, type);
            st.executeUpdate();
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection(url, p);
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void setUpdatedAt(String key, Instant at) throws SQLException {
        try (Connection c = connect();
             PreparedStatement st = c.prepareStatement("UPDATE public." + TABLE
                     + " SET updated_at = ? WHERE type = ? AND key = convert_to(?, 'UTF8')")) {
            st.setLong(1, at.toEpochMilli());
            st.setString(2, type);
            st.setString(3, key);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
    }

    private String[] pg(String... command) {
        String[] args = new String[command.length + 5];
        args[0] = "postgres:" + url;
        System.arraycopy(command, 0, args, 1, command.length);
        args[command.length + 1] = "--user";
        args[command.length + 2] = user;
        args[command.length + 3] = "--table";
        args[command.length + 4] = TABLE;
        return args;
    }

    @Test
    void listCountInspectExpireAndDelete() {
        assertThat(cli.ok(pg("list", type)).out()).isEqualTo("""
                KEY  VERSION  UPDATED               AGE  SIZE
                new        2  2025-01-31T11:00:00Z   1h    21
                old        1  2025-01-21T12:00:00Z  10d    11
                2 servers
                """);
        assertThat(cli.ok(pg("count", type)).out()).isEqualTo("2\n");
        assertThat(cli.ok(pg("inspect", type + ":new")).out()).contains("version         2", """
                {
                  "level": 3,
                  "tags": []
                }""");

        assertThat(cli.ok(pg("expire", type, "--older-than", "7d", "--dry-run")).out())
                .startsWith("would delete 1 of 2 servers of type " + type)
                .contains("old        1");
        assertThat(cli.ok(pg("expire", type, "--older-than", "7d")).out()).startsWith("deleted 1 of 2 servers");
        assertThat(cli.ok(pg("delete", type + ":new", "--version", "2")).out())
                .isEqualTo("deleted " + type + ":new version 2 (tombstone version 3)\n");
        assertThat(cli.ok(pg("count", type)).out()).isEqualTo("0\n");
    }

    @Test
    void theShortUrlForm_works() {
        String shortForm = url.replace("jdbc:postgresql:", "postgres:");
        assertThat(cli.ok(shortForm, "count", type, "--user", user, "--table", TABLE).out()).isEqualTo("2\n");
    }

    @Test
    void aMissingTable_isAFailure_notCreated() {
        CliRunner.Result r = cli.run("postgres:" + url, "count", type, "--user", user, "--table", "pgs_cli_absent");

        assertThat(r.status()).as(r.toString()).isEqualTo(PgsCli.FAILED);
        assertThat(r.err()).startsWith("pgs: ").contains("pgs_cli_absent");
    }

    @Test
    void passwords_neverAppearInOutput_evenWhenTheConnectionFails() {
        CliRunner withEnv = new CliRunner(NOW, Map.of("PGPASSWORD", "env-s3cret", "MY_PW", "other-s3cret"));
        String unreachable = "postgres:jdbc:postgresql://127.0.0.1:1/test?password=url-s3cret&connectTimeout=2";

        for (CliRunner.Result r : new CliRunner.Result[] {
                withEnv.run(unreachable, "count", type, "--user", "admin"),
                withEnv.run(unreachable, "count", type, "--password-env", "MY_PW"),
                withEnv.run("postgres:jdbc:mysql://x?password=url-s3cret", "count", type),
                withEnv.run("postgres:" + url + "?password=url-s3cret", "count", type, "--user", "nobody-here")}) {
            assertThat(r.status()).as(r.toString()).isIn(PgsCli.FAILED, PgsCli.USAGE);
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("s3cret");
        }
    }
}
