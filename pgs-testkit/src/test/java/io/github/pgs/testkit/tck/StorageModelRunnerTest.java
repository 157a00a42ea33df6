package io.github.pgs.testkit.tck;

import io.github.pgs.spi.Storage;
import io.github.pgs.store.InMemoryStorage;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

class StorageModelRunnerTest {

    private static final long SEED = 20_240_611L;
    private static final int STEPS = 50;

    private record Bug(String name, Supplier<Storage> store, String divergenceMentions, int maxShrunkSteps) {
    }

    @Test
    void run_onInMemoryStorage_findsNoDivergence() {
        try (Storage store = new InMemoryStorage()) {
            assertThatCode(() -> StorageModelRunner.forStorage(store).withSeed(SEED).withSequences(50).run())
                    .doesNotThrowAnyException();
        }
    }

    @TestFactory
    Stream<DynamicTest> run_onBrokenStore_reportsTheSeedAndAShrunkSequence() {
        return Stream.of(
                new Bug("delete ignores the version", BrokenStores::deleteIgnoringVersion,
                        "delete succeeded although", 2),
                new Bug("save from 0 resurrects a tombstone", BrokenStores::saveResurrectingTombstones,
                        "save succeeded although", 3),
                new Bug("conflict without the actual version", BrokenStores::conflictWithoutActualVersion,
                        "conflict carries the wrong versions", 2),
                new Bug("list in UTF-16 order", BrokenStores::listInUtf16Order, "list", 3),
                new Bug("list includes tombstones", BrokenStores::listIncludingTombstones, "list", 3),
                new Bug("loadAll skips absent ids", BrokenStores::loadAllSkippingAbsent, "loadAll returned", 1),
                new Bug("no update time", BrokenStores::withoutUpdateTime, "updatedAt > 0", 1),
                new Bug("history never pruned", BrokenStores::historyNeverPruned, "history", 4),
                new Bug("history surviving a delete", BrokenStores::historySurvivingDeletes, "history", 4)
        ).map(bug -> dynamicTest(bug.name(), () -> {
            StorageModelDivergence divergence = divergenceOn(bug.store().get(), SEED, 200);

            assertThat(divergence.seed())
                    .isEqualTo(StorageModelRunner.sequenceSeed(SEED, divergence.sequenceIndex()));
            assertThat(divergence.getMessage())
                    .contains("-D" + StorageModelRunner.SEED_PROPERTY + "=" + divergence.seed())
                    .contains("-D" + StorageModelRunner.STEPS_PROPERTY + "=" + STEPS)
                    .contains(divergence.divergence())
                    .contains("shrunk from " + STEPS + " to ");
            assertThat(divergence.divergence()).contains(bug.divergenceMentions());
            assertThat(divergence.originalLength()).isEqualTo(STEPS);
            List<String> lines = divergence.shrunkSteps();
            assertThat(lines).isNotEmpty();
            assertThat(lines.get(lines.size() - 1)).endsWith("<-- diverged");
            assertThat(lines.stream().filter(l -> l.contains("<-- diverged"))).hasSize(1);
            assertThat(stepCount(lines)).as("steps left after shrinking: %s", lines)
                    .isLessThanOrEqualTo(bug.maxShrunkSteps());
        }));
    }

    @Test
    void run_withoutHistory_onAStoreThatKeepsNone_neitherAsksForDepthsNorReadsHistory() {
        try (Storage store = BrokenStores.withoutHistory()) {
            StorageModelRunner runner = StorageModelRunner.forStorage(store).withSeed(SEED).withSequences(20);
            assertThat(runner.history()).as("history is checked by default").isTrue();

            assertThatCode(() -> runner.withHistory(false).run()).doesNotThrowAnyException();
            StorageModelDivergence divergence = divergenceOn(BrokenStores.withoutHistory(), SEED, 20);
            assertThat(divergence.divergence()).contains("UnsupportedOperationException");
        }
    }

    @Test
    void shrunkSequence_ofAHistoryBug_showsDepthsAndHistories() {
        StorageModelDivergence divergence = divergenceOn(BrokenStores.historyNeverPruned(), SEED, 200);

        assertThat(String.join("\n", divergence.shrunkSteps()))
                .containsPattern("save\\([AB]/\".*\", expected \\d+ \\[current\\], payload [^,]+, schema \\d,"
                        + " depth [1-3]\\)")
                .contains("history -> [v");
        assertThat(divergence.divergence()).contains("; model: [v");
    }

    @Test
    void run_withTheReportedSeed_replaysTheSameShrunkSequenceFirst() {
        StorageModelDivergence first = divergenceOn(BrokenStores.saveResurrectingTombstones(), SEED + 1, 200);

        StorageModelDivergence replay = divergenceOn(BrokenStores.saveResurrectingTombstones(), first.seed(), 1);

        assertThat(replay.sequenceIndex()).isZero();
        assertThat(replay.seed()).isEqualTo(first.seed());
        assertThat(replay.shrunkSteps()).isEqualTo(first.shrunkSteps());
        assertThat(replay.divergence()).isEqualTo(first.divergence());
    }

    @Test
    void shrunkSequence_namesResolvedVersionsAndOutcomes() {
        StorageModelDivergence divergence = divergenceOn(BrokenStores.deleteIgnoringVersion(), SEED, 200);

        String last = divergence.shrunkSteps().get(divergence.shrunkSteps().size() - 1);
        assertThat(last)
                .containsPattern("delete\\([AB]/\".*\", expected \\d+ \\[(stale|future)\\]\\) -> returned \\d+");
        assertThat(divergence.divergence()).contains("model: VersionConflictException(expected ");
    }

    @Test
    void sequenceSeed_ofTheFirstSequence_isTheRunSeed() {
        assertThat(StorageModelRunner.sequenceSeed(42, 0)).isEqualTo(42);
        assertThat(StorageModelRunner.sequenceSeed(42, 1))
                .isNotEqualTo(42)
                .isNotEqualTo(StorageModelRunner.sequenceSeed(42, 2));
    }

    @Test
    void forStorage_readsSeedSequencesAndStepsFromSystemProperties() {
        String[] names = {StorageModelRunner.SEED_PROPERTY, StorageModelRunner.SEQUENCES_PROPERTY,
                StorageModelRunner.STEPS_PROPERTY};
        String[] saved = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            saved[i] = System.getProperty(names[i]);
        }
        try (Storage store = new InMemoryStorage()) {
            System.setProperty(StorageModelRunner.SEED_PROPERTY, "-17");
            System.setProperty(StorageModelRunner.SEQUENCES_PROPERTY, "3");
            System.setProperty(StorageModelRunner.STEPS_PROPERTY, "9");

            StorageModelRunner runner = StorageModelRunner.forStorage(store);

            assertThat(runner.seed()).isEqualTo(-17);
            assertThat(runner.sequences()).isEqualTo(3);
            assertThat(runner.steps()).isEqualTo(9);

            System.setProperty(StorageModelRunner.STEPS_PROPERTY, "many");
            assertThatThrownBy(() -> StorageModelRunner.forStorage(store))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(StorageModelRunner.STEPS_PROPERTY);
        } finally {
            for (int i = 0; i < names.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(names[i]);
                } else {
                    System.setProperty(names[i], saved[i]);
                }
            }
        }
    }

    @Test
    void forStorage_withoutProperties_usesTheDefaults() {
        try (Storage store = new InMemoryStorage()) {
            StorageModelRunner runner = StorageModelRunner.forStorage(store);

            if (System.getProperty(StorageModelRunner.SEQUENCES_PROPERTY) == null) {
                assertThat(runner.sequences()).isEqualTo(StorageModelRunner.DEFAULT_SEQUENCES).isEqualTo(200);
            }
            if (System.getProperty(StorageModelRunner.STEPS_PROPERTY) == null) {
                assertThat(runner.steps()).isEqualTo(StorageModelRunner.DEFAULT_STEPS).isEqualTo(50);
            }
        }
    }

    @Test
    void counts_belowOne_areRejected() {
        try (Storage store = new InMemoryStorage()) {
            StorageModelRunner runner = StorageModelRunner.forStorage(store);

            assertThatThrownBy(() -> runner.withSequences(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> runner.withSteps(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static StorageModelDivergence divergenceOn(Storage store, long seed, int sequences) {
        try (store) {
            StorageModelRunner runner =
                    StorageModelRunner.forStorage(store).withSeed(seed).withSequences(sequences).withSteps(STEPS);
            Throwable thrown = catchThrowable(runner::run);
            assertThat(thrown).isInstanceOf(StorageModelDivergence.class);
            return (StorageModelDivergence) thrown;
        }
    }

    private static long stepCount(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("end:")).count();
    }
}
