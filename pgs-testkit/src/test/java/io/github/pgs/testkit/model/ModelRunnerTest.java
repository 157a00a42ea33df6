package io.github.pgs.testkit.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The harness itself: it finds divergences, names their seed, shrinks them, and replays them from the seed. */
class ModelRunnerTest {

    private static final long SEED = 4_242L;
    private static final String COUNT_PROPERTY = "pgs.model.selftest.sequences";

    sealed interface Op {
    }

    record Push(int value) implements Op {
    }

    record Pop() implements Op {
    }

    record Size() implements Op {
    }

    /** A stack; the buggy one forgets its bottom element when a pop leaves exactly two. */
    static final class Stack {
        private final List<Integer> items = new ArrayList<>();
        private final boolean buggy;

        Stack(boolean buggy) {
            this.buggy = buggy;
        }

        void push(int v) {
            items.add(v);
        }

        Integer pop() {
            if (items.isEmpty()) {
                return null;
            }
            Integer top = items.remove(items.size() - 1);
            if (buggy && items.size() == 2) {
                items.remove(0);
            }
            return top;
        }

        int size() {
            return items.size();
        }
    }

    /** Compares the stack with an {@link ArrayDeque}; {@code throwing} makes the buggy pop throw instead. */
    record StackSpec(boolean buggy, boolean throwing, boolean failAtEnd) implements ModelSpec<Op> {
        @Override
        public Op nextAction(Random random, int index) {
            int roll = random.nextInt(10);
            return roll < 5 ? new Push(random.nextInt(100)) : roll < 8 ? new Pop() : new Size();
        }

        @Override
        public ModelTrial<Op> newTrial() {
            Stack system = new Stack(buggy);
            Deque<Integer> model = new ArrayDeque<>();
            return new ModelTrial<>() {
                @Override
                public String step(Op op) {
                    switch (op) {
                        case Push p -> {
                            system.push(p.value());
                            model.push(p.value());
                            return "ok";
                        }
                        case Pop p -> {
                            if (throwing && buggy && system.size() == 3) {
                                throw new IllegalStateException("pop at three");
                            }
                            Integer got = system.pop();
                            Integer want = model.poll();
                            assertThat(got).as("popped").isEqualTo(want);
                            return String.valueOf(got);
                        }
                        case Size s -> {
                            assertThat(system.size()).as("size").isEqualTo(model.size());
                            return String.valueOf(system.size());
                        }
                    }
                }

                @Override
                public String finish() {
                    if (failAtEnd && model.size() > 3) {
                        throw new AssertionError("more than three left at the end");
                    }
                    assertThat(system.size()).as("final size").isEqualTo(model.size());
                    return "size " + system.size();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(COUNT_PROPERTY);
    }

    @Test
    void correctSystem_runsEverySequence_andReportsTheCounts() {
        ModelReport report = ModelRunner.of(new StackSpec(false, false, false)).withSeed(SEED).withSequences(300)
                .withSteps(20).run();

        assertThat(report.sequences()).isEqualTo(300);
        assertThat(report.steps()).isEqualTo(300L * 20);
        assertThat(report.seed()).isEqualTo(SEED);
    }

    @Test
    void divergence_isReportedWithItsSeed_andShrunkToTheFewStepsThatMatter() {
        ModelDivergence d = catchThrowableOfType(ModelDivergence.class,
                () -> ModelRunner.of(new StackSpec(true, false, false)).withSeed(SEED).withSequences(300)
                        .withSteps(25).run());

        assertThat(d).isNotNull();
        assertThat(d.seed()).isEqualTo(ModelRunner.sequenceSeed(SEED, d.sequenceIndex()));
        assertThat(d.originalLength()).isEqualTo(25);
        assertThat(d.getMessage())
                .contains("-D" + ModelRunner.SEED_PROPERTY + "=" + d.seed())
                .contains("-D" + ModelRunner.STEPS_PROPERTY + "=25")
                .contains("shrunk from 25 to ");
        List<String> lines = d.shrunkSteps();
        assertThat(lines.get(lines.size() - 1)).endsWith("<-- diverged");
        assertThat(lines.stream().filter(l -> l.contains("<-- diverged"))).hasSize(1);
        // three pushes, the pop that drops the bottom element, and the size (or final check) that sees it
        assertThat(lines).hasSizeLessThanOrEqualTo(5);
        assertThat(lines.stream().filter(l -> l.contains("Push"))).hasSize(3);
        assertThat(d.getCause()).isInstanceOf(AssertionError.class);
    }

    @Test
    void reportedSeed_replaysTheSameShrunkSequenceFirst() {
        ModelDivergence first = catchThrowableOfType(ModelDivergence.class,
                () -> ModelRunner.of(new StackSpec(true, false, false)).withSeed(SEED + 1).withSequences(300)
                        .withSteps(25).run());

        ModelDivergence replay = catchThrowableOfType(ModelDivergence.class,
                () -> ModelRunner.of(new StackSpec(true, false, false)).withSeed(first.seed()).withSequences(1)
                        .withSteps(25).run());

        assertThat(replay.sequenceIndex()).isZero();
        assertThat(replay.seed()).isEqualTo(first.seed());
        assertThat(replay.shrunkSteps()).isEqualTo(first.shrunkSteps());
    }

    @Test
    void unexpectedException_inAStep_isADivergenceToo() {
        assertThatThrownBy(() -> ModelRunner.of(new StackSpec(true, true, false)).withSeed(SEED).withSequences(300)
                .withSteps(25).run())
                .isInstanceOfSatisfying(ModelDivergence.class, d -> {
                    assertThat(d.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("pop at three");
                    assertThat(d.shrunkSteps()).last().asString().contains("Pop").contains("pop at three");
                });
    }

    @Test
    void failingFinalCheck_isReportedAsTheEndOfTheSequence() {
        assertThatThrownBy(() -> ModelRunner.of(new StackSpec(false, false, true)).withSeed(SEED).withSequences(300)
                .withSteps(25).run())
                .isInstanceOfSatisfying(ModelDivergence.class, d -> {
                    assertThat(d.shrunkSteps()).last().asString().startsWith("end").endsWith("<-- diverged");
                    assertThat(d.shrunkSteps().stream().filter(l -> l.contains("Push"))).hasSize(4);
                });
    }

    @Test
    void sequenceCount_canComeFromASystemProperty_forLongRuns() {
        System.setProperty(COUNT_PROPERTY, "1_234");

        ModelRunner<Op> runner = ModelRunner.of(new StackSpec(false, false, false))
                .withSequencesFrom(COUNT_PROPERTY, 10);

        assertThat(runner.sequences()).isEqualTo(1234);
        assertThat(ModelRunner.of(new StackSpec(false, false, false)).withSequencesFrom("pgs.model.unset", 10)
                .sequences()).isEqualTo(10);
        System.setProperty(COUNT_PROPERTY, "many");
        assertThatThrownBy(() -> ModelRunner.of(new StackSpec(false, false, false))
                .withSequencesFrom(COUNT_PROPERTY, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(COUNT_PROPERTY);
    }
}
