package io.github.pgs.testkit;

import io.github.pgs.Call;
import io.github.pgs.GenServer;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StateMapping;
import io.github.pgs.StateUpcaster;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateCodec;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tests one behaviour type the way it runs in production, without waiting and without a database: a real
 * {@link ServerRuntime} on a {@link ManualTime} clock, over a {@link FaultInjectingStorage} wrapping an in-memory
 * store (or a store you give), with the operations a test needs: call, cast and send through refs, read the
 * persisted state back decoded, move time, force petrification, revive, restart the runtime on the same store,
 * and check that a state survives the codec.
 *
 * <pre>{@code
 * try (ServerTestKit<String, Player.State> kit = ServerTestKit.of(Player.class)) {
 *     kit.cast("vorpal", new Player.Increment());
 *     assertThat(kit.call("vorpal", new Player.ReadScore())).isEqualTo(1L);
 *     kit.advance(Duration.ofMinutes(2));                 // idle: the server petrifies
 *     assertThat(kit.isActive("vorpal")).isFalse();
 *     kit.restart();                                      // a new runtime on the same store
 *     assertThat(kit.storedState("vorpal")).get().extracting(Player.State::score).isEqualTo(1L);
 * }
 * }</pre>
 *
 * <h2>Determinism</h2>
 * Every operation that can leave work behind (cast, send, petrify, advance) waits until the runtime is quiescent
 * before it returns, so assertions that follow see its effects. {@link #advance} moves the clock from one due
 * timer to the next and lets the servers settle at each, so the order of timer effects (idle timeouts, call
 * timeouts of async calls, write-behind flushes, volatile timers) is the order of their due times. Calls made
 * with {@link #call} wait in real time (the call timeout is measured by the JVM's clock, not the manual one).
 *
 * <h2>Defaults</h2>
 * The store is a fresh {@link InMemoryStorage}; the codec is the one the runtime finds on the class path (add
 * {@code pgs-jackson}) unless {@link Builder#codec} sets one; the type keeps its own {@link TypeOptions}; the
 * runtime's shutdown timeout and the settle timeout are {@value #DEFAULT_SETTLE_SECONDS} seconds.
 *
 * <h2>Failures</h2>
 * Operations on servers throw what the runtime throws (typed {@link io.github.pgs.GenServerException}s). A runtime
 * that does not settle within the settle timeout, and a state that does not survive {@link #assertRoundTrip},
 * fail with an {@link AssertionError}.
 *
 * <p>Not thread-safe: drive a kit from the test thread (the servers it runs are, of course, concurrent).
 *
 * @param <A> the behaviour's init argument type
 * @param <S> the behaviour's state type
 */
public final class ServerTestKit<A, S> implements AutoCloseable {

    /** The default settle and shutdown timeout, in seconds. */
    public static final int DEFAULT_SETTLE_SECONDS = 10;

    private final ServerType<A, S> type;
    private final ManualTime time;
    private final FaultInjectingStorage storage;
    private final StateCodec givenCodec;
    private final Duration settleTimeout;
    private final boolean closeStorage;
    private ServerRuntime runtime;
    private int generation;

    private ServerTestKit(Builder<A, S> b) {
        this.type = b.type;
        this.time = b.time != null ? b.time : new ManualTime();
        Storage store = b.storage != null ? b.storage : new InMemoryStorage();
        this.storage = store instanceof FaultInjectingStorage f ? f : new FaultInjectingStorage(store);
        this.givenCodec = b.codec;
        this.settleTimeout = b.settleTimeout;
        this.closeStorage = b.closeStorage;
        this.runtime = newRuntime();
    }

    /** A kit for {@code behaviour} with its default {@link ServerType} and every other default. */
    public static <A, S> ServerTestKit<A, S> of(Class<? extends GenServer<A, S>> behaviour) {
        return builder(ServerType.of(behaviour)).build();
    }

    /** A kit for {@code type} with every other default. */
    public static <A, S> ServerTestKit<A, S> of(ServerType<A, S> type) {
        return builder(type).build();
    }

    /** A builder for a kit testing {@code type}. */
    public static <A, S> Builder<A, S> builder(ServerType<A, S> type) {
        return new Builder<>(type);
    }

    private ServerRuntime newRuntime() {
        generation++;
        ServerRuntime.Builder b = ServerRuntime.builder()
                .name("testkit-" + generation)
                .storage(storage)
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(settleTimeout)
                .register(type);
        if (givenCodec != null) {
            b.codec(givenCodec);
        }
        return b.build();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Messages

    /** The ref of the server identified by {@code args} (it activates on its first message). */
    public ServerRef ref(A args) {
        return runtime.ref(type.behaviour(), args);
    }

    /** The id of the server identified by {@code args}. */
    public ServerId id(A args) {
        return ref(args).id();
    }

    /** {@link ServerRef#call(Call)} on the server identified by {@code args}. */
    public <R> R call(A args, Call<R> request) {
        return ref(args).call(request);
    }

    /** {@link ServerRef#cast(Object)}, then waits until the runtime is quiescent. */
    public void cast(A args, Object message) {
        ref(args).cast(message);
        settle();
    }

    /** {@link ServerRef#send(Object)} (to {@code handleInfo}), then waits until the runtime is quiescent. */
    public void send(A args, Object message) {
        ref(args).send(message);
        settle();
    }

    /** {@link ServerRef#stop(StopReason)}: stops the server and waits until it has stopped. */
    public void stop(A args, StopReason reason) {
        ref(args).stop(reason);
        settle();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lifecycle on demand

    /**
     * Petrifies the server now (after its queued messages), as its idle timeout would, and waits until it has
     * persisted and left.
     *
     * @return whether the server was active
     */
    public boolean petrify(A args) {
        boolean wasActive = runtime.isActive(id(args));
        runtime.petrify(id(args));
        settle();
        return wasActive;
    }

    /**
     * Activates the server now: loads its stored state (or runs {@code init} when there is none) and waits until
     * it is active. Returns its ref.
     */
    public ServerRef revive(A args) {
        return runtime.start(type, args);
    }

    /** Whether the server is active (not petrified, stopped or quarantined). */
    public boolean isActive(A args) {
        return runtime.isActive(id(args));
    }

    /** Whether the server is quarantined. */
    public boolean isQuarantined(A args) {
        return runtime.isQuarantined(id(args));
    }

    /**
     * Closes the runtime (petrifying every active server, as an orderly shutdown does) and starts a new one on
     * the same store and clock, as after a JVM restart. Refs of the old runtime must not be used afterwards; take
     * new ones from this kit.
     *
     * @throws io.github.pgs.StorageException if a server could not persist while the old runtime closed
     */
    public void restart() {
        ServerRuntime old = runtime;
        try {
            old.close();
        } finally {
            runtime = newRuntime();
        }
    }

    /**
     * Moves the clock forward by {@code by}: to each due timer in turn, letting the servers settle at each, then
     * to the end.
     */
    public void advance(Duration by) {
        advanceSettled(time, runtime, by, settleTimeout);
    }

    /**
     * Moves {@code time} forward by {@code by} one due task at a time, waiting after each for {@code runtime} to
     * be quiescent, so that work a timer starts (a petrification, a flush, a message) is finished before the next
     * timer runs. Tasks scheduled meanwhile run too when they fall due within {@code by}.
     *
     * @throws AssertionError if the runtime does not settle within {@code settleTimeout} at some step
     */
    public static void advanceSettled(ManualTime time, ServerRuntime runtime, Duration by, Duration settleTimeout) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("cannot move time backwards: " + by);
        }
        Duration left = by;
        while (true) {
            List<Duration> due = time.pendingDelays();
            Duration next = due.isEmpty() ? null : due.get(0);
            if (next == null || next.compareTo(left) > 0) {
                time.advance(left);
                awaitSettled(runtime, settleTimeout);
                return;
            }
            time.advance(next);
            awaitSettled(runtime, settleTimeout);
            left = left.minus(next);
        }
    }

    /** Waits until no server is handling or holding a message. */
    public void settle() {
        awaitSettled(runtime, settleTimeout);
    }

    private static void awaitSettled(ServerRuntime runtime, Duration timeout) {
        if (!runtime.awaitQuiescence(timeout)) {
            throw new AssertionError("runtime " + runtime.name() + " did not settle within " + timeout
                    + " (a handler that never returns, or a message loop?)");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Stored state

    /** What the store holds for the server, read past the fault injection. */
    public StoredState stored(A args) {
        return storage.delegate().load(id(args));
    }

    /** The stored version of the server's state (0 if never saved; a tombstone keeps its version). */
    public long storedVersion(A args) {
        return stored(args).version();
    }

    /**
     * The server's persisted state, decoded as the runtime would decode it on revival (upcast from an older
     * schema version through the type's upcasters, then mapped back through its state mapping), or empty when
     * nothing live is stored (never saved, or wiped).
     *
     * @throws io.github.pgs.CodecException if the stored bytes cannot be decoded
     */
    public Optional<S> storedState(A args) {
        StoredState s = stored(args);
        if (!s.hasPayload()) {
            return Optional.empty();
        }
        return Optional.of(fromPersisted(decodePersisted(upcast(s.payload(), s.schemaVersion()))));
    }

    private byte[] upcast(byte[] payload, int from) {
        int to = runtime.options(type.name()).schemaVersion();
        if (from >= to || from == 0) {
            return payload;
        }
        StateCodec codec = codec();
        Object doc = codec.decode(payload, Object.class, runtime::ref);
        for (int v = from; v < to; v++) {
            StateUpcaster up = type.upcaster(v);
            if (up == null) {
                throw new AssertionError("stored state has schema version " + from + " and " + type.name()
                        + " has no upcaster from version " + v);
            }
            doc = up.upcast(doc);
        }
        return codec.encode(doc, Object.class);
    }

    /**
     * Checks that {@code state} survives the codec as it will in production: its persisted form (after the state
     * mapping) encodes, decodes to an equal value, encodes again to the same bytes (the runtime compares bytes to
     * skip unchanged writes), and fits the type's {@code maxStateBytes}. Returns the live state rebuilt from the
     * decoded form.
     *
     * @throws AssertionError describing the first check that failed
     */
    public S assertRoundTrip(S state) {
        Objects.requireNonNull(state, "state");
        Object persisted = toPersisted(state);
        StateCodec codec = codec();
        byte[] first = codec.encode(persisted, persistedType());
        Object decoded = decodePersisted(first);
        if (!Objects.equals(decoded, persisted)) {
            throw new AssertionError("state does not survive the codec:\n  before: " + persisted
                    + "\n  after:  " + decoded);
        }
        byte[] second = codec.encode(decoded, persistedType());
        if (!Arrays.equals(first, second)) {
            throw new AssertionError("encoding is not stable: the decoded state encodes to other bytes ("
                    + first.length + " vs " + second.length + " bytes), so every message would rewrite it");
        }
        int limit = runtime.options(type.name()).maxStateBytes();
        if (first.length > limit) {
            throw new AssertionError("encoded state is " + first.length + " bytes, over maxStateBytes " + limit);
        }
        return fromPersisted(decoded);
    }

    @SuppressWarnings("unchecked")
    private Object toPersisted(S live) {
        StateMapping<S, Object> m = (StateMapping<S, Object>) type.stateMapping();
        return m != null ? m.toPersisted(live) : live;
    }

    @SuppressWarnings("unchecked")
    private S fromPersisted(Object persisted) {
        StateMapping<S, Object> m = (StateMapping<S, Object>) type.stateMapping();
        return m != null ? m.fromPersisted(persisted) : (S) persisted;
    }

    private Object decodePersisted(byte[] bytes) {
        return codec().decode(bytes, persistedType(), runtime::ref);
    }

    private java.lang.reflect.Type persistedType() {
        StateMapping<S, ?> m = type.stateMapping();
        return m != null ? m.persistedType() : type.stateType();
    }

    private StateCodec codec() {
        return runtime.codec();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Access

    /** The current runtime (a new one after each {@link #restart()}). */
    public ServerRuntime runtime() {
        return runtime;
    }

    /** The clock and scheduler of every runtime of this kit. */
    public ManualTime time() {
        return time;
    }

    /** The store as the runtime sees it; arm faults on it. {@link FaultInjectingStorage#delegate()} is the store. */
    public FaultInjectingStorage faults() {
        return storage;
    }

    /** The type under test. */
    public ServerType<A, S> type() {
        return type;
    }

    /**
     * Closes the runtime (see {@link ServerRuntime#close()}), and the store if the builder was told to close it
     * (an in-memory store made by the kit needs no closing).
     */
    @Override
    public void close() {
        try {
            storage.openGate().hang(false).down(false);
            runtime.close();
        } finally {
            if (closeStorage) {
                storage.close();
            }
        }
    }

    /** Builds a {@link ServerTestKit}. Not thread-safe. */
    public static final class Builder<A, S> {
        private final ServerType<A, S> type;
        private Storage storage;
        private boolean closeStorage;
        private StateCodec codec;
        private ManualTime time;
        private Duration settleTimeout = Duration.ofSeconds(DEFAULT_SETTLE_SECONDS);

        private Builder(ServerType<A, S> type) {
            this.type = Objects.requireNonNull(type, "type");
        }

        /**
         * The store (default: a fresh {@link InMemoryStorage}). It is wrapped in a {@link FaultInjectingStorage}
         * unless it is one.
         */
        public Builder<A, S> storage(Storage v) { storage = Objects.requireNonNull(v, "storage"); return this; }
        /** Whether {@link ServerTestKit#close()} also closes the store (default {@code false}). */
        public Builder<A, S> closeStorage(boolean v) { closeStorage = v; return this; }
        /** The codec (default: the one found on the class path). */
        public Builder<A, S> codec(StateCodec v) { codec = Objects.requireNonNull(v, "codec"); return this; }
        /** The clock (default: a new {@link ManualTime}). */
        public Builder<A, S> time(ManualTime v) { time = Objects.requireNonNull(v, "time"); return this; }
        /** How long operations wait for the runtime to settle, and the runtime's shutdown timeout (default 10 s). */
        public Builder<A, S> settleTimeout(Duration v) {
            Objects.requireNonNull(v, "settleTimeout");
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("settleTimeout must be positive: " + v);
            }
            settleTimeout = v;
            return this;
        }

        public ServerTestKit<A, S> build() {
            return new ServerTestKit<>(this);
        }
    }
}
