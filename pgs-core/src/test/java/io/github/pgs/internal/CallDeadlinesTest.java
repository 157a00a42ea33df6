package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.ServerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallDeadlinesTest {

    private static final ServerId ID = new ServerId("t", "k");

    @Test
    void expiresAWaitOnlyOnceItsDeadlineHasPassed() {
        CallDeadlines deadlines = new CallDeadlines(false, 0);
        CompletableFuture<String> f = new CompletableFuture<>();
        CallDeadlines.Wait w = deadlines.register(f, ID, Duration.ofSeconds(1));

        deadlines.sweep(w.deadline - 1);
        assertThat(f).isNotDone();
        assertThat(w.expired).isFalse();

        deadlines.sweep(w.deadline);
        assertThat(w.expired).isTrue();
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::join).hasCauseInstanceOf(CallTimeoutException.class);
        assertThat(deadlines.pendingCount()).isZero();
    }

    @Test
    void dropsAnsweredWaitsAndKeepsTheOthers() {
        CallDeadlines deadlines = new CallDeadlines(false, 0);
        CompletableFuture<String> answered = new CompletableFuture<>();
        CompletableFuture<String> waiting = new CompletableFuture<>();
        CallDeadlines.Wait a = deadlines.register(answered, ID, Duration.ofSeconds(1));
        CallDeadlines.Wait b = deadlines.register(waiting, ID, Duration.ofSeconds(5));
        answered.complete("reply");

        deadlines.sweep(a.deadline + 1);
        assertThat(a.expired).isFalse();
        assertThat(answered.join()).isEqualTo("reply");
        assertThat(waiting).isNotDone();
        assertThat(deadlines.pendingCount()).isEqualTo(1);

        CompletableFuture<String> later = new CompletableFuture<>();
        deadlines.register(later, ID, Duration.ofSeconds(60));
        deadlines.sweep(b.deadline);
        assertThat(waiting).isCompletedExceptionally();
        assertThat(later).isNotDone();
        assertThat(deadlines.pendingCount()).isEqualTo(1);
    }

    @Test
    void aWaitThatCouldNotBeFailedIsKeptAndFailedNextTime() {
        CallDeadlines deadlines = new CallDeadlines(false, 0);
        CompletableFuture<String> first = new CompletableFuture<>() {
            private boolean refusedOnce;

            @Override
            public boolean completeExceptionally(Throwable ex) {
                if (!refusedOnce) {
                    refusedOnce = true;
                    throw new OutOfMemoryError("simulated");
                }
                return super.completeExceptionally(ex);
            }
        };
        CompletableFuture<String> second = new CompletableFuture<>();
        deadlines.register(first, ID, Duration.ofSeconds(1));
        CallDeadlines.Wait b = deadlines.register(second, ID, Duration.ofSeconds(1));

        deadlines.sweep(b.deadline); // both are due; the first refuses to fail
        assertThat(first).isNotDone();
        assertThat(second).isCompletedExceptionally();
        assertThat(deadlines.pendingCount()).isEqualTo(1);

        deadlines.sweep(b.deadline + 1);
        assertThat(first).isCompletedExceptionally();
        assertThat(deadlines.pendingCount()).isZero();
    }

    /** The shared sweeper times out a blocked caller, again after it has gone to sleep with nothing to watch. */
    @Test
    void aBlockedCallerTimesOutWithItsOwnStackAndAnAnswerStillWins() throws Exception {
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> Registry.await(new CompletableFuture<>(), ID, Duration.ofMillis(250)))
                    .isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                        assertThat(e.timeout()).isEqualTo(Duration.ofMillis(250));
                        assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName))
                                .contains("await");
                    });
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(waitedMs).isGreaterThanOrEqualTo(250);
            Thread.sleep(100); // nothing to watch: the sweeper parks, and the next wait must wake it
        }
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            f.complete("reply");
        });
        assertThat(Registry.await(f, ID, Duration.ofSeconds(5))).isEqualTo("reply");
    }

    @Test
    void theSweeperEndsWhenIdle_andTheNextWaitStartsAnother() throws Exception {
        CallDeadlines deadlines = new CallDeadlines(true, TimeUnit.MILLISECONDS.toNanos(50));
        CompletableFuture<String> answered = new CompletableFuture<>();
        deadlines.register(answered, ID, Duration.ofSeconds(60));
        assertThat(deadlines.sweeping()).isTrue();
        answered.complete("reply");

        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (deadlines.sweeping() && System.nanoTime() < giveUp) {
            Thread.sleep(5);
        }
        assertThat(deadlines.sweeping()).as("sweeper ended after 50 ms idle").isFalse();

        CompletableFuture<String> late = new CompletableFuture<>();
        deadlines.register(late, ID, Duration.ofMillis(20));
        assertThat(deadlines.sweeping()).isTrue();
        assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(CallTimeoutException.class);
    }

    /**
     * A sweeper that ends the moment it has nothing to watch races every caller that registers as it ends; no
     * wait may be left without a sweeper to time it out.
     */
    @Test
    void noWaitIsLostWhileSweepersEndAndStart() throws Exception {
        CallDeadlines deadlines = new CallDeadlines(true, 0);
        int threads = 6;
        int waitsEach = 150;
        AtomicInteger lost = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        Thread[] callers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            callers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < waitsEach; i++) {
                    CompletableFuture<String> f = new CompletableFuture<>();
                    deadlines.register(f, ID, Duration.ofNanos(1));
                    try {
                        f.get(5, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof CallTimeoutException) {
                            timedOut.incrementAndGet();
                        }
                    } catch (TimeoutException e) {
                        lost.incrementAndGet();
                        f.complete("given up");
                    } catch (InterruptedException e) {
                        return;
                    }
                    if ((i & 7) == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
        }
        for (Thread t : callers) {
            t.join();
        }
        assertThat(lost.get()).as("waits never swept").isZero();
        assertThat(timedOut.get()).isEqualTo(threads * waitsEach);
    }

    @Test
    void shortTimeoutsAreNotSweptAndStillFire() {
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> Registry.await(new CompletableFuture<>(), ID, Duration.ofMillis(20)))
                .isInstanceOf(CallTimeoutException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(20);
    }
}
