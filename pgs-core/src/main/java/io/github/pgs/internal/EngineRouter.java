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
        if (o == null) {
            return rt.deadlines.await(callAsyncUntimed(t, request, timeout, null), t.id, timeout);
        }
        long started = rt.time.nanoTime();
        Object trace = o.sendStarted(t.id, RuntimeObserver.Kind.CALL, request.getClass());
        Throwable failure = null;
        try {
            return rt.deadlines.await(callAsyncUntimed(t, request, timeout, trace), t.id, timeout);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            o.sendEnded(trace, t.id, RuntimeObserver.Kind.CALL, request.getClass(), rt.time.nanoTime() - started,
                    failure);
        }
    }

    @Override
    public <R> CompletableFuture<R> callAsync(Registry.Target t, Call<R> request, Duration timeout) {
        RuntimeObserver o = rt.observer;
        long started = o == null ? 0 : rt.time.nanoTime();
        Object trace = o == null ? null : o.sendStarted(t.id, RuntimeObserver.Kind.CALL, request.getClass());
        CompletableFuture<R> f;
        try {
            f = rt.deadlines.orTimeout(callAsyncUntimed(t, request, timeout, trace), t.id, timeout);
        } catch (GenServerException e) {
            f = CompletableFuture.failedFuture(e);
        }
        if (o != null) {
            f.whenComplete((r, ex) -> o.sendEnded(trace, t.id, RuntimeObserver.Kind.CALL, request.getClass(),
                    rt.time.nanoTime() - started, ex instanceof java.util.concurrent.CompletionException c
                            && c.getCause() != null ? c.getCause() : ex));
        }
        return f;
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
        RuntimeObserver.Kind kind = info ? RuntimeObserver.Kind.INFO : RuntimeObserver.Kind.CAST;
        long started = o == null ? 0 : rt.time.nanoTime();
        Object trace = o == null ? null : o.sendStarted(t.id, kind, message.getClass());
        Throwable failure = null;
        try {
            WireMessage m = traced(wire.cast(t.type(), t.id, message, info), trace);
            try {
                engine.tell(m);
            } catch (RuntimeException e) {
                throw new ServerUnreachableException(t.id, "the placement engine refused the message: "
                        + e.getClass().getName(), true, e);
            }
            t.type().stats.casts.increment();
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            if (o != null) {
                o.sendEnded(trace, t.id, kind, message.getClass(), rt.time.nanoTime() - started, failure);
            }
        }
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
