package io.github.pgs.runtime;

import io.github.pgs.CallTimeoutException;
import io.github.pgs.ServerRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code petrifyAndWait}: returns once the server has persisted and left, waiting for its departure signal. */
class PetrifyAndWaitTest extends RuntimeFixture {

    @Test
    void returnsOnceTheServerHasPersistedAndLeft() {
        ServerRef ref = runtime.ref(Counter.class, "p");
        ref.call(new Counter.IncNoPersist());
        assertThat(stored("p").hasPayload()).as("nothing written yet").isFalse();

        runtime.petrifyAndWait(ref.id(), Duration.ofSeconds(10));

        assertThat(runtime.isActive(ref.id())).isFalse();
        assertThat(storedCount("p")).isEqualTo(1);
        assertThat(runtime.stats().petrifications()).isEqualTo(1);
    }

    @Test
    void aServerThatIsNotActive_returnsAtOnce() {
        runtime.petrifyAndWait(id("nobody"), Duration.ofSeconds(10));
        assertThat(runtime.activeCount()).isZero();
    }

    @Test
    void aServerThatCannotPersist_staysActive_andTheWaitTimesOut() {
        ServerRef ref = runtime.ref(Counter.class, "stuck");
        ref.call(new Counter.IncNoPersist());
        store.down(true);

        assertThatThrownBy(() -> runtime.petrifyAndWait(ref.id(), Duration.ofMillis(200)))
                .isInstanceOfSatisfying(CallTimeoutException.class,
                        e -> assertThat(e.timeout()).isEqualTo(Duration.ofMillis(200)));
        assertThat(runtime.isActive(ref.id())).isTrue();
        store.down(false);
        runtime.petrifyAndWait(ref.id(), Duration.ofSeconds(10));
        assertThat(storedCount("stuck")).isEqualTo(1);
    }
}
