package io.github.pgs;

import io.github.pgs.internal.Registry;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.TimeSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Owns servers: the registry of active servers, the store, the codec, the clock and the scheduler (the seed's
 * application, DynamicSupervisor and Registry in one object). Several runtimes, each configured differently,
 * can live side by side in one JVM; a server belongs to the runtime its ref was made by.
 *
 * <pre>{@code
 * try (ServerRuntime runtime = ServerRuntime.builder()
 *         .storage(SqliteStorage.open(Path.of("game.db")))
 *         .closeStorage(true)
 *         .register(ServerType.of(Player.class))
 *         .build()) {
 *     ServerRef vorpal = runtime.start(Player.class, "Vorpal");
 *     vorpal.cast(new Player.Increment());
 *     long score = vorpal.call(new Player.ReadScore());
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} petrifies every active server (writing what write-behind holds) and refuses
 * further messages.
 */
public final class ServerRuntime implements AutoCloseable {

    /** 1024 bytes of UTF-8. */
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;
    /** 30 seconds. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    /** No bound. */
    public static final int UNBOUNDED = Integer.MAX_VALUE;
    /** 1,000 servers per second. */
    public static final int DEFAULT_RECOVERY_RATE = 1_000;
    /** One second. */
    public static final Duration DEFAULT_REMINDER_POLL_INTERVAL = Duration.ofSeconds(1);
    /** One minute. */
    public static final Duration DEFAULT_REMINDER_GRACE = Duration.ofMinutes(1);
    /** 1,000 servers. */
    public static final int DEFAULT_REMINDER_CONCURRENCY = 1_000;

    private static volatile ServerRuntime ephemeral;

    private final Registry registry;
    private final Storage storage;
    private final boolean closeStorage;
    private final String name;
    private final StateCodec codec;

    private ServerRuntime(Builder b) {
        this.name = b.name;
        this.storage = b.ephemeral ? null : Objects.requireNonNull(b.storage,
                "a persistent runtime needs a storage (builder.storage(...)), or use builder.ephemeral()");
        StateCodec codec = b.codec;
        if (codec == null && !b.ephemeral) {
            codec = Registry.findCodec();
        }
        this.closeStorage = b.closeStorage;
        this.codec = codec;
        RefResolver refs = new RefResolver() {
            @Override
            public ServerRef resolve(ServerId id) {
                return new ServerRef(registry().targetFromData(id));
            }

            @Override
            public String typeName(Class<? extends GenServer<?, ?>> behaviour) {
                return registry().typeName(behaviour);
            }
        };
        RuntimeObserver observer = RuntimeObserver.guarded(RuntimeObserver.all(b.observers));
        if (observer != null && storage != null) {
            storage.observe(observer); // its group-commit batches
        }
        this.registry = Registry.create(new Registry.Config(b.name, storage, codec, b.time, b.scheduler,
                b.maxKeyBytes, b.maxActive, b.defaultOptions, b.recoveryRate, b.reminderPollInterval, b.reminderGrace,
                b.reminderConcurrency, b.shutdownTimeout, refs, b.placement, observer), b.types, b.listeners);
        registry.start(); // after the field is set: recovery may decode refs at once
    }

    private Registry registry() {
        return registry;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The JVM-wide runtime of ephemeral servers ({@link GenServer#start}): no storage, no petrification, each
     * start a new server.
     */
    public static ServerRuntime ephemeral() {
        ServerRuntime r = ephemeral;
        if (r == null) {
            synchronized (ServerRuntime.class) {
                r = ephemeral;
                if (r == null) {
                    r = builder().name("ephemeral").ephemeral().build();
                    ephemeral = r;
                }
            }
        }
        return r;
    }

    /** This runtime's name, used in thread names and logs. */
    public String name() {
        return name;
    }

    /** Whether servers of this runtime are persisted (false for ephemeral runtimes). */
    public boolean isPersistent() {
        return storage != null;
    }

    /** The store, or {@code null} for an ephemeral runtime. */
    public Storage storage() {
        return storage;
    }

    /** The codec, or {@code null} for an ephemeral runtime. */
    public StateCodec codec() {
        return codec;
    }

    /** The registered type named {@code typeName}, with its current options. */
    public ServerType<?, ?> type(String typeName) {
        return registry.type(typeName);
    }

    /** The registered types. */
    public List<ServerType<?, ?>> types() {
        return registry.types();
    }

    // ---------------------------------------------------------------- types

    /** Registers a type (or replaces the options of a registered one); returns it for chaining. */
    public <A, S> ServerType<A, S> register(ServerType<A, S> type) {
        registry.register(type);
        return type;
    }

    /**
     * Changes the options of a registered type. Identity and stored state are untouched; active servers use the
     * new options from their next message on (timeouts, write mode, limits), new activations use them entirely.
     */
    public void reconfigure(String typeName, TypeOptions options) {
        registry.reconfigure(typeName, Objects.requireNonNull(options, "options"));
    }

    /** The current options of a registered type. */
    public TypeOptions options(String typeName) {
        return registry.options(typeName);
    }

    // ---------------------------------------------------------------- servers

    /**
     * Starts (or revives) the server of {@code behaviour} identified by {@code args} and waits until it is
     * active. Idempotent: for a server that is already active or has stored state, no {@code init} runs. For an
     * ephemeral runtime every call starts a new server.
     *
     * @throws InitRejectedException if {@code init} refused to start (or threw)
     * @throws QuarantinedException  if the server is quarantined
     */
    public <A> ServerRef start(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return new ServerRef(registry.start(behaviour, args));
    }

    /** As {@link #start(Class, Object)}, for a type given with its options. */
    public <A, S> ServerRef start(ServerType<A, S> type, A args) {
        return new ServerRef(registry.start(type, args));
    }

    /**
     * The ref of the server of {@code behaviour} identified by {@code args}, without starting it: the first
     * message activates it (virtual activation).
     *
     * @throws KeyTooLongException if the key derived from {@code args} exceeds the runtime's limit
     */
    public <A> ServerRef ref(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return new ServerRef(registry.target(behaviour, args));
    }

    /**
     * The ref of server {@code id}; its type must be registered.
     *
     * @throws UnknownServerTypeException if it is not
     */
    public ServerRef ref(ServerId id) {
        return new ServerRef(registry.target(Objects.requireNonNull(id, "id")));
    }

    /** The ref whose {@link ServerRef#toString()} is {@code text}. */
    public ServerRef ref(String text) {
        return ref(ServerId.parse(text));
    }

    /** Whether {@code id} is active here (not petrified, stopped or quarantined); in a cluster, on this node only. */
    public boolean isActive(ServerId id) {
        return registry.isActive(id);
    }

    /** Whether {@code id} is quarantined in this runtime, or recorded as quarantined in the store it read at start. */
    public boolean isQuarantined(ServerId id) {
        return registry.isQuarantined(id);
    }

    /**
     * Lifts the quarantine of {@code id}, in memory and in the store (a crash-loop quarantine is recorded there, so
     * that it outlives the runtime): the next message activates it again from its stored state.
     *
     * @return whether it was quarantined
     * @throws StorageException if the recorded quarantine cannot be deleted (the server stays quarantined)
     */
    public boolean release(ServerId id) {
        return registry.release(id);
    }

    /**
     * Petrifies {@code id} after the messages already queued for it, as the idle timeout would.
     *
     * @return whether it was active
     */
    public boolean petrify(ServerId id) {
        return registry.petrify(id);
    }

    /**
     * Petrifies {@code id} after the messages already queued for it and waits until it has persisted and left, at
     * most {@code timeout} (real time, like the shutdown timeout: it bounds real work); a message that activates
     * it again meanwhile makes it petrify that activation too. A server that is not active returns at once; a
     * quarantined one stays put.
     *
     * @throws CallTimeoutException if it is still active after {@code timeout}
     */
    public void petrifyAndWait(ServerId id, Duration timeout) {
        registry.petrifyAndWait(Objects.requireNonNull(id, "id"), Objects.requireNonNull(timeout, "timeout"));
    }

    /** The number of active servers. */
    public int activeCount() {
        return registry.activeCount();
    }

    /** A snapshot of this runtime's counters (the sum over its types). Cheap: safe to poll. */
    public RuntimeStats stats() {
        return registry.stats();
    }

    /**
     * A snapshot of the counters of the type named {@code typeName} in this runtime ({@link RuntimeStats#active()}
     * counts its servers active here). Cheap: safe to poll, e.g. for a chart of calls per second per type.
     *
     * @throws UnknownServerTypeException if no such type is registered
     */
    public RuntimeStats stats(String typeName) {
        return registry.stats(Objects.requireNonNull(typeName, "typeName"));
    }

    /** Adds a listener told of stops, crashes, quarantines and releases of every server. */
    public void addListener(LifecycleListener listener) {
        registry.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Monitors one server: {@code listener} hears of its stops, crashes, quarantine and release (never of
     * petrify and revive). Works whether the server is active or not, and across its activations.
     */
    public Subscription monitor(ServerRef ref, LifecycleListener listener) {
        ServerId id = Objects.requireNonNull(ref, "ref").id();
        return filtered(listener, id::equals);
    }

    /** Monitors every server of the type named {@code typeName}. */
    public Subscription monitorType(String typeName, LifecycleListener listener) {
        Objects.requireNonNull(typeName, "typeName");
        return filtered(listener, id -> id.type().equals(typeName));
    }

    private Subscription filtered(LifecycleListener l, java.util.function.Predicate<ServerId> which) {
        Runnable off = registry.addListener(Objects.requireNonNull(l, "listener"), which);
        return off::run;
    }

    // ---------------------------------------------------------------- operator actions

    /**
     * The states kept for {@code id} (types with a {@code historyDepth}), most recent first.
     *
     * @throws UnsupportedOperationException if the store keeps no history
     */
    public List<io.github.pgs.spi.StoredState> history(ServerId id) {
        return registry.history(id);
    }

    /**
     * Rolls {@code id} back to the state it had {@code stepsBack} versions ago (1 = the previous one), written as
     * a new version, and lifts its quarantine. An active server is petrified first.
     *
     * @return the new version
     * @throws IllegalArgumentException if fewer older versions are kept
     */
    public long rollback(ServerId id, int stepsBack) {
        return registry.rollback(id, stepsBack);
    }

    /** Wipes the state of {@code id} and lifts its quarantine: the next message starts it fresh via {@code init}. */
    public void reset(ServerId id) {
        registry.reset(id);
    }

    /**
     * Waits for the start-up recovery (revival of {@code PERMANENT} servers and remembered active ones) to finish.
     *
     * @return {@code true} if it finished (or there was none) within {@code timeout}
     */
    public boolean awaitRecovery(Duration timeout) {
        return registry.awaitRecovery(timeout);
    }

    public void removeListener(LifecycleListener listener) {
        registry.removeListener(listener);
    }

    /**
     * Waits until no server of this runtime is handling or holding a message, for tests and orderly hand-offs.
     * Timers may post messages later.
     *
     * @return {@code false} if still busy after {@code timeout}
     */
    public boolean awaitQuiescence(Duration timeout) {
        return registry.awaitQuiescence(timeout);
    }

    /**
     * Petrifies every active server after its queued messages, persisting what write-behind and on-petrify
     * servers hold, waits up to the shutdown timeout, then closes what the runtime owns. Refs stay valid for
     * another runtime on the same store.
     *
     * @throws StorageException if some server could not persist its state (listed as suppressed exceptions)
     */
    @Override
    public void close() {
        if (registry.isClosed()) {
            return;
        }
        List<GenServerException> failures = registry.close();
        if (closeStorage && storage != null) {
            storage.close();
        }
        if (!failures.isEmpty()) {
            StorageException e = new StorageException(failures.size() + " failures while closing runtime " + name,
                    null);
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    @Override
    public String toString() {
        return "ServerRuntime[" + name + ", " + (storage == null ? "ephemeral" : storage.getClass().getSimpleName())
                + ", active=" + activeCount() + "]";
    }

    /** Builds a {@link ServerRuntime}. Not thread-safe. */
    public static final class Builder {
        private String name = "default";
        private Storage storage;
        private boolean ephemeral;
        private boolean closeStorage;
        private StateCodec codec;
        private TimeSource time = TimeSource.SYSTEM;
        private Scheduler scheduler;
        private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
        private TypeOptions defaultOptions = TypeOptions.DEFAULTS;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private int maxActive = UNBOUNDED;
        private int recoveryRate = DEFAULT_RECOVERY_RATE;
        private Duration reminderPollInterval = DEFAULT_REMINDER_POLL_INTERVAL;
        private Duration reminderGrace = DEFAULT_REMINDER_GRACE;
        private int reminderConcurrency = DEFAULT_REMINDER_CONCURRENCY;
        private final List<ServerType<?, ?>> types = new ArrayList<>();
        private final List<LifecycleListener> listeners = new ArrayList<>();
        private io.github.pgs.placement.Placement placement;
        private final List<RuntimeObserver> observers = new ArrayList<>();

        private Builder() {
        }

        /**
         * The engine that places servers on nodes (default: none, every server lives in this JVM). With one, every
         * message, operator action and duty wake-up goes to the server's owner through the engine, encoded by the
         * codec: message classes must be declared ({@link ServerType.Builder#messages}), the runtime-wide duties
         * run where the engine says, and {@link #close()} lets the engine hand off first. Needs a store.
         */
        public Builder placement(io.github.pgs.placement.Placement v) {
            placement = Objects.requireNonNull(v, "placement");
            return this;
        }

        /** A name for threads and logs (default {@code "default"}). */
        public Builder name(String v) { name = Objects.requireNonNull(v, "name"); return this; }
        /** The store (required unless ephemeral). The runtime closes it only if {@link #closeStorage} is set. */
        public Builder storage(Storage v) { storage = Objects.requireNonNull(v, "storage"); return this; }
        /** Whether {@link ServerRuntime#close()} also closes the store (default {@code false}). */
        public Builder closeStorage(boolean v) { closeStorage = v; return this; }
        /** No storage: servers are plain in-memory servers that never petrify. */
        public Builder ephemeral() { ephemeral = true; return this; }
        /** The codec (default: the highest-priority {@code StateCodecProvider} on the class path). */
        public Builder codec(StateCodec v) { codec = Objects.requireNonNull(v, "codec"); return this; }
        /** The clock (default {@link TimeSource#SYSTEM}). */
        public Builder timeSource(TimeSource v) { time = Objects.requireNonNull(v, "time"); return this; }
        /** The scheduler (default: one daemon thread owned by the runtime). */
        public Builder scheduler(Scheduler v) { scheduler = Objects.requireNonNull(v, "scheduler"); return this; }
        /** The longest key accepted, in UTF-8 bytes (default {@link #DEFAULT_MAX_KEY_BYTES}). */
        public Builder maxKeyBytes(int v) {
            if (v < 1) throw new IllegalArgumentException("maxKeyBytes must be >= 1");
            maxKeyBytes = v;
            return this;
        }
        /**
         * The most servers active at once (default {@link #UNBOUNDED}); past it the least recently used idle ones
         * petrify (persisting first).
         */
        public Builder maxActive(int v) {
            if (v < 1) throw new IllegalArgumentException("maxActive must be >= 1");
            maxActive = v;
            return this;
        }
        /** Servers revived per second by the start-up recovery (default {@link #DEFAULT_RECOVERY_RATE}). */
        public Builder recoveryRate(int v) {
            if (v < 1) throw new IllegalArgumentException("recoveryRate must be >= 1");
            recoveryRate = v;
            return this;
        }
        /**
         * How often the runtime looks for petrified servers whose durable reminders are due (default
         * {@link #DEFAULT_REMINDER_POLL_INTERVAL}). Active servers fire theirs on time; a petrified one is woken
         * within about one interval of its due time.
         */
        public Builder reminderPollInterval(Duration v) {
            reminderPollInterval = positive(v, "reminderPollInterval");
            return this;
        }
        /**
         * How late a reminder tick may be delivered before it counts as missed (default
         * {@link #DEFAULT_REMINDER_GRACE}); see {@link MissedTicks}.
         */
        public Builder reminderGrace(Duration v) {
            Objects.requireNonNull(v, "reminderGrace");
            if (v.isNegative()) throw new IllegalArgumentException("reminderGrace must not be negative");
            reminderGrace = v;
            return this;
        }
        /** How many petrified servers the reminder poller wakes at once (default {@link #DEFAULT_REMINDER_CONCURRENCY}). */
        public Builder reminderConcurrency(int v) {
            if (v < 1) throw new IllegalArgumentException("reminderConcurrency must be >= 1");
            reminderConcurrency = v;
            return this;
        }
        private static Duration positive(Duration v, String what) {
            Objects.requireNonNull(v, what);
            if (v.isNegative() || v.isZero()) throw new IllegalArgumentException(what + " must be positive: " + v);
            return v;
        }
        /** Options for types registered implicitly through a class (default {@link TypeOptions#DEFAULTS}). */
        public Builder defaultOptions(TypeOptions v) { defaultOptions = Objects.requireNonNull(v, "options"); return this; }
        /** How long {@link ServerRuntime#close()} waits for servers (default {@link #DEFAULT_SHUTDOWN_TIMEOUT}). */
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = Objects.requireNonNull(v, "timeout"); return this; }
        /** Registers a type up front (needed for refs read from data or parsed from text). */
        public Builder register(ServerType<?, ?> v) { types.add(Objects.requireNonNull(v, "type")); return this; }
        /** Adds a lifecycle listener. */
        public Builder listener(LifecycleListener v) { listeners.add(Objects.requireNonNull(v, "listener")); return this; }
        /** Adds an observer of everything the runtime and its store do (metrics, traces: {@code pgs-micrometer});
         *  repeatable. Default: none, nothing is measured. What it throws is logged and ignored; it must not block. */
        public Builder observer(RuntimeObserver v) { observers.add(Objects.requireNonNull(v, "observer")); return this; }

        public ServerRuntime build() {
            if (placement != null && ephemeral) {
                throw new IllegalArgumentException("a placement engine needs a store: ephemeral servers never move");
            }
            return new ServerRuntime(this);
        }
    }
}
