package io.github.pgs.runtime;

import io.github.pgs.QuarantinedException;
import io.github.pgs.ServerCrashedException;
import io.github.pgs.ServerId;
import io.github.pgs.ServerRef;
import io.github.pgs.ServerRuntime;
import io.github.pgs.StorageException;
import io.github.pgs.TypeOptions;
import io.github.pgs.admin.Admin;
import io.github.pgs.admin.QuarantineEntry;
import io.github.pgs.admin.ServerStatus;
import io.github.pgs.spi.StateWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A quarantine for a crash loop survives the runtime: it is recorded in the store with its last failure, so that a
 * new runtime (after a close, or after the old one died) keeps failing the server fast, without running a handler
 * or granting it a fresh restart intensity, until it is released, rolled back, reset or deleted.
 */
class QuarantineRecordTest extends RuntimeFixture {

    private static final TypeOptions TWO_CRASHES = TypeOptions.builder()
            .restartIntensity(2, Duration.ofSeconds(10)).historyDepth(2).build();

    private ServerRef crashLoop(String key) {
        reopen(TWO_CRASHES);
        ServerRef ref = runtime.ref(Counter.class, key);
        ref.call(new Counter.Inc());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> ref.call(new Counter.Boom())).isInstanceOf(ServerCrashedException.class);
        }
        assertThat(runtime.isQuarantined(ref.id())).isTrue();
        return ref;
    }

    private static ServerId record(String key) {
        return new ServerId("pgs.quarantine", id(key).toString());
    }

    @Test
    void aCrashLoopQuarantine_isRecorded_andANewRuntimeFailsTheServerFast_withoutRunningIt() {
        ServerRef ref = crashLoop("loop");
        assertThat(new String(memory.load(record("loop")).payload(), StandardCharsets.UTF_8))
                .contains("crashed more than 2 times", "boom in loop");

        reopen(TWO_CRASHES); // a new runtime on the same store
        assertThat(runtime.isQuarantined(ref.id())).as("known before any message").isTrue();
        int initsBefore = Counter.INITS.getOrDefault("loop", new java.util.concurrent.atomic.AtomicInteger()).get();

        assertThatThrownBy(() -> runtime.ref(Counter.class, "loop").call(new Counter.Inc()))
                .isInstanceOfSatisfying(QuarantinedException.class,
                        q -> assertThat(q.lastFailure()).contains("boom in loop"));
        assertThat(Counter.RUNNING.get("loop").get()).as("no handler running").isZero();
        assertThat(runtime.stats().crashes()).as("no handler ran, nothing crashed").isZero();
        assertThat(runtime.stats().quarantines()).as("not a new quarantine").isZero();
        assertThat(Counter.INITS.getOrDefault("loop", new java.util.concurrent.atomic.AtomicInteger()).get())
                .isEqualTo(initsBefore);
        assertThat(storedCount("loop")).isEqualTo(1);
    }

    @Test
    void releaseOnTheNewRuntime_deletesTheRecord_andTheServerRunsAgain() {
        ServerRef ref = crashLoop("loop");
        reopen(TWO_CRASHES);

        assertThat(runtime.release(ref.id())).isTrue();

        assertThat(memory.load(record("loop")).hasPayload()).isFalse();
        assertThat(runtime.ref(Counter.class, "loop").call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void aReleaseThatCannotDeleteTheRecord_fails_andTheServerStaysQuarantined() {
        ServerRef ref = crashLoop("loop");
        store.down(true);
        assertThatThrownBy(() -> runtime.release(ref.id())).isInstanceOf(StorageException.class);
        store.down(false);
        assertThat(runtime.isQuarantined(ref.id())).isTrue();
        assertThat(memory.load(record("loop")).hasPayload()).isTrue();
    }

    @Test
    void resetAndRollback_liftTheRecordedQuarantine() {
        ServerRef a = crashLoop("a");
        reopen(TWO_CRASHES);
        runtime.reset(a.id());
        assertThat(memory.load(record("a")).hasPayload()).isFalse();
        assertThat(runtime.ref(Counter.class, "a").call(new Counter.Get())).isZero();
    }

    @Test
    void anUndecodableState_quarantines_butIsNotRecorded_becauseOtherCodeMayReadIt() {
        memory.save(new StateWrite(id("garbled"), 0, "not json".getBytes(StandardCharsets.UTF_8), 1));
        assertThatThrownBy(() -> runtime.ref(Counter.class, "garbled").call(new Counter.Get()))
                .isInstanceOf(QuarantinedException.class);
        assertThat(memory.load(record("garbled")).hasPayload()).isFalse();
    }

    @Test
    void theAdminShowsAndReleasesRecordedQuarantines_withAndWithoutARuntime() {
        ServerRef ref = crashLoop("loop");
        runtime.ref(Counter.class, "fine").call(new Counter.Inc());
        Admin bare = Admin.of(store, runtime.codec());
        Admin live = Admin.of(runtime);

        assertThat(live.status(ref.id())).isEqualTo(ServerStatus.QUARANTINED);
        assertThat(bare.status(ref.id())).isEqualTo(ServerStatus.QUARANTINED);
        assertThat(bare.status(id("fine"))).isEqualTo(ServerStatus.STORED);
        assertThat(bare.list("counter", null, 10).entries()).extracting(e -> e.id().key() + "=" + e.status())
                .containsExactly("fine=STORED", "loop=QUARANTINED");
        QuarantineEntry q = bare.quarantine(ref.id()).orElseThrow();
        assertThat(q.lastFailure()).contains("boom in loop");
        assertThat(bare.quarantined("counter", null, 10).entries()).extracting(QuarantineEntry::id)
                .containsExactly(ref.id());
        assertThat(bare.quarantined("other", null, 10).entries()).isEmpty();

        assertThat(bare.release(ref.id())).as("a bare store deletes the record").isTrue();
        assertThat(bare.quarantine(ref.id())).isEmpty();
        ServerRuntime next = newRuntime(TWO_CRASHES);
        assertThat(next.ref(Counter.class, "loop").call(new Counter.Get())).isEqualTo(1);
    }

    @Test
    void deletingTheStateOnABareStore_takesItsRecordedQuarantineWithIt() {
        ServerRef ref = crashLoop("loop");
        Admin.of(store, runtime.codec()).delete(ref.id());
        assertThat(memory.load(record("loop")).hasPayload()).isFalse();
    }
}
