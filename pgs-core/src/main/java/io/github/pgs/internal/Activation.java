package io.github.pgs.internal;

import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerId;
import io.github.pgs.StopReason;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Scheduler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One activation of one server: its mailbox, the loop that feeds messages to the behaviour, and its lifecycle.
 *
 * <h2>Algorithm</h2>
 * Senders {@link #offer} an envelope under this object's monitor. If no drain is scheduled, the sender starts one:
 * {@link #run()} on a virtual thread of the runtime's {@link DrainPool}, taking envelopes one at a time until the
 * mailbox is empty, and then returning the thread to the pool. So an active but idle server holds no thread, only
 * this object, and one message is handled at a time. The first message loads the state or runs {@code init}
 * ({@link Loader}); every handler result is then committed according to the type's write mode before its reply
 * is released ({@link Turns}, {@link CommittedState}).
 *
 * <h2>One state machine</h2>
 * The phase ({@link Lifecycle}) changes only in {@link #moveTo}, under the monitor, together with the mailbox
 * check it depends on. Every way an activation ends (petrified, stopped, crashed, refused, quarantined) is one
 * {@link Ending} and goes through {@link #end} (or, when the decision needs the monitor, {@link #leave} then
 * {@link #finish}): what happens to the messages still queued, the counters, the listeners, the registry and the
 * one {@link #departure()} signal all follow from that description in one place.
 *
 * <h2>Petrify without races</h2>
 * The idle timer only posts {@link Envelope.Signal#IDLE_CHECK}; the check runs on the drain thread like any
 * message. Petrifying moves to PETRIFYING (which still accepts messages), writes what is dirty, and then, under
 * the monitor, moves to DEAD only if the mailbox is still empty; otherwise it goes back to ACTIVE and handles what
 * arrived. A DEAD activation refuses offers; the sender removes it from the registry (if it is still there) and
 * retries on a fresh activation, which therefore loads only after this one has persisted. Never both, never
 * neither.
 *
 * <h2>Hazards</h2>
 * State outside the monitor (the live state, the bookkeeping, timers) is touched only by the drain thread; the
 * monitor hand-off between drains orders successive drains. The drain thread is forgotten under the monitor in the
 * same step that lets the next sender start a new drain ({@link #endDrain}): forgetting it later could erase the
 * next drain's thread, whose handlers would then run without their server's context. A handler that never
 * returns keeps its drain thread forever: its callers time out, other servers are unaffected.
 */
final class Activation<A, S> extends CommittedState<A, S> implements Runnable {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The activation whose drain runs on this thread, for {@code ServerContext.current()}. */
    private static final ThreadLocal<Activation<?, ?>> CURRENT = new ThreadLocal<>();

    final A args;

    // Guarded by this; phase and drainThread are volatile so that the drain thread and queries read them freely.
    ArrayDeque<Envelope> mailbox;
    private int counted;
    private boolean scheduled;
    private volatile Lifecycle phase = Lifecycle.NEW;
    private volatile Thread drainThread;
    private QuarantinedException quarantine;
    boolean petrifyQueued;
    CompletableFuture<Boolean> asked; // the outcome of the asked petrify queued now, if someone waits for it
    private boolean departed;
    private CompletableFuture<Ending> departure; // made when someone waits for it

    // Owned by the drain thread.
    GenServer<A, S> behaviour;
    boolean inTurn;
    List<Runnable> held;
    long lastActivity;
    Scheduler.Cancellable idleTimer;
    ActivationTimers timers;
    private long markerVersion = -1;
    /** Whether the observer was told this activation became active (so it is told once that it left). */
    boolean announced;

    Activation(Services rt, TypeRuntime<A, S> type, ServerId id, A args) {
        super(id, type, rt);
        this.args = args;
    }

    // ---------------------------------------------------------------- senders' side

    /**
     * Queues {@code e}. Returns {@code false} if this activation is dead (the sender retries on a fresh one).
     *
     * @throws QuarantinedException if quarantined
     * @throws MailboxFullException if the mailbox holds its capacity of counted messages
     */
    boolean offer(Envelope e) {
        boolean start = false;
        synchronized (this) {
            Lifecycle p = phase;
            if (p == Lifecycle.QUARANTINED) {
                throw quarantine;
            }
            if (p == Lifecycle.DEAD) {
                return false;
            }
            if (e.counted()) {
                int capacity = type.options().mailboxCapacity();
                if (counted >= capacity) {
                    throw new MailboxFullException(id, capacity);
                }
                counted++;
            }
            if (mailbox == null) {
                mailbox = new ArrayDeque<>(4);
            }
            mailbox.add(e);
            if (!scheduled) {
                scheduled = true;
                start = true;
            }
        }
        if (start) {
            rt.dispatcher.startDrain(this);
        }
        return true;
    }

    /**
     * Posts a runtime signal; ignored once the activation has ended. Petrify requests coalesce: at most one waits
     * in the mailbox, however often it is asked for.
     */
    @Override
    void post(Envelope.Signal s) {
        if (s == Envelope.Signal.PETRIFY_NOW) {
            synchronized (this) {
                if (petrifyQueued) {
                    return;
                }
                petrifyQueued = true;
            }
        }
        try {
            offer(s);
        } catch (QuarantinedException ignored) {
            // a quarantined server has nothing to petrify or flush
        }
    }

    /**
     * Asks for a petrify after the messages queued now (coalesced with one already asked for) and returns its
     * outcome: {@code true} once this activation has left, {@code false} if it could not persist and stays.
     */
    CompletableFuture<Boolean> askPetrify() {
        CompletableFuture<Boolean> outcome;
        synchronized (this) {
            if (!phase.accepts()) {
                return CompletableFuture.completedFuture(phase == Lifecycle.DEAD);
            }
            if (asked == null) {
                asked = new CompletableFuture<>();
            }
            outcome = asked;
        }
        post(Envelope.Signal.PETRIFY_NOW);
        return outcome;
    }

    Lifecycle phase() {
        return phase;
    }

    /** Whether this server is active with nothing queued or running (a candidate for eviction). */
    synchronized boolean isIdle() {
        return phase == Lifecycle.ACTIVE && !scheduled && (mailbox == null || mailbox.isEmpty());
    }

    /** Whether a petrify request waits in the mailbox. */
    synchronized boolean petrifyPending() {
        return petrifyQueued && phase.accepts();
    }

    /** Monotonic time of the last message; read racily by the evictor, for ordering only. */
    long lastActivity() {
        return lastActivity;
    }

    /** Whether the calling thread is this server's drain thread, inside a handler. */
    boolean holdsTurn() {
        return inTurn && drainThread == Thread.currentThread();
    }

    boolean onDrainThread() {
        return drainThread == Thread.currentThread();
    }

    /** Holds a reply until the current turn's state is durable. */
    boolean holdReply(Runnable deliver) {
        if (held == null) {
            held = new ArrayList<>(2);
        }
        held.add(deliver);
        return true;
    }

    /**
     * Completes once this activation has left the registry (after persisting, for a petrify) with how it ended;
     * a quarantine marker departs when it is released. One signal per activation, made only when asked for.
     */
    CompletableFuture<Ending> departure() {
        synchronized (this) {
            if (departure == null) {
                departure = new CompletableFuture<>();
                if (departed) {
                    departure.complete(new Ending.Petrified(PetrifyMode.ASKED));
                }
            }
            return departure;
        }
    }

    /** Lifts the quarantine this activation marks; the caller then drops it from the registry. */
    boolean release() {
        CompletableFuture<Ending> signal;
        synchronized (this) {
            if (phase != Lifecycle.QUARANTINED) {
                return false;
            }
            moveTo(Lifecycle.DEAD);
            departed = true;
            signal = departure;
        }
        if (signal != null) {
            signal.complete(new Ending.Quarantined(quarantine, Ending.Why.RECORDED));
        }
        return true;
    }

    QuarantinedException quarantine() {
        return quarantine;
    }

    /** The one place the phase changes; always under the monitor. */
    void moveTo(Lifecycle next) {
        assert Thread.holdsLock(this);
        phase = phase.check(next);
    }

    // ---------------------------------------------------------------- the drain loop

    @Override
    public void run() {
        drainThread = Thread.currentThread();
        CURRENT.set(this);
        try {
            while (true) {
                Envelope e;
                int waiting;
                synchronized (this) {
                    if (phase.ended() || (e = mailbox.poll()) == null) {
                        endDrain();
                        return;
                    }
                    if (e.counted()) {
                        counted--;
                    }
                    waiting = mailbox.size();
                }
                handle(e, waiting);
            }
        } catch (Throwable t) {
            // Only a bug in the runtime can get here; never leave the server wedged with scheduled == true.
            LOG.log(System.Logger.Level.ERROR, "runtime failure in server " + id, t);
            end(Turns.crashEnding(this, StopReason.crash(t), t), null);
            synchronized (this) {
                endDrain();
            }
        } finally {
            CURRENT.remove();
            rt.dispatcher.drainEnded();
        }
    }

    /** Ends this drain, under the monitor (see the class comment). */
    private void endDrain() {
        drainThread = null;
        scheduled = false;
    }

    private void handle(Envelope e, int waiting) {
        if (e instanceof Envelope.Signal s) {
            switch (s) {
                case IDLE_CHECK -> Petrification.idleCheck(this);
                case FLUSH -> rt.path.flush(this);
                case PETRIFY_NOW -> Petrification.petrify(this, PetrifyMode.ASKED);
                case SHUTDOWN -> Petrification.petrify(this, PetrifyMode.SHUTDOWN);
                case REMINDERS_DUE -> {
                    if (reminders != null) {
                        reminders.timerFired();
                    }
                    if (phase.loaded()) {
                        Turns.fireDueReminders(this);
                    }
                }
            }
            armReminderTimer();
            return;
        }
        ObservedTurn observed = rt.observer == null ? null : switch (e) {
            case CallEnvelope<?> c -> ObservedTurn.open(this, RuntimeObserver.Kind.CALL, c.request.getClass(),
                    c.trace, waiting);
            case Envelope.Cast c -> ObservedTurn.open(this, c.info() ? RuntimeObserver.Kind.INFO
                    : RuntimeObserver.Kind.CAST, c.message().getClass(), c.trace(), waiting);
            default -> null; // starts, stops, timers and reminders: timers and reminders are turns of their own
        };
        try {
            if (!phase.loaded() && !Loader.load(this, e)) {
                return;
            }
            try {
                Turns.handle(this, e);
            } finally {
                armReminderTimer();
            }
        } finally {
            if (observed != null) {
                observed.close();
            }
        }
    }

    /** Tells the observer (if any) that this activation became active, once per activation. */
    void announce(RuntimeObserver.ActivationKind kind) {
        RuntimeObserver o = rt.observer;
        if (o != null && !announced) {
            announced = true;
            o.activated(id, kind);
        }
    }

    /** The state is loaded (or made by {@code init}): from NEW or STALE to ACTIVE. */
    void becomeActive() {
        synchronized (this) {
            moveTo(Lifecycle.ACTIVE);
        }
        lastActivity = rt.time.nanoTime();
        if (idleTimer == null) {
            Petrification.scheduleIdle(this);
        }
        if (markerVersion < 0) {
            markerVersion = rt.path.markActive(id, type.options());
        }
    }

    @Override
    void stateDiscarded() {
        synchronized (this) {
            moveTo(Lifecycle.STALE);
        }
    }

    /** Arms (or cancels) the timer of the earliest reminder, after a turn changed them; idempotent. */
    void armReminderTimer() {
        if (reminders != null) {
            if (phase.loaded()) {
                reminders.armTimer(rt.scheduler, rt.time.currentTimeMillis(),
                        () -> post(Envelope.Signal.REMINDERS_DUE));
            } else {
                reminders.cancelTimer();
            }
        }
    }

    // ---------------------------------------------------------------- the one ending

    /** Ends this activation as {@code how}; {@code current} is the message being handled, if any. */
    void end(Ending how, Envelope current) {
        ObservedTurn observed = ObservedTurn.current(this);
        if (observed != null) {
            observed.ended(how);
        }
        List<Envelope> rest;
        synchronized (this) {
            rest = leave(how);
        }
        if (rest != null) {
            Ending.finish(this, how, current, rest);
        }
    }

    /**
     * The first half of an ending, under the monitor: the final phase, and the messages still queued taken out.
     * Returns {@code null} if this activation had already ended.
     */
    List<Envelope> leave(Ending how) {
        assert Thread.holdsLock(this);
        if (phase.ended()) {
            return null;
        }
        if (how instanceof Ending.Quarantined q) {
            quarantine = q.error();
            moveTo(Lifecycle.QUARANTINED);
        } else {
            moveTo(Lifecycle.DEAD);
        }
        List<Envelope> rest = mailbox == null || mailbox.isEmpty() ? List.of() : new ArrayList<>(mailbox);
        if (mailbox != null) {
            mailbox.clear();
        }
        counted = 0;
        return rest; // the drain loop ends itself (endDrain) once it sees the final phase
    }

    /** Cancels the idle timer and the volatile timers, and drops the remember-active marker unless told to keep it. */
    void clearUp(boolean keepMarker) {
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        if (timers != null) {
            timers.cancelAll();
            timers = null;
        }
        if (!keepMarker) {
            rt.path.unmarkActive(id, markerVersion); // not active any more: recovery must not revive it
            markerVersion = -1;
        }
        behaviour = null;
        forget();
    }

    /** Completes whoever waits for this activation to leave: an asked petrify's outcome, and the departure. */
    void signalGone(Ending how) {
        CompletableFuture<Boolean> outcome;
        CompletableFuture<Ending> signal = null;
        synchronized (this) {
            outcome = asked;
            asked = null;
            if (!(how instanceof Ending.Quarantined)) {
                departed = true;
                signal = departure;
            }
        }
        if (outcome != null) {
            outcome.complete(true); // whatever ended it, it is not live any more
        }
        if (signal != null) {
            signal.complete(how);
        }
    }

    // ---------------------------------------------------------------- the handler's turn (see HandlerScope)

    /** The activation whose handler runs on this thread right now, or {@code null}. */
    static Activation<?, ?> current() {
        Activation<?, ?> a = CURRENT.get();
        return a != null && a.inTurn ? a : null;
    }

    Registry.Target target() {
        return new Registry.Target(rt.registry, type, id, args);
    }

    /** Whether a volatile timer's message is still due (it was not cancelled, and the activation is the same). */
    boolean timerDue(ActivationTimers.Timer t) {
        return timers != null && timers.fired(t);
    }

    /** The volatile timers, made on first use. */
    ActivationTimers timers() {
        if (timers == null) {
            timers = new ActivationTimers();
        }
        return timers;
    }

    @Override
    public String toString() {
        return "Activation[" + id + ", " + phase + "]";
    }
}
