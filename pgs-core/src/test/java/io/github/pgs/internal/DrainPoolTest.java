package io.github.pgs.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class DrainPoolTest {

    private DrainPool pool;

    @AfterEach
    void close() {
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void runsEveryTaskOnAVirtualThreadAndReusesAnIdleOne() throws Exception {
        pool = new DrainPool("t", 60_000, 16);
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
        pool = new DrainPool("t", 60_000, 8);
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
        awaitIdleAtMost(8);
    }

    @Test
    void keepsAtMostMaxIdleAfterABurst() throws Exception {
        pool = new DrainPool("t", 60_000, 3);
        int burst = 50;
        CountDownLatch started = new CountDownLatch(burst);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < burst; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        awaitIdle(3);
        Thread.sleep(50);
        assertThat(pool.idleWorkers()).isEqualTo(3);
    }

    @Test
    void retiresIdleWorkersAfterTheKeepAlive() throws Exception {
        pool = new DrainPool("t", 50, 16);
        CountDownLatch ran = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            pool.execute(ran::countDown);
        }
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleWorkers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(pool.idleWorkers()).isZero();
        // and the pool still works afterwards
        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown);
        assertThat(again.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTaskThatThrowsOrInterruptsDoesNotPoisonTheWorker() throws Exception {
        pool = new DrainPool("t", 60_000, 1);
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
        pool = new DrainPool("t", 60_000, 4);
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(() -> {
            worker.set(Thread.currentThread());
            ran.countDown();
        });
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(1);
        pool.close();
        assertThat(worker.get().join(java.time.Duration.ofSeconds(5))).isTrue();
        assertThat(pool.idleWorkers()).isZero();
        CountDownLatch late = new CountDownLatch(1);
        pool.execute(late::countDown);
        assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(20);
        assertThat(pool.idleWorkers()).isZero();
    }

    private void awaitIdle(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleWorkers() != n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(pool.idleWorkers()).isEqualTo(n);
    }

    private void awaitIdleAtMost(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pool.idleWorkers() > n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(pool.idleWorkers()).isBetween(1, n);
    }
}
