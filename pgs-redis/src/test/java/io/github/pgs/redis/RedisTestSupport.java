package io.github.pgs.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Redis the tests talk to ({@code redis://127.0.0.1:6379}, or the system property {@code pgs.redis.uri}),
 * and unique namespaces so that runs never see each other's keys. Tests fail, never skip, when Redis is not
 * there.
 */
public final class RedisTestSupport {

    private RedisTestSupport() {
    }

    static String uri() {
        return System.getProperty("pgs.redis.uri", "redis://127.0.0.1:6379");
    }

    /** A store with default options in {@code namespace}. */
    static RedisStorage open(String namespace) {
        return RedisStorage.open(uri(), RedisOptions.builder().namespace(namespace).build());
    }

    /** A namespace no other run uses: {@code t-<label>-<random>}. */
    static String newNamespace(String label) {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "t-" + label + "-" + HexFormat.of().formatHex(random);
    }

    /** Runs {@code action} on a plain connection of its own (for administration and inspection). */
    static <T> T withRaw(java.util.function.Function<RedisCommands<String, String>, T> action) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return action.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }

    /**
     * Removes every key of {@code namespace} (a SCAN restricted to the namespace's prefix; namespaces hold no
     * glob characters). Test clean-up only; the store itself never scans.
     */
    public static void purge(String namespace) {
        withRaw(redis -> {
            ScanCursor cursor = ScanCursor.INITIAL;
            ScanArgs match = ScanArgs.Builder.matches(namespace + ":*").limit(1000);
            do {
                KeyScanCursor<String> page = redis.scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    redis.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return null;
        });
    }
}
