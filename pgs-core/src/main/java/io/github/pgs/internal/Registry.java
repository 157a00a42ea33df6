package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.CallTimeoutException;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.LifecycleListener;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.RuntimeClosedException;
import io.github.pgs.RuntimeStats;
import io.github.pgs.SelfCallException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.StorageException;
import io.github.pgs.TypeOptions;
import io.github.pgs.UnknownServerTypeException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The registry of one runtime: which servers are active (one {@link Activation} per {@link ServerId}), which
 * types are known, and the dispatch of every message to its activation.
 *
 * <h2>Dispatch</h2>
 * {@link #deliver} looks the id up; if absent it installs a fresh activation with {@code putIfAbsent} (so
 * concurrent first messages agree on one); then it offers the envelope. An activation that refuses (it is dead:
 * petrified or stopped) is removed with {@code remove(id, activation)} — helping the dying one, harmless if it
 * already left — and the loop retries. A fresh activation can only be installed once the old one has left the
 * map, and an activation leaves only after persisting; that is the whole of the race-free petrify argument.
 */
public final class Registry {

    private static final System.Logger LOG = System.getLogger("io.github.pgs");

    /**
     * A ref's memory of the activation that last took its message, so the next message skips the registry
     * lookup. Only a live activation accepts a message, and a live activation is always the registered one, so a
     * stale hint can only cost a fall-back to the lookup, never a misdelivery.
     */
    public static final class Hint {
        volatile Activation<?, ?> last;
    }

    /** Makes the API's refs; supplied by {@code ServerRuntime}, which owns their constructor. */
    @FunctionalInterface
    public interface RefMaker {
        ServerRef make(Registry registry, TypeRuntime<?, ?> type, ServerId id, Object args);
    }

    final Storage storage;
    final StateCodec codec;
    final TimeSource time;
    final Scheduler scheduler;
    final boolean persistent;
    final Stats stats = new Stats();
    final CrashTracker crashes = new CrashTracker();
    final RefResolver refs;
    /** Activation loads, coalesced into multi-key queries under contention; {@code null} when ephemeral. */
    final LoadBatcher loads;
    /** Load queries that may run at once; more concurrent loads wait and go into the next query. */
    static final int LOAD_LANES = 4;
    /** The most keys one load query carries. */
    static final int LOAD_BATCH = 256;

    private final String name;
    private final int maxKeyBytes;
    private final TypeOptions defaultOptions;
    private final RefMaker refMaker;
    private final ActiveTable<Activation<?, ?>> active = new ActiveTable<>();
    private final ConcurrentHashMap<String, TypeRuntime<?, ?>> typesByName = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, TypeRuntime<?, ?>> typesByClass = new ConcurrentHashMap<>();
    private final List<LifecycleListener> listeners = new CopyOnWriteArrayList<>();
    /** How long a drain thread with nothing to do is kept for the next drain. */
    static final long DRAIN_KEEP_ALIVE_MILLIS = 2_000;
    /** How many drain threads with nothing to do are kept at most. */
    static final int DRAIN_MAX_IDLE = 256;
    private final DrainPool drains;
    private final CallDeadlines deadlines;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger activeCount = new AtomicInteger();
    private final AtomicLong ephemeralIds = new AtomicLong();
    private final List<GenServerException> shutdownFailures = new CopyOnWriteArrayList<>();
    private final Object quiescence = new Object();
    private final Evictor evictor;
    private final int maxActive;
    private volatile boolean closed;
    private volatile boolean remindersSupported;
    private volatile long reminderGraceMillis = 60_000;
    private long reminderPollMillis;
    private Semaphore remindersInFlight;
    private final AtomicBoolean polling = new AtomicBoolean();
    private final Object pollLock = new Object();
    private Scheduler.Cancellable pollTimer; // guarded by pollLock
    private long nextPollAtMillis = Long.MAX_VALUE; // guarded by pollLock
    private boolean pollAgain; // guarded by pollLock

    /** The reserved type under which remember-active markers are stored (key: the server id's text form). */
    public static final String ACTIVE_MARKERS = "pgs.active";

    public Registry(String name, Storage storage, StateCodec codec, TimeSource time, Scheduler scheduler,
                    int maxKeyBytes, int maxActive, TypeOptions defaultOptions, RefMaker refMaker) {
        this.name = name;
        this.storage = storage;
        this.codec = codec;
        this.time = time;
        this.scheduler = scheduler;
        this.persistent = storage != null;
        this.loads = storage != null ? new LoadBatcher(storage, LOAD_LANES, LOAD_BATCH) : null;
        this.maxKeyBytes = maxKeyBytes;
        this.defaultOptions = defaultOptions;
        this.refMaker = refMaker;
        this.refs = new RefResolver() {
            @Override
            public ServerRef resolve(ServerId id) {
                return refFromData(id);
            }

            @Override
            public String typeName(Class<? extends GenServer<?, ?>> behaviour) {
                TypeRuntime<?, ?> t = typesByClass.get(behaviour);
                return t != null ? t.name() : ServerType.defaultName(behaviour);
            }
        };
        this.drains = new DrainPool("pgs-server", DRAIN_KEEP_ALIVE_MILLIS, DRAIN_MAX_IDLE, time, scheduler);
        this.deadlines = new CallDeadlines(time, scheduler);
        this.maxActive = maxActive;
        this.evictor = maxActive < Integer.MAX_VALUE && storage != null
                ? new Evictor(maxActive, active, activeCount::get) : null;
    }

    // ---------------------------------------------------------------- types

    /** Registers {@code spec}; registering the same type again (same name and class) replaces its options. */
    @SuppressWarnings("unchecked")
    public <A, S> TypeRuntime<A, S> register(ServerType<A, S> spec) {
        TypeRuntime<?, ?> existing = typesByName.get(spec.name());
        if (existing != null) {
            if (existing.spec().behaviour() != spec.behaviour()) {
                throw new IllegalArgumentException("type name '" + spec.name() + "' is already registered for "
                        + existing.spec().behaviour().getName());
            }
            existing.reconfigure(spec.options());
            return (TypeRuntime<A, S>) existing;
        }
        TypeRuntime<A, S> t = new TypeRuntime<>(spec, codec, refs, maxKeyBytes);
        TypeRuntime<?, ?> raced = typesByName.putIfAbsent(spec.name(), t);
        if (raced != null) {
            return register(spec);
        }
        typesByClass.putIfAbsent(spec.behaviour(), t);
        return t;
    }

    /** The type of {@code behaviour}, registered with the runtime's default options on first use. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <A> TypeRuntime<A, ?> typeOf(Class<? extends GenServer<A, ?>> behaviour) {
        TypeRuntime<?, ?> t = typesByClass.get(behaviour);
        if (t != null) {
            return (TypeRuntime<A, ?>) t;
        }
        ServerType spec = ServerType.builder((Class) behaviour).options(defaultOptions).build();
        return register(spec);
    }

    /** The type registered under {@code typeName}. */
    public TypeRuntime<?, ?> typeNamed(String typeName) {
        TypeRuntime<?, ?> t = typesByName.get(typeName);
        if (t == null) {
            throw new UnknownServerTypeException(typeName);
        }
        return t;
    }

    /** Replaces the options of a registered type; active servers see the new options from their next message. */
    public void reconfigure(String typeName, TypeOptions options) {
        typeNamed(typeName).reconfigure(options);
    }

    public List<ServerType<?, ?>> types() {
        List<ServerType<?, ?>> out = new ArrayList<>();
        typesByName.values().forEach(t -> out.add(t.spec()));
        return out;
    }

    // ---------------------------------------------------------------- refs

    public <A> ServerRef ref(TypeRuntime<A, ?> type, A args) {
        return refMaker.make(this, type, type.idFor(args), args);
    }

    ServerRef refOf(TypeRuntime<?, ?> type, ServerId id, Object args) {
        return refMaker.make(this, type, id, args);
    }

    public ServerRef ref(ServerId id) {
        TypeRuntime<?, ?> t = typeNamed(id.type());
        return refMaker.make(this, t, t.checkedId(id.key()), null);
    }

    /**
     * Refs read from stored data: checked as refs made in code (the key length), but the type is looked up when
     * the ref is used, never loaded by name.
     */
    private ServerRef refFromData(ServerId id) {
        return refMaker.make(this, typesByName.get(id.type()), TypeRuntime.checkKeyLength(id, maxKeyBytes), null);
    }

    // ---------------------------------------------------------------- dispatch

    private void deliver(TypeRuntime<?, ?> type, ServerId id, Object args, Envelope e, Hint hint) {
        if (closed) {
            throw new RuntimeClosedException(id);
        }
        Activation<?, ?> last = hint == null ? null : hint.last;
        if (last != null) {
            if (e instanceof CallEnvelope<?> && last.onDrainThread()) {
                throw new SelfCallException(id);
            }
            if (last.offer(e)) {
                return;
            }
        }
        Activation<?, ?> a = offer(type, id, args, e, true);
        if (hint != null) {
            hint.last = a;
        }
    }

    /** Offers {@code e} to the live activation of {@code id}, installing one if needed; returns it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Activation<?, ?> offer(TypeRuntime<?, ?> type, ServerId id, Object args, Envelope e, boolean fromCaller) {
        while (true) {
            Activation<?, ?> a = active.get(id);
            if (a == null) {
                if (!persistent) {
                    throw new NoSuchServerException(id);
                }
                if (closed) {
                    throw new RuntimeClosedException(id);
                }
                Activation<?, ?> fresh = new Activation(this, type, id, args);
                a = active.putIfAbsent(id, fresh);
                if (a == null) {
                    a = fresh;
                    if (activeCount.incrementAndGet() > maxActive && evictor != null) {
                        evictor.kick();
                    }
                }
            }
            if (fromCaller && e instanceof CallEnvelope<?> && a.onDrainThread()) {
                throw new SelfCallException(id);
            }
            if (a.offer(e)) {
                return a;
            }
            if (active.remove(id, a)) {
                activeCount.decrementAndGet();
            }
        }
    }

    /** Hands an envelope left in a dead activation's mailbox to whatever activation now serves the id. */
    void redeliver(TypeRuntime<?, ?> type, ServerId id, Object args, Envelope e) {
        try {
            offer(type, id, args, e, false);
        } catch (GenServerException ex) {
            Activation.failOne(e, ex);
        }
    }

    void restartEagerly(TypeRuntime<?, ?> type, ServerId id, Object args) {
        if (closed) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        done.whenComplete((v, ex) -> {
            if (ex != null) {
                LOG.log(System.Logger.Level.WARNING, "eager restart of " + id + " failed: " + ex.getMessage());
            }
        });
        redeliver(type, id, args, new Envelope.Start(done));
    }

    public <R> R callSync(TypeRuntime<?, ?> type, ServerId id, Object args, Call<R> request, Duration timeout,
                          Hint hint) {
        CompletableFuture<R> f = new CompletableFuture<>();
        deliver(type, id, args, new CallEnvelope<>(id, request, f), hint);
        stats.calls.increment();
        return deadlines.await(f, id, timeout);
    }

    public <R> CompletableFuture<R> callAsync(TypeRuntime<?, ?> type, ServerId id, Object args, Call<R> request,
                                              Duration timeout, Hint hint) {
        CompletableFuture<R> f = new CompletableFuture<>();
        try {
            deliver(type, id, args, new CallEnvelope<>(id, request, f), hint);
            stats.calls.increment();
        } catch (GenServerException e) {
            f.completeExceptionally(e);
            return f;
        }
        Scheduler.Cancellable timer = scheduler.schedule(timeout,
                () -> f.completeExceptionally(new CallTimeoutException(id, timeout)));
        f.whenComplete((r, ex) -> timer.cancel());
        return f;
    }

    public void cast(TypeRuntime<?, ?> type, ServerId id, Object args, Object message, boolean info, Hint hint) {
        deliver(type, id, args, new Envelope.Cast(message, info), hint);
        stats.casts.increment();
    }

    public void stop(TypeRuntime<?, ?> type, ServerId id, Object args, StopReason reason, Duration timeout) {
        Activation<?, ?> current = active.get(id);
        if (current != null && current.onDrainThread()) {
            throw new SelfCallException(id);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        deliver(type, id, args, new Envelope.StopRequest(reason, done), null);
        deadlines.await(done, id, timeout);
    }

    /** Activates the server now (loading or running {@code init}) and waits until it is active. */
    public <A> ServerRef start(TypeRuntime<A, ?> type, A args, Duration timeout) {
        ServerId id = persistent ? type.idFor(args) : type.checkedId("#" + ephemeralIds.incrementAndGet());
        if (!persistent) {
            installEphemeral(type, id, args);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        deliver(type, id, args, new Envelope.Start(done), null);
        deadlines.await(done, id, timeout);
        return refMaker.make(this, type, id, args);
    }

    private <A> void installEphemeral(TypeRuntime<A, ?> type, ServerId id, A args) {
        if (closed) {
            throw new RuntimeClosedException(id);
        }
        active.putIfAbsent(id, new Activation<>(this, type, id, args)); // ephemeral ids are never reused
        activeCount.incrementAndGet();
    }

    // ---------------------------------------------------------------- activations' callbacks

    void startDrain(Activation<?, ?> a) {
        running.incrementAndGet();
        try {
            drains.execute(a);
        } catch (Throwable t) {
            drainEnded();
            throw t;
        }
    }

    void drainEnded() {
        if (running.decrementAndGet() == 0) {
            synchronized (quiescence) {
                quiescence.notifyAll();
            }
        }
    }

    void removed(Activation<?, ?> a) {
        if (active.remove(a.id, a)) {
            activeCount.decrementAndGet();
        }
    }

    void petrifyFailed(ServerId id, RuntimeException failure) {
        shutdownFailures.add(failure instanceof GenServerException g ? g
                : new StorageException(id, "could not persist while petrifying", failure));
    }

    void notifyStopped(ServerId id, StopReason reason) {
        for (LifecycleListener l : listeners) {
            try {
                if (reason.isNormal()) {
                    l.stopped(id, reason);
                } else {
                    l.crashed(id, reason);
                }
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "lifecycle listener threw; ignored", t);
            }
        }
    }

    void notifyQuarantined(ServerId id, String lastFailure) {
        for (LifecycleListener l : listeners) {
            try {
                l.quarantined(id, lastFailure);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "lifecycle listener threw; ignored", t);
            }
        }
    }

    void notifyReleased(ServerId id) {
        for (LifecycleListener l : listeners) {
            try {
                l.released(id);
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.WARNING, "lifecycle listener threw; ignored", t);
            }
        }
    }

    public void addListener(LifecycleListener l) {
        listeners.add(l);
    }

    public void removeListener(LifecycleListener l) {
        listeners.remove(l);
    }

    // ---------------------------------------------------------------- inspection and operations

    public boolean isActive(ServerId id) {
        Activation<?, ?> a = active.get(id);
        return a != null && a.phase() != Lifecycle.DEAD && a.phase() != Lifecycle.QUARANTINED;
    }

    public boolean isQuarantined(ServerId id) {
        Activation<?, ?> a = active.get(id);
        return a != null && a.phase() == Lifecycle.QUARANTINED;
    }

    /** Asks an active server to petrify once its queued messages are handled. */
    public boolean petrify(ServerId id) {
        Activation<?, ?> a = active.get(id);
        if (a == null) {
            return false;
        }
        a.post(Envelope.Signal.PETRIFY_NOW);
        return true;
    }

    /** Lifts a quarantine: the next message activates the server again from its stored state. */
    public boolean release(ServerId id) {
        Activation<?, ?> a = active.get(id);
        crashes.forget(id);
        if (a != null && a.release()) {
            removed(a);
            notifyReleased(id);
            return true;
        }
        return false;
    }

    /** The states kept for {@code id} by a type with a history depth, most recent first. */
    public List<StoredState> history(ServerId id) {
        requirePersistent();
        return storage.history(id);
    }

    /**
     * Replaces the state of {@code id} by the one {@code stepsBack} versions ago (1 = the previous one) as a new
     * version, and lifts a quarantine. An active server is petrified first, so no activation holds the old state.
     */
    public long rollback(ServerId id, int stepsBack, Duration timeout) {
        requirePersistent();
        if (stepsBack < 1) {
            throw new IllegalArgumentException("stepsBack must be >= 1: " + stepsBack);
        }
        TypeRuntime<?, ?> t = typeNamed(id.type());
        quiesce(id, timeout);
        List<StoredState> h = storage.history(id);
        if (stepsBack > h.size()) {
            throw new IllegalArgumentException(id + " keeps " + h.size() + " older versions; cannot go back "
                    + stepsBack);
        }
        StoredState target = h.get(stepsBack - 1);
        long v = storage.save(rollbackWrite(id, target, t.options().historyDepth()));
        release(id);
        return v;
    }

    /** Writes an older state as the newest version; the server's reminders stay as they are. */
    private StateWrite rollbackWrite(ServerId id, StoredState target, int depth) {
        StoredState current = storage.load(id);
        return new StateWrite(id, current.version(), target.payload(), target.schemaVersion(), depth,
                current.reminders(), current.remindAtMillis());
    }

    /** Wipes the state of {@code id} (a tombstone) and lifts a quarantine: the next message starts it fresh. */
    public void reset(ServerId id, Duration timeout) {
        requirePersistent();
        typeNamed(id.type());
        quiesce(id, timeout);
        long current = storage.load(id).version();
        if (current > 0) {
            storage.delete(id, current);
        }
        release(id);
    }

    /** Petrifies {@code id} if it is active and waits until it has left (a quarantined server stays put). */
    private void quiesce(ServerId id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isActive(id)) {
            petrify(id);
            if (System.nanoTime() > deadline) {
                throw new CallTimeoutException(id, timeout);
            }
            awaitQuiescence(Duration.ofMillis(10));
            LockSupport.parkNanos(100_000);
        }
    }

    /**
     * Applies the type's automatic quarantine policy on the crashing server's own thread; returns whether the
     * state was rolled back or reset (so the server need not stay quarantined).
     */
    boolean recoverAutomatically(ServerId id, TypeOptions opts, String lastFailure) {
        try {
            switch (opts.onQuarantine()) {
                case WAIT_FOR_OPERATOR -> {
                    return false;
                }
                case ROLLBACK -> {
                    List<StoredState> h = storage.history(id);
                    if (h.isEmpty()) {
                        return false;
                    }
                    storage.save(rollbackWrite(id, h.get(0), opts.historyDepth()));
                }
                case RESET -> {
                    long current = storage.load(id).version();
                    if (current > 0) {
                        storage.delete(id, current);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "automatic " + opts.onQuarantine() + " of " + id + " failed", e);
            return false;
        }
        crashes.forget(id);
        stats.quarantined();
        LOG.log(System.Logger.Level.WARNING, id + " crashed past its restart intensity (last: " + lastFailure
                + "); applied " + opts.onQuarantine());
        notifyQuarantined(id, lastFailure);
        notifyReleased(id);
        return true;
    }

    // ---------------------------------------------------------------- remember-active markers and recovery

    /**
     * Writes the remember-active marker of {@code id} and returns its version, or -1 if it could not be written.
     * The marker may change between the read and the write (the previous activation of the same server drops
     * its own marker while this one starts), so a version conflict reads again and retries.
     */
    long markActive(ServerId id) {
        ServerId marker = new ServerId(ACTIVE_MARKERS, id.toString());
        for (int attempt = 1; ; attempt++) {
            try {
                long v = storage.load(marker).version();
                return storage.save(new StateWrite(marker, v, new byte[0], 1));
            } catch (VersionConflictException e) {
                if (attempt < 5) {
                    continue;
                }
                LOG.log(System.Logger.Level.WARNING, "could not mark " + id + " as active: " + e.getMessage());
                return -1;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not mark " + id + " as active: " + e.getMessage());
                return -1;
            }
        }
    }

    void unmarkActive(ServerId id, long markerVersion) {
        try {
            storage.delete(new ServerId(ACTIVE_MARKERS, id.toString()), markerVersion);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not unmark " + id + ": " + e.getMessage());
        }
    }

    /**
     * Revives, in the background and at most {@code perSecond} a second, every stored server of a registered
     * {@code PERMANENT} type and every server of a {@code rememberActive} type that was active when the last
     * runtime on this store stopped or died. Returns the recovery thread.
     */
    public Thread recover(int perSecond) {
        requirePersistent();
        return Thread.ofVirtual().name("pgs-recovery").start(() -> {
            long pause = perSecond <= 0 ? 0 : 1_000_000_000L / perSecond;
            long revived = 0;
            try {
                Set<ServerId> permanent = new HashSet<>();
                for (TypeRuntime<?, ?> t : List.copyOf(typesByName.values())) {
                    if (t.options().lifecycle() != io.github.pgs.LifecyclePolicy.PERMANENT) {
                        continue;
                    }
                    for (String key : keys(t.name())) {
                        permanent.add(new ServerId(t.name(), key));
                        revived += reviveForRecovery(t, key, pause);
                    }
                }
                // markers also name servers that were active but never wrote a state (so are not listed above)
                for (String marker : keys(ACTIVE_MARKERS)) {
                    ServerId id = ServerId.parse(marker);
                    TypeRuntime<?, ?> t = typesByName.get(id.type());
                    if (t != null && t.options().rememberActive() && !permanent.contains(id)) {
                        revived += reviveForRecovery(t, id.key(), pause);
                    }
                }
                LOG.log(System.Logger.Level.INFO, "runtime " + name + ": recovery revived " + revived + " servers");
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.ERROR, "runtime " + name + ": recovery stopped", e);
                }
            }
        });
    }

    private List<String> keys(String type) {
        List<String> out = new ArrayList<>();
        io.github.pgs.spi.KeyCursor after = null;
        do {
            io.github.pgs.spi.KeyPage page = storage.list(type, after, 1000);
            out.addAll(page.keys());
            reportSkipped("recovery", page.skipped());
            after = page.next();
        } while (after != null);
        return out;
    }

    /** Rows a scan of this runtime skipped and already reported; bounded, so a flood of bad rows stays cheap. */
    private final Set<String> reportedRows = ConcurrentHashMap.newKeySet();
    private static final int MAX_REPORTED_ROWS = 10_000;

    /** Logs each skipped row the first time this runtime meets it (by its position, never its contents). */
    private void reportSkipped(String scan, List<io.github.pgs.spi.SkippedRow> skipped) {
        for (io.github.pgs.spi.SkippedRow row : skipped) {
            if (reportedRows.size() < MAX_REPORTED_ROWS && reportedRows.add(scan + " " + row.position())) {
                LOG.log(System.Logger.Level.WARNING, "runtime " + name + ": " + scan + " " + row);
            }
        }
    }

    private int reviveForRecovery(TypeRuntime<?, ?> t, String key, long pauseNanos) {
        if (closed) {
            return 0;
        }
        ServerId id = new ServerId(t.name(), key);
        CompletableFuture<Void> done = new CompletableFuture<>();
        redeliver(t, id, null, new Envelope.Start(done));
        if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
        }
        return 1;
    }

    // ---------------------------------------------------------------- durable reminders

    /** The longest the reminder poller sleeps, in poll intervals, when nothing is due sooner. */
    static final int MAX_POLL_SLEEP_INTERVALS = 60;

    /**
     * Starts the reminder poller if the store keeps reminders. A pass pages through the servers whose reminders
     * are due and wakes those not active here (an active server fires its own through its reminder timer), at
     * most {@code maxInFlight} at a time. Passes run every {@code interval} while reminders are due soon; when
     * the earliest stored reminder is further away the poller sleeps until then (at most
     * {@value #MAX_POLL_SLEEP_INTERVALS} intervals, so that reminders other runtimes write are seen), and a
     * server of this runtime that writes an earlier reminder wakes it sooner.
     */
    public void startReminders(Duration interval, Duration grace, int maxInFlight) {
        if (!persistent) {
            return;
        }
        if (!storage.capabilities().contains(io.github.pgs.spi.StorageCapability.REMINDERS)) {
            LOG.log(System.Logger.Level.DEBUG, "runtime " + name + ": the store keeps no reminders");
            return;
        }
        reminderGraceMillis = grace.toMillis();
        reminderPollMillis = Math.max(1, interval.toMillis());
        remindersInFlight = new Semaphore(maxInFlight);
        remindersSupported = true;
        schedulePollAt(time.currentTimeMillis());
    }

    boolean remindersSupported() {
        return remindersSupported;
    }

    long reminderGraceMillis() {
        return reminderGraceMillis;
    }

    /** A server of this runtime wrote reminders due at {@code remindAtMillis}: make sure a pass runs by then. */
    void reminderWritten(long remindAtMillis) {
        if (remindersSupported) {
            schedulePollAt(remindAtMillis);
        }
    }

    private void schedulePollAt(long atMillis) {
        synchronized (pollLock) {
            if (closed || (pollTimer != null && atMillis >= nextPollAtMillis)) {
                return;
            }
            if (pollTimer != null) {
                pollTimer.cancel();
            }
            nextPollAtMillis = atMillis;
            long delay = Math.max(0, atMillis - time.currentTimeMillis());
            pollTimer = scheduler.schedule(Duration.ofMillis(delay), this::pollReminders);
        }
    }

    private void stopPolling() {
        synchronized (pollLock) {
            if (pollTimer != null) {
                pollTimer.cancel();
                pollTimer = null;
            }
        }
    }

    /** Runs one pass on a virtual thread (never on the scheduler's thread); it counts as work for quiescence. */
    private void pollReminders() {
        synchronized (pollLock) {
            pollTimer = null;
            nextPollAtMillis = Long.MAX_VALUE;
            if (closed) {
                return;
            }
            if (!polling.compareAndSet(false, true)) {
                pollAgain = true; // a pass is running; it schedules another when it ends
                return;
            }
            pollAgain = false;
        }
        running.incrementAndGet();
        Thread.ofVirtual().name("pgs-reminders").start(() -> {
            long next = time.currentTimeMillis() + reminderPollMillis;
            try {
                wakeDueServers();
                next = nextPollMillis();
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "runtime " + name + ": reminder poll failed; retrying", e);
                }
            } finally {
                boolean again;
                synchronized (pollLock) {
                    polling.set(false);
                    again = pollAgain;
                    pollAgain = false;
                }
                schedulePollAt(again ? time.currentTimeMillis() + reminderPollMillis : next);
                drainEnded();
            }
        });
    }

    /** When the next pass should run, given the earliest reminder the store holds. */
    private long nextPollMillis() {
        long now = time.currentTimeMillis();
        long latest = now + reminderPollMillis * MAX_POLL_SLEEP_INTERVALS;
        io.github.pgs.spi.DuePage first = storage.due(Long.MAX_VALUE, null, 1);
        if (first.servers().isEmpty()) {
            // nothing stored, or the earliest row is unreadable (then poll at the usual pace)
            return first.skipped().isEmpty() ? latest : now + reminderPollMillis;
        }
        return Math.min(latest, Math.max(first.servers().get(0).remindAtMillis(), now + reminderPollMillis));
    }

    /** One pass over the due servers; returns how many were woken. */
    int wakeDueServers() {
        final int page = 500;
        long now = time.currentTimeMillis();
        io.github.pgs.spi.DueCursor after = null;
        int woken = 0;
        while (!closed) {
            io.github.pgs.spi.DuePage due = storage.due(now, after, page);
            reportSkipped("reminder scan", due.skipped());
            for (DueServer d : due.servers()) {
                TypeRuntime<?, ?> t = typesByName.get(d.id().type());
                if (t == null || active.containsKey(d.id())) {
                    continue; // not ours to run, or active (its own timer fires) or quarantined
                }
                boolean permit;
                try {
                    permit = remindersInFlight.tryAcquire(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return woken;
                }
                if (!permit) {
                    LOG.log(System.Logger.Level.WARNING, "runtime " + name + ": woken servers are slow to fire "
                            + "their reminders; waking more anyway");
                }
                Semaphore permits = remindersInFlight;
                AtomicBoolean released = new AtomicBoolean(!permit);
                redeliver(t, d.id(), null, new Envelope.Remind(() -> {
                    if (released.compareAndSet(false, true)) {
                        permits.release();
                    }
                }));
                woken++;
            }
            after = due.next();
            if (after == null) {
                break;
            }
        }
        return woken;
    }

    private void requirePersistent() {
        if (!persistent) {
            throw new UnsupportedOperationException("ephemeral runtimes store nothing");
        }
    }

    public int activeCount() {
        return activeCount.get();
    }

    public RuntimeStats stats() {
        return new RuntimeStats(stats.activations.sum(), stats.revivals.sum(), stats.petrifications.sum(),
                stats.stops.sum(), stats.crashes.sum(), stats.quarantines.sum(), stats.calls.sum(),
                stats.casts.sum(), stats.writes.sum(), stats.writeFailures.sum(), activeCount.get(),
                stats.remindersFired.sum());
    }

    /** Waits until no server has a message being handled or queued (timers may post more later). */
    public boolean awaitQuiescence(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (quiescence) {
            while (running.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(quiescence, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    public int maxActive() {
        return maxActive;
    }

    /**
     * Refuses new messages, petrifies every active server after its queued messages (writing what write-behind
     * and on-petrify servers hold), and waits up to {@code timeout}.
     *
     * @return failures to persist during shutdown (empty when everything was written)
     */
    public List<GenServerException> close(Duration timeout) {
        closed = true;
        stopPolling();
        if (evictor != null) {
            evictor.stop();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        java.util.Set<Activation<?, ?>> asked = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        while (true) {
            boolean any = false;
            for (Activation<?, ?> a : active) {
                Lifecycle p = a.phase();
                if (p == Lifecycle.QUARANTINED) {
                    if (a.release()) {
                        removed(a);
                    }
                    continue;
                }
                any = true;
                if (asked.add(a)) {
                    a.post(Envelope.Signal.SHUTDOWN);
                }
            }
            if (!any) {
                break;
            }
            if (System.nanoTime() > deadline) {
                LOG.log(System.Logger.Level.ERROR, "runtime " + name + " closed with " + active.size()
                        + " servers still busy (a handler that never returns?)");
                shutdownFailures.add(new GenServerException(null, active.size()
                        + " servers did not petrify within " + timeout));
                break;
            }
            awaitQuiescence(Duration.ofMillis(50));
            LockSupport.parkNanos(1_000_000);
        }
        drains.close();
        return List.copyOf(shutdownFailures);
    }
}
