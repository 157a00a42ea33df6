package io.github.pgs.micrometer;

import io.github.pgs.ServerId;
import io.github.pgs.micrometer.internal.Meters;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;
import io.github.pgs.spi.RuntimeObserver.TurnOutcome;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;

import java.util.function.BiConsumer;
import java.util.function.Function;

import static io.github.pgs.micrometer.PgsInstruments.*;

/**
 * The observation side of {@link MicrometerObserver}: every timed thing (call, cast, turn, store operation) is one
 * {@link Observation}, so that the registry's handlers turn it into a timer, a span, or both.
 *
 * <h2>Algorithm</h2>
 * A send starts an observation on the caller's thread (its parent is whatever observation is current there, so a
 * call made inside an HTTP request joins that request's trace) and returns it as the context the runtime carries
 * to the server. The turn on the server's thread starts a child of it and opens its scope, so that everything
 * the handler does on that thread (nested calls, store operations, the application's own instrumented clients)
 * nests below the turn. Timers and reminders are new work: their turn has no parent and keeps the observation of
 * where it was set as {@link PgsObservationContext#link()}. Across JVMs (cluster envelopes, stored reminders) the
 * context travels as headers, written by a short {@code pgs.send} observation whose propagating tracing handler
 * injects them and read back by a {@code pgs.receive} one whose handler extracts them.
 *
 * <h2>Hazards</h2>
 * A scope must be closed on the thread that opened it: the runtime calls {@code turnStarted} and
 * {@code turnEnded} on the same thread, always in pairs, and closes turns innermost first. Observations are
 * stopped from whichever thread ends them (allowed by Micrometer).
 */
final class Traced {

    /** A turn's observation and the scope it opened on the server's thread. */
    record Turn(Observation observation, Observation.Scope scope) {
    }

    private final ObservationRegistry registry;

    Traced(ObservationRegistry registry) {
        this.registry = registry;
    }

    Observation sendStarted(ServerId to, Kind kind, Class<?> message) {
        String type = to.type();
        String msg = Meters.simpleName(message);
        boolean call = kind == Kind.CALL;
        Observation o = Observation.createNotStarted(call ? CALL : CAST,
                        () -> new PgsObservationContext(type, kind, msg, null), registry)
                .lowCardinalityKeyValue(TYPE, type)
                .lowCardinalityKeyValue(MESSAGE, msg)
                .contextualName((call ? "call " : "cast ") + msg);
        if (!call) {
            o.lowCardinalityKeyValue(KIND, Meters.kind(kind));
        }
        return o.start();
    }

    void sendEnded(Object context, Throwable failure) {
        if (context instanceof Observation o) {
            o.lowCardinalityKeyValue(OUTCOME, Meters.sendOutcome(failure));
            if (failure != null) {
                o.error(failure);
            }
            o.stop();
        }
    }

    Turn turnStarted(ServerId id, Kind kind, Class<?> message, Object origin) {
        String type = id.type();
        String msg = Meters.simpleName(message);
        boolean newWork = kind == Kind.TIMER || kind == Kind.REMINDER;
        Observation from = observationOf(origin);
        Observation o = Observation.createNotStarted(HANDLE,
                        () -> new PgsObservationContext(type, kind, msg, newWork ? from : null), registry)
                .parentObservation(newWork ? null : from)
                .lowCardinalityKeyValue(TYPE, type)
                .lowCardinalityKeyValue(MESSAGE, msg)
                .lowCardinalityKeyValue(KIND, Meters.kind(kind))
                .contextualName("handle " + msg)
                .start();
        return new Turn(o, o.openScope());
    }

    void turnEnded(Object context, TurnOutcome outcome, Throwable failure) {
        if (context instanceof Turn t) {
            t.scope().close();
            Observation o = t.observation();
            o.lowCardinalityKeyValue(OUTCOME, Meters.turnOutcome(outcome));
            if (failure != null) {
                o.error(failure);
            }
            o.stop();
        }
    }

    Observation storeStarted(ServerId id, StoreOp op) {
        String type = id.type();
        return Observation.createNotStarted(STORE, () -> new PgsObservationContext(type, null, null, null), registry)
                .lowCardinalityKeyValue(TYPE, type)
                .lowCardinalityKeyValue(OPERATION, Meters.op(op))
                .contextualName("store " + Meters.op(op))
                .start();
    }

    void storeEnded(Object context, String store, StoreOutcome outcome, Throwable failure) {
        if (context instanceof Observation o) {
            o.lowCardinalityKeyValue(STORE_TAG, store);
            o.lowCardinalityKeyValue(OUTCOME, Meters.storeOutcome(outcome));
            if (failure != null) {
                o.error(failure);
            }
            o.stop();
        }
    }

    /** Where a timer or reminder is being set: the current observation (the turn that sets it). */
    Observation scheduled() {
        return registry.getCurrentObservation();
    }

    void inject(Object context, BiConsumer<String, String> headers) {
        Observation parent = observationOf(context);
        if (parent == null || parent.isNoop()) {
            return;
        }
        SenderContext<BiConsumer<String, String>> c = new SenderContext<>((carrier, key, value) -> {
            if (carrier != null) {
                carrier.accept(key, value);
            }
        });
        c.setCarrier(headers);
        Kind kind = parent.getContextView() instanceof PgsObservationContext p ? p.kind() : null;
        Observation send = Observation.createNotStarted(SEND, () -> c, registry).parentObservation(parent);
        if (kind != null) {
            send.lowCardinalityKeyValue(KIND, Meters.kind(kind));
        }
        send.start().stop();
    }

    Observation extract(Function<String, String> headers) {
        ReceiverContext<Function<String, String>> c = new ReceiverContext<>((carrier, key) ->
                carrier == null ? null : carrier.apply(key));
        c.setCarrier(headers);
        Observation o = Observation.createNotStarted(RECEIVE, () -> c, registry).parentObservation(null).start();
        o.stop();
        return o.isNoop() ? null : o;
    }

    private static Observation observationOf(Object context) {
        if (context instanceof Observation o) {
            return o;
        }
        if (context instanceof Turn t) {
            return t.observation();
        }
        return null;
    }
}
