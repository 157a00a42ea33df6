package io.github.pgs.runtime;

import io.github.pgs.LifecycleListener;
import io.github.pgs.LifecyclePolicy;
import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateWrite;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Contract points 6 and 9: TEMPORARY / TRANSIENT / PERMANENT, tombstones, restart intensity. */
class LifecyclePolicyTest extends RuntimeFixture {

    private void use(LifecyclePolicy policy) {
        reopen(TypeOptions.builder().lifecycle(policy).build());
    }

    @Test
    void transient_normalStop_wipesWithATombstone_andTheRefStartsFreshFromItsArgs() {
        ServerRef ref = runtime.ref(Counter.class, "t1");
        ref.call(new Counter.Inc());
        ref.call(new Counter.Inc());

        ref.stop(StopReason.NORMAL);

        assertThat(stored("t1").isTombstone()).isTrue();
        assertThat(stored("t1").version()).isEqualTo(3);
        assertThat(Counter.TERMINATED).containsExactly("t1:normal");
        assertThat(ref.call(new Counter.Get())).isZero();
        assertThat(Counter.INITS.get("t1").get()).isEqualTo(2);
    }

    @Test
    void transient_crash_keepsTheLastPersistedState() {
        ServerRef ref = runtime.ref(Counter.class, "t2");
        ref.call(new Counter.Inc());
        ref.call(new Counter.IncNoPersist());

        assertThatThrownBy(() -> ref.call(new Counter.Boom()))
                .isInstanceOf(ServerCrashedException.class)
                .hasRootCauseMessage("boom in t2");

        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(ref.call(new Counter.Get())).as("the unpersisted change died with the crash").isEqualTo(1);
    }

    @Test
    void transient_abnormalStopThroughTheRef_keepsTheState() {
        ServerRef ref = runtime.ref(Counter.class, "t3");
        ref.call(new Counter.Inc());

        ref.stop(StopReason.error("maintenance"));

        assertThat(storedCount("t3")).isEqualTo(1);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void staleWriter_cannotResurrectATombstone() {
        ServerRef ref = runtime.ref(Counter.class, "t4");
        ref.call(new Counter.Inc());
        ref.stop();

        assertThatThrownBy(() -> store.save(new StateWrite(id("t4"), 1, new byte[]{1}, 1)))
                .isInstanceOf(io.github.pgs.VersionConflictException.class);
        assertThat(stored("t4").isTombstone()).isTrue();
    }

    @Test
    void temporary_crash_wipesTheState() {
        use(LifecyclePolicy.TEMPORARY);
        ServerRef ref = runtime.ref(Counter.class, "tmp");
        ref.call(new Counter.Inc());

        assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);

        assertThat(stored("tmp").isTombstone()).isTrue();
        assertThat(ref.call(new Counter.Get())).isZero();
    }

    @Test
    void temporary_normalStop_wipes() {
        use(LifecyclePolicy.TEMPORARY);
        ServerRef ref = runtime.ref(Counter.class, "tmp2");
        ref.call(new Counter.Inc());
        ref.stop();
        assertThat(stored("tmp2").isTombstone()).isTrue();
    }

    @Test
    void permanent_normalStop_keepsTheState() {
        use(LifecyclePolicy.PERMANENT);
        ServerRef ref = runtime.ref(Counter.class, "perm");
        ref.call(new Counter.Inc());
        ref.stop();

        assertThat(storedCount("perm")).isEqualTo(1);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void permanent_crash_restartsEagerlyFromTheLastPersistedState() {
        use(LifecyclePolicy.PERMANENT);
        ServerRef ref = runtime.ref(Counter.class, "perm2");
        ref.call(new Counter.Inc());

        assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        settle();

        assertThat(runtime.isActive(ref.id())).as("restarted without a message").isTrue();
        assertThat(runtime.stats().revivals()).isEqualTo(1);
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void crashLoop_pastTheRestartIntensity_quarantines_keepsState_andReleaseLetsItRunAgain() {
        reopen(TypeOptions.builder().restartIntensity(2, Duration.ofSeconds(10)).build());
        ServerRef ref = runtime.ref(Counter.class, "loop");
        ref.call(new Counter.Inc());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        }

        assertThat(runtime.isQuarantined(ref.id())).isTrue();
        assertThatThrownBy(() -> ref.call(new Counter.Get()))
                .isInstanceOfSatisfying(QuarantinedException.class,
                        q -> assertThat(q.lastFailure()).contains("boom in loop"));
        assertThat(storedCount("loop")).isEqualTo(1);

        ServerRef other = runtime.ref(Counter.class, "bystander");
        assertThat(other.call(new Counter.Inc())).as("other servers are unaffected").isEqualTo(1);

        assertThat(runtime.release(ref.id())).isTrue();
        assertThat(ref.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void crashesSpreadOverTime_doNotQuarantine() {
        reopen(TypeOptions.builder().restartIntensity(2, Duration.ofSeconds(10)).build());
        ServerRef ref = runtime.ref(Counter.class, "slowloop");
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
            time.advance(Duration.ofSeconds(6));
        }
        assertThat(runtime.isQuarantined(ref.id())).isFalse();
    }

    @Test
    void listeners_hearStopsAndCrashes_butNeverPetrification() {
        List<String> heard = new CopyOnWriteArrayList<>();
        runtime.addListener(new LifecycleListener() {
            @Override
            public void stopped(ServerId id, StopReason reason) {
                heard.add("stopped " + id.key());
            }

            @Override
            public void crashed(ServerId id, StopReason reason) {
                heard.add("crashed " + id.key());
                throw new IllegalStateException("a throwing listener is ignored");
            }
        });
        ServerRef a = runtime.ref(Counter.class, "la");
        ServerRef b = runtime.ref(Counter.class, "lb");
        ServerRef c = runtime.ref(Counter.class, "lc");
        a.call(new Counter.Inc());
        b.call(new Counter.Inc());
        c.call(new Counter.Inc());

        a.stop();
        assertThatThrownBy(() -> b.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        runtime.petrify(c.id());
        settle();

        assertThat(heard).containsExactly("stopped la", "crashed lb");
        assertThat(b.call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void stopResult_fromACall_repliesAfterTheStateIsWiped() {
        ServerRef ref = runtime.ref(Counter.class, "bye");
        ref.call(new Counter.Inc());

        assertThat(ref.call(new Counter.StopWith(StopReason.NORMAL))).isEqualTo("bye");
        assertThat(stored("bye").isTombstone()).isTrue();
    }
}
