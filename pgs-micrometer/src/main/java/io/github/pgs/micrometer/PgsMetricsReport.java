package io.github.pgs.micrometer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.github.pgs.micrometer.PgsInstruments.*;

/**
 * A short text table of what a registry holds for PersistentGenServer runtimes: calls with their p50 / p99,
 * activations, petrifications, store operations and group-commit batch sizes. Latencies are those of successful
 * calls of one type and message (and of successful store operations when only one type has any). For demos and command-line tools
 * that want to show the instruments working without a metrics server.
 *
 * <p>Percentiles appear when the registry publishes them ({@link PgsMeterFilters#percentiles}); otherwise the
 * table shows the mean and the maximum. Reads the registry at the moment of the call; thread-safe.
 */
public final class PgsMetricsReport {

    private PgsMetricsReport() {
    }

    /** The table, one line per row, ending with a line break. */
    public static String table(MeterRegistry registry) {
        StringBuilder out = new StringBuilder();
        out.append("metrics (pgs-micrometer)\n");
        Map<String, long[]> calls = new TreeMap<>();
        for (Timer t : registry.find(CALL).timers()) {
            String key = t.getId().getTag(TYPE) + " " + t.getId().getTag(MESSAGE);
            long[] c = calls.computeIfAbsent(key, k -> new long[3]);
            c[0] += t.count();
            String outcome = t.getId().getTag(OUTCOME);
            if ("timeout".equals(outcome)) {
                c[1] += t.count();
            } else if (!"ok".equals(outcome)) {
                c[2] += t.count();
            }
        }
        for (Map.Entry<String, long[]> e : calls.entrySet()) {
            String[] tm = e.getKey().split(" ", 2);
            Timer ok = registry.find(CALL).tags(TYPE, tm[0], MESSAGE, tm[1], OUTCOME, "ok", ERROR, "none").timer();
            row(out, "calls " + e.getKey(), e.getValue()[0], latency(ok)
                    + String.format(Locale.ROOT, "  timeouts %,d  errors %,d", e.getValue()[1], e.getValue()[2]));
        }
        row(out, "casts and infos", (long) count(registry, CAST, m -> true), "");
        row(out, "activations", total(registry, ACTIVATIONS, null),
                "init " + fmt(total(registry, ACTIVATIONS, m -> "init".equals(m.getId().getTag(KIND))))
                        + ", revival " + fmt(total(registry, ACTIVATIONS,
                        m -> "revival".equals(m.getId().getTag(KIND)))));
        StringBuilder causes = new StringBuilder();
        Map<String, Long> byCause = new TreeMap<>();
        for (Counter c : registry.find(PETRIFICATIONS).counters()) {
            byCause.merge(c.getId().getTag(CAUSE), (long) c.count(), Long::sum);
        }
        byCause.forEach((cause, n) -> {
            if (n > 0) {
                causes.append(causes.isEmpty() ? "" : ", ").append(cause).append(' ').append(fmt(n));
            }
        });
        row(out, "petrifications", total(registry, PETRIFICATIONS, null), causes.toString());
        row(out, "crashes / quarantines", total(registry, CRASHES, null),
                "quarantined " + fmt(total(registry, QUARANTINES, null)));
        for (String op : new String[] {"read", "write", "delete"}) {
            long n = (long) count(registry, STORE, m -> op.equals(m.getId().getTag(OPERATION)));
            if (n > 0) {
                long conflicts = (long) count(registry, STORE, m -> op.equals(m.getId().getTag(OPERATION))
                        && "conflict".equals(m.getId().getTag(OUTCOME)));
                long errors = (long) count(registry, STORE, m -> op.equals(m.getId().getTag(OPERATION))
                        && "error".equals(m.getId().getTag(OUTCOME)));
                var ok = registry.find(STORE).tags(OPERATION, op, OUTCOME, "ok").timers();
                row(out, "store " + op + "s", n, (ok.size() == 1 ? latency(ok.iterator().next()) : "")
                        + String.format(Locale.ROOT, "  conflicts %,d  errors %,d", conflicts, errors));
            }
        }
        for (DistributionSummary s : registry.find(STORE_BATCH_SIZE).summaries()) {
            row(out, "group-commit batches " + s.getId().getTag(STORE_TAG), s.count(),
                    String.format(Locale.ROOT, "size mean %.1f  max %.0f", s.mean(), s.max()));
        }
        long reminders = total(registry, REMINDERS_FIRED, null);
        if (reminders > 0) {
            row(out, "reminder ticks", reminders, "");
        }
        return out.toString();
    }

    private static void row(StringBuilder out, String what, long n, String detail) {
        out.append(String.format(Locale.ROOT, "  %-34s %,12d  %s", what, n, detail).stripTrailing()).append('\n');
    }

    private static String fmt(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static long total(MeterRegistry registry, String name, Predicate<Meter> which) {
        double sum = 0;
        for (Counter c : registry.find(name).counters()) {
            if (which == null || which.test(c)) {
                sum += c.count();
            }
        }
        return (long) sum;
    }

    private static double count(MeterRegistry registry, String name, Predicate<Meter> which) {
        double sum = 0;
        for (Timer t : registry.find(name).timers()) {
            if (which.test(t)) {
                sum += t.count();
            }
        }
        return sum;
    }

    /** p50 / p99 when published, else mean / max, in milliseconds. */
    private static String latency(Timer t) {
        if (t == null || t.count() == 0) {
            return "";
        }
        HistogramSnapshot s = t.takeSnapshot();
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (ValueAtPercentile v : s.percentileValues()) {
            if (v.percentile() == 0.5) {
                p50 = v.value(TimeUnit.MILLISECONDS);
            } else if (v.percentile() == 0.99) {
                p99 = v.value(TimeUnit.MILLISECONDS);
            }
        }
        if (!Double.isNaN(p50) && !Double.isNaN(p99)) {
            return String.format(Locale.ROOT, "p50 %.3f ms  p99 %.3f ms", p50, p99);
        }
        return String.format(Locale.ROOT, "mean %.3f ms  max %.3f ms", s.mean(TimeUnit.MILLISECONDS),
                s.max(TimeUnit.MILLISECONDS));
    }
}
