package io.github.pgs.internal;

import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.GenServerException;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.NoReply;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ReminderFired;
import io.github.pgs.Reply;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.Stop;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.RuntimeObserver;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * What one message does to an active server, on its drain thread: the handler runs, and its result is committed
 * before the reply is released (persist-then-reply), or the server stops or crashes.
 *
 * <h2>Persist-then-reply</h2>
 * Replies a handler gives through {@code From} during its turn are held ({@link Activation#holdReply}) until the
 * turn's state is committed; a failed commit fails the caller with a {@link PersistenceException}, drops the held
 * replies (their callers time out, as they would had the server crashed before answering) and discards the state,
 * so the next message reloads. A stop writes the final state (unless the policy wipes it), runs {@code terminate},
 * wipes if the policy says so, leaves, tells the listeners, and only then answers anyone. A crash keeps only what
 * was already persisted, and its caller hears of it once its consequences (wipe, quarantine, restart) are in place.
 */
final class Turns {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    private Turns() {
    }

    /** Handles a user message or a lifecycle envelope (the state is loaded). */
    static <A, S> void handle(Activation<A, S> a, Envelope e) {
        switch (e) {
            case Envelope.Start st -> st.done().complete(null);
            case CallEnvelope<?> c -> {
                a.lastActivity = a.rt.time.nanoTime();
                call(a, c);
            }
            case Envelope.Cast c -> {
                a.lastActivity = a.rt.time.nanoTime();
                cast(a, c);
            }
            case Envelope.StopRequest r -> stop(a, StopOrder.requested(r, a.live));
            case Envelope.TimerFired f -> {
                if (a.timerDue(f.timer())) {
                    a.lastActivity = a.rt.time.nanoTime();
                    ObservedTurn observed = ObservedTurn.open(a, RuntimeObserver.Kind.TIMER,
                            f.timer().message.getClass(), f.timer().origin, 0);
                    try {
                        cast(a, new Envelope.Cast(f.timer().message, true));
                    } finally {
                        if (observed != null) {
                            observed.close();
                        }
                    }
                }
            }
            case Envelope.Remind r -> {
                fireDueReminders(a);
                r.done().run();
            }
            case Envelope.Signal s -> throw new IllegalStateException("unreachable: " + s);
        }
    }

    private static <A, S> void call(Activation<A, S> a, CallEnvelope<?> c) {
        c.ownedBy(a);
        CallResult<S> r = invoke(a, "handleCall", () -> a.behaviour.handleCall(c.request, c, a.live), c);
        switch (r) {
            case null -> { }
            case Reply<S> rep -> proceed(a, c, rep);
            case NoReply<S> nr -> proceed(a, c, nr);
            case Stop<S> st -> stop(a, StopOrder.of(st, c));
        }
    }

    static <A, S> void cast(Activation<A, S> a, Envelope.Cast c) {
        applyCastResult(a, c.info()
                ? invoke(a, "handleInfo", () -> a.behaviour.handleInfo(c.message(), a.live), null)
                : invoke(a, "handleCast", () -> a.behaviour.handleCast(c.message(), a.live), null));
    }

    /** Runs {@code handleContinue} (after {@code init}, or after a result's {@code thenContinue}). */
    static <A, S> void runContinue(Activation<A, S> a, Object message) {
        applyCastResult(a, invoke(a, "handleContinue", () -> a.behaviour.handleContinue(message, a.live), null));
    }

    /** Runs one handler; a throw (or a null result) crashes the server and yields {@code null}. */
    private static <R> R invoke(Activation<?, ?> a, String handler, Supplier<R> call, CallEnvelope<?> caller) {
        a.inTurn = true;
        try {
            R r = call.get();
            if (r == null) {
                throw new IllegalStateException(handler + " returned null");
            }
            return r;
        } catch (Throwable t) {
            a.inTurn = false;
            crash(a, t, caller);
            return null;
        } finally {
            a.inTurn = false;
        }
    }

    private static <A, S> void applyCastResult(Activation<A, S> a, CastResult<S> r) {
        switch (r) {
            case null -> { }
            case NoReply<S> nr -> proceed(a, null, nr);
            case Stop<S> st -> stop(a, StopOrder.of(st, null));
        }
    }

    /**
     * Commits a continuing handler's state, then (only if that succeeded) arms the reminder timer, answers the
     * caller, releases held replies and runs the follow-up. A failed commit fails the caller and drops the held
     * replies.
     */
    private static <A, S> void proceed(Activation<A, S> a, CallEnvelope<?> caller, CallResult<S> result) {
        a.live = result.state();
        PersistenceException failed = a.rt.path.commit(a, result.persist());
        if (failed != null) {
            ObservedTurn observed = ObservedTurn.current(a);
            if (observed != null) {
                observed.failed(failed);
            }
            if (caller != null) {
                caller.failNow(failed);
            } else {
                LOG.log(System.Logger.Level.WARNING, failed.getMessage());
            }
            releaseHeld(a, failed);
            return;
        }
        a.armReminderTimer(); // before anyone hears of the turn, so that moving the clock next fires it on time
        Object continueWith = null;
        switch (result) {
            case Reply<S> rep -> {
                caller.completeNow(rep.reply());
                continueWith = rep.continueWith();
            }
            case NoReply<S> nr -> continueWith = nr.continueWith();
            default -> throw new IllegalStateException("unreachable: " + result);
        }
        releaseHeld(a, null);
        if (continueWith != null) {
            runContinue(a, continueWith);
        }
    }

    private static void releaseHeld(Activation<?, ?> a, RuntimeException failure) {
        List<Runnable> h = a.held;
        if (h == null) {
            return;
        }
        a.held = null;
        if (failure == null) {
            h.forEach(Runnable::run);
        }
    }

    /**
     * Stops the server: writes the final state (unless the policy wipes it), runs {@code terminate}, wipes if the
     * policy says so, leaves the registry, tells the listeners, and only then answers the caller and the requester.
     */
    static <A, S> void stop(Activation<A, S> a, StopOrder<S> o) {
        a.live = o.finalState();
        boolean wipe = wipes(a.type.options().lifecycle(), o.reason().isNormal());
        GenServerException failure = null;
        if (!wipe && o.persist()) {
            try {
                a.rt.path.writeFinal(a);
            } catch (RuntimeException ex) {
                failure = new PersistenceException(a.id, ex);
            }
        }
        terminate(a, o.reason());
        if (wipe && failure == null) {
            failure = a.rt.path.wipe(a);
        }
        if (a.rt.observer != null) {
            a.rt.observer.stopped(a.id, o.reason());
        }
        a.end(new Ending.Stopped(o.reason()), null);
        a.type.stats.stops.increment();
        a.rt.listeners.tell(new Listeners.Stopped(a.id, o.reason())); // before any answer: a monitor never lags
        o.answer(a.id, failure);
        releaseHeld(a, failure);
    }

    private static boolean wipes(LifecyclePolicy policy, boolean normal) {
        return switch (policy) {
            case TEMPORARY -> true;
            case TRANSIENT -> normal;
            case PERMANENT -> false;
        };
    }

    private static <A, S> void crash(Activation<A, S> a, Throwable cause, CallEnvelope<?> caller) {
        a.type.stats.crashes.increment();
        ObservedTurn observed = ObservedTurn.current(a);
        if (observed != null) {
            observed.crashed(cause); // a crash, even when it also quarantines the server
        }
        LOG.log(System.Logger.Level.WARNING, "server " + a.id + " crashed", cause);
        StopReason reason = StopReason.crash(cause);
        a.held = null; // replies given by the crashed handler depend on a state that is not kept
        terminate(a, reason);
        if (a.type.options().lifecycle() == LifecyclePolicy.TEMPORARY) {
            GenServerException f = a.rt.path.wipe(a);
            if (f != null) {
                LOG.log(System.Logger.Level.WARNING, "could not wipe crashed temporary server " + a.id, f);
            }
        }
        Ending how = crashEnding(a, reason, cause);
        if (a.rt.observer != null) {
            a.rt.observer.crashed(a.id, cause);
        }
        a.end(how, null);
        a.rt.listeners.tell(new Listeners.Stopped(a.id, reason));
        if (how instanceof Ending.Crashed && a.type.options().lifecycle() == LifecyclePolicy.PERMANENT) {
            a.rt.dispatcher.restartEagerly(a.type, a.id, a.args);
        }
        if (caller != null) {
            caller.failNow(new ServerCrashedException(a.id, cause));
        }
    }

    /**
     * How a crash ends the activation: {@link Ending.Crashed}, or {@link Ending.Quarantined} when it is one crash
     * too many within the restart window and the type's automatic action (rollback, reset) does not apply.
     */
    static Ending crashEnding(Activation<?, ?> a, StopReason reason, Throwable cause) {
        TypeOptions opts = a.type.options();
        Quarantines.Entry elsewhere = a.rt.path.recordedElsewhere(a.id);
        if (elsewhere != null) {
            return new Ending.Quarantined(new QuarantinedException(a.id, elsewhere.lastFailure(), cause),
                    Ending.Why.RECORDED);
        }
        if (a.rt.path.pastRestartIntensity(a.id, opts, a.rt.time.nanoTime())
                && !a.rt.dispatcher.operations.recoverAutomatically(a.type, a.id, reason.detail())) {
            return new Ending.Quarantined(new QuarantinedException(a.id, "crashed more than " + opts.maxRestarts()
                    + " times within " + opts.restartWindow() + "; last: " + reason.detail(), cause),
                    Ending.Why.CRASH_LOOP);
        }
        return new Ending.Crashed(reason);
    }

    /**
     * How a failed start ends the activation: refused with {@code error}, or quarantined when the failure counts as
     * a crash (init threw) and it is one too many within the restart window.
     */
    static Ending refusal(Activation<?, ?> a, GenServerException error, boolean countsAsCrash) {
        if (countsAsCrash) {
            a.type.stats.crashes.increment();
            if (a.rt.observer != null) {
                a.rt.observer.crashed(a.id, error.getCause() != null ? error.getCause() : error);
            }
            TypeOptions opts = a.type.options();
            if (a.rt.path.pastRestartIntensity(a.id, opts, a.rt.time.nanoTime())) {
                return new Ending.Quarantined(new QuarantinedException(a.id, "failed to start more than "
                        + opts.maxRestarts() + " times within " + opts.restartWindow() + "; last: "
                        + error.getMessage(), error), Ending.Why.CRASH_LOOP);
            }
        }
        return new Ending.Refused(error);
    }

    private static <A, S> void terminate(Activation<A, S> a, StopReason reason) {
        if (a.behaviour == null || a.live == null) {
            return;
        }
        try {
            a.behaviour.terminate(reason, a.live);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "terminate of " + a.id + " threw; ignored", t);
        }
    }

    /**
     * Delivers every due reminder, one turn each, oldest first. Each turn's commit carries the reminder set with
     * that tick taken (and nothing later), so a crash or a failed write leaves the rest stored as due: they fire
     * again (at least once). Skipped ticks are written with the next commit.
     */
    static <A, S> void fireDueReminders(Activation<A, S> a) {
        long grace = a.rt.dueWatch.graceMillis();
        while (a.reminders != null && a.phase().loaded()) {
            long now = a.rt.time.currentTimeMillis();
            ReminderSet.Tick tick = a.reminders.takeNextDue(now, grace);
            if (tick == null) {
                break;
            }
            RuntimeObserver o = a.rt.observer;
            if (o != null) {
                o.reminderFired(a.id, Math.max(0, now - tick.dueMillis()), tick.deliver());
            }
            if (tick.deliver()) {
                a.lastActivity = a.rt.time.nanoTime();
                a.type.stats.remindersFired.increment();
                ObservedTurn observed = o == null ? null : ObservedTurn.open(a, RuntimeObserver.Kind.REMINDER,
                        ReminderFired.class, tick.origin() == null ? null : o.extract(tick.origin()::get), 0);
                try {
                    cast(a, new Envelope.Cast(new ReminderFired(tick.name(), Instant.ofEpochMilli(tick.dueMillis()),
                            Instant.ofEpochMilli(now)), true));
                } finally {
                    if (observed != null) {
                        observed.close();
                    }
                }
            }
        }
        if (a.reminders != null && a.reminders.changed() && a.phase().loaded()) {
            PersistenceException failed = a.rt.path.commit(a, true); // only skipped ticks are left to write
            if (failed != null) {
                LOG.log(System.Logger.Level.WARNING, failed.getMessage());
            }
        }
    }
}
