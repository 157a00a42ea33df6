package io.github.pgs;

/**
 * What {@link GenServer#handleCall} decides: {@link Reply}, {@link NoReply} (reply later through {@link From})
 * or {@link Stop}. Build them with the factories in {@link Results}.
 *
 * @param <S> the state type
 */
public sealed interface CallResult<S> permits CastResult, Reply {

    /** The new state. */
    S state();

    /** {@code false} when the handler asked that this new state not be persisted. */
    boolean persist();
}
