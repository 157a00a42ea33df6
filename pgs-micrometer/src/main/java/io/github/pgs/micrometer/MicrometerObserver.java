package io.github.pgs.micrometer;

import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.micrometer.internal.Meters;
import io.github.pgs.spi.RuntimeObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Metrics and traces of PersistentGenServer runtimes on Micrometer: a {@link RuntimeObserver} to give the runtime
 * builder, in one line.
 *
 * <pre>{@code
 * ServerRuntime runtime = ServerRuntime.builder()
 *         .storage(storage)
 *         .observer(MicrometerObserver.of(meterRegistry))                        // metrics
 *      // .observer(MicrometerObserver.of(meterRegistry, observationRegistry))   // metrics and traces
 *         .build();
 * }</pre>
 *
 * <h2>Two modes</h2>
 * <ul>
 *   <li>{@link #of(MeterRegistry)}: metrics only. Timers are recorded straight into the registry from durations the
 *       runtime measured; nothing is allocated per message once the meters exist.</li>
 *   <li>{@link #of(MeterRegistry, ObservationRegistry)}: every call, cast, turn and store operation is a Micrometer
 *       {@link io.micrometer.observation.Observation}, so the observation registry's handlers make both its timer
 *       (with {@code DefaultMeterObservationHandler}, as Spring Boot registers) and its span (with a tracing
 *       handler), from one instrumentation, with the same names and tags as the first mode. The caller's
 *       context follows the message to the server's thread, nested calls and store operations become children of
 *       the turn, and timers and reminders start new traces that keep a link to where they were set
 *       ({@link PgsObservationContext#link()}; {@link PgsLinkingTracingHandler} turns it into a span link).</li>
 * </ul>
 * Counters, gauges and distribution summaries (activations, mailbox depth, batch sizes, ...) always go straight to
 * the meter registry. Names, types, units and tags: {@link PgsInstruments} and {@code docs/OBSERVABILITY.md}.
 * Percentiles and histograms are the registry's choice (Micrometer's default is neither);
 * {@link PgsMeterFilters} turns them on for these timers.
 *
 * <p>Thread-safe; one instance may serve several runtimes, whose figures then add up. Several instances on one
 * registry add up too (gauges are shared per registry). No tag ever carries a server's key.
 */
public final class MicrometerObserver implements RuntimeObserver {

    private final Meters meters;
    private final Traced traced;

    private MicrometerObserver(MeterRegistry meters, ObservationRegistry observations) {
        this.meters = new Meters(Objects.requireNonNull(meters, "meterRegistry"));
        this.traced = observations == null || observations.isNoop() ? null : new Traced(observations);
    }

    /** Metrics only, recorded into {@code meterRegistry}. */
    public static MicrometerObserver of(MeterRegistry meterRegistry) {
        return new MicrometerObserver(meterRegistry, null);
    }

    /**
     * Metrics into {@code meterRegistry}, and every timed operation as an observation of {@code observationRegistry}
     * (whose handlers decide what becomes of it: its timers need a meter handler on it). A no-op observation
     * registry gives the metrics-only mode.
     */
    public static MicrometerObserver of(MeterRegistry meterRegistry, ObservationRegistry observationRegistry) {
        return new MicrometerObserver(meterRegistry, Objects.requireNonNull(observationRegistry, "observationRegistry"));
    }

    /** Whether timed operations become observations (traces) rather than direct timer recordings. */
    public boolean observes() {
        return traced != null;
    }

    // ---------------------------------------------------------------- servers

    @Override
    public void activated(ServerId id, ActivationKind kind) {
        meters.type(id.type()).activated(kind);
    }

    @Override
    public void deactivated(ServerId id) {
        meters.type(id.type()).deactivated();
    }

    @Override
    public void petrified(ServerId id, PetrifyCause cause) {
        meters.type(id.type()).petrified(cause);
    }

    @Override
    public void stopped(ServerId id, StopReason reason) {
        meters.type(id.type()).stopped(reason);
    }

    @Override
    public void crashed(ServerId id, Throwable cause) {
        meters.type(id.type()).crashed(cause);
    }

    @Override
    public void quarantined(ServerId id, String lastFailure) {
        meters.type(id.type()).quarantined();
    }

    @Override
    public void released(ServerId id) {
        meters.type(id.type()).released();
    }

    @Override
    public void recovered(ServerId id) {
        meters.type(id.type()).recovered();
    }

    @Override
    public void reminderFired(ServerId id, long latenessMillis, boolean delivered) {
        meters.type(id.type()).reminderFired(latenessMillis, delivered);
    }

    // ---------------------------------------------------------------- timed operations

    @Override
    public Object sendStarted(ServerId to, Kind kind, Class<?> message) {
        return traced == null ? null : traced.sendStarted(to, kind, message);
    }

    @Override
    public void sendEnded(Object context, ServerId to, Kind kind, Class<?> message, long nanos, Throwable failure) {
        if (traced == null) {
            meters.type(to.type()).message(message).sent(kind, nanos, failure);
        } else {
            traced.sendEnded(context, failure);
        }
    }

    @Override
    public Object turnStarted(ServerId id, Kind kind, Class<?> message, Object origin, int waiting) {
        meters.type(id.type()).mailbox(waiting);
        return traced == null ? null : traced.turnStarted(id, kind, message, origin);
    }

    @Override
    public void turnEnded(Object context, ServerId id, Kind kind, Class<?> message, long nanos, TurnOutcome outcome,
                          Throwable failure) {
        if (traced == null) {
            meters.type(id.type()).message(message).handled(kind, outcome, nanos, failure);
        } else {
            traced.turnEnded(context, outcome, failure);
        }
    }

    @Override
    public Object storeStarted(ServerId id, StoreOp op) {
        return traced == null ? null : traced.storeStarted(id, op);
    }

    @Override
    public void storeEnded(Object context, ServerId id, StoreOp op, String store, long nanos, StoreOutcome outcome,
                           int bytes, Throwable failure) {
        Meters.StoreOfType s = meters.type(id.type()).store(store);
        if (traced == null) {
            s.record(op, outcome, nanos, bytes, failure);
        } else {
            s.bytes(op, bytes);
            traced.storeEnded(context, store, outcome, failure);
        }
    }

    @Override
    public void batchWritten(String store, int entries, long nanos, Throwable failure) {
        meters.batch(store, entries, nanos, failure);
    }

    // ---------------------------------------------------------------- contexts

    @Override
    public Object scheduled(ServerId id, Kind kind) {
        return traced == null ? null : traced.scheduled();
    }

    @Override
    public void inject(Object context, BiConsumer<String, String> headers) {
        if (traced != null) {
            traced.inject(context, headers);
        }
    }

    @Override
    public Object extract(Function<String, String> headers) {
        return traced == null ? null : traced.extract(headers);
    }
}
