package io.github.pgs.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleTracer;

/** The observation registry of the tracing tests: timers into {@code meters}, spans into {@code tracer}. */
public final class TestTracing {

    private TestTracing() {
    }

    /** As an application wires it (docs/OBSERVABILITY.md, "Traces"), with the test tracer and its propagator. */
    public static ObservationRegistry observations(SimpleTracer tracer, MeterRegistry meters) {
        TestPropagator propagator = new TestPropagator(tracer);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig()
                .observationHandler(new DefaultMeterObservationHandler(meters))
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PgsLinkingTracingHandler(tracer),
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        return observations;
    }
}
