package io.github.pgs.testkit.model;

/**
 * One replay of one sequence: a real system and its reference model, stepped together. Opened by
 * {@link ModelSpec#newTrial()} and closed after the sequence, whether it diverged or not.
 *
 * <p>A step applies the action to both, then compares everything observable (replies, errors, stored state).
 * Any throwable thrown by {@link #step} or {@link #finish} is a divergence; an {@link AssertionError} with a
 * message saying what the system did and what the model expected makes the best report.
 *
 * @param <A> the action type
 */
public interface ModelTrial<A> extends AutoCloseable {

    /**
     * Applies {@code action} to the system and the model and checks that they agree.
     *
     * @return what the system did, for the report of a failing sequence (e.g. {@code "replied 3"})
     * @throws Exception (any throwable) when they disagree or the system failed unexpectedly
     */
    String step(A action) throws Exception;

    /**
     * Final checks after the last step (default: none).
     *
     * @return what the system did, for the report
     */
    default String finish() throws Exception {
        return "ok";
    }

    /** Releases the system. Failures here are reported but do not count as divergences. */
    @Override
    void close() throws Exception;
}
