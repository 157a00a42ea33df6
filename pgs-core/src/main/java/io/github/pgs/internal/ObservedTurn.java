package io.github.pgs.internal;

import io.github.pgs.StopReason;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.RuntimeObserver.Kind;
import io.github.pgs.spi.RuntimeObserver.TurnOutcome;

/**
 * One turn of a server as the runtime's observer sees it: opened on the drain thread before the message is loaded
 * for and handled, told how it went by the parts that decide it ({@link Turns}, {@link Activation#end}), and closed
 * on the same thread once the state is committed and the reply released. Made only when an observer listens.
 *
 * <p>The open turn is found through a thread-local of the drain thread, not a field of the activation: one turn
 * runs per thread at a time (a handler's nested call runs on the other server's thread), and active servers are
 * many, so a field would cost heap per server whether anyone observes or not.
 *
 * <h2>Hazards</h2>
 * The first outcome that is not {@link TurnOutcome#OK} wins: a crash that then quarantines the server stays a
 * crash. {@link #close} must run exactly once, in a {@code finally} on the thread that opened the turn, or a
 * tracing observer's scope would leak into the next server's turn on the same pooled thread.
 */
final class ObservedTurn {

    private static final ThreadLocal<ObservedTurn> OPEN = new ThreadLocal<>();

    private final RuntimeObserver observer;
    private final Activation<?, ?> activation;
    private final Kind kind;
    private final Class<?> message;
    private final long started;
    private final Object context;
    private TurnOutcome outcome = TurnOutcome.OK;
    private Throwable failure;

    private ObservedTurn(RuntimeObserver observer, Activation<?, ?> activation, Kind kind, Class<?> message,
                         Object origin, int waiting) {
        this.observer = observer;
        this.activation = activation;
        this.kind = kind;
        this.message = message;
        this.started = activation.rt.time.nanoTime();
        this.context = observer.turnStarted(activation.id, kind, message, origin, waiting);
    }

    /** Opens a turn of {@code a} and makes it the activation's current one; {@code null} when nobody listens. */
    static ObservedTurn open(Activation<?, ?> a, Kind kind, Class<?> message, Object origin, int waiting) {
        RuntimeObserver o = a.rt.observer;
        if (o == null) {
            return null;
        }
        ObservedTurn t = new ObservedTurn(o, a, kind, message, origin, waiting);
        OPEN.set(t);
        return t;
    }

    /** The turn of {@code a} open on this thread; {@code null} when nobody observes (no thread-local is read). */
    static ObservedTurn current(Activation<?, ?> a) {
        if (a.rt.observer == null) {
            return null;
        }
        ObservedTurn t = OPEN.get();
        return t != null && t.activation == a ? t : null;
    }

    /** The handler (or {@code init}) threw {@code cause}. */
    void crashed(Throwable cause) {
        settle(TurnOutcome.CRASHED, cause);
    }

    /** The handler asked to stop with {@code reason}. */
    void stopped(StopReason reason) {
        settle(TurnOutcome.STOPPED, reason.cause());
    }

    /** The runtime could not serve the message: loading, decoding or persisting failed, or it was quarantined. */
    void failed(Throwable cause) {
        settle(TurnOutcome.FAILED, cause);
    }

    /** The activation ended during this turn as {@code how}. */
    void ended(Ending how) {
        switch (how) {
            case Ending.Stopped s -> stopped(s.reason());
            case Ending.Crashed c -> crashed(c.reason().cause());
            case Ending.Refused r -> failed(r.error());
            case Ending.Quarantined q -> failed(q.error());
            case Ending.Petrified p -> { }
        }
    }

    private void settle(TurnOutcome o, Throwable cause) {
        if (outcome == TurnOutcome.OK) {
            outcome = o;
            failure = cause;
        }
    }

    /** Ends the turn: tells the observer, on the thread that opened it. */
    void close() {
        if (OPEN.get() == this) {
            OPEN.remove();
        }
        observer.turnEnded(context, activation.id, kind, message, activation.rt.time.nanoTime() - started, outcome,
                failure);
    }
}
