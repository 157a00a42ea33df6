package io.github.pgs.testkit.model;

import java.util.List;

/**
 * The real system did something its model did not predict, found by {@link ModelRunner}. The message holds
 * everything needed to understand and reproduce it: the seed of the failing sequence, the command that replays
 * it, and the shrunk sequence of steps with what each did; the cause is what the diverging step threw.
 *
 * <p>Instances are immutable.
 */
public final class ModelDivergence extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final long seed;
    private final int sequenceIndex;
    private final int originalLength;
    private final List<String> shrunkSteps;
    private final String divergence;

    ModelDivergence(String message, long seed, int sequenceIndex, int originalLength, List<String> shrunkSteps,
                    String divergence, Throwable cause) {
        super(message, cause);
        this.seed = seed;
        this.sequenceIndex = sequenceIndex;
        this.originalLength = originalLength;
        this.shrunkSteps = List.copyOf(shrunkSteps);
        this.divergence = divergence;
    }

    /**
     * The seed of the failing sequence: a run with this seed (system property {@value ModelRunner#SEED_PROPERTY})
     * and the same number of steps replays it first.
     */
    public long seed() {
        return seed;
    }

    /** The index (from 0) of the failing sequence in its run. */
    public int sequenceIndex() {
        return sequenceIndex;
    }

    /** How many steps the failing sequence had before shrinking. */
    public int originalLength() {
        return originalLength;
    }

    /**
     * The shrunk sequence, one line per step with what it did; the last line is the step (or the final check)
     * that diverged and ends with {@code "<-- diverged"}. Never empty.
     */
    public List<String> shrunkSteps() {
        return shrunkSteps;
    }

    /** What the system did and what the model expected instead. */
    public String divergence() {
        return divergence;
    }
}
