package io.github.pgs.internal;

import io.github.pgs.CodecException;
import io.github.pgs.GenServerException;
import io.github.pgs.Init;
import io.github.pgs.InitRejectedException;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.StateMapping;
import io.github.pgs.StateUpcaster;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.StoredState;

/**
 * Activation: loads the stored state into a NEW or STALE activation, or runs {@code init} when there is none.
 * A server whose quarantine an earlier runtime recorded ({@link Quarantines}) is quarantined at once instead.
 *
 * <p>Failures end the activation: a store or {@code init} failure refuses the message that came (and everything
 * queued; the next message tries again), a state that cannot be read (undecodable, of a newer schema, corrupt
 * reminders) quarantines the server at once and leaves the stored bytes untouched. Older schema versions are
 * brought up to date through the type's upcasters on the codec's generic document; the stored bytes are not
 * touched, the next write stores the new version.
 */
final class Loader {

    private Loader() {
    }

    /** Loads (or initialises) {@code a} for {@code current}; returns whether it is now active. */
    static <A, S> boolean load(Activation<A, S> a, Envelope current) {
        StoredState stored = null;
        try {
            Quarantines.Entry held = a.rt.path.heldQuarantine(a.id);
            if (held == null) {
                stored = a.rt.observer == null || a.rt.storage == null ? a.rt.path.load(a.id) : observedLoad(a);
                held = stored == null ? a.rt.path.recordedQuarantine(a.id) : null;
            }
            if (held != null || stored == null) {
                // quarantined by an earlier runtime or on another node: fail fast, as it did, before a handler runs
                String lastFailure = held != null ? held.lastFailure() : "a recorded quarantine";
                a.end(new Ending.Quarantined(new QuarantinedException(a.id, lastFailure, null), Ending.Why.RECORDED),
                        current);
                return false;
            }
        } catch (RuntimeException ex) {
            a.end(new Ending.Refused(ex instanceof GenServerException g ? g
                    : new GenServerException(a.id, "loading state failed", ex)), current);
            return false;
        }
        TypeOptions opts = a.type.options();
        try {
            a.behaviour = a.type.newBehaviour();
        } catch (RuntimeException ex) {
            a.end(Turns.refusal(a, new InitRejectedException(a.id, StopReason.crash(ex)), true), current);
            return false;
        }
        if (current instanceof Envelope.Remind && !stored.hasPayload()) {
            // the state (and with it the reminder) was wiped after the poller saw it: nothing to wake
            a.end(new Ending.Refused(new NoSuchServerException(a.id)), current);
            return false;
        }
        if (current instanceof Envelope.Start st && st.ifNoState() && stored.hasPayload()) {
            // recovery's listing of stored states covered this server (and its revival, if it failed, stays failed)
            a.end(new Ending.Refused(new GenServerException(a.id, "has a stored state: revived by its listing")),
                    current);
            return false;
        }
        if (stored.hasPayload()) {
            return revive(a, current, stored, opts);
        }
        return init(a, current, stored);
    }

    /** The load, told to the observer as a store read (inside the turn that needed it, when there is one). */
    private static StoredState observedLoad(Activation<?, ?> a) {
        RuntimeObserver o = a.rt.observer;
        long started = a.rt.time.nanoTime();
        Object context = o.storeStarted(a.id, RuntimeObserver.StoreOp.READ);
        StoredState stored = null;
        RuntimeException failure = null;
        try {
            stored = a.rt.path.load(a.id);
            return stored;
        } catch (RuntimeException ex) {
            failure = ex;
            throw ex;
        } finally {
            // a null state: a recorded quarantine holds the server (the read, if any, succeeded)
            RuntimeObserver.StoreOutcome outcome = failure != null ? RuntimeObserver.StoreOutcome.ERROR
                    : stored == null || stored.hasPayload() ? RuntimeObserver.StoreOutcome.OK
                    : RuntimeObserver.StoreOutcome.ABSENT;
            o.storeEnded(context, a.id, RuntimeObserver.StoreOp.READ, a.rt.storeLabel, a.rt.time.nanoTime() - started,
                    outcome, stored != null && stored.hasPayload() ? stored.payload().length : 0, failure);
        }
    }

    private static <A, S> boolean revive(Activation<A, S> a, Envelope current, StoredState stored, TypeOptions opts) {
        if (stored.schemaVersion() > opts.schemaVersion()) {
            return quarantine(a, current, new QuarantinedException(a.id, "stored state has schema version "
                    + stored.schemaVersion() + ", newer than this code's " + opts.schemaVersion(), null));
        }
        S state;
        try {
            state = decode(a, upcast(a, stored.payload(), stored.schemaVersion(), opts.schemaVersion()));
        } catch (RuntimeException ex) {
            return quarantine(a, current, new QuarantinedException(a.id,
                    "stored state (version " + stored.version() + ") cannot be decoded: " + ex.getMessage(), ex));
        }
        ActivationReminders reminders;
        try {
            reminders = ActivationReminders.ofStored(stored.reminders());
        } catch (IllegalArgumentException ex) {
            return quarantine(a, current, new QuarantinedException(a.id, "stored reminders (version "
                    + stored.version() + ") cannot be decoded: " + ex.getMessage(), ex));
        }
        a.loaded(state, stored);
        a.reminders = reminders;
        a.type.stats.revivals.increment();
        a.becomeActive();
        a.announce(RuntimeObserver.ActivationKind.REVIVAL);
        return true;
    }

    private static <A, S> boolean init(Activation<A, S> a, Envelope current, StoredState stored) {
        Init<S> init;
        try {
            A args = a.args != null ? a.args : a.type.argsFor(a.id.key());
            init = a.behaviour.init(args);
            if (init == null) {
                throw new IllegalStateException("init returned null");
            }
        } catch (Throwable t) {
            a.end(Turns.refusal(a, new InitRejectedException(a.id, StopReason.crash(t)), true), current);
            return false;
        }
        switch (init) {
            case Init.Ok<S> ok -> {
                a.started(ok.state(), stored.version());
                a.reminders = null;
                a.type.stats.activations.increment();
                a.becomeActive();
                a.announce(RuntimeObserver.ActivationKind.INIT);
                if (ok.continueWith() != null) {
                    Turns.runContinue(a, ok.continueWith());
                    if (!a.phase().loaded()) {
                        // the follow-up crashed, stopped or lost its write: the message goes where it now belongs
                        a.rt.dispatcher.redeliver(a.type, a.id, a.args, current);
                        return false;
                    }
                }
                return true;
            }
            case Init.Refuse<S> r -> a.end(new Ending.Refused(new InitRejectedException(a.id, r.reason())), current);
            case Init.Ignore<S> i -> a.end(new Ending.Refused(new InitRejectedException(a.id, null)), current);
        }
        return false;
    }

    private static boolean quarantine(Activation<?, ?> a, Envelope current, QuarantinedException q) {
        a.behaviour = null;
        a.end(new Ending.Quarantined(q, Ending.Why.UNREADABLE), current);
        return false;
    }

    private static byte[] upcast(Activation<?, ?> a, byte[] payload, int from, int to) {
        if (from >= to || from == 0) {
            return payload;
        }
        Object doc = a.rt.codec.decode(payload, Object.class, a.rt.refs);
        for (int v = from; v < to; v++) {
            StateUpcaster up = a.type.spec().upcaster(v);
            if (up == null) {
                throw new CodecException(a.id, "stored state has schema version " + from + " and no upcaster from "
                        + "version " + v + " to " + (v + 1) + " is registered", null);
            }
            doc = up.upcast(doc);
        }
        return a.rt.codec.encode(doc, Object.class);
    }

    @SuppressWarnings("unchecked")
    private static <A, S> S decode(Activation<A, S> a, byte[] payload) {
        Object p = a.rt.codec.decode(payload, a.type.persistedType(), a.rt.refs);
        StateMapping<S, Object> m = (StateMapping<S, Object>) a.type.spec().stateMapping();
        S s = m != null ? m.fromPersisted(p) : (S) p;
        if (s == null) {
            throw new CodecException(a.id, "stored state decoded to null", null);
        }
        return s;
    }
}
