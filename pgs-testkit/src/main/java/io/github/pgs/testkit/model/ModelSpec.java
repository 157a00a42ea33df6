package io.github.pgs.testkit.model;

import java.util.Random;

/**
 * What a model-based test is about: how to draw random actions, and how to open a fresh pairing of the real
 * system with its reference model. {@link ModelRunner} generates seeded sequences of actions from it, replays
 * each on a new {@link ModelTrial}, and shrinks the sequences that diverge.
 *
 * <p>Actions are plain values (records work best: their {@code toString} is the step's description in reports)
 * and must be meaningful in any state, because shrinking removes steps: an action that does not apply (release a
 * server that is not quarantined) must simply do what the system does then, and the model must predict that.
 *
 * @param <A> the action type
 */
public interface ModelSpec<A> {

    /**
     * Draws the action at position {@code index} (from 0) of a sequence. Must depend only on {@code random} and
     * {@code index}, so that a seed reproduces its sequence.
     */
    A nextAction(Random random, int index);

    /** Opens a fresh system and a fresh model that agree with each other. */
    ModelTrial<A> newTrial() throws Exception;

    /** A one-line description of {@code action} for reports (default: its {@code toString}). */
    default String describe(A action) {
        return String.valueOf(action);
    }
}
