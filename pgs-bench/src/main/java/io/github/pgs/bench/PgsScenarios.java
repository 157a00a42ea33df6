package io.github.pgs.bench;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.WriteMode;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateCodecProvider;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scenarios S1–S4 of the peer harnesses, run on this library with the {@link Counter} behaviour. Each method
 * runs one scenario and returns its JSON line; see {@code docs/benchmarks/README.md} for the method and
 * {@link BenchMain} for the options.
 *
 * <ul>
 *   <li><b>S1</b> durable throughput: K counters, C closed-loop callers, {@code Increment} on a random key,
 *       W s warm-up, D s measured; then the callers drain, the runtime closes and the harness checks through
 *       the storage SPI that the stored counts add up to the acknowledged increments.</li>
 *   <li><b>S2</b> cold activation: N counters at 1 written through the storage SPI (no server of them ever
 *       active in this JVM), {@code warm-entities} disjoint ones activated first; then one {@code Get} per
 *       counter in random order by C callers. Every reply must be 1.</li>
 *   <li><b>S3</b> memory: A counters activated with one {@code Get} each; heap after four GCs; then every one
 *       petrified and heap measured again.</li>
 *   <li><b>S4</b> in-memory throughput: S1 on the in-memory store ({@code --store=memory}) or on ephemeral
 *       servers without any store ({@code --store=ephemeral}); verified by summing {@code Get} over all K.</li>
 *   <li><b>SAVES</b> the store alone: C writers call {@code Storage.save} back to back on K keys (each writer
 *       owns the keys {@code k % C == writer}, so no save conflicts), W s warm-up, D s measured; then every
 *       key's stored version must equal the last version its writer was acknowledged. {@code --max-batch=1}
 *       turns group commit off; {@code --payload-bytes=N} saves states of N bytes instead of encoded
 *       counters.</li>
 *   <li><b>R1</b> durable reminders: N counters each schedule a one-shot reminder due at one instant; the
 *       runtime closes (every counter petrified); once the instant has passed a new runtime starts, and its
 *       poller wakes every counter to fire its reminder. Measured from the new runtime's start to the last
 *       delivery; verified by the stored counts (each exactly 1) and an empty due index.</li>
 * </ul>
 *
 * Not thread-safe; one scenario at a time.
 */
public final class PgsScenarios {

    private final Options o;
    private final ClosedLoop.Mode mode;
    private final Duration callTimeout;
    private final BenchObservers observers;

    public PgsScenarios(Options o) {
        this.o = o;
        this.mode = ClosedLoop.Mode.parse(o.str("callers", "vthreads"));
        this.callTimeout = Duration.ofMillis(o.integer("timeout-ms", 10_000));
        this.observers = new BenchObservers(BenchObservers.Mode.parse(o.str("observe", "off")));
    }

    // ---------------------------------------------------------------- shared

    Options options() {
        return o;
    }

    ClosedLoop.Mode mode() {
        return mode;
    }

    Duration callTimeout() {
        return callTimeout;
    }

    /** The codec the runtime would pick: the highest-priority provider on the class path. */
    static StateCodec codec() {
        return ServiceLoader.load(StateCodecProvider.class).stream().map(ServiceLoader.Provider::get)
                .max(Comparator.comparingInt(StateCodecProvider::priority))
                .orElseThrow(() -> new IllegalStateException("no StateCodecProvider on the class path"))
                .create();
    }

    WriteMode writeMode() {
        return WriteMode.valueOf(o.str("write-mode", "write-through").toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    TypeOptions typeOptions(Duration idleTimeout) {
        return TypeOptions.builder().callTimeout(callTimeout).writeMode(writeMode()).idleTimeout(idleTimeout).build();
    }

    ServerType<String, Counter.State> counterType(Duration idleTimeout) {
        return ServerType.builder(Counter.class).factory(Counter::new).options(typeOptions(idleTimeout)).build();
    }

    Duration idleTimeout(double defaultSeconds) {
        return Duration.ofMillis((long) (o.decimal("idle-timeout-s", defaultSeconds) * 1000));
    }

    ServerRuntime runtime(Storage storage, StateCodec codec, Duration idleTimeout) {
        ServerRuntime.Builder b = ServerRuntime.builder().name("bench").storage(storage).codec(codec)
                .register(counterType(idleTimeout));
        if (observers.observer() != null) {
            b.observer(observers.observer()); // --observe=metrics|tracing
        }
        return b.build();
    }

    JsonLine base(String scenario, String store) {
        return new JsonLine()
                .put("impl", "pgs")
                .put("scenario", scenario)
                .put("observe", observers.mode().label())
                .put("callers_mode", mode.label())
                .put("store", store)
                .put("pgs", JsonLine.version("pgs.version"))
                .put("jackson", JsonLine.version("jackson.version"))
                .put("jdk", System.getProperty("java.runtime.version"))
                .put("cpus", Runtime.getRuntime().availableProcessors())
                .put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
    }

    static ServerRef[] refs(ServerRuntime runtime, String prefix, int n) {
        ServerRef[] r = new ServerRef[n];
        for (int i = 0; i < n; i++) {
            r[i] = runtime.ref(Counter.class, prefix + i);
        }
        return r;
    }

    // ---------------------------------------------------------------- S1

    /** S1 durable throughput on {@code --store} (default postgres). */
    public JsonLine s1() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String store = Stores.name(o, "postgres");
        JsonLine json = base("S1-durable-throughput", store);
        StateCodec codec = codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            ServerRuntime runtime = runtime(storage, codec, idleTimeout(60));
            ServerRef[] refs = refs(runtime, "", k);
            ClosedLoop.Result r;
            try (WarmupAnalyze analyze = WarmupAnalyze.start(o, store, warm, Stores.PG_TABLE)) {
                r = new ClosedLoop(c, mode, callTimeout.toMillis() + 30_000).timed(
                        i -> refs[ThreadLocalRandom.current().nextInt(k)].call(Counter.INCREMENT),
                        i -> refs[ThreadLocalRandom.current().nextInt(k)].callAsync(Counter.INCREMENT),
                        warm, dur);
                analyze.finish(json);
            }
            var stats = runtime.stats();
            runtime.close();
            long[] sums = Stores.sumCounts(storage, codec);
            observers.report(json);
            return json.put("write_mode", writeMode().name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("writes", stats.writes())
                    .put("db_rows", sums[0]).put("db_sum_count", sums[1])
                    .put("verify", sums[1] == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }

    // ---------------------------------------------------------------- SAVES

    /** SAVES: saves/s of the store itself on {@code --store} (default postgres); see the class comment. */
    public JsonLine saves() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        if (c > k) {
            throw new IllegalArgumentException("--C must be <= --K");
        }
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String store = Stores.name(o, "postgres");
        JsonLine json = base("SAVES", store);
        StateCodec codec = codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            ServerId[] ids = new ServerId[k];
            for (int i = 0; i < k; i++) {
                ids[i] = new ServerId(Counter.TYPE, "k" + i);
            }
            AtomicLongArray versions = new AtomicLongArray(k);
            AtomicInteger writers = new AtomicInteger();
            ThreadLocal<Integer> writer = ThreadLocal.withInitial(writers::getAndIncrement);
            int payloadBytes = o.integer("payload-bytes", 0);
            byte[][] payloads = new byte[64][];
            for (int i = 0; i < payloads.length; i++) {
                payloads[i] = payloadBytes > 0 ? filler(payloadBytes, i)
                        : codec.encode(new Counter.State(i), Counter.State.class);
            }
            int perWriter = k / c;
            if (mode == ClosedLoop.Mode.ASYNC) {
                throw new IllegalArgumentException("SAVES runs blocking writers: --callers=threads or vthreads");
            }
            ClosedLoop.Result r = new ClosedLoop(c, mode, 60_000).timed(i -> {
                int w = writer.get();
                int key = w + c * ThreadLocalRandom.current().nextInt(perWriter);
                long v = versions.get(key);
                versions.set(key, storage.save(new StateWrite(ids[key], v, payloads[(int) (v & 63)], 1)));
            }, null, warm, dur);
            long mismatched = 0;
            for (int from = 0; from < k; from += 1000) {
                List<ServerId> page = List.of(ids).subList(from, Math.min(k, from + 1000));
                Map<ServerId, StoredState> loaded = storage.loadAll(page);
                for (int i = from; i < from + page.size(); i++) {
                    if (loaded.get(ids[i]).version() != versions.get(i)) {
                        mismatched++;
                    }
                }
            }
            return json.put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("payload_bytes", payloads[0].length)
                    .put("saves", r.ok()).put("saves_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("versions_mismatched", mismatched)
                    .put("verify", mismatched == 0 && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }

    /** {@code n} bytes that differ with {@code seed} and do not compress to nothing. */
    private static byte[] filler(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    // ---------------------------------------------------------------- R1

    /** R1 durable reminders fired with N scheduled, on {@code --store} (default sqlite). */
    public JsonLine r1() throws Exception {
        int n = o.integer("N", 100_000);
        int c = o.integer("C", 64);
        int concurrency = o.integer("reminder-concurrency", ServerRuntime.DEFAULT_REMINDER_CONCURRENCY);
        Duration poll = Duration.ofMillis(o.integer("reminder-poll-ms", 1000));
        String store = Stores.name(o, "sqlite");
        JsonLine json = base("R1-reminders", store);
        StateCodec codec = codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            ServerRuntime scheduling = reminderRuntime(storage, codec, poll, concurrency);
            // due shortly after scheduling ends (about 5,000 schedules a second at the least)
            Instant due = Instant.now().plusSeconds(Math.max(5, n / 5_000));
            long t0 = System.nanoTime();
            ClosedLoop.Result sched = new ClosedLoop(c, mode, callTimeout.toMillis()).fixed(
                    i -> scheduling.ref(Counter.class, "r-" + i).call(new Counter.RemindAt(due)),
                    i -> scheduling.ref(Counter.class, "r-" + i).callAsync(new Counter.RemindAt(due)),
                    n);
            double scheduleS = (System.nanoTime() - t0) / 1e9;
            scheduling.close(); // petrifies every counter; their reminders stay in the store
            if (sched.errors() > 0) {
                throw new IllegalStateException(sched.errors() + " scheduling calls failed");
            }
            long wait = due.toEpochMilli() - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            Counter.REMINDERS_DELIVERED.reset();
            long start = System.nanoTime();
            ServerRuntime firing = reminderRuntime(storage, codec, poll, concurrency);
            long deadline = start + Duration.ofSeconds(o.integer("timeout-s", 600)).toNanos();
            while (firing.stats().remindersFired() < n && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long fired = firing.stats().remindersFired();
            firing.close();
            long[] sums = Stores.sumCounts(storage, codec);
            int stillDue = storage.due(Long.MAX_VALUE, null, 1).servers().size();
            return json.put("N", n).put("C", c).put("reminder_concurrency", concurrency)
                    .put("reminder_poll_ms", poll.toMillis())
                    .put("schedule_s", Math.round(scheduleS * 100) / 100.0)
                    .put("scheduled_per_s", Math.round(n / scheduleS))
                    .put("reminders_fired", fired).put("deliveries", Counter.REMINDERS_DELIVERED.sum())
                    .put("seconds", Math.round(seconds * 1000) / 1000.0)
                    .put("reminders_per_s", Math.round(fired / seconds))
                    .put("db_rows", sums[0]).put("db_sum_count", sums[1]).put("still_due", stillDue)
                    .put("verify", fired == n && sums[0] == n && sums[1] == n && stillDue == 0 ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }

    private ServerRuntime reminderRuntime(Storage storage, StateCodec codec, Duration poll, int concurrency) {
        return ServerRuntime.builder().name("bench").storage(storage).codec(codec)
                .reminderPollInterval(poll).reminderConcurrency(concurrency)
                .register(counterType(idleTimeout(60))).build();
    }

    // ---------------------------------------------------------------- S2

    /** S2 cold activation from {@code --store} (default postgres). */
    public JsonLine s2() throws Exception {
        int n = o.integer("N", 100_000);
        int c = o.integer("C", 64);
        int warmN = o.integer("warm-entities", Math.min(20_000, n));
        String store = Stores.name(o, "postgres");
        JsonLine json = base("S2-cold-activation", store);
        StateCodec codec = codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            byte[] one = codec.encode(new Counter.State(1), Counter.State.class);
            long t0 = System.nanoTime();
            seed(storage, "s2-", n, one);
            seed(storage, "w-", warmN, one);
            double seedS = (System.nanoTime() - t0) / 1e9;
            if (store.equals("postgres")) {
                Endpoints.checkpoint(o);
            }
            ServerRuntime runtime = runtime(storage, codec, idleTimeout(60));
            LongAdder wrong = new LongAdder();
            if (warmN > 0) {
                new ClosedLoop(c, mode, callTimeout.toMillis()).fixed(
                        i -> check(runtime.ref(Counter.class, "w-" + i).call(Counter.GET), wrong),
                        i -> runtime.ref(Counter.class, "w-" + i).callAsync(Counter.GET)
                                .thenAccept(v -> check(v, wrong)),
                        warmN);
            }
            long revivedBefore = runtime.stats().revivals();
            int[] perm = BenchSupport.permutation(n);
            LongAdder wrongMeasured = new LongAdder();
            ClosedLoop.Result r = new ClosedLoop(c, mode, callTimeout.toMillis()).fixed(
                    i -> check(runtime.ref(Counter.class, "s2-" + perm[i]).call(Counter.GET), wrongMeasured),
                    i -> runtime.ref(Counter.class, "s2-" + perm[i]).callAsync(Counter.GET)
                            .thenAccept(v -> check(v, wrongMeasured)),
                    n);
            long revived = runtime.stats().revivals() - revivedBefore;
            runtime.close();
            return json.put("N", n).put("C", c).put("warm_entities", warmN)
                    .put("seed_s", Math.round(seedS * 100) / 100.0)
                    .put("activations", r.ok()).put("seconds", Math.round(r.seconds() * 1000) / 1000.0)
                    .put("activations_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.errors()).put("wrong_values", wrongMeasured.sum())
                    .put("warm_wrong_values", wrong.sum()).put("revivals", revived)
                    .put("cpu_busy_pct", r.cpuBusyPct())
                    .put("verify", r.errors() == 0 && wrongMeasured.sum() == 0 && r.ok() == n && revived == n
                            ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }

    private static void check(Long v, LongAdder wrong) {
        if (v == null || v != 1L) {
            wrong.increment();
        }
    }

    /** Writes {@code n} counters at 1 straight through the storage SPI, 256 writes in flight. */
    private static void seed(Storage storage, String prefix, int n, byte[] payload) throws InterruptedException {
        if (n == 0) {
            return;
        }
        ClosedLoop.Result r = new ClosedLoop(256, ClosedLoop.Mode.VTHREADS, 60_000).fixed(
                i -> storage.save(new StateWrite(new ServerId(Counter.TYPE, prefix + i), 0, payload, 1)),
                null, n);
        if (r.errors() > 0) {
            throw new IllegalStateException(r.errors() + " seed writes failed");
        }
    }

    // ---------------------------------------------------------------- S3

    /** S3 memory per active and per petrified server on {@code --store} (default sqlite). */
    public JsonLine s3() throws Exception {
        int n = o.integer("A", 1_000_000);
        int c = o.integer("C", 64);
        String store = Stores.name(o, "sqlite");
        JsonLine json = base("S3-memory", store);
        StateCodec codec = codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            // long enough that nothing petrifies on its own before it is measured (the timer still exists)
            ServerRuntime runtime = runtime(storage, codec, idleTimeout(1800));
            int warmN = Math.min(10_000, n);
            new ClosedLoop(c, mode, callTimeout.toMillis()).fixed(
                    i -> runtime.ref(Counter.class, "w-" + i).call(Counter.GET),
                    i -> runtime.ref(Counter.class, "w-" + i).callAsync(Counter.GET), warmN);
            for (int i = 0; i < warmN; i++) {
                runtime.petrify(new ServerId(Counter.TYPE, "w-" + i));
            }
            awaitActive(runtime, 0, 120);
            long heapBase = BenchSupport.heapAfterGc();
            ClosedLoop.Result r = new ClosedLoop(c, mode, callTimeout.toMillis()).fixed(
                    i -> runtime.ref(Counter.class, Integer.toString(i)).call(Counter.GET),
                    i -> runtime.ref(Counter.class, Integer.toString(i)).callAsync(Counter.GET), n);
            int active = runtime.activeCount();
            long heapActive = BenchSupport.heapAfterGc();
            histogram("active", n);
            long tp0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                runtime.petrify(new ServerId(Counter.TYPE, Integer.toString(i)));
            }
            int left = awaitActive(runtime, 0, 180);
            double petrifyS = (System.nanoTime() - tp0) / 1e9;
            long heapPetrified = BenchSupport.heapAfterGc();
            histogram("petrified", n);
            runtime.close();
            return json.put("A", n).put("C", c)
                    .put("activated", r.ok()).put("activation_errors", r.errors())
                    .put("activations_per_s", Math.round(r.ok() / r.seconds())).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("active_entities_reported", active)
                    .put("heap_base_mb", BenchSupport.mb(heapBase)).put("heap_active_mb", BenchSupport.mb(heapActive))
                    .put("bytes_per_active_entity", Math.round((heapActive - heapBase) / (double) n))
                    .put("passivation_s", Math.round(petrifyS * 100) / 100.0).put("entities_left", left)
                    .put("heap_after_passivation_mb", BenchSupport.mb(heapPetrified))
                    .put("bytes_per_entity_after_passivation", Math.round((heapPetrified - heapBase) / (double) n));
        } finally {
            storage.close();
        }
    }

    /**
     * With {@code --histogram}, prints the heap's class histogram (top {@code --histogram-lines}, default 25) to
     * stderr: where the bytes per server go.
     */
    private void histogram(String when, int servers) {
        if (!o.bool("histogram", false)) {
            return;
        }
        try {
            String h = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {null}, new String[] {String[].class.getName()});
            String[] lines = h.split("\n");
            int show = Math.min(lines.length, o.integer("histogram-lines", 25) + 2);
            System.err.println("class histogram, " + when + " (" + servers + " servers):");
            for (int i = 0; i < show; i++) {
                System.err.println(lines[i]);
            }
        } catch (Exception e) {
            System.err.println("class histogram unavailable: " + e);
        }
    }

    private static int awaitActive(ServerRuntime runtime, int target, int timeoutS) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutS * 1_000_000_000L;
        int now;
        while ((now = runtime.activeCount()) != target && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return now;
    }

    // ---------------------------------------------------------------- S4

    /** S4 in-memory throughput: {@code --store=memory} (default) or {@code --store=ephemeral}. */
    public JsonLine s4() throws Exception {
        int k = o.integer("K", 10_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String store = Stores.name(o, "memory");
        JsonLine json = base("S4-inmemory-throughput", store);
        ServerRuntime runtime;
        Storage storage = null;
        ServerRef[] refs;
        if (store.equals("ephemeral")) {
            ServerRuntime.Builder b = ServerRuntime.builder().name("bench").ephemeral();
            if (observers.observer() != null) {
                b.observer(observers.observer());
            }
            runtime = b.build();
            ServerType<String, Counter.State> type = counterType(TypeOptions.NEVER);
            refs = new ServerRef[k];
            for (int i = 0; i < k; i++) {
                refs[i] = runtime.start(type, Integer.toString(i));
            }
        } else if (store.equals("memory")) {
            StateCodec codec = codec();
            storage = Stores.openEmpty(store, o, json);
            runtime = runtime(storage, codec, idleTimeout(60));
            refs = refs(runtime, "", k);
        } else {
            throw new IllegalArgumentException("S4 runs on --store=memory or --store=ephemeral");
        }
        try {
            ClosedLoop.Result r = new ClosedLoop(c, mode, callTimeout.toMillis() + 30_000).timed(
                    i -> refs[ThreadLocalRandom.current().nextInt(k)].call(Counter.INCREMENT),
                    i -> refs[ThreadLocalRandom.current().nextInt(k)].callAsync(Counter.INCREMENT),
                    warm, dur);
            long sum = 0;
            for (ServerRef ref : refs) {
                sum += ref.call(Counter.GET);
            }
            if (storage != null) {
                json.put("write_mode", writeMode().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            observers.report(json);
            return json.put("K", k).put("C", c).put("warmup_s", warm).put("duration_s", dur)
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("sum_count", sum)
                    .put("verify", sum == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            runtime.close();
            if (storage != null) {
                storage.close();
            }
        }
    }
}
