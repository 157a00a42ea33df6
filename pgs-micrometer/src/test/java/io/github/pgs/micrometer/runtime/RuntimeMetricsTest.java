package io.github.pgs.micrometer.runtime;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.micrometer.MicrometerObserver;
import io.github.pgs.spi.RuntimeObserver;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ManualTime;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.github.pgs.micrometer.PgsInstruments.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every instrument moves as docs/OBSERVABILITY.md says, driven by a real runtime on the manual clock. */
class RuntimeMetricsTest {

    private static final String SECRET = "k3y-secret";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ManualTime time = new ManualTime();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final InMemoryStorage store = new InMemoryStorage();
    private final List<ServerRuntime> runtimes = new ArrayList<>();
    private ServerRuntime runtime;

    private ServerRuntime start(TypeOptions options, int maxActive, RuntimeObserver... more) {
        ServerRuntime.Builder b = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5)).maxActive(maxActive)
                .register(ServerType.builder(Tally.class).options(options).build())
                .observer(MicrometerObserver.of(meters));
        for (RuntimeObserver o : more) {
            b.observer(o);
        }
        runtime = b.build();
        runtimes.add(runtime);
        Tally.clock = time;
        Tally.runtime = runtime;
        return runtime;
    }

    private ServerRuntime start() {
        return start(TypeOptions.DEFAULTS, ServerRuntime.UNBOUNDED);
    }

    @AfterEach
    void close() {
        Tally.hang.countDown();
        runtimes.forEach(ServerRuntime::close);
    }

    private double count(String name, String... tags) {
        return meters.get(name).tags(tags).counter().count();
    }

    private Timer timer(String name, String... tags) {
        return meters.get(name).tags(tags).timer();
    }

    private double gauge(String name) {
        return meters.get(name).tags(TYPE, "tally").gauge().value();
    }

    private void quiet() {
        assertThat(runtime.awaitQuiescence(WAIT)).isTrue();
    }

    @Test
    void calls_theirTurns_andTheStoreOperationsTheyCause() {
        start();
        ServerRef ref = runtime.ref(Tally.class, SECRET);
        ref.call(new Tally.Inc());
        ref.call(new Tally.Slow(7));
        quiet(); // a turn ends after its reply left

        assertThat(timer(CALL, TYPE, "tally", MESSAGE, "Inc", OUTCOME, "ok", ERROR, "none").count()).isEqualTo(1);
        Timer slow = timer(CALL, MESSAGE, "Slow", OUTCOME, "ok");
        assertThat(slow.count()).isEqualTo(1);
        assertThat(slow.totalTime(TimeUnit.MILLISECONDS)).as("the caller waited 7 ms of the runtime's clock")
                .isEqualTo(7);
        assertThat(timer(HANDLE, MESSAGE, "Slow", KIND, "call", OUTCOME, "ok").totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(7);
        assertThat(timer(STORE, STORE_TAG, "inmemory", OPERATION, "read", OUTCOME, "absent").count()).isEqualTo(1);
        assertThat(timer(STORE, STORE_TAG, "inmemory", OPERATION, "write", OUTCOME, "ok").count()).isEqualTo(2);
        assertThat(meters.get(STORE_BYTES).tags(OPERATION, "write").summary().count()).isEqualTo(2);
        assertThat(count(ACTIVATIONS, KIND, "init")).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isEqualTo(1);
    }

    @Test
    void petrifyAndRevive_moveTheGaugeAndTheirCounters() {
        start();
        ServerRef ref = runtime.ref(Tally.class, "a");
        ref.call(new Tally.Inc());
        runtime.petrifyAndWait(ref.id(), WAIT);
        assertThat(count(PETRIFICATIONS, CAUSE, "requested")).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isZero();

        assertThat(ref.call(new Tally.Get())).isEqualTo(1);
        assertThat(count(ACTIVATIONS, KIND, "revival")).isEqualTo(1);
        assertThat(timer(STORE, OPERATION, "read", OUTCOME, "ok").count()).isEqualTo(1);
        assertThat(meters.get(STORE_BYTES).tags(OPERATION, "read").summary().count()).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isEqualTo(1);
    }

    @Test
    void idleTimeout_petrifiesAsIdle() {
        start(TypeOptions.builder().idleTimeout(Duration.ofSeconds(1)).build(), ServerRuntime.UNBOUNDED);
        runtime.ref(Tally.class, "a").call(new Tally.Inc());
        time.advance(Duration.ofSeconds(2));
        quiet();
        assertThat(count(PETRIFICATIONS, CAUSE, "idle")).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isZero();
    }

    @Test
    void aFullActiveSet_evictsTheLeastRecentlyUsed() throws InterruptedException {
        CountDownLatch evicted = new CountDownLatch(1);
        start(TypeOptions.DEFAULTS, 1, new RuntimeObserver() {
            @Override
            public void petrified(ServerId id, PetrifyCause cause) {
                if (cause == PetrifyCause.EVICTED) {
                    evicted.countDown();
                }
            }
        });
        runtime.ref(Tally.class, "a").call(new Tally.Inc());
        quiet(); // "a" is idle (its drain ended) when "b" fills the active set
        runtime.ref(Tally.class, "b").call(new Tally.Inc());
        assertThat(evicted.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(count(PETRIFICATIONS, CAUSE, "evicted")).isEqualTo(1);
    }

    @Test
    void aCrash_isCountedByItsException_andEndsTheActivation() {
        start();
        ServerRef ref = runtime.ref(Tally.class, "a");
        ref.call(new Tally.Inc());
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        quiet();

        assertThat(count(CRASHES, EXCEPTION, "IllegalStateException")).isEqualTo(1);
        assertThat(timer(CALL, MESSAGE, "Boom", OUTCOME, "error", ERROR, "ServerCrashedException").count())
                .isEqualTo(1);
        assertThat(timer(HANDLE, MESSAGE, "Boom", OUTCOME, "crashed", ERROR, "IllegalStateException").count())
                .isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isZero();
    }

    @Test
    void aCrashLoop_isQuarantined_untilReleased() {
        start(TypeOptions.builder().restartIntensity(1, Duration.ofMinutes(1)).build(), ServerRuntime.UNBOUNDED);
        ServerRef ref = runtime.ref(Tally.class, "a");
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        quiet();
        assertThat(gauge(SERVERS_QUARANTINED)).isEqualTo(1);
        assertThat(count(QUARANTINES)).isEqualTo(1);
        assertThat(timer(HANDLE, MESSAGE, "Boom", OUTCOME, "crashed").count()).as("a crash that quarantines")
                .isEqualTo(2);
        assertThatThrownBy(() -> ref.call(new Tally.Get())).isInstanceOf(QuarantinedException.class);
        assertThat(timer(CALL, MESSAGE, "Get", OUTCOME, "error", ERROR, "QuarantinedException").count())
                .isEqualTo(1);

        assertThat(runtime.release(ref.id())).isTrue();
        assertThat(gauge(SERVERS_QUARANTINED)).isZero();
        assertThat(count(RELEASES)).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isZero();
    }

    @Test
    void aQuarantineRecordedByAnEarlierRuntime_countsHereUntilReleased() {
        start(TypeOptions.builder().restartIntensity(1, Duration.ofMinutes(1)).build(), ServerRuntime.UNBOUNDED);
        ServerRef ref = runtime.ref(Tally.class, "a");
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        quiet();
        assertThat(gauge(SERVERS_QUARANTINED)).isEqualTo(1);
        runtime.close();
        assertThat(gauge(SERVERS_QUARANTINED)).as("the marker left with its runtime").isZero();

        ServerRuntime next = start(TypeOptions.builder().restartIntensity(1, Duration.ofMinutes(1)).build(),
                ServerRuntime.UNBOUNDED);
        ServerRef again = next.ref(Tally.class, "a");
        assertThatThrownBy(() -> again.call(new Tally.Get())).isInstanceOf(QuarantinedException.class);
        assertThat(gauge(SERVERS_QUARANTINED)).isEqualTo(1);
        assertThat(next.release(again.id())).isTrue();
        assertThat(gauge(SERVERS_QUARANTINED)).isZero();
        assertThat(again.call(new Tally.Get())).isZero();
    }

    @Test
    void aTimedOutCall_isATimeout() throws Exception {
        start(TypeOptions.builder().callTimeout(Duration.ofSeconds(1)).build(), ServerRuntime.UNBOUNDED);
        Tally.hang = new CountDownLatch(1);
        Tally.hanging = new CountDownLatch(1);
        CompletableFuture<Long> f = runtime.ref(Tally.class, "a").callAsync(new Tally.Hang());
        assertThat(Tally.hanging.await(10, TimeUnit.SECONDS)).isTrue();
        time.advance(Duration.ofSeconds(2));
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CallTimeoutException.class);
        Timer timeout = timer(CALL, MESSAGE, "Hang", OUTCOME, "timeout", ERROR, "CallTimeoutException");
        assertThat(timeout.count()).isEqualTo(1);
        assertThat(timeout.totalTime(TimeUnit.SECONDS)).isEqualTo(1);
        Tally.hang.countDown();
        quiet();
        assertThat(timer(HANDLE, MESSAGE, "Hang", OUTCOME, "ok").count()).isEqualTo(1);
    }

    @Test
    void casts_andTheMailboxDepthTheirTurnsSee() throws Exception {
        start();
        Tally.hang = new CountDownLatch(1);
        Tally.hanging = new CountDownLatch(1);
        ServerRef ref = runtime.ref(Tally.class, "a");
        CompletableFuture<Long> f = ref.callAsync(new Tally.Hang());
        assertThat(Tally.hanging.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 3; i++) {
            ref.cast(new Tally.Add(1));
        }
        Tally.hang.countDown();
        f.get(10, TimeUnit.SECONDS);
        quiet();
        assertThat(timer(CAST, MESSAGE, "Add", KIND, "cast", OUTCOME, "ok").count()).isEqualTo(3);
        assertThat(timer(HANDLE, MESSAGE, "Add", KIND, "cast", OUTCOME, "ok").count()).isEqualTo(3);
        var depth = meters.get(MAILBOX_DEPTH).tags(TYPE, "tally").summary();
        assertThat(depth.count()).isEqualTo(4);
        assertThat(depth.max()).isEqualTo(2);
        assertThat(ref.call(new Tally.Get())).isEqualTo(3);
    }

    @Test
    void aStop_isAStop() {
        start();
        ServerRef ref = runtime.ref(Tally.class, "a");
        assertThat(ref.call(new Tally.StopMe())).isEqualTo("bye");
        quiet();
        assertThat(count(STOPS, REASON, "normal")).isEqualTo(1);
        assertThat(gauge(SERVERS_ACTIVE)).isZero();
        assertThat(timer(HANDLE, MESSAGE, "StopMe", OUTCOME, "stopped").count()).isEqualTo(1);
    }

    @Test
    void timersAndReminders_areTurnsOfTheirOwn_andRemindersTellTheirLateness() {
        start();
        ServerRef ref = runtime.ref(Tally.class, "a");
        ref.call(new Tally.Later(500));
        ref.call(new Tally.RemindIn(800));
        quiet(); // the reply leaves before the drain arms the reminder's timer
        time.advance(Duration.ofMillis(800)); // the timer's turn at 500 ms, the reminder's at 800 ms
        quiet();
        assertThat(ref.call(new Tally.Get())).isEqualTo(1100);
        assertThat(timer(HANDLE, MESSAGE, "Tick", KIND, "timer", OUTCOME, "ok").count()).isEqualTo(1);
        assertThat(timer(HANDLE, MESSAGE, "ReminderFired", KIND, "reminder", OUTCOME, "ok").count()).isEqualTo(1);
        assertThat(count(REMINDERS_FIRED, OUTCOME, "delivered")).isEqualTo(1);
        Timer lateness = timer(REMINDER_LATENESS, TYPE, "tally");
        assertThat(lateness.count()).isEqualTo(1);
        assertThat(lateness.max(TimeUnit.MILLISECONDS)).as("an active server fires on time").isZero();
    }

    @Test
    void noTagCarriesAKey() {
        start(TypeOptions.builder().restartIntensity(1, Duration.ofMinutes(1)).build(), ServerRuntime.UNBOUNDED);
        ServerRef ref = runtime.ref(Tally.class, SECRET);
        ref.call(new Tally.Inc());
        ref.cast(new Tally.Add(2));
        ref.call(new Tally.RemindIn(10));
        quiet();
        time.advance(Duration.ofSeconds(1));
        quiet();
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        runtime.release(ref.id());
        assertThat(meters.getMeters()).hasSizeGreaterThan(10);
        for (Meter m : meters.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertThat(t.getValue()).as(m.getId().toString()).doesNotContain(SECRET);
            }
        }
    }

    @Test
    void aThrowingObserverAndABrokenRegistry_neverTouchAMessage() {
        MeterRegistry broken = new SimpleMeterRegistry();
        broken.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                throw new IllegalStateException("registry down");
            }
        });
        start(TypeOptions.builder().idleTimeout(Duration.ofSeconds(1)).build(), ServerRuntime.UNBOUNDED,
                new ThrowingObserver(), MicrometerObserver.of(broken));
        ServerRef ref = runtime.ref(Tally.class, "a");
        assertThat(ref.call(new Tally.Inc())).isEqualTo(1);
        ref.cast(new Tally.Add(1));
        ref.call(new Tally.Later(100));
        ref.call(new Tally.RemindIn(100));
        quiet();
        time.advance(Duration.ofMillis(500));
        quiet();
        assertThat(ref.call(new Tally.Get())).isEqualTo(1102);
        assertThatThrownBy(() -> ref.call(new Tally.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThat(ref.call(new Tally.Get())).as("revived from its last write").isEqualTo(1102);
        time.advance(Duration.ofSeconds(2));
        quiet();
        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(count(ACTIVATIONS, KIND, "revival")).as("the healthy observer beside them still counts")
                .isEqualTo(1);
    }

    /** Throws from every method. */
    static final class ThrowingObserver implements RuntimeObserver {
        private static IllegalStateException boom() {
            return new IllegalStateException("observer bug");
        }

        @Override public void activated(ServerId id, ActivationKind kind) { throw boom(); }
        @Override public void deactivated(ServerId id) { throw boom(); }
        @Override public void petrified(ServerId id, PetrifyCause cause) { throw boom(); }
        @Override public void crashed(ServerId id, Throwable cause) { throw boom(); }
        @Override public Object sendStarted(ServerId to, Kind kind, Class<?> message) { throw boom(); }
        @Override public void sendEnded(Object c, ServerId to, Kind k, Class<?> m, long n, Throwable f) { throw boom(); }
        @Override public Object turnStarted(ServerId id, Kind k, Class<?> m, Object o, int w) { throw boom(); }
        @Override public void turnEnded(Object c, ServerId id, Kind k, Class<?> m, long n, TurnOutcome o,
                                        Throwable f) { throw boom(); }
        @Override public Object storeStarted(ServerId id, StoreOp op) { throw boom(); }
        @Override public void storeEnded(Object c, ServerId id, StoreOp op, String s, long n, StoreOutcome o, int b,
                                         Throwable f) { throw boom(); }
        @Override public Object scheduled(ServerId id, Kind kind) { throw boom(); }
        @Override public void reminderFired(ServerId id, long late, boolean delivered) { throw boom(); }
    }
}
