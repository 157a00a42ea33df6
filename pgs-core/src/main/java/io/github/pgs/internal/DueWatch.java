package io.github.pgs.internal;

import java.util.function.LongConsumer;

/**
 * What activations need to know about durable reminders at the runtime level: whether the store keeps them, how
 * late a tick may be, and whom to tell when a server writes an earlier reminder (the poller, while this runtime
 * runs it: the poller is one of the duties that can move to another node).
 */
final class DueWatch {

    private final boolean supported;
    private final long graceMillis;
    private volatile LongConsumer poller;

    DueWatch(boolean supported, long graceMillis) {
        this.supported = supported;
        this.graceMillis = graceMillis;
    }

    boolean supported() {
        return supported;
    }

    long graceMillis() {
        return graceMillis;
    }

    /** A server wrote reminders due at {@code remindAtMillis}. */
    void written(long remindAtMillis) {
        LongConsumer p = poller;
        if (p != null) {
            p.accept(remindAtMillis);
        }
    }

    /** The running poller (or {@code null} when it stops). */
    void poller(LongConsumer p) {
        poller = p;
    }
}
