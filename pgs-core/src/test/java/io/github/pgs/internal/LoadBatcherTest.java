package io.github.pgs.internal;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class LoadBatcherTest {

    /** An in-memory store whose queries take a while, can fail for chosen keys, and count their keys. */
    static final class SlowStore extends ForwardingStore {
        final AtomicInteger queries = new AtomicInteger();
        final AtomicInteger maxKeysPerQuery = new AtomicInteger();
        final Set<ServerId> broken = ConcurrentHashMap.newKeySet();
        volatile CountDownLatch hangFor; // a query holding this key waits until released
        volatile ServerId hangKey;
        final long delayNanos;

        SlowStore(long delayNanos) {
            super(new InMemoryStorage());
            this.delayNanos = delayNanos;
        }

        private void enter(Collection<ServerId> ids) {
            queries.incrementAndGet();
            maxKeysPerQuery.accumulateAndGet(ids.size(), Math::max);
            if (hangKey != null && ids.contains(hangKey)) {
                try {
                    hangFor.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (ServerId id : ids) {
                if (broken.contains(id)) {
                    throw new StorageException(id, "broken key", null);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(delayNanos);
        }

        @Override
        public StoredState load(ServerId id) {
            enter(List.of(id));
            return super.load(id);
        }

        @Override
        public Map<ServerId, StoredState> loadAll(Collection<ServerId> ids) {
            enter(ids);
            return super.loadAll(ids);
        }
    }

    private static ServerId id(int i) {
        return new ServerId("t", "k" + i);
    }

    private static void seed(SlowStore store, int n) {
        for (int i = 0; i < n; i++) {
            store.save(new StateWrite(id(i), 0, ("s" + i).getBytes(StandardCharsets.UTF_8), 1));
        }
    }

    private static String text(StoredState s) {
        return new String(s.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void aLoneLoad_isOneSingleKeyQuery() {
        SlowStore store = new SlowStore(0);
        seed(store, 1);
        LoadBatcher loads = new LoadBatcher(store, 4, 256);

        assertThat(text(loads.load(id(0)))).isEqualTo("s0");
        assertThat(loads.load(id(99))).isEqualTo(StoredState.ABSENT);
        assertThat(store.queries.get()).isEqualTo(2);
        assertThat(store.maxKeysPerQuery.get()).isEqualTo(1);
    }

    @Test
    void aLonePairOfLoads_isOneTwoKeyQuery_andAFailingKeyFailsThePair() {
        SlowStore store = new SlowStore(0);
        seed(store, 1);
        LoadBatcher loads = new LoadBatcher(store, 4, 256);

        StoredState[] both = loads.loadBoth(id(0), id(99));
        assertThat(text(both[0])).isEqualTo("s0");
        assertThat(both[1]).isEqualTo(StoredState.ABSENT);
        assertThat(store.queries.get()).isEqualTo(1);
        assertThat(store.maxKeysPerQuery.get()).isEqualTo(2);

        store.broken.add(id(99));
        assertThatThrownBy(() -> loads.loadBoth(id(0), id(99))).isInstanceOf(StorageException.class);
        assertThat(text(loads.load(id(0)))).as("the other key was answered on its own").isEqualTo("s0");
    }

    @Test
    void concurrentLoads_shareQueries_andEachGetsItsOwnState() throws Exception {
        SlowStore store = new SlowStore(TimeUnit.MILLISECONDS.toNanos(2));
        int n = 2_000;
        seed(store, n);
        LoadBatcher loads = new LoadBatcher(store, 2, 256);

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> text(loads.load(id(k)))));
            }
            for (int i = 0; i < n; i++) {
                assertThat(results.get(i).get()).isEqualTo("s" + i);
            }
        }
        assertThat(store.queries.get()).as("far fewer queries than loads").isLessThan(n / 4);
        assertThat(store.maxKeysPerQuery.get()).isGreaterThan(1).isLessThanOrEqualTo(256);
    }

    @Test
    void aBrokenKey_failsOnlyItsOwnLoad() throws Exception {
        SlowStore store = new SlowStore(TimeUnit.MILLISECONDS.toNanos(1));
        int n = 200;
        seed(store, n);
        store.broken.add(id(7));
        LoadBatcher loads = new LoadBatcher(store, 1, 256);

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> text(loads.load(id(k)))));
            }
            for (int i = 0; i < n; i++) {
                if (i == 7) {
                    int k = i;
                    assertThatThrownBy(() -> results.get(k).get()).hasCauseInstanceOf(StorageException.class)
                            .hasMessageContaining("broken key");
                } else {
                    assertThat(results.get(i).get()).isEqualTo("s" + i);
                }
            }
        }
    }

    @Test
    void aHangingQuery_holdsOneLane_andOtherLoadsGoOn() throws Exception {
        SlowStore store = new SlowStore(0);
        seed(store, 100);
        store.hangFor = new CountDownLatch(1);
        store.hangKey = id(0);
        LoadBatcher loads = new LoadBatcher(store, 2, 256);

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> hung = pool.submit(() -> text(loads.load(id(0))));
            while (store.queries.get() == 0) {
                Thread.onSpinWait();
            }
            for (int i = 1; i < 100; i++) {
                assertThat(text(loads.load(id(i)))).isEqualTo("s" + i);
            }
            assertThat(hung).isNotDone();
            store.hangFor.countDown();
            assertThat(hung.get(10, TimeUnit.SECONDS)).isEqualTo("s0");
        }
    }

    @Test
    void underAStorm_noLoadIsEverStranded() throws Exception {
        SlowStore store = new SlowStore(0);
        int keys = 500;
        seed(store, keys);
        LoadBatcher loads = new LoadBatcher(store, 3, 16);
        AtomicInteger done = new AtomicInteger();

        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int seed = t;
                workers.add(pool.submit(() -> {
                    java.util.Random random = new java.util.Random(seed);
                    for (int j = 0; j < 1_000; j++) {
                        int k = random.nextInt(keys);
                        assertThat(text(loads.load(id(k)))).isEqualTo("s" + k);
                        done.incrementAndGet();
                    }
                }));
            }
            for (Future<?> w : workers) {
                w.get(50, TimeUnit.SECONDS);
            }
        }
        assertThat(done.get()).isEqualTo(64_000);
    }
}
