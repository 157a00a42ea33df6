package io.github.pgs.bench.peers.limits;

import io.github.pgs.bench.ClosedLoop;
import io.github.pgs.bench.Endpoints;
import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.Options;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What Redis itself does on the S1 counter workload: C callers on one shared Lettuce connection (so up to C
 * commands are pipelined on it), each call one {@code INCR} ({@code --redis-op=incr}, default) or one
 * {@code EVALSHA} of a trivial script doing {@code HINCRBY} on a hash ({@code --redis-op=evalsha}, the shape of
 * one store write). Keys {@code pgsbench-limit:Counter|<n>}, deleted before and after. Reports calls/s and
 * latency; verified by the sum of counts. {@code "impl":"redis-limit"}.
 */
public final class RedisLimit {

    private static final String PREFIX = "pgsbench-limit:Counter|";
    private static final String SCRIPT = "return redis.call('HINCRBY', KEYS[1], 'count', 1)";

    private final Options o;

    public RedisLimit(Options o) {
        this.o = o;
    }

    /** S1-limit-redis. */
    public JsonLine run() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String op = o.str("redis-op", "incr").toLowerCase(Locale.ROOT);
        ClosedLoop.Mode mode = ClosedLoop.Mode.parse(o.str("callers", "threads"));
        String uri = o.str("redis-uri", Endpoints.DEFAULT_REDIS_URI);
        Endpoints.deleteRedisKeys(uri, "pgsbench-limit:*");
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> sync = conn.sync();
            RedisAsyncCommands<String, String> async = conn.async();
            ClosedLoop.BlockingOp blocking;
            ClosedLoop.AsyncOp nonBlocking;
            switch (op) {
                case "incr" -> {
                    blocking = i -> sync.incr(PREFIX + ThreadLocalRandom.current().nextInt(k));
                    nonBlocking = i -> async.incr(PREFIX + ThreadLocalRandom.current().nextInt(k))
                            .toCompletableFuture();
                }
                case "evalsha" -> {
                    String sha = sync.scriptLoad(SCRIPT);
                    blocking = i -> sync.evalsha(sha, ScriptOutputType.INTEGER,
                            PREFIX + ThreadLocalRandom.current().nextInt(k));
                    nonBlocking = i -> async.<Long>evalsha(sha, ScriptOutputType.INTEGER,
                            PREFIX + ThreadLocalRandom.current().nextInt(k)).toCompletableFuture();
                }
                default -> throw new IllegalArgumentException("--redis-op must be incr or evalsha: " + op);
            }
            ClosedLoop.Result r = new ClosedLoop(c, mode, 60_000).timed(blocking, nonBlocking, warm, dur);
            long rows = 0;
            long sum = 0;
            for (int i = 0; i < k; i++) {
                String v = op.equals("incr") ? sync.get(PREFIX + i) : sync.hget(PREFIX + i, "count");
                if (v != null) {
                    rows++;
                    sum += Long.parseLong(v);
                }
            }
            Endpoints.deleteRedisKeys(uri, "pgsbench-limit:*");
            return new JsonLine()
                    .put("impl", "redis-limit").put("scenario", "S1-limit-redis")
                    .put("callers_mode", mode.label())
                    .put("jdk", System.getProperty("java.runtime.version"))
                    .put("cpus", Runtime.getRuntime().availableProcessors())
                    .put("lettuce", JsonLine.version("lettuce.version"))
                    .put("redis_op", op)
                    .put("redis_appendonly", Endpoints.redisConfig(uri, "appendonly"))
                    .put("redis_appendfsync", Endpoints.redisConfig(uri, "appendfsync"))
                    .put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("db_rows", rows).put("db_sum_count", sum)
                    .put("verify", sum == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            client.shutdown();
        }
    }
}
