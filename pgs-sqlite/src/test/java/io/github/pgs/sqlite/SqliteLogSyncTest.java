package io.github.pgs.sqlite;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Under FULL the log is synced beside the next batch, and no write is acknowledged before its sync. */
class SqliteLogSyncTest {

    @TempDir
    Path dir;

    private static ServerId id(String key) {
        return new ServerId("player", key);
    }

    private static StateWrite write(String key, long expected, String payload) {
        return new StateWrite(id(key), expected, payload.getBytes(StandardCharsets.UTF_8), 1);
    }

    private SqliteStorage open(SqliteOptions.Synchronous sync, LogSync.Syncer syncer) {
        return new SqliteStorage(SqliteOptions.builder(dir.resolve("s.db")).synchronous(sync).build(), syncer);
    }

    @Test
    void full_acknowledgesAWriteOnlyAfterTheLogWasSynced_thoughOthersCanReadItBefore() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CountDownLatch syncing = new CountDownLatch(1);
        AtomicInteger syncs = new AtomicInteger();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (SqliteStorage store = open(SqliteOptions.Synchronous.FULL, () -> {
            syncing.countDown();
            gate.join();
            syncs.incrementAndGet();
        })) {
            Future<Long> saved = callers.submit(() -> store.save(write("a", 0, "one")));
            assertThat(syncing.await(5, TimeUnit.SECONDS)).as("the sync of the batch started").isTrue();
            assertThat(store.load(id("a")).version()).as("committed, not yet synced").isEqualTo(1);
            assertThat(saved.isDone()).as("acknowledged before the sync").isFalse();
            assertThat(syncs).hasValue(0);
            gate.complete(null);
            assertThat(saved.get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(syncs).hasValue(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void failedSync_failsTheWritesItCovered_whichStayCommitted_andLaterWritesAreSyncedAgain() {
        AtomicInteger calls = new AtomicInteger();
        try (SqliteStorage store = open(SqliteOptions.Synchronous.FULL, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IOException("disk on fire");
            }
        })) {
            assertThatThrownBy(() -> store.save(write("a", 0, "one")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("committed but syncing the log failed")
                    .hasMessageContaining("disk on fire")
                    .satisfies(e -> assertThat(((StorageException) e).serverId()).isEqualTo(id("a")));
            StoredState s = store.load(id("a"));
            assertThat(s.version()).as("the outcome was unknown to the caller; the row is there").isEqualTo(1);
            assertThat(store.save(write("a", 1, "two"))).isEqualTo(2);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void normal_acknowledgesAtCommit_withoutTheSyncThread() {
        try (SqliteStorage store = open(SqliteOptions.Synchronous.NORMAL, () -> {
            throw new IOException("never called under NORMAL");
        })) {
            assertThat(store.save(write("a", 0, "one"))).isEqualTo(1);
            assertThat(store.delete(id("a"), 1)).isEqualTo(2);
        }
    }

    @Test
    void close_syncsAndAcknowledgesEveryCommittedBatch() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        CountDownLatch syncing = new CountDownLatch(1);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Long>> saves = new ArrayList<>();
        SqliteStorage store = open(SqliteOptions.Synchronous.FULL, () -> {
            syncing.countDown();
            gate.join();
            syncs.incrementAndGet();
        });
        for (int i = 0; i < 50; i++) {
            String key = "k" + i;
            saves.add(callers.submit(() -> store.save(write(key, 0, "v"))));
        }
        assertThat(syncing.await(5, TimeUnit.SECONDS)).as("a batch committed and waits for its sync").isTrue();
        Thread closer = Thread.ofVirtual().start(store::close);
        gate.complete(null);
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(closer.isAlive()).as("close finished").isFalse();
        int acknowledged = 0;
        for (Future<Long> f : saves) {
            try {
                assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(1);
                acknowledged++;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StorageException.class).hasMessageContaining("closed");
            }
        }
        assertThat(acknowledged).isPositive();
        assertThat(syncs.get()).isPositive().isLessThan(acknowledged + 1);
        callers.shutdownNow();
        try (SqliteStorage reopened = SqliteStorage.open(dir.resolve("s.db"))) {
            int present = 0;
            for (int i = 0; i < 50; i++) {
                present += reopened.load(id("k" + i)).version() == 1 ? 1 : 0;
            }
            assertThat(present).isGreaterThanOrEqualTo(acknowledged);
        }
    }
}
