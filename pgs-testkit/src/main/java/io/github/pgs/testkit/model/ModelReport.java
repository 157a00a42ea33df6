package io.github.pgs.testkit.model;

import java.time.Duration;

/**
 * What a {@link ModelRunner#run()} that found no divergence did.
 *
 * @param seed      the seed of the first sequence
 * @param sequences how many sequences ran
 * @param steps     how many steps ran in total
 * @param elapsed   how long the run took
 */
public record ModelReport(long seed, int sequences, long steps, Duration elapsed) {

    @Override
    public String toString() {
        return sequences + " sequences, " + steps + " steps, 0 divergences in " + elapsed.toMillis() + " ms (seed "
                + seed + ")";
    }
}
