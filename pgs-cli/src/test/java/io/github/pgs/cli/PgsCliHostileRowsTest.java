package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.postgres.PostgresOptions;
import io.github.pgs.postgres.PostgresRawRows;
import io.github.pgs.postgres.PostgresStorage;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisRawRows;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.redis.RedisTestSupport;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.sqlite.SqliteOptions;
import io.github.pgs.sqlite.SqliteRawRows;
import io.github.pgs.sqlite.SqliteStorage;
import io.github.pgs.testkit.tck.RawRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * With 501 rows whose keys are not valid UTF-8 beside two good servers, {@code pgs count}, {@code pgs list} page by
 * page and {@code pgs expire} end on SQLite, PostgreSQL and Redis, count and list the good servers, and say how
 * many rows they skipped (a lossy cursor used to send every listing round the same page forever).
 */
class PgsCliHostileRowsTest {

    private static final int BAD_ROWS = 501;
    private static final Pattern NEXT = Pattern.compile("more after this page: --after (\\S+)");

    @TempDir
    Path dir;
    private final String type = "hostile-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
    private final CliRunner cli = new CliRunner(Instant.now().plus(Duration.ofDays(2)), Map.of());

    @Test
    void sqlite() throws Exception {
        Path file = dir.resolve("hostile.db");
        try (SqliteStorage store = SqliteStorage.open(file);
             RawRows raw = new SqliteRawRows(file, SqliteOptions.DEFAULT_TABLE_NAME)) {
            plant(store, raw);
        }
        check("sqlite:" + file);
    }

    @Test
    void postgres() throws Exception {
        String url = System.getProperty("pgs.pg.url", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = System.getProperty("pgs.pg.user", "postgres");
        PostgresOptions options = PostgresOptions.builder().table("pgs_cli_hostile").build();
        try (PostgresStorage store = PostgresStorage.open(url, user, null, options);
             RawRows raw = new PostgresRawRows(options)) {
            plant(store, raw);
        }
        try {
            check("postgres:" + url, "--user", user, "--table", "pgs_cli_hostile");
        } finally {
            try (Connection c = DriverManager.getConnection(url, user, null);
                 PreparedStatement st = c.prepareStatement("DELETE FROM public.pgs_cli_hostile WHERE type IN (?, ?)")) {
                st.setString(1, type);
                st.setString(2, type + "-states");
                st.executeUpdate();
            }
        }
    }

    @Test
    void redis() throws Exception {
        String uri = System.getProperty("pgs.redis.uri", "redis://127.0.0.1:6379");
        String namespace = "pgs-cli-hostile-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
        try (RedisStorage store = RedisStorage.open(uri, RedisOptions.builder().namespace(namespace).build());
             RawRows raw = new RedisRawRows(namespace)) {
            plant(store, raw);
        }
        try {
            check(uri, "--namespace", namespace);
        } finally {
            RedisTestSupport.purge(namespace);
        }
    }

    private void plant(Storage store, RawRows raw) throws Exception {
        int depth = 600_000; // rendered, more than the 1 Mi characters inspect prints
        store.save(new StateWrite(new ServerId(type + "-states", "deep"), 0,
                bytes("[".repeat(depth) + "]".repeat(depth)), 1));
        store.save(new StateWrite(new ServerId(type + "-states", "esc"), 0,
                bytes("{\"\u001b[2J\":\"\u0000\u001b]0;title\u0007\r\"}"), 1));
        store.save(new StateWrite(new ServerId(type, "a"), 0, bytes("{\"n\":1}"), 1));
        store.save(new StateWrite(new ServerId(type, "c"), 0, bytes("{\"n\":2}"), 1));
        for (int i = 0; i < BAD_ROWS; i++) {
            raw.write(bytes(type), new byte[] {'b', (byte) 0xFF, (byte) (i >> 8), (byte) i}, bytes("{}"), null, 0);
        }
    }

    private void check(String store, String... options) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            CliRunner.Result count = run(store, options, "count", type);
            assertThat(count.out()).as(count.toString()).isEqualTo("2\n");
            assertThat(count.err()).as(count.toString()).contains("skipped " + BAD_ROWS + " rows of type " + type);

            List<String> listed = new ArrayList<>();
            int skipped = 0;
            String after = null;
            for (int pages = 1; ; pages++) {
                assertThat(pages).as("pages of 50 (the listing must end)").isLessThanOrEqualTo(20);
                CliRunner.Result page = after == null ? run(store, options, "list", type, "--limit", "50")
                        : run(store, options, "list", type, "--limit", "50", "--after", after);
                assertThat(page.err()).as(page.toString()).isEmpty();
                for (String line : page.out().split("\n")) {
                    if (line.startsWith("a ") || line.startsWith("c ")) {
                        listed.add(line.substring(0, 1));
                    } else if (line.startsWith("skipped an unreadable row (key of 4 bytes is not valid UTF-8)")) {
                        skipped++;
                    }
                }
                Matcher next = NEXT.matcher(page.out());
                if (!next.find()) {
                    break;
                }
                assertThat(next.group(1)).as("the cursor moves on").isNotEqualTo(after);
                after = next.group(1);
            }
            assertThat(listed).containsExactly("a", "c");
            assertThat(skipped).isEqualTo(BAD_ROWS);

            CliRunner.Result deep = run(store, options, "inspect", type + "-states:deep");
            assertThat(deep.out().length()).as("inspect of a state nested 600,000 deep is bounded")
                    .isLessThan(1_100_000);
            assertThat(deep.out()).contains("[... truncated:");
            CliRunner.Result esc = run(store, options, "inspect", type + "-states:esc");
            assertThat(esc.out()).as("control characters are shown escaped, never sent to the terminal")
                    .doesNotContain("\u001b").doesNotContain("\u0000").doesNotContain("\u0007");

            CliRunner.Result expire = run(store, options, "expire", type, "--older-than", "1d", "--dry-run");
            assertThat(expire.out()).as(expire.toString()).startsWith("would delete 2 of 2 servers of type " + type)
                    .contains("skipped " + BAD_ROWS + " rows that cannot be read");
        });
    }

    private CliRunner.Result run(String store, String[] options, String... command) {
        List<String> args = new ArrayList<>();
        args.add(store);
        args.addAll(List.of(command));
        args.addAll(List.of(options));
        CliRunner.Result r = cli.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.toString()).isZero();
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
