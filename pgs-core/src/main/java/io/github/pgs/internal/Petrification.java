package io.github.pgs.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Petrification of one activation, on its drain thread: the idle check, the idle timer, and the petrify itself.
 *
 * <h2>Algorithm</h2>
 * The idle timer only posts {@link Envelope.Signal#IDLE_CHECK}; the check runs on the drain thread like any
 * message, and petrifies when the server was idle for the whole timeout (a pending keep-alive timer counts as
 * activity). Petrifying moves to PETRIFYING (which still accepts messages) under the activation's monitor, writes
 * what is dirty outside it, and then, under the monitor again, moves to DEAD only if nothing made it stay (see
 * {@link PetrifyMode}); otherwise it goes back to ACTIVE and handles what arrived. A DEAD activation refuses
 * offers, so a fresh one can only start after this one has persisted and left.
 *
 * <h2>Hazards</h2>
 * The decision to leave and the mailbox check it depends on happen in one monitor block
 * ({@link Activation#leave}); a write that fails keeps the server (and its state) unless the runtime closes. An
 * asked petrify reports its outcome to whoever waits for it ({@link Activation#askPetrify}).
 */
final class Petrification {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    private Petrification() {
    }

    static void idleCheck(Activation<?, ?> a) {
        a.idleTimer = null;
        if (!a.rt.path.petrifies(a.type.options())) {
            return;
        }
        long idle = a.type.options().idleTimeout().toNanos();
        long elapsed = a.rt.time.nanoTime() - a.lastActivity;
        if (a.timers != null && a.timers.keepAlive()) {
            elapsed = 0; // a pending keep-alive timer counts as activity
        }
        if (elapsed < idle) {
            a.idleTimer = a.rt.scheduler.schedule(Duration.ofNanos(idle - elapsed),
                    () -> a.post(Envelope.Signal.IDLE_CHECK));
            return;
        }
        petrify(a, PetrifyMode.IDLE);
    }

    static void scheduleIdle(Activation<?, ?> a) {
        if (a.rt.path.petrifies(a.type.options())) {
            a.idleTimer = a.rt.scheduler.schedule(a.type.options().idleTimeout(),
                    () -> a.post(Envelope.Signal.IDLE_CHECK));
        }
    }

    /** Persists what is dirty and leaves the registry; see {@link PetrifyMode} for what each mode gives up on. */
    static void petrify(Activation<?, ?> a, PetrifyMode mode) {
        Lifecycle from;
        CompletableFuture<Boolean> outcome = null;
        synchronized (a) {
            if (mode == PetrifyMode.ASKED) {
                a.petrifyQueued = false;
                outcome = a.asked;
                a.asked = null;
            }
            from = a.phase();
            if (from.ended() || (mode == PetrifyMode.IDLE && !a.mailbox.isEmpty())) {
                from = null;
            } else if (from == Lifecycle.ACTIVE) {
                a.moveTo(Lifecycle.PETRIFYING);
            }
        }
        if (from == null) {
            if (a.idleTimer == null && a.phase().accepts()) {
                scheduleIdle(a);
            }
            if (outcome != null) {
                outcome.complete(!a.phase().accepts());
            }
            return;
        }
        RuntimeException failure = null;
        if (from == Lifecycle.ACTIVE) {
            try {
                a.rt.path.writeIfDirty(a);
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
        Ending how = new Ending.Petrified(mode);
        List<Envelope> rest = null;
        synchronized (a) {
            boolean stay = failure != null ? mode != PetrifyMode.SHUTDOWN
                    : mode == PetrifyMode.IDLE && !a.mailbox.isEmpty();
            if (!stay) {
                rest = a.leave(how);
            } else if (a.phase() == Lifecycle.PETRIFYING) {
                a.moveTo(Lifecycle.ACTIVE);
            }
        }
        if (rest == null) {
            if (a.rt.observer != null) {
                a.rt.takeAskedFor(a); // it stays: whoever asks next is who the observer hears of
            }
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "petrify of " + a.id + " could not persist; staying active",
                        failure);
            }
            if (a.idleTimer == null) {
                scheduleIdle(a);
            }
            if (outcome != null) {
                outcome.complete(false);
            }
            return;
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.ERROR, "petrify of " + a.id + " during shutdown could not persist; "
                    + "changes since the last write are lost", failure);
            a.type.stats.writeFailures.increment();
            a.rt.dispatcher.petrifyFailed(a.id, failure);
        }
        Ending.finish(a, how, null, rest);
        if (outcome != null) {
            outcome.complete(true);
        }
    }
}
