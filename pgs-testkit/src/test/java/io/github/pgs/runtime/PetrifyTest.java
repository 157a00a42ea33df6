package io.github.pgs.runtime;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.TypeOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Contract point 4 and the idle timeout: petrify, revive, and messages that race with petrification. */
class PetrifyTest extends RuntimeFixture {

    @Test
    void idleServer_petrifiesAfterTheIdleTimeout_andRevivesFromStore() {
        ServerRef ref = runtime.ref(Counter.class, "sleepy");
        ref.call(new Counter.Inc());

        time.advance(Duration.ofSeconds(59));
        settle();
        assertThat(runtime.isActive(ref.id())).as("still active before the timeout").isTrue();

        time.advance(Duration.ofSeconds(1));
        settle();
        assertThat(runtime.isActive(ref.id())).as("petrified at 60 s").isFalse();
        assertThat(runtime.stats().petrifications()).isEqualTo(1);

        assertThat(ref.call(new Counter.Inc())).isEqualTo(2);
        assertThat(runtime.stats().revivals()).isEqualTo(1);
        assertThat(Counter.INITS.get("sleepy").get()).as("revival does not run init").isEqualTo(1);
    }

    @Test
    void activity_postponesPetrification() {
        ServerRef ref = runtime.ref(Counter.class, "busy");
        ref.call(new Counter.Inc());
        for (int i = 0; i < 5; i++) {
            time.advance(Duration.ofSeconds(40));
            settle();
            ref.call(new Counter.Get());
        }
        assertThat(runtime.isActive(ref.id())).isTrue();

        time.advance(Duration.ofSeconds(60));
        settle();
        assertThat(runtime.isActive(ref.id())).isFalse();
    }

    @Test
    void neverIdleTimeout_keepsServersActive() {
        reopen(TypeOptions.builder().idleTimeout(TypeOptions.NEVER).build());
        ServerRef ref = runtime.ref(Counter.class, "awake");
        ref.call(new Counter.Inc());

        time.advance(Duration.ofDays(3650));
        settle();

        assertThat(runtime.isActive(ref.id())).isTrue();
        assertThat(time.pendingDelays()).as("no idle timer at all: only housekeeping due within a minute")
                .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(1)));
    }

    @Test
    void runtimeRestart_revivesEveryServerFromTheStore() {
        List<ServerRef> refs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ServerRef r = runtime.ref(Counter.class, "p" + i);
            for (int k = 0; k <= i % 5; k++) {
                r.call(new Counter.Inc());
            }
            refs.add(r);
        }
        runtime.close();

        ServerRuntime next = newRuntime(TypeOptions.DEFAULTS);
        for (int i = 0; i < 50; i++) {
            assertThat(next.ref(refs.get(i).id()).call(new Counter.Get())).isEqualTo(i % 5 + 1);
        }
        assertThat(next.stats().revivals()).isEqualTo(50);
        assertThat(next.stats().activations()).isZero();
    }

    @Test
    void callsRacingWithPetrification_areEachHandledExactlyOnce_byOneActivationAtATime() throws Exception {
        ServerRef ref = runtime.ref(Counter.class, "race");
        int callers = 8;
        int perCaller = 300;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            done.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perCaller; i++) {
                    ref.call(new Counter.Inc());
                }
            }, runnable -> Thread.ofVirtual().start(runnable)));
        }
        // force petrification over and over while the calls run: each message lands on exactly one activation
        while (!CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).isDone()) {
            runtime.petrify(ref.id());
            Thread.yield();
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertThat(ref.call(new Counter.Get())).isEqualTo((long) callers * perCaller);
        assertThat(Counter.overlapSeen).as("two activations never handled messages at once").isFalse();
        assertThat(runtime.stats().writeFailures()).as("no activation was ever fenced").isZero();
        assertThat(stored("race").version()).isEqualTo((long) callers * perCaller);
        assertThat(runtime.stats().petrifications()).isPositive();
    }

    @Test
    void messageQueuedBeforeForcedPetrify_isHandledFirst() {
        ServerRef ref = runtime.ref(Counter.class, "order");
        ref.call(new Counter.Inc());
        ref.cast(new Counter.Cast());
        runtime.petrify(ref.id());
        settle();

        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(storedCount("order")).isEqualTo(2);
    }
}
