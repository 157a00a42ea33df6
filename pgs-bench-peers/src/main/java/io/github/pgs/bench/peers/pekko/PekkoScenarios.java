package io.github.pgs.bench.peers.pekko;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.github.pgs.bench.BenchSupport;
import io.github.pgs.bench.ClosedLoop;
import io.github.pgs.bench.JsonLine;
import io.github.pgs.bench.OpenLoop;
import io.github.pgs.bench.Options;
import io.github.pgs.bench.WarmupAnalyze;
import io.github.pgs.bench.Endpoints;
import io.github.pgs.bench.peers.pekko.Protocol.Command;
import io.github.pgs.bench.peers.pekko.Protocol.Get;
import io.github.pgs.bench.peers.pekko.Protocol.Increment;
import io.github.pgs.bench.peers.pekko.Protocol.PassivateMe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * The scenarios on Apache Pekko: typed actors behind Cluster Sharding on a single-node cluster (127.0.0.1, a
 * free port), the durable counter a {@code DurableStateBehavior} on pekko-persistence-jdbc (PostgreSQL). Same
 * scenarios, options and JSON fields as ours ({@code docs/benchmarks/README.md}); {@code "impl":"pekko"}.
 *
 * <ul>
 *   <li><b>S1</b>: K durable counters, C closed-loop callers, {@code Increment} on a random key; then the sum of
 *       the counts in {@code durable_state} must equal the acknowledged increments.</li>
 *   <li><b>S2</b>: N counters at 1 inserted into {@code durable_state} in the plugin's row format, warm-up on
 *       disjoint ones, then one {@code Get} each in random order; every reply must be 1.</li>
 *   <li><b>S3</b>: A entities activated ({@code --s3-kind=plain}: plain actor; {@code durable-mem}:
 *       {@code DurableStateBehavior} on the in-memory store), heap after GC, then all passivated and heap
 *       again.</li>
 *   <li><b>S4</b>: S1 on the in-memory counter, behind sharding ({@code --s4-mode=sharded}) or asked through
 *       plain actor refs ({@code direct}); verified by summing {@code Get}.</li>
 * </ul>
 *
 * Callers are asynchronous by default ({@code --callers=async}: each reply issues the next ask), as in the
 * peers' reports. Not thread-safe; one scenario at a time.
 */
public final class PekkoScenarios {

    private final Options o;
    private final ClosedLoop.Mode mode;
    private final Duration askTimeout;
    private final String dbUrl;
    private final String dbUser;
    private final String dbPassword;
    private final DurableStateTable table;

    public PekkoScenarios(Options o) {
        this.o = o;
        this.mode = ClosedLoop.Mode.parse(o.str("callers", "async"));
        this.askTimeout = Duration.ofMillis(o.integer("timeout-ms", 10_000));
        this.dbUrl = o.str("db-url", Endpoints.DEFAULT_DB_URL);
        this.dbUser = o.str("db-user", Endpoints.DEFAULT_DB_USER);
        this.dbPassword = o.str("db-password", "");
        this.table = new DurableStateTable(dbUrl, dbUser, dbPassword);
    }

    // ---------------------------------------------------------------- actor system

    /** A single-node cluster, up, with pekko-persistence-jdbc's pool of {@code pool} connections. */
    ActorSystem<Void> startSystem(int pool) throws InterruptedException {
        Config overrides = ConfigFactory.empty()
                .withValue("jdbc-durable-state-store.slick.db.url", value(dbUrl))
                .withValue("jdbc-durable-state-store.slick.db.user", value(dbUser))
                .withValue("jdbc-durable-state-store.slick.db.password", value(dbPassword))
                .withValue("jdbc-durable-state-store.slick.db.numThreads", value(pool))
                .withValue("jdbc-durable-state-store.slick.db.maxConnections", value(pool))
                .withValue("jdbc-durable-state-store.slick.db.minConnections", value(pool))
                .withValue("pekko.persistence.max-concurrent-recoveries", value(o.integer("max-recoveries", 50)));
        Config config = overrides.withFallback(ConfigFactory.load("pekko-peer"));
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (cluster.selfMember().status() != MemberStatus.up()) {
            if (System.nanoTime() > deadline) {
                system.terminate();
                throw new IllegalStateException("the single-node cluster did not come up within 30 s");
            }
            Thread.sleep(50);
        }
        return system;
    }

    private static ConfigValue value(Object v) {
        return ConfigValueFactory.fromAnyRef(v);
    }

    static void stopSystem(ActorSystem<Void> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("WARN: actor system did not terminate within 20 s: " + e);
        }
    }

    JsonLine base(String scenario, ActorSystem<Void> system) {
        return new JsonLine()
                .put("impl", "pekko")
                .put("scenario", scenario)
                .put("callers_mode", mode.label())
                .put("pekko", system.settings().config().getString("pekko.version"))
                .put("pekko_persistence_jdbc", JsonLine.version("pekko-persistence-jdbc.version"))
                .put("pgjdbc", JsonLine.version("pgjdbc.version"))
                .put("jdk", System.getProperty("java.runtime.version"))
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    }

    static void initDurable(ClusterSharding sharding, EntityTypeKey<Command> type, String plugin) {
        sharding.init(Entity.of(type, ctx ->
                Behaviors.<Command>setup(actx -> new DurableCounter(ctx, plugin, actx.getSelf()))));
    }

    private static void initMem(ClusterSharding sharding) {
        sharding.init(Entity.of(MemCounter.TYPE, ctx -> MemCounter.create(ctx.getShard())));
    }

    @SuppressWarnings("unchecked")
    static EntityRef<Command>[] refs(ClusterSharding sharding, EntityTypeKey<Command> type, String prefix, int k) {
        EntityRef<Command>[] r = new EntityRef[k];
        for (int i = 0; i < k; i++) {
            r[i] = sharding.entityRefFor(type, prefix + i);
        }
        return r;
    }

    /** The ask for index {@code i} as a blocking op (waits at most the ask timeout) and as an async one. */
    private ClosedLoop.BlockingOp blocking(IntFunction<CompletableFuture<Long>> ask) {
        return i -> ask.apply(i).get(askTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ClosedLoop.AsyncOp async(IntFunction<CompletableFuture<Long>> ask) {
        return ask::apply;
    }

    Duration askTimeout() {
        return askTimeout;
    }

    DurableStateTable table() {
        return table;
    }

    /** Creates and empties {@code durable_state}, checkpoints, and starts the actor system. */
    private ActorSystem<Void> emptyTableAndStart(int pool) throws Exception {
        table.ensureSchema();
        table.truncate();
        table.checkpoint();
        return startSystem(pool);
    }

    /** Refs to K durable counters {@code Counter|0..K-1} behind sharding. */
    private static EntityRef<Command>[] durableCounters(ActorSystem<Void> system, int k) {
        ClusterSharding sharding = ClusterSharding.get(system);
        initDurable(sharding, DurableCounter.JDBC_TYPE, DurableCounter.JDBC_PLUGIN);
        return refs(sharding, DurableCounter.JDBC_TYPE, "", k);
    }

    // ---------------------------------------------------------------- S1

    /** S1 durable throughput. */
    public JsonLine s1() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        int pool = o.integer("pool", c);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        ActorSystem<Void> system = emptyTableAndStart(pool);
        try {
            EntityRef<Command>[] r = durableCounters(system, k);
            IntFunction<CompletableFuture<Long>> ask = i -> r[ThreadLocalRandom.current().nextInt(k)]
                    .<Long>ask(Increment::new, askTimeout).toCompletableFuture();
            WarmupAnalyze analyze = WarmupAnalyze.start(o, "postgres", warm, DurableStateTable.NAME);
            ClosedLoop.Result res;
            try (analyze) {
                res = new ClosedLoop(c, mode, askTimeout.toMillis() + 30_000)
                        .timed(blocking(ask), async(ask), warm, dur);
            }
            long[] sums = table.sums(DurableCounter.JDBC_TYPE.name());
            return analyze.finish(base("S1-durable-throughput", system))
                    .put("K", k).put("C", c).put("pool", pool).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", res.ok()).put("calls_per_s", Math.round(res.ok() / res.seconds()))
                    .latency("", res.histogram())
                    .put("errors", res.totalErrors()).put("cpu_busy_pct", res.cpuBusyPct())
                    .put("acked_total", res.totalOk())
                    .put("db_rows", sums[0]).put("db_sum_count", sums[1]).put("db_sum_revision", sums[2])
                    .put("verify", sums[1] == res.totalOk() && res.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            stopSystem(system);
        }
    }

    // ---------------------------------------------------------------- S5

    /**
     * S5 tail latency under open load: S1's durable counters, asked by an {@link OpenLoop} at a fixed rate
     * ({@code --rate}, or {@code --rate-pct} of {@code --s1-max}: Pekko's own S1 maximum), latency from each ask's
     * intended send time; before the schedule, a closed-loop pass of {@code Get}s recovers all K counters
     * ({@code --preactivate=false}: left to the warm-up). Verified by the sums in {@code durable_state}.
     */
    public JsonLine s5() throws Exception {
        int k = o.integer("K", 10_000);
        int pool = o.integer("pool", o.integer("C", 64));
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        OpenLoop.Plan plan = OpenLoop.Plan.of(o);
        ActorSystem<Void> system = emptyTableAndStart(pool);
        try {
            EntityRef<Command>[] r = durableCounters(system, k);
            long preactivated = 0;
            if (o.bool("preactivate", true)) {
                // every counter recovered before the schedule starts: the schedule measures the steady state
                IntFunction<CompletableFuture<Long>> get =
                        i -> r[i].<Long>ask(Get::new, askTimeout).toCompletableFuture();
                // asks sent while the one-node cluster is still forming can time out: another pass covers them
                for (int pass = 0; pass < 3 && preactivated < k; pass++) {
                    preactivated = new ClosedLoop(pool, mode, askTimeout.toMillis() + 30_000)
                            .fixed(blocking(get), async(get), k).ok();
                }
            }
            SplittableRandom keys = new SplittableRandom(plan.seed());
            WarmupAnalyze analyze = WarmupAnalyze.start(o, "postgres", warm, DurableStateTable.NAME);
            OpenLoop.Result res;
            try (analyze) {
                res = plan.driver().run(
                        i -> r[keys.nextInt(k)].<Long>ask(Increment::new, askTimeout).toCompletableFuture(),
                        warm, dur, askTimeout.toMillis() + 30_000);
            }
            long[] sums = table.sums(DurableCounter.JDBC_TYPE.name());
            boolean complete = res.drained() && res.totalOk() + res.totalErrors() == res.totalIssued();
            JsonLine json = plan.describe(analyze.finish(base("S5-open-loop", system)).put("callers_mode", "open"))
                    .put("K", k).put("pool", pool).put("warmup_s", warm).put("duration_s", dur)
                    .put("preactivated", preactivated);
            return OpenLoop.describe(json, res, plan.rate(), dur)
                    .put("db_rows", sums[0]).put("db_sum_count", sums[1]).put("db_sum_revision", sums[2])
                    .put("verify", OpenLoop.verify(complete, res.totalOk(), res.totalErrors(), sums[1]));
        } finally {
            stopSystem(system);
        }
    }

    // ---------------------------------------------------------------- S2

    /** S2 cold activation from PostgreSQL. */
    public JsonLine s2() throws Exception {
        int n = o.integer("N", 100_000);
        int c = o.integer("C", 64);
        int pool = o.integer("pool", c);
        int warmN = o.integer("warm-entities", Math.min(20_000, n));
        table.ensureSchema();
        table.truncate();
        table.seed(DurableCounter.JDBC_TYPE.name(), "s2-", n);
        if (warmN > 0) {
            table.seed(DurableCounter.JDBC_TYPE.name(), "w-", warmN);
        }
        table.checkpoint();
        ActorSystem<Void> system = startSystem(pool);
        try {
            ClusterSharding sharding = ClusterSharding.get(system);
            initDurable(sharding, DurableCounter.JDBC_TYPE, DurableCounter.JDBC_PLUGIN);
            LongAdder wrongWarm = new LongAdder();
            if (warmN > 0) {
                IntFunction<CompletableFuture<Long>> warmAsk = i -> get(sharding, "w-" + i, wrongWarm);
                new ClosedLoop(c, mode, askTimeout.toMillis()).fixed(blocking(warmAsk), async(warmAsk), warmN);
            }
            int[] perm = BenchSupport.permutation(n);
            LongAdder wrong = new LongAdder();
            IntFunction<CompletableFuture<Long>> ask = i -> get(sharding, "s2-" + perm[i], wrong);
            ClosedLoop.Result res = new ClosedLoop(c, mode, askTimeout.toMillis()).fixed(blocking(ask), async(ask), n);
            return base("S2-cold-activation", system)
                    .put("N", n).put("C", c).put("pool", pool).put("warm_entities", warmN)
                    .put("max_concurrent_recoveries", o.integer("max-recoveries", 50))
                    .put("activations", res.ok()).put("seconds", BenchSupport.round(res.seconds(), 3))
                    .put("activations_per_s", Math.round(res.ok() / res.seconds()))
                    .latency("", res.histogram())
                    .put("errors", res.errors()).put("wrong_values", wrong.sum())
                    .put("warm_wrong_values", wrongWarm.sum()).put("cpu_busy_pct", res.cpuBusyPct())
                    .put("verify", res.errors() == 0 && wrong.sum() == 0 && res.ok() == n ? "ok" : "mismatch");
        } finally {
            stopSystem(system);
        }
    }

    private CompletableFuture<Long> get(ClusterSharding sharding, String id, LongAdder wrong) {
        return sharding.entityRefFor(DurableCounter.JDBC_TYPE, id).<Long>ask(Get::new, askTimeout)
                .toCompletableFuture().thenApply(v -> {
                    if (v != 1L) {
                        wrong.increment();
                    }
                    return v;
                });
    }

    // ---------------------------------------------------------------- S3

    /** S3 heap per active and per passivated entity. */
    public JsonLine s3() throws Exception {
        int n = o.integer("A", 1_000_000);
        int c = o.integer("C", 64);
        String kind = o.str("s3-kind", "plain");
        ActorSystem<Void> system = startSystem(4);
        try {
            ClusterSharding sharding = ClusterSharding.get(system);
            EntityTypeKey<Command> type = switch (kind) {
                case "plain" -> {
                    initMem(sharding);
                    yield MemCounter.TYPE;
                }
                case "durable-mem" -> {
                    initDurable(sharding, DurableCounter.MEM_TYPE, DurableCounter.MEM_PLUGIN);
                    yield DurableCounter.MEM_TYPE;
                }
                default -> throw new IllegalArgumentException("--s3-kind must be plain or durable-mem: " + kind);
            };
            // warm the code paths on a disjoint key set, then passivate it so that it does not count
            int warmN = Math.min(10_000, n);
            IntFunction<CompletableFuture<Long>> warmAsk = i -> sharding.entityRefFor(type, "w-" + i)
                    .<Long>ask(Get::new, askTimeout).toCompletableFuture();
            new ClosedLoop(c, mode, askTimeout.toMillis()).fixed(blocking(warmAsk), async(warmAsk), warmN);
            for (int i = 0; i < warmN; i++) {
                sharding.entityRefFor(type, "w-" + i).tell(PassivateMe.INSTANCE);
            }
            awaitEntities(system, sharding, type, 0, 120);
            long heapBase = BenchSupport.heapAfterGc();
            IntFunction<CompletableFuture<Long>> ask = i -> sharding.entityRefFor(type, Integer.toString(i))
                    .<Long>ask(Get::new, askTimeout).toCompletableFuture();
            ClosedLoop.Result res = new ClosedLoop(c, mode, askTimeout.toMillis()).fixed(blocking(ask), async(ask), n);
            long active = entityCount(system, sharding, type);
            long heapActive = BenchSupport.heapAfterGc();
            long tp0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sharding.entityRefFor(type, Integer.toString(i)).tell(PassivateMe.INSTANCE);
            }
            long left = awaitEntities(system, sharding, type, 0, 180);
            double passivateS = (System.nanoTime() - tp0) / 1e9;
            long heapPassivated = BenchSupport.heapAfterGc();
            return base("S3-memory", system)
                    .put("kind", kind).put("A", n).put("C", c)
                    .put("activated", res.ok()).put("activation_errors", res.errors())
                    .put("activations_per_s", Math.round(res.ok() / res.seconds()))
                    .put("cpu_busy_pct", res.cpuBusyPct())
                    .put("active_entities_reported", active)
                    .put("heap_base_mb", BenchSupport.mb(heapBase)).put("heap_active_mb", BenchSupport.mb(heapActive))
                    .put("bytes_per_active_entity", Math.round((heapActive - heapBase) / (double) n))
                    .put("passivation_s", BenchSupport.round(passivateS, 2)).put("entities_left", left)
                    .put("heap_after_passivation_mb", BenchSupport.mb(heapPassivated))
                    .put("bytes_per_entity_after_passivation", Math.round((heapPassivated - heapBase) / (double) n));
        } finally {
            stopSystem(system);
        }
    }

    private static long entityCount(ActorSystem<Void> system, ClusterSharding sharding, EntityTypeKey<Command> type)
            throws Exception {
        ShardRegion.ClusterShardingStats stats = AskPattern
                .<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(sharding.shardState(),
                        replyTo -> new GetClusterShardingStats(type, Duration.ofSeconds(20), replyTo),
                        Duration.ofSeconds(30), system.scheduler())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        long total = 0;
        for (ShardRegion.ShardRegionStats region : stats.getRegions().values()) {
            for (Object entities : region.getStats().values()) {
                total += ((Number) entities).longValue();
            }
        }
        return total;
    }

    private static long awaitEntities(ActorSystem<Void> system, ClusterSharding sharding, EntityTypeKey<Command> type,
                                      long target, int timeoutS) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutS);
        long n;
        while ((n = entityCount(system, sharding, type)) != target && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        return n;
    }

    // ---------------------------------------------------------------- S4

    /** S4 in-memory ask throughput, sharded or direct. */
    public JsonLine s4() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String s4mode = o.str("s4-mode", "sharded").toLowerCase(Locale.ROOT);
        ActorSystem<Void> system = startSystem(4);
        try {
            IntFunction<CompletableFuture<Long>> increment;
            IntFunction<CompletableFuture<Long>> get;
            switch (s4mode) {
                case "sharded" -> {
                    ClusterSharding sharding = ClusterSharding.get(system);
                    initMem(sharding);
                    EntityRef<Command>[] r = refs(sharding, MemCounter.TYPE, "", k);
                    increment = i -> r[ThreadLocalRandom.current().nextInt(k)]
                            .<Long>ask(Increment::new, askTimeout).toCompletableFuture();
                    get = i -> r[i].<Long>ask(Get::new, askTimeout).toCompletableFuture();
                }
                case "direct" -> {
                    @SuppressWarnings("unchecked")
                    ActorRef<Command>[] r = new ActorRef[k];
                    for (int i = 0; i < k; i++) {
                        r[i] = system.systemActorOf(MemCounter.create(null), "c-" + i, Props.empty());
                    }
                    increment = i -> AskPattern.<Command, Long>ask(r[ThreadLocalRandom.current().nextInt(k)],
                            Increment::new, askTimeout, system.scheduler()).toCompletableFuture();
                    get = i -> AskPattern.<Command, Long>ask(r[i], Get::new, askTimeout, system.scheduler())
                            .toCompletableFuture();
                }
                default -> throw new IllegalArgumentException("--s4-mode must be sharded or direct: " + s4mode);
            }
            ClosedLoop.Result res = new ClosedLoop(c, mode, askTimeout.toMillis() + 30_000)
                    .timed(blocking(increment), async(increment), warm, dur);
            long sum = 0;
            for (int i = 0; i < k; i++) {
                sum += get.apply(i).get(10, TimeUnit.SECONDS);
            }
            return base("S4-inmemory-throughput", system)
                    .put("s4_mode", s4mode).put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", res.ok()).put("calls_per_s", Math.round(res.ok() / res.seconds()))
                    .latency("", res.histogram())
                    .put("errors", res.totalErrors()).put("cpu_busy_pct", res.cpuBusyPct())
                    .put("acked_total", res.totalOk()).put("sum_count", sum)
                    .put("verify", sum == res.totalOk() && res.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            stopSystem(system);
        }
    }
}
