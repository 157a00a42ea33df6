package io.github.pgs.micrometer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PgsMetricsReportTest {

    @Test
    void table_showsCallsWithPercentiles_activations_petrifications_andBatchSizes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(PgsMeterFilters.percentiles(0.5, 0.99));
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(registry))) {
            Workload.run(rt);
        }
        String table = PgsMetricsReport.table(registry);
        assertThat(table)
                .containsPattern("calls player ReadScore +2 +p50 [0-9.]+ ms +p99 [0-9.]+ ms +timeouts 1 +errors 0")
                .containsPattern("calls player Move +2 .*timeouts 0 +errors 2")
                .containsPattern("activations +4 +init 1, revival 3")
                .containsPattern("petrifications +1 +idle 1")
                .containsPattern("crashes / quarantines +1 +quarantined 1")
                .containsPattern("store writes +2 .*conflicts 1 +errors 0")
                .containsPattern("group-commit batches sqlite +3 +size mean 5.7 +max 12")
                .containsPattern("reminder ticks +2")
                .doesNotContain(Workload.SECRET);
    }

    @Test
    void table_withoutPercentiles_showsMeanAndMax() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(registry))) {
            Workload.run(rt);
        }
        assertThat(PgsMetricsReport.table(registry)).containsPattern("calls room ReadScore +1 +mean 1.000 ms +max 1.000 ms");
    }

    @Test
    void table_ofAnEmptyRegistry_hasOnlyItsZeroRows() {
        assertThat(PgsMetricsReport.table(new SimpleMeterRegistry()))
                .contains("activations").contains("petrifications").doesNotContain("calls ");
    }
}
