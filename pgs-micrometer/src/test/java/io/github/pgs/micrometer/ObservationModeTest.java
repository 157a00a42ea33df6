package io.github.pgs.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/** The observation mode: valid observations, and the same timers as the metrics-only mode. */
class ObservationModeTest {

    @Test
    void everyObservationIsValid_namedAndTaggedAsDocumented() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(new SimpleMeterRegistry(),
                observations))) {
            Workload.run(rt);
        }
        assertThat(observations)
                .hasNumberOfObservationsWithNameEqualTo(PgsInstruments.CALL, 6)
                .hasNumberOfObservationsWithNameEqualTo(PgsInstruments.CAST, 2)
                .hasNumberOfObservationsWithNameEqualTo(PgsInstruments.HANDLE, 8)
                .hasNumberOfObservationsWithNameEqualTo(PgsInstruments.STORE, 5)
                .forAllObservationsWithNameEqualTo(PgsInstruments.HANDLE, c -> c
                        .hasLowCardinalityKeyValueWithKey(PgsInstruments.TYPE)
                        .hasLowCardinalityKeyValueWithKey(PgsInstruments.MESSAGE)
                        .hasLowCardinalityKeyValueWithKey(PgsInstruments.KIND)
                        .hasLowCardinalityKeyValueWithKey(PgsInstruments.OUTCOME))
                .forAllObservationsWithNameEqualTo(PgsInstruments.STORE, c -> c
                        .hasLowCardinalityKeyValue(PgsInstruments.STORE_TAG, "sqlite"))
                .hasObservationWithNameEqualTo(PgsInstruments.CALL)
                .that().hasLowCardinalityKeyValue(PgsInstruments.OUTCOME, "ok");
        assertThat(observations).hasAnObservation(c -> c.hasNameEqualTo(PgsInstruments.CALL)
                .hasLowCardinalityKeyValue(PgsInstruments.OUTCOME, "timeout").hasError());
        assertThat(observations).hasAnObservation(c -> c.hasNameEqualTo(PgsInstruments.HANDLE)
                .hasLowCardinalityKeyValue(PgsInstruments.OUTCOME, "crashed").hasError());
        assertThat(observations).hasAnObservation(c -> c.hasNameEqualTo(PgsInstruments.HANDLE)
                .hasLowCardinalityKeyValue(PgsInstruments.KIND, "timer").doesNotHaveParentObservation());
        assertThat(observations.getCurrentObservation()).isNull();
    }

    @Test
    void observationTimers_equalTheMetricsOnlyTimers() {
        SimpleMeterRegistry direct = new SimpleMeterRegistry();
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(direct))) {
            Workload.run(rt);
        }
        SimpleMeterRegistry viaObservations = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(viaObservations,
                DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER));
        try (SyntheticRuntime rt = new SyntheticRuntime(MicrometerObserver.of(viaObservations, observations))) {
            Workload.run(rt);
        }
        assertThat(timers(viaObservations)).isEqualTo(timers(direct)).isNotEmpty();
        assertThat(ids(viaObservations)).isEqualTo(ids(direct));
    }

    private static Set<String> timers(SimpleMeterRegistry registry) {
        Set<String> out = new TreeSet<>();
        for (Meter m : registry.getMeters()) {
            if (m instanceof Timer t) {
                out.add(m.getId().getName() + m.getId().getTags() + " x" + t.count());
            }
        }
        return out;
    }

    private static Set<String> ids(SimpleMeterRegistry registry) {
        Set<String> out = new TreeSet<>();
        for (Meter m : registry.getMeters()) {
            out.add(m.getId().getType() + " " + m.getId().getName() + m.getId().getTags());
        }
        return out;
    }
}
