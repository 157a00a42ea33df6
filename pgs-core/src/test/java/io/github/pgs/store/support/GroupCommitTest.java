package io.github.pgs.store.support;

import io.github.pgs.StorageException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {

    @Test
    void submit_returnsTheResultTheHandlerGaveItsEntry() {
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO,
                batch -> batch.forEach(e -> e.succeed(e.item().length())))) {
            assertThat(gc.submit("four")).isEqualTo(4);
        }
    }

    @Test
    void entryLeftOpen_failsWithStorageException_andAThrowingHandlerFailsItsOpenEntriesWithItsError() {
        try (GroupCommit<String, Integer> open = new GroupCommit<>("t", 1, 8, Duration.ZERO, batch -> { })) {
            assertThatThrownBy(() -> open.submit("x")).isInstanceOf(StorageException.class)
                    .hasMessageContaining("without outcome");
        }
        try (GroupCommit<String, Integer> throwing = new GroupCommit<>("t", 1, 8, Duration.ZERO, batch -> {
            throw new IllegalStateException("boom");
        })) {
            assertThatThrownBy(() -> throwing.submit("x")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("boom");
        }
    }

    @Test
    void handedOffEntries_areLeftToTheirNewOwner_evenWhenTheHandlerThrowsAfterwards() throws Exception {
        List<GroupCommit.Entry<String, Integer>> taken = new CopyOnWriteArrayList<>();
        CountDownLatch bothTaken = new CountDownLatch(2);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO, batch -> {
            for (GroupCommit.Entry<String, Integer> e : batch) {
                if (e.item().equals("probe")) {
                    e.succeed(0);
                    return;
                }
                e.handOff();
                taken.add(e);
                bothTaken.countDown();
            }
            throw new IllegalStateException("after the hand-off");
        })) {
            Future<Integer> a = callers.submit(() -> gc.submit("a"));
            Future<Integer> b = callers.submit(() -> gc.submit("bb"));
            assertThat(bothTaken.await(5, TimeUnit.SECONDS)).isTrue();
            // One writer handles batches in order: once the probe's batch is done, so is the bookkeeping of the
            // batches that threw after handing a and bb off.
            assertThat(gc.submit("probe")).isZero();
            assertThat(a.isDone()).as("a handed-off entry waits for its new owner").isFalse();
            assertThat(b.isDone()).isFalse();
            for (GroupCommit.Entry<String, Integer> e : taken) {
                e.succeed(e.item().length() * 10);
            }
            assertThat(a.get(5, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(b.get(5, TimeUnit.SECONDS)).isEqualTo(20);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void close_writesWhatIsQueued_thenRefusesNewItems() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<String> written = new CopyOnWriteArrayList<>();
        AtomicInteger inHandler = new AtomicInteger();
        GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO, batch -> {
            inHandler.addAndGet(batch.size());
            gate.join();
            for (GroupCommit.Entry<String, Integer> e : batch) {
                written.add(e.item());
                e.succeed(1);
            }
        });
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String item = "i" + i;
            results.add(callers.submit(() -> gc.submit(item)));
        }
        // every caller has handed its item over: in the first batch (held at the gate) or still queued
        while (inHandler.get() + gc.queued() < 5) {
            Thread.onSpinWait();
        }
        Thread closer = Thread.ofVirtual().start(gc::close);
        gate.complete(null);
        closer.join(5_000);
        for (Future<Integer> f : results) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(written).hasSize(5);
        assertThatThrownBy(() -> gc.submit("late")).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        callers.shutdownNow();
    }

    @Test
    void rounds_holdEachKeyOnce_andApplyAKeysEntriesInQueueOrder() throws Exception {
        List<List<String>> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CountDownLatch writing = new CountDownLatch(1);
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 16, Duration.ZERO, batch -> {
            writing.countDown();
            gate.join();
            for (List<GroupCommit.Entry<String, Integer>> round : GroupCommit.rounds(batch, s -> s.charAt(0))) {
                seen.add(round.stream().map(GroupCommit.Entry::item).toList());
                round.forEach(e -> e.succeed(0));
            }
        })) {
            List<Future<Integer>> results = new ArrayList<>();
            results.add(callers.submit(() -> gc.submit("first")));
            assertThat(writing.await(5, TimeUnit.SECONDS)).as("the writer holds the first batch at the gate").isTrue();
            for (String item : List.of("a1", "b1", "a2", "c1", "a3", "b2")) {
                results.add(callers.submit(() -> gc.submit(item)));
                while (gc.queued() < results.size() - 1) { // queue them in this order
                    Thread.onSpinWait();
                }
            }
            gate.complete(null);
            for (Future<Integer> f : results) {
                f.get(5, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(seen).containsExactly(List.of("first"), List.of("a1", "b1", "c1"), List.of("a2", "b2"),
                List.of("a3"));
    }
}
