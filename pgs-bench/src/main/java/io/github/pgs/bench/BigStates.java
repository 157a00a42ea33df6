package io.github.pgs.bench;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;

import java.util.concurrent.ThreadLocalRandom;

/**
 * S6, states that are not counters: S1 with {@link Ledger}s of about {@code --state-bytes} (default 8,192; the
 * reported sizes are 1 KiB, 8 KiB and 64 KiB) on K = {@code --K} keys (default 1,000), C closed-loop callers, each
 * call a {@link Ledger.Touch} of a random entry of a random ledger (one field of the state changes). Reports
 * calls/s, latency, the encoded state size, CPU per call (this JVM's and the whole machine's) and bytes written to
 * storage per call ({@link Costs}). Verified by decoding every stored ledger: the sum of all amounts must equal
 * the acknowledged calls. The store's own limit at the same payload size is {@code S6-limit-sqlite} /
 * {@code S6-limit-postgres} in {@code pgs-bench-peers.jar}.
 */
final class BigStates {

    private final PgsScenarios s;

    BigStates(PgsScenarios s) {
        this.s = s;
    }

    /** The entry count whose encoded initial state is closest to {@code bytes}, and that size. */
    static int[] sized(StateCodec codec, int bytes) {
        int entries = Ledger.entriesFor(bytes);
        int actual = encodedSize(codec, entries);
        entries = Math.max(1, Math.round(entries * (float) bytes / actual));
        return new int[] {entries, encodedSize(codec, entries)};
    }

    private static int encodedSize(StateCodec codec, int entries) {
        return codec.encode(Ledger.initialState(entries, "0"), Ledger.State.class).length;
    }

    JsonLine run() throws Exception {
        Options o = s.options();
        int k = o.integer("K", 1_000);
        int c = o.integer("C", 64);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        int target = o.integer("state-bytes", 8_192);
        String store = Stores.name(o, "postgres");
        JsonLine json = s.base("S6-big-states", store);
        StateCodec codec = PgsScenarios.codec();
        int[] size = sized(codec, target);
        int entries = size[0];
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            ServerType<String, Ledger.State> type = ServerType.builder(Ledger.class).factory(() -> new Ledger(entries))
                    .options(s.typeOptions(s.idleTimeout(60))).build();
            ServerRuntime runtime = ServerRuntime.builder().name("bench").storage(storage).codec(codec)
                    .register(type).build();
            ServerRef[] refs = new ServerRef[k];
            for (int i = 0; i < k; i++) {
                refs[i] = runtime.ref(Ledger.class, Integer.toString(i));
            }
            ClosedLoop.Result r = new ClosedLoop(c, s.mode(), s.callTimeout().toMillis() + 30_000)
                    .measureCosts(store.equals("postgres") ? o : null)
                    .timed(i -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        refs[rnd.nextInt(k)].call(new Ledger.Touch(rnd.nextInt(entries)));
                    }, i -> {
                        ThreadLocalRandom rnd = ThreadLocalRandom.current();
                        return refs[rnd.nextInt(k)].callAsync(new Ledger.Touch(rnd.nextInt(entries)));
                    }, warm, dur);
            var stats = runtime.stats();
            runtime.close();
            long[] sums = new long[2];
            Stores.forEachStored(storage, codec, Ledger.TYPE, Ledger.State.class, (key, st) -> {
                sums[0]++;
                sums[1] += st.total();
            });
            return r.describeCosts(json.put("write_mode", "write-through").put("K", k).put("C", c)
                            .put("warmup_s", warm).put("duration_s", dur)
                            .put("state_bytes_target", target).put("state_bytes", size[1]).put("entries", entries)
                            .put("calls", r.ok()).put("calls_per_s", Math.round(r.ok() / r.seconds()))
                            .latency("", r.histogram())
                            .put("errors", r.totalErrors()).put("cpu_busy_pct", r.cpuBusyPct()))
                    .put("acked_total", r.totalOk()).put("writes", stats.writes())
                    .put("db_rows", sums[0]).put("db_sum_amount", sums[1])
                    .put("verify", sums[1] == r.totalOk() && r.totalErrors() == 0 ? "ok" : "mismatch");
        } finally {
            storage.close();
        }
    }
}
