package io.github.pgs.it;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.FaultInjectingStorage;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Races inside one runtime, with real threads, bounded in count and time: the first call to a key from many
 * threads at once (contract points 1 and 4), a call arriving exactly while its server petrifies (point 4), and
 * stops racing with calls (points 1, 2 and 6).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RaceTest {

    private static final AtomicLong REQUESTS = new AtomicLong();

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
            toClose.get(i).close();
        }
    }

    private ServerRuntime runtime(Storage store, ManualTime time, TypeOptions options) {
        ServerRuntime.Builder b = ServerRuntime.builder().storage(store).codec(Stores.codec())
                .shutdownTimeout(Duration.ofSeconds(20))
                .register(ServerType.builder(Tally.class).options(options).build());
        if (time != null) {
            b.timeSource(time).scheduler(time);
        }
        ServerRuntime r = b.build();
        toClose.add(r);
        return r;
    }

    private static long request() {
        return REQUESTS.incrementAndGet();
    }

    // ============================================================================ 64 first calls at once

    @Test
    void firstCallsFrom64Threads_activateTheServerOnce_andEachCallIsHandledOnce_inMemory() throws Exception {
        firstCallRace(new InMemoryStorage(), 40);
    }

    @Test
    void firstCallsFrom64Threads_activateTheServerOnce_andEachCallIsHandledOnce_onSqlite() throws Exception {
        Storage store = Stores.sqlite(dir.resolve("first.db"));
        toClose.add(store);
        firstCallRace(store, 8);
    }

    private void firstCallRace(Storage store, int rounds) throws Exception {
        int threads = 64;
        ServerRuntime runtime = runtime(store, new ManualTime(), TypeOptions.DEFAULTS);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "first-" + Stores.unique("k");
                ServerRef ref = runtime.ref(Tally.class, key);
                long activationsBefore = runtime.stats().activations();
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Long>> replies = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long id = request();
                    ids.add(id);
                    replies.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        return ref.call(new Tally.Inc(id));
                    }));
                }
                List<Long> values = new ArrayList<>();
                for (Future<Long> f : replies) {
                    values.add(f.get(60, TimeUnit.SECONDS));
                }
                Collections.sort(values);

                assertThat(Tally.inits(key)).as("init ran once").isEqualTo(1);
                assertThat(runtime.stats().activations() - activationsBefore).as("one activation").isEqualTo(1);
                assertThat(values).as("each call handled once, one after another")
                        .isEqualTo(LongStream.rangeClosed(1, threads).boxed().toList());
                assertThat(Tally.HANDLED).containsAll(ids);
                assertThat(Tally.HANDLED_TWICE).isEmpty();
                assertThat(store.load(ref.id()).version()).as("one version per call").isEqualTo(threads);
            }
            assertThat(Tally.overlap).isNull();
            assertThat(runtime.stats().revivals()).isZero();
            assertThat(runtime.stats().writeFailures()).as("no activation was ever fenced").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    // ====================================================================== a call exactly at petrify

    private ManualTime time;
    private FaultInjectingStorage faults;
    private ServerRuntime runtime;

    private void petrifyFixture() {
        time = new ManualTime();
        faults = new FaultInjectingStorage(new InMemoryStorage());
        runtime = runtime(faults, time, TypeOptions.DEFAULTS);
    }

    private void awaitAtGate() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (faults.waitingAtGate() == 0) {
            assertThat(System.nanoTime()).as("a write reached the gate").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void callArrivingWhileAnIdleServerPersistsToPetrify_isHandledByThatActivation_whichStaysActive()
            throws Exception {
        petrifyFixture();
        ServerRef ref = runtime.ref(Tally.class, "edge-idle");
        assertThat(ref.call(new Tally.IncNoPersist())).isEqualTo(1); // unwritten: petrify has to write
        faults.closeGate();

        time.advance(TypeOptions.DEFAULT_IDLE_TIMEOUT); // exactly the idle instant: the petrify starts
        awaitAtGate();
        CompletableFuture<Long> call = ref.callAsync(new Tally.Inc(request()), Duration.ofMinutes(1));
        faults.openGate();

        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(runtime.isActive(ref.id())).as("the message kept the old activation").isTrue();
        assertThat(runtime.stats().petrifications()).isZero();
        assertThat(runtime.stats().activations() + runtime.stats().revivals()).as("one activation").isEqualTo(1);
        assertThat(faults.delegate().load(ref.id()).version()).isEqualTo(2);
        assertThat(Tally.overlap).isNull();
    }

    @Test
    void callQueuedBehindAForcedPetrify_goesToAFreshActivation_thatLoadsOnlyAfterThePersist() throws Exception {
        petrifyFixture();
        ServerRef ref = runtime.ref(Tally.class, "edge-forced");
        assertThat(ref.call(new Tally.IncNoPersist())).isEqualTo(1);
        faults.closeGate();

        runtime.petrify(ref.id());
        awaitAtGate();
        CompletableFuture<Long> call = ref.callAsync(new Tally.Inc(request()), Duration.ofMinutes(1));
        assertThat(call).as("not handled while the old activation persists").isNotDone();
        faults.openGate();

        // 2, not 1: the fresh activation loaded what the old one persisted, so it loaded after the write
        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(runtime.stats().petrifications()).isEqualTo(1);
        assertThat(runtime.stats().revivals()).isEqualTo(1);
        assertThat(runtime.stats().writeFailures()).as("the fresh activation was never fenced").isZero();
        assertThat(faults.delegate().load(ref.id()).version()).isEqualTo(2);
    }

    @Test
    void callsLandingAtTheExactIdleInstant_areNeverLost_neverHandledTwice_andNeverSeeTwoActivations()
            throws Exception {
        petrifyFixture();
        int iterations = 1_000;
        int callsPerIteration = 3;
        ServerRef ref = runtime.ref(Tally.class, "edge-loop");
        long expected = 0;
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < iterations; i++) {
                faults.latency(i % 3 == 0 ? Duration.ofMillis(1) : Duration.ZERO); // widen the window now and then
                assertThat(ref.call(new Tally.IncNoPersist())).isEqualTo(++expected);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Long>> calls = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                for (int c = 0; c < callsPerIteration; c++) {
                    long id = request();
                    ids.add(id);
                    calls.add(callers.submit(() -> {
                        go.await();
                        // the call timeout follows the manual clock, which jumps a whole idle timeout below
                        return ref.call(new Tally.Inc(id), Duration.ofHours(1));
                    }));
                }
                go.countDown();
                time.advance(TypeOptions.DEFAULT_IDLE_TIMEOUT); // races with the calls
                List<Long> values = new ArrayList<>();
                for (Future<Long> f : calls) {
                    values.add(f.get(30, TimeUnit.SECONDS));
                }
                Collections.sort(values);
                assertThat(values).as("iteration %s", i)
                        .isEqualTo(LongStream.rangeClosed(expected + 1, expected + callsPerIteration).boxed().toList());
                expected += callsPerIteration;
                assertThat(Tally.HANDLED).containsAll(ids);
                assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
            }
        } finally {
            callers.shutdownNow();
        }
        faults.latency(Duration.ZERO);

        assertThat(Tally.HANDLED_TWICE).isEmpty();
        assertThat(Tally.overlap).as("two activations never ran at once").isNull();
        assertThat(runtime.stats().writeFailures()).as("no activation was ever fenced").isZero();
        assertThat(runtime.stats().petrifications()).as("some calls came after the petrify").isPositive();
        assertThat(ref.call(new Tally.Get())).isEqualTo(expected);
        runtime.petrify(ref.id());
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).isTrue();
        assertThat(storedCount(faults.delegate().load(ref.id()))).isEqualTo(expected);
    }

    // ===================================================================================== stop vs call

    @Test
    void stopWhileACallIsInItsHandler_waitsForIt_andTheCallIsAnswered() throws Exception {
        ServerRuntime rt = runtime(new InMemoryStorage(), null, TypeOptions.DEFAULTS);
        ServerRef ref = rt.ref(Tally.class, "stop-during-call");
        ref.call(new Tally.Inc());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> call = ref.callAsync(new Tally.Hold(entered, release), Duration.ofMinutes(1));
        assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> stop = new CompletableFuture<>();
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                ref.stop(StopReason.error("operator"));
                stop.complete(null);
            } catch (RuntimeException e) {
                stop.completeExceptionally(e);
            }
        });
        // the stopper waits for its stop only once the stop request is queued (without a timer: its timeout is
        // swept, so it parks WAITING, not TIMED_WAITING)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stopper.getState() != Thread.State.WAITING && stopper.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("the stop request was queued").isLessThan(deadline);
            Thread.onSpinWait();
        }
        CompletableFuture<Long> behind = ref.callAsync(new Tally.Inc(), Duration.ofMinutes(1));
        assertThat(stop).as("the stop waits for the running handler").isNotDone();
        release.countDown();

        assertThat(call.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        stop.get(30, TimeUnit.SECONDS);
        stopper.join();
        assertThat(behind.get(30, TimeUnit.SECONDS)).as("a call behind the stop goes to the next activation")
                .isEqualTo(3);
        assertThat(rt.stats().stops()).isEqualTo(1);
        assertThat(rt.stats().revivals()).isEqualTo(1);
    }

    @Test
    void callsRacingWithErrorStops_areEachHandledOnce_andNoAcknowledgedIncrementIsLost() throws Exception {
        Map<Long, Integer> replies = stopRace(false, 8, 150);
        int total = 8 * 150;

        assertThat(replies.keySet()).as("every call answered, each value once: a chain without gaps or forks")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(replies.values()).allMatch(n -> n == 1);
    }

    @Test
    void callsRacingWithNormalStops_areEachHandledOnce_byTheIncarnationThatReceivedThem() throws Exception {
        Map<Long, Integer> replies = stopRace(true, 8, 150);

        // each wipe starts a fresh count: the replies are runs 1..k, one per incarnation, so no value can be
        // seen more often than a smaller one
        long previous = Long.MAX_VALUE;
        for (Map.Entry<Long, Integer> e : replies.entrySet()) {
            assertThat((long) e.getValue()).as("occurrences of %s", e.getKey()).isLessThanOrEqualTo(previous);
            previous = e.getValue();
        }
        assertThat(replies.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(8 * 150);
    }

    /** Callers increment while a stopper keeps stopping the server; returns reply value -> occurrences. */
    private Map<Long, Integer> stopRace(boolean normal, int callers, int callsEach) throws Exception {
        ServerRuntime rt = runtime(new InMemoryStorage(), null, TypeOptions.DEFAULTS);
        ServerRef ref = rt.ref(Tally.class, "stop-race-" + normal);
        List<Long> values = Collections.synchronizedList(new ArrayList<>());
        List<Long> ids = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                running.add(pool.submit(() -> {
                    for (int i = 0; i < callsEach; i++) {
                        long id = request();
                        ids.add(id);
                        values.add(ref.call(new Tally.Inc(id)));
                    }
                    return null;
                }));
            }
            int stops = 0;
            while (!running.stream().allMatch(Future::isDone)) {
                ref.stop(normal ? StopReason.NORMAL : StopReason.error("stop race"));
                stops++;
                Thread.yield();
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(stops).isPositive();
        } finally {
            pool.shutdownNow();
        }
        assertThat(values).hasSize(callers * callsEach);
        assertThat(Tally.HANDLED).containsAll(ids);
        assertThat(Tally.HANDLED_TWICE).isEmpty();
        assertThat(Tally.overlap).isNull();
        assertThat(rt.stats().writeFailures()).as("no activation was ever fenced").isZero();
        Map<Long, Integer> counts = new TreeMap<>();
        values.forEach(v -> counts.merge(v, 1, Integer::sum));
        return counts;
    }

    static long storedCount(StoredState s) {
        assertThat(s.hasPayload()).isTrue();
        String json = new String(s.payload(), StandardCharsets.UTF_8);
        int i = json.indexOf("\"count\":") + 8;
        int j = i;
        while (j < json.length() && Character.isDigit(json.charAt(j))) {
            j++;
        }
        return Long.parseLong(json.substring(i, j));
    }
}
