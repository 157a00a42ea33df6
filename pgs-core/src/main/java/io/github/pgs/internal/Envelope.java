package io.github.pgs.internal;

import io.github.pgs.StopReason;

import java.util.concurrent.CompletableFuture;

/** What travels through a mailbox: user messages (which count against its capacity) and system signals. */
sealed interface Envelope permits CallEnvelope, Envelope.Cast, Envelope.StopRequest, Envelope.Start,
        Envelope.TimerFired, Envelope.Remind, Envelope.Signal {

    /** Whether this message counts against the mailbox capacity. */
    default boolean counted() {
        return true;
    }

    /** A cast ({@code info == false}) or an info message. */
    record Cast(Object message, boolean info) implements Envelope {
    }

    /** A stop asked for through the ref; {@code done} completes when the server has stopped. */
    record StopRequest(StopReason reason, CompletableFuture<Void> done) implements Envelope {
    }

    /** Activate now (start, eager restart, recovery); {@code done} completes when the server is active. */
    record Start(CompletableFuture<Void> done) implements Envelope {
        @Override
        public boolean counted() {
            return false;
        }
    }

    /** A volatile timer set through {@code ServerContext} fired. */
    record TimerFired(Activation.Timer timer) implements Envelope {
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
