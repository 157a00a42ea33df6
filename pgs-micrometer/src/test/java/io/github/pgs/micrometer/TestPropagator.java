package io.github.pgs.micrometer;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import java.util.List;

/** A propagator for the test tracer: one {@code traceparent} header of the form {@code <traceId>-<spanId>}. */
public final class TestPropagator implements Propagator {

    public static final String HEADER = "traceparent";

    private final Tracer tracer;

    TestPropagator(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public List<String> fields() {
        return List.of(HEADER);
    }

    @Override
    public <C> void inject(TraceContext context, C carrier, Setter<C> setter) {
        setter.set(carrier, HEADER, context.traceId() + "-" + context.spanId());
    }

    @Override
    public <C> Span.Builder extract(C carrier, Getter<C> getter) {
        String value = getter.get(carrier, HEADER);
        if (value == null || value.indexOf('-') < 0) {
            return tracer.spanBuilder();
        }
        String[] parts = value.split("-", 2);
        return tracer.spanBuilder().setParent(tracer.traceContextBuilder().traceId(parts[0]).spanId(parts[1])
                .sampled(true).build());
    }
}
