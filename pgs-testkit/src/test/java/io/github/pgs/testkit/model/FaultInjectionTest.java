package io.github.pgs.testkit.model;

import io.github.pgs.ServerId;
import io.github.pgs.StorageException;
import io.github.pgs.VersionConflictException;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.FaultInjectingStorage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-server faults, competing writers, hang and latency of {@link FaultInjectingStorage}. */
class FaultInjectionTest {

    private static final ServerId A = new ServerId("t", "a");
    private static final ServerId B = new ServerId("t", "b");

    private final InMemoryStorage memory = new InMemoryStorage();
    private final FaultInjectingStorage store = new FaultInjectingStorage(memory);

    private static StateWrite write(ServerId id, long expected, String payload) {
        return new StateWrite(id, expected, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1);
    }

    @Test
    void faultsArmedForOneServer_hitOnlyThatServer() {
        store.failNextSaves(A, 1).failNextLoads(A, 1);

        assertThat(store.save(write(B, 0, "b"))).isEqualTo(1);
        assertThat(store.load(B).version()).isEqualTo(1);
        assertThatThrownBy(() -> store.save(write(A, 0, "a"))).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> store.load(A)).isInstanceOf(StorageException.class);

        assertThat(store.save(write(A, 0, "a"))).as("one fault, then normal again").isEqualTo(1);
        assertThat(store.load(A).version()).isEqualTo(1);
    }

    @Test
    void unknownOutcomeForOneServer_writesThenReportsFailure() {
        store.unknownOutcomeNextSaves(A, 1);

        assertThatThrownBy(() -> store.save(write(A, 0, "a"))).isInstanceOf(StorageException.class);

        assertThat(memory.load(A).version()).as("it was written").isEqualTo(1);
    }

    @Test
    void competingWriter_makesTheNextSaveMeetARealVersionConflict_withoutChangingWhatIsStored() {
        store.save(write(A, 0, "a"));
        store.conflictNextSaves(A, 1).conflictNextSaves(B, 1);

        assertThatThrownBy(() -> store.save(write(A, 1, "a2")))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThat(new String(memory.load(A).payload(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("a");
        assertThatThrownBy(() -> store.save(write(B, 0, "b"))).isInstanceOf(VersionConflictException.class);
        assertThat(memory.load(B).isTombstone()).as("an absent state becomes a tombstone").isTrue();
    }

    @Test
    void hang_blocksEveryOperationUntilReleased() throws Exception {
        store.hang(true);
        CompletableFuture<Long> save = CompletableFuture.supplyAsync(() -> store.save(write(A, 0, "a")),
                r -> Thread.ofVirtual().start(r));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.hanging() == 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
        assertThat(save).isNotDone();

        store.hang(false);

        assertThat(save.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(store.hanging()).isZero();
    }

    @Test
    void latency_delaysEachOperation() {
        store.latency(Duration.ofMillis(20));
        long started = System.nanoTime();

        store.save(write(A, 0, "a"));
        store.load(A);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(40));
        store.latency(Duration.ZERO);
        assertThatThrownBy(() -> store.latency(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
