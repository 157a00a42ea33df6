package io.github.pgs.testkit.model;

import io.github.pgs.ServerId;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.StorageCapability;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import io.github.pgs.testkit.ForwardingStorage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The runtime model is only worth its run time if it notices broken persistence: stores that break the contract in
 * ways a runtime cannot see (a lost write, no version fence, a wrong state history) make it diverge, with a short
 * report.
 */
class RuntimeModelCatchesBugsTest {

    private static final long SEED = 77L;

    /** Acknowledges every fifth save without writing it: a lost acknowledged write. */
    static final class LosingStore extends ForwardingStorage {
        private final AtomicLong saves = new AtomicLong();

        LosingStore() {
            super(new InMemoryStorage());
        }

        @Override
        public long save(StateWrite write) {
            if (saves.incrementAndGet() % 5 == 0) {
                return write.newVersion();
            }
            return delegate.save(write);
        }

        @Override
        public Set<StorageCapability> capabilities() {
            return EnumSet.of(StorageCapability.HISTORY);
        }
    }

    /** Writes whatever version is stored plus one, whatever the writer loaded: no version fence. */
    static final class UnfencedStore extends ForwardingStorage {
        UnfencedStore() {
            super(new InMemoryStorage());
        }

        @Override
        public synchronized long save(StateWrite write) {
            long current = delegate.load(write.id()).version();
            return delegate.save(new StateWrite(write.id(), current, write.payload(), write.schemaVersion(),
                    write.historyDepth()));
        }

        @Override
        public synchronized long delete(ServerId id, long expectedVersion) {
            return delegate.delete(id, delegate.load(id).version());
        }

        @Override
        public Set<StorageCapability> capabilities() {
            return EnumSet.of(StorageCapability.HISTORY);
        }
    }

    /** Keeps the history right but hands it out wrong: reversed (oldest first), or without its newest state. */
    static final class WrongHistoryStore extends ForwardingStorage {
        private final boolean reversed;

        WrongHistoryStore(boolean reversed) {
            super(new InMemoryStorage());
            this.reversed = reversed;
        }

        @Override
        public Set<StorageCapability> capabilities() {
            return EnumSet.of(StorageCapability.HISTORY);
        }

        @Override
        public List<StoredState> history(ServerId id) {
            List<StoredState> h = new ArrayList<>(delegate.history(id));
            if (reversed) {
                Collections.reverse(h);
            } else if (!h.isEmpty()) {
                h.remove(0);
            }
            return h;
        }
    }

    @Test
    void storeThatLosesAcknowledgedWrites_makesTheModelDiverge() {
        ModelDivergence d = divergenceOn(RuntimeModel.on("losing", LosingStore::new, true));

        assertThat(d.divergence()).contains("stored state");
        assertThat(d.shrunkSteps().size()).isLessThanOrEqualTo(12);
    }

    @Test
    void storeWithoutAVersionFence_makesTheModelDiverge() {
        ModelDivergence d = divergenceOn(RuntimeModel.on("unfenced", UnfencedStore::new, true));

        assertThat(d.shrunkSteps()).anyMatch(l -> l.contains("ConflictNextSave"));
        assertThat(d.divergence()).contains("VersionConflictException");
    }

    @Test
    void storeWhoseHistoryIsOutOfOrder_makesTheModelDiverge() {
        ModelDivergence d = divergenceOn(RuntimeModel.on("reversed history", () -> new WrongHistoryStore(true), true));

        assertThat(d.divergence()).startsWith("history of");
        assertThat(d.shrunkSteps().size()).isLessThanOrEqualTo(12);
    }

    /**
     * Without the comparison of the stored history after every step, what rollbacks return, write and lead to is
     * still checked against the model's history: a store that hands out its history without the newest state makes
     * a rollback diverge.
     */
    @Test
    void storeWhoseHistoryLosesAState_makesARollbackDiverge() {
        ModelDivergence d = divergenceOn(RuntimeModel.on("short history", () -> new WrongHistoryStore(false), true)
                .withoutHistoryComparison());

        String last = d.shrunkSteps().get(d.shrunkSteps().size() - 1);
        assertThat(last).contains("Rollback[").endsWith("<-- diverged");
        assertThat(d.divergence()).containsAnyOf("stored state", "IllegalArgumentException");
    }

    private static ModelDivergence divergenceOn(RuntimeModel model) {
        ModelDivergence d = QuietLogs.quietly(() -> catchThrowableOfType(ModelDivergence.class,
                () -> model.runner().withSeed(SEED).withSequences(500).withSteps(30).run()));
        assertThat(d).as("the model noticed").isNotNull();
        assertThat(d.getMessage()).contains("-D" + ModelRunner.SEED_PROPERTY + "=" + d.seed());
        return d;
    }
}
