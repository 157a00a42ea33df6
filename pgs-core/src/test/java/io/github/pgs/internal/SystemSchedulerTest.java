package io.github.pgs.internal;

import io.github.pgs.spi.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class SystemSchedulerTest {

    private final SystemScheduler scheduler = new SystemScheduler("test-timers");

    @AfterEach
    void close() {
        scheduler.close();
    }

    @Test
    void runsTasksInDeadlineOrder() throws Exception {
        List<Integer> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(5);
        int[] delays = {120, 20, 80, 0, 50};
        for (int d : delays) {
            scheduler.schedule(Duration.ofMillis(d), () -> {
                order.add(d);
                done.countDown();
            });
        }
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly(0, 20, 50, 80, 120);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void aNegativeDelayRunsAtOnceAndAHugeOneNeverOverflows() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        Scheduler.Cancellable far = scheduler.schedule(Duration.ofDays(365L * 10_000), () -> { });
        scheduler.schedule(Duration.ofMillis(-5), ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.pending()).isEqualTo(1);
        far.cancel();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void cancelledTasksLeaveTheHeapAndNeverRun() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        List<Scheduler.Cancellable> tasks = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            tasks.add(scheduler.schedule(Duration.ofMillis(30 + i % 50), ran::incrementAndGet));
        }
        // cancel every other one, in a scrambled order, so that removals hit the middle of the heap
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i += 2) {
            idx.add(i);
        }
        java.util.Collections.shuffle(idx, new Random(7));
        for (int i : idx) {
            tasks.get(i).cancel();
            tasks.get(i).cancel(); // harmless twice
        }
        assertThat(scheduler.pending()).isEqualTo(500);
        // tasks run in deadline order on one thread: once a later sentinel has run, every earlier one has had its turn
        CountDownLatch sentinel = new CountDownLatch(1);
        scheduler.schedule(Duration.ofMillis(200), sentinel::countDown);
        assertThat(sentinel.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo(500);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void theHeapShrinksAfterABurst() {
        List<Scheduler.Cancellable> tasks = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            tasks.add(scheduler.schedule(Duration.ofMinutes(10), () -> { }));
        }
        assertThat(scheduler.capacity()).isGreaterThanOrEqualTo(100_000);
        tasks.forEach(Scheduler.Cancellable::cancel);
        assertThat(scheduler.pending()).isZero();
        assertThat(scheduler.capacity()).isLessThanOrEqualTo(128);
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheScheduler() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        scheduler.schedule(Duration.ZERO, () -> {
            throw new IllegalStateException("boom");
        });
        scheduler.schedule(Duration.ofMillis(20), after::countDown);
        assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void afterCloseNothingRuns() {
        AtomicInteger ran = new AtomicInteger();
        scheduler.schedule(Duration.ofMillis(50), ran::incrementAndGet);
        scheduler.close();
        assertThat(scheduler.running()).as("close ends the only thread that runs tasks").isFalse();
        Scheduler.Cancellable late = scheduler.schedule(Duration.ZERO, ran::incrementAndGet);
        late.cancel();
        assertThat(ran.get()).isZero();
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void anEarlierTaskWakesTheThreadWaitingForALaterOne() throws Exception {
        scheduler.schedule(Duration.ofMinutes(5), () -> { });
        CountDownLatch ran = new CountDownLatch(1);
        long t0 = System.nanoTime();
        scheduler.schedule(Duration.ofMillis(10), ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(4_000);
    }
}
