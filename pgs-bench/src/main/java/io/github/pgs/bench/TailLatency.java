package io.github.pgs.bench;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;

import java.util.SplittableRandom;

/**
 * S5, tail latency under open load: S1's counters and workload ({@code Increment} on a uniformly random key of K),
 * but issued by an {@link OpenLoop} at a fixed rate instead of by closed-loop callers, with latency measured from
 * each call's intended send time. Calls go through {@code ServerRef.callAsync} (the issuer never blocks). The rate
 * is absolute ({@code --rate}) or a percentage of the store's own S1 maximum measured in the same session
 * ({@code --rate-pct} with {@code --s1-max}). Before the schedule starts, a closed-loop pass of {@code Get}s
 * activates all K counters ({@code --preactivate=false} leaves them to the warm-up). Verified as S1: every issued
 * call completed, and the stored counts add up to the acknowledged calls (plus at most the failed ones, which may
 * have been applied before they timed out).
 */
final class TailLatency {

    /** Callers of the pre-activation pass ({@code --preactivate}, on by default): S1's 64. */
    static final int PRE_CALLERS = 64;

    private final PgsScenarios s;

    TailLatency(PgsScenarios s) {
        this.s = s;
    }

    JsonLine run() throws Exception {
        Options o = s.options();
        int k = o.integer("K", 10_000);
        double warm = o.decimal("W", 10);
        double dur = o.decimal("D", 20);
        OpenLoop.Plan plan = OpenLoop.Plan.of(o);
        String store = Stores.name(o, "postgres");
        JsonLine json = plan.describe(s.base("S5-open-loop", store).put("callers_mode", "open"));
        StateCodec codec = PgsScenarios.codec();
        Storage storage = Stores.openEmpty(store, o, json);
        try {
            ServerRuntime runtime = s.runtime(storage, codec, s.idleTimeout(60));
            ServerRef[] refs = PgsScenarios.refs(runtime, "", k);
            long preactivated = 0;
            if (o.bool("preactivate", true)) {
                // every counter active before the schedule starts: the schedule measures the steady state
                preactivated = new ClosedLoop(PRE_CALLERS, s.mode(), s.callTimeout().toMillis() + 30_000).fixed(
                        i -> refs[i].call(Counter.GET), i -> refs[i].callAsync(Counter.GET), k).ok();
            }
            json.put("preactivated", preactivated);
            // keys from the run's seed, so that constant and Poisson runs of one seed call the same keys
            SplittableRandom keys = new SplittableRandom(plan.seed());
            OpenLoop.Result r;
            try (WarmupAnalyze analyze = WarmupAnalyze.start(o, store, warm, Stores.PG_TABLE)) {
                r = plan.driver().run(i -> refs[keys.nextInt(k)].callAsync(Counter.INCREMENT), warm, dur,
                        s.callTimeout().toMillis() + 30_000);
                analyze.finish(json);
            }
            runtime.close();
            long[] sums = Stores.sumCounts(storage, codec);
            boolean complete = r.drained() && r.totalOk() + r.totalErrors() == r.totalIssued();
            return OpenLoop.describe(json.put("K", k).put("warmup_s", warm).put("duration_s", dur), r, plan.rate(), dur)
                    .put("db_rows", sums[0]).put("db_sum_count", sums[1])
                    .put("verify", OpenLoop.verify(complete, r.totalOk(), r.totalErrors(), sums[1]));
        } finally {
            storage.close();
        }
    }
}
