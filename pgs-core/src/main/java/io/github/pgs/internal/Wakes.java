package io.github.pgs.internal;

import io.github.pgs.ServerId;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * How the runtime-wide duties (recovery, the reminder poller) wake a server: in a single JVM by delivering to the
 * local activation; with a placement engine, by asking the server's owner to.
 */
interface Wakes {

    /**
     * Activates {@code id} (load or init); {@code done} gets {@code null} or the failure. With {@code ifNoState}
     * a server that is not active and has a stored state is left alone.
     */
    void start(TypeRuntime<?, ?> type, ServerId id, boolean ifNoState, Consumer<Throwable> done);

    /** Activates {@code id} and fires its due reminders; {@code done} runs once, whatever happened. */
    void remind(TypeRuntime<?, ?> type, ServerId id, Runnable done);

    /** The wakes of a single JVM: straight to the local activation. */
    static Wakes local(Dispatcher dispatcher) {
        return new Wakes() {
            @Override
            public void start(TypeRuntime<?, ?> type, ServerId id, boolean ifNoState, Consumer<Throwable> done) {
                CompletableFuture<Void> started = new CompletableFuture<>();
                started.whenComplete((v, ex) -> done.accept(ex));
                dispatcher.redeliver(type, id, null, new Envelope.Start(started, ifNoState));
            }

            @Override
            public void remind(TypeRuntime<?, ?> type, ServerId id, Runnable done) {
                dispatcher.redeliver(type, id, null, new Envelope.Remind(done));
            }
        };
    }
}
