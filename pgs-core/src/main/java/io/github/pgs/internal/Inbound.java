package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.CodecException;
import io.github.pgs.ServerId;
import io.github.pgs.placement.PlacementHost;
import io.github.pgs.placement.WireMessage;
import io.github.pgs.placement.WireReply;
import io.github.pgs.spi.RuntimeObserver;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The owner's side with a placement engine: what {@link PlacementHost#deliver} does with each kind of
 * {@link WireMessage}, on this node's activations.
 *
 * <h2>Hazards</h2>
 * Nothing here blocks the engine's thread: messages are queued to mailboxes, and the one action that waits (a
 * petrify that persists) runs on a virtual thread of its own. Nothing here throws to the engine: every failure
 * becomes a {@link WireReply} with the typed error. A message's payload is decoded only into a class the target
 * type declares, its key is checked like a key made in code, and the time its sender still waits bounds how long
 * the reply is held here.
 */
final class Inbound implements PlacementHost {

    private final Services rt;
    private final TypeRegistry types;
    private final Wire wire;
    private final Duties duties;

    Inbound(Services rt, TypeRegistry types, Wire wire, Duties duties) {
        this.rt = rt;
        this.types = types;
        this.wire = wire;
        this.duties = duties;
    }

    @Override
    public String name() {
        return rt.name;
    }

    @Override
    public CompletionStage<WireReply> deliver(WireMessage m) {
        try {
            TypeRuntime<?, ?> t = types.named(m.target().type());
            ServerId id = t.checkedId(m.target().key());
            Duration timeLeft = Duration.ofNanos(m.timeLeftNanos());
            return switch (m.kind()) {
                case CALL -> call(t, id, m, timeLeft);
                case CAST, INFO -> {
                    rt.dispatcher.offer(t, id, null, new Envelope.Cast(wire.message(t, m),
                            m.kind() == WireMessage.Kind.INFO, origin(m)), false);
                    yield done();
                }
                case STOP -> answered(id, timeLeft, done -> new Envelope.StopRequest(Wire.stopReason(m), done), t);
                case START -> answered(id, timeLeft, done -> new Envelope.Start(done, Wire.startIfNoState(m)), t,
                        wire.startArgs(t, m));
                case WAKE -> {
                    CompletableFuture<WireReply> handled = new CompletableFuture<>();
                    rt.dispatcher.redeliver(t, id, null, new Envelope.Remind(() -> handled.complete(WireReply.DONE)));
                    yield handled;
                }
                case PETRIFY -> CompletableFuture.supplyAsync(() -> {
                    rt.dispatcher.operations.quiesce(id, timeLeft);
                    return WireReply.DONE;
                }, Registry.VIRTUAL_THREAD_PER_RUN).exceptionally(Wire::failure);
                case RELEASE -> CompletableFuture.completedFuture(
                        WireReply.ok(new byte[] {(byte) (rt.dispatcher.operations.release(id) ? 1 : 0)}, null));
                case EXPIRE -> CompletableFuture.supplyAsync(() -> expire(id, m), Registry.VIRTUAL_THREAD_PER_RUN)
                        .exceptionally(Wire::failure);
                case STATUS -> CompletableFuture.completedFuture(WireReply.ok(new byte[] {(byte) (
                        rt.dispatcher.isQuarantined(id) ? 2 : rt.dispatcher.isActive(id) ? 1 : 0)}, null));
            };
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(Wire.failure(e));
        }
    }

    @SuppressWarnings("unchecked")
    private CompletionStage<WireReply> call(TypeRuntime<?, ?> t, ServerId id, WireMessage m, Duration timeLeft) {
        if (!(wire.message(t, m) instanceof Call<?> request)) {
            throw new CodecException(id, "a call whose message " + m.messageClass() + " is not a Call", null);
        }
        CompletableFuture<Object> reply = new CompletableFuture<>();
        rt.dispatcher.offer(t, id, null, new CallEnvelope<>(id, (Call<Object>) request, reply, origin(m)), false);
        return within(reply, id, timeLeft).handle((v, ex) -> {
            try {
                return ex == null ? wire.reply(id, request, v) : Wire.failure(ex);
            } catch (RuntimeException encode) {
                return Wire.failure(encode);
            }
        });
    }

    /** The sender's observer context, rebuilt from the message's headers; {@code null} when nobody observes. */
    private Object origin(WireMessage m) {
        RuntimeObserver o = rt.observer;
        return o == null || m.headers().isEmpty() ? null : o.extract(m.headers()::get);
    }

    /** An envelope whose {@code done} future says when it was handled; replies then, or with its failure. */
    private CompletionStage<WireReply> answered(ServerId id, Duration timeLeft,
                                                java.util.function.Function<CompletableFuture<Void>, Envelope> make,
                                                TypeRuntime<?, ?> t) {
        return answered(id, timeLeft, make, t, null);
    }

    private CompletionStage<WireReply> answered(ServerId id, Duration timeLeft,
                                                java.util.function.Function<CompletableFuture<Void>, Envelope> make,
                                                TypeRuntime<?, ?> t, Object args) {
        CompletableFuture<Void> handled = new CompletableFuture<>();
        rt.dispatcher.offer(t, id, args, make.apply(handled), false);
        return within(handled, id, timeLeft).handle((v, ex) -> ex == null ? WireReply.DONE : Wire.failure(ex));
    }

    private <T> CompletableFuture<T> within(CompletableFuture<T> f, ServerId id, Duration timeLeft) {
        return timeLeft.isZero() ? f : rt.deadlines.orTimeout(f, id, timeLeft);
    }

    private WireReply expire(ServerId id, WireMessage m) {
        if (m.payload().length != 9) {
            throw new CodecException(id, "an expiry without its version", null);
        }
        ByteBuffer b = ByteBuffer.wrap(m.payload());
        Expiry.Verdict v = Expiry.expireOne(rt.storage, rt.dispatcher.view(), id, b.getLong(), b.get() == 1);
        return WireReply.ok(new byte[] {(byte) v.ordinal()}, null);
    }

    private static CompletionStage<WireReply> done() {
        return CompletableFuture.completedFuture(WireReply.DONE);
    }

    @Override
    public CompletionStage<Void> handOff(Predicate<ServerId> which) {
        try {
            return rt.dispatcher.handOff(which);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void duties(boolean on) {
        if (on) {
            duties.on();
        } else {
            duties.off();
        }
    }
}
