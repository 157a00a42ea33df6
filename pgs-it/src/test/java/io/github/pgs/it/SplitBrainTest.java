package io.github.pgs.it;

import io.github.pgs.GenServerException;
import io.github.pgs.PersistenceException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract point 3 across processes' worth of separation: two runtimes, each with its own store instance (own
 * connections, own group-commit writers), on the same SQLite file, the same PostgreSQL table and the same Redis
 * namespace, activating and writing the same servers at once. The stale activation is fenced by the version check,
 * no acknowledged write is lost and the version chain never forks.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SplitBrainTest {

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
                // a runtime whose activations were fenced may fail to persist while closing; nothing to keep
            }
        }
    }

    @AfterAll
    static void removeTestRows() {
        Stores.cleanPostgres();
    }

    @Test
    void twoRuntimesOnOneSqliteFile_fenceTheStaleActivation_andLoseNoAcknowledgedWrite() throws Exception {
        Path file = dir.resolve("shared.db");
        splitBrain(() -> Stores.sqlite(file), "tally");
    }

    @Test
    void twoRuntimesOnOnePostgresDatabase_fenceTheStaleActivation_andLoseNoAcknowledgedWrite() throws Exception {
        splitBrain(Stores::postgres, Stores.unique("split"));
    }

    @Test
    void twoRuntimesOnOneRedisNamespace_fenceTheStaleActivation_andLoseNoAcknowledgedWrite() throws Exception {
        String namespace = Stores.unique("it-split");
        try {
            splitBrain(() -> Stores.redis(Stores.redisUri(), namespace, Duration.ofSeconds(5)), "tally");
        } finally {
            Stores.purgeRedis(namespace);
        }
    }

    private ServerRuntime runtime(Storage store, String type) {
        ServerRuntime r = ServerRuntime.builder().name("split-" + toClose.size()).storage(store)
                .codec(Stores.codec()).shutdownTimeout(Duration.ofSeconds(20))
                .register(ServerType.builder(Tally.class).name(type).build()).build();
        toClose.add(r);
        return r;
    }

    private void splitBrain(Supplier<Storage> stores, String type) throws Exception {
        Storage storeA = stores.get();
        toClose.add(storeA);
        Storage storeB = stores.get();
        toClose.add(storeB);
        ServerRuntime a = runtime(storeA, type);
        ServerRuntime b = runtime(storeB, type);

        staleActivation_isFencedWithTheVersionsItCollidedWith(a, b, storeA);
        concurrentActivations_neverForkTheChain(a, b, storeA);
    }

    /** The deterministic case: each runtime loads version 1; one writes version 2; the other's write is fenced. */
    private void staleActivation_isFencedWithTheVersionsItCollidedWith(ServerRuntime a, ServerRuntime b,
                                                                      Storage store) {
        ServerRef mine = a.ref(Tally.class, "fenced");
        ServerRef theirs = b.ref(Tally.class, "fenced");
        assertThat(mine.call(new Tally.Inc())).isEqualTo(1);
        assertThat(theirs.call(new Tally.Inc())).as("the other runtime loads version 1").isEqualTo(2);

        assertThatThrownBy(() -> mine.call(new Tally.Inc()))
                .isInstanceOf(PersistenceException.class)
                .cause().isInstanceOfSatisfying(VersionConflictException.class, c -> {
                    assertThat(c.expectedVersion()).isEqualTo(1);
                    assertThat(c.actualVersion()).isEqualTo(2);
                });
        assertThat(mine.call(new Tally.Inc())).as("reloaded from version 2").isEqualTo(3);
        assertThat(RaceTest.storedCount(store.load(mine.id()))).isEqualTo(3);
        assertThat(store.load(mine.id()).version()).isEqualTo(3);
    }

    /**
     * Both runtimes hammer the same few servers from several threads. Every acknowledged reply is a count that a
     * version-checked write made durable; as each write adds exactly one to what it loaded, a sound fence gives
     * distinct acknowledged counts per server, a stored count equal to the stored version, and every
     * acknowledged count at most the stored one.
     */
    private void concurrentActivations_neverForkTheChain(ServerRuntime a, ServerRuntime b, Storage store)
            throws Exception {
        int servers = 3;
        int threadsPerRuntime = 4;
        long runFor = TimeUnit.SECONDS.toNanos(3);
        Map<String, Set<Long>> acked = new ConcurrentHashMap<>();
        Map<String, List<Long>> duplicates = new ConcurrentHashMap<>();
        AtomicInteger conflicts = new AtomicInteger();
        AtomicInteger otherFailures = new AtomicInteger();
        List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (ServerRuntime r : List.of(a, b)) {
                for (int t = 0; t < threadsPerRuntime; t++) {
                    int seed = t;
                    workers.add(pool.submit(() -> {
                        go.await();
                        long end = System.nanoTime() + runFor;
                        int i = seed;
                        while (System.nanoTime() < end) {
                            String key = "hot-" + (i++ % servers);
                            try {
                                long v = r.ref(Tally.class, key).call(new Tally.Inc());
                                if (!acked.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(v)) {
                                    duplicates.computeIfAbsent(key, k -> Collections.synchronizedList(
                                            new ArrayList<>())).add(v);
                                }
                            } catch (PersistenceException e) {
                                if (e.getCause() instanceof VersionConflictException) {
                                    conflicts.incrementAndGet();
                                } else {
                                    otherFailures.incrementAndGet();
                                }
                            } catch (StorageException e) {
                                otherFailures.incrementAndGet(); // e.g. a busy database; nothing acknowledged
                            } catch (GenServerException e) {
                                unexpected.add(e);
                            }
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(unexpected).isEmpty();
        assertThat(duplicates).as("no count acknowledged twice: the chain never forked").isEmpty();
        assertThat(conflicts.get()).as("the fence engaged (stale activations were refused)").isPositive();
        int totalAcked = 0;
        for (int s = 0; s < servers; s++) {
            String key = "hot-" + s;
            StoredState stored = store.load(a.ref(Tally.class, key).id());
            long count = RaceTest.storedCount(stored);
            Set<Long> mine = new HashSet<>(acked.getOrDefault(key, Set.of()));
            totalAcked += mine.size();
            assertThat(count).as("%s: one increment per version", key).isEqualTo(stored.version());
            assertThat(mine).as("%s: every acknowledged increment is in the stored chain", key)
                    .allMatch(v -> v <= count);
        }
        assertThat(totalAcked).isPositive();
        System.out.println("split brain on " + store + ": acknowledged " + totalAcked + ", fenced " + conflicts
                + ", other failures " + otherFailures);
    }
}
