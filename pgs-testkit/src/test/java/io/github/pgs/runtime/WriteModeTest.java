package io.github.pgs.runtime;

import io.github.pgs.RuntimeClosedException;
import io.github.pgs.ServerRef;
import io.github.pgs.StopReason;
import io.github.pgs.TypeOptions;
import io.github.pgs.WriteMode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Contract point 7: WRITE_BEHIND and ON_PETRIFY, and what close() writes. */
class WriteModeTest extends RuntimeFixture {

    @Test
    void writeBehind_repliesAtOnce_andWritesWithinTheDelay() {
        reopen(TypeOptions.builder().writeMode(WriteMode.WRITE_BEHIND)
                .writeBehindDelay(Duration.ofSeconds(2)).build());
        ServerRef ref = runtime.ref(Counter.class, "wb");

        assertThat(ref.call(new Counter.Inc())).isEqualTo(1);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(2);
        assertThat(stored("wb").hasPayload()).as("nothing written yet").isFalse();

        time.advance(Duration.ofSeconds(2));
        settle();
        assertThat(storedCount("wb")).isEqualTo(2);
        assertThat(stored("wb").version()).as("two changes, one write").isEqualTo(1);
    }

    @Test
    void writeBehind_failedFlush_isRetried_andLosesNothing() {
        reopen(TypeOptions.builder().writeMode(WriteMode.WRITE_BEHIND)
                .writeBehindDelay(Duration.ofSeconds(1)).build());
        ServerRef ref = runtime.ref(Counter.class, "wbretry");
        ref.call(new Counter.Inc());
        store.failNextSaves(1);

        time.advance(Duration.ofSeconds(1));
        settle();
        assertThat(stored("wbretry").hasPayload()).isFalse();

        time.advance(Duration.ofSeconds(1));
        settle();
        assertThat(storedCount("wbretry")).isEqualTo(1);
    }

    @Test
    void writeBehind_petrify_writesFirst() {
        reopen(TypeOptions.builder().writeMode(WriteMode.WRITE_BEHIND)
                .writeBehindDelay(Duration.ofHours(1)).build());
        ServerRef ref = runtime.ref(Counter.class, "wbp");
        ref.call(new Counter.Inc());

        time.advance(Duration.ofSeconds(60));
        settle();

        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(storedCount("wbp")).isEqualTo(1);
    }

    @Test
    void onPetrify_writesOnlyWhenPetrifying() {
        reopen(TypeOptions.builder().writeMode(WriteMode.ON_PETRIFY).build());
        ServerRef ref = runtime.ref(Counter.class, "op");
        for (int i = 0; i < 10; i++) {
            ref.call(new Counter.Inc());
        }
        assertThat(store.saves()).isZero();

        runtime.petrify(ref.id());
        settle();

        assertThat(storedCount("op")).isEqualTo(10);
        assertThat(store.saves()).isEqualTo(1);
    }

    @Test
    void onPetrify_abnormalStopRequested_writesTheFinalState() {
        reopen(TypeOptions.builder().writeMode(WriteMode.ON_PETRIFY).build());
        ServerRef ref = runtime.ref(Counter.class, "ops");
        ref.call(new Counter.Inc());
        ref.stop(StopReason.error("bye"));
        assertThat(storedCount("ops")).isEqualTo(1);
    }

    @Test
    void onPetrify_crash_losesEverythingSinceActivation_asDocumented() {
        reopen(TypeOptions.builder().writeMode(WriteMode.ON_PETRIFY).build());
        ServerRef ref = runtime.ref(Counter.class, "opc");
        ref.call(new Counter.Inc());
        assertThatThrownBy(() -> ref.call(new Counter.Boom()));
        assertThat(stored("opc").hasPayload()).isFalse();
        assertThat(ref.call(new Counter.Get())).isZero();
    }

    @Test
    void close_writesWhatWriteBehindHolds_andRefusesNewMessages() {
        reopen(TypeOptions.builder().writeMode(WriteMode.WRITE_BEHIND)
                .writeBehindDelay(Duration.ofHours(1)).build());
        ServerRef a = runtime.ref(Counter.class, "ca");
        ServerRef b = runtime.ref(Counter.class, "cb");
        a.call(new Counter.Inc());
        b.call(new Counter.Inc());
        b.call(new Counter.Inc());

        runtime.close();

        assertThat(storedCount("ca")).isEqualTo(1);
        assertThat(storedCount("cb")).isEqualTo(2);
        assertThat(runtime.activeCount()).isZero();
        assertThatThrownBy(() -> a.call(new Counter.Get())).isInstanceOf(RuntimeClosedException.class);
    }

    @Test
    void reconfiguration_changesBehaviour_butNotIdentityOrState() {
        ServerRef ref = runtime.ref(Counter.class, "re");
        ref.call(new Counter.Inc());

        runtime.reconfigure("counter", TypeOptions.builder().writeMode(WriteMode.ON_PETRIFY)
                .idleTimeout(Duration.ofSeconds(5)).build());
        ref.call(new Counter.Inc());
        assertThat(storedCount("re")).as("on-petrify now").isEqualTo(1);

        time.advance(Duration.ofSeconds(60));
        settle();
        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(storedCount("re")).isEqualTo(2);
        assertThat(runtime.ref(Counter.class, "re").id()).isEqualTo(ref.id());
    }
}
