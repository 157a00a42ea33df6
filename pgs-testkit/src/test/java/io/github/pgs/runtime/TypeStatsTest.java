package io.github.pgs.runtime;

import io.github.pgs.RuntimeStats;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerType;
import io.github.pgs.UnknownServerTypeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Counters per type: each type counts its own servers, and the runtime's counters are their sum. */
class TypeStatsTest extends RuntimeFixture {

    @Test
    void eachTypeCountsItsOwnServers_andTheRuntimeCountsThemAll() {
        runtime.register(ServerType.builder(Waiter.class).stateMapping(Waiter.MAPPING).build());
        ServerRef a = runtime.ref(Counter.class, "a");
        ServerRef b = runtime.ref(Counter.class, "b");
        ServerRef w = runtime.ref(Waiter.class, "w");
        a.call(new Counter.Inc());
        a.call(new Counter.Inc());
        b.cast(new Counter.Cast());
        w.call(new Waiter.Count());
        assertThatThrownByCrash(b);
        settle();

        RuntimeStats counters = runtime.stats("counter");
        RuntimeStats waiters = runtime.stats("waiter");
        assertThat(counters.calls()).isEqualTo(3);
        assertThat(counters.casts()).isEqualTo(1);
        assertThat(counters.activations()).isEqualTo(2);
        assertThat(counters.crashes()).isEqualTo(1);
        assertThat(counters.active()).as("b crashed and left").isEqualTo(1);
        assertThat(waiters.calls()).isEqualTo(1);
        assertThat(waiters.activations()).isEqualTo(1);
        assertThat(waiters.active()).isEqualTo(1);

        RuntimeStats all = runtime.stats();
        assertThat(all.calls()).isEqualTo(counters.calls() + waiters.calls());
        assertThat(all.activations()).isEqualTo(counters.activations() + waiters.activations());
        assertThat(all.active()).isEqualTo(2).isEqualTo(runtime.activeCount());

        time.advance(Duration.ofMinutes(2));
        settle();
        assertThat(runtime.stats("counter").petrifications()).isEqualTo(1);
        assertThat(runtime.stats("waiter").petrifications()).isEqualTo(1);
        assertThat(runtime.stats("counter").active()).isZero();
    }

    @Test
    void theCountersOfAnUnknownType_areATypedError() {
        assertThatThrownBy(() -> runtime.stats("nobody")).isInstanceOf(UnknownServerTypeException.class);
    }

    private static void assertThatThrownByCrash(ServerRef ref) {
        assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(io.github.pgs.ServerCrashedException.class);
    }
}
