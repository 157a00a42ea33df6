package io.github.pgs;

import java.util.Objects;

/**
 * Continue with {@code state} without replying now. From {@code handleCall}, the caller keeps waiting until
 * someone answers through its {@link From} (or its call times out).
 *
 * @param state        the new state (never {@code null})
 * @param persist      whether the new state is persisted (default {@code true})
 * @param continueWith a follow-up message for {@link GenServer#handleContinue}, or {@code null}
 * @param <S>          the state type
 */
public record NoReply<S>(S state, boolean persist, Object continueWith) implements CastResult<S> {

    public NoReply {
        Objects.requireNonNull(state, "state");
    }

    /** The same result, but the new state is not persisted (it stays in memory only). */
    public NoReply<S> noPersist() {
        return new NoReply<>(state, false, continueWith);
    }

    /** The same result, followed by {@link GenServer#handleContinue} with {@code message}. */
    public NoReply<S> thenContinue(Object message) {
        return new NoReply<>(state, persist, Objects.requireNonNull(message, "message"));
    }
}
