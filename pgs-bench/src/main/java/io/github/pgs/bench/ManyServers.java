package io.github.pgs.bench;

import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.spi.KeyCursor;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * S7, many stored servers: N = {@code --stored} counters (default 10,000,000) in the store, a bounded active set
 * ({@code --max-active}, default 1,000,000), and calls whose keys follow Zipf's law ({@code --zipf}, default
 * s = 1.1) over all N, so a few keys are very hot and most are cold.
 *
 * <ol>
 *   <li><b>Seed</b> (skipped when the data set already holds a complete seed of N, so repetitions in fresh JVMs
 *       reuse it; {@code --reseed} forces it; {@code --seed-only} stops after it, scenario {@code S7-seed}): N counters at 0 written straight through {@code Storage.save},
 *       256 in flight, into a data set of their own ({@code s7_<N>}: file {@code s7_<N>.db} beside
 *       {@code --sqlite-path}, or table {@code pgs_bench_state_s7_<N>}), then a completion marker.</li>
 *   <li><b>Activation probe</b>: one {@code Get} each on {@code --probe} (default 20,000) distinct keys drawn
 *       uniformly from all N (after 5,000 others to warm up), C callers: activations/s and the latency of a
 *       revival, i.e. what one activation costs at this N.</li>
 *   <li><b>Zipf run</b>: C closed-loop callers, {@code Increment} on the key of a Zipf rank (ranks are spread over
 *       the key space by a fixed bijection), W s warm-up, D s measured: calls/s, latency, revivals/s and
 *       petrifications/s in the window, active servers, heap used after GC beyond the harness's own baseline,
 *       distinct keys called, store size.</li>
 * </ol>
 *
 * Verified per called key, which works on a reused seed too: the replies a key gave are consecutive counts, so
 * its acknowledged increments equal {@code max reply - min reply + 1} and its stored count equals the largest
 * reply; every probe reply is a revival. Any difference fails the run ({@code verify: mismatch}).
 */
final class ManyServers {

    private static final String MARKER_TYPE = "S7Seed";
    private static final int SEED_IN_FLIGHT = 256;

    private final PgsScenarios s;

    ManyServers(PgsScenarios s) {
        this.s = s;
    }

    /**
     * The multiplier that spreads ranks over keys ({@link #keyOf}): coprime to {@code n}, so the mapping is a
     * bijection, and large, so neighbouring ranks land far apart (hot keys are not neighbours in the store).
     */
    static long spread(int n) {
        long a = 2_654_435_761L % n;
        while (a < 1 || gcd(a, n) != 1) {
            a++;
        }
        return a;
    }

    /** The key of Zipf rank {@code rank} ({@code 1..n}): {@code (rank - 1) * a mod n}. */
    static int keyOf(long rank, long a, int n) {
        return (int) Math.floorMod((rank - 1) * a, (long) n);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    JsonLine run() throws Exception {
        Options o = s.options();
        int n = o.integer("stored", 10_000_000);
        int maxActive = o.integer("max-active", 1_000_000);
        double zipfS = o.decimal("zipf", 1.1);
        int probe = Math.min(o.integer("probe", 20_000), n / 2);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        String store = Stores.name(o, "postgres");
        String dataSet = "s7_" + n;
        JsonLine json = s.base("S7-many-servers", store);
        StateCodec codec = PgsScenarios.codec();
        // the harness's own per-key bookkeeping, allocated before the heap baseline
        AtomicIntegerArray acked = new AtomicIntegerArray(n);
        AtomicLongArray minReply = new AtomicLongArray(n);
        AtomicLongArray maxReply = new AtomicLongArray(n);
        Storage storage = Stores.open(store, o, json, dataSet, o.bool("reseed", false));
        try {
            double seedS = seed(storage, codec, n);
            if (seedS < 0) {
                // a seed that was not marked complete: start over from an empty data set
                storage.close();
                storage = Stores.open(store, o, new JsonLine(), dataSet, true);
                seedS = seed(storage, codec, n);
            }
            if (store.equals("postgres")) {
                Endpoints.checkpoint(o);
            }
            long storeBytes = Stores.bytes(store, o, dataSet);
            if (o.bool("seed-only", false)) {
                long rows = countKeys(storage, Counter.TYPE);
                return json.put("scenario", "S7-seed").put("stored", n).put("seeded", seedS > 0)
                        .put("seed_s", seedS > 0 ? BenchSupport.round(seedS, 1) : null)
                        .put("seed_per_s", seedS > 0 ? Math.round(n / seedS) : null)
                        .put("store_bytes", storeBytes)
                        .put("store_bytes_per_server", Math.round(storeBytes / (double) n))
                        .put("db_rows", rows).put("verify", rows == n ? "ok" : "mismatch");
            }
            long heapBase = BenchSupport.heapAfterGc();
            ServerRuntime runtime = ServerRuntime.builder().name("bench").storage(storage).codec(codec)
                    .maxActive(maxActive).register(s.counterType(s.idleTimeout(60))).build();

            // activation probe: distinct uniform keys, warm-up on others
            SplittableRandom pick = new SplittableRandom(o.integer("seed", 42));
            int[] sample = distinct(n, 5_000 + probe, pick);
            new ClosedLoop(c, s.mode(), s.callTimeout().toMillis()).fixed(
                    i -> runtime.ref(Counter.class, Integer.toString(sample[i])).call(Counter.GET),
                    i -> runtime.ref(Counter.class, Integer.toString(sample[i])).callAsync(Counter.GET), 5_000);
            long revivalsBefore = runtime.stats().revivals();
            ClosedLoop.Result pr = new ClosedLoop(c, s.mode(), s.callTimeout().toMillis()).fixed(
                    i -> runtime.ref(Counter.class, Integer.toString(sample[5_000 + i])).call(Counter.GET),
                    i -> runtime.ref(Counter.class, Integer.toString(sample[5_000 + i])).callAsync(Counter.GET),
                    probe);
            long probeRevivals = runtime.stats().revivals() - revivalsBefore;

            // the Zipf run
            Zipf zipf = new Zipf(n, zipfS);
            long a = spread(n);
            ThreadLocal<SplittableRandom> rnd = ThreadLocal.withInitial(pick::split);
            RuntimeStats[] window = new RuntimeStats[2];
            ClosedLoop.Result r = new ClosedLoop(c, s.mode(), s.callTimeout().toMillis() + 30_000).timed(i -> {
                int key = keyOf(zipf.next(rnd.get()), a, n);
                long v = runtime.ref(Counter.class, Integer.toString(key)).call(Counter.INCREMENT);
                record(key, v, acked, minReply, maxReply);
            }, i -> {
                int key = keyOf(zipf.next(rnd.get()), a, n);
                return runtime.ref(Counter.class, Integer.toString(key)).callAsync(Counter.INCREMENT)
                        .thenAccept(v -> record(key, v, acked, minReply, maxReply));
            }, warm, dur, () -> window[0] = runtime.stats(), () -> window[1] = runtime.stats());
            int active = runtime.activeCount();
            long heapActive = BenchSupport.heapAfterGc();
            runtime.close();
            long storeBytesAfter = Stores.bytes(store, o, dataSet);

            long[] check = verify(storage, codec, n, acked, minReply, maxReply);
            long distinct = check[0];
            long mismatched = check[1];
            boolean ok = mismatched == 0 && r.totalErrors() == 0 && pr.errors() == 0 && probeRevivals == probe;
            return json.put("stored", n).put("max_active", maxActive).put("zipf_s", zipfS).put("C", c)
                    .put("warmup_s", warm).put("duration_s", dur)
                    .put("seeded", seedS > 0).put("seed_s", seedS > 0 ? BenchSupport.round(seedS, 1) : null)
                    .put("seed_per_s", seedS > 0 ? Math.round(n / seedS) : null)
                    .put("store_bytes", storeBytes).put("store_bytes_per_server", Math.round(storeBytes / (double) n))
                    .put("store_bytes_after", storeBytesAfter)
                    .put("probe", probe).put("probe_revivals", probeRevivals)
                    .put("activations_probe_per_s", Math.round(pr.ok() / pr.seconds()))
                    .latency("activation_", pr.histogram())
                    .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                    .latency("", r.histogram())
                    .put("revivals_per_s", Math.round((window[1].revivals() - window[0].revivals()) / r.seconds()))
                    .put("petrifications_per_s",
                            Math.round((window[1].petrifications() - window[0].petrifications()) / r.seconds()))
                    .put("active_at_end", active)
                    .put("heap_base_mb", BenchSupport.mb(heapBase)).put("heap_active_mb", BenchSupport.mb(heapActive))
                    .put("heap_per_active_server", active > 0 ? Math.round((heapActive - heapBase) / (double) active)
                            : null)
                    .put("distinct_keys", distinct)
                    .put("errors", r.totalErrors() + pr.errors()).put("cpu_busy_pct", r.cpuBusyPct())
                    .put("acked_total", r.totalOk()).put("keys_mismatched", mismatched)
                    .put("verify", ok ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }

    private static void record(int key, long reply, AtomicIntegerArray acked, AtomicLongArray min,
                               AtomicLongArray max) {
        acked.incrementAndGet(key);
        min.accumulateAndGet(key, reply, (a, b) -> a == 0 ? b : Math.min(a, b));
        max.accumulateAndGet(key, reply, Math::max);
    }

    /**
     * Writes N counters at 0 unless the data set holds a complete seed of N already.
     *
     * @return seconds taken, 0 if the seed was complete, -1 if an incomplete seed is in the way
     */
    private static double seed(Storage storage, StateCodec codec, int n) throws InterruptedException {
        ServerId marker = new ServerId(MARKER_TYPE, "complete");
        byte[] markerPayload = codec.encode(new Counter.State(n), Counter.State.class);
        StoredState done = storage.load(marker);
        if (done != null && done.hasPayload()) {
            Counter.State m = (Counter.State) codec.decode(done.payload(), Counter.State.class, null);
            if (m.count() == n) {
                return 0;
            }
        }
        if (!storage.list(Counter.TYPE, null, 1).keys().isEmpty()) {
            return -1;
        }
        byte[] zero = codec.encode(new Counter.State(0), Counter.State.class);
        long t0 = System.nanoTime();
        ClosedLoop.Result r = new ClosedLoop(SEED_IN_FLIGHT, ClosedLoop.Mode.VTHREADS, 60_000).fixed(
                i -> storage.save(new StateWrite(new ServerId(Counter.TYPE, Integer.toString(i)), 0, zero, 1)),
                null, n);
        if (r.errors() > 0) {
            throw new IllegalStateException(r.errors() + " seed writes failed");
        }
        storage.save(new StateWrite(marker, 0, markerPayload, 1));
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The number of keys of {@code type} in the store, listed through the SPI in pages of 10,000. */
    private static long countKeys(Storage storage, String type) {
        long rows = 0;
        KeyCursor after = null;
        do {
            KeyPage page = storage.list(type, after, 10_000);
            rows += page.keys().size();
            after = page.next();
        } while (after != null);
        return rows;
    }

    /** {@code count} distinct keys of {@code 0..n-1}, uniformly. */
    private static int[] distinct(int n, int count, SplittableRandom rnd) {
        BitSet taken = new BitSet(n);
        int[] keys = new int[count];
        for (int i = 0; i < count; ) {
            int k = rnd.nextInt(n);
            if (!taken.get(k)) {
                taken.set(k);
                keys[i++] = k;
            }
        }
        return keys;
    }

    /**
     * Checks every called key against the store: stored count = largest reply, and acknowledged increments =
     * largest - smallest reply + 1.
     *
     * @return {distinct keys called, keys that do not match}
     */
    private static long[] verify(Storage storage, StateCodec codec, int n, AtomicIntegerArray acked,
                                 AtomicLongArray min, AtomicLongArray max) {
        long distinct = 0;
        long mismatched = 0;
        List<ServerId> page = new ArrayList<>(1000);
        List<Integer> keys = new ArrayList<>(1000);
        for (int key = 0; key <= n; key++) {
            if (key < n && acked.get(key) > 0) {
                page.add(new ServerId(Counter.TYPE, Integer.toString(key)));
                keys.add(key);
                distinct++;
            }
            if (page.size() == 1000 || (key == n && !page.isEmpty())) {
                Map<ServerId, StoredState> loaded = storage.loadAll(page);
                for (int i = 0; i < page.size(); i++) {
                    int k = keys.get(i);
                    StoredState st = loaded.get(page.get(i));
                    long stored = st == null || !st.hasPayload() ? -1
                            : ((Counter.State) codec.decode(st.payload(), Counter.State.class, null)).count();
                    if (stored != max.get(k) || max.get(k) - min.get(k) + 1 != acked.get(k)) {
                        mismatched++;
                    }
                }
                page.clear();
                keys.clear();
            }
        }
        return new long[] {distinct, mismatched};
    }
}
