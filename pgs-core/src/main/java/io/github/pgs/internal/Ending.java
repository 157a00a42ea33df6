package io.github.pgs.internal;

import io.github.pgs.GenServerException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.StopReason;
import io.github.pgs.spi.RuntimeObserver;

import java.util.List;

/**
 * How an activation ended: the one description {@link Activation#end} acts on. What happens to the messages still
 * queued, which counter moves, what listeners hear and whether the activation leaves the registry all follow
 * from it, in one place: {@link #finish}.
 */
sealed interface Ending {

    System.Logger LOG = System.getLogger("io.github.pgs");

    /** Persisted and left: idle, asked (operator, eviction, hand-off) or at runtime close. */
    record Petrified(PetrifyMode mode) implements Ending {
    }

    /** Stopped by a {@code Stop} result or a stop request, normal or with an error reason. */
    record Stopped(StopReason reason) implements Ending {
    }

    /** A handler (or the runtime itself) threw {@code reason.cause()}. */
    record Crashed(StopReason reason) implements Ending {
    }

    /** Never became active: loading the state or {@code init} failed, or {@code init} refused. */
    record Refused(GenServerException error) implements Ending {
    }

    /** Stays in the registry as a quarantine marker; messages fail fast with {@code error}. */
    record Quarantined(QuarantinedException error, Why why) implements Ending {
    }

    /** Why a server is quarantined, which decides whether it is recorded and counted. */
    enum Why {
        /** Crashed (or failed to start) past its restart intensity: counted, told, and recorded in the store. */
        CRASH_LOOP,
        /** Its stored state cannot be read by this code: counted and told, not recorded (new code may read it). */
        UNREADABLE,
        /** A runtime recorded the quarantine before: only the marker, nothing new to count or tell. */
        RECORDED
    }

    /**
     * Everything an ending does once the activation's phase is final and its mailbox taken ({@code rest}), in one
     * order for every kind of ending: timers and the remember-active marker go (a shutdown keeps the marker), the
     * state is forgotten, the activation leaves the registry (a quarantine marker stays), the queued messages go
     * to the next activation (petrify: only what was not for this one alone) or fail with the ending's error, the
     * counters and listeners hear of it, and whoever waits for the departure is told.
     */
    static void finish(Activation<?, ?> a, Ending how, Envelope current, List<Envelope> rest) {
        a.clearUp(how instanceof Petrified p && p.mode() == PetrifyMode.SHUTDOWN);
        if (!(how instanceof Quarantined)) {
            a.rt.dispatcher.removed(a);
        }
        switch (how) {
            case Petrified p -> {
                a.type.stats.petrifications.increment();
                for (Envelope e : rest) {
                    if (e.counted() || e instanceof Envelope.Start || e instanceof Envelope.Remind) {
                        a.rt.dispatcher.redeliver(a.type, a.id, a.args, e); // signals were for this one alone
                    }
                }
            }
            case Stopped s -> rest.forEach(e -> a.rt.dispatcher.redeliver(a.type, a.id, a.args, e));
            case Crashed c -> rest.forEach(e -> a.rt.dispatcher.redeliver(a.type, a.id, a.args, e));
            case Refused r -> Envelope.failAll(current, rest, r.error());
            case Quarantined q -> {
                if (q.why() == Why.CRASH_LOOP) {
                    a.rt.path.recordQuarantine(a.id, q.error().lastFailure());
                }
                if (q.why() != Why.RECORDED) {
                    a.type.stats.quarantines.increment();
                    LOG.log(System.Logger.Level.ERROR, q.error().getMessage(), q.error().getCause());
                }
                if (a.rt.observer != null) {
                    // a marker here, also for one recorded earlier; counted before a caller hears of it
                    a.rt.observer.quarantined(a.id, q.error().lastFailure());
                }
                Envelope.failAll(current, rest, q.error());
                if (q.why() != Why.RECORDED) {
                    a.rt.listeners.tell(new Listeners.Quarantined(a.id, q.error().lastFailure()));
                }
            }
        }
        RuntimeObserver o = a.rt.observer;
        if (o != null) {
            RuntimeObserver.PetrifyCause asked = a.rt.takeAskedFor(a); // forgotten whatever the ending
            if (how instanceof Petrified p) {
                o.petrified(a.id, switch (p.mode()) {
                    case IDLE -> RuntimeObserver.PetrifyCause.IDLE;
                    case SHUTDOWN -> RuntimeObserver.PetrifyCause.SHUTDOWN;
                    case ASKED -> asked;
                });
            }
            if (a.announced) {
                a.announced = false;
                o.deactivated(a.id); // after the ending's own event (petrified, stopped, crashed, quarantined)
            }
        }
        if (!(how instanceof Quarantined)) {
            a.rt.departed(a.id); // the engine hears it before a hand-off that waits for it completes
        }
        a.signalGone(how);
    }
}
