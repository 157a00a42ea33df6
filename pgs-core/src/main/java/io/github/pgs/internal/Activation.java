package io.github.pgs.internal;

import io.github.pgs.CallResult;
import io.github.pgs.CastResult;
import io.github.pgs.CodecException;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.Init;
import io.github.pgs.InitRejectedException;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.MailboxFullException;
import io.github.pgs.NoReply;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.Reply;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerStoppedException;
import io.github.pgs.StateMapping;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.Stop;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.VersionConflictException;
import io.github.pgs.WriteMode;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One activation of one server: its mailbox, its state and the loop that feeds messages to the behaviour.
 *
 * <h2>Algorithm</h2>
 * Senders {@link #offer} an envelope under this object's monitor. If no drain is scheduled, the sender starts one:
 * {@link #run()} on a virtual thread of the registry's {@link DrainPool}, taking envelopes one at a time until the
 * mailbox is empty, and then returning the thread to the pool. So an active but idle server holds no thread, only
 * this object, and one message is handled at a time.
 * The first message loads the state (or runs {@code init}); every handler result is then committed according to
 * the type's {@link WriteMode} before its reply is released (persist-then-reply): replies that handlers give
 * through {@code From} during a turn are held in {@link #held} until the commit succeeds.
 *
 * <h2>Petrify without races</h2>
 * The idle timer only posts {@link Envelope.Signal#IDLE_CHECK}; the check runs on the drain thread like any
 * message. Petrifying moves to {@link Lifecycle#PETRIFYING} (which still accepts messages), writes what is dirty,
 * and then, under the monitor, moves to {@link Lifecycle#DEAD} only if the mailbox is still empty; otherwise the
 * activation goes back to ACTIVE and handles what arrived. A DEAD activation refuses offers; the sender removes
 * it from the registry (if it is still there) and retries on a fresh activation, which therefore loads only
 * after this one has persisted. Never both, never neither.
 *
 * <h2>Hazards</h2>
 * Everything outside the monitor ({@link #live}, {@link #version}, {@link #persisted}, timers) is touched only by
 * the drain thread; the monitor hand-off between drains orders successive drains. A handler that never returns
 * keeps its drain thread forever: its callers time out, other servers are unaffected. A failed write discards the
 * in-memory state ({@link #discard}); the next message reloads, so the version fence decides what is true.
 */
public final class Activation<A, S> implements Runnable {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");
    /** The activation whose drain runs on this thread, for {@code ServerContext.current()}. */
    private static final ThreadLocal<Activation<?, ?>> CURRENT = new ThreadLocal<>();

    final Registry registry;
    final TypeRuntime<A, S> type;
    final ServerId id;
    private final A args;

    // Guarded by this.
    private ArrayDeque<Envelope> mailbox;
    private int counted;
    private boolean scheduled;
    private Lifecycle phase = Lifecycle.NEW;
    private GenServerException quarantine;
    private boolean petrifyQueued;

    // Owned by the drain thread.
    private volatile Thread thread;
    private boolean inTurn;
    private List<Runnable> held;
    private GenServer<A, S> behaviour;
    private S live;
    private boolean loaded;
    private long version;
    private byte[] persisted;
    private boolean dirty;
    private long lastActivity;
    private Scheduler.Cancellable idleTimer;
    private Scheduler.Cancellable flushTimer;
    private long markerVersion = -1;
    private List<Timer> timers;
    private ReminderSet reminders;
    private boolean remindersDirty;
    private boolean reminderTimerStale;
    private Scheduler.Cancellable reminderTimer;

    Activation(Registry registry, TypeRuntime<A, S> type, ServerId id, A args) {
        this.registry = registry;
        this.type = type;
        this.id = id;
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
            if (phase == Lifecycle.QUARANTINED) {
                throw quarantined();
            }
            if (!phase.accepts()) {
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
            registry.startDrain(this);
        }
        return true;
    }

    /**
     * Posts a runtime signal; ignored once the activation is dead or quarantined. Petrify requests coalesce: at
     * most one waits in the mailbox, however often it is asked for.
     */
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

    synchronized Lifecycle phase() {
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
        return inTurn && thread == Thread.currentThread();
    }

    boolean onDrainThread() {
        return thread == Thread.currentThread();
    }

    /** Holds a reply until the current turn's state is durable. */
    boolean holdReply(Runnable deliver) {
        if (held == null) {
            held = new ArrayList<>(2);
        }
        held.add(deliver);
        return true;
    }

    private QuarantinedException quarantined() {
        return quarantine instanceof QuarantinedException q ? q
                : new QuarantinedException(id, String.valueOf(quarantine), quarantine);
    }

    /** Marks a quarantine marker released; the registry then drops it. */
    synchronized boolean release() {
        if (phase != Lifecycle.QUARANTINED) {
            return false;
        }
        phase = phase.check(Lifecycle.DEAD);
        return true;
    }

    // ---------------------------------------------------------------- the drain loop

    @Override
    public void run() {
        thread = Thread.currentThread();
        CURRENT.set(this);
        try {
            while (true) {
                Envelope e;
                synchronized (this) {
                    if (phase == Lifecycle.DEAD || phase == Lifecycle.QUARANTINED) {
                        endDrain();
                        return;
                    }
                    e = mailbox.poll();
                    if (e == null) {
                        endDrain();
                        return;
                    }
                    if (e.counted()) {
                        counted--;
                    }
                }
                handle(e);
            }
        } catch (Throwable t) {
            // Only a bug in the runtime can get here; never leave the server wedged with scheduled == true.
            LOG.log(System.Logger.Level.ERROR, "runtime failure in server " + id, t);
            die(StopReason.crash(t), true, null);
            synchronized (this) {
                endDrain();
            }
        } finally {
            CURRENT.remove();
            registry.drainEnded();
        }
    }

    /**
     * Ends this drain, under the monitor: the drain thread is forgotten in the same step that lets the next
     * sender start a new drain. Clearing it later (after the monitor is released) could clear the next drain's
     * thread instead, and that drain's handlers would run without their server's context.
     */
    private void endDrain() {
        thread = null;
        scheduled = false;
    }

    // ---------------------------------------------------------------- ServerContext support

    /** The activation whose handler runs on this thread right now, or {@code null}. */
    public static Activation<?, ?> current() {
        Activation<?, ?> a = CURRENT.get();
        return a != null && a.inTurn ? a : null;
    }

    /** This server's ref. */
    public io.github.pgs.ServerRef self() {
        return registry.refOf(type, id, args);
    }

    /** Sets a volatile timer; only called on the drain thread, from a handler. */
    public io.github.pgs.TimerRef timer(Object message, Duration delay, boolean periodic, boolean keepsAlive) {
        if (!holdsTurn()) {
            throw new IllegalStateException("timers can only be set by the server's own handler");
        }
        Timer t = new Timer(this, message, delay, periodic, keepsAlive);
        if (timers == null) {
            timers = new ArrayList<>(2);
        }
        timers.add(t);
        t.schedule();
        return t;
    }

    /** A volatile timer of one activation. */
    static final class Timer implements io.github.pgs.TimerRef {
        final Activation<?, ?> owner;
        final Object message;
        final Duration delay;
        final boolean periodic;
        final boolean keepsAlive;
        private volatile boolean active = true;
        private volatile Scheduler.Cancellable handle;

        Timer(Activation<?, ?> owner, Object message, Duration delay, boolean periodic, boolean keepsAlive) {
            this.owner = owner;
            this.message = message;
            this.delay = delay;
            this.periodic = periodic;
            this.keepsAlive = keepsAlive;
        }

        void schedule() {
            handle = owner.registry.scheduler.schedule(delay, () -> {
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

    private void timerFired(Envelope.TimerFired f) {
        Timer t = f.timer();
        if (!t.active || timers == null || !timers.contains(t)) {
            return;
        }
        if (t.periodic) {
            t.schedule();
        } else {
            t.active = false;
            timers.remove(t);
        }
        if (!loaded && !load(f)) {
            return;
        }
        lastActivity = registry.time.nanoTime();
        handleCast(new Envelope.Cast(t.message, true));
    }

    private boolean timerKeepsAlive() {
        if (timers == null) {
            return false;
        }
        timers.removeIf(t -> !t.active);
        for (Timer t : timers) {
            if (t.keepsAlive) {
                return true;
            }
        }
        return false;
    }

    private void handle(Envelope e) {
        if (e instanceof Envelope.Signal s) {
            switch (s) {
                case IDLE_CHECK -> idleCheck();
                case FLUSH -> flushTimerFired();
                case PETRIFY_NOW -> petrify(true, false);
                case SHUTDOWN -> petrify(true, true);
                case REMINDERS_DUE -> {
                    reminderTimer = null;
                    if (loaded) {
                        fireDueReminders();
                    }
                }
            }
            armReminderTimer();
            return;
        }
        if (!loaded && !load(e)) {
            return;
        }
        try {
            dispatch(e);
        } finally {
            armReminderTimer();
        }
    }

    private void dispatch(Envelope e) {
        switch (e) {
            case Envelope.Start st -> st.done().complete(null);
            case CallEnvelope<?> c -> {
                lastActivity = registry.time.nanoTime();
                handleCall(c);
            }
            case Envelope.Cast c -> {
                lastActivity = registry.time.nanoTime();
                handleCast(c);
            }
            case Envelope.StopRequest r -> stop(r.reason(), live, true, null, null, false, r);
            case Envelope.TimerFired f -> timerFired(f);
            case Envelope.Remind r -> {
                fireDueReminders();
                r.done().run();
            }
            case Envelope.Signal s -> throw new IllegalStateException("unreachable: " + s);
        }
    }

    // ---------------------------------------------------------------- activation: load or init

    /**
     * Loads the stored state, or runs {@code init} when there is none. On failure the activation dies (storage
     * or init failure: the next message tries again) or is quarantined (undecodable or too new state), and
     * {@code current} plus everything queued fail with the reason.
     */
    private boolean load(Envelope current) {
        StoredState stored = StoredState.ABSENT;
        if (registry.persistent) {
            try {
                stored = registry.loads.load(id);
            } catch (RuntimeException ex) {
                abort(current, ex instanceof GenServerException g ? g
                        : new GenServerException(id, "loading state failed", ex), false);
                return false;
            }
        }
        TypeOptions opts = type.options();
        try {
            behaviour = type.newBehaviour();
        } catch (RuntimeException ex) {
            abort(current, new InitRejectedException(id, StopReason.crash(ex)), true);
            return false;
        }
        if (current instanceof Envelope.Remind && !stored.hasPayload()) {
            // the state (and with it the reminder) was wiped after the poller saw it: nothing to wake
            abort(current, new io.github.pgs.NoSuchServerException(id), false);
            return false;
        }
        if (stored.hasPayload()) {
            if (stored.schemaVersion() > opts.schemaVersion()) {
                quarantineNow(current, new QuarantinedException(id, "stored state has schema version "
                        + stored.schemaVersion() + ", newer than this code's " + opts.schemaVersion(), null));
                return false;
            }
            try {
                live = decode(upcast(stored.payload(), stored.schemaVersion(), opts.schemaVersion()));
            } catch (RuntimeException ex) {
                quarantineNow(current, new QuarantinedException(id,
                        "stored state (version " + stored.version() + ") cannot be decoded: " + ex.getMessage(), ex));
                return false;
            }
            try {
                reminders = ReminderSet.decode(stored.reminders());
            } catch (IllegalArgumentException ex) {
                quarantineNow(current, new QuarantinedException(id, "stored reminders (version "
                        + stored.version() + ") cannot be decoded: " + ex.getMessage(), ex));
                return false;
            }
            remindersDirty = false;
            reminderTimerStale = true;
            version = stored.version();
            persisted = stored.payload();
            dirty = false;
            registry.stats.revived();
            becomeActive();
            return true;
        }
        version = stored.version();
        persisted = null;
        reminders = new ReminderSet();
        remindersDirty = false;
        Init<S> init;
        try {
            A a = args != null ? args : type.argsFor(id.key());
            init = behaviour.init(a);
            if (init == null) {
                throw new IllegalStateException("init returned null");
            }
        } catch (Throwable t) {
            abort(current, new InitRejectedException(id, StopReason.crash(t)), true);
            return false;
        }
        switch (init) {
            case Init.Ok<S> ok -> {
                live = ok.state();
                // A fresh state counts as a change: write-through persists it with the first commit, the
                // other modes on their flush.
                dirty = true;
                registry.stats.activated();
                becomeActive();
                if (ok.continueWith() != null) {
                    runContinue(ok.continueWith());
                    if (!loaded) {
                        // the follow-up crashed, stopped or lost its write: the message goes where it now belongs
                        registry.redeliver(type, id, args, current);
                        return false;
                    }
                }
                return true;
            }
            case Init.Refuse<S> r -> abort(current, new InitRejectedException(id, r.reason()), false);
            case Init.Ignore<S> i -> abort(current, new InitRejectedException(id, null), false);
        }
        return false;
    }

    /**
     * Brings a payload of an older schema version to the current one through the type's upcasters, on the codec's
     * generic document form. The stored bytes are not touched; the next write stores the new version.
     */
    private byte[] upcast(byte[] payload, int from, int to) {
        if (from >= to || from == 0) {
            return payload;
        }
        Object doc = registry.codec.decode(payload, Object.class, registry.refs);
        for (int v = from; v < to; v++) {
            io.github.pgs.StateUpcaster up = type.spec().upcaster(v);
            if (up == null) {
                throw new CodecException(id, "stored state has schema version " + from + " and no upcaster from "
                        + "version " + v + " to " + (v + 1) + " is registered", null);
            }
            doc = up.upcast(doc);
        }
        return registry.codec.encode(doc, Object.class);
    }

    @SuppressWarnings("unchecked")
    private S decode(byte[] payload) {
        Object p = registry.codec.decode(payload, type.persistedType(), registry.refs);
        StateMapping<S, Object> m = (StateMapping<S, Object>) type.spec().stateMapping();
        S s = m != null ? m.fromPersisted(p) : (S) p;
        if (s == null) {
            throw new CodecException(id, "stored state decoded to null", null);
        }
        return s;
    }

    private void becomeActive() {
        synchronized (this) {
            if (phase != Lifecycle.ACTIVE) {
                phase = phase.check(Lifecycle.ACTIVE); // a reload after a failed write is already ACTIVE
            }
        }
        loaded = true;
        lastActivity = registry.time.nanoTime();
        if (idleTimer == null) {
            scheduleIdle(type.options());
        }
        if (registry.persistent && type.options().rememberActive() && markerVersion < 0) {
            markerVersion = registry.markActive(id);
        }
    }

    /** Drops the remember-active marker: this server is no longer active (not called on shutdown). */
    private void unmark() {
        if (markerVersion >= 0) {
            registry.unmarkActive(id, markerVersion);
            markerVersion = -1;
        }
    }

    // ---------------------------------------------------------------- handlers

    private void handleCall(CallEnvelope<?> c) {
        c.ownedBy(this);
        CallResult<S> r = invoke("handleCall", () -> behaviour.handleCall(c.request, c, live), c);
        switch (r) {
            case null -> { }
            case Reply<S> rep -> proceed(c, rep.state(), rep.persist(), rep.reply(), true, rep.continueWith());
            case NoReply<S> nr -> proceed(c, nr.state(), nr.persist(), null, false, nr.continueWith());
            case Stop<S> st -> stop(st.reason(), st.state(), st.persist(), c, st.reply(), st.hasReply(), null);
        }
    }

    private void handleCast(Envelope.Cast c) {
        applyCastResult(c.info()
                ? invoke("handleInfo", () -> behaviour.handleInfo(c.message(), live), null)
                : invoke("handleCast", () -> behaviour.handleCast(c.message(), live), null));
    }

    private void runContinue(Object message) {
        applyCastResult(invoke("handleContinue", () -> behaviour.handleContinue(message, live), null));
    }

    /** Runs one handler; a throw (or a null result) crashes the server and yields {@code null}. */
    private <R> R invoke(String handler, java.util.function.Supplier<R> call, CallEnvelope<?> caller) {
        inTurn = true;
        try {
            R r = call.get();
            if (r == null) {
                throw new IllegalStateException(handler + " returned null");
            }
            return r;
        } catch (Throwable t) {
            inTurn = false;
            crash(t, caller);
            return null;
        } finally {
            inTurn = false;
        }
    }

    private void applyCastResult(CastResult<S> r) {
        switch (r) {
            case null -> { }
            case NoReply<S> nr -> proceed(null, nr.state(), nr.persist(), null, false, nr.continueWith());
            case Stop<S> st -> stop(st.reason(), st.state(), st.persist(), null, null, false, null);
        }
    }

    /**
     * Commits a continuing handler's state, then (only if that succeeded) answers the caller, releases held
     * replies and runs the follow-up. A failed commit fails the caller and drops the held replies.
     */
    private void proceed(CallEnvelope<?> caller, S state, boolean persist, Object reply, boolean hasReply,
                         Object continueWith) {
        PersistenceException failed = commit(state, persist);
        if (failed != null) {
            if (caller != null) {
                caller.failNow(failed);
            } else {
                LOG.log(System.Logger.Level.WARNING, failed.getMessage());
            }
            releaseHeld(failed);
            return;
        }
        if (hasReply) {
            caller.completeNow(reply);
        }
        releaseHeld(null);
        if (continueWith != null) {
            runContinue(continueWith);
        }
    }

    private void releaseHeld(RuntimeException failure) {
        List<Runnable> h = held;
        if (h == null) {
            return;
        }
        held = null;
        if (failure == null) {
            h.forEach(Runnable::run);
        }
        // On failure the held replies are dropped: their callers time out, as they would had the server crashed
        // before answering; nothing that depends on the discarded state is acknowledged.
    }

    // ---------------------------------------------------------------- commit (persist-then-reply)

    /** Applies a handler's new state; returns the failure to report, or {@code null}. */
    private PersistenceException commit(S next, boolean persist) {
        live = next;
        if (!registry.persistent) {
            return null;
        }
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
                    flushTimer = registry.scheduler.schedule(opts.writeBehindDelay(),
                            () -> post(Envelope.Signal.FLUSH));
                }
            }
            case ON_PETRIFY -> dirty = true;
        }
        return null;
    }

    /** Encodes the live state and writes it if it differs from what is stored. */
    @SuppressWarnings("unchecked")
    private void write(TypeOptions opts) {
        StateMapping<S, Object> m = (StateMapping<S, Object>) type.spec().stateMapping();
        byte[] bytes;
        try {
            Object p = m != null ? m.toPersisted(live) : live;
            bytes = registry.codec.encode(p, type.persistedType());
        } catch (CodecException ex) {
            throw ex;
        } catch (Throwable t) {
            // user code (the mapping, a getter the codec calls) failed: a typed error for the caller, whatever it was
            throw new CodecException(id, "the state could not be mapped or encoded: " + t, t);
        }
        if (!remindersDirty && persisted != null && Arrays.equals(bytes, persisted)) {
            dirty = false;
            return;
        }
        if (bytes.length > opts.maxStateBytes()) {
            throw new StateTooLargeException(id, bytes.length, opts.maxStateBytes());
        }
        byte[] r = reminders == null ? null : reminders.encode();
        version = registry.storage.save(new StateWrite(id, version, bytes, opts.schemaVersion(),
                opts.historyDepth(), r, r == null ? 0 : reminders.nextDueMillis()));
        persisted = bytes;
        dirty = false;
        remindersDirty = false;
        registry.stats.wrote();
        if (r != null) {
            registry.reminderWritten(reminders.nextDueMillis());
        }
    }

    /** Forgets the in-memory state after a failed write; the next message reloads from storage. */
    private void discard() {
        live = null;
        loaded = false;
        persisted = null;
        dirty = false;
        forgetReminders();
        cancelFlushTimer();
        registry.stats.writeFailed();
    }

    private void flushTimerFired() {
        flushTimer = null;
        if (!loaded || !dirty) {
            return;
        }
        try {
            write(type.options());
        } catch (VersionConflictException ex) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of " + id + " lost to a newer version; reloading", ex);
            discard();
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "write-behind of " + id + " failed; retrying", ex);
            flushTimer = registry.scheduler.schedule(type.options().writeBehindDelay(),
                    () -> post(Envelope.Signal.FLUSH));
        }
    }

    // ---------------------------------------------------------------- durable reminders

    /** The runtime's wall clock. */
    public long wallClockMillis() {
        return registry.time.currentTimeMillis();
    }

    /** Schedules (or replaces) a durable reminder; only called on the drain thread, from a handler. */
    public void remind(String name, long dueMillis, long periodMillis, io.github.pgs.MissedTicks missed) {
        requireReminders();
        reminders.put(name, dueMillis, periodMillis, missed);
        remindersDirty = true;
        reminderTimerStale = true;
    }

    /** Removes a durable reminder; whether there was one. */
    public boolean cancelReminder(String name) {
        requireReminders();
        boolean removed = reminders.remove(name);
        if (removed) {
            remindersDirty = true;
            reminderTimerStale = true;
        }
        return removed;
    }

    /** The durable reminders as they stand in this turn. */
    public java.util.Map<String, io.github.pgs.Reminder> reminders() {
        requireReminders();
        return reminders.view();
    }

    private void requireReminders() {
        if (!holdsTurn()) {
            throw new IllegalStateException("reminders can only be used by the server's own handler");
        }
        if (!registry.persistent) {
            throw new UnsupportedOperationException("durable reminders need a store; this runtime is ephemeral");
        }
        if (!registry.remindersSupported()) {
            throw new UnsupportedOperationException("the store " + registry.storage.getClass().getName()
                    + " keeps no reminders (it does not declare StorageCapability.REMINDERS)");
        }
        if (reminders == null) {
            reminders = new ReminderSet();
        }
    }

    /**
     * Delivers every due reminder, one turn each, oldest first. Each turn's commit carries the reminder set with
     * that tick taken (and nothing later), so a crash or a failed write leaves the rest stored as due: they fire
     * again (at least once). Skipped ticks are written with the next commit.
     */
    private void fireDueReminders() {
        if (reminders == null || reminders.isEmpty()) {
            return;
        }
        long grace = registry.reminderGraceMillis();
        while (loaded) {
            long now = registry.time.currentTimeMillis();
            ReminderSet.Tick tick = reminders.takeNextDue(now, grace);
            if (tick == null) {
                break;
            }
            remindersDirty = true;
            reminderTimerStale = true;
            if (tick.deliver()) {
                lastActivity = registry.time.nanoTime();
                registry.stats.reminderFired();
                handleCast(new Envelope.Cast(new io.github.pgs.ReminderFired(tick.name(),
                        java.time.Instant.ofEpochMilli(tick.dueMillis()), java.time.Instant.ofEpochMilli(now)), true));
            }
        }
        if (loaded && remindersDirty) {
            PersistenceException failed = commit(live, true); // only skipped ticks are left to write
            if (failed != null) {
                LOG.log(System.Logger.Level.WARNING, failed.getMessage());
            }
        }
    }

    /** (Re)arms the activation's timer for its earliest reminder, if the set changed in this turn. */
    private void armReminderTimer() {
        if (!reminderTimerStale) {
            return;
        }
        reminderTimerStale = false;
        if (reminderTimer != null) {
            reminderTimer.cancel();
            reminderTimer = null;
        }
        if (!loaded || reminders == null || reminders.isEmpty()) {
            return;
        }
        long delay = Math.max(0, reminders.nextDueMillis() - registry.time.currentTimeMillis());
        reminderTimer = registry.scheduler.schedule(Duration.ofMillis(delay),
                () -> post(Envelope.Signal.REMINDERS_DUE));
    }

    private void forgetReminders() {
        reminders = null;
        remindersDirty = false;
        reminderTimerStale = false;
        if (reminderTimer != null) {
            reminderTimer.cancel();
            reminderTimer = null;
        }
    }

    // ---------------------------------------------------------------- petrify

    private void idleCheck() {
        idleTimer = null;
        TypeOptions opts = type.options();
        if (!opts.petrifies()) {
            return;
        }
        long idle = opts.idleTimeout().toNanos();
        long elapsed = registry.time.nanoTime() - lastActivity;
        if (timerKeepsAlive()) {
            elapsed = 0; // a pending keep-alive timer counts as activity
        }
        if (elapsed < idle) {
            idleTimer = registry.scheduler.schedule(Duration.ofNanos(idle - elapsed),
                    () -> post(Envelope.Signal.IDLE_CHECK));
            return;
        }
        petrify(false, false);
    }

    private void scheduleIdle(TypeOptions opts) {
        if (opts.petrifies() && registry.persistent) {
            idleTimer = registry.scheduler.schedule(opts.idleTimeout(), () -> post(Envelope.Signal.IDLE_CHECK));
        }
    }

    /**
     * Persists what is dirty and leaves the registry.
     *
     * <p>An idle petrify ({@code forced == false}) gives up if a message is waiting or arrives meanwhile, and
     * keeps the server if the write fails (it retries at the next idle timeout). A forced petrify (explicit, or
     * {@code shutdown}) happens at its place in the mailbox: messages queued behind it go to a fresh activation,
     * which loads only after this one has persisted and left. On a failed write an explicit petrify keeps the
     * server; a shutdown gives up, reports the failure and loses the unwritten changes.
     */
    private void petrify(boolean forced, boolean shutdown) {
        synchronized (this) {
            if (forced && !shutdown) {
                petrifyQueued = false;
            }
            if (phase != Lifecycle.ACTIVE && phase != Lifecycle.NEW) {
                return;
            }
            if (!forced && !mailbox.isEmpty()) {
                scheduleIdle(type.options());
                return;
            }
            if (phase == Lifecycle.ACTIVE) {
                phase = phase.check(Lifecycle.PETRIFYING);
            }
        }
        RuntimeException failure = null;
        if (loaded && dirty && registry.persistent) {
            try {
                write(type.options());
            } catch (RuntimeException ex) {
                failure = ex;
            }
        }
        List<Envelope> rest = null;
        synchronized (this) {
            boolean stay = failure != null ? !shutdown : !forced && !mailbox.isEmpty();
            if (stay) {
                if (phase == Lifecycle.PETRIFYING) {
                    phase = phase.check(Lifecycle.ACTIVE);
                }
            } else {
                phase = phase.check(Lifecycle.DEAD);
                rest = drainMailbox();
            }
        }
        if (rest == null) {
            if (failure != null) {
                LOG.log(System.Logger.Level.WARNING, "petrify of " + id + " could not persist; staying active", failure);
            }
            if (idleTimer == null) {
                scheduleIdle(type.options());
            }
            return;
        }
        if (failure != null) {
            LOG.log(System.Logger.Level.ERROR, "petrify of " + id + " during shutdown could not persist; "
                    + "changes since the last write are lost", failure);
            registry.stats.writeFailed();
            registry.petrifyFailed(id, failure);
        }
        cancelTimers();
        if (!shutdown) {
            unmark();
        }
        registry.removed(this);
        registry.stats.petrified();
        live = null;
        behaviour = null;
        loaded = false;
        for (Envelope e : rest) {
            if (e.counted() || e instanceof Envelope.Start || e instanceof Envelope.Remind) {
                registry.redeliver(type, id, args, e);
            }
        }
    }

    // ---------------------------------------------------------------- stop and crash

    /**
     * Stops the server: writes the final state (unless the policy wipes it), runs {@code terminate}, wipes if the
     * policy says so, leaves the registry, and only then answers the caller and the stop requester.
     */
    private void stop(StopReason reason, S finalState, boolean persistFinal, CallEnvelope<?> caller,
                      Object reply, boolean hasReply, Envelope.StopRequest request) {
        live = finalState;
        TypeOptions opts = type.options();
        boolean wipe = wipes(opts.lifecycle(), reason.isNormal());
        GenServerException failure = null;
        if (registry.persistent) {
            if (!wipe && persistFinal) {
                try {
                    write(opts);
                } catch (RuntimeException ex) {
                    failure = new PersistenceException(id, ex);
                }
            }
        }
        terminate(reason);
        if (registry.persistent && wipe && failure == null) {
            failure = wipe();
        }
        die(reason, false, null);
        registry.stats.stopped();
        registry.notifyStopped(id, reason); // before anyone is answered, so that a monitor never lags a reply
        if (caller != null) {
            if (failure != null) {
                caller.failNow(failure);
            } else if (hasReply) {
                caller.completeNow(reply);
            } else {
                caller.failNow(new ServerStoppedException(id, reason));
            }
        }
        releaseHeld(failure);
        if (request != null) {
            if (failure != null) {
                request.done().completeExceptionally(failure);
            } else {
                request.done().complete(null);
            }
        }
    }

    private static boolean wipes(LifecyclePolicy policy, boolean normal) {
        return switch (policy) {
            case TEMPORARY -> true;
            case TRANSIENT -> normal;
            case PERMANENT -> false;
        };
    }

    private GenServerException wipe() {
        if (version == 0) {
            return null; // nothing was ever stored
        }
        try {
            version = registry.storage.delete(id, version);
            return null;
        } catch (RuntimeException ex) {
            return new PersistenceException(id, ex);
        }
    }

    private void crash(Throwable cause, CallEnvelope<?> caller) {
        registry.stats.crashed();
        LOG.log(System.Logger.Level.WARNING, "server " + id + " crashed", cause);
        StopReason reason = StopReason.crash(cause);
        held = null; // replies given by the crashed handler depend on a state that is not kept
        terminate(reason);
        if (registry.persistent && type.options().lifecycle() == LifecyclePolicy.TEMPORARY) {
            GenServerException f = wipe();
            if (f != null) {
                LOG.log(System.Logger.Level.WARNING, "could not wipe crashed temporary server " + id, f);
            }
        }
        die(reason, true, cause);
        registry.notifyStopped(id, reason);
        // the caller hears of the crash only once its consequences (wipe, quarantine, restart) are in place
        if (caller != null) {
            caller.failNow(new ServerCrashedException(id, cause));
        }
    }

    private void terminate(StopReason reason) {
        if (behaviour == null || live == null) {
            return;
        }
        try {
            behaviour.terminate(reason, live);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.WARNING, "terminate of " + id + " threw; ignored", t);
        }
    }

    /**
     * Leaves the registry (or stays in it as a quarantine marker after too many crashes) and hands whatever is
     * still queued to a fresh activation (or fails it, for quarantine and ephemeral servers).
     */
    private void die(StopReason reason, boolean crashed, Throwable cause) {
        cancelTimers();
        boolean quarantine = crashed && registry.persistent && registry.crashes.record(id, type.options(),
                registry.time.nanoTime());
        if (quarantine && registry.recoverAutomatically(id, type.options(), reason.detail())) {
            quarantine = false; // the type's policy rolled the state back or reset it instead
        }
        List<Envelope> rest;
        synchronized (this) {
            if (phase == Lifecycle.DEAD || phase == Lifecycle.QUARANTINED) {
                return;
            }
            if (quarantine) {
                this.quarantine = new QuarantinedException(id, "crashed more than " + type.options().maxRestarts()
                        + " times within " + type.options().restartWindow() + "; last: " + reason.detail(), cause);
                phase = phase.check(Lifecycle.QUARANTINED);
            } else {
                phase = phase.check(Lifecycle.DEAD);
            }
            rest = drainMailbox();
        }
        live = null;
        behaviour = null;
        loaded = false;
        unmark(); // a quarantined server is not active either: recovery must not revive it
        if (quarantine) {
            registry.stats.quarantined();
            LOG.log(System.Logger.Level.ERROR, quarantined().getMessage());
            failAll(rest, quarantined());
            registry.notifyQuarantined(id, quarantined().lastFailure());
            return;
        }
        registry.removed(this);
        for (Envelope e : rest) {
            registry.redeliver(type, id, args, e);
        }
        if (crashed && type.options().lifecycle() == LifecyclePolicy.PERMANENT) {
            registry.restartEagerly(type, id, args);
        }
    }

    /** Fails {@code current} and everything queued with {@code error}; the activation leaves the registry. */
    private void abort(Envelope current, GenServerException error, boolean countsAsCrash) {
        if (countsAsCrash) {
            registry.stats.crashed();
        }
        List<Envelope> rest;
        boolean quarantine = countsAsCrash && registry.persistent
                && registry.crashes.record(id, type.options(), registry.time.nanoTime());
        synchronized (this) {
            if (quarantine) {
                this.quarantine = new QuarantinedException(id, "failed to start more than "
                        + type.options().maxRestarts() + " times within " + type.options().restartWindow()
                        + "; last: " + error.getMessage(), error);
                phase = phase.check(Lifecycle.QUARANTINED);
            } else {
                phase = phase == Lifecycle.DEAD ? phase : phase.check(Lifecycle.DEAD);
            }
            rest = drainMailbox();
        }
        cancelTimers();
        unmark();
        behaviour = null;
        live = null;
        loaded = false;
        GenServerException reported = quarantine ? quarantined() : error;
        failOne(current, reported);
        failAll(rest, reported);
        if (!quarantine) {
            registry.removed(this);
        } else {
            registry.stats.quarantined();
            registry.notifyQuarantined(id, quarantined().lastFailure());
        }
    }

    private void quarantineNow(Envelope current, QuarantinedException q) {
        List<Envelope> rest;
        synchronized (this) {
            this.quarantine = q;
            phase = phase.check(Lifecycle.QUARANTINED);
            rest = drainMailbox();
        }
        cancelTimers();
        unmark();
        behaviour = null;
        registry.stats.quarantined();
        LOG.log(System.Logger.Level.ERROR, q.getMessage(), q.getCause());
        failOne(current, q);
        failAll(rest, q);
        registry.notifyQuarantined(id, q.lastFailure());
    }

    private List<Envelope> drainMailbox() {
        List<Envelope> rest = new ArrayList<>(mailbox == null ? List.of() : mailbox);
        if (mailbox != null) {
            mailbox.clear();
        }
        counted = 0;
        return rest; // the drain loop ends itself (endDrain) once it sees the final phase
    }

    private void failAll(List<Envelope> envelopes, GenServerException error) {
        for (Envelope e : envelopes) {
            failOne(e, error);
        }
    }

    static void failOne(Envelope e, GenServerException error) {
        switch (e) {
            case CallEnvelope<?> c -> c.failNow(error);
            case Envelope.StopRequest r -> r.done().completeExceptionally(error);
            case Envelope.Start s -> s.done().completeExceptionally(error);
            case Envelope.Cast c -> LOG.log(System.Logger.Level.DEBUG, "dropped a message to " + error.serverId()
                    + ": " + error.getMessage());
            case Envelope.Signal s -> {
            }
            case Envelope.TimerFired t -> {
            }
            case Envelope.Remind r -> r.done().run();
        }
    }

    private void cancelTimers() {
        if (idleTimer != null) {
            idleTimer.cancel();
            idleTimer = null;
        }
        cancelFlushTimer();
        if (timers != null) {
            timers.forEach(Timer::cancel);
            timers = null;
        }
        forgetReminders();
    }

    private void cancelFlushTimer() {
        if (flushTimer != null) {
            flushTimer.cancel();
            flushTimer = null;
        }
    }

    @Override
    public String toString() {
        return "Activation[" + id + ", " + phase() + "]";
    }
}
