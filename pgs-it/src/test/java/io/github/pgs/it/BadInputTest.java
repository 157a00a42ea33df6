package io.github.pgs.it;

import io.github.pgs.Call;
import io.github.pgs.CallResult;
import io.github.pgs.CallTimeoutException;
import io.github.pgs.From;
import io.github.pgs.GenServer;
import io.github.pgs.GenServerException;
import io.github.pgs.Init;
import io.github.pgs.InitRejectedException;
import io.github.pgs.KeyTooLongException;
import io.github.pgs.MailboxFullException;
import io.github.pgs.PersistenceException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StateMapping;
import io.github.pgs.StateTooLargeException;
import io.github.pgs.StopReason;
import io.github.pgs.TypeName;
import io.github.pgs.TypeOptions;
import io.github.pgs.it.canary.CanaryTrap;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.github.pgs.Results.reply;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Contract points 10 and 11 on real stores, for the cases the runtime's own {@code BadInputTest} does not cover:
 * stored data crafted to instantiate a class, handlers that throw {@link Error}s, state mappings that throw,
 * oversize states and keys on SQLite and PostgreSQL, and a mailbox flood.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadInputTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void reset() {
        Tally.reset();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (RuntimeException ignored) {
                // tests that break things on purpose may leave a runtime that cannot persist everything
            }
        }
    }

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        toClose.add(resource);
        return resource;
    }

    private ServerRuntime runtime(Storage store, ServerType<?, ?> type, Consumer<ServerRuntime.Builder> more) {
        ServerRuntime.Builder b = ServerRuntime.builder().storage(store).codec(Stores.codec())
                .shutdownTimeout(Duration.ofSeconds(10)).register(type);
        more.accept(b);
        return closing(b.build());
    }

    // ================================================================================= crafted stored payloads

    /** A state with every shape a gadget payload aims at: untyped values, lists and maps of them. */
    public record Bag(long count, Object any, List<Object> items, Map<String, Object> extras) {
    }

    public record BagGet() implements Call<Long> {
    }

    public record BagInc() implements Call<Long> {
    }

    @TypeName("bag")
    public static final class BagServer implements GenServer<String, Bag> {
        @Override
        public Init<Bag> init(String key) {
            return Init.ok(new Bag(0, null, List.of(), Map.of()));
        }

        @Override
        public CallResult<Bag> handleCall(Call<?> request, From<?> from, Bag s) {
            return switch (request) {
                case BagGet g -> reply(g, s.count(), s);
                case BagInc i -> reply(i, s.count() + 1, new Bag(s.count() + 1, s.any(), s.items(), s.extras()));
                default -> throw new IllegalArgumentException("unknown " + request);
            };
        }
    }

    @Test
    void craftedPayloadsNamingAClass_neverInstantiateIt_onSqlite() {
        Storage store = closing(Stores.sqlite(dir.resolve("canary.db")));
        String c = CanaryTrap.CANARY;
        List<String> payloads = List.of(
                "{\"count\":1,\"any\":[\"" + c + "\",{\"note\":\"x\"}],\"items\":[],\"extras\":{}}",
                "{\"count\":1,\"any\":{\"@class\":\"" + c + "\",\"note\":\"x\"},\"items\":[],\"extras\":{}}",
                "{\"count\":1,\"any\":{\"@type\":\"" + c + "\"},\"items\":[],\"extras\":{}}",
                "{\"count\":1,\"any\":{\"@c\":\".Canary\"},\"items\":[[\"" + c + "\",{}]],\"extras\":{}}",
                "{\"count\":1,\"any\":null,\"items\":[{\"@class\":\"" + c + "\"}],\"extras\":{\"k\":[\"" + c
                        + "\",{\"note\":\"y\"}]}}",
                "{\"@class\":\"" + c + "\",\"count\":1,\"any\":null,\"items\":[],\"extras\":{}}",
                "[\"" + c + "\",{\"note\":\"top\"}]",
                "{\"count\":1,\"any\":\"" + c + "\",\"items\":[\"java.lang.Runtime\"],\"extras\":{\"@class\":\"" + c
                        + "\"}}");
        for (int i = 0; i < payloads.size(); i++) {
            store.save(new StateWrite(new ServerId("bag", "k" + i), 0,
                    payloads.get(i).getBytes(StandardCharsets.UTF_8), 1));
        }
        ServerRuntime runtime = runtime(store, ServerType.of(BagServer.class), b -> { });

        int served = 0;
        int quarantined = 0;
        for (int i = 0; i < payloads.size(); i++) {
            ServerRef ref = runtime.ref(BagServer.class, "k" + i);
            Throwable failure = catchThrowable(() -> ref.call(new BagInc()));
            if (failure == null) {
                served++;
                runtime.petrify(ref.id());
                runtime.awaitQuiescence(Duration.ofSeconds(5));
                assertThat(ref.call(new BagGet())).as("payload %s revives as plain data", i).isEqualTo(2);
            } else {
                quarantined++;
                assertThat(failure).as("payload %s", i).isInstanceOf(QuarantinedException.class)
                        .hasMessageContaining("cannot be decoded");
                StoredState stored = store.load(ref.id());
                assertThat(new String(stored.payload(), StandardCharsets.UTF_8)).as("bytes left untouched")
                        .isEqualTo(payloads.get(i));
                assertThat(stored.version()).isEqualTo(1);
            }
        }

        assertThat(CanaryTrap.TRIGGERED).as("the canary class was never initialised or instantiated").isFalse();
        assertThat(served + quarantined).isEqualTo(payloads.size());
        assertThat(quarantined).as("a payload of the wrong shape is refused, not guessed at").isPositive();
    }

    // ============================================================================================ Errors

    public record Throw(String kind) implements Call<Long> {
    }

    public record Count() implements Call<Long> {
    }

    public record Bump() implements Call<Long> {
    }

    public record Counted(long count) {
    }

    /** Its static initialiser fails: the first use throws ExceptionInInitializerError, later ones NoClassDefFoundError. */
    static final class Exploding {
        static final long VALUE;

        static {
            if (Boolean.parseBoolean("true")) {
                throw new IllegalStateException("static initialiser failed");
            }
            VALUE = 1;
        }

        private Exploding() {
        }
    }

    public static final class CustomError extends Error {
        private static final long serialVersionUID = 1L;

        CustomError(String message) {
            super(message);
        }
    }

    @TypeName("fragile")
    public static final class Fragile implements GenServer<String, Counted> {
        static volatile boolean terminateThrows;

        @Override
        public Init<Counted> init(String key) {
            if (key.startsWith("init-error")) {
                throw new AssertionError("init failed with an Error");
            }
            return Init.ok(new Counted(0));
        }

        @Override
        public CallResult<Counted> handleCall(Call<?> request, From<?> from, Counted s) {
            return switch (request) {
                case Count c -> reply(c, s.count(), s);
                case Bump b -> reply(b, s.count() + 1, new Counted(s.count() + 1));
                case Throw t -> throw error(t.kind());
                default -> throw new IllegalArgumentException("unknown " + request);
            };
        }

        @Override
        public void terminate(StopReason reason, Counted state) {
            if (terminateThrows) {
                throw new CustomError("terminate failed with an Error");
            }
        }

        private static Error error(String kind) {
            return switch (kind) {
                case "assertion" -> new AssertionError("handler assertion");
                case "stack" -> {
                    recurse(0);
                    yield new AssertionError("unreachable");
                }
                case "memory" -> {
                    long[] huge = new long[Integer.MAX_VALUE]; // refused by the VM at once: a real OutOfMemoryError
                    yield new AssertionError("unreachable " + huge.length);
                }
                case "initializer" -> {
                    long v = Exploding.VALUE;
                    yield new AssertionError("unreachable " + v);
                }
                case "linkage" -> new LinkageError("simulated linkage failure");
                default -> new CustomError("custom " + kind);
            };
        }

        private static int recurse(int depth) {
            return recurse(depth + 1) + 1;
        }
    }

    @Test
    void handlersThrowingErrors_crashOnlyTheirOwnServer_andKeepItsPersistedState() {
        Storage store = closing(Stores.sqlite(dir.resolve("errors.db")));
        ServerRuntime runtime = runtime(store, ServerType.builder(Fragile.class)
                .options(TypeOptions.builder().restartIntensity(50, Duration.ofSeconds(5)).build()).build(), b -> { });
        ServerRef bystander = runtime.ref(Fragile.class, "bystander");
        bystander.call(new Bump());
        Map<String, Class<? extends Throwable>> kinds = new java.util.LinkedHashMap<>();
        kinds.put("assertion", AssertionError.class);
        kinds.put("stack", StackOverflowError.class);
        kinds.put("memory", OutOfMemoryError.class);
        kinds.put("initializer", ExceptionInInitializerError.class);
        kinds.put("initializer-again", NoClassDefFoundError.class);
        kinds.put("linkage", LinkageError.class);
        kinds.put("custom", CustomError.class);

        for (Map.Entry<String, Class<? extends Throwable>> k : kinds.entrySet()) {
            String kind = k.getKey().equals("initializer-again") ? "initializer" : k.getKey();
            ServerRef victim = runtime.ref(Fragile.class, "victim-" + k.getKey());
            victim.call(new Bump());
            victim.call(new Bump());

            assertThatThrownBy(() -> victim.call(new Throw(kind)))
                    .as(k.getKey())
                    .isInstanceOf(ServerCrashedException.class)
                    .cause().isExactlyInstanceOf(k.getValue());

            assertThat(victim.call(new Count())).as("%s: revived from the last persisted state", k.getKey())
                    .isEqualTo(2);
            assertThat(bystander.call(new Bump())).as("%s: other servers carry on", k.getKey()).isPositive();
        }
        assertThat(runtime.stats().crashes()).isEqualTo(kinds.size());
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(5))).as("no server is wedged").isTrue();
    }

    @Test
    void errorInInit_rejectsTheStart_andErrorInTerminate_isIgnored() {
        ServerRuntime runtime = runtime(new InMemoryStorage(), ServerType.of(Fragile.class), b -> { });

        assertThatThrownBy(() -> runtime.ref(Fragile.class, "init-error-1").call(new Count()))
                .isInstanceOf(InitRejectedException.class);

        ServerRef ref = runtime.ref(Fragile.class, "terminate-error");
        ref.call(new Bump());
        Fragile.terminateThrows = true;
        try {
            ref.stop(StopReason.error("stop with a throwing terminate"));
        } finally {
            Fragile.terminateThrows = false;
        }
        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(ref.call(new Count())).as("the error stop kept the state").isEqualTo(1);
    }

    /** A live state whose mapping to the persisted form throws an Error when {@code poisoned}. */
    public record Live(long count, boolean poisoned) {
    }

    public record Poison() implements Call<Long> {
    }

    @TypeName("mapped")
    public static final class Mapped implements GenServer<String, Live> {
        static final StateMapping<Live, Counted> MAPPING = StateMapping.of(Counted.class, live -> {
            if (live.poisoned()) {
                throw new CustomError("state mapping failed with an Error");
            }
            return new Counted(live.count());
        }, saved -> new Live(saved.count(), false));

        @Override
        public Init<Live> init(String key) {
            return Init.ok(new Live(0, false));
        }

        @Override
        public CallResult<Live> handleCall(Call<?> request, From<?> from, Live s) {
            return switch (request) {
                case Count c -> reply(c, s.count(), s);
                case Bump b -> reply(b, s.count() + 1, new Live(s.count() + 1, false));
                case Poison p -> reply(p, s.count() + 1, new Live(s.count() + 1, true));
                default -> throw new IllegalArgumentException("unknown " + request);
            };
        }
    }

    @Test
    void errorThrownWhilePersisting_failsTheCallerPromptly_withATypedError() {
        ServerRuntime runtime = runtime(new InMemoryStorage(), ServerType.builder(Mapped.class)
                .stateMapping(Mapped.MAPPING).build(), b -> { });
        ServerRef ref = runtime.ref(Mapped.class, "poisoned");
        ref.call(new Bump());

        long started = System.nanoTime();
        Throwable failure = catchThrowable(() -> ref.call(new Poison(), Duration.ofSeconds(3)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(failure).as("a typed error, not a timeout (took %s)", took)
                .isInstanceOf(GenServerException.class)
                .isNotInstanceOf(CallTimeoutException.class);
        assertThat(ref.call(new Count(), Duration.ofSeconds(3))).as("nothing unpersisted survives").isEqualTo(1);
        assertThat(runtime.ref(Mapped.class, "healthy").call(new Bump(), Duration.ofSeconds(3))).isEqualTo(1);
    }

    // ======================================================================================= oversize

    @Test
    void oversizeState_isRefusedWithATypedError_andNothingIsWritten_onSqliteAndPostgres() {
        for (Storage store : List.of(closing(Stores.sqlite(dir.resolve("big.db"))), closing(Stores.postgres()))) {
            String type = Stores.unique("big");
            ServerRuntime runtime = runtime(store, ServerType.builder(Tally.class).name(type).build(), b -> { });
            ServerRef ref = runtime.ref(Tally.class, "huge");
            ref.call(new Tally.Inc());
            long version = store.load(ref.id()).version();

            assertThatThrownBy(() -> ref.call(new Tally.Pad(TypeOptions.DEFAULT_MAX_STATE_BYTES + 1)))
                    .as(store.toString())
                    .isInstanceOf(PersistenceException.class)
                    .cause().isInstanceOfSatisfying(StateTooLargeException.class, e -> {
                        assertThat(e.limit()).isEqualTo(TypeOptions.DEFAULT_MAX_STATE_BYTES);
                        assertThat(e.size()).isGreaterThan(TypeOptions.DEFAULT_MAX_STATE_BYTES);
                    });

            assertThat(store.load(ref.id()).version()).isEqualTo(version);
            assertThat(ref.call(new Tally.Get())).isEqualTo(1);
            assertThat(ref.call(new Tally.Inc())).isEqualTo(2);
        }
    }

    @Test
    void largeStateWithinAConfiguredLimit_survivesPetrifyAndRevive_onSqliteAndPostgres() {
        int bytes = 8 << 20;
        for (Storage store : List.of(closing(Stores.sqlite(dir.resolve("large.db"))), closing(Stores.postgres()))) {
            String type = Stores.unique("large");
            ServerRuntime runtime = runtime(store, ServerType.builder(Tally.class).name(type)
                    .options(TypeOptions.builder().maxStateBytes(16 << 20).build()).build(), b -> { });
            ServerRef ref = runtime.ref(Tally.class, "large");
            ref.call(new Tally.Inc());
            ref.call(new Tally.Pad(bytes));

            runtime.petrify(ref.id());
            assertThat(runtime.awaitQuiescence(Duration.ofSeconds(30))).isTrue();
            assertThat(runtime.isActive(ref.id())).isFalse();

            assertThat(store.load(ref.id()).payload().length).as(store.toString()).isGreaterThan(bytes);
            assertThat(ref.call(new Tally.Inc())).isEqualTo(2);
        }
    }

    @Test
    void keyLongerThanPostgresAccepts_isRefusedWithATypedError_andNothingIsStored() {
        Storage store = closing(Stores.postgres());
        String type = Stores.unique("longkey");
        ServerRuntime runtime = runtime(store, ServerType.builder(Tally.class).name(type).build(),
                b -> b.maxKeyBytes(8192));
        ServerRef ref = runtime.ref(Tally.class, "k".repeat(3000));

        assertThatThrownBy(() -> ref.call(new Tally.Inc()))
                .isInstanceOf(PersistenceException.class)
                .cause().isInstanceOf(KeyTooLongException.class);

        assertThat(store.load(ref.id()).version()).isZero();
        assertThat(runtime.ref(Tally.class, "short").call(new Tally.Inc())).isEqualTo(1);
        assertThatThrownBy(() -> runtime.ref(Tally.class, "k".repeat(9000)))
                .as("the runtime's own limit still applies").isInstanceOf(KeyTooLongException.class);
    }

    // ======================================================================================= mailbox flood

    @Test
    void mailboxFlood_isRefusedPastCapacity_andKeepsMemoryBounded() throws Exception {
        int capacity = 1_000;
        int attempts = 60_000;
        int blob = 32 * 1024; // 60,000 x 32 KiB = 1.8 GiB if the mailbox kept them all
        ServerRuntime runtime = runtime(new InMemoryStorage(), ServerType.builder(Tally.class)
                .name(Stores.unique("flood")).options(TypeOptions.builder().mailboxCapacity(capacity).build())
                .build(), b -> { });
        ServerRef ref = runtime.ref(Tally.class, "flooded");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> held = ref.callAsync(new Tally.Hold(entered, release), Duration.ofMinutes(5));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
        long before = usedHeapAfterGc();

        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < attempts; i++) {
            try {
                ref.cast(new Tally.Blob(new byte[blob]));
                accepted++;
            } catch (MailboxFullException e) {
                assertThat(e.capacity()).isEqualTo(capacity);
                refused++;
            }
        }
        CompletableFuture<Long> lateCall = ref.callAsync(new Tally.Get());
        long retained = usedHeapAfterGc() - before;

        assertThat(accepted).isEqualTo(capacity);
        assertThat(refused).isEqualTo(attempts - capacity);
        assertThat(lateCall).isCompletedExceptionally();
        assertThat(lateCall.exceptionNow()).isInstanceOf(MailboxFullException.class);
        assertThat(retained).as("heap retained by the flood, bytes").isLessThan(256L << 20);

        release.countDown();
        assertThat(held.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(30))).isTrue();
        assertThat(ref.call(new Tally.Get())).as("every accepted message was handled").isEqualTo(1 + capacity);
    }

    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
