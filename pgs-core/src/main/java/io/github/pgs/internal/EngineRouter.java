package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.GenServerException;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerUnreachableException;
import io.github.pgs.StopReason;
import io.github.pgs.placement.Placement;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import io.github.pgs.spi.RuntimeObserver;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The sender's side with a placement engine: every message and every action on one server becomes a
 * {@link WireMessage} for {@link Placement#ask} or {@link Placement#tell}, so that the server's owner, wherever it
 * is, handles it.
 *
 * <h2>Hazards</h2>
 * The message is encoded here, on the sender ({@link Wire}), so that what cannot cross nodes fails here with a
 * typed error, on every node alike. The caller's timeout is enforced here, on this runtime's clock, whatever the
 * engine does; the owner gets the time left with the message. A handler calling its own server would wait for
 * itself: that is refused here as it is locally ({@link SelfCallException}). An engine that throws instead of
 * failing its stage is treated as unreachable, not delivered.
 */
final class EngineRouter implements Router {

    private final Services rt;
    private final Wire wire;
    private final Placement engine;
    private final Duration actionTimeout;
    private final Wakes wakes;

    EngineRouter(Services rt, Wire wire, Placement engine, Duration actionTimeout) {
        this.rt = rt;
        this.wire = wire;
        this.engine = engine;
        this.actionTimeout = actionTimeout;
        this.wakes = new Wakes() {
            @Override
            public void start(TypeRuntime<?, ?> type, ServerId id, boolean ifNoState,
                              java.util.function.Consumer<Throwable> done) {
                ask(wire.start(type, id, null, ifNoState, type.options().callTimeout()))
                        .whenComplete((r, ex) -> done.accept(ex != null ? ex : r.failed()
                                ? WireErrors.fromWire(r.error(), id) : null));
            }

            @Override
            public void remind(TypeRuntime<?, ?> type, ServerId id, Runnable done) {
                ask(Wire.control(WireMessage.Kind.WAKE, id, new byte[0], type.options().callTimeout()))
                        .whenComplete((r, ex) -> done.run());
            }
        };
    }

    @Override
    public <R> R call(Registry.Target t, Call<R> request, Duration timeout) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            return ObservedSends.call(o, rt, t.id, request.getClass(),
                    trace -> rt.deadlines.await(callAsyncUntimed(t, request, timeout, trace), t.id, timeout));
        }
        return rt.deadlines.await(callAsyncUntimed(t, request, timeout, null), t.id, timeout);
    }

    @Override
    public <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            return ObservedSends.callAsync(o, rt, t.id, request.getClass(), trace -> callAsync(t, request, timeout,
                    trace));
        }
        return callAsync(t, request, timeout, null);
    }

    private <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout, Object trace) {
        CompletableFuture<R> f;
        try {
            f = callAsyncUntimed(t, request, timeout, trace);
        } catch (GenServerException e) {
            return CompletableFuture.failedFuture(e);
        }
        return rt.deadlines.orTimeout(f, t.id, timeout);
    }

    private <R> CompletableFuture<R> callAsyncUntimed(Registry.Target t, Call<R> request, Duration timeout,
                                                      Object trace) {
        refuseSelf(t.id);
        WireMessage m = traced(wire.call(t.type(), t.id, request, timeout), trace);
        t.type().stats.calls.increment();
        return ask(m).thenApply(r -> wire.reply(r, request, t.id));
    }

    @Override
    public void cast(Registry.Target t, Object message, boolean info) {
        RuntimeObserver o = rt.observer;
        if (o != null) {
            ObservedSends.cast(o, rt, t.id, info, message.getClass(), trace -> cast(t, message, info, trace));
            return;
        }
        cast(t, message, info, null);
    }

    private void cast(Registry.Target t, Object message, boolean info, Object trace) {
        WireMessage m = traced(wire.cast(t.type(), t.id, message, info), trace);
        try {
            engine.tell(m);
        } catch (RuntimeException e) {
            throw new ServerUnreachableException(t.id, "the placement engine refused the message: "
                    + e.getClass().getName(), true, e);
        }
        t.type().stats.casts.increment();
    }

    /** {@code m} with the sender's observer context as headers, for the turn on the owner to continue. */
    private WireMessage traced(WireMessage m, Object trace) {
        Map<String, String> headers = TraceHeaders.inject(rt.observer, trace);
        return headers == null ? m : new WireMessage(m.kind(), m.target(), m.messageClass(), m.payload(),
                m.timeLeftNanos(), headers, m.local());
    }

    @Override
    public void stop(Registry.Target t, StopReason reason, Duration timeout) {
        refuseSelf(t.id);
        done(Wire.control(WireMessage.Kind.STOP, t.id, Wire.stopPayload(reason), timeout), t.id, timeout);
    }

    @Override
    public void start(Registry.Target t, Duration timeout) {
        done(wire.start(t.type(), t.id, t.args, false, timeout), t.id, timeout);
    }

    @Override
    public boolean petrify(ServerId id) {
        ask(Wire.control(WireMessage.Kind.PETRIFY, id, new byte[0], actionTimeout));
        return true; // asked; whether it was active is known only on its owner
    }

    @Override
    public void petrifyAndWait(ServerId id, Duration timeout) {
        done(Wire.control(WireMessage.Kind.PETRIFY, id, new byte[0], timeout), id, timeout);
    }

    @Override
    public boolean release(ServerId id) {
        WireReply r = rt.deadlines.await(ask(Wire.control(WireMessage.Kind.RELEASE, id, new byte[0], actionTimeout)),
                id, actionTimeout);
        Wire.check(r, id);
        return r.value() != null && r.value().length == 1 && r.value()[0] == 1;
    }

    @Override
    public Wakes wakes() {
        return wakes;
    }

    @Override
    public Expiry.Judge ttlJudge() {
        return (id, version, dryRun) -> {
            byte[] p = ByteBuffer.allocate(9).putLong(version).put((byte) (dryRun ? 1 : 0)).array();
            WireReply r = rt.deadlines.await(ask(Wire.control(WireMessage.Kind.EXPIRE, id, p, actionTimeout)), id,
                    actionTimeout);
            Wire.check(r, id);
            if (r.value() == null || r.value().length != 1 || r.value()[0] >= Expiry.Verdict.values().length) {
                throw new GenServerException(id, "the owner's expiry verdict cannot be read");
            }
            return Expiry.Verdict.values()[r.value()[0]];
        };
    }

    private void done(WireMessage m, ServerId id, Duration timeout) {
        Wire.check(rt.deadlines.await(ask(m), id, timeout), id);
    }

    /** The engine's stage as a future; an engine that throws is unreachable (the message was not sent). */
    private CompletableFuture<WireReply> ask(WireMessage m) {
        CompletionStage<WireReply> stage;
        try {
            stage = engine.ask(m);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new ServerUnreachableException(m.target(),
                    "the placement engine refused the message: " + e.getClass().getName(), true, e));
        }
        return stage.toCompletableFuture();
    }

    private static void refuseSelf(ServerId id) {
        Activation<?, ?> current = Activation.current();
        if (current != null && current.id.equals(id)) {
            throw new SelfCallException(id);
        }
    }
}
