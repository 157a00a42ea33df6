package io.github.pgs.testkit.model;

import io.github.pgs.ServerId;
import io.github.pgs.spi.KeyPage;
import io.github.pgs.spi.StateWrite;
import io.github.pgs.spi.Storage;
import io.github.pgs.spi.StoredState;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The runtime model is only worth its run time if it notices broken persistence: two stores that break the
 * contract in ways a runtime cannot see make it diverge, with a short report.
 */
class RuntimeModelCatchesBugsTest {

    private static final long SEED = 77L;

    /** Acknowledges every fifth save without writing it: a lost acknowledged write. */
    static final class LosingStore implements Storage {
        private final InMemoryStorage delegate = new InMemoryStorage();
        private final AtomicLong saves = new AtomicLong();

        @Override
        public StoredState load(ServerId id) {
            return delegate.load(id);
        }

        @Override
        public long save(StateWrite write) {
            if (saves.incrementAndGet() % 5 == 0) {
                return write.newVersion();
            }
            return delegate.save(write);
        }

        @Override
        public long delete(ServerId id, long expectedVersion) {
            return delegate.delete(id, expectedVersion);
        }

        @Override
        public KeyPage list(String type, String afterKey, int limit) {
            return delegate.list(type, afterKey, limit);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Writes whatever version is stored plus one, whatever the writer loaded: no version fence. */
    static final class UnfencedStore implements Storage {
        private final InMemoryStorage delegate = new InMemoryStorage();

        @Override
        public StoredState load(ServerId id) {
            return delegate.load(id);
        }

        @Override
        public synchronized long save(StateWrite write) {
            long current = delegate.load(write.id()).version();
            return delegate.save(new StateWrite(write.id(), current, write.payload(), write.schemaVersion()));
        }

        @Override
        public synchronized long delete(ServerId id, long expectedVersion) {
            return delegate.delete(id, delegate.load(id).version());
        }

        @Override
        public KeyPage list(String type, String afterKey, int limit) {
            return delegate.list(type, afterKey, limit);
        }

        @Override
        public void close() {
            delegate.close();
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

    private static ModelDivergence divergenceOn(RuntimeModel model) {
        ModelDivergence d = QuietLogs.quietly(() -> catchThrowableOfType(ModelDivergence.class,
                () -> model.runner().withSeed(SEED).withSequences(500).withSteps(30).run()));
        assertThat(d).as("the model noticed").isNotNull();
        assertThat(d.getMessage()).contains("-D" + ModelRunner.SEED_PROPERTY + "=" + d.seed());
        return d;
    }
}
