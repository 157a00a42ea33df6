package io.github.pgs.runtime;

import io.github.pgs.LifecycleListener;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.QuarantineAction;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.StopReason;
import io.github.pgs.Subscription;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StoredState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Crash-loop handling with history, rollback and reset; recovery after a restart; monitors; bounded active set. */
class LifecycleOperationsTest extends RuntimeFixture {

    private static TypeOptions.Builder loopy() {
        return TypeOptions.builder().restartIntensity(2, Duration.ofSeconds(10)).historyDepth(3);
    }

    private void crashUntilQuarantined(ServerRef ref) {
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> ref.call(new Counter.Get())).isInstanceOf(ServerCrashedException.class);
        }
    }

    @Test
    void history_keepsTheLastKReplacedStates_mostRecentFirst() {
        reopen(TypeOptions.builder().historyDepth(3).build());
        ServerRef ref = runtime.ref(Counter.class, "h");
        for (int i = 0; i < 6; i++) {
            ref.call(new Counter.Inc());
        }

        List<StoredState> h = runtime.history(ref.id());

        assertThat(h).extracting(StoredState::version).containsExactly(5L, 4L, 3L);
        assertThat(stored("h").version()).isEqualTo(6);
    }

    @Test
    void badStateCrashLoop_isQuarantined_andRollbackToThePreviousVersionLetsItRunAgain() {
        reopen(loopy().build());
        List<String> heard = new CopyOnWriteArrayList<>();
        runtime.addListener(new LifecycleListener() {
            @Override
            public void quarantined(ServerId id, String lastFailure) {
                heard.add("quarantined " + id.key());
            }

            @Override
            public void released(ServerId id) {
                heard.add("released " + id.key());
            }
        });
        ServerRef ref = runtime.ref(Counter.class, "poisoned");
        ref.call(new Counter.Inc());
        ref.call(new Counter.Inc());
        ref.call(new Counter.Poison());
        crashUntilQuarantined(ref);
        assertThatThrownBy(() -> ref.call(new Counter.Get())).isInstanceOf(QuarantinedException.class);

        long v = runtime.rollback(ref.id(), 1);

        assertThat(v).isEqualTo(4);
        assertThat(ref.call(new Counter.Get())).isEqualTo(2);
        assertThat(heard).containsExactly("quarantined poisoned", "released poisoned");
    }

    @Test
    void rollback_beyondTheKeptHistory_isRefused() {
        reopen(loopy().build());
        ServerRef ref = runtime.ref(Counter.class, "short");
        ref.call(new Counter.Inc());
        ref.call(new Counter.Inc());

        assertThatThrownBy(() -> runtime.rollback(ref.id(), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(runtime.rollback(ref.id(), 1)).as("an active server is petrified first").isEqualTo(3);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void automaticRollbackPolicy_rollsBackInsteadOfWaitingForAnOperator() {
        reopen(loopy().onQuarantine(QuarantineAction.ROLLBACK).build());
        ServerRef ref = runtime.ref(Counter.class, "auto");
        ref.call(new Counter.Inc());
        ref.call(new Counter.Poison());
        crashUntilQuarantined(ref);

        assertThat(runtime.isQuarantined(ref.id())).isFalse();
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void automaticResetPolicy_wipesAndStartsFresh() {
        reopen(loopy().onQuarantine(QuarantineAction.RESET).build());
        ServerRef ref = runtime.ref(Counter.class, "autoreset");
        ref.call(new Counter.Inc());
        ref.call(new Counter.Poison());
        crashUntilQuarantined(ref);

        assertThat(ref.call(new Counter.Get())).isZero();
        assertThat(Counter.INITS.get("autoreset").get()).isEqualTo(2);
    }

    @Test
    void operatorReset_wipesAQuarantinedServer() {
        reopen(loopy().build());
        ServerRef ref = runtime.ref(Counter.class, "opreset");
        ref.call(new Counter.Poison());
        crashUntilQuarantined(ref);

        runtime.reset(ref.id());

        assertThat(stored("opreset").isTombstone()).isTrue();
        assertThat(ref.call(new Counter.Inc())).isEqualTo(1);
    }

    @Test
    void oneCrashLoopingServer_neverAffectsOthers() {
        reopen(loopy().build());
        ServerRef bad = runtime.ref(Counter.class, "bad");
        ServerRef good = runtime.ref(Counter.class, "good");
        bad.call(new Counter.Poison());
        crashUntilQuarantined(bad);
        for (int i = 1; i <= 20; i++) {
            assertThat(good.call(new Counter.Inc())).isEqualTo(i);
        }
    }

    @Test
    void permanentServers_areRevivedWhenANewRuntimeStarts() {
        TypeOptions permanent = TypeOptions.builder().lifecycle(LifecyclePolicy.PERMANENT).build();
        reopen(permanent);
        List<ServerRef> refs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ServerRef r = runtime.ref(Counter.class, "perm" + i);
            r.call(new Counter.Inc());
            refs.add(r);
        }
        runtime.close();

        runtime = newRuntime(permanent);
        assertThat(runtime.awaitRecovery(Duration.ofSeconds(10))).isTrue();
        settle();

        assertThat(refs).allSatisfy(r -> assertThat(runtime.isActive(r.id())).isTrue());
        assertThat(runtime.stats().revivals()).isEqualTo(5);
    }

    @Test
    void rememberActive_revivesWhatWasActiveAtShutdown_butNotWhatHadPetrified() {
        TypeOptions remember = TypeOptions.builder().rememberActive(true).build();
        reopen(remember);
        ServerRef sleeper = runtime.ref(Counter.class, "sleeper");
        ServerRef worker = runtime.ref(Counter.class, "worker");
        sleeper.call(new Counter.Inc());
        runtime.petrify(sleeper.id());
        settle();
        worker.call(new Counter.Inc());
        runtime.close();

        runtime = newRuntime(remember);
        assertThat(runtime.awaitRecovery(Duration.ofSeconds(10))).isTrue();
        settle();

        assertThat(runtime.isActive(worker.id())).isTrue();
        assertThat(runtime.isActive(sleeper.id())).isFalse();
        assertThat(runtime.ref(worker.id()).call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void monitors_hearOnlyTheServersTheyWatch() {
        ServerRef a = runtime.ref(Counter.class, "ma");
        ServerRef b = runtime.ref(Counter.class, "mb");
        List<String> heard = new CopyOnWriteArrayList<>();
        Subscription sub = runtime.monitor(a, new LifecycleListener() {
            @Override
            public void stopped(ServerId id, StopReason reason) {
                heard.add("stopped " + id.key());
            }

            @Override
            public void crashed(ServerId id, StopReason reason) {
                heard.add("crashed " + id.key());
            }
        });
        List<String> byType = new CopyOnWriteArrayList<>();
        runtime.monitorType("counter", new LifecycleListener() {
            @Override
            public void stopped(ServerId id, StopReason reason) {
                byType.add(id.key());
            }
        });
        a.call(new Counter.Inc());
        b.call(new Counter.Inc());
        assertThatThrownBy(() -> a.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        b.stop();
        a.stop();
        sub.close();
        runtime.ref(Counter.class, "ma").call(new Counter.Inc());
        a.stop();

        assertThat(heard).containsExactly("crashed ma", "stopped ma");
        assertThat(byType).containsExactly("mb", "ma", "ma");
    }

    @Test
    void boundedActiveSet_petrifiesTheLeastRecentlyUsed_andLosesNothing() {
        ServerRuntime bounded = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                .maxActive(10).register(ServerType.of(Counter.class)).build();
        runtimes.add(bounded);
        List<ServerRef> refs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ServerRef r = bounded.ref(Counter.class, "lru" + i);
            r.call(new Counter.Inc());
            refs.add(r);
            time.advance(Duration.ofMillis(1));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (bounded.activeCount() > 11 && System.nanoTime() < deadline) {
            bounded.awaitQuiescence(Duration.ofMillis(50));
        }

        assertThat(bounded.activeCount()).isLessThanOrEqualTo(11);
        assertThat(bounded.isActive(refs.get(49).id())).as("the most recent stays").isTrue();
        assertThat(bounded.stats().petrifications()).isGreaterThanOrEqualTo(39);
        for (ServerRef r : refs) {
            assertThat(r.call(new Counter.Get())).isEqualTo(1);
        }
    }
}
