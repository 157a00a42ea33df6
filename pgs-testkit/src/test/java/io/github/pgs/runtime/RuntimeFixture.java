package io.github.pgs.runtime;

import io.github.pgs.Call;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * Closes every runtime the test made, and fails the test if a close failed: a persistence failure at shutdown
     * is a failure of the test that caused it. A test that breaks the store on purpose and expects its close to
     * fail closes that runtime itself (with {@link #closeFailing}).
     */
    @AfterEach
    void closeRuntimes() {
        store.openGate().down(false);
        List<RuntimeException> failures = new ArrayList<>();
        for (ServerRuntime r : runtimes) {
            try {
                r.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("closing " + failures.size() + " runtime(s) failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Closes {@code r}, which the test expects to fail (it broke the store on purpose); returns the failure. */
    RuntimeException closeFailing(ServerRuntime r) {
        runtimes.remove(r);
        try {
            r.close();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("closing " + r + " was expected to fail");
    }

    /**
     * Calls {@code request} on a thread of its own with {@code timeout}, waits until the caller is blocked, moves
     * the manual clock past the timeout and returns what the call threw. No real time passes: the call times out
     * because the runtime's clock says so.
     */
    Throwable callTimingOut(ServerRef ref, Call<?> request, Duration timeout) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().name("caller").start(() -> {
            try {
                ref.call(request, timeout);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caller.getState() != Thread.State.WAITING && caller.isAlive()) {
            assertThat(System.nanoTime()).as("the caller blocks").isLessThan(giveUp);
            Thread.onSpinWait();
        }
        time.advance(timeout.plusMillis(10)); // the deadline, plus one sweep period
        assertThat(caller.join(Duration.ofSeconds(10))).as("the caller returns").isTrue();
        return thrown.get();
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
