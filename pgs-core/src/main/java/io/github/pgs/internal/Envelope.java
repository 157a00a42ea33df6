package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.StopReason;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** What travels through a mailbox: user messages (which count against its capacity) and system signals. */
sealed interface Envelope permits CallEnvelope, Envelope.Cast, Envelope.StopRequest, Envelope.Start,
        Envelope.TimerFired, Envelope.Remind, Envelope.Signal {

    /** Whether this message counts against the mailbox capacity. */
    default boolean counted() {
        return true;
    }

    /** Fails whoever waits for {@code e} with {@code error} (a cast is dropped, a signal ignored). */
    static void fail(Envelope e, GenServerException error) {
        switch (e) {
            case CallEnvelope<?> c -> c.failNow(error);
            case StopRequest r -> r.done().completeExceptionally(error);
            case Start s -> s.done().completeExceptionally(error);
            case Cast c -> System.getLogger("io.github.pgs").log(System.Logger.Level.DEBUG,
                    "dropped a message to " + error.serverId() + ": " + error.getMessage());
            case Signal s -> {
            }
            case TimerFired t -> {
            }
            case Remind r -> r.done().run();
        }
    }

    /** Fails {@code current} (if any) and everything in {@code rest} with {@code error}. */
    static void failAll(Envelope current, List<Envelope> rest, GenServerException error) {
        if (current != null) {
            fail(current, error);
        }
        for (Envelope e : rest) {
            fail(e, error);
        }
    }

    /**
     * A cast ({@code info == false}) or an info message; {@code trace} is the sender's observer context
     * ({@code null} when nobody observes).
     */
    record Cast(Object message, boolean info, Object trace) implements Envelope {
        Cast(Object message, boolean info) {
            this(message, info, null);
        }
    }

    /** A stop asked for through the ref; {@code done} completes when the server has stopped. */
    record StopRequest(StopReason reason, CompletableFuture<Void> done) implements Envelope {
    }

    /**
     * Activate now (start, eager restart, recovery); {@code done} completes when the server is active. With
     * {@code ifNoState}, a server that is not active and finds a stored state is not activated ({@code done}
     * fails): recovery's marker pass uses it for servers its listing of stored states already covered.
     */
    record Start(CompletableFuture<Void> done, boolean ifNoState) implements Envelope {
        Start(CompletableFuture<Void> done) {
            this(done, false);
        }

        @Override
        public boolean counted() {
            return false;
        }
    }

    /** A volatile timer set through {@code ServerContext} fired. */
    record TimerFired(ActivationTimers.Timer timer) implements Envelope {
        @Override
        public boolean counted() {
            return false;
        }
    }

    /**
     * The reminder poller found this (petrified) server's reminders due: activate and fire them. {@code done}
     * runs exactly when the envelope is handled or dropped (it may run more than once; it must be idempotent).
     */
    record Remind(Runnable done) implements Envelope {
        @Override
        public boolean counted() {
            return false;
        }
    }

    /** Runtime signals, never refused for capacity. */
    enum Signal implements Envelope {
        /** The idle timer fired: petrify if idle long enough. */
        IDLE_CHECK,
        /** The write-behind timer fired: write the dirty state. */
        FLUSH,
        /** Petrify after the messages queued before this signal (an explicit petrify). */
        PETRIFY_NOW,
        /** Petrify for runtime close: as {@link #PETRIFY_NOW}, but a failed write does not keep the server. */
        SHUTDOWN,
        /** The activation's reminder timer fired: deliver what is due. */
        REMINDERS_DUE;

        @Override
        public boolean counted() {
            return false;
        }
    }
}
