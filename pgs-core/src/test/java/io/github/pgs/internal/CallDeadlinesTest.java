package io.github.pgs.internal;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.ServerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Call timeouts on the runtime's time seam: everything here runs on a stepped clock, nothing sleeps. */
class CallDeadlinesTest {

    private static final ServerId ID = new ServerId("t", "k");

    private final StepClock clock = new StepClock();
    private final CallDeadlines deadlines = new CallDeadlines(clock, clock);

    @Test
    void expiresAWaitOnlyOnceItsDeadlineHasPassed() {
        CompletableFuture<String> f = new CompletableFuture<>();
        CallDeadlines.Wait w = deadlines.register(f, ID, Duration.ofSeconds(1));

        deadlines.sweep(w.deadline - 1);
        assertThat(f).isNotDone();
        assertThat(w.expired).isFalse();

        deadlines.sweep(w.deadline);
        assertThat(w.expired).isTrue();
        assertThatThrownBy(f::join).hasCauseInstanceOf(CallTimeoutException.class);
        assertThat(deadlines.pendingCount()).isZero();
    }

    @Test
    void dropsAnsweredWaitsAndKeepsTheOthers() {
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

    @Test
    void answeredWaitsAreLetGoWithinOnePeriod_notKeptUntilTheEarliestDeadline() {
        for (int i = 0; i < 1_000; i++) {
            CompletableFuture<String> f = new CompletableFuture<>();
            deadlines.register(f, ID, Duration.ofSeconds(5));
            f.complete("reply " + i);
        }
        assertThat(deadlines.heldCount()).isEqualTo(1_000);

        clock.advance(Duration.ofNanos(CallDeadlines.PERIOD_NANOS));

        assertThat(deadlines.heldCount()).as("waits held one period later").isZero();
        assertThat(deadlines.sweeping()).as("nothing left to watch").isFalse();
    }

    @Test
    void sweepsRunAPeriodAfterNewWaitsAndAtDeadlines_andStopWhenNothingWaits() {
        assertThat(deadlines.sweeping()).isFalse();
        CompletableFuture<String> f = new CompletableFuture<>();
        deadlines.register(f, ID, Duration.ofSeconds(1));
        assertThat(deadlines.sweeping()).isTrue();
        assertThat(clock.scheduled()).isEqualTo(1);

        clock.advance(Duration.ofMillis(999));
        assertThat(f).as("not yet due").isNotDone();
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(f::join).hasCauseInstanceOf(CallTimeoutException.class);
        assertThat(deadlines.sweeping()).as("nothing left to watch").isFalse();
        assertThat(clock.scheduled()).isZero();

        CompletableFuture<String> answered = new CompletableFuture<>();
        deadlines.register(answered, ID, Duration.ofSeconds(1));
        assertThat(deadlines.sweeping()).as("the next wait schedules a sweep again").isTrue();
        answered.complete("reply");
        clock.advance(Duration.ofSeconds(1));
        assertThat(deadlines.sweeping()).isFalse();
        assertThat(answered.join()).isEqualTo("reply");
    }

    @Test
    void anEarlierDeadlineBringsTheSweepForward_andALaterOneDoesNotAddSweeps() {
        CompletableFuture<String> late = new CompletableFuture<>();
        CompletableFuture<String> early = new CompletableFuture<>();
        CompletableFuture<String> later = new CompletableFuture<>();
        deadlines.register(late, ID, Duration.ofHours(1));
        deadlines.register(early, ID, Duration.ofSeconds(1));
        deadlines.register(later, ID, Duration.ofHours(2));
        assertThat(clock.scheduled()).as("one sweep, a period after the waits came").isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(early).isCompletedExceptionally();
        assertThat(late).isNotDone();
        assertThat(clock.scheduled()).as("the next sweep, at the next deadline").isEqualTo(1);

        clock.advance(Duration.ofDays(365)); // a far jump runs only the sweeps at the two deadlines
        assertThat(late).isCompletedExceptionally();
        assertThat(later).isCompletedExceptionally();
        assertThat(deadlines.sweeping()).isFalse();
    }

    /** A caller blocked in await is woken by the clock alone, with its own stack; a reply that comes first wins. */
    @Test
    void aBlockedCallerTimesOutWhenTheClockPassesItsDeadline_withItsOwnStack() throws Exception {
        for (Duration timeout : new Duration[]{Duration.ofSeconds(5), Duration.ofMillis(20)}) { // swept, own timer
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    deadlines.await(new CompletableFuture<>(), ID, timeout);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            awaitParked(caller);
            clock.advance(timeout.minusMillis(1));
            assertThat(caller.isAlive()).as("still waiting before its deadline").isTrue();
            clock.advance(Duration.ofMillis(11));
            caller.join();
            assertThat(thrown.get()).isInstanceOfSatisfying(CallTimeoutException.class, e -> {
                assertThat(e.timeout()).isEqualTo(timeout);
                assertThat(Arrays.stream(e.getStackTrace()).map(StackTraceElement::getMethodName)).contains("await");
            });
        }
        CompletableFuture<String> f = new CompletableFuture<>();
        f.complete("reply");
        assertThat(deadlines.await(f, ID, Duration.ofSeconds(5))).isEqualTo("reply");
    }

    /** Callers register while sweeps find nothing and stop: no wait may be left without a sweep to time it out. */
    @Test
    void noWaitIsLostWhileSweepsStopAndStart() throws Exception {
        int threads = 4;
        int waitsEach = 500;
        AtomicInteger registered = new AtomicInteger();
        Thread[] callers = new Thread[threads];
        CompletableFuture<?>[][] futures = new CompletableFuture<?>[threads][waitsEach];
        for (int t = 0; t < threads; t++) {
            int tt = t;
            callers[t] = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < waitsEach; i++) {
                    CompletableFuture<String> f = new CompletableFuture<>();
                    futures[tt][i] = f;
                    deadlines.register(f, ID, Duration.ofMillis(500));
                    registered.incrementAndGet();
                }
            });
        }
        // the clock moves (sweeps run, find nothing due, stop and restart) while the callers register
        while (registered.get() < threads * waitsEach) {
            clock.advance(Duration.ofMillis(10));
        }
        for (Thread t : callers) {
            t.join();
        }
        clock.advance(Duration.ofSeconds(1));
        for (CompletableFuture<?>[] row : futures) {
            for (CompletableFuture<?> f : row) {
                assertThat(f).as("every wait was timed out").isCompletedExceptionally();
            }
        }
        assertThat(deadlines.sweeping()).isFalse();
    }

    private static void awaitParked(Thread t) {
        long giveUp = System.nanoTime() + 10_000_000_000L;
        while (t.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("caller parks").isLessThan(giveUp);
            Thread.onSpinWait();
        }
    }
}
