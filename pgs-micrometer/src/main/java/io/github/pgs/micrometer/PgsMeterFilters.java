package io.github.pgs.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.util.Set;

/**
 * Meter filters that give this module's timers and size summaries percentiles or histograms, which Micrometer
 * leaves off by default (every histogram bucket is a time series). Add them to the registry before the runtime
 * records anything: {@code registry.config().meterFilter(PgsMeterFilters.histograms())}. Spring Boot users can
 * set {@code management.metrics.distribution.percentiles-histogram.pgs=true} instead.
 */
public final class PgsMeterFilters {

    /** The timers and summaries the filters apply to. */
    public static final Set<String> DISTRIBUTIONS = Set.of(PgsInstruments.CALL, PgsInstruments.CAST,
            PgsInstruments.HANDLE, PgsInstruments.STORE, PgsInstruments.STORE_BATCH, PgsInstruments.STORE_BATCH_SIZE,
            PgsInstruments.MAILBOX_DEPTH, PgsInstruments.REMINDER_LATENESS);

    private PgsMeterFilters() {
    }

    /**
     * Publishes histogram buckets for {@link #DISTRIBUTIONS}, so that a server (Prometheus'
     * {@code histogram_quantile}) computes any percentile, aggregated over instances.
     */
    public static MeterFilter histograms() {
        return filter(DistributionStatisticConfig.builder().percentilesHistogram(true).build());
    }

    /**
     * Publishes the given percentiles (for example {@code 0.5, 0.99}) of {@link #DISTRIBUTIONS}, computed in this
     * process (they cannot be aggregated over instances).
     */
    public static MeterFilter percentiles(double... percentiles) {
        for (double p : percentiles) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("percentiles must be within [0, 1]: " + p);
            }
        }
        return filter(DistributionStatisticConfig.builder().percentiles(percentiles.clone()).build());
    }

    private static MeterFilter filter(DistributionStatisticConfig wanted) {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                return DISTRIBUTIONS.contains(id.getName()) ? wanted.merge(config) : config;
            }
        };
    }
}
