package io.github.pgs.bench;

import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.micrometer.PgsLinkingTracingHandler;
import io.github.pgs.micrometer.PgsMeterFilters;
import io.github.pgs.spi.RuntimeObserver;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelBaggageManager;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The observer of {@code --observe=off|metrics-plain|metrics|tracing} (and of the JMH benchmarks' {@code observe}
 * parameter), for the overhead of pgs-micrometer on S1 and S4. {@code metrics-plain}: a Prometheus registry as Micrometer configures it by default (counts, totals and
 * maxima; {@code MicrometerObserver.of(registry)} and nothing else). {@code metrics}: the same with histogram
 * buckets on the module's timers and summaries ({@link PgsMeterFilters#histograms()}: what a production setup
 * that wants percentiles scrapes).
 * {@code tracing}: the same, and every call, cast, turn and store operation an observation with Micrometer's meter
 * handler and the OpenTelemetry bridge, every trace sampled, spans handed to a batch span processor whose exporter
 * counts and drops them (so the figure is the library's and the tracer's cost, not a collector's).
 */
public final class BenchObservers implements AutoCloseable {

    /** What {@code --observe} asks for. */
    public enum Mode {
        OFF, METRICS_PLAIN, METRICS, TRACING;

        public static Mode parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final Mode mode;
    private final PrometheusMeterRegistry prometheus;
    private final SdkTracerProvider tracerProvider;
    private final LongAdder spans = new LongAdder();
    private final RuntimeObserver observer;

    public BenchObservers(Mode mode) {
        this.mode = mode;
        if (mode == Mode.OFF) {
            prometheus = null;
            tracerProvider = null;
            observer = null;
            return;
        }
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        if (mode != Mode.METRICS_PLAIN) {
            prometheus.config().meterFilter(PgsMeterFilters.histograms());
        }
        if (mode == Mode.METRICS || mode == Mode.METRICS_PLAIN) {
            tracerProvider = null;
            observer = MicrometerObserver.of(prometheus);
            return;
        }
        tracerProvider = SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(BatchSpanProcessor.builder(new CountingExporter(spans)).build())
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        io.opentelemetry.api.trace.Tracer otel = sdk.getTracer("pgs-bench");
        OtelCurrentTraceContext current = new OtelCurrentTraceContext();
        OtelTracer tracer = new OtelTracer(otel, current, event -> { },
                new OtelBaggageManager(current, List.of(), List.of()));
        OtelPropagator propagator = new OtelPropagator(sdk.getPropagators(), otel);
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig()
                .observationHandler(new DefaultMeterObservationHandler(prometheus))
                .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                        new PgsLinkingTracingHandler(tracer),
                        new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                        new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                        new DefaultTracingObservationHandler(tracer)));
        observer = MicrometerObserver.of(prometheus, observations);
    }

    Mode mode() {
        return mode;
    }

    /** The observer for the runtime's builder, or {@code null} for {@code off}. */
    public RuntimeObserver observer() {
        return observer;
    }

    /** Adds what was observed to the result line: time series scraped, spans exported. */
    void report(JsonLine json) {
        if (prometheus != null) {
            long series = prometheus.scrape().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
            json.put("observe_series", series);
        }
        if (tracerProvider != null) {
            tracerProvider.forceFlush().join(10, java.util.concurrent.TimeUnit.SECONDS);
            json.put("observe_spans", spans.sum());
        }
    }

    @Override
    public void close() {
        if (tracerProvider != null) {
            tracerProvider.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** Counts the spans it is given and drops them. */
    private record CountingExporter(LongAdder spans) implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> batch) {
            spans.add(batch.size());
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
