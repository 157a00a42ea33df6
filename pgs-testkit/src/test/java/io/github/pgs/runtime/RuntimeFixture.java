package io.github.pgs.runtime;

import io.github.pgs.ServerId;
import io.github.pgs.ServerRuntime;
import io.github.pgs.ServerType;
import io.github.pgs.TypeOptions;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.FaultInjectingStorage;
import io.github.pgs.testkit.ManualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A runtime on manual time over a fault-injecting in-memory store, closed after each test. */
abstract class RuntimeFixture {

    final ManualTime time = new ManualTime();
    final InMemoryStorage memory = new InMemoryStorage();
    final FaultInjectingStorage store = new FaultInjectingStorage(memory);
    final List<ServerRuntime> runtimes = new ArrayList<>();
    ServerRuntime runtime;

    @BeforeEach
    void startRuntime() {
        Counter.reset();
        runtime = newRuntime(TypeOptions.DEFAULTS);
    }

    @AfterEach
    void closeRuntimes() {
        store.openGate().down(false);
        for (ServerRuntime r : runtimes) {
            try {
                r.close();
            } catch (RuntimeException ignored) {
                // tests that break the store on purpose may leave unwritable state behind
            }
        }
    }

    ServerRuntime newRuntime(TypeOptions options) {
        ServerRuntime r = ServerRuntime.builder()
                .storage(store)
                .timeSource(time)
                .scheduler(time)
                .shutdownTimeout(Duration.ofSeconds(5))
                .register(ServerType.builder(Counter.class).options(options).build())
                .build();
        runtimes.add(r);
        return r;
    }

    /** Replaces the fixture's runtime with one using {@code options} (the old one is closed). */
    void reopen(TypeOptions options) {
        runtime.close();
        runtime = newRuntime(options);
    }

    void settle() {
        assertThat(runtime.awaitQuiescence(Duration.ofSeconds(10))).as("runtime settles").isTrue();
    }

    static ServerId id(String key) {
        return new ServerId("counter", key);
    }

    StoredState stored(String key) {
        return memory.load(id(key));
    }

    /** The stored count, read from the JSON payload without the codec. */
    long storedCount(String key) {
        StoredState s = stored(key);
        assertThat(s.hasPayload()).as("state of %s is stored", key).isTrue();
        String json = new String(s.payload(), StandardCharsets.UTF_8);
        int i = json.indexOf("\"count\":") + 8;
        int j = i;
        while (j < json.length() && (Character.isDigit(json.charAt(j)) || json.charAt(j) == '-')) {
            j++;
        }
        return Long.parseLong(json.substring(i, j));
    }
}
