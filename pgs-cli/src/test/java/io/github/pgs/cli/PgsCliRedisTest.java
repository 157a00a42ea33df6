package io.github.pgs.cli;

import io.github.pgs.ServerId;
import io.github.pgs.redis.RedisOptions;
import io.github.pgs.redis.RedisStorage;
import io.github.pgs.spi.StateWrite;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool against the Redis on loopback (system property {@code pgs.redis.uri}), in a namespace of its own.
 * Fails, never skips, when Redis is not there.
 */
class PgsCliRedisTest {

    private final String uri = System.getProperty("pgs.redis.uri", "redis://127.0.0.1:6379/0");
    private final String namespace = "pgs-cli-" + Long.toString(System.nanoTime() & 0xFFFFFFFFFFL, 36);
    /** Redis stamps writes with its own clock, so "now" is the real time here. */
    private final CliRunner cli = new CliRunner(Instant.now().plusSeconds(3_630), Map.of());

    @BeforeEach
    void fill() {
        try (RedisStorage s = RedisStorage.open(uri, RedisOptions.builder().namespace(namespace).build())) {
            s.save(new StateWrite(new ServerId("room", "lobby"), 0, "{\"open\":true}".getBytes(StandardCharsets.UTF_8), 1));
            s.save(new StateWrite(new ServerId("room", "vault"), 0, "{\"open\":false}".getBytes(StandardCharsets.UTF_8), 1));
        }
    }

    /** Removes the namespace's keys (a SCAN limited to its prefix; test clean-up only). */
    @AfterEach
    void purge() {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(namespace + ":*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    c.sync().unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }

    @Test
    void listInspectExpireAndDelete() {
        assertThat(cli.ok(uri, "list", "room", "--namespace", namespace).out())
                .matches("(?s)KEY +VERSION +UPDATED +AGE +SIZE\nlobby +1 +\\S+ +1h +13\nvault +1 +\\S+ +1h +14\n2 servers\n");
        assertThat(cli.ok("redis:" + uri, "inspect", "room:vault", "--namespace", namespace).out())
                .contains("\"open\": false");
        assertThat(cli.ok(uri, "expire", "room", "--older-than", "30m", "--dry-run", "--namespace", namespace).out())
                .startsWith("would delete 2 of 2 servers of type room");
        assertThat(cli.ok(uri, "expire", "room", "--older-than", "2h", "--namespace", namespace).out())
                .startsWith("deleted 0 of 2 servers of type room");
        assertThat(cli.ok(uri, "delete", "room:lobby", "--namespace", namespace).out())
                .isEqualTo("deleted room:lobby version 1 (tombstone version 2)\n");
        assertThat(cli.ok(uri, "count", "room", "--namespace", namespace).out()).isEqualTo("1\n");
        cli.ok(uri, "delete", "room:vault", "--namespace", namespace);
    }

    @Test
    void passwords_neverAppearInOutput() {
        CliRunner withEnv = new CliRunner(Instant.now(), Map.of("REDISCLI_AUTH", "env-s3cret"));

        for (CliRunner.Result r : new CliRunner.Result[] {
                withEnv.run("redis://:uri-s3cret@127.0.0.1:1/0", "count", "room"),
                withEnv.run("redis://127.0.0.1:1/0", "count", "room"),
                withEnv.run("redis://user:uri-s3cret@127.0.0.1:1/0", "count", "room", "--password-env", "REDISCLI_AUTH")}) {
            assertThat(r.status()).as(r.toString()).isIn(PgsCli.FAILED, PgsCli.USAGE);
            assertThat(r.out() + r.err()).as(r.toString()).doesNotContain("s3cret");
        }
        // the local server has no password: Redis accepts the client's AUTH attempt, and nothing shows it either
        CliRunner.Result accepted = withEnv.run(uri, "count", "room", "--namespace", namespace);
        assertThat(accepted.out() + accepted.err()).doesNotContain("s3cret");
    }
}
