package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.RuntimeObserver.Kind;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A send told to the runtime's observer, the same whether it goes to a local activation ({@link Dispatcher}) or
 * through a placement engine ({@link EngineRouter}): the send starts on the caller's thread, its context is handed
 * to what sends (which carries it in the envelope or its headers), and it ends when the caller sees the outcome.
 * Used only when an observer listens; the unobserved paths do not go through here.
 */
final class ObservedSends {

    private ObservedSends() {
    }

    /** A blocking call: {@code send} gets the context and returns the reply (or throws what the caller gets). */
    static <R> R call(RuntimeObserver o, Services rt, ServerId to, Class<?> request, Function<Object, R> send) {
        long started = rt.time.nanoTime();
        Object trace = o.sendStarted(to, Kind.CALL, request);
        Throwable failure = null;
        try {
            return send.apply(trace);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            o.sendEnded(trace, to, Kind.CALL, request, rt.time.nanoTime() - started, failure);
        }
    }

    /** An asynchronous call: the send ends when the future the caller gets completes. */
    static <R> CompletableFuture<R> callAsync(RuntimeObserver o, Services rt, ServerId to, Class<?> request,
                                              Function<Object, CompletableFuture<R>> send) {
        long started = rt.time.nanoTime();
        Object trace = o.sendStarted(to, Kind.CALL, request);
        CompletableFuture<R> f;
        try {
            f = send.apply(trace);
        } catch (RuntimeException | Error e) {
            o.sendEnded(trace, to, Kind.CALL, request, rt.time.nanoTime() - started, e);
            throw e;
        }
        f.whenComplete((r, ex) -> o.sendEnded(trace, to, Kind.CALL, request, rt.time.nanoTime() - started,
                ex instanceof CompletionException c && c.getCause() != null ? c.getCause() : ex));
        return f;
    }

    /** A cast or info: the send ends once it is queued (or refused). */
    static void cast(RuntimeObserver o, Services rt, ServerId to, boolean info, Class<?> message,
                     Consumer<Object> send) {
        Kind kind = info ? Kind.INFO : Kind.CAST;
        long started = rt.time.nanoTime();
        Object trace = o.sendStarted(to, kind, message);
        Throwable failure = null;
        try {
            send.accept(trace);
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            o.sendEnded(trace, to, kind, message, rt.time.nanoTime() - started, failure);
        }
    }
}
