package io.github.pgs.runtime;

import io.github.pgs.ServerContext;
import io.github.pgs.ServerRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Volatile timers set through ServerContext: delivery, periodic, cancel, petrify interplay. */
class TimerTest extends RuntimeFixture {

    private void advance(int seconds) {
        for (int i = 0; i < seconds; i++) {
            time.advance(Duration.ofSeconds(1));
            settle();
        }
    }

    @Test
    void sendAfter_deliversToHandleInfoOnceAfterTheDelay() {
        ServerRef ref = runtime.ref(Counter.class, "once");
        ref.cast(new Counter.StartTimer(Duration.ofSeconds(5), false, false));
        settle();

        advance(4);
        assertThat(ref.call(new Counter.Get())).isZero();
        advance(1);
        assertThat(ref.call(new Counter.Get())).isEqualTo(100);
        advance(10);
        assertThat(ref.call(new Counter.Get())).isEqualTo(100);
        assertThat(storedCount("once")).as("a timer's change is persisted like any other").isEqualTo(100);
    }

    @Test
    void periodicTimer_firesUntilCancelled() {
        ServerRef ref = runtime.ref(Counter.class, "every");
        ref.cast(new Counter.StartTimer(Duration.ofSeconds(1), true, false));
        settle();

        advance(3);
        assertThat(ref.call(new Counter.Get())).isEqualTo(300);
        ref.cast(new Counter.CancelTimer());
        advance(3);
        assertThat(ref.call(new Counter.Get())).isEqualTo(300);
    }

    @Test
    void timer_diesWithTheActivation_andDoesNotHoldOffPetrification() {
        ServerRef ref = runtime.ref(Counter.class, "mortal");
        ref.cast(new Counter.StartTimer(Duration.ofSeconds(120), false, false));
        settle();

        advance(60);
        assertThat(runtime.isActive(ref.id())).isFalse();
        advance(120);
        assertThat(runtime.isActive(ref.id())).as("the timer did not wake it").isFalse();
        assertThat(ref.call(new Counter.Get())).isZero();
    }

    @Test
    void keepAliveTimer_holdsOffPetrificationWhilePending() {
        ServerRef ref = runtime.ref(Counter.class, "awake");
        ref.cast(new Counter.StartTimer(Duration.ofSeconds(90), false, true));
        settle();

        advance(60);
        assertThat(runtime.isActive(ref.id())).isTrue();
        advance(30);
        assertThat(storedCount("awake")).isEqualTo(100);
        advance(60);
        assertThat(runtime.isActive(ref.id())).as("idle again once the timer fired").isFalse();
    }

    @Test
    void serverContext_knowsItsOwnRef_andIsUnavailableOutsideHandlers() {
        ServerRef ref = runtime.ref(Counter.class, "me");
        assertThat(ref.call(new Counter.WhoAmI())).isEqualTo(ref);
        assertThatThrownBy(ServerContext::current).isInstanceOf(IllegalStateException.class);
    }
}
