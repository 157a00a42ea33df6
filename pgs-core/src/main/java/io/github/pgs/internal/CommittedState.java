package io.github.pgs.internal;

import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerId;
import io.github.pgs.StateMapping;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.TypeOptions;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;

import java.util.Arrays;

/**
 * The committed-state bookkeeping of one activation: the live state, the version it was loaded or last written
 * at, the bytes last written (to skip writes that change nothing), whether the live state differs from them, the
 * write-behind timer, and the durable reminders written with the state. Commit, write, discard and flush live
 * here; {@link DurablePath} calls them, the ephemeral path never does.
 *
 * <p>This is the superclass of {@link Activation} rather than an object it holds, so that the bookkeeping costs
 * no object header per active server (heap per active server is a benchmark figure). Everything here runs on the
 * activation's drain thread.
 *
 * <h2>Hazards</h2>
 * A failed write leaves it unknown whether the store took it, so the state is {@linkplain #discard discarded}:
 * the activation becomes STALE and its next message reloads, and the version fence decides what is true. A write
 * whose bytes equal the last written ones is skipped unless the reminders changed.
 */
abstract class CommittedState<A, S> {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    final ServerId id;
    final TypeRuntime<A, S> type;
    final Services rt;

    /** The live state; {@code null} unless loaded. */
    S live;
    /** The durable reminders; {@code null} while the server has none. */
    ActivationReminders reminders;
    private long version;
    private byte[] persisted;
    private boolean dirty;
    private Scheduler.Cancellable flushTimer;

    CommittedState(ServerId id, TypeRuntime<A, S> type, Services rt) {
        this.id = id;
        this.type = type;
        this.rt = rt;
    }

    /** Posts a runtime signal to this activation's mailbox. */
    abstract void post(Envelope.Signal signal);

    /** The state was discarded after a failed write: the activation must reload before its next message. */
    abstract void stateDiscarded();

    /** The loaded state is what the store holds at {@code stored}'s version. */
    final void loaded(S state, StoredState stored) {
        live = state;
        version = stored.version();
        persisted = stored.payload();
        dirty = false;
    }

    /**
     * {@code init} made a fresh state over what is stored at {@code storedVersion} (0, or a tombstone): it counts
     * as a change, so write-through persists it with the first commit and the other modes on their flush.
     */
    final void started(S state, long storedVersion) {
        live = state;
        version = storedVersion;
        persisted = null;
        dirty = true;
    }

    final long version() {
        return version;
    }

    final boolean dirty() {
        return dirty;
    }

    /** Forgets the live state and everything about it (the activation ended). */
    final void forget() {
        live = null;
        persisted = null;
        dirty = false;
        cancelFlush();
        if (reminders != null) {
            reminders.cancelTimer();
            reminders = null;
        }
    }

    // ---------------------------------------------------------------- the durable path's steps

    /** A handler's new state under the type's write mode; returns the failure to report, or {@code null}. */
    final PersistenceException commitDurably(boolean persist) {
        if (!persist) {
            dirty = true;
            return null;
        }
        TypeOptions opts = type.options();
        switch (opts.writeMode()) {
            case WRITE_THROUGH -> {
                try {
                    write(opts);
                } catch (RuntimeException ex) {
                    discard();
                    return new PersistenceException(id, ex);
                }
            }
            case WRITE_BEHIND -> {
                dirty = true;
                if (flushTimer == null) {
                    flushTimer = rt.scheduler.schedule(opts.writeBehindDelay(), () -> post(Envelope.Signal.FLUSH));
                }
            }
            case ON_PETRIFY -> dirty = true;
        }
        return null;
    }

    /** Writes the live state if it changed since the last write; throws what the write threw. */
    final void writeIfDirtyDurably() {
        if (live != null && dirty) {
            write(type.options());
        }
    }

    /** Writes the final state of a stop, unless its bytes are what is stored; throws what the write threw. */
    final void writeFinalDurably() {
        write(type.options());
    }

    /** The write-behind timer fired. A lost compare-and-set discards the state; another failure retries later. */
    final void flushDurably() {
        flushTimer = null;
        if (live == null || !dirty) {
            return;
        }
        try {
            write(type.options());
        } catch (VersionConflictException ex) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of " + id + " lost to a newer version; reloading", ex);
            discard();
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of " + id + " failed; retrying", ex);
            flushTimer = rt.scheduler.schedule(type.options().writeBehindDelay(), () -> post(Envelope.Signal.FLUSH));
        }
    }

    /** Writes a tombstone over what is stored (nothing if nothing ever was); returns the failure, or null. */
    final GenServerException wipeDurably() {
        if (version == 0) {
            return null;
        }
        RuntimeObserver o = rt.observer;
        long started = o == null ? 0 : rt.time.nanoTime();
        Object context = o == null ? null : o.storeStarted(id, RuntimeObserver.StoreOp.DELETE);
        try {
            version = rt.storage.delete(id, version);
            if (o != null) {
                storeEnded(o, context, RuntimeObserver.StoreOp.DELETE, started, 0, null);
            }
            return null;
        } catch (RuntimeException ex) {
            if (o != null) {
                storeEnded(o, context, RuntimeObserver.StoreOp.DELETE, started, 0, ex);
            }
            return new PersistenceException(id, ex);
        }
    }

    /** Encodes the live state and writes it (with the reminders) if it differs from what is stored. */
    @SuppressWarnings("unchecked")
    private void write(TypeOptions opts) {
        StateMapping<S, Object> m = (StateMapping<S, Object>) type.spec().stateMapping();
        byte[] bytes;
        try {
            Object p = m != null ? m.toPersisted(live) : live;
            bytes = rt.codec.encode(p, type.persistedType());
        } catch (CodecException ex) {
            throw ex;
        } catch (Throwable t) {
            // user code (the mapping, a getter the codec calls) failed: a typed error for the caller, whatever it was
            throw new CodecException(id, "the state could not be mapped or encoded: " + t, t);
        }
        boolean remindersChanged = reminders != null && reminders.changed();
        if (!remindersChanged && persisted != null && Arrays.equals(bytes, persisted)) {
            dirty = false;
            return;
        }
        if (bytes.length > opts.maxStateBytes()) {
            throw new StateTooLargeException(id, bytes.length, opts.maxStateBytes());
        }
        byte[] r = reminders == null ? null : reminders.encode();
        long due = r == null ? 0 : reminders.nextDueMillis();
        StateWrite w = new StateWrite(id, version, bytes, opts.schemaVersion(), opts.historyDepth(), r, due);
        RuntimeObserver o = rt.observer;
        if (o == null) {
            version = rt.storage.save(w);
        } else {
            long started = rt.time.nanoTime();
            Object context = o.storeStarted(id, RuntimeObserver.StoreOp.WRITE);
            try {
                version = rt.storage.save(w);
            } catch (RuntimeException ex) {
                storeEnded(o, context, RuntimeObserver.StoreOp.WRITE, started, bytes.length, ex);
                throw ex;
            }
            storeEnded(o, context, RuntimeObserver.StoreOp.WRITE, started, bytes.length, null);
        }
        persisted = bytes;
        dirty = false;
        type.stats.writes.increment();
        if (reminders != null) {
            reminders.written();
        }
        if (r != null) {
            rt.dueWatch.written(due);
        }
    }

    private void storeEnded(RuntimeObserver o, Object context, RuntimeObserver.StoreOp op, long started, int size,
                            RuntimeException failure) {
        RuntimeObserver.StoreOutcome outcome = failure == null ? RuntimeObserver.StoreOutcome.OK
                : failure instanceof VersionConflictException ? RuntimeObserver.StoreOutcome.CONFLICT
                : RuntimeObserver.StoreOutcome.ERROR;
        o.storeEnded(context, id, op, rt.storeLabel, rt.time.nanoTime() - started, outcome, size, failure);
    }

    /** Forgets the in-memory state after a failed write; the next message reloads from storage. */
    final void discard() {
        forget();
        type.stats.writeFailures.increment();
        stateDiscarded();
    }

    final void cancelFlush() {
        if (flushTimer != null) {
            flushTimer.cancel();
            flushTimer = null;
        }
    }
}
