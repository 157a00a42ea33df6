package io.github.pgs.runtime;

import io.github.pgs.InitRejectedException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Init results, start idempotence, deferred replies through From, and state mapping. */
class BehaviourApiTest extends RuntimeFixture {

    @Test
    void initStop_failsTheCallerWithTheReason() {
        ServerRef ref = runtime.ref(Counter.class, "refuse-me");
        assertThatThrownBy(() -> ref.call(new Counter.Get()))
                .isInstanceOfSatisfying(InitRejectedException.class, e -> {
                    assertThat(e.ignored()).isFalse();
                    assertThat(e.reason()).isEqualTo(StopReason.error("refused refuse-me"));
                });
        assertThat(runtime.isActive(ref.id())).isFalse();
    }

    @Test
    void initIgnore_failsTheCallerAsIgnored() {
        assertThatThrownBy(() -> runtime.start(Counter.class, "ignore-me"))
                .isInstanceOfSatisfying(InitRejectedException.class, e -> assertThat(e.ignored()).isTrue());
    }

    @Test
    void initThatThrows_failsTheCallerAndCountsAsACrash() {
        assertThatThrownBy(() -> runtime.start(Counter.class, "initboom"))
                .isInstanceOf(InitRejectedException.class)
                .hasRootCauseMessage("init exploded");
        assertThat(runtime.stats().crashes()).isEqualTo(1);
    }

    @Test
    void start_isIdempotentForTheSameIdentity() {
        ServerRef first = runtime.start(Counter.class, "once");
        first.call(new Counter.Inc());
        ServerRef second = runtime.start(Counter.class, "once");

        assertThat(second).isEqualTo(first);
        assertThat(second.call(new Counter.Get())).isEqualTo(1);
        assertThat(Counter.INITS.get("once").get()).isEqualTo(1);
    }

    @Test
    void start_ofAPetrifiedServer_revivesItWithoutInit() {
        runtime.start(Counter.class, "again").call(new Counter.Inc());
        runtime.petrify(id("again"));
        settle();

        ServerRef ref = runtime.start(Counter.class, "again");

        assertThat(runtime.isActive(ref.id())).isTrue();
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
        assertThat(Counter.INITS.get("again").get()).isEqualTo(1);
    }

    @Test
    void deferredReply_throughFrom_isDeliveredWhenAnotherMessageAnswers() throws Exception {
        runtime.register(ServerType.builder(Waiter.class).stateMapping(Waiter.MAPPING).build());
        ServerRef ref = runtime.ref(Waiter.class, "w");
        List<CompletableFuture<Long>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(ref.callAsync(new Waiter.Await(), Duration.ofMinutes(1)));
        }
        while (ref.call(new Waiter.Waiting()) < 3) {
            Thread.onSpinWait();
        }
        assertThat(waiting).allSatisfy(f -> assertThat(f).isNotDone());

        ref.cast(new Waiter.Signal());

        for (CompletableFuture<Long> f : waiting) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void stateMapping_persistsOnlyThePersistentPart_andRebuildsTheLivePart() {
        runtime.register(ServerType.builder(Waiter.class).stateMapping(Waiter.MAPPING).build());
        ServerRef ref = runtime.ref(Waiter.class, "m");
        ref.callAsync(new Waiter.Await(), Duration.ofMinutes(1));
        ref.cast(new Waiter.Signal());
        ref.cast(new Waiter.Signal());
        assertThat(ref.call(new Waiter.Count())).isEqualTo(2);

        String json = new String(memory.load(new io.github.pgs.ServerId("waiter", "m")).payload(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"signals\":2}");

        runtime.petrify(ref.id());
        settle();
        assertThat(ref.call(new Waiter.Count())).isEqualTo(2);
        assertThat(ref.call(new Waiter.Waiting())).isZero();
    }

    @Test
    void changeOfEphemeralPartsOnly_writesNothing() {
        runtime.register(ServerType.builder(Waiter.class).stateMapping(Waiter.MAPPING).build());
        ServerRef ref = runtime.ref(Waiter.class, "quiet");
        ref.cast(new Waiter.Signal());
        ref.call(new Waiter.Count());
        long saves = store.saves();

        for (int i = 0; i < 5; i++) {
            ref.callAsync(new Waiter.Await(), Duration.ofMinutes(1));
        }
        while (ref.call(new Waiter.Waiting()) < 5) {
            Thread.onSpinWait();
        }

        assertThat(store.saves()).isEqualTo(saves);
    }
}
