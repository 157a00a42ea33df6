package io.github.pgs.runtime;

import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StateWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** State schema versions: upcasting old states on load, writing them back in the new version. */
class SchemaVersionTest extends RuntimeFixture {

    private static final byte[] VERSION_1 =
            "{\"friends\":[],\"name\":\"old\",\"points\":5}".getBytes(StandardCharsets.UTF_8);

    private ServerRuntime withVersion2(boolean upcaster) {
        ServerType.Builder<String, Counter.State> b = ServerType.builder(Counter.class)
                .options(TypeOptions.builder().schemaVersion(2).build());
        if (upcaster) {
            b.upcaster(1, doc -> {
                @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) doc;
                m.put("count", m.remove("points"));
                return m;
            });
        }
        runtime.close();
        ServerRuntime r = ServerRuntime.builder().storage(store).timeSource(time).scheduler(time)
                .register(b.build()).build();
        runtimes.add(r);
        return r;
    }

    @Test
    void olderState_isUpcastOnLoad_andWrittenBackInTheNewVersionWithTheNextWrite() {
        memory.save(new StateWrite(id("old"), 0, VERSION_1, 1));
        runtime = withVersion2(true);
        ServerRef ref = runtime.ref(Counter.class, "old");

        assertThat(ref.call(new Counter.Get())).isEqualTo(5);
        assertThat(ref.call(new Counter.Inc())).isEqualTo(6);

        assertThat(stored("old").schemaVersion()).isEqualTo(2);
        assertThat(new String(stored("old").payload(), StandardCharsets.UTF_8)).contains("\"count\":6")
                .doesNotContain("points");
    }

    @Test
    void olderStateWithoutAnUpcaster_quarantines_andIsLeftUntouched() {
        memory.save(new StateWrite(id("stuck"), 0, VERSION_1, 1));
        runtime = withVersion2(false);

        assertThatThrownBy(() -> runtime.ref(Counter.class, "stuck").call(new Counter.Get()))
                .isInstanceOf(QuarantinedException.class)
                .hasMessageContaining("no upcaster from version 1 to 2");
        assertThat(stored("stuck").payload()).isEqualTo(VERSION_1);
        assertThat(stored("stuck").schemaVersion()).isEqualTo(1);
    }
}
