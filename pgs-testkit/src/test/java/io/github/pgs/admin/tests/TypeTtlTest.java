package io.github.pgs.admin.tests;

import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A type's TTL option: the runtime sweeps states not written for longer than the TTL. */
class TypeTtlTest {

    @Test
    void runtime_sweepsStatesOlderThanTheTypesTtl_andKeepsFreshOnes() {
        ManualTime time = new ManualTime();
        ClockedStorage store = new ClockedStorage(time);
        ServerType<String, Tally.State> type = ServerType.builder(Tally.class)
                .options(TypeOptions.builder().ttl(Duration.ofHours(2)).idleTimeout(Duration.ofMinutes(1)).build())
                .build();
        try (ServerRuntime runtime = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                .register(type).build()) {
            ServerRef old = runtime.ref(Tally.class, "old");
            old.call(new Tally.Add(1));
            time.advance(Duration.ofMinutes(100));
            ServerRef fresh = runtime.ref(Tally.class, "fresh");
            fresh.call(new Tally.Add(1));
            assertThat(runtime.awaitQuiescence(Duration.ofSeconds(5))).isTrue();

            // Sweeps run hourly on their own threads and read the clock when they run, so time moves in small
            // steps, each given a moment for a due sweep to finish: "old" (written at 0) must go once the clock
            // passes 2 h, while "fresh" (written at 1 h 40) stays until 3 h 40.
            for (int step = 0; step < 12 && store.load(old.id()).hasPayload(); step++) {
                time.advance(Duration.ofMinutes(10));
                long deadline = System.nanoTime() + Duration.ofMillis(500).toNanos();
                while (store.load(old.id()).hasPayload() && System.nanoTime() < deadline) {
                    runtime.awaitQuiescence(Duration.ofMillis(10));
                }
            }

            assertThat(store.load(old.id()).isTombstone()).isTrue();
            assertThat(store.load(fresh.id()).hasPayload()).isTrue();
            assertThat(old.call(new Tally.Get())).as("an expired server starts fresh").isZero();
        }
    }
}
