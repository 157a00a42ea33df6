package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.TimerRef;
import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The volatile timers a handler set through {@code ServerContext} ({@code sendAfter}, {@code sendInterval}): each
 * posts a {@link Envelope.TimerFired} when due, which becomes a {@code handleInfo} turn. They die with the
 * activation. Made when a server first sets one. The list is touched by the drain thread only; a timer's own
 * {@code active} flag may be cleared from any thread (a {@link TimerRef} can be cancelled anywhere).
 */
final class ActivationTimers {

    private final List<Timer> timers = new ArrayList<>(2);

    /** One volatile timer. */
    static final class Timer implements TimerRef {
        private final Activation<?, ?> owner;
        final Object message;
        /** The observer's context of the turn that set it: the origin of the turns it fires; {@code null}: none. */
        final Object origin;
        private final Duration delay;
        private final boolean periodic;
        private final boolean keepsAlive;
        private volatile boolean active = true;
        private volatile Scheduler.Cancellable handle;

        Timer(Activation<?, ?> owner, Object message, Duration delay, boolean periodic, boolean keepsAlive,
              Object origin) {
            this.owner = owner;
            this.message = message;
            this.origin = origin;
            this.delay = delay;
            this.periodic = periodic;
            this.keepsAlive = keepsAlive;
        }

        private void schedule() {
            handle = owner.rt.scheduler.schedule(delay, () -> {
                if (active) {
                    try {
                        owner.offer(new Envelope.TimerFired(this));
                    } catch (GenServerException ignored) {
                        // quarantined or full: a volatile timer is best effort
                    }
                }
            });
        }

        @Override
        public boolean cancel() {
            if (!active) {
                return false;
            }
            active = false;
            Scheduler.Cancellable h = handle;
            if (h != null) {
                h.cancel();
            }
            return true;
        }

        @Override
        public boolean isActive() {
            return active;
        }
    }

    Timer start(Activation<?, ?> owner, Object message, Duration delay, boolean periodic, boolean keepsAlive,
                Object origin) {
        Timer t = new Timer(owner, message, delay, periodic, keepsAlive, origin);
        if (timers.size() >= 8) {
            timers.removeIf(x -> !x.active); // cancelled ones, so that set-and-cancel loops keep the list short
        }
        timers.add(t);
        t.schedule();
        return t;
    }

    /**
     * A timer's message arrived: whether it is still one of ours and active. A periodic timer is scheduled again,
     * a one-shot one is done.
     */
    boolean fired(Timer t) {
        if (!t.active || !timers.contains(t)) {
            return false;
        }
        if (t.periodic) {
            t.schedule();
        } else {
            t.active = false;
            timers.remove(t);
        }
        return true;
    }

    /** Whether a pending timer holds off petrification. */
    boolean keepAlive() {
        timers.removeIf(t -> !t.active);
        for (Timer t : timers) {
            if (t.keepsAlive) {
                return true;
            }
        }
        return false;
    }

    void cancelAll() {
        timers.forEach(Timer::cancel);
        timers.clear();
    }
}
