package io.github.pgs.internal;

import io.github.pgs.ServerId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ActiveTableTest {

    private static ServerId id(int i) {
        return new ServerId("t", Integer.toString(i));
    }

    @Test
    void copiesSegmentsSmallerOnceMostHaveLeftAndKeepsTheRest() {
        ActiveTable<String> table = new ActiveTable<>();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            assertThat(table.putIfAbsent(id(i), "v" + i)).isNull();
        }
        assertThat(table.size()).isEqualTo(n);
        assertThat(table.copies()).isZero();

        for (int i = 0; i < n; i++) {
            if (i % 100 != 0) {
                assertThat(table.remove(id(i), "v" + i)).isTrue();
            }
        }

        // every segment held ~1,560 and kept ~16: each was copied at 1/8 and again at 1/64 of its peak
        assertThat(table.copies()).isGreaterThanOrEqualTo(ActiveTable.SEGMENTS);
        assertThat(table.size()).isEqualTo(n / 100);
        Set<String> seen = new HashSet<>();
        table.forEach(seen::add);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < n; i += 100) {
            expected.add("v" + i);
            assertThat(table.get(id(i))).isEqualTo("v" + i);
            assertThat(table.containsKey(id(i))).isTrue();
        }
        assertThat(seen).isEqualTo(expected);
        assertThat(table.get(id(1))).isNull();
    }

    @Test
    void removesOnlyTheGivenValueAndInstallsOnlyOnce() {
        ActiveTable<String> table = new ActiveTable<>();
        assertThat(table.putIfAbsent(id(1), "a")).isNull();
        assertThat(table.putIfAbsent(id(1), "b")).isEqualTo("a");
        assertThat(table.remove(id(1), "b")).isFalse();
        assertThat(table.get(id(1))).isEqualTo("a");
        assertThat(table.remove(id(1), "a")).isTrue();
        assertThat(table.remove(id(1), "a")).isFalse();
        assertThat(table.putIfAbsent(id(1), "b")).isNull();
        assertThat(table.get(id(1))).isEqualTo("b");
    }

    /**
     * Threads each own a range of ids and grow and shrink it at random, so segments are copied while others read
     * and write them. Every thread checks each answer about its own ids against its model: a copy must neither
     * lose an id nor bring a removed one back, whoever triggered it.
     */
    @Test
    void concurrentWritersNeverLoseOrResurrectTheirIdsAcrossCopies() throws Exception {
        ActiveTable<String> table = new ActiveTable<>();
        int threads = 4;
        int range = 20_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<CompletableFuture<Map<ServerId, String>>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * range;
            long seed = 42 + t;
            done.add(CompletableFuture.supplyAsync(() -> {
                Random rnd = new Random(seed);
                Map<ServerId, String> model = new HashMap<>();
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int round = 0; round < 6; round++) {
                    // grow to most of the range, then shrink to a few, checking every answer on the way
                    for (int i = 0; i < range; i++) {
                        ServerId k = id(base + rnd.nextInt(range));
                        String v = "r" + round + "-" + i;
                        String existing = table.putIfAbsent(k, v);
                        assertThat(existing).isEqualTo(model.get(k));
                        model.putIfAbsent(k, v);
                        assertThat(table.get(k)).isEqualTo(model.get(k));
                    }
                    for (ServerId k : new ArrayList<>(model.keySet())) {
                        if (rnd.nextInt(50) != 0) {
                            assertThat(table.remove(k, model.get(k))).isTrue();
                            model.remove(k);
                            assertThat(table.get(k)).isNull();
                        }
                    }
                }
                return model;
            }, runnable -> Thread.ofPlatform().start(runnable)));
        }
        Map<ServerId, String> all = new HashMap<>();
        for (CompletableFuture<Map<ServerId, String>> f : done) {
            all.putAll(f.get(60, TimeUnit.SECONDS));
        }
        assertThat(table.copies()).isGreaterThan(0);
        assertThat(table.size()).isEqualTo(all.size());
        for (Map.Entry<ServerId, String> e : all.entrySet()) {
            assertThat(table.get(e.getKey())).isEqualTo(e.getValue());
        }
        Set<String> seen = new HashSet<>();
        table.forEach(seen::add);
        assertThat(seen).isEqualTo(new HashSet<>(all.values()));
    }
}
