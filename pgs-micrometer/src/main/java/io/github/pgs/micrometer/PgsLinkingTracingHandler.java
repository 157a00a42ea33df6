package io.github.pgs.micrometer;

import io.github.pgs.spi.RuntimeObserver.Kind;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;

import java.util.Objects;

/**
 * Starts the spans of timer and reminder turns as new traces with a span link to where the timer or reminder
 * was set (Micrometer Tracing's default handler knows parents, not links). Needs {@code micrometer-tracing} on
 * the class path (an optional dependency of this module).
 *
 * <p>Register it before the default tracing handler, in one first-matching group, so that it takes the turns it
 * supports and leaves every other observation to the default:
 * <pre>{@code
 * observationRegistry.observationConfig().observationHandler(
 *         new ObservationHandler.FirstMatchingCompositeObservationHandler(
 *                 new PgsLinkingTracingHandler(tracer),
 *                 new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
 *                 new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
 *                 new DefaultTracingObservationHandler(tracer)));
 * }</pre>
 * It supports a {@link PgsObservationContext} of kind {@link Kind#TIMER} or {@link Kind#REMINDER} whose
 * {@link PgsObservationContext#link()} carries a span; without one, the default handler makes an unlinked root.
 * Thread-safe.
 */
public final class PgsLinkingTracingHandler implements TracingObservationHandler<PgsObservationContext> {

    private final Tracer tracer;

    public PgsLinkingTracingHandler(Tracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof PgsObservationContext p
                && (p.kind() == Kind.TIMER || p.kind() == Kind.REMINDER)
                && linked(p) != null;
    }

    @Override
    public void onStart(PgsObservationContext context) {
        Span.Builder builder = tracer.spanBuilder().setNoParent().name(getSpanName(context));
        TraceContext link = linked(context);
        if (link != null) {
            builder.addLink(new Link(link));
        }
        getTracingContext(context).setSpan(builder.start());
    }

    @Override
    public void onStop(PgsObservationContext context) {
        Span span = getRequiredSpan(context);
        tagSpan(context, span);
        span.name(getSpanName(context));
        endSpan(context, span);
    }

    @Override
    public Tracer getTracer() {
        return tracer;
    }

    /** The span context of the observation where the timer or reminder was set, if it had a span. */
    private static TraceContext linked(PgsObservationContext context) {
        Observation link = context.link();
        if (link == null) {
            return null;
        }
        TracingContext tracing = link.getContextView().get(TracingContext.class);
        Span span = tracing == null ? null : tracing.getSpan();
        return span == null ? null : span.context();
    }
}
