package io.github.pgs.runtime;

import io.github.pgs.GenServer;
import io.github.pgs.NoSuchServerException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.StopReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The same behaviour, ephemeral: plain in-memory servers, a new one per start, gone once stopped. */
class EphemeralTest {

    @Test
    void start_makesANewServerEveryTime() {
        Counter.reset();
        ServerRef a = GenServer.start(Counter.class, "eph");
        ServerRef b = GenServer.start(Counter.class, "eph");

        assertThat(a).isNotEqualTo(b);
        assertThat(a.call(new Counter.Inc())).isEqualTo(1);
        assertThat(a.call(new Counter.Inc())).isEqualTo(2);
        assertThat(b.call(new Counter.Get())).isZero();
    }

    @Test
    void stoppedServer_isGone() {
        ServerRef a = GenServer.start(Counter.class, "gone");
        a.call(new Counter.Inc());
        a.stop(StopReason.NORMAL);

        assertThatThrownBy(() -> a.call(new Counter.Get())).isInstanceOf(NoSuchServerException.class);
    }

    @Test
    void crashedServer_isGone() {
        ServerRef a = GenServer.start(Counter.class, "crashy");
        assertThatThrownBy(() -> a.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        assertThatThrownBy(() -> a.call(new Counter.Get())).isInstanceOf(NoSuchServerException.class);
    }

    @Test
    void ephemeralRuntime_isNotPersistent_andHasNoVirtualActivation() {
        ServerRuntime eph = ServerRuntime.ephemeral();
        assertThat(eph.isPersistent()).isFalse();
        assertThatThrownBy(() -> eph.ref(Counter.class, "x")).isInstanceOf(UnsupportedOperationException.class);
    }
}
