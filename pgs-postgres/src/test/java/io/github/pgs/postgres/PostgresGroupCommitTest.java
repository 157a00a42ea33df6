package io.github.pgs.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.pgs.ServerId;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.DueCursor;
import io.github.pgs.spi.DueServer;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Batches that mix outcomes. A single writer that lingers for a fuller batch makes concurrent callers share a
 * statement; the borrowed-connection count shows that they did.
 */
class PostgresGroupCommitTest {

    private static final int CALLERS = 20;

    private HikariDataSource pool;
    private CountingDataSource counting;
    private PostgresStorage store;
    private String type;

    @BeforeEach
    void open() {
        HikariConfig config = new HikariConfig();
        config.setDataSource(PgTestSupport.plainDataSource());
        config.setMaximumPoolSize(3);
        config.setPoolName("pgs-postgres-batch-test");
        pool = new HikariDataSource(config);
        counting = new CountingDataSource(pool);
        store = PostgresStorage.open(counting, PgTestSupport.options()
                .writers(1).maxBatch(256).maxWait(Duration.ofMillis(300)).build());
        type = PgTestSupport.uniqueType();
    }

    @AfterEach
    void close() {
        store.close();
        pool.close();
    }

    private ServerId id(int i) {
        return new ServerId(type, "k" + i);
    }

    /** Runs {@code action(i)} for i in [0, CALLERS) on virtual threads released together; returns outcomes. */
    private List<Object> concurrently(IntFn action) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CALLERS; i++) {
                int n = i;
                futures.add(ex.submit(() -> {
                    go.await();
                    try {
                        return action.apply(n);
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            go.countDown();
        }
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> f : futures) {
            outcomes.add(f.get(30, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    @FunctionalInterface
    private interface IntFn {
        Object apply(int i);
    }

    @Test
    void batch_withOneConflictingEntry_failsOnlyThatEntry() throws Exception {
        concurrently(i -> store.save(new StateWrite(id(i), 0, new byte[] {1}, 1)));
        int before = counting.borrowed();

        List<Object> outcomes = concurrently(i -> store.save(
                new StateWrite(id(i), i == 7 ? 5 : 1, new byte[] {2}, 1)));

        assertThat(counting.borrowed() - before).as("connections borrowed, one per batch").isLessThan(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            if (i == 7) {
                assertThat(outcomes.get(i)).isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(5);
                    assertThat(e.actualVersion()).isEqualTo(1);
                    assertThat(e.serverId()).isEqualTo(id(7));
                });
                assertThat(store.load(id(i)).payload()).containsExactly(1);
            } else {
                assertThat(outcomes.get(i)).isEqualTo(2L);
                assertThat(store.load(id(i)).payload()).containsExactly(2);
            }
        }
    }

    @Test
    void batch_mixingInsertsUpdatesDeletesAndConflicts_givesEachItsOwnOutcome() throws Exception {
        // even i: existing rows at version 1; odd i: never saved
        concurrently(i -> i % 2 == 0 ? store.save(new StateWrite(id(i), 0, new byte[] {1}, 1)) : null);
        List<Object> outcomes = concurrently(i -> switch (i % 4) {
            case 0 -> store.save(new StateWrite(id(i), 1, new byte[] {9}, 2));   // update: ok
            case 1 -> store.save(new StateWrite(id(i), 0, new byte[] {9}, 2));   // insert: ok
            case 2 -> i == 2 ? store.delete(id(i), 1)                           // delete: ok
                    : store.save(new StateWrite(id(i), 0, new byte[] {9}, 2));   // insert over a row: conflict
            default -> store.delete(id(i), 2);                                   // delete of nothing at 2: conflict
        });

        for (int i = 0; i < CALLERS; i++) {
            Object outcome = outcomes.get(i);
            switch (i % 4) {
                case 0, 1 -> {
                    assertThat(outcome).as("i=%d", i).isEqualTo(i % 4 == 0 ? 2L : 1L);
                    assertThat(store.load(id(i)).payload()).containsExactly(9);
                    assertThat(store.load(id(i)).schemaVersion()).isEqualTo(2);
                }
                case 2 -> {
                    if (i == 2) {
                        assertThat(outcome).isEqualTo(2L);
                        assertThat(store.load(id(i)).isTombstone()).isTrue();
                    } else {
                        assertThat(outcome).isInstanceOfSatisfying(VersionConflictException.class,
                                e -> assertThat(e.actualVersion()).isEqualTo(1));
                    }
                }
                default -> {
                    assertThat(outcome).isInstanceOfSatisfying(VersionConflictException.class,
                            e -> assertThat(e.actualVersion()).isZero());
                    assertThat(store.load(id(i))).isEqualTo(StoredState.ABSENT);
                }
            }
        }
    }

    @Test
    void batch_mixingDepthsDeletesInsertsAndConflicts_keepsHistoryOnlyForTheWritesThatLanded() throws Exception {
        concurrently(i -> store.save(new StateWrite(id(i), 0, new byte[] {1}, 1)));
        concurrently(i -> store.save(new StateWrite(id(i), 1, new byte[] {2}, 1, 3)));
        int before = counting.borrowed();

        List<Object> outcomes = concurrently(i -> switch (i % 6) {
            case 0 -> store.save(new StateWrite(id(i), 2, new byte[] {3}, 2, 3));           // keeps v2
            case 1 -> store.save(new StateWrite(id(i), 2, new byte[] {3}, 2, 0));           // drops all
            case 2 -> store.delete(id(i), 2);                                               // drops all
            case 3 -> store.save(new StateWrite(id(i), 1, new byte[] {3}, 2, 3));           // stale: conflict
            case 4 -> store.save(new StateWrite(id(i), 2, new byte[] {3}, 2, 1));           // keeps only v2
            default -> store.save(new StateWrite(id(100 + i), 0, new byte[] {3}, 2, 2));    // insert
        });

        assertThat(counting.borrowed() - before).as("connections borrowed, one per batch").isLessThan(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            List<StoredState> history = store.history(id(i));
            List<Long> versions = history.stream().map(StoredState::version).toList();
            switch (i % 6) {
                case 0 -> {
                    assertThat(outcomes.get(i)).isEqualTo(3L);
                    assertThat(versions).as("i=%d", i).containsExactly(2L, 1L);
                    assertThat(history.get(0).payload()).containsExactly(2);
                    assertThat(history.get(1).payload()).containsExactly(1);
                }
                case 1, 2 -> {
                    assertThat(outcomes.get(i)).isEqualTo(3L);
                    assertThat(versions).as("i=%d", i).isEmpty();
                }
                case 3 -> {
                    assertThat(outcomes.get(i)).isInstanceOf(VersionConflictException.class);
                    assertThat(versions).as("i=%d", i).containsExactly(1L);
                }
                case 4 -> {
                    assertThat(outcomes.get(i)).isEqualTo(3L);
                    assertThat(versions).as("i=%d", i).containsExactly(2L);
                    assertThat(history.get(0).schemaVersion()).isEqualTo(1);
                }
                default -> {
                    assertThat(outcomes.get(i)).isEqualTo(1L);
                    assertThat(store.history(id(100 + i))).isEmpty();
                    assertThat(versions).as("i=%d, untouched", i).containsExactly(1L);
                }
            }
        }
    }

    @Test
    void batch_mixingWritesWithAndWithoutReminders_givesEachRowItsOwnReminders() throws Exception {
        long base = ThreadLocalRandom.current().nextLong(1L << 41, 1L << 51); // due times no other test uses
        // even i: saved at version 1 with reminders due at base + 100 + i; odd i: never saved
        concurrently(i -> i % 2 == 0
                ? store.save(new StateWrite(id(i), 0, new byte[] {1}, 1, 0, new byte[] {(byte) i}, base + 100 + i))
                : null);
        int before = counting.borrowed();

        List<Object> outcomes = concurrently(i -> switch (i % 4) {
            case 0 -> store.save(new StateWrite(id(i), 1, new byte[] {2}, 1, i % 8 == 0 ? 2 : 0)); // drops them
            case 1 -> store.save(new StateWrite(id(i), 0, new byte[] {2}, 1, 0, new byte[0], base + i)); // insert
            case 2 -> store.save(new StateWrite(id(i), i == 2 ? 0 : 1, new byte[] {2}, 1, 0,
                    new byte[] {(byte) -i}, base + i));                                  // moves them; i=2 conflicts
            default -> i == 3 ? store.delete(id(i), 0)                                   // tombstone
                    : store.save(new StateWrite(id(i), 0, new byte[] {2}, 1));           // insert without
        });

        assertThat(counting.borrowed() - before).as("connections borrowed, one per batch").isLessThan(CALLERS);
        Set<DueServer> expected = new HashSet<>();
        for (int i = 0; i < CALLERS; i++) {
            StoredState s = store.load(id(i));
            if (i == 2) {
                assertThat(outcomes.get(i)).isInstanceOf(VersionConflictException.class);
                assertThat(s.reminders()).containsExactly(2);
                assertThat(s.remindAtMillis()).isEqualTo(base + 102);
                expected.add(new DueServer(id(i), base + 102));
            } else if (i % 4 == 1 || i % 4 == 2) {
                assertThat(outcomes.get(i)).as("i=%d", i).isEqualTo(i % 4 == 1 ? 1L : 2L);
                assertThat(s.reminders()).as("i=%d", i)
                        .containsExactly(i % 4 == 1 ? new byte[0] : new byte[] {(byte) -i});
                assertThat(s.remindAtMillis()).isEqualTo(base + i);
                expected.add(new DueServer(id(i), base + i));
            } else {
                assertThat(outcomes.get(i)).as("i=%d", i).isInstanceOf(Long.class);
                assertThat(s.reminders()).as("i=%d", i).isNull();
                assertThat(s.remindAtMillis()).isZero();
            }
            if (i % 8 == 0) {
                assertThat(store.history(id(i))).singleElement().satisfies(h -> {
                    assertThat(h.payload()).containsExactly(1);
                    assertThat(h.reminders()).as("history keeps no reminders").isNull();
                });
            }
        }
        List<DueServer> due = store.due(base + 1_000, DueCursor.startingAt(base), 100).servers();
        assertThat(due).doesNotHaveDuplicates();
        assertThat(new HashSet<>(due)).isEqualTo(expected);
    }

    @Test
    void batch_withTheSameKeyManyTimes_hasExactlyOneWinnerPerVersion() throws Exception {
        ServerId shared = new ServerId(type, "shared");
        int before = counting.borrowed();

        List<Object> outcomes = concurrently(i -> store.save(new StateWrite(shared, 0, new byte[] {(byte) i}, 1)));

        assertThat(counting.borrowed() - before).isLessThan(CALLERS);
        List<Object> wins = outcomes.stream().filter(o -> o.equals(1L)).toList();
        List<Object> conflicts = outcomes.stream().filter(o -> o instanceof VersionConflictException).toList();
        assertThat(wins).hasSize(1);
        assertThat(conflicts).hasSize(CALLERS - 1).allSatisfy(o ->
                assertThat(((VersionConflictException) o).actualVersion()).isEqualTo(1));
        int winner = outcomes.indexOf(1L);
        assertThat(store.load(shared).payload()).containsExactly(winner);
        assertThat(store.load(shared).version()).isEqualTo(1);
    }

    @Test
    void contendedKey_withCallersRetryingOnConflict_losesNoIncrement() throws Exception {
        ServerId shared = new ServerId(type, "counter");
        AtomicInteger conflicts = new AtomicInteger();
        int perCaller = 3;
        store.close();
        store = PgTestSupport.open(); // two writers, no lingering: conflicts arrive in concurrent batches

        concurrently(i -> {
            for (int done = 0; done < perCaller; ) {
                StoredState s = store.load(shared);
                long count = s.hasPayload() ? Long.parseLong(new String(s.payload())) : 0;
                try {
                    store.save(new StateWrite(shared, s.version(), Long.toString(count + 1).getBytes(), 1));
                    done++;
                } catch (VersionConflictException e) {
                    conflicts.incrementAndGet();
                }
            }
            return null;
        });

        StoredState end = store.load(shared);
        assertThat(end.version()).isEqualTo(CALLERS * perCaller);
        assertThat(new String(end.payload())).isEqualTo(Integer.toString(CALLERS * perCaller));
        assertThat(conflicts.get()).isPositive();
    }

    @Test
    void callerManagedDataSource_staysOpenAfterClose() throws Exception {
        store.save(new StateWrite(id(1), 0, new byte[] {1}, 1));
        store.close();
        assertThat(pool.isClosed()).isFalse();
        try (var c = pool.getConnection()) {
            assertThat(c.isValid(2)).isTrue();
        }
        assertThatThrownBy(() -> store.load(id(1))).isInstanceOf(io.github.pgs.StorageException.class);
    }
}
