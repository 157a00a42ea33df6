package io.github.pgs.internal;

import io.github.pgs.Call;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.LifecycleListener;
import io.github.pgs.MissedTicks;
import io.github.pgs.Reminder;
import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerId;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.TimerRef;
import io.github.pgs.TypeOptions;
import io.github.pgs.placement.Placement;
import io.github.pgs.spi.RefResolver;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.spi.Scheduler;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.StateCodecProvider;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.spi.TimeSource;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * The runtime behind one {@code ServerRuntime}, and the one seam through which the public API reaches the
 * internals: every other class of this package is package-private. A thin facade: each call goes to the part that
 * does that one job ({@link TypeRegistry} types, {@link Dispatcher} delivery and the active table,
 * {@link Operations} operator actions, {@link Duties} recovery, reminder polling and TTL sweeps, {@link Listeners}).
 * The nested types are the seam's handles: {@link Target} (what a ref holds), {@link Turn} (what a handler's
 * {@code ServerContext} reaches), {@link ServerView}, {@link Sweep} and {@link Job} (what the admin package uses).
 * Nothing here refers back to the API's entry classes ({@code ServerRuntime}, {@code ServerRef},
 * {@code ServerContext}): the API makes its objects around these handles.
 */
public final class Registry {

    /** Load queries that may run at once; more concurrent loads wait and go into the next query. */
    static final int LOAD_LANES = 4;
    /** The most keys one load query carries. */
    static final int LOAD_BATCH = 256;
    /** The TTL sweep interval of a type whose ttl is longer: one hour. */
    static final Duration DEFAULT_TTL_INTERVAL = Duration.ofHours(1);
    /** Runs each periodic run on a new virtual thread. */
    static final Executor VIRTUAL_THREAD_PER_RUN = task -> Thread.ofVirtual().name("pgs-periodic").start(task);

    /**
     * What a runtime is built from.
     * @param scheduler {@code null}: the runtime owns a {@link SystemScheduler} and closes it
     * @param storage   {@code null} for an ephemeral runtime
     * @param refs      turns ids read from stored data into the API's refs (made around {@link #targetFromData})
     * @param placement the engine that places servers on nodes, or {@code null} for a single JVM
     * @param observer  told of everything the runtime does (guarded), or {@code null}: nobody listens
     */
    public record Config(String name, Storage storage, StateCodec codec, TimeSource time, Scheduler scheduler,
                         int maxKeyBytes, int maxActive, TypeOptions defaultOptions, int recoveryRate,
                         Duration reminderPollInterval, Duration reminderGrace, int reminderConcurrency,
                         Duration shutdownTimeout, RefResolver refs, Placement placement, RuntimeObserver observer) {
    }

    private final Config config;
    private final SystemScheduler ownedScheduler;
    private final Services rt;
    private final TypeRegistry types;
    private final Dispatcher dispatcher;
    private final Router router;
    private final Wire wire;
    private final Duties duties;

    private Registry(Config c, List<ServerType<?, ?>> registered, List<LifecycleListener> listeners) {
        this.config = c;
        Scheduler scheduler = c.scheduler();
        this.ownedScheduler = scheduler == null ? new SystemScheduler("pgs-" + c.name() + "-timers") : null;
        if (scheduler == null) {
            scheduler = ownedScheduler;
        }
        DueWatch dueWatch = new DueWatch(Duties.remindersKept(c), c.reminderGrace().toMillis());
        this.rt = new Services(this, c.name(), c.storage(), c.codec(), c.time(), scheduler, c.refs(), dueWatch,
                c.placement(), c.maxActive(), c.observer());
        this.dispatcher = rt.dispatcher;
        this.types = new TypeRegistry(c.codec(), c.refs(), c.maxKeyBytes(), c.defaultOptions());
        registered.forEach(types::register);
        listeners.forEach(rt.listeners::add);
        this.wire = new Wire(c.codec(), c.refs());
        this.router = c.placement() == null ? new LocalRouter(rt)
                : new EngineRouter(rt, wire, c.placement(), c.shutdownTimeout());
        this.duties = new Duties(rt, types, router.wakes(), router.ttlJudge(), c);
    }

    /**
     * Builds the runtime with {@code registered} types (the builder's: they take part in recovery and TTL sweeps)
     * and {@code listeners}. Nothing runs until {@link #startDuties()}.
     */
    public static Registry create(Config c, List<ServerType<?, ?>> registered, List<LifecycleListener> listeners) {
        return new Registry(c, registered, listeners);
    }

    /**
     * Starts the runtime: a single JVM runs the runtime-wide duties (recovery, reminder polling, TTL sweeps) itself;
     * with a placement engine, the runtime attaches to it, and the engine turns the duties on where it wants them.
     */
    public void start() {
        if (rt.quarantines != null) {
            rt.quarantines.readBook();
        }
        if (config.placement() == null) {
            duties.on();
        } else {
            config.placement().attach(new Inbound(rt, types, wire, duties));
        }
    }

    // ---------------------------------------------------------------- types

    public void register(ServerType<?, ?> spec) {
        types.register(spec);
    }

    /** The registered type named {@code typeName}, with its current options. */
    public ServerType<?, ?> type(String typeName) {
        TypeRuntime<?, ?> t = types.named(typeName);
        return t.spec().toBuilder().options(t.options()).build();
    }

    public List<ServerType<?, ?>> types() {
        return types.specs();
    }

    public void reconfigure(String typeName, TypeOptions options) {
        types.named(typeName).reconfigure(options);
    }

    public TypeOptions options(String typeName) {
        return types.named(typeName).options();
    }

    /** The highest-priority codec on the class path (a {@link StateCodecProvider}), for a runtime given none. */
    public static StateCodec findCodec() {
        List<StateCodecProvider> providers = new java.util.ArrayList<>();
        ServiceLoader.load(StateCodecProvider.class).forEach(providers::add);
        return providers.stream().max(Comparator.comparingInt(StateCodecProvider::priority))
                .map(StateCodecProvider::create)
                .orElseThrow(() -> new IllegalStateException("no StateCodec given and none found on the class path; "
                        + "add io.github.pgs:pgs-jackson or pass builder.codec(...)"));
    }

    /** {@code [A, S]} of a behaviour's {@code GenServer<A, S>}, each {@code null} when not concrete. */
    public static Type[] genServerArguments(Class<?> behaviour) {
        return Generics.genServerArguments(behaviour);
    }

    // ---------------------------------------------------------------- targets (what refs hold)

    /**
     * A server as a ref holds it: its runtime, type (looked up on first use for ids read from data, whose type
     * may register later), id and init arguments, and its last activation (a hint that saves the table lookup).
     */
    public static final class Target {
        final Registry registry;
        private volatile TypeRuntime<?, ?> type;
        final ServerId id;
        final Object args;
        volatile Activation<?, ?> last;

        Target(Registry registry, TypeRuntime<?, ?> type, ServerId id, Object args) {
            this.registry = registry;
            this.type = type;
            this.id = id;
            this.args = args;
        }

        TypeRuntime<?, ?> type() {
            TypeRuntime<?, ?> t = type;
            if (t == null) {
                t = registry.types.named(id.type());
                type = t;
            }
            return t;
        }

        public ServerId id() {
            return id;
        }

        public Registry registry() {
            return registry;
        }
    }

    /** The server of {@code behaviour} identified by {@code args}, not started (virtual activation). */
    public <A> Target target(Class<? extends GenServer<A, ?>> behaviour, A args) {
        if (!isPersistent()) {
            throw new UnsupportedOperationException("ephemeral servers have no identity before start");
        }
        TypeRuntime<A, ?> t = types.of(behaviour);
        return new Target(this, t, t.idFor(args), args);
    }

    /** Server {@code id}; its type must be registered and its key within the limit. */
    public Target target(ServerId id) {
        TypeRuntime<?, ?> t = types.named(id.type());
        return new Target(this, t, t.checkedId(id.key()), null);
    }

    /**
     * Server {@code id} read from stored data: checked as refs made in code (the key length), but the type is looked
     * up when the ref is used, never loaded by name.
     */
    public Target targetFromData(ServerId id) {
        return new Target(this, types.find(id.type()), TypeRuntime.checkKeyLength(id, config.maxKeyBytes()), null);
    }

    /** The name {@code behaviour} is registered under here, or its default name. */
    public String typeName(Class<? extends GenServer<?, ?>> behaviour) {
        return types.nameOf(behaviour);
    }

    /** Starts (or revives) the server and waits until it is active; an ephemeral runtime starts a new one. */
    public <A> Target start(Class<? extends GenServer<A, ?>> behaviour, A args) {
        return start(types.of(behaviour), args);
    }

    public <A, S> Target start(ServerType<A, S> type, A args) {
        return start(types.register(type), args);
    }

    private <A> Target start(TypeRuntime<A, ?> t, A args) {
        if (!isPersistent()) {
            Target target = new Target(this, t, dispatcher.installEphemeral(t, args), args);
            dispatcher.start(target, t.options().callTimeout());
            return target;
        }
        Target target = new Target(this, t, t.idFor(args), args);
        router.start(target, t.options().callTimeout());
        return target;
    }

    // ---------------------------------------------------------------- messages

    public <R> R call(Target t, Call<R> request, Duration timeout) {
        return router.call(t, request, timeout);
    }

    public <R> CompletableFuture<R> callAsync(Target t, Call<R> request, Duration timeout) {
        return router.callAsync(t, request, timeout);
    }

    public void cast(Target t, Object message, boolean info) {
        router.cast(t, message, info);
    }

    public void stop(Target t, StopReason reason) {
        router.stop(t, reason, t.type().options().callTimeout());
    }

    /** The call timeout of the target's type. */
    public Duration callTimeout(Target t) {
        return t.type().options().callTimeout();
    }

    // ---------------------------------------------------------------- servers and operator actions

    public boolean isPersistent() {
        return rt.storage != null;
    }

    public boolean isActive(ServerId id) {
        return dispatcher.isActive(id);
    }

    public boolean isQuarantined(ServerId id) {
        return dispatcher.isQuarantined(id);
    }

    public boolean release(ServerId id) {
        return router.release(id);
    }

    public boolean petrify(ServerId id) {
        return router.petrify(id);
    }

    public void petrifyAndWait(ServerId id, Duration timeout) {
        router.petrifyAndWait(id, timeout);
    }

    public List<StoredState> history(ServerId id) {
        return persistentStore().history(id);
    }

    public long rollback(ServerId id, int stepsBack) {
        persistentStore();
        return dispatcher.operations.rollback(router, id, types.named(id.type()).options(), stepsBack,
                config.shutdownTimeout());
    }

    public void reset(ServerId id) {
        persistentStore();
        types.named(id.type());
        dispatcher.operations.reset(router, id, config.shutdownTimeout());
    }

    private Storage persistentStore() {
        if (rt.storage == null) {
            throw new UnsupportedOperationException("ephemeral runtimes store nothing");
        }
        return rt.storage;
    }

    public int activeCount() {
        return dispatcher.activeCount();
    }

    /** The runtime's counters: the sum over its types, with the exact active count. */
    public RuntimeStats stats() {
        RuntimeStats sum = new RuntimeStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, dispatcher.activeCount(), 0);
        for (TypeRuntime<?, ?> t : types.all()) {
            sum = TypeStats.sum(sum, t.stats.snapshot());
        }
        return sum;
    }

    public RuntimeStats stats(String typeName) {
        return types.named(typeName).stats.snapshot();
    }

    public void addListener(LifecycleListener l) {
        rt.listeners.add(l);
    }

    public void removeListener(LifecycleListener l) {
        rt.listeners.remove(l);
    }

    /** Adds {@code l} for the servers {@code which} accepts; returns what removes it. */
    public Runnable addListener(LifecycleListener l, Predicate<ServerId> which) {
        return rt.listeners.add(l, which);
    }

    /** Waits for the start-up recovery, in real time (it is real work on a thread of its own). */
    public boolean awaitRecovery(Duration timeout) {
        return duties.awaitRecovery(timeout);
    }

    /** Waits until no server is handling or holding a message, in real time. */
    public boolean awaitQuiescence(Duration timeout) {
        return dispatcher.awaitQuiescence(timeout);
    }

    public boolean isClosed() {
        return dispatcher.isClosed();
    }

    /**
     * Stops the duties, petrifies every active server and waits for their departures (at most the shutdown
     * timeout, in real time), then stops the owned scheduler.
     *
     * @return failures to persist during shutdown
     */
    public List<GenServerException> close() {
        if (config.placement() != null) {
            config.placement().close(); // the engine hands off what it moves while the runtime still serves
        }
        duties.off();
        List<GenServerException> failures = dispatcher.close(config.shutdownTimeout());
        if (ownedScheduler != null) {
            ownedScheduler.close();
        }
        return failures;
    }

    // ---------------------------------------------------------------- the handler's turn (ServerContext)

    /** What a running handler reaches of its own server. Every method throws outside that handler's turn. */
    public interface Turn {
        Target self();

        ServerId id();

        TimerRef timer(Object message, Duration delay, boolean periodic, boolean keepsAlive);

        long wallClockMillis();

        void remind(String name, long dueMillis, long periodMillis, MissedTicks missed);

        boolean cancelReminder(String name);

        Map<String, Reminder> reminders();
    }

    /** The turn of the handler running on this thread, or {@code null} outside any handler. */
    public static Turn currentTurn() {
        Activation<?, ?> a = Activation.current();
        return a == null ? null : new HandlerScope(a);
    }
}
