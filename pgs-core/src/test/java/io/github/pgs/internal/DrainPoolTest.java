package io.github.pgs.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The keep-alive runs on a stepped clock; everything else waits for the workers' own events, never a sleep. */
class DrainPoolTest {

    private final StepClock clock = new StepClock();
    private DrainPool pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void runsEveryTaskOnAVirtualThreadAndReusesAnIdleOne() throws Exception {
        pool = new DrainPool("t", 60_000, 16, clock, clock);
        AtomicReference<Thread> first = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(() -> {
            first.set(Thread.currentThread());
            ran.countDown();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(1);
        AtomicReference<Thread> second = new AtomicReference<>();
        CountDownLatch ran2 = new CountDownLatch(1);
        pool.execute(() -> {
            second.set(Thread.currentThread());
            ran2.countDown();
        });
        assertThat(ran2.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(first.get().isVirtual()).isTrue();
        assertThat(second.get()).isSameAs(first.get());
    }

    @Test
    void concurrentTasksAllRunExactlyOnce() throws Exception {
        pool = new DrainPool("t", 60_000, 8, clock, clock);
        int tasks = 20_000;
        AtomicInteger runs = new AtomicInteger();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(tasks);
        Thread[] submitters = new Thread[4];
        for (int s = 0; s < submitters.length; s++) {
            submitters[s] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < tasks / submitters.length; i++) {
                    pool.execute(() -> {
                        runs.incrementAndGet();
                        threads.add(Thread.currentThread());
                        done.countDown();
                    });
                }
            });
        }
        for (Thread t : submitters) {
            t.join();
        }
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(runs.get()).isEqualTo(tasks);
        assertThat(threads.size()).as("threads were reused").isLessThan(tasks);
        for (Thread w : threads) {
            awaitEndedOrParked(w);
        }
        assertThat(pool.idleWorkers()).isBetween(1, 8);
    }

    @Test
    void keepsAtMostMaxIdleAfterABurst() throws Exception {
        pool = new DrainPool("t", 60_000, 3, clock, clock);
        int burst = 50;
        CountDownLatch started = new CountDownLatch(burst);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(burst);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < burst; i++) {
            pool.execute(() -> {
                workers.add(Thread.currentThread());
                started.countDown();
                awaitQuietly(release);
                finished.countDown();
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(workers).hasSize(burst);
        release.countDown();
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        // past its task, every worker either ends or parks idle; once all have, the count is final
        for (Thread w : workers) {
            awaitEndedOrParked(w);
        }
        assertThat(workers.stream().filter(Thread::isAlive).count()).isEqualTo(3);
        assertThat(pool.idleWorkers()).isEqualTo(3);
    }

    @Test
    void retiresIdleWorkersAfterTheKeepAliveOfTheInjectedClock() throws Exception {
        pool = new DrainPool("t", 50, 16, clock, clock);
        Set<Thread> workers = ConcurrentHashMap.newKeySet();
        CountDownLatch ran = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            pool.execute(() -> {
                workers.add(Thread.currentThread());
                ran.countDown();
                awaitQuietly(release);
                finished.countDown();
            });
        }
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        assertThat(finished.await(5, TimeUnit.SECONDS)).isTrue();
        for (Thread w : workers) {
            awaitEndedOrParked(w);
        }
        assertThat(pool.idleWorkers()).isEqualTo(4);
        assertThat(clock.scheduled()).as("the reaper is due").isEqualTo(1);

        clock.advance(Duration.ofMillis(49));
        assertThat(pool.idleWorkers()).as("kept until the keep-alive has passed").isEqualTo(4);
        clock.advance(Duration.ofMillis(1));
        for (Thread w : workers) {
            assertThat(w.join(Duration.ofSeconds(10))).as("a retired worker ends").isTrue();
        }
        assertThat(pool.idleWorkers()).isZero();
        assertThat(clock.scheduled()).as("no reaper while nobody is idle").isZero();
        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown);
        assertThat(again.await(5, TimeUnit.SECONDS)).as("the pool still works").isTrue();
    }

    @Test
    void aTaskThatThrowsOrInterruptsDoesNotPoisonTheWorker() throws Exception {
        pool = new DrainPool("t", 60_000, 1, clock, clock);
        CountDownLatch first = new CountDownLatch(1);
        pool.execute(() -> {
            Thread.currentThread().interrupt();
            first.countDown();
            throw new IllegalStateException("boom");
        });
        assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(1);
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        CountDownLatch second = new CountDownLatch(1);
        pool.execute(() -> {
            interrupted.set(Thread.currentThread().isInterrupted());
            second.countDown();
        });
        assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupted.get()).isFalse();
    }

    @Test
    void closeEndsIdleWorkersAndLaterTasksStillRun() throws Exception {
        pool = new DrainPool("t", 60_000, 4, clock, clock);
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(() -> {
            worker.set(Thread.currentThread());
            ran.countDown();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(1);
        pool.close();
        assertThat(worker.get().join(Duration.ofSeconds(5))).isTrue();
        assertThat(pool.idleWorkers()).isZero();
        AtomicReference<Thread> lateWorker = new AtomicReference<>();
        CountDownLatch late = new CountDownLatch(1);
        pool.execute(() -> {
            lateWorker.set(Thread.currentThread());
            late.countDown();
        });
        assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(lateWorker.get().join(Duration.ofSeconds(5))).as("a worker of a closed pool ends").isTrue();
        assertThat(pool.idleWorkers()).isZero();
    }

    /** Waits (for the workers' own progress, bounded) until {@code n} workers are idle. */
    private void awaitIdle(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleWorkers() != n && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(pool.idleWorkers()).isEqualTo(n);
    }

    /** Waits until {@code t} has ended or parks (an idle worker parks until it is taken or retired). */
    private static void awaitEndedOrParked(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.isAlive() && t.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(!t.isAlive() || t.getState() == Thread.State.WAITING).as("%s ended or parked", t).isTrue();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
