package io.github.pgs.store.support;

import io.github.pgs.spi.StoreObserver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** GroupCommit reports each batch (size, duration, failure) to its observer, and an observer cannot break it. */
class GroupCommitObserverTest {

    record Batch(String store, int entries, long nanos, Throwable failure) {
    }

    static final class Recorder implements StoreObserver {
        final BlockingQueue<Batch> batches = new LinkedBlockingQueue<>();

        @Override
        public void batchWritten(String store, int entries, long nanos, Throwable failure) {
            batches.add(new Batch(store, entries, nanos, failure));
        }

        Batch next() throws InterruptedException {
            Batch b = batches.poll(5, TimeUnit.SECONDS);
            assertThat(b).as("a batch was reported").isNotNull();
            return b;
        }
    }

    @Test
    void everyBatch_isReportedWithItsSize_underTheGroupCommitsName() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder recorder = new Recorder();
        ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("sqlite", 1, 8, Duration.ZERO, batch -> {
            if (batch.getFirst().item().equals("first")) {
                entered.countDown();
                release.await();
            }
            batch.forEach(e -> e.succeed(e.item().length()));
        })) {
            gc.observe(recorder);
            Future<Integer> first = callers.submit(() -> gc.submit("first"));
            assertThat(entered.await(5, TimeUnit.SECONDS)).as("the writer holds the first batch").isTrue();
            Future<Integer> b = callers.submit(() -> gc.submit("b"));
            Future<Integer> c = callers.submit(() -> gc.submit("cc"));
            Future<Integer> d = callers.submit(() -> gc.submit("ddd"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gc.queued() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the writer holds "first"; the other three queue behind it
            }
            assertThat(gc.queued()).isEqualTo(3);
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS) + b.get() + c.get() + d.get()).isEqualTo(11);

            Batch one = recorder.next();
            Batch three = recorder.next();
            assertThat(one.store()).isEqualTo("sqlite");
            assertThat(one.entries()).isEqualTo(1);
            assertThat(one.nanos()).isPositive();
            assertThat(one.failure()).isNull();
            assertThat(three.entries()).isEqualTo(3);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aFailedBatch_isReportedWithItsFailure() throws Exception {
        Recorder recorder = new Recorder();
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO, batch -> {
            throw new IllegalStateException("disk gone");
        })) {
            gc.observe(recorder);
            try {
                gc.submit("x");
            } catch (IllegalStateException expected) {
                // the caller gets the handler's failure, as without an observer
            }
            assertThat(recorder.next().failure()).hasMessage("disk gone");
        }
    }

    @Test
    void aThrowingObserver_neverFailsAWrite() {
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO,
                batch -> batch.forEach(e -> e.succeed(1)))) {
            gc.observe(new StoreObserver() {
                @Override
                public void batchWritten(String store, int entries, long nanos, Throwable failure) {
                    throw new IllegalStateException("observer bug");
                }
            });
            assertThat(gc.submit("a")).isEqualTo(1);
            assertThat(gc.submit("b")).as("the writer thread survived the observer").isEqualTo(1);
        }
    }

    @Test
    void observeNull_stopsReporting() throws Exception {
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        try (GroupCommit<String, Integer> gc = new GroupCommit<>("t", 1, 8, Duration.ZERO,
                batch -> batch.forEach(e -> e.succeed(1)))) {
            gc.observe(first);
            gc.submit("x");
            assertThat(first.next().entries()).isEqualTo(1);
            gc.observe(null);
            gc.submit("unobserved");
            gc.observe(second);
            gc.submit("z");
            second.next();
            // one writer takes batches in order: "unobserved" was written (and not reported) before "z"
            assertThat(first.batches).isEmpty();
            assertThat(second.batches).isEmpty();
        }
    }
}
