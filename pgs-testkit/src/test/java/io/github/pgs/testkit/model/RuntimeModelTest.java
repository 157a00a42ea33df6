package io.github.pgs.testkit.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The runtime against its model on the in-memory store: {@value #CI_SEQUENCES} sequences per build. A long run:
 * {@code mvn -pl pgs-testkit test -Dtest=RuntimeModelTest -Dpgs.model.sequences=1000000}; replay a reported
 * sequence with {@code -Dpgs.model.seed=<seed> -Dpgs.model.steps=<steps> -Dpgs.model.sequences=1}.
 */
class RuntimeModelTest {

    static final int CI_SEQUENCES = 10_000;

    @Test
    void runtime_agreesWithItsModel_onTheInMemoryStore() {
        ModelRunner<RuntimeAction> runner = RuntimeModel.inMemory().runner()
                .withSequencesFrom(ModelRunner.SEQUENCES_PROPERTY, CI_SEQUENCES);
        ModelReport report = QuietLogs.quietly(runner::run);

        assertThat(report.sequences()).isEqualTo(runner.sequences()).isGreaterThanOrEqualTo(
                Integer.getInteger(ModelRunner.SEQUENCES_PROPERTY, CI_SEQUENCES));
        assertThat(report.steps()).isEqualTo((long) runner.sequences() * runner.steps());
    }
}
