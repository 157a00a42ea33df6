package io.github.pgs.micrometer;

import io.github.pgs.ServerId;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.StoreOp;
import io.github.pgs.spi.RuntimeObserver.StoreOutcome;
import io.github.pgs.spi.RuntimeObserver.TurnOutcome;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * Drives an observer the way the runtime does, with the seam's threading contract: a send starts on the caller's
 * thread, the turn runs on a server thread with the sender's context as origin, store operations run inside the
 * turn on that thread, and durations are the ones the test gives (the runtime measures them on its own clock).
 */
final class SyntheticRuntime implements AutoCloseable {

    private final RuntimeObserver observer;
    private final ExecutorService servers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "synthetic-server");
        t.setDaemon(true);
        return t;
    });

    SyntheticRuntime(RuntimeObserver observer) {
        this.observer = RuntimeObserver.guarded(observer);
    }

    RuntimeObserver observer() {
        return observer;
    }

    /** A call whose turn runs {@code handler} on a server thread; the caller sees {@code callNanos}. */
    <R> R call(ServerId to, Class<?> request, long callNanos, long turnNanos, Supplier<R> handler) {
        Object send = observer.sendStarted(to, Kind.CALL, request);
        Throwable failure = null;
        try {
            Future<R> reply = servers.submit(() -> turn(to, Kind.CALL, request, send, 0, turnNanos, handler));
            return reply.get();
        } catch (ExecutionException e) {
            failure = e.getCause();
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            failure = e;
            throw new IllegalStateException(e);
        } finally {
            observer.sendEnded(send, to, Kind.CALL, request, callNanos, failure);
        }
    }

    /** A call that the caller gives up on ({@code failure}, a timeout say) without any turn. */
    void failedCall(ServerId to, Class<?> request, long nanos, Throwable failure) {
        Object send = observer.sendStarted(to, Kind.CALL, request);
        observer.sendEnded(send, to, Kind.CALL, request, nanos, failure);
    }

    /** A cast queued in {@code nanos}; its turn runs {@code handler} and is waited for. */
    void cast(ServerId to, Kind kind, Class<?> message, long nanos, int waiting, long turnNanos, Runnable handler) {
        Object send = observer.sendStarted(to, kind, message);
        observer.sendEnded(send, to, kind, message, nanos, null);
        try {
            servers.submit(() -> turn(to, kind, message, send, waiting, turnNanos, () -> {
                handler.run();
                return null;
            })).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A timer or reminder set inside the current turn: its origin context. */
    Object schedule(ServerId id, Kind kind) {
        return observer.scheduled(id, kind);
    }

    /** A timer or reminder firing on a server thread, with the origin {@link #schedule} returned. */
    void fire(ServerId id, Kind kind, Class<?> message, Object origin, long turnNanos, Runnable handler) {
        try {
            servers.submit(() -> turn(id, kind, message, origin, 0, turnNanos, () -> {
                handler.run();
                return null;
            })).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The turn: on the current (server) thread, always ended, with the outcome the handler's result implies. */
    <R> R turn(ServerId id, Kind kind, Class<?> message, Object origin, int waiting, long nanos, Supplier<R> handler) {
        Object turn = observer.turnStarted(id, kind, message, origin, waiting);
        TurnOutcome outcome = TurnOutcome.CRASHED;
        Throwable failure = null;
        try {
            R r = handler.get();
            outcome = TurnOutcome.OK;
            return r;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            observer.turnEnded(turn, id, kind, message, nanos, outcome, failure);
        }
    }

    /** A store operation of the runtime, on the current thread (inside a turn when called from a handler). */
    void store(ServerId id, StoreOp op, String store, long nanos, StoreOutcome outcome, int bytes,
               Throwable failure) {
        Object ctx = observer.storeStarted(id, op);
        observer.storeEnded(ctx, id, op, store, nanos, outcome, bytes, failure);
    }

    /** Headers as a cluster envelope or a stored reminder carries them. */
    Map<String, String> inject(Object context) {
        Map<String, String> headers = new HashMap<>();
        observer.inject(context, headers::put);
        return headers;
    }

    Object extract(Map<String, String> headers) {
        return observer.extract(headers::get);
    }

    @Override
    public void close() {
        servers.shutdownNow();
    }
}
