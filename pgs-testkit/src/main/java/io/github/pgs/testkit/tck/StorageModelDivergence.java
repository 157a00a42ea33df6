package io.github.pgs.testkit.tck;

import java.util.List;

/**
 * A store did something the model of the {@link io.github.pgs.spi.Storage} contract did not predict, found by
 * {@link StorageModelRunner}. The message holds everything needed to understand and reproduce it: the seed of
 * the failing sequence, the shrunk sequence of steps with what each returned, and the divergence itself.
 *
 * <p>Instances are immutable.
 */
public final class StorageModelDivergence extends AssertionError {

    private static final long serialVersionUID = 1L;

    private final long seed;
    private final int sequenceIndex;
    private final int originalLength;
    private final List<String> shrunkSteps;
    private final String divergence;

    StorageModelDivergence(String message, long seed, int sequenceIndex, int originalLength,
                           List<String> shrunkSteps, String divergence, Throwable cause) {
        super(message, cause);
        this.seed = seed;
        this.sequenceIndex = sequenceIndex;
        this.originalLength = originalLength;
        this.shrunkSteps = List.copyOf(shrunkSteps);
        this.divergence = divergence;
    }

    /**
     * The seed of the failing sequence. Running {@link StorageModelRunner} with this seed (system property
     * {@value StorageModelRunner#SEED_PROPERTY}) and the same number of steps replays it as the first sequence.
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
     * The shrunk sequence, one line per step with its resolved arguments and outcome; the last line is the step
     * (or the end-of-sequence check) that diverged. Never empty.
     */
    public List<String> shrunkSteps() {
        return shrunkSteps;
    }

    /** What the store did and what the model expected instead. */
    public String divergence() {
        return divergence;
    }
}
