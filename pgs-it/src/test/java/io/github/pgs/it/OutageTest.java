package io.github.pgs.it;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.GenServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StorageException;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.FaultInjectingStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store goes away under load and comes back: PostgreSQL and Redis through a {@link TcpProxy} that cuts every
 * connection (the servers themselves stay up for the other suites), and a store that hangs instead of failing.
 * During the outage every call fails with a typed error within its timeout; nothing acknowledged is lost; when
 * the store returns, service resumes by itself.
 *
 * <p>The outage lasts {@value #CI_OUTAGE_SECONDS} s per build; {@code -Dpgs.it.outage.seconds=30} for the long
 * run (see RELIABILITY.md).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OutageTest {

    static final int CI_OUTAGE_SECONDS = 5;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    /** Scheduling slack on a loaded machine, on top of the call timeout. */
    static final Duration SLACK = Duration.ofSeconds(1);
    static final int SERVERS = 20;
    static final int CALLERS = 8;

    private static Duration outage() {
        return Duration.ofSeconds(Stores.intProperty("pgs.it.outage.seconds", CI_OUTAGE_SECONDS));
    }

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    @Test
    void postgresUnreachable_callsFailTypedWithinTheirTimeout_nothingAcknowledgedIsLost_andServiceResumes()
            throws Exception {
        URI pg = Stores.pgAddress();
        try (TcpProxy proxy = new TcpProxy(pg.getHost(), pg.getPort());
             Storage viaProxy = Stores.postgres(Stores.pgUrlVia(proxy.port()),
                     Stores.pgOptions().connectionTimeout(Duration.ofSeconds(1)).build());
             Storage direct = Stores.postgres()) {
            Report r = outage("postgres", viaProxy, direct, proxy::cut, proxy::restore);
            assertThat(proxy.refused()).as("clients tried to reconnect during the outage").isPositive();
            r.print();
        }
    }

    @Test
    void redisUnreachable_callsFailTypedWithinTheirTimeout_nothingAcknowledgedIsLost_andServiceResumes()
            throws Exception {
        URI redis = Stores.redisAddress();
        String namespace = Stores.unique("it-outage");
        try (TcpProxy proxy = new TcpProxy(redis.getHost(), redis.getPort());
             Storage viaProxy = Stores.redis(Stores.redisUriVia(proxy.port()), namespace, Duration.ofSeconds(1));
             Storage direct = Stores.redis(Stores.redisUri(), namespace, Duration.ofSeconds(5))) {
            Report r = outage("redis", viaProxy, direct, proxy::cut, proxy::restore);
            r.print();
        } finally {
            Stores.purgeRedis(namespace);
        }
    }

    @Test
    void storeThatHangs_makesCallersTimeOutWithinTheirTimeout_loseNothing_andResumeWhenItAnswers()
            throws Exception {
        InMemoryStorage memory = new InMemoryStorage();
        FaultInjectingStorage hanging = new FaultInjectingStorage(memory);
        Report r = outage("hung store", hanging, memory, () -> hanging.hang(true), () -> hanging.hang(false));
        assertThat(r.failuresByType).containsOnlyKeys(CallTimeoutException.class.getSimpleName());
        r.print();
    }

    /** What one outage run saw. */
    record Report(String store, Duration outage, long acked, long failedDuringOutage,
                  Map<String, Long> failuresByType, Duration slowestFailure, Duration resumedAfter) {
        void print() {
            System.out.printf("outage %s: %d s down, %d acknowledged, %d failed calls during the outage %s, "
                            + "slowest failure %d ms (timeout %d ms), service back %d ms after the store, 0 lost%n",
                    store, outage.toSeconds(), acked, failedDuringOutage, failuresByType, slowestFailure.toMillis(),
                    CALL_TIMEOUT.toMillis(), resumedAfter.toMillis());
        }
    }

    private Report outage(String label, Storage store, Storage direct, Runnable cut, Runnable restore)
            throws Exception {
        String type = Stores.unique("outage");
        Duration outage = outage();
        ServerRuntime runtime = ServerRuntime.builder().name("outage").storage(store).codec(Stores.codec())
                .shutdownTimeout(Duration.ofSeconds(30))
                .register(ServerType.builder(Tally.class).name(type)
                        .options(TypeOptions.builder().callTimeout(CALL_TIMEOUT).build()).build())
                .build();
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        List<Long> duplicateAcks = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> failuresByType = new ConcurrentHashMap<>();
        List<String> untyped = Collections.synchronizedList(new ArrayList<>());
        AtomicLong slowestFailure = new AtomicLong();
        AtomicLong lastSuccess = new AtomicLong();
        AtomicLong ackCount = new AtomicLong();
        AtomicLong failedDuringOutage = new AtomicLong();
        AtomicBoolean down = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        Duration resumedAfter;
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int first = c;
                workers.add(pool.submit(() -> {
                    int i = first;
                    while (!stop.get()) {
                        String key = "o" + (i++ % SERVERS);
                        long started = System.nanoTime();
                        try {
                            long v = runtime.ref(Tally.class, key).call(new Tally.Inc());
                            ackCount.incrementAndGet();
                            lastSuccess.set(System.nanoTime());
                            if (!acked.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(v)) {
                                duplicateAcks.add(v);
                            }
                        } catch (PersistenceException | StorageException | CallTimeoutException e) {
                            long took = System.nanoTime() - started;
                            slowestFailure.accumulateAndGet(took, Math::max);
                            failuresByType.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                            if (down.get()) {
                                failedDuringOutage.incrementAndGet();
                            }
                            // a client backs off a little after a failure instead of spinning on a dead store
                            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        } catch (GenServerException e) {
                            untyped.add(e.toString());
                        } catch (RuntimeException e) {
                            untyped.add("not a GenServerException: " + e);
                        }
                    }
                    return null;
                }));
            }
            awaitAtMost(Duration.ofSeconds(60), () -> ackCount.get() >= 100, "load is running");
            down.set(true);
            cut.run();
            long outageStarted = System.nanoTime();
            // a real outage: the store stays away for its whole duration, whatever the callers do meanwhile
            Thread.sleep(outage.toMillis());
            long outageEnded = System.nanoTime();
            restore.run();
            down.set(false);
            awaitAtMost(Duration.ofSeconds(90), () -> lastSuccess.get() > outageEnded,
                    "a call succeeds after the store returned");
            resumedAfter = Duration.ofNanos(lastSuccess.get() - outageEnded);
            long acksAtResume = ackCount.get();
            awaitAtMost(Duration.ofSeconds(60), () -> ackCount.get() >= acksAtResume + 200, "load carries on");
            stop.set(true);
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
            assertThat(outageEnded - outageStarted).isGreaterThanOrEqualTo(outage.toNanos());
        } finally {
            stop.set(true);
            restore.run();
            pool.shutdownNow();
        }

        assertThat(untyped).as("every failure is one of the typed store failures").isEmpty();
        assertThat(failedDuringOutage.get()).as("calls failed while the store was away").isPositive();
        assertThat(Duration.ofNanos(slowestFailure.get())).as("every failure came within the call timeout")
                .isLessThanOrEqualTo(CALL_TIMEOUT.plus(SLACK));
        assertThat(duplicateAcks).as("no count acknowledged twice").isEmpty();

        // every acknowledged increment is in the store, read directly (not through the proxy)
        Map<String, Long> maxAcked = new HashMap<>();
        acked.forEach((k, vs) -> maxAcked.put(k, Collections.max(vs)));
        for (Map.Entry<String, Long> e : maxAcked.entrySet()) {
            StoredState s = direct.load(new ServerId(type, e.getKey()));
            assertThat(RaceTest.storedCount(s)).as("%s: acknowledged increments kept", e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue());
        }
        for (int i = 0; i < SERVERS; i++) {
            assertThat(runtime.ref(Tally.class, "o" + i).call(new Tally.Get())).as("o%s answers again", i)
                    .isGreaterThanOrEqualTo(maxAcked.getOrDefault("o" + i, 0L));
        }
        runtime.close();
        return new Report(label, outage, ackCount.get(), failedDuringOutage.get(), Map.copyOf(failuresByType),
                Duration.ofNanos(slowestFailure.get()), resumedAfter);
    }

    /** Bounded polling for a condition that real I/O makes true. */
    private static void awaitAtMost(Duration limit, java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within %s", what, limit).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
