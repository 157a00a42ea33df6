package io.github.pgs.runtime;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.ServerRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ref.call} timeouts follow the runtime's injected time seam: on a manual clock a call times out when the
 * clock passes its deadline, and only then. Nothing here sleeps; an hour-long timeout passes in no real time.
 */
class CallTimeoutTest extends RuntimeFixture {

    @Test
    void aBlockingCallTimesOutWhenTheManualClockPassesItsTimeout_withoutRealTime() throws Exception {
        ServerRef stuck = runtime.ref(Counter.class, "stuck");
        CountDownLatch never = new CountDownLatch(1);
        stuck.callAsync(new Counter.Hang(never), Duration.ofDays(1));
        long realStart = System.nanoTime();

        Throwable thrown = callTimingOut(stuck, new Counter.Get(), Duration.ofHours(1));

        assertThat(thrown).isInstanceOfSatisfying(CallTimeoutException.class, e -> {
            assertThat(e.timeout()).isEqualTo(Duration.ofHours(1));
            assertThat(e.serverId()).isEqualTo(stuck.id());
        });
        assertThat(Duration.ofNanos(System.nanoTime() - realStart)).as("no real hour went by")
                .isLessThan(Duration.ofMinutes(1));
        never.countDown();
        assertThat(stuck.call(new Counter.Get())).isZero();
    }

    @Test
    void aShortTimeoutHasItsOwnTimerOnTheSameClock() throws Exception {
        ServerRef stuck = runtime.ref(Counter.class, "short");
        CountDownLatch never = new CountDownLatch(1);
        stuck.callAsync(new Counter.Hang(never), Duration.ofDays(1));

        assertThat(callTimingOut(stuck, new Counter.Get(), Duration.ofMillis(5)))
                .isInstanceOfSatisfying(CallTimeoutException.class,
                        e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(5)));
        never.countDown();
    }

    @Test
    void aCallAnsweredBeforeItsDeadlineIsNotTimedOutLater() throws Exception {
        ServerRef ref = runtime.ref(Counter.class, "quick");
        assertThat(ref.call(new Counter.Inc(), Duration.ofSeconds(1))).isEqualTo(1);
        time.advance(Duration.ofSeconds(2));
        assertThat(ref.call(new Counter.Get(), Duration.ofSeconds(1))).isEqualTo(1);
    }

    @Test
    void stopWaitsOnTheSameClock() throws Exception {
        ServerRef stuck = runtime.ref(Counter.class, "stopping");
        CountDownLatch release = new CountDownLatch(1);
        stuck.callAsync(new Counter.Hang(release), Duration.ofDays(1));
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                stuck.stop();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        while (stopper.getState() != Thread.State.WAITING && stopper.isAlive()) {
            Thread.onSpinWait();
        }
        time.advance(runtime.options("counter").callTimeout().plusMillis(10));
        assertThat(stopper.join(Duration.ofSeconds(10))).isTrue();
        assertThat(thrown.get()).isInstanceOf(CallTimeoutException.class);
        release.countDown();
        settle();
        assertThat(runtime.isActive(stuck.id())).as("the stop still happened, after the hang").isFalse();
    }
}
