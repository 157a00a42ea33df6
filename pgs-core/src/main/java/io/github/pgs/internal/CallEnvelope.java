package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.From;
import io.github.pgs.ReplyTypeException;
import io.github.pgs.ServerId;

import java.util.concurrent.CompletableFuture;

/**
 * A call on its way to a server, and the {@link From} through which it is answered. The reply future is
 * completed at most once; a reply given on the owning server's thread during a handler is held back by the
 * activation until that handler's state is durable. Every value is checked against the request's declared reply
 * type ({@link ReplyTypes}) before it reaches the caller; a wrong one fails the caller with a typed error.
 */
final class CallEnvelope<R> implements Envelope, From<R> {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    final Call<R> request;
    final CompletableFuture<R> future;
    /** The sender's observer context, handed to the turn as its origin; {@code null} when nobody observes. */
    final Object trace;
    private final ServerId server;
    private volatile Activation<?, ?> owner;

    CallEnvelope(ServerId server, Call<R> request, CompletableFuture<R> future) {
        this(server, request, future, null);
    }

    CallEnvelope(ServerId server, Call<R> request, CompletableFuture<R> future, Object trace) {
        this.server = server;
        this.request = request;
        this.future = future;
        this.trace = trace;
    }

    void ownedBy(Activation<?, ?> activation) {
        this.owner = activation;
    }

    @Override
    public boolean reply(R value) {
        if (future.isDone()) {
            return false;
        }
        ReplyTypeException wrong = ReplyTypes.check(server, request, value);
        if (wrong != null) {
            LOG.log(System.Logger.Level.WARNING, wrong.getMessage());
            return fail(wrong);
        }
        Activation<?, ?> a = owner;
        if (a != null && a.holdsTurn()) {
            return a.holdReply(() -> future.complete(value));
        }
        return future.complete(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> From<T> typed(Call<T> request) {
        if (request != this.request) {
            throw new IllegalArgumentException("this caller sent " + this.request.getClass().getName()
                    + ", not the given " + (request == null ? "null" : request.getClass().getName()));
        }
        return (From<T>) this;
    }

    @Override
    public boolean fail(RuntimeException error) {
        if (future.isDone()) {
            return false;
        }
        Activation<?, ?> a = owner;
        if (a != null && a.holdsTurn()) {
            return a.holdReply(() -> future.completeExceptionally(error));
        }
        return future.completeExceptionally(error);
    }

    /** Completes at once, bypassing any hold (used by the activation itself), or fails if the type is wrong. */
    void completeNow(Object value) {
        ReplyTypeException wrong = ReplyTypes.check(server, request, value);
        if (wrong != null) {
            LOG.log(System.Logger.Level.WARNING, wrong.getMessage());
            future.completeExceptionally(wrong);
            return;
        }
        @SuppressWarnings("unchecked") R r = (R) value;
        future.complete(r);
    }

    void failNow(Throwable error) {
        future.completeExceptionally(error);
    }

    @Override
    public ServerId server() {
        return server;
    }

    @Override
    public String toString() {
        return "From[" + server + "]";
    }
}
