package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.GenServerException;
import io.github.pgs.QuarantineAction;
import io.github.pgs.ServerId;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * What an operator (or the type's automatic quarantine action, or the TTL sweep) does to one server: release its
 * quarantine, roll its state back, reset it, petrify it and wait until it has left, delete an expired state. Each
 * store change is one method here, used by every caller: {@link #rollBackStored} and {@link #wipeStored} serve
 * the operator's rollback and reset, the automatic action and the admin's deletion alike.
 *
 * <h2>Hazards</h2>
 * A store change must not race an activation holding the old state, so the operator actions first
 * {@linkplain #quiesce quiesce} the server (petrify it and wait for its departure). A message may activate it again
 * right after; that activation holds the old version, so the version fence rejects its next write (it reloads).
 * A quarantined server stays put while its state changes: it holds no state, and the release follows.
 */
final class Operations {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /** The pause before asking again a server that could not persist to petrify. */
    private static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Services rt;
    private final Dispatcher dispatcher;

    Operations(Services rt, Dispatcher dispatcher) {
        this.rt = rt;
        this.dispatcher = dispatcher;
    }

    /**
     * Lifts a quarantine, in memory and in the store: the next message activates the server again from its stored
     * state.
     *
     * @throws io.github.pgs.StorageException if the recorded quarantine cannot be deleted (it then stays)
     */
    boolean release(ServerId id) {
        boolean recorded = rt.path.clearQuarantine(id);
        rt.crashes.forget(id);
        if (dispatcher.releaseQuarantine(id) | recorded) {
            rt.listeners.tell(new Listeners.Released(id));
            return true;
        }
        return false;
    }

    /**
     * Petrifies {@code id} if it is active here and waits until it has left, at most {@code timeout}; a message
     * that activates it again meanwhile makes it petrify that one too, and a petrify that cannot persist is asked
     * for again (it stays active until then). A quarantined server stays put. The timeout is real time, like the
     * shutdown timeout it comes from: it bounds real work (writes), which a frozen manual clock must not stretch.
     *
     * @throws CallTimeoutException if it is still active after {@code timeout}
     */
    void quiesce(ServerId id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Activation<?, ?> a;
        while ((a = dispatcher.get(id)) != null && a.phase().accepts()) {
            long remaining = deadline - System.nanoTime();
            boolean gone;
            try {
                gone = a.askPetrify().get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw new CallTimeoutException(id, timeout);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GenServerException(id, "interrupted while waiting for the server to petrify", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a petrify outcome never fails", e);
            }
            if (!gone) {
                LockSupport.parkNanos(RETRY_PAUSE_NANOS); // it could not persist: ask again, not in a tight loop
            }
        }
    }

    /**
     * Replaces the state of {@code id} by the one {@code stepsBack} versions ago (1 = the previous one) as a new
     * version, and lifts a quarantine. An active server is petrified first, where it lives ({@code router}).
     */
    long rollback(Router router, ServerId id, TypeOptions opts, int stepsBack, Duration timeout) {
        if (stepsBack < 1) {
            throw new IllegalArgumentException("stepsBack must be >= 1: " + stepsBack);
        }
        router.petrifyAndWait(id, timeout);
        long v = rollBack(rt.storage, id, stepsBack, opts.historyDepth());
        router.release(id);
        return v;
    }

    /**
     * Wipes the state of {@code id} (a tombstone) and lifts a quarantine: the next message starts it fresh. The
     * server is petrified and released where it lives ({@code router}: here, or on its owner's node).
     */
    void reset(Router router, ServerId id, Duration timeout) {
        router.petrifyAndWait(id, timeout);
        wipeStored(id);
        router.release(id);
    }

    /**
     * Writes the state {@code id} had {@code stepsBack} kept versions ago as its newest version, keeping
     * {@code depth} replaced states (negative: one more than kept now, so nothing kept is lost).
     *
     * @throws IllegalArgumentException if fewer versions are kept
     */
    static long rollBack(Storage storage, ServerId id, int stepsBack, int depth) {
        List<StoredState> h = storage.history(id);
        if (stepsBack > h.size()) {
            throw new IllegalArgumentException(id + " keeps " + h.size() + " older versions; cannot go back "
                    + stepsBack);
        }
        return rollBackStored(storage, id, h.get(stepsBack - 1), depth < 0 ? h.size() + 1 : depth);
    }

    /** Writes an older state as the newest version; the server's reminders stay as they are. */
    static long rollBackStored(Storage storage, ServerId id, StoredState target, int depth) {
        StoredState current = storage.load(id);
        return storage.save(new StateWrite(id, current.version(), target.payload(), target.schemaVersion(), depth,
                current.reminders(), current.remindAtMillis()));
    }

    /** Writes a tombstone over the stored state of {@code id}, whatever its version (nothing if none is stored). */
    void wipeStored(ServerId id) {
        long current = rt.storage.load(id).version();
        if (current > 0) {
            rt.storage.delete(id, current);
        }
    }

    /**
     * Applies the type's automatic quarantine action on the crashing server's own thread; returns whether the
     * state was rolled back or reset (so the server need not stay quarantined).
     */
    boolean recoverAutomatically(TypeRuntime<?, ?> type, ServerId id, String lastFailure) {
        TypeOptions opts = type.options();
        if (opts.onQuarantine() == QuarantineAction.WAIT_FOR_OPERATOR) {
            return false;
        }
        try {
            if (opts.onQuarantine() == QuarantineAction.ROLLBACK) {
                List<StoredState> h = rt.storage.history(id);
                if (h.isEmpty()) {
                    return false;
                }
                rollBackStored(rt.storage, id, h.get(0), opts.historyDepth());
            } else {
                wipeStored(id);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "automatic " + opts.onQuarantine() + " of " + id + " failed", e);
            return false;
        }
        rt.crashes.forget(id);
        type.stats.quarantines.increment();
        LOG.log(System.Logger.Level.WARNING, id + " crashed past its restart intensity (last: " + lastFailure
                + "); applied " + opts.onQuarantine());
        rt.listeners.tell(new Listeners.Quarantined(id, lastFailure));
        rt.listeners.tell(new Listeners.Released(id));
        if (rt.observer != null) {
            rt.observer.quarantined(id, lastFailure); // and at once released by the type's action
            rt.observer.released(id);
        }
        return true;
    }
}
